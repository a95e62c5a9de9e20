import { describe, expect, it } from 'vitest';
import { identityIdFor, loadStixOracle, TLP_IDS } from '../src/intel/index.js';
import { TAXII_MEDIA, TaxiiStatus } from '../src/contracts/index.js';
import { verifyHubAudit } from '../src/store/index.js';
import { storeTestBackends } from './store-harness.js';
import { signedPublish, useSharingHub } from './hub-harness.js';
import { requiredStixSchemaDir } from './stix-schemas.js';
import { fixtureId, STIX_TIME, stixObject } from './stix-fixtures.js';

/*
 * Item 5 of issue 19: the hub validates each POSTed object, stores only valid STIX 2.1, and its
 * status resource (TAXII 2.1 §4.3.1) says exactly what happened to each object. Over HTTP; the
 * OASIS STIX 2.1 JSON schemas judge what was stored.
 */

const backends = await storeTestBackends();
type Obj = Record<string, unknown>;
const hex = (i: number): string => i.toString(16);

const indicator = (i: number, extra: Obj = {}): Obj =>
  stixObject('indicator', hex(i), {
    name: `AS ${64500 + i}`,
    description: 'Autonomous system used by a distillation campaign.',
    pattern: `[autonomous-system:number = ${64500 + i}]`,
    pattern_type: 'stix',
    valid_from: STIX_TIME,
    object_marking_refs: [TLP_IDS.green],
    ...extra,
  });

/** Objects that stix2-validator and the OASIS schemas refuse, each in its own way. */
const invalidObjects = (member: string): Obj[] => {
  const { pattern: _p, ...noPattern } = indicator(101);
  return [
    noPattern,
    indicator(102, { created: '2026-11-20T00:00:00Z', modified: '2026-11-20T00:00:00Z' }),
    indicator(103, { indicator_types: [] }),
    indicator(104, { severity: 'high' }),
    indicator(105, { confidence: 140 }),
    indicator(106, { valid_until: '2020-01-01T00:00:00.000Z' }),
    { ...indicator(107), id: fixtureId('campaign', hex(107)) },
    indicator(108, { spec_version: '2.0' }),
    stixObject('campaign', hex(109), { created_by_ref: identityIdFor(member) }),
    stixObject('relationship', hex(110), {
      relationship_type: 'Indicates',
      source_ref: indicator(1).id,
      target_ref: fixtureId('marking-definition', hex(110)),
    }),
    indicator(111, {
      extensions: { 'extension-definition--0f5c2c7e-8d4b-4e7a-9b7e-5d3c2a1f0e9d': { kind: 'asn' } },
    }),
    indicator(112, { X: 1 }),
  ];
};

