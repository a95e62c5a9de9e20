import { requiredStixSchemaDir } from './stix-schemas.js';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  DG_EXTENSION_ID,
  IntelMatcher,
  TaxiiClient,
  checkBundle,
  defaultPolicy,
  exportBundle,
  exportToFile,
  identityIdFor,
  loadStixOracle,
  policyFrom,
  pullIntel,
  readDgExtension,
  writeCommunityKey,
  type MemberSigningKey,
} from '../src/intel/index.js';
import {
  UserError,
  type AccountRecord,
  type ClusterFinding,
  type Findings,
  type StixObject,
} from '../src/contracts/index.js';
import { storeTestBackends } from './store-harness.js';
import { asnIndicator, useSharingHub } from './hub-harness.js';
import { fixtureId, stixObject } from './stix-fixtures.js';
import { startSpecTaxiiServer } from './taxii-spec-server.js';
import { findingsOf } from './findings-fixture.js';
import { analysedStream, exportAnalysed, sharingTestRing as ring } from './simulated-analysis.js';

const oracle = loadStixOracle(requiredStixSchemaDir()); // the OASIS schemas: the tests' reference, never production's

const accounts = (prefix: string, n: number): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);

/** A campaign of the actor: `cardHolders` of its accounts hold the shared card, five use its ASN. */
const campaign = (
  cluster_id: string,
  account_ids: string[],
  found: { score: number; level: 'act' | 'review'; events: number; cardHolders: number },
  signal: ClusterFinding['signals'][number],
): ClusterFinding => ({
  cluster_id,
  account_ids,
  score: found.score,
  level: found.level,
  events: found.events,
  links: [
    { kind: 'payment_fingerprint', value: 'pf_shared_card', accounts: found.cardHolders },
    { kind: 'asn', value: '64512', accounts: 5 },
  ],
  signals: [signal],
});

/** Two campaigns of one actor: same payment instrument and ASN, disjoint accounts. */
function twoClusterFindings(extra: Record<string, unknown> = {}): Findings {
  return findingsOf(
    {
      accounts: [],
      clusters: [
        {
          ...campaign(
            'cl_1',
            accounts('acct_a', 6),
            { score: 0.93, level: 'act', events: 120, cardHolders: 6 },
            { detector: 'reasoning-elicitation', score: 0.95, evidence: 'reasoning traces' },
          ),
          ...extra,
        },
        campaign(
          'cl_2',
          accounts('acct_b', 5),
          { score: 0.71, level: 'review', events: 80, cardHolders: 4 },
          { detector: 'coverage-sweep', score: 0.8, evidence: 'systematic topic coverage' },
        ),
      ],
    },
    { events: 200, accounts: 11 },
  );
}

/** The campaigns' accounts holding the shared card, among ordinary accounts that do not. */
const twoClusterPopulation = (): AccountRecord[] => [
  // As the findings' links say: all 6 of cl_1 and 4 of the 5 of cl_2 hold the shared card.
  ...[...accounts('acct_a', 6), ...accounts('acct_b', 4)].map((account_id) => ({
    account_id,
    payment_fingerprint: 'pf_shared_card',
  })),
  { account_id: 'acct_b5', payment_fingerprint: 'pf_own_b5' },
  ...accounts('acct_ordinary', 40).map((account_id, i) => ({
    account_id,
    payment_fingerprint: `pf_own_${i}`,
  })),
];

/**
 * org-a's export of the two campaigns, with its population (attributes leave only when rare in
 * it: issue 19 item 18).
 */
const twoClusterBundle = (policy = policyFrom({ min_confidence: 50 })) =>
  exportBundle({
    findings: twoClusterFindings(),
    accounts: twoClusterPopulation(),
    publisher: { name: 'org-a' },
    keyRing: ring,
    policy,
  });

const versionKey = (o: StixObject): string => `${o.id} ${o.modified ?? o.created ?? ''}`;

