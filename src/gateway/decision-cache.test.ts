import { describe, expect, it } from 'vitest';
import { DecisionCache } from './decision-cache.js';
import { StaticDecisionSource, type DecisionSource } from './decision-source.js';
import type { StaticDecision } from '../contracts/index.js';
import { Throttle } from './throttle.js';

describe('DecisionCache', () => {
  it('answers from a static source at once, reads watch/cluster, and ignores expired decisions', () => {
    let now = 1_000_000;
    const cache = new DecisionCache(
      new StaticDecisionSource([
        { account_id: 'a', action: 'watch', cluster_id: 'hydra-1' },
        { account_id: 'b', action: 'block', expires_at: new Date(now + 1000).toISOString() },
        { account_id: 'c', action: 'degrade', canary: true },
      ]),
      { now: () => now },
    );
    expect(cache.get('a')).toMatchObject({ action: 'monitor', watch: true, subject: 'hydra-1' });
    expect(cache.get('c')).toMatchObject({ action: 'degrade', watch: true, subject: 'account:c' });
    expect(cache.get('b').action).toBe('block');
    now += 1001;
    expect(cache.get('b').action).toBe('allow');
    expect(cache.get('nobody')).toMatchObject({ action: 'allow', watch: false });
  });

  it('keeps the last decision when the source fails, and refreshes after the TTL', async () => {
    let now = 0;
    let answer: StaticDecision | Error = { account_id: 'a', action: 'throttle' };
    let calls = 0;
    const source: DecisionSource = {
      lookup: () => {
        calls++;
        return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
      },
      snapshot: () => [],
    };
    const errors: string[] = [];
    const cache = new DecisionCache(source, {
      ttlMs: 100,
      now: () => now,
      onError: (e) => errors.push(e.message),
    });
    expect(cache.get('a').action).toBe('allow'); // fail-open until the first lookup lands
    await cache.refresh('a');
    expect(cache.get('a').action).toBe('throttle');
    expect(calls).toBe(1);
    answer = new Error('server down');
    now += 101;
    cache.get('a');
    await new Promise((r) => setTimeout(r, 5));
    expect(errors).toEqual(['server down']);
    expect(cache.get('a').action).toBe('throttle');
    expect(calls).toBe(2);
  });
});

describe('DecisionCache with a listing source', () => {
  it('answers from the full list without per-account lookups, and keeps the last list when a refresh fails', async () => {
    let list: StaticDecision[] | Error = [
      { account_id: 'a', action: 'block' },
      { account_id: 'z', action: 'step_up' },
    ];
    let lookups = 0;
    const source: DecisionSource = {
      lookup: () => {
        lookups++;
        return Promise.resolve(null);
      },
      snapshot: () => [],
      list: async function* () {
        await Promise.resolve();
        if (list instanceof Error) throw list;
        yield list.slice(0, 1);
        yield list.slice(1);
      },
    };
    const errors: string[] = [];
    const cache = new DecisionCache(source, { onError: (e) => errors.push(e.message) });
    await cache.sync();
    expect(cache.get('a').action).toBe('block');
    expect(cache.get('z').action).toBe('step_up'); // from the second page
    expect(cache.get('b').action).toBe('allow');
    list = [{ account_id: 'b', action: 'watch', cluster_id: 'c-1' }];
    await cache.sync();
    expect(cache.get('a').action).toBe('allow'); // lifted: no longer listed
    expect(cache.get('b')).toMatchObject({ action: 'monitor', watch: true, subject: 'c-1' });
    list = new Error('server down');
    await cache.sync();
    expect(errors).toEqual(['server down']);
    expect(cache.get('b').watch).toBe(true);
    expect(lookups).toBe(0);
  });

  it('falls back to per-account lookups when the source cannot list', async () => {
    let lookups = 0;
    const source: DecisionSource = {
      lookup: (id) => {
        lookups++;
        return Promise.resolve({ account_id: id, action: 'degrade' });
      },
      snapshot: () => [],
      // eslint-disable-next-line require-yield
      list: async function* () {
        await Promise.resolve();
        throw new Error('HTTP 404');
      },
    };
    const cache = new DecisionCache(source, { onError: () => undefined });
    await cache.sync();
    expect(cache.get('x').action).toBe('allow'); // starts the lookup
    await cache.refresh('x'); // de-duplicated with the one in flight
    await new Promise((r) => setTimeout(r, 5));
    expect(cache.get('x').action).toBe('degrade');
    expect(lookups).toBe(1);
  });
});

describe('Throttle', () => {
  it('lets the burst through, then asks to wait until the next token', () => {
    let now = 0;
    const t = new Throttle(6, 2, () => now);
    expect([t.take('a'), t.take('a')]).toEqual([0, 0]);
    expect(t.take('a')).toBe(10);
    now += 10_000;
    expect(t.take('a')).toBe(0);
    expect(t.take('b', 60)).toBe(0);
  });
});
