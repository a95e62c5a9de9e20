import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { TLP_IDS, type MemberSigningKey } from '../intel/index.js';
import { openDatabase, revokeCollectionGrant, type HubDatabase } from '../store/index.js';
import { storeTestBackends, type TestDatabase } from '../../test/store-harness.js';
import { asnIndicator, openHubStore, signedPublish } from '../../test/hub-harness.js';
import { stixObject } from '../../test/stix-fixtures.js';
import { grantGroup } from './hub-admin.js';
import { createHubServer } from './hub-server.js';
import { TAXII_MEDIA } from '../contracts/index.js';
import { verifyHubAudit } from '../store/index.js';

const backends = await storeTestBackends();

describe.each(backends)('TAXII 2.1 hub on %s', (dialect) => {
  let t: TestDatabase<HubDatabase>;
  let db: Kysely<HubDatabase>;
  let app: FastifyInstance;
  const keys: Record<string, MemberSigningKey> = {};
  const apiKeys: Record<string, string> = {};
  let shared: string;
  let inner: string;

  beforeAll(async () => {
    const h = await openHubStore(dialect, {
      members: ['org-a', 'org-b', 'org-c'],
      password: (m) => `pw-${m}`,
      groups: {
        'llm-isac': { members: ['org-a', 'org-b'] },
        inner: { members: ['org-a'], membersVisible: true },
      },
      collections: {
        shared: { title: 'Distillation campaigns', grants: { 'llm-isac': { read: true, write: true } } },
        inner: { title: 'Inner circle', grants: { inner: { read: true, write: true } } },
      },
    });
    ({ t, db } = h);
    Object.assign(keys, h.keys);
    for (const [m, c] of Object.entries(h.creds)) apiKeys[m] = c.apiKey;
    ({ shared, inner } = h.collections);
    app = createHubServer({ db, maxPage: 50 });
  });
  afterAll(async () => {
    await app.close();
    await t.dispose();
  });

  const auth = (m: string) => ({ authorization: `Bearer ${apiKeys[m]}`, accept: TAXII_MEDIA });
  const post = (m: string, cid: string, objects: unknown[], signer = keys[m]!) =>
    app.inject({ url: `/api1/collections/${cid}/objects/`, ...signedPublish(apiKeys[m]!, objects, signer) });
  const count = async (cid: string) =>
    (
      await db
        .selectFrom('hub_objects')
        .select((e) => e.fn.countAll().as('n'))
        .where('collection_id', '=', cid)
        .executeTakeFirstOrThrow()
    ).n;

  it('serves discovery, the API root and the collections a member may see', async () => {
    const d = await app.inject({ url: '/taxii2/', headers: auth('org-a') });
    expect(d.statusCode).toBe(200);
    expect(d.headers['content-type']).toBe(TAXII_MEDIA);
    expect(d.json()).toMatchObject({ api_roots: [expect.stringMatching(/\/api1\/$/)] });
    expect((await app.inject({ url: '/api1/', headers: auth('org-a') })).json()).toMatchObject({
      versions: [TAXII_MEDIA],
    });
    const cols = (await app.inject({ url: '/api1/collections/', headers: auth('org-b') })).json<{
      collections: { id: string }[];
    }>();
    expect(cols.collections.map((c) => c.id)).toEqual([shared]);
  });

  it('answers missing or wrong credentials with explicit 401 bodies, never an empty list', async () => {
    const none = await app.inject({
      url: `/api1/collections/${shared}/objects/`,
      headers: { accept: TAXII_MEDIA },
    });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic/);
    expect(none.json()).toMatchObject({
      title: 'Unauthenticated',
      http_status: '401',
      error_code: 'UNAUTHENTICATED',
    });
    const bad = await app.inject({
      url: `/api1/collections/${shared}/objects/`,
      headers: { authorization: `Basic ${Buffer.from('org-a:wrong').toString('base64')}` },
    });
    expect(bad.statusCode).toBe(401);
    const good = await app.inject({
      url: `/api1/collections/${shared}/objects/`,
      headers: { authorization: `Basic ${Buffer.from('org-a:pw-org-a').toString('base64')}` },
    });
    expect(good.statusCode).toBe(200);
  });

  it('refuses unauthorised reads and writes as if the collection did not exist, and stores nothing', async () => {
    const r = await app.inject({ url: `/api1/collections/${shared}/objects/`, headers: auth('org-c') });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ error_code: 'NOT_FOUND', http_status: '404' });
    const w = await post('org-c', shared, [asnIndicator(1)]);
    expect(w.statusCode).toBe(404);
    expect(await count(shared)).toBe(0);
  });

  it('refuses bad signatures, malformed envelopes, commercial fields and wrong media types, storing nothing', async () => {
    const forged = await post('org-a', shared, [asnIndicator(1)], keys['org-b']);
    expect(forged.statusCode).toBe(403);
    expect(forged.json()).toMatchObject({ error_code: 'BAD_SIGNATURE' });
    // Signed over one indicator, sent with another.
    const tampered = await app.inject({
      url: `/api1/collections/${shared}/objects/`,
      ...signedPublish(apiKeys['org-a']!, [asnIndicator(1)], keys['org-a']!),
      body: JSON.stringify({ objects: [asnIndicator(2)] }),
    });
    expect(tampered.json()).toMatchObject({ error_code: 'BAD_SIGNATURE', title: 'Bad signature' });
    const unsigned = await app.inject({
      method: 'POST',
      url: `/api1/collections/${shared}/objects/`,
      headers: { ...auth('org-a'), 'content-type': TAXII_MEDIA },
      payload: JSON.stringify({ objects: [asnIndicator(1)] }),
    });
    expect(unsigned.json()).toMatchObject({ error_code: 'SIGNATURE_REQUIRED' });
    const malformed = await post('org-a', shared, [{ type: 'indicator' }]);
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ error_code: 'MALFORMED_ENVELOPE' });
    // An envelope whose objects all have ids is well formed: an invalid object is a failure in
    // the status resource (TAXII 2.1 §4.3), not a refusal of the envelope.
    const invalid = await post('org-a', shared, [{ type: 'indicator', id: 'not-an-id' }]);
    expect(invalid.statusCode).toBe(202);
    const invalidStatus = invalid.json<{
      success_count: number;
      failures: { id: string; message: string }[];
    }>();
    expect(invalidStatus.success_count).toBe(0);
    expect(invalidStatus.failures.map((f) => f.id)).toEqual(['not-an-id']);
    expect(invalidStatus.failures[0]!.message).toContain('Not valid STIX 2.1');
    const notJson = await app.inject({
      method: 'POST',
      url: `/api1/collections/${shared}/objects/`,
      headers: { ...auth('org-a'), 'content-type': TAXII_MEDIA },
      payload: '{"objects": [',
    });
    expect(notJson.statusCode).toBe(400);
    const commercial = await post('org-a', shared, [asnIndicator(1, { x_customer_list: ['BigCo'] })]);
    expect(commercial.statusCode).toBe(422);
    expect(commercial.json()).toMatchObject({
      error_code: 'POLICY_REFUSED',
      details: { fields: [expect.stringContaining('x_customer_list')] },
    });
    const media = await app.inject({
      method: 'POST',
      url: `/api1/collections/${shared}/objects/`,
      headers: { ...auth('org-a'), 'content-type': 'application/json' },
      payload: JSON.stringify({ objects: [asnIndicator(1)] }),
    });
    expect(media.statusCode).toBe(415);
    expect(
      (await app.inject({ url: '/api1/', headers: { ...auth('org-a'), accept: 'text/html' } })).statusCode,
    ).toBe(406);
    expect(await count(shared)).toBe(0);
  });

  it('refuses TLP:RED to a collection other groups read, and never shows RED outside the group', async () => {
    const red = asnIndicator(90, { object_marking_refs: [TLP_IDS.red] });
    // org-b is in llm-isac only; a collection also read by a group org-b is not in would leak.
    await grantGroup(db, shared, 'inner', { read: true, write: false });
    const leak = await post('org-b', shared, [red]);
    expect(leak.statusCode).toBe(422);
    expect(leak.json()).toMatchObject({ error_code: 'TLP_LEAK' });
    expect(await count(shared)).toBe(0);
    await revokeCollectionGrant(db, shared, 'inner');
    // In the inner collection only org-a's group reads; RED is accepted there.
    expect((await post('org-a', inner, [red])).statusCode).toBe(202);
    expect(
      (await app.inject({ url: `/api1/collections/${inner}/objects/`, headers: auth('org-b') })).statusCode,
    ).toBe(404);
    // Granting another group read later still never shows it RED objects published before.
    await grantGroup(db, inner, 'llm-isac', { read: true, write: false });
    const later = await app.inject({ url: `/api1/collections/${inner}/objects/`, headers: auth('org-b') });
    expect(later.statusCode).toBe(200);
    expect(JSON.stringify(later.json())).not.toContain(red.id);
    const own = await app.inject({ url: `/api1/collections/${inner}/objects/`, headers: auth('org-a') });
    expect(JSON.stringify(own.json())).toContain(red.id);
    await revokeCollectionGrant(db, inner, 'llm-isac');
  });

  it('stores a signed publish, pages with filters kept across next, and never loses or repeats objects', async () => {
    const objs = Array.from({ length: 12 }, (_, i) => asnIndicator(i + 1));
    const r = await post('org-a', shared, objs);
    expect(r.statusCode).toBe(202);
    expect(r.json()).toMatchObject({
      status: 'complete',
      total_count: 12,
      success_count: 12,
      failure_count: 0,
    });
    const status = await app.inject({
      url: `/api1/status/${r.json<{ id: string }>().id}/`,
      headers: auth('org-a'),
    });
    expect(status.json()).toMatchObject({ status: 'complete' });
    expect(
      (await post('org-a', shared, [{ ...objs[0]!, modified: '2026-11-21T00:00:00.000Z' }])).statusCode,
    ).toBe(202);

    const seen: string[] = [];
    let url = `/api1/collections/${shared}/objects/?match[type]=indicator&limit=5`;
    let firstHeader: string | undefined;
    for (let guard = 0; guard < 10; guard++) {
      const page = await app.inject({ url, headers: auth('org-b') });
      expect(page.statusCode).toBe(200);
      firstHeader ??= page.headers['x-taxii-date-added-first'] as string;
      const body = page.json<{
        more: boolean;
        next?: string;
        objects?: { id: string; modified: string }[];
      }>();
      seen.push(...(body.objects ?? []).map((o) => o.id));
      if (!body.more) break;
      url = `/api1/collections/${shared}/objects/?next=${body.next}&limit=5`;
    }
    expect(firstHeader).toMatch(/Z$/);
    expect(seen).toHaveLength(12);
    expect(new Set(seen).size).toBe(12);

    const changed = await app.inject({
      url: `/api1/collections/${shared}/objects/?next=${encodeURIComponent('x')}&match[type]=campaign`,
      headers: auth('org-b'),
    });
    expect(changed.statusCode).toBe(400);

    const byId = await app.inject({
      url: `/api1/collections/${shared}/objects/?match[id]=${objs[0]!.id}&match[version]=all`,
      headers: auth('org-b'),
    });
    expect(byId.json<{ objects: unknown[] }>().objects).toHaveLength(2);
    const versions = await app.inject({
      url: `/api1/collections/${shared}/objects/${objs[0]!.id}/versions/`,
      headers: auth('org-b'),
    });
    expect(versions.json()).toEqual({
      more: false,
      versions: ['2026-11-20T00:00:00.000Z', '2026-11-21T00:00:00.000Z'],
    });
    const one = await app.inject({
      url: `/api1/collections/${shared}/objects/${objs[0]!.id}/`,
      headers: auth('org-b'),
    });
    expect(one.json<{ objects: { modified: string }[] }>().objects[0]!.modified).toBe(
      '2026-11-21T00:00:00.000Z',
    );
    const manifest = await app.inject({
      url: `/api1/collections/${shared}/manifest/?limit=3`,
      headers: auth('org-b'),
    });
    expect(manifest.json()).toMatchObject({
      more: true,
      objects: [{ media_type: 'application/stix+json;version=2.1' }, {}, {}],
    });
    const later = await app.inject({
      url: `/api1/collections/${shared}/objects/?added_after=${encodeURIComponent(firstHeader!)}`,
      headers: auth('org-b'),
    });
    expect(later.json<{ objects: unknown[] }>().objects).toHaveLength(1);

    // org-b may not delete org-a's object; org-a may, and it is gone after.
    const objectStatus = async (method: 'GET' | 'DELETE', member: string): Promise<number> =>
      (
        await app.inject({
          method,
          url: `/api1/collections/${shared}/objects/${objs[1]!.id}/`,
          headers: auth(member),
        })
      ).statusCode;
    expect(await objectStatus('DELETE', 'org-b')).toBe(403);
    expect(await objectStatus('DELETE', 'org-a')).toBe(200);
    expect(await objectStatus('GET', 'org-a')).toBe(404);
  });

  it('records sightings of another member’s objects as counts, and keeps group member lists private unless allowed', async () => {
    const campaign = stixObject('campaign', 'c1', { name: 'Campaign' });
    expect((await post('org-a', shared, [campaign])).statusCode).toBe(202);
    const sighting = stixObject(
      'sighting',
      'd1',
      { sighting_of_ref: campaign.id, count: 40 },
      '2026-11-21T00:00:00.000Z',
    );
    expect((await post('org-b', shared, [sighting])).statusCode).toBe(202);
    const counts = await app.inject({ url: '/api1/distillguard/sightings/', headers: auth('org-a') });
    expect(counts.json()).toEqual({
      sightings: [{ sighting_of_ref: campaign.id, members: 1, sightings: 1, count: 40 }],
    });
    const readerCounts = await app.inject({
      url: `/api1/collections/${shared}/distillguard/sighting-counts/`,
      headers: auth('org-b'),
    });
    expect(readerCounts.json()).toEqual({ counts: [{ sighting_of_ref: campaign.id, members: 1 }] });
    expect(
      (
        await app.inject({
          url: `/api1/collections/${shared}/distillguard/sighting-counts/`,
          headers: auth('org-c'),
        })
      ).statusCode,
    ).toBe(404);
    const visible = await app.inject({
      url: `/api1/collections/${shared}/objects/?match[type]=sighting`,
      headers: auth('org-a'),
    });
    expect(JSON.stringify(visible.json())).not.toContain('org-b');
    expect(
      (await app.inject({ url: '/api1/distillguard/groups/llm-isac/members/', headers: auth('org-a') }))
        .statusCode,
    ).toBe(403);
    expect(
      (await app.inject({ url: '/api1/distillguard/groups/inner/members/', headers: auth('org-a') })).json(),
    ).toEqual({
      group: 'inner',
      members: ['org-a'],
    });
  });

  it('serves stored objects as published, in compact JSON envelopes, to concurrent readers each audited once', async () => {
    const objs = [
      asnIndicator(101, { name: 'quote " backslash \\ and unicode \u2028 é 🛰', labels: ['a', 'b'] }),
      asnIndicator(102, { confidence: 0, external_references: [{ source_name: 'x', url: 'https://e/' }] }),
    ];
    expect((await post('org-a', shared, objs)).statusCode).toBe(202);
    const reads = async () =>
      (await db.selectFrom('hub_audit').select('seq').where('action', '=', 'read').execute()).length;
    const before = await reads();
    const pages = await Promise.all(
      Array.from({ length: 8 }, () =>
        app.inject({
          url: `/api1/collections/${shared}/objects/?match[id]=${objs.map((o) => o.id).join(',')}&limit=1`,
          headers: auth('org-b'),
        }),
      ),
    );
    for (const page of pages) {
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toBe(TAXII_MEDIA);
      const body = page.json<{ more: boolean; next: string; objects: unknown[] }>();
      // Byte for byte what re-serialising the parsed envelope gives: compact, keys in order.
      expect(page.body).toBe(JSON.stringify(body));
      expect(Object.keys(body)).toEqual(['more', 'next', 'objects']);
      expect(body.objects).toEqual([objs[0]]);
    }
    const last = await app.inject({
      url: `/api1/collections/${shared}/objects/?next=${pages[0]!.json<{ next: string }>().next}&limit=1`,
      headers: auth('org-b'),
    });
    expect(last.body).toBe(JSON.stringify(last.json()));
    expect(last.json()).toEqual({ more: false, objects: [objs[1]] });
    const one = await app.inject({
      url: `/api1/collections/${shared}/objects/${objs[1]!.id}/`,
      headers: auth('org-b'),
    });
    expect(one.body).toBe(last.body);
    const none = await app.inject({
      url: `/api1/collections/${shared}/objects/?match[id]=indicator--00000000-0000-4000-8000-00000000ffff`,
      headers: auth('org-b'),
    });
    expect(none.body).toBe(JSON.stringify({ more: false }));
    expect(await reads()).toBe(before + 11);
    expect((await verifyHubAudit(db)).ok).toBe(true);
  });

  // Two hub processes share one PostgreSQL: their group commits contend for the chain's head.
  it.skipIf(dialect === 'sqlite')(
    'two hubs on one PostgreSQL serving concurrent readers: each read audited once, with what it returned, in one chain',
    async () => {
      const objs = Array.from({ length: 6 }, (_, i) => asnIndicator(201 + i));
      expect((await post('org-a', shared, objs)).statusCode).toBe(202);
      const otherDb = openDatabase<HubDatabase>({ url: t.url, schema: t.schema });
      const other = createHubServer({ db: otherDb, maxPage: 50 });
      try {
        const before = await db
          .selectFrom('hub_audit')
          .select('seq')
          .orderBy('seq', 'desc')
          .limit(1)
          .execute();
        const after = Number(before[0]?.seq ?? 0);
        const ids = objs.map((o) => o.id).join(',');
        const pages = await Promise.all(
          Array.from({ length: 24 }, (_, i) =>
            (i % 2 ? other : app).inject({
              url: `/api1/collections/${shared}/objects/?match[id]=${ids}&limit=${1 + (i % 6)}`,
              headers: auth(i % 3 ? 'org-b' : 'org-a'),
            }),
          ),
        );
        for (const page of pages) expect(page.statusCode).toBe(200);
        const entries = await db
          .selectFrom('hub_audit')
          .select(['actor', 'action', 'detail'])
          .where('seq', '>', after)
          .orderBy('seq')
          .execute();
        const got = entries
          .filter((e) => e.action === 'read')
          .map((e) => {
            const d = JSON.parse(e.detail) as { returned: number };
            return `${e.actor}:${d.returned}`;
          })
          .sort();
        const want = pages
          .map((p, i) => `${i % 3 ? 'org-b' : 'org-a'}:${p.json<{ objects: unknown[] }>().objects.length}`)
          .sort();
        expect(got).toEqual(want);
        expect((await verifyHubAudit(db)).ok).toBe(true);
      } finally {
        await other.close();
        await otherDb.destroy();
      }
    },
  );

  it('every publish and read is in an audit chain that verifies', async () => {
    const v = await verifyHubAudit(db);
    expect(v.ok).toBe(true);
    const actions = await db.selectFrom('hub_audit').select('action').distinct().execute();
    expect(actions.map((a) => a.action)).toEqual(
      expect.arrayContaining(['publish', 'read', 'publish.refused', 'auth.failed']),
    );
  });
});