describe('export: one object per id and version (duplicate indicators)', () => {
  it('merges the indicator two campaigns share into one object with both relationships', async () => {
    const { bundle } = await twoClusterBundle();
    const objects = bundle.objects ?? [];
    const keys = objects.map(versionKey);
    expect(keys.length - new Set(keys).size).toBe(0);
    expect(oracle.validateBundle(bundle).errors).toEqual([]);

    const campaigns = objects.filter((o) => o.type === 'campaign');
    expect(campaigns).toHaveLength(2);
    const payment = objects.filter(
      (o) => o.type === 'indicator' && readDgExtension(o)?.kind === 'payment_fingerprint_hmac',
    );
    expect(payment).toHaveLength(1);
    // accounts_seen: distinct accounts across the campaigns (clusters share no account): 6 + 4.
    expect(readDgExtension(payment[0]!)?.accounts_seen).toBe(10);
    // confidence: the strongest campaign the indicator points at.
    expect(payment[0]!.confidence).toBe(93);
    const indicates = objects.filter(
      (o) =>
        o.type === 'relationship' && o.relationship_type === 'indicates' && o.source_ref === payment[0]!.id,
    );
    expect(indicates.map((r) => r.target_ref).sort()).toEqual(campaigns.map((c) => c.id).sort());
  });

  it(
    'a default export of the small simulation has one object per (id, version) and validates',
    { timeout: 600_000 },
    async () => {
      const { bundle } = await exportAnalysed(analysedStream(11), defaultPolicy());
      const objects = bundle.objects ?? [];
      const keys = objects.map(versionKey);
      expect(keys.length - new Set(keys).size).toBe(0);
      // The campaigns do share infrastructure: some indicator indicates several of them.
      const campaignsOf = new Map<string, number>();
      for (const r of objects)
        if (r.type === 'relationship' && r.relationship_type === 'indicates')
          campaignsOf.set(r.source_ref as string, (campaignsOf.get(r.source_ref as string) ?? 0) + 1);
      expect(Math.max(...campaignsOf.values())).toBeGreaterThan(1);
      expect(oracle.validateBundle(bundle).errors).toEqual([]);
    },
  );

  it('a receiver matching the merged indicator attributes the account to both campaigns', async () => {
    const { bundle } = await twoClusterBundle();
    const objects = bundle.objects ?? [];
    const matcher = new IntelMatcher(objects, ring, new Date());
    matcher.addAccount({ account_id: 'b_remote_1', payment_fingerprint: 'pf_shared_card' });
    const campaigns = objects.filter((o) => o.type === 'campaign').map((c) => c.id);
    expect((matcher.matches().get('b_remote_1') ?? []).map((m) => m.campaignId).sort()).toEqual(
      campaigns.sort(),
    );
  });

  it('refuses a bundle that carries one id and version twice with different content', () => {
    const ind = asnIndicator(1, { pattern: '[autonomous-system:number = 64512]', confidence: 70 });
    const errors = checkBundle({
      type: 'bundle',
      id: 'bundle--00000000-0000-4000-8000-000000000009',
      objects: [ind, { ...ind, confidence: 90 }],
    });
    expect(errors.join('\n')).toMatch(/indicator--00000000-0000-4000-8000-000000000001.*more than once/);
  });
});

