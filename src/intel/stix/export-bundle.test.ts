import { describe, expect, it } from 'vitest';
import type { AccountRecord, ApiEvent, Findings } from '../../contracts/index.js';
import { keyRingFrom } from '../match/community-key.js';
import { DG_EXTENSION_ID } from './extension.js';
import { dryRunReport, exportBundle } from './export-bundle.js';
import { policyFrom } from '../policy/sharing-policy.js';
import { loadStixOracle } from './stix-oracle.js';
import { requiredStixSchemaDir, stixSchemaDir } from '../../../test/stix-schemas.js';
import { TLP_IDS } from './tlp.js';
import { findingsOf, HARVEST_TASKS } from '../../../test/findings-fixture.js';

const ring = keyRingFrom({ current: 'k2', keys: [{ id: 'k2', secret: 'ab'.repeat(32) }] });
const TASKS = HARVEST_TASKS.slice(0, 4);

const CAMPAIGN = ['acct_a1', 'acct_a2', 'acct_a3', 'acct_a4', 'acct_a5'];

/** The campaign's five accounts: one card, one mail domain, every task wrapped for reasoning. */
function campaignTraffic(ids: string[]): { events: ApiEvent[]; accounts: AccountRecord[] } {
  const accounts: AccountRecord[] = ids.map((account_id, i) => ({
    account_id,
    payment_fingerprint: 'pf_4242_shared',
    email_hash: `eh_${i}`,
    email_domain: 'mailbox.example',
    signup_ip: `203.0.113.${10 + i}`,
  }));
  const events: ApiEvent[] = [];
  let n = 0;
  for (const [i, account_id] of ids.entries())
    for (const task of TASKS)
      events.push({
        id: `ev_${n++}`,
        ts: `2026-11-20T10:${String(n).padStart(2, '0')}:00Z`,
        account_id,
        model: 'm-large',
        client: { ip: `203.0.113.${40 + i}`, asn: 64512, user_agent: 'harvest-client/2.1' },
        request: {
          messages: [
            {
              role: 'user',
              content: `You are an expert tutor. Think step by step and show your full reasoning before you answer. Task: ${task}. Reply to ops@attacker.example in JSON with reasoning and answer fields only please.`,
            },
          ],
        },
      });
  return { events, accounts };
}

/** Ordinary accounts outside the campaign: attribute indicators leave only when rare among them. */
function addOrdinaryAccounts(events: ApiEvent[], accounts: AccountRecord[]): void {
  let n = events.length;
  for (let i = 0; i < 30; i++) {
    const account_id = `acct_ordinary_${i}`;
    accounts.push({
      account_id,
      payment_fingerprint: `pf_ordinary_${i}`,
      email_hash: `eh_ordinary_${i}`,
      email_domain: 'gmail.com',
      signup_ip: `198.51.${i}.7`,
    });
    events.push({
      id: `ev_${n++}`,
      ts: `2026-11-20T11:${String(i).padStart(2, '0')}:00Z`,
      account_id,
      model: 'm-large',
      client: { ip: `198.51.${i}.8`, asn: 64600 + i, user_agent: `Mozilla/5.0 (ordinary ${i})` },
      request: { messages: [{ role: 'user', content: `What is a good name for a cat number ${i}?` }] },
    });
  }
}

/** Org A's findings: the campaign as one act cluster, and a second cluster under review. */
function campaignFindings(ids: string[], events: number): Findings {
  return findingsOf(
    {
      accounts: ids.map((account_id) => ({
        account_id,
        score: 0.9,
        level: 'act',
        cluster_id: 'cl_1',
        events: 4,
        signals: [],
      })),
      clusters: [
        {
          cluster_id: 'cl_1',
          account_ids: ids,
          score: 0.93,
          level: 'act',
          events,
          links: [{ kind: 'payment_fingerprint', value: 'pf_4242_shared', accounts: 5 }],
          signals: [
            {
              detector: 'reasoning-elicitation',
              score: 0.95,
              evidence: '20 of 20 prompts ask for reasoning traces; contact ops@attacker.example',
              atlas: 'AML.T0024.002',
            },
          ],
          customer_list: ['BigCo'],
          price_per_million: 12,
        },
        {
          cluster_id: 'cl_2',
          account_ids: ['acct_b1', 'acct_b2'],
          score: 0.9,
          level: 'review',
          events: 9,
          links: [],
          signals: [],
        },
      ],
    },
    { events, accounts: ids.length },
  );
}

function traffic(): { events: ApiEvent[]; accounts: AccountRecord[]; findings: Findings } {
  const { events, accounts } = campaignTraffic(CAMPAIGN);
  addOrdinaryAccounts(events, accounts);
  return { events, accounts, findings: campaignFindings(CAMPAIGN, events.length) };
}

const now = new Date('2026-11-21T12:00:00Z');

/** The test traffic exported by Org A under `policy`. */
const exportTraffic = (policy = policyFrom({})) =>
  exportBundle({ ...traffic(), publisher: { name: 'Org A' }, keyRing: ring, policy, now });

