import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyHubAudit } from '../src/store/index.js';
import { ReceivedIntel, TaxiiClient } from '../src/intel/index.js';
import { UserError } from '../src/contracts/index.js';
import { storeTestBackends } from './store-harness.js';
import { asnIndicator, useSharingHub } from './hub-harness.js';

const backends = await storeTestBackends();

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e instanceof UserError ? e.code : `unexpected: ${String(e)}`;
  }
}

describe.each(backends)('hub over HTTP with the TAXII client, on %s', (dialect) => {
  // org-x is a member outside the group.
  const h = useSharingHub(dialect, {
    members: ['org-a', 'org-b', 'org-x'],
    groupMembers: ['org-a', 'org-b'],
    maxPage: 4,
  });
  const stateDir = mkdtempSync(path.join(tmpdir(), 'dg-hub-http-'));
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('publishes signed objects and pulls them in pages, resuming from the cursor', async () => {
    const a = new TaxiiClient(h.apiRoot, { apiKey: h.creds['org-a']!.apiKey });
    const status = await a.push(
      h.collection,
      [1, 2, 3, 4, 5, 6].map((i) => asnIndicator(i)),
      h.keys['org-a']!,
    );
    expect(status).toMatchObject({ status: 'complete', success_count: 6 });
    const b = new TaxiiClient(h.apiRoot, { user: 'org-b', password: h.creds['org-b']!.password });
    expect((await b.collections()).map((c) => c.id)).toEqual([h.collection]);
    const got = ReceivedIntel.open(stateDir);
    expect(await got.pull(b, h.collection)).toEqual({ received: 6, pages: 2 });
    await a.push(
      h.collection,
      [asnIndicator(7), asnIndicator(1, { modified: '2026-11-22T00:00:00.000Z' })],
      h.keys['org-a']!,
    );
    const again = ReceivedIntel.open(stateDir);
    expect(await again.pull(b, h.collection)).toEqual({ received: 2, pages: 1 });
    expect(again.objects()).toHaveLength(7);
    expect(again.objects().find((o) => o.id === asnIndicator(1).id)!.modified).toBe(
      '2026-11-22T00:00:00.000Z',
    );
  });

  it('turns refusals into clear user errors and stores nothing', async () => {
    const before = await h.t.db
      .selectFrom('hub_objects')
      .select((e) => e.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    const a = new TaxiiClient(h.apiRoot, { apiKey: h.creds['org-a']!.apiKey });
    expect(await codeOf(a.push(h.collection, [asnIndicator(20)], h.keys['org-b']!))).toBe('BAD_SIGNATURE');
    expect(
      await codeOf(a.push(h.collection, [asnIndicator(21, { x_revenue_usd: 1 })], h.keys['org-a']!)),
    ).toBe('POLICY_REFUSED');
    expect(await codeOf(new TaxiiClient(h.apiRoot, { apiKey: 'dgh_nope' }).page(h.collection))).toBe(
      'UNAUTHENTICATED',
    );
    const x = new TaxiiClient(h.apiRoot, { apiKey: h.creds['org-x']!.apiKey });
    // A collection without a grant answers like one that does not exist.
    expect(await codeOf(x.page(h.collection))).toBe('NOT_FOUND');
    expect(await codeOf(x.push(h.collection, [asnIndicator(22)], h.keys['org-x']!))).toBe('NOT_FOUND');
    expect(
      await codeOf(new TaxiiClient('http://127.0.0.1:9/api1/', { apiKey: 'k' }).page(h.collection)),
    ).toBe('UPSTREAM_UNAVAILABLE');
    const after = await h.t.db
      .selectFrom('hub_objects')
      .select((e) => e.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    expect((await verifyHubAudit(h.t.db)).ok).toBe(true);
  });
});
