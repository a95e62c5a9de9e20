import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import {
  admitMember,
  createHubServer,
  grantGroup,
  joinGroup,
  revokeMemberCredentials,
  setMemberPassword,
} from '../src/hub/index.js';
import { TAXII_MEDIA } from '../src/contracts/index.js';
import {
  atlasAttackPattern,
  identityIdFor,
  TLP_IDS,
  tlpMarkingDefinition,
  type MemberSigningKey,
} from '../src/intel/index.js';
import { revokeCollectionGrant, type HubDatabase } from '../src/store/index.js';
import { storeTestBackends, type TestDatabase } from './store-harness.js';
import { openHubStore, signedPublish } from './hub-harness.js';
import { stixObject } from './stix-fixtures.js';

// Attacks on the sharing hub by its own members: competing labs that share one TAXII server.
const backends = await storeTestBackends();

const campaign = (n: number, extra: Record<string, unknown> = {}) =>
  stixObject('campaign', n, { name: `Campaign ${n}`, ...extra });

interface Status {
  status: string;
  total_count: number;
  success_count: number;
  failure_count: number;
  successes?: { id: string; message?: string }[];
  failures?: { id: string; message?: string }[];
}

const RW = { read: true, write: true };

describe.each(backends)('hub under attack by its own members, on %s', (dialect) => {
  let t: TestDatabase<HubDatabase>;
  let db: Kysely<HubDatabase>;
  let app: FastifyInstance;
  const keys: Record<string, MemberSigningKey> = {};
  const creds: Record<string, { apiKey: string; password: string }> = {};
  let shared: string; // read+write for org-a and org-b
  let other: string; // read+write for org-a and org-b, a second collection
  let inner: string; // org-a and org-b only (group inner), later also read by org-c's group
  let privateOfA: string; // org-a only

  beforeAll(async () => {
    const h = await openHubStore(dialect, {
      members: ['org-a', 'org-b', 'org-c'],
      password: (m) => `pw-${m}`,
      groups: {
        isac: { members: ['org-a', 'org-b'] },
        inner: { members: ['org-a', 'org-b'] },
        outer: { members: ['org-c'] },
        'solo-a': { members: ['org-a'] },
      },
      collections: {
        shared: { title: 'shared', grants: { isac: RW } },
        other: { title: 'other', grants: { isac: RW } },
        inner: { title: 'inner', grants: { inner: RW } },
        privateOfA: { title: 'private to org-a', grants: { 'solo-a': RW } },
      },
    });
    ({ t, db } = h);
    Object.assign(keys, h.keys);
    Object.assign(creds, h.creds);
    ({ shared, other, inner, privateOfA } = h.collections);
    app = createHubServer({ db });
  });
  afterAll(async () => {
    await app.close();
    await t.dispose();
  });

  const bearer = (m: string) => ({ authorization: `Bearer ${creds[m]!.apiKey}`, accept: TAXII_MEDIA });
  const basic = (user: string, password: string) => ({
    authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
    accept: TAXII_MEDIA,
  });
  const post = (m: string, cid: string, objects: unknown[]) =>
    app.inject({
      url: `/api1/collections/${cid}/objects/`,
      ...signedPublish(creds[m]!.apiKey, objects, keys[m]!),
    });
  const latest = async (m: string, cid: string, oid: string) =>
    app.inject({ url: `/api1/collections/${cid}/objects/${oid}/`, headers: bearer(m) });

  describe('object ownership (only the first publisher of an id adds versions)', () => {
    it('refuses a newer version of another member’s campaign in the same collection with a TAXII 403, and the owner keeps control', async () => {
      const mine = campaign(1, { created_by_ref: identityIdFor('org-a') });
      expect((await post('org-a', shared, [mine])).statusCode).toBe(202);
      const hijack = {
        ...mine,
        created_by_ref: undefined,
        modified: '2026-11-25T00:00:00.000Z',
        name: 'Nothing to see',
      };
      delete (hijack as Record<string, unknown>).created_by_ref;
      const r = await post('org-b', shared, [hijack]);
      expect(r.statusCode).toBe(403);
      expect(r.headers['content-type']).toBe(TAXII_MEDIA);
      expect(r.json()).toMatchObject({
        http_status: '403',
        error_code: 'NOT_OWNER',
        details: { objects: [mine.id] },
      });
      expect(r.json()).toHaveProperty('error_id');
      // org-a still reads its own content, not org-b's, and can still delete its object.
      const read = await latest('org-a', shared, mine.id);
      expect(read.json<{ objects: { name: string }[] }>().objects[0]!.name).toBe('Campaign 1');
      const versions = await app.inject({
        url: `/api1/collections/${shared}/objects/${mine.id}/versions/`,
        headers: bearer('org-a'),
      });
      expect(versions.json()).toEqual({ more: false, versions: ['2026-11-20T00:00:00.000Z'] });
      const del = await app.inject({
        method: 'DELETE',
        url: `/api1/collections/${shared}/objects/${mine.id}/`,
        headers: bearer('org-a'),
      });
      expect(del.statusCode).toBe(200);
    });

    it('refuses the same version with other content too (no silent "already present")', async () => {
      const mine = campaign(2);
      expect((await post('org-a', shared, [mine])).statusCode).toBe(202);
      const r = await post('org-b', shared, [{ ...mine, name: 'Same version, other words' }]);
      expect(r.statusCode).toBe(403);
      expect(r.json()).toMatchObject({ error_code: 'NOT_OWNER' });
      const read = await latest('org-b', shared, mine.id);
      expect(read.json<{ objects: { name: string }[] }>().objects[0]!.name).toBe('Campaign 2');
      // Two versions of the same foreign id are still nothing of the poster's own.
      const twice = await post('org-b', shared, [
        { ...mine, modified: '2026-11-22T00:00:00.000Z' },
        { ...mine, modified: '2026-11-23T00:00:00.000Z' },
      ]);
      expect(twice.statusCode).toBe(403);
    });

    it('refuses to let an id first published in one collection be hijacked in another', async () => {
      const mine = campaign(3);
      expect((await post('org-a', shared, [mine])).statusCode).toBe(202);
      const r = await post('org-b', other, [{ ...mine, modified: '2026-11-26T00:00:00.000Z', name: 'Fake' }]);
      expect(r.statusCode).toBe(403);
      expect(r.json()).toMatchObject({ error_code: 'NOT_OWNER' });
      const inOther = await latest('org-a', other, mine.id);
      expect(inOther.statusCode).toBe(404);
      // Even an id published where the attacker cannot read it is protected.
      const secret = campaign(4);
      expect((await post('org-a', privateOfA, [secret])).statusCode).toBe(202);
      const blind = await post('org-b', other, [{ ...secret, name: 'Claimed' }]);
      expect(blind.statusCode).toBe(403);
      // The owner itself may publish its id in another collection and add versions there.
      expect(
        (await post('org-a', other, [{ ...mine, modified: '2026-11-27T00:00:00.000Z' }])).statusCode,
      ).toBe(202);
    });

    it('stores a mixed bundle’s own objects and reports each foreign one as a failure in the status resource', async () => {
      const theirs = campaign(5);
      expect((await post('org-a', shared, [theirs])).statusCode).toBe(202);
      const own = campaign(6);
      const r = await post('org-b', shared, [own, { ...theirs, modified: '2026-11-28T00:00:00.000Z' }]);
      expect(r.statusCode).toBe(202);
      const status = r.json<Status & { id: string }>();
      expect(status).toMatchObject({
        status: 'complete',
        total_count: 2,
        success_count: 1,
        failure_count: 1,
      });
      expect(status.successes?.map((s) => s.id)).toEqual([own.id]);
      expect(status.failures?.map((f) => f.id)).toEqual([theirs.id]);
      expect(status.failures?.[0]?.message).toMatch(/another member/);
      const again = await app.inject({ url: `/api1/status/${status.id}/`, headers: bearer('org-b') });
      expect(again.json<Status>().failures?.[0]?.id).toBe(theirs.id);
      expect((await latest('org-b', shared, own.id)).statusCode).toBe(200);
      const read = await latest('org-a', shared, theirs.id);
      expect(read.json<{ objects: { modified: string }[] }>().objects[0]!.modified).toBe(
        '2026-11-20T00:00:00.000Z',
      );
    });

    it('refuses objects whose created_by_ref is another identity, and another member’s identity object', async () => {
      const r = await post('org-b', shared, [campaign(7, { created_by_ref: identityIdFor('org-a') })]);
      expect(r.statusCode).toBe(403);
      expect(r.json()).toMatchObject({ error_code: 'NOT_OWNER' });
      const impersonation = stixObject('identity', 0, {
        id: identityIdFor('org-c'),
        name: 'org-c',
        identity_class: 'organization',
      });
      expect((await post('org-b', shared, [impersonation])).statusCode).toBe(403);
      // Its own identity and objects naming it are fine.
      const self = { ...impersonation, id: identityIdFor('org-b'), name: 'org-b' };
      expect(
        (await post('org-b', shared, [self, campaign(8, { created_by_ref: identityIdFor('org-b') })]))
          .statusCode,
      ).toBe(202);
      expect((await latest('org-a', shared, campaign(7).id)).statusCode).toBe(404);
    });

    it('lets every member carry the official TLP marking definitions, but nobody alter them', async () => {
      const amber = tlpMarkingDefinition('amber');
      const technique = atlasAttackPattern('AML.T0024.002');
      expect((await post('org-a', shared, [amber, technique])).statusCode).toBe(202);
      const b = await post('org-b', other, [amber, technique, campaign(9)]);
      expect(b.json<Status>()).toMatchObject({ success_count: 3, failure_count: 0 });
      expect((await post('org-b', shared, [amber, technique])).json<Status>()).toMatchObject({
        success_count: 2,
        failure_count: 0,
      });
      const altered = await post('org-b', shared, [{ ...amber, name: 'TLP:CLEAR' }]);
      expect(altered.statusCode).toBe(403);
      await grantGroup(db, other, 'outer', { read: true, write: true });
      const rewrittenHere = await post('org-c', other, [
        { ...technique, modified: '2026-12-01T00:00:00.000Z', description: 'harmless' },
      ]);
      expect(rewrittenHere.statusCode).toBe(403);
      await revokeCollectionGrant(db, other, 'outer');
    });

    it('gives a new id to exactly one of two members racing to publish it first', async () => {
      const contested = campaign(10);
      const [a, b] = await Promise.all([
        post('org-a', shared, [{ ...contested, name: 'from a' }]),
        post('org-b', other, [{ ...contested, name: 'from b' }]),
      ]);
      expect([a.statusCode, b.statusCode].sort()).toEqual([202, 403]);
      const owners = await db
        .selectFrom('hub_objects')
        .select('publisher')
        .where('object_id', '=', contested.id)
        .distinct()
        .execute();
      expect(owners).toHaveLength(1);
    });
  });

  describe('what readers outside a group or collection can learn', () => {
    it('sighting-counts never reveals the id of a TLP:RED object the reader cannot read', async () => {
      const red = campaign(20, { object_marking_refs: [TLP_IDS.red] });
      const green = campaign(21, { object_marking_refs: [TLP_IDS.green] });
      expect((await post('org-a', inner, [red, green])).statusCode).toBe(202);
      const sighting = (n: number, of: string) =>
        stixObject('sighting', n, { sighting_of_ref: of, count: 3 }, '2026-11-21T00:00:00.000Z');
      expect((await post('org-b', inner, [sighting(1, red.id), sighting(2, green.id)])).statusCode).toBe(202);
      // The operator later lets org-c's group read the collection: RED stays inside group inner.
      await grantGroup(db, inner, 'outer', { read: true, write: false });
      const forC = await app.inject({
        url: `/api1/collections/${inner}/distillguard/sighting-counts/`,
        headers: bearer('org-c'),
      });
      expect(forC.statusCode).toBe(200);
      expect(JSON.stringify(forC.json())).not.toContain(red.id);
      expect(forC.json()).toEqual({ counts: [{ sighting_of_ref: green.id, members: 1 }] });
      // Nor does posting a sighting tell a member outside the group that a RED id exists: a
      // sighting of it is answered like a sighting of an id the hub has never seen.
      await grantGroup(db, inner, 'outer', { read: true, write: true });
      const probe = await post('org-c', inner, [sighting(3, red.id), sighting(4, campaign(99).id)]);
      expect(probe.statusCode).toBe(202);
      const messages = probe.json<Status>().successes!.map((s) => s.message);
      expect(messages[0]).toBe(messages[1]);
      await grantGroup(db, inner, 'outer', { read: true, write: false });
      const forA = await app.inject({
        url: `/api1/collections/${inner}/distillguard/sighting-counts/`,
        headers: bearer('org-a'),
      });
      expect(
        forA.json<{ counts: { sighting_of_ref: string }[] }>().counts.map((c) => c.sighting_of_ref),
      ).toEqual([red.id, green.id].sort());
    });

    it('answers a collection the member may not use exactly like one that does not exist (404)', async () => {
      const unknown = '3f1c0b7e-0000-4000-8000-000000000000';
      const routes = (cid: string) => [
        { method: 'GET' as const, url: `/api1/collections/${cid}/` },
        { method: 'GET' as const, url: `/api1/collections/${cid}/objects/` },
        { method: 'GET' as const, url: `/api1/collections/${cid}/manifest/` },
        { method: 'GET' as const, url: `/api1/collections/${cid}/objects/${campaign(4).id}/` },
        { method: 'GET' as const, url: `/api1/collections/${cid}/distillguard/sighting-counts/` },
        { method: 'DELETE' as const, url: `/api1/collections/${cid}/objects/${campaign(4).id}/` },
      ];
      const shape = (body: Record<string, unknown>, cid: string) => ({
        ...body,
        error_id: 'x',
        description: String(body.description).replaceAll(cid, '<id>'),
      });
      for (const [i, forbidden] of routes(privateOfA).entries()) {
        const missing = routes(unknown)[i]!;
        const f = await app.inject({ ...forbidden, headers: bearer('org-c') });
        const m = await app.inject({ ...missing, headers: bearer('org-c') });
        expect(f.statusCode, forbidden.url).toBe(404);
        expect(m.statusCode).toBe(404);
        expect(f.headers['content-type']).toBe(TAXII_MEDIA);
        expect(shape(f.json(), privateOfA)).toEqual(shape(m.json(), unknown));
      }
      const posted = await post('org-c', privateOfA, [campaign(30)]);
      const postedMissing = await post('org-c', unknown, [campaign(30)]);
      expect(posted.statusCode).toBe(404);
      expect(shape(posted.json(), privateOfA)).toEqual(shape(postedMissing.json(), unknown));
      // A member that can see the collection but not write it still learns it is forbidden.
      await grantGroup(db, privateOfA, 'outer', { read: true, write: false });
      const readOnly = await post('org-c', privateOfA, [campaign(31)]);
      expect(readOnly.statusCode).toBe(403);
      expect(readOnly.json()).toMatchObject({ error_code: 'FORBIDDEN', http_status: '403' });
    });
  });

  describe('authentication cost and credential life', () => {
    it('accepts the OASIS client’s `Authorization: Token <api key>` like Bearer', async () => {
      const r = await app.inject({
        url: `/api1/collections/`,
        headers: { authorization: `Token ${creds['org-a']!.apiKey}`, accept: TAXII_MEDIA },
      });
      expect(r.statusCode).toBe(200);
      expect(r.json<{ collections: { id: string }[] }>().collections.map((c) => c.id)).toContain(shared);
      const bad = await app.inject({
        url: `/api1/collections/`,
        headers: { authorization: 'Token dgh_not-a-key', accept: TAXII_MEDIA },
      });
      expect(bad.statusCode).toBe(401);
    });

    it('verifies a Basic password once and then serves it from the cache', async () => {
      const hub = createHubServer({ db });
      try {
        for (let i = 0; i < 20; i++) {
          const r = await hub.inject({
            url: `/api1/collections/${shared}/objects/`,
            headers: basic('org-b', 'pw-org-b'),
          });
          expect(r.statusCode).toBe(200);
        }
        expect(hub.hubAuth.passwordVerifications()).toBe(1);
        // A wrong password right after never rides on the cached success.
        expect(
          (await hub.inject({ url: '/api1/collections/', headers: basic('org-b', 'pw-org-b ') })).statusCode,
        ).toBe(401);
        expect(
          (await hub.inject({ url: '/api1/collections/', headers: basic('org-a', 'pw-org-b') })).statusCode,
        ).toBe(401);
        // The same wrong password again is answered without another scrypt.
        const before = hub.hubAuth.passwordVerifications();
        expect(
          (await hub.inject({ url: '/api1/collections/', headers: basic('org-b', 'pw-org-b ') })).statusCode,
        ).toBe(401);
        expect(hub.hubAuth.passwordVerifications()).toBe(before);
        expect(hub.hubAuth.cachedCredentials()).toBeLessThanOrEqual(3);
      } finally {
        await hub.close();
      }
    });

    it('stops a cached password at once when the operator changes or revokes it', async () => {
      const m = await admitMember(db, 'org-d', { password: 'first-secret' });
      await joinGroup(db, 'isac', 'org-d');
      const url = `/api1/collections/${shared}/objects/`;
      expect((await app.inject({ url, headers: basic('org-d', 'first-secret') })).statusCode).toBe(200);
      expect((await app.inject({ url, headers: basic('org-d', 'first-secret') })).statusCode).toBe(200);
      await setMemberPassword(db, 'org-d', 'second-secret');
      expect((await app.inject({ url, headers: basic('org-d', 'first-secret') })).statusCode).toBe(401);
      expect((await app.inject({ url, headers: basic('org-d', 'second-secret') })).statusCode).toBe(200);
      expect((await app.inject({ url, headers: { authorization: `Token ${m.apiKey}` } })).statusCode).toBe(
        200,
      );
      await revokeMemberCredentials(db, 'org-d');
      expect((await app.inject({ url, headers: basic('org-d', 'second-secret') })).statusCode).toBe(401);
      expect((await app.inject({ url, headers: { authorization: `Token ${m.apiKey}` } })).statusCode).toBe(
        401,
      );
      expect((await app.inject({ url, headers: { authorization: `Bearer ${m.apiKey}` } })).statusCode).toBe(
        401,
      );
    });

    it('throttles a burst of wrong passwords from one client without locking out cached or API-key users', async () => {
      const hub = createHubServer({ db, authFailuresPerMinute: 5 });
      try {
        const url = '/api1/collections/';
        // A member logged in before the attack keeps working.
        expect((await hub.inject({ url, headers: basic('org-a', 'pw-org-a') })).statusCode).toBe(200);
        const codes: number[] = [];
        for (let i = 0; i < 30; i++)
          codes.push((await hub.inject({ url, headers: basic('org-a', `guess-${i}`) })).statusCode);
        expect(codes.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
        expect(codes.slice(5).every((c) => c === 429)).toBe(true);
        expect(hub.hubAuth.passwordVerifications()).toBeLessThanOrEqual(6);
        const throttled = await hub.inject({ url, headers: basic('org-b', 'pw-org-b') });
        expect(throttled.statusCode).toBe(429);
        expect(throttled.headers['retry-after']).toMatch(/^\d+$/);
        expect(throttled.json()).toMatchObject({ error_code: 'TOO_MANY_AUTH_FAILURES', http_status: '429' });
        expect((await hub.inject({ url, headers: basic('org-a', 'pw-org-a') })).statusCode).toBe(200);
        expect((await hub.inject({ url, headers: bearer('org-b') })).statusCode).toBe(200);
      } finally {
        await hub.close();
      }
    });
  });
});