describe('export: the policy cannot make it write invalid STIX', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dg-sharing-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The policy example exactly as docs/sharing.md shows it. */
  function documentedPolicy(): unknown {
    const doc = readFileSync(path.resolve(import.meta.dirname, '../docs/sharing.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Sharing policy'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(yaml).toBeDefined();
    return parseYaml(yaml!);
  }

  it('the documented policy example exports a bundle that validates and keeps the identity and TLP marking', async () => {
    const policy = policyFrom(documentedPolicy());
    const { bundle } = await twoClusterBundle(policy);
    const objects = bundle.objects ?? [];
    expect(objects.filter((o) => o.type === 'campaign')).not.toHaveLength(0);
    expect(objects.map((o) => o.id)).toContain(identityIdFor('org-a'));
    expect(objects.some((o) => o.type === 'marking-definition')).toBe(true);
    for (const o of objects)
      if (o.extensions?.[DG_EXTENSION_ID])
        expect(o.extensions[DG_EXTENSION_ID]).toHaveProperty('extension_type', 'property-extension');
    expect(oracle.validateBundle(bundle).errors).toEqual([]);
    expect(checkBundle(bundle)).toEqual([]);
  });

  it('a policy that admits score-0 campaigns writes no empty arrays', async () => {
    const findings = twoClusterFindings();
    findings.clusters[1] = { ...findings.clusters[1]!, score: 0, level: 'none', signals: [] };
    const { bundle } = await exportBundle({
      findings,
      publisher: { name: 'org-a' },
      keyRing: ring,
      policy: policyFrom({ min_confidence: 0, min_level: 'none' }),
    });
    expect(bundle.objects?.filter((o) => o.type === 'campaign')).toHaveLength(2);
    expect(oracle.validateBundle(bundle).errors).toEqual([]);
    expect(checkBundle(bundle)).toEqual([]);
  });

  it('refuses (UserError, nothing written) when what it would write is not valid STIX', async () => {
    const findingsFile = path.join(dir, 'findings.json');
    writeFileSync(findingsFile, JSON.stringify(twoClusterFindings({ notes: [] })));
    const policyFile = path.join(dir, 'policy.yaml');
    writeFileSync(
      policyFile,
      'min_confidence: 50\nallow_extension: [kind, hmac, key_id, cluster_size, notes]\n',
    );
    const keyFile = path.join(dir, 'community.yaml');
    writeCommunityKey('isac-1', keyFile);
    const out = path.join(dir, 'bundle.json');
    const err = await exportToFile({
      findings: findingsFile,
      publisher: 'org-a',
      communityKey: keyFile,
      policy: policyFile,
      out,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/not valid STIX 2\.1.*notes.*empty/);
    expect(existsSync(out)).toBe(false);
  });

  it('the bundle check finds references to objects the bundle does not carry', () => {
    const errors = checkBundle({
      type: 'bundle',
      id: 'bundle--00000000-0000-4000-8000-000000000009',
      objects: [
        stixObject('relationship', 2, {
          created_by_ref: fixtureId('identity', 3),
          object_marking_refs: ['marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421'],
          relationship_type: 'uses',
          source_ref: fixtureId('campaign', 4),
          target_ref: fixtureId('attack-pattern', 5),
        }),
      ],
    });
    expect(errors).toHaveLength(3); // the TLP marking is well known and needs no object
    expect(errors.join('\n')).toMatch(/created_by_ref.*identity--00000000-0000-4000-8000-000000000003/);
  });
});

describe('intel pull against a standard TAXII 2.1 server (no DistillGuard extensions)', () => {
  it('pulls every page and skips the hub-only sighting counts, noting it', async () => {
    const { bundle } = await twoClusterBundle();
    const objects = bundle.objects ?? [];
    const server = await startSpecTaxiiServer({ objects, maxPage: 4, apiKey: 'spec-key' });
    const state = mkdtempSync(path.join(tmpdir(), 'dg-spec-pull-'));
    try {
      const r = await pullIntel({
        hub: server.apiRoot,
        collection: server.collectionId,
        state,
        credentials: { apiKey: 'spec-key' },
      });
      expect(r.received).toBe(objects.length);
      expect(r.total).toBe(objects.length);
      expect(r.pages).toBe(Math.ceil(objects.length / 4));
      expect(r.notes.join(' ')).toMatch(/sighting counts/);
      // Resuming from the cursor: nothing new, still no error.
      const again = await pullIntel({
        hub: server.apiRoot,
        collection: server.collectionId,
        state,
        credentials: { apiKey: 'spec-key' },
      });
      expect(again.received).toBe(0);
      expect(again.total).toBe(objects.length);
    } finally {
      await server.close();
      rmSync(state, { recursive: true, force: true });
    }
  });
});

const backends = await storeTestBackends();

describe.each(backends)(
  'hub: one object per id and version; match[version] with several values is their union, on %s',
  (dialect) => {
    const h = useSharingHub(dialect, { members: ['org-a'] });
    let root: string;
    let collection: string;
    let key: MemberSigningKey;
    let apiKey: string;
    const id = 'indicator--00000000-0000-4000-8000-0000000000aa';
    const V = ['2026-11-20T00:00:00.000Z', '2026-11-21T00:00:00.000Z', '2026-11-22T00:00:00.000Z'];

    beforeAll(async () => {
      collection = h.collection;
      key = h.keys['org-a']!;
      apiKey = h.creds['org-a']!.apiKey;
      root = h.apiRoot;
      const client = new TaxiiClient(root, { apiKey });
      for (const modified of V)
        await client.push(
          collection,
          [
            {
              type: 'indicator',
              spec_version: '2.1',
              id,
              created: V[0],
              modified,
              pattern: '[autonomous-system:number = 64512]',
              pattern_type: 'stix',
              valid_from: V[0],
            },
          ],
          key,
        );
    });

    const versionsFor = (match: string): Promise<string[]> => versionsOf(id, match);
    const versionsOf = async (objectId: string, match: string): Promise<string[]> => {
      const res = await fetch(
        `${root}collections/${collection}/objects/?match[id]=${objectId}&match[version]=${encodeURIComponent(match)}`,
        { headers: { authorization: `Bearer ${apiKey}`, accept: 'application/taxii+json;version=2.1' } },
      );
      expect(res.status).toBe(200);
      const body = (await res.json()) as { objects?: StixObject[] };
      return (body.objects ?? []).map((o) => o.modified!).sort();
    };

    it('refuses (status failures, nothing stored) one id and version twice with different content, in one envelope or against what is stored', async () => {
      const client = new TaxiiClient(root, { apiKey });
      const base = {
        type: 'indicator',
        spec_version: '2.1',
        id: 'indicator--00000000-0000-4000-8000-0000000000bb',
        created: V[0],
        modified: V[0],
        pattern: '[autonomous-system:number = 64513]',
        pattern_type: 'stix',
        valid_from: V[0],
      };
      // Pushes one copy of the indicator per confidence, in one envelope.
      const push = (...confidences: number[]) =>
        client.push(
          collection,
          confidences.map((confidence) => ({ ...base, confidence })),
          key,
        );
      const twice = await push(60, 90);
      expect(twice).toMatchObject({ success_count: 0, failure_count: 2 });
      expect(twice.failures?.[0]?.message).toMatch(/more than once with different content/);
      expect(await versionsOf(base.id, 'all')).toEqual([]);
      // Identical copies are one object: accepted.
      const same = await push(60, 60);
      expect(same).toMatchObject({ success_count: 2, failure_count: 0 });
      // The stored version cannot be changed in place either.
      const changed = await push(90);
      expect(changed).toMatchObject({ success_count: 0, failure_count: 1 });
      expect(changed.failures?.[0]?.message).toMatch(/already stored with other content/);
      expect((await push(60)).success_count).toBe(1);
    });

    it.each([
      ['first,last', [V[0], V[2]]],
      [`last,${V[0]}`, [V[0], V[2]]],
      [`first,${V[1]}`, [V[0], V[1]]],
      [`${V[1]},${V[2]}`, [V[1], V[2]]],
      ['first,last,all', V],
      ['last', [V[2]]],
      ['first', [V[0]]],
    ])('match[version]=%s', async (match, expected) => {
      expect(await versionsFor(match)).toEqual(expected);
    });
  },
);

describe('the CLI: exit codes of intel export and intel pull', () => {
  const root = path.resolve(import.meta.dirname, '..');
  const cli = path.join(root, 'dist/cli/main.js');
  const dir = mkdtempSync(path.join(tmpdir(), 'dg-sharing-cli-'));
  const newest = (d: string): number =>
    readdirSync(d, { withFileTypes: true }).reduce((t, e) => {
      const p = path.join(d, e.name);
      return Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
    }, 0);
  beforeAll(() => {
    // The built CLI, rebuilt when the sources it runs are newer.
    const sources = Math.max(
      ...['src/intel', 'src/cli', 'src/contracts', 'src/hub'].map((d) => newest(path.join(root, d))),
    );
    const built = statSync(path.join(root, 'dist/intel/stix/export-bundle.js'), { throwIfNoEntry: false });
    if (!existsSync(cli) || !built || built.mtimeMs < sources)
      try {
        execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'pipe' });
      } catch {
        // tsc still emits when another module has type errors; the CLI run below is the test.
      }
    writeCommunityKey('isac-1', path.join(dir, 'community.yaml'));
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cliRun = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      const { stdout, stderr } = await promisify(execFile)('node', [cli, ...args], { cwd: dir });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  /** `intel export` of `findings` as org-a under the policy of notes.yaml, to `out`. */
  const exportUnderNotesPolicy = (findings: string, out: string) =>
    cliRun([
      'intel',
      'export',
      '--findings',
      findings,
      '--publisher',
      'org-a',
      '--key',
      'community.yaml',
      '--policy',
      'notes.yaml',
      '--out',
      out,
    ]);

  it('export refuses, exit non-zero with one clear message and no file, when the bundle would not be valid STIX', async () => {
    writeFileSync(path.join(dir, 'bad.json'), JSON.stringify(twoClusterFindings({ notes: [] })));
    writeFileSync(
      path.join(dir, 'notes.yaml'),
      'min_confidence: 50\nallow_extension: [kind, cluster_size, notes]\n',
    );
    const r = await exportUnderNotesPolicy('bad.json', 'bad-bundle.json');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /error\[INVALID_INPUT\]: Refusing to write a bundle that is not valid STIX 2\.1/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(path.join(dir, 'bad-bundle.json'))).toBe(false);
    // The same findings without the offending property export, exit 0.
    writeFileSync(path.join(dir, 'good.json'), JSON.stringify(twoClusterFindings()));
    const ok = await exportUnderNotesPolicy('good.json', 'good-bundle.json');
    expect(ok.code).toBe(0);
    expect(
      oracle.validateBundle(JSON.parse(readFileSync(path.join(dir, 'good-bundle.json'), 'utf8'))).errors,
    ).toEqual([]);
  }, 120_000);

  it('pull from a standard TAXII 2.1 server exits 0 and notes the skipped hub extension', async () => {
    const { bundle } = await twoClusterBundle();
    const server = await startSpecTaxiiServer({ objects: bundle.objects ?? [], apiKey: 'spec-key' });
    try {
      const r = await cliRun([
        'intel',
        'pull',
        '--hub',
        server.apiRoot,
        '--collection',
        server.collectionId,
        '--api-key',
        'spec-key',
        '--state',
        'state',
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`received ${bundle.objects?.length} new objects`));
      expect(r.stdout).toMatch(/note: the server offers no DistillGuard sighting counts/);
    } finally {
      await server.close();
    }
  }, 120_000);
});
