import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { verifyHubAudit } from '../src/store/index.js';
import { ReceivedIntel, TaxiiClient, type MemberSigningKey } from '../src/intel/index.js';
import { UserError, type StixObject } from '../src/contracts/index.js';
import type { HubDatabase } from '../src/store/index.js';
import { storeTestBackends, type TestDatabase } from './store-harness.js';
import { openSharingHub } from './hub-harness.js';

const backends = await storeTestBackends();

const indicator = (i: number, extra: Record<string, unknown> = {}): StixObject => ({
  type: 'indicator',
  spec_version: '2.1',
  id: `indicator--00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  created: '2026-11-20T00:00:00.000Z',
  modified: '2026-11-20T00:00:00.000Z',
  pattern: `[autonomous-system:number = ${64500 + i}]`,
  pattern_type: 'stix',
  valid_from: '2026-11-20T00:00:00.000Z',
  ...extra,
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e instanceof UserError ? e.code : `unexpected: ${String(e)}`;
  }
}

describe.each(backends)('hub over HTTP with the TAXII client, on %s', (dialect) => {
  let t: TestDatabase<HubDatabase>;
  let hub: FastifyInstance;
  let root: string;
  let collection: string;
  const keys: Record<string, MemberSigningKey> = {};
  const creds: Record<string, { apiKey: string; password: string }> = {};
  const stateDir = mkdtempSync(path.join(tmpdir(), 'dg-hub-http-'));

  beforeAll(async () => {
    // org-x is a member outside the group.
    const h = await openSharingHub(dialect, {
      members: ['org-a', 'org-b', 'org-x'],
      groupMembers: ['org-a', 'org-b'],
      maxPage: 4,
    });
    ({ t, hub, collection } = h);
    Object.assign(keys, h.keys);
    Object.assign(creds, h.creds);
    root = h.apiRoot;
  });
  afterAll(async () => {
    await hub.close();
    await t.dispose();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('publishes signed objects and pulls them in pages, resuming from the cursor', async () => {
    const a = new TaxiiClient(root, { apiKey: creds['org-a']!.apiKey });
    const status = await a.push(
      collection,
      [1, 2, 3, 4, 5, 6].map((i) => indicator(i)),
      keys['org-a']!,
    );
    expect(status).toMatchObject({ status: 'complete', success_count: 6 });
    const b = new TaxiiClient(root, { user: 'org-b', password: creds['org-b']!.password });
    expect((await b.collections()).map((c) => c.id)).toEqual([collection]);
    const got = ReceivedIntel.open(stateDir);
    expect(await got.pull(b, collection)).toEqual({ received: 6, pages: 2 });
    await a.push(
      collection,
      [indicator(7), indicator(1, { modified: '2026-11-22T00:00:00.000Z' })],
      keys['org-a']!,
    );
    const again = ReceivedIntel.open(stateDir);
    expect(await again.pull(b, collection)).toEqual({ received: 2, pages: 1 });
    expect(again.objects()).toHaveLength(7);
    expect(again.objects().find((o) => o.id === indicator(1).id)!.modified).toBe('2026-11-22T00:00:00.000Z');
  });

  it('turns refusals into clear user errors and stores nothing', async () => {
    const before = await t.db
      .selectFrom('hub_objects')
      .select((e) => e.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    const a = new TaxiiClient(root, { apiKey: creds['org-a']!.apiKey });
    expect(await codeOf(a.push(collection, [indicator(20)], keys['org-b']!))).toBe('BAD_SIGNATURE');
    expect(await codeOf(a.push(collection, [indicator(21, { x_revenue_usd: 1 })], keys['org-a']!))).toBe(
      'POLICY_REFUSED',
    );
    expect(await codeOf(new TaxiiClient(root, { apiKey: 'dgh_nope' }).page(collection))).toBe(
      'UNAUTHENTICATED',
    );
    const x = new TaxiiClient(root, { apiKey: creds['org-x']!.apiKey });
    // A collection without a grant answers like one that does not exist.
    expect(await codeOf(x.page(collection))).toBe('NOT_FOUND');
    expect(await codeOf(x.push(collection, [indicator(22)], keys['org-x']!))).toBe('NOT_FOUND');
    expect(await codeOf(new TaxiiClient('http://127.0.0.1:9/api1/', { apiKey: 'k' }).page(collection))).toBe(
      'UPSTREAM_UNAVAILABLE',
    );
    const after = await t.db
      .selectFrom('hub_objects')
      .select((e) => e.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    expect((await verifyHubAudit(t.db)).ok).toBe(true);
  });
});
