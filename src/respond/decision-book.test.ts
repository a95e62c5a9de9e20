import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Decision, type Findings } from '../contracts/index.js';
import { loadDecisionRows, saveDecisionChanges, type CoreDatabase } from '../store/index.js';
import { openCoreTestDatabase, type TestDatabase } from '../../test/store-harness.js';
import type { DecisionChange } from './account-decision.js';
import { DecisionBook } from './decision-book.js';
import { loadResponsePolicy } from './response-policy.js';
import { findingsOf } from '../../test/findings-fixture.js';

const withCluster = (level: 'none' | 'review' | 'act'): Findings =>
  findingsOf(
    {
      accounts: [
        { account_id: 'a', score: 0.1, level: 'none', events: 1, signals: [] },
        { account_id: 'b', score: 0.1, level: 'none', events: 1, signals: [] },
      ],
      clusters: [
        { cluster_id: 'c', account_ids: ['a', 'b'], score: 0.9, level, events: 2, links: [], signals: [] },
      ],
    },
    { events: 2, accounts: 2 },
    'x',
  );

describe('DecisionBook', () => {
  let t: TestDatabase<CoreDatabase>;
  beforeEach(async () => {
    t = await openCoreTestDatabase();
  });
  afterEach(async () => t.dispose());

  it('follows findings, reports material changes only, and survives a restart', async () => {
    const book = await DecisionBook.open(t.db, loadResponsePolicy());
    const seen: DecisionChange[] = [];
    book.onChange((c) => void seen.push(...c));
    expect(book.get('a')).toMatchObject({ action: 'allow', updated_at: null });

    await book.applyFindings(withCluster('act'), 1000);
    expect(book.get('a')).toMatchObject({ action: 'block', source: 'cluster', cluster_id: 'c', watch: true });
    expect(seen.map((c) => c.account_id).sort()).toEqual(['a', 'b']);

    seen.length = 0;
    const answered = book.get('a');
    await book.applyFindings(withCluster('act'), 2000);
    expect(seen).toEqual([]);
    expect(book.get('a').updated_at).toBe(new Date(1000).toISOString());
    // An unchanged decision keeps the answer it had (not rebuilt every scoring round) ...
    expect(book.get('a')).toBe(answered);
    // ... and a re-worded reason is taken in without counting as a change.
    const reworded = withCluster('act');
    reworded.clusters[0]!.score = 0.95;
    await book.applyFindings(reworded, 2500);
    expect(seen).toEqual([]);
    expect(book.get('a').reason).toContain('score 0.95');
    expect(book.get('a').updated_at).toBe(new Date(1000).toISOString());

    await book.applyFindings(withCluster('review'), 3000);
    expect(book.get('b')).toMatchObject({ action: 'throttle', rate_per_minute: 10 });
    expect(seen).toHaveLength(2);

    const reopened = await DecisionBook.open(t.db, loadResponsePolicy());
    expect(reopened.get('b')).toMatchObject({ action: 'throttle', source: 'cluster' });
    expect(reopened.list('throttle').map((d) => d.account_id)).toEqual(['a', 'b']);
    expect(reopened.get('a').watch).toBe(true);
    // The same findings after a restart change nothing, so nothing is re-announced.
    expect(await reopened.applyFindings(withCluster('review'), 3500)).toEqual([]);

    await book.applyFindings(withCluster('none'), 4000);
    expect(book.get('a').action).toBe('allow');
    expect((await DecisionBook.open(t.db, loadResponsePolicy())).list()).toEqual([]);
  });

  it('lets a manual decision override policy until it expires', async () => {
    const book = await DecisionBook.open(t.db, loadResponsePolicy());
    await book.applyFindings(withCluster('act'), 1000);
    await book.setManual(
      {
        account_ids: ['a'],
        action: 'allow',
        reason: 'known customer',
        scope: 'account',
        cluster_id: null,
        ttl_seconds: 60,
        actor: 'k1',
      },
      2000,
    );
    expect(book.get('a', 3000)).toMatchObject({
      action: 'allow',
      source: 'manual',
      reason: 'known customer',
    });
    expect(book.get('a', 2000 + 60_001)).toMatchObject({ action: 'block', source: 'cluster' });
    // Policy changes do not override the manual decision while it lasts.
    await book.applyFindings(withCluster('review'), 4000);
    expect(book.get('a', 5000).source).toBe('manual');
    const reopened = await DecisionBook.open(t.db, loadResponsePolicy());
    expect(reopened.get('a', 5000)).toMatchObject({ action: 'allow', source: 'manual' });

    const changes = await book.sweepExpired(2000 + 61_000);
    expect(changes.map((c) => [c.account_id, c.current.action])).toEqual([['a', 'throttle']]);
  });

  it('answers the decision contract the gateway reads, and refuses a stored row that breaks it', async () => {
    const book = await DecisionBook.open(t.db, loadResponsePolicy());
    await book.setManual(
      {
        account_ids: ['a'],
        action: 'throttle',
        reason: 'slow down',
        scope: 'account',
        cluster_id: null,
        ttl_seconds: 60,
        actor: 'k1',
      },
      Date.UTC(2030, 0, 1),
    );
    expect(Decision.parse(book.get('a', Date.UTC(2030, 0, 1)))).toMatchObject({
      action: 'throttle',
      expires_at: '2030-01-01T00:01:00.000Z',
      rate_per_minute: 10,
    });

    // The row the book just stored, with an action no enforcement point knows.
    const [stored] = await loadDecisionRows(t.db);
    await saveDecisionChanges(t.db, [{ ...stored!, account_id: 'z', action: 'quarantine' }], []);
    await expect(DecisionBook.open(t.db, loadResponsePolicy())).rejects.toThrow(
      /^stored decision for z breaks the decision contract: action: /,
    );
  });
});
