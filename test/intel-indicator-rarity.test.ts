import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Truth, type ApiEvent, type AccountRecord, type StixObject } from '../src/contracts/index.js';
import { DG_EXTENSION_ID, keyedHash, loadKeyRing } from '../src/intel/index.js';
import { ipPrefix } from '../src/text/index.js';
import { MEMBER_EXPORT, okIn, simulatedMember } from './cli-harness.js';

/*
 * Issue 19 item 18: an exported indicator must not be an attribute that half the internet has
 * (a big ISP's ASN, a stock HTTP library's user agent, gmail.com). Real simulated runs, real CLI;
 * the ground truth says which accounts are ordinary, and every exported attribute is looked up
 * among them.
 */

const SEEDS = [2, 9];
type Ext = Record<string, unknown>;

/** Which ordinary accounts hold each attribute, keyed the way indicators name them. */
function benignHolders(dir: string, key: ReturnType<typeof loadKeyRing>['current']) {
  const truth = Truth.parse(JSON.parse(readFileSync(path.join(dir, 'truth.json'), 'utf8')));
  const benign = new Set(
    Object.entries(truth.accounts)
      .filter(([, t]) => t.role === 'benign')
      .map(([id]) => id),
  );
  const held = new Map<string, Set<string>>();
  const hold = (k: string, account: string): void => {
    if (!benign.has(account)) return;
    const s = held.get(k) ?? new Set<string>();
    s.add(account);
    held.set(k, s);
  };
  for (const line of readFileSync(path.join(dir, 'traffic.ndjson'), 'utf8').split('\n')) {
    if (!line) continue;
    const e = JSON.parse(line) as ApiEvent;
    if (e.client?.asn !== undefined) hold(`asn:${e.client.asn}`, e.account_id);
    if (e.client?.user_agent) hold(`user_agent:${e.client.user_agent}`, e.account_id);
    const p = e.client?.ip ? ipPrefix(e.client.ip) : undefined;
    if (p) hold(`ip_prefix_hmac:${keyedHash('ip_prefix', p, key)}`, e.account_id);
  }
  for (const line of readFileSync(path.join(dir, 'accounts.ndjson'), 'utf8').split('\n')) {
    if (!line) continue;
    const a = JSON.parse(line) as AccountRecord;
    if (a.payment_fingerprint)
      hold(
        `payment_fingerprint_hmac:${keyedHash('payment_fingerprint', a.payment_fingerprint, key)}`,
        a.account_id,
      );
    if (a.email_hash) hold(`email_hmac:${keyedHash('email', a.email_hash, key)}`, a.account_id);
    if (a.email_domain)
      hold(`email_domain_hmac:${keyedHash('email_domain', a.email_domain, key)}`, a.account_id);
    const p = a.signup_ip ? ipPrefix(a.signup_ip) : undefined;
    if (p) hold(`ip_prefix_hmac:${keyedHash('ip_prefix', p, key)}`, a.account_id);
  }
  return { benign: benign.size, holders: (k: string) => held.get(k)?.size ?? 0 };
}

const ATTRIBUTE_KINDS = new Set([
  'asn',
  'user_agent',
  'ip_prefix',
  'ip_prefix_hmac',
  'payment_fingerprint_hmac',
  'email_hmac',
  'email_domain_hmac',
]);