describe.each(backends)('hub ingest validation over HTTP, on %s', (dialect) => {
  const h = useSharingHub(dialect, { members: ['org-a', 'org-b'], maxPage: 1000 });
  const oracle = loadStixOracle(requiredStixSchemaDir());

  const headers = (m: string): Record<string, string> => ({
    authorization: `Bearer ${h.creds[m]!.apiKey}`,
    accept: TAXII_MEDIA,
  });
  async function post(m: string, objects: unknown[]): Promise<{ status: number; body: string }> {
    const res = await fetch(
      `${h.base}/api1/collections/${h.collection}/objects/`,
      signedPublish(h.creds[m]!.apiKey, objects, h.keys[m]!),
    );
    return { status: res.status, body: await res.text() };
  }
  async function statusOf(id: string): Promise<TaxiiStatus> {
    const res = await fetch(`${h.base}/api1/status/${id}/`, { headers: headers('org-a') });
    expect(res.status).toBe(200);
    return TaxiiStatus.parse(await res.json());
  }
  const storedRows = async (): Promise<{ object_id: string; version: string; body: string }[]> =>
    h.t.db.selectFrom('hub_objects').select(['object_id', 'version', 'body']).execute();
  async function servedObjects(): Promise<Obj[]> {
    const res = await fetch(
      `${h.base}/api1/collections/${h.collection}/objects/?match[version]=all&limit=1000`,
      {
        headers: headers('org-a'),
      },
    );
    return ((await res.json()) as { objects?: Obj[] }).objects ?? [];
  }

  it('stores only the valid objects of a mixed envelope and reports each invalid one, by id and version, with why', async () => {
    const valid = [1, 2, 3, 4, 5].map((i) => indicator(i));
    const invalid = invalidObjects('org-a');
    const objects = [valid[0], ...invalid.slice(0, 6), ...valid.slice(1), ...invalid.slice(6)];
    const before = (await storedRows()).length;
    const res = await post('org-a', objects);
    expect(res.status).toBe(202);
    const status = TaxiiStatus.parse(JSON.parse(res.body));

    expect(status).toMatchObject({
      status: 'complete',
      total_count: objects.length,
      success_count: valid.length,
      failure_count: invalid.length,
      pending_count: 0,
    });
    expect(status.failures!.map((f) => [f.id, f.version])).toEqual(invalid.map((o) => [o.id, o.modified]));
    for (const f of status.failures!) expect(f.message).toMatch(/^Not valid STIX 2\.1, not stored: /);
    expect(status.failures![0]!.message).toContain('pattern');
    expect(status.failures![3]!.message).toContain('severity');
    expect(status.successes!.map((s) => [s.id, s.version, s.message])).toEqual(
      valid.map((o) => [o.id, STIX_TIME, 'added']),
    );
    // The status resource is what the POST answered, and the counts are what was stored.
    expect(await statusOf(status.id)).toEqual(status);
    const rows = await storedRows();
    expect(rows.length - before).toBe(status.successes!.filter((s) => s.message === 'added').length);
    expect(rows.map((r) => r.object_id).sort()).toEqual(valid.map((o) => o.id).sort());

    // Everything the hub stored and serves is valid STIX 2.1 by the OASIS schemas.
    const served = await servedObjects();
    expect(served).toHaveLength(valid.length);
    const bundle = { type: 'bundle', id: 'bundle--6ba7b810-9dad-41d1-80b4-00c04fd430c8', objects: served };
    expect(oracle.validateBundle(bundle)).toEqual({ valid: true, errors: [] });
    // …and each invalid object really is invalid by the same oracle (the test data is honest),
    // except valid_until before valid_from: a STIX 2.1 MUST that no JSON schema can say.
    for (const o of invalid.filter((x) => x.spec_version === '2.1' && x.id !== indicator(106).id))
      expect(oracle.validateBundle({ ...bundle, objects: [o] }).valid, String(o.id)).toBe(false);
  });

  it('calls a re-sent version "already present" and a repeated copy in one envelope too, so "added" counts rows', async () => {
    const before = (await storedRows()).length;
    const again = TaxiiStatus.parse(
      JSON.parse((await post('org-a', [indicator(1), indicator(6), indicator(6)])).body),
    );
    expect(again.successes!.map((s) => [s.id, s.message])).toEqual([
      [indicator(1).id, 'already present'],
      [indicator(6).id, 'added'],
      [indicator(6).id, 'already present'],
    ]);
    expect(again).toMatchObject({ total_count: 3, success_count: 3, failure_count: 0 });
    expect((await storedRows()).length - before).toBe(1);
  });

  it('an envelope of 10 000 invalid objects gets a bounded status, stores nothing, and the hub keeps serving', async () => {
    const before = (await storedRows()).length;
    const objects = Array.from({ length: 10_000 }, (_, i) => {
      const { pattern: _p, ...o } = indicator(1000 + i, { [`x_${'q'.repeat(60)}`]: null });
      return o;
    });
    const res = await post('org-a', objects);
    expect(res.status).toBe(202);
    const status = TaxiiStatus.parse(JSON.parse(res.body));
    expect(status).toMatchObject({ total_count: 10_000, success_count: 0, failure_count: 10_000 });
    expect(status.failures).toHaveLength(10_000);
    expect(status.failures!.filter((f) => /not stored: /.test(f.message ?? ''))).toHaveLength(100);
    // Bytes per failure stay small whatever the objects carried: about the id, the version and a line.
    expect(res.body.length).toBeLessThan(10_000 * 250);
    expect((await storedRows()).length).toBe(before);
    // One over the limit is refused as a whole, before any object is looked at.
    const tooMany = await post('org-a', [...objects, indicator(99_999)]);
    expect(tooMany.status).toBe(413);
    expect(JSON.parse(tooMany.body)).toMatchObject({ error_code: 'TOO_MANY_OBJECTS' });
    // Still serving, and the audit chain holds.
    expect(await servedObjects()).toHaveLength(6);
    expect((await verifyHubAudit(h.t.db)).ok).toBe(true);
  });

  it('refuses each indicator whose STIX pattern is garbage or hostile, and stores its good siblings', async () => {
    const bad: [Obj, RegExp][] = [
      [indicator(201, { pattern: '[autonomous-system:number =~ 64500]' }), /unexpected character "~"/],
      [
        indicator(202, {
          pattern: `${'('.repeat(10_000)}[autonomous-system:number = 1]${')'.repeat(10_000)}`,
        }),
        /nested deeper than 64 /,
      ],
      [
        indicator(203, { pattern: `[autonomous-system:name = '${'a'.repeat(1024 * 1024)}']` }),
        /longer than 65536 characters/,
      ],
      [indicator(204, { pattern: 'autonomous-system:number = 64500' }), /expected an observation expression/],
      [indicator(205, { pattern: '[Autonomous_System:number = 64500]' }), /object type "Autonomous_System"/],
      // A regular expression that would hang a backtracking consumer, and paths STIX 2.1 does not define.
      [
        indicator(206, { pattern: "[autonomous-system:name MATCHES '^(a+)+$']" }),
        /MATCHES expression at character 33: nested quantifier at character 6: .* backtracks exponentially$/,
      ],
      [
        indicator(207, { pattern: '[autonomous-system:asn = 64500]' }),
        /"asn" at character 20 is not a property of autonomous-system objects/,
      ],
      [indicator(208, { pattern: "[indicator:name = 'x']" }), /"indicator" .* not a cyber-observable type/],
    ];
    const good = [210, 211, 212].map((i) => indicator(i));
    // Another pattern language is not judged by the STIX grammar.
    const sigma = indicator(213, { pattern_type: 'sigma', pattern: 'title: anything' });
    const objects = [
      good[0]!,
      bad[0]![0],
      bad[1]![0],
      good[1]!,
      bad[2]![0],
      bad[3]![0],
      sigma,
      bad[4]![0],
      good[2]!,
      bad[5]![0],
      bad[6]![0],
      bad[7]![0],
    ];
    const before = await storedRows();
    const res = await post('org-a', objects);
    expect(res.status).toBe(202);
    const status = TaxiiStatus.parse(JSON.parse(res.body));
    expect(status).toMatchObject({ total_count: 12, success_count: 4, failure_count: 8 });
    expect(status.failures!.map((f) => f.id)).toEqual(bad.map(([o]) => o.id));
    status.failures!.forEach((f, i) => {
      expect(f.message).toMatch(
        /^Not valid STIX 2\.1, not stored: pattern: not a STIX 2\.1 pattern \(INVALID_STIX_PATTERN\): /,
      );
      expect(f.message).toMatch(bad[i]![1]);
      expect(f.message!.length).toBeLessThan(300);
    });
    expect(status.successes!.map((s) => [s.id, s.message])).toEqual(
      [good[0]!, good[1]!, sigma, good[2]!].map((o) => [o.id, 'added']),
    );
    const added = (await storedRows()).filter((r) => !before.some((b) => b.object_id === r.object_id));
    expect(added.map((r) => r.object_id).sort()).toEqual([...good, sigma].map((o) => o.id).sort());
  });

  it('an envelope without ids, or not a list, is a 400 that names the problem', async () => {
    for (const bad of [[{ type: 'indicator' }], ['text'], [{ id: 'x'.repeat(300) }]]) {
      const res = await post('org-a', bad);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ error_code: 'MALFORMED_ENVELOPE' });
    }
  });
});