describe('intel export', () => {
  it('writes a bundle that validates against the OASIS STIX 2.1 schemas', async () => {
    if (!stixSchemaDir() && !process.env.CI) return console.log('skipping: ../shared is absent');
    const r = await exportTraffic();
    expect(loadStixOracle(requiredStixSchemaDir()).validateBundle(r.bundle)).toEqual({
      valid: true,
      errors: [],
    });
    const types = new Set(r.bundle.objects?.map((o) => o.type));
    for (const t of [
      'identity',
      'campaign',
      'attack-pattern',
      'indicator',
      'relationship',
      'sighting',
      'marking-definition',
    ])
      expect(types, t).toContain(t);
  });

  it("gives every object its creator and TLP marking, and every indicator a description (the validator's SHOULDs)", async () => {
    const r = await exportTraffic();
    const objects = r.bundle.objects ?? [];
    const ids = new Set(objects.map((o) => o.id));
    const missing: string[] = [];
    for (const o of objects) {
      // The official OASIS TLP 2.0 marking definitions travel exactly as OASIS publishes them.
      if (o.type === 'marking-definition') {
        expect(Object.values(TLP_IDS)).toContain(o.id);
        continue;
      }
      if (typeof o.created_by_ref !== 'string' || !ids.has(o.created_by_ref))
        missing.push(`${o.id} created_by_ref`);
      if (!o.object_marking_refs?.length || !o.object_marking_refs.every((m) => ids.has(m)))
        missing.push(`${o.id} object_marking_refs`);
      if (o.type === 'indicator' && typeof o.description !== 'string') missing.push(`${o.id} description`);
    }
    expect(missing).toEqual([]);
    for (const t of ['attack-pattern', 'identity', 'indicator'])
      expect(objects.map((o) => o.type)).toContain(t);
    if (stixSchemaDir() || process.env.CI)
      expect(loadStixOracle(requiredStixSchemaDir()).validateBundle(r.bundle)).toEqual({
        valid: true,
        errors: [],
      });
  });

  it('carries ATLAS ids, TLP markings, confidence and validity on what it writes', async () => {
    const r = await exportTraffic(policyFrom({ default_tlp: 'green' }));
    const objs = r.bundle.objects ?? [];
    const atlas = objs.flatMap((o) =>
      o.type === 'attack-pattern'
        ? [(o.external_references as { external_id: string }[])[0]!.external_id]
        : [],
    );
    // The campaign techniques (IP theft among them), prompt crafting for the reasoning wrapper,
    // establish accounts for the shared payment instrument.
    expect(atlas.sort()).toEqual([
      'AML.T0005.001',
      'AML.T0021',
      'AML.T0024.002',
      'AML.T0040',
      'AML.T0048.004',
      'AML.T0065',
    ]);
    const campaign = objs.find((o) => o.type === 'campaign')!;
    expect(campaign.object_marking_refs).toEqual([TLP_IDS.green]);
    expect(campaign.confidence).toBe(93);
    const ind = objs.filter((o) => o.type === 'indicator');
    expect(ind.every((i) => i.valid_until === '2026-12-21T12:00:00.000Z')).toBe(true);
    const kinds = ind.map((i) => (i.extensions?.[DG_EXTENSION_ID] as { kind: string }).kind).sort();
    expect(kinds).toEqual(
      expect.arrayContaining([
        'asn',
        'ip_prefix_hmac',
        'payment_fingerprint_hmac',
        'template',
        'user_agent',
        'elicitation_phrase',
      ]),
    );
  });

  it('lets no identifier, account id, e-mail address or verbatim prompt leave', async () => {
    const r = await exportTraffic();
    const text = JSON.stringify(r.bundle);
    for (const secret of [
      'pf_4242_shared',
      'acct_a1',
      'ops@attacker.example',
      '203.0.113',
      'integrate x^2',
      'mailbox.example',
      'eh_0',
    ])
      expect(text, secret).not.toContain(secret);
    expect(text).toMatch(/hmac-sha256:k2:[0-9a-f]{64}/);
  });

  it('refuses commercial fields and small clusters, and the dry run says why', async () => {
    const r = await exportTraffic();
    const text = JSON.stringify(r.bundle);
    expect(text).not.toContain('BigCo');
    expect(text).not.toContain('price_per_million');
    const reasons = r.withheld.map((w) => `${w.property ?? ''}: ${w.reason}`);
    expect(reasons).toContain('extension.customer_list: commercial field refused (antitrust)');
    expect(reasons).toContain('extension.price_per_million: commercial field refused (antitrust)');
    expect(reasons.some((x) => x.includes('cl_2 has 2 accounts, below min_cluster_size 3'))).toBe(true);
    const report = dryRunReport(r);
    expect(report).toMatch(/Would send \d+ objects/);
    expect(report).toContain('commercial field refused (antitrust)');
    expect(report).toContain('prompts are not shared verbatim');
  });

  it('shares prefixes in clear and prompt examples only when the policy says so', async () => {
    const policy = policyFrom({ share_ip_in_clear: true, share_prompts_verbatim: true });
    const r = await exportTraffic(policy);
    const patterns = (r.bundle.objects ?? []).flatMap((o) =>
      o.type === 'indicator' ? [o.pattern as string] : [],
    );
    expect(patterns).toContain("[ipv4-addr:value ISSUBSET '203.0.113.0/24']");
    const text = JSON.stringify(r.bundle);
    expect(text).toContain('integrate x^2');
    expect(text).not.toContain('ops@attacker.example'); // still scrubbed
  });
});