describe.each(SEEDS)('exported indicators are rare attributes (simulate --scale small --seed %i)', (seed) => {
  const dir = mkdtempSync(path.join(tmpdir(), `dg-rarity-${seed}-`));
  let indicators: StixObject[] = [];
  let dryRun = '';
  let findingsOnly: StixObject[] = [];
  let oldFindingsDryRun = '';
  let oldFindingsOnly: StixObject[] = [];

  beforeAll(async () => {
    await simulatedMember(dir, seed);
    const ok = okIn(dir);
    const exportArgs = [...MEMBER_EXPORT, '--out', 'bundle.json'];
    await ok(exportArgs);
    dryRun = await ok([...exportArgs, '--dry-run']);
    const bundle = JSON.parse(readFileSync(path.join(dir, 'bundle.json'), 'utf8')) as {
      objects: StixObject[];
    };
    indicators = bundle.objects.filter((o) => o.type === 'indicator');
    const only = ['intel', 'export', '--publisher', 'org-a', '--key', 'key.yaml'];
    const read = (f: string): StixObject[] =>
      (
        (JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { objects?: StixObject[] }).objects ?? []
      ).filter((o) => o.type === 'indicator');
    await ok([...only, '--findings', 'findings.json', '--out', 'only.json']);
    findingsOnly = read('only.json');
    // Findings as analyze wrote them before links carried holders.
    const old = JSON.parse(readFileSync(path.join(dir, 'findings.json'), 'utf8')) as {
      clusters: { links: Record<string, unknown>[] }[];
    };
    for (const c of old.clusters) for (const l of c.links) delete l.holders;
    writeFileSync(path.join(dir, 'old.json'), JSON.stringify(old));
    await ok([...only, '--findings', 'old.json', '--out', 'old-only.json']);
    oldFindingsOnly = read('old-only.json');
    oldFindingsDryRun = await ok([...only, '--findings', 'old.json', '--out', 'old-only.json', '--dry-run']);
  }, 600_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('no exported attribute is held by even 1 % of ordinary accounts, and each says how rare it is', () => {
    const key = loadKeyRing(path.join(dir, 'key.yaml')).current;
    const truth = benignHolders(dir, key);
    const attributes = indicators.filter((o) =>
      ATTRIBUTE_KINDS.has(String((o.extensions?.[DG_EXTENSION_ID] as Ext).kind)),
    );
    // Rare infrastructure (proxy prefixes, shared cards) still leaves.
    expect(attributes.length).toBeGreaterThan(0);
    const common: string[] = [];
    for (const o of attributes) {
      const ext = o.extensions![DG_EXTENSION_ID] as Ext;
      const id = `${String(ext.kind)}:${String(ext.value ?? ext.hmac)}`;
      const share = truth.holders(id) / truth.benign;
      if (share >= 0.01)
        common.push(`${id} held by ${truth.holders(id)} of ${truth.benign} ordinary accounts`);
      const said = /Held by ([\d,]+) of ([\d,]+) accounts outside the shared campaigns/.exec(
        String(o.description),
      );
      expect(said, String(o.name)).not.toBeNull();
      const [n, of] = [Number(said![1]!.replace(/,/g, '')), Number(said![2]!.replace(/,/g, ''))];
      expect(n).toBeLessThanOrEqual(Math.max(1, Math.floor(of * 0.001)));
    }
    expect(common).toEqual([]);
  });

  it('says in --dry-run which common attributes stayed home and how common they are', () => {
    expect(dryRun).toMatch(
      /held by [\d,]+ of [\d,]+ accounts outside the shared campaigns \([\d.]+ %, more than 0\.1 %\): it would match ordinary users/,
    );
  });

  const attributeIds = (objects: StixObject[]): Map<string, string> =>
    new Map(
      objects
        .map((o) => [o.extensions?.[DG_EXTENSION_ID] as Ext, String(o.description)] as const)
        .filter(([ext]) => ATTRIBUTE_KINDS.has(String(ext.kind)))
        .map(([ext, d]) => [`${String(ext.kind)}:${String(ext.value ?? ext.hmac)}`, d]),
    );

  it("with findings alone, publishes rare attributes from the links' holders, none the traffic count withholds", () => {
    const only = attributeIds(findingsOnly);
    const withTraffic = attributeIds(indicators);
    expect(only.size).toBeGreaterThan(0);
    // Traffic adds attributes the links do not list, so the findings-only set is a subset.
    for (const [id, description] of only) {
      expect(withTraffic.has(id), id).toBe(true);
      expect(description).toMatch(
        /Held by [\d,]+ of [\d,]+ accounts outside the shared campaigns of the publisher\./,
      );
    }
  });

  it('with findings from before links carried holders, withholds every attribute and says why', () => {
    expect(attributeIds(oldFindingsOnly).size).toBe(0);
    expect(oldFindingsDryRun).toMatch(/how rare it is in your other traffic is unknown/);
  });
});
