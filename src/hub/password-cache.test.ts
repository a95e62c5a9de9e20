import { describe, expect, it } from 'vitest';
import { AuthFailureLimit, PasswordCache } from './password-cache.js';

describe('PasswordCache', () => {
  it('keeps at most maxEntries verdicts, dropping the least recently used', () => {
    const cache = new PasswordCache({ maxEntries: 3 });
    const fp = PasswordCache.fingerprint('scrypt$aa$bb');
    const keys = ['p1', 'p2', 'p3'].map((p) => cache.keyOf('org-a', p));
    for (const k of keys) cache.remember(k, fp, true);
    expect(cache.verdict(keys[0]!, fp)).toBe(true); // p1 is now the most recently used
    cache.remember(cache.keyOf('org-a', 'p4'), fp, true);
    expect(cache.size).toBe(3);
    expect(cache.verdict(keys[1]!, fp)).toBeUndefined();
    expect(cache.verdict(keys[0]!, fp)).toBe(true);
  });

  it('forgets a success after the TTL and a failure after the shorter failure TTL', () => {
    let now = 1_000_000;
    const cache = new PasswordCache({ ttlMs: 60_000, failureTtlMs: 10_000, now: () => now });
    const fp = PasswordCache.fingerprint('scrypt$aa$bb');
    const good = cache.keyOf('org-a', 'right');
    const bad = cache.keyOf('org-a', 'wrong');
    cache.remember(good, fp, true);
    cache.remember(bad, fp, false);
    now += 10_000;
    expect(cache.verdict(bad, fp)).toBeUndefined();
    expect(cache.verdict(good, fp)).toBe(true);
    now += 50_000;
    expect(cache.verdict(good, fp)).toBeUndefined();
  });

  it('holds a verdict only for the stored hash it was checked against', () => {
    const cache = new PasswordCache();
    const k = cache.keyOf('org-a', 'right');
    cache.remember(k, PasswordCache.fingerprint('scrypt$aa$bb'), true);
    expect(cache.verdict(k, PasswordCache.fingerprint('scrypt$cc$dd'))).toBeUndefined();
    expect(cache.verdict(k, PasswordCache.fingerprint(null))).toBeUndefined();
  });

  it('keys on the whole credential under a per-process key, never the password itself', () => {
    const a = new PasswordCache();
    const b = new PasswordCache();
    const k = a.keyOf('org-a', 'correct horse');
    expect(k).not.toContain('correct');
    expect(k).not.toBe(b.keyOf('org-a', 'correct horse'));
    // member:password boundaries matter: "org-a" + "b:c" is not "org-a:b" + "c".
    expect(a.keyOf('org-a', 'b:c')).not.toBe(a.keyOf('org-a:b', 'c'));
    a.remember(k, PasswordCache.fingerprint('scrypt$aa$bb'), true);
    expect(JSON.stringify([...(a as unknown as { entries: Map<string, unknown> }).entries])).not.toContain(
      'correct horse',
    );
  });
});

describe('AuthFailureLimit', () => {
  it('blocks a client after the allowed failures until the window ends, other clients unaffected', () => {
    let now = 0;
    const limit = new AuthFailureLimit({ failuresPerWindow: 2, windowMs: 60_000, now: () => now });
    limit.recordFailure('10.0.0.1');
    expect(limit.blocked('10.0.0.1')).toBeUndefined();
    limit.recordFailure('10.0.0.1');
    expect(limit.blocked('10.0.0.1')).toEqual({ retryAfterSeconds: 60, first: true });
    now += 30_000;
    expect(limit.blocked('10.0.0.1')).toEqual({ retryAfterSeconds: 30, first: false });
    expect(limit.blocked('10.0.0.2')).toBeUndefined();
    now += 30_000;
    expect(limit.blocked('10.0.0.1')).toBeUndefined();
  });

  it('tracks a bounded number of clients', () => {
    const limit = new AuthFailureLimit({ failuresPerWindow: 1, maxClients: 2 });
    for (const ip of ['a', 'b', 'c']) limit.recordFailure(ip);
    expect(limit.blocked('a')).toBeUndefined();
    expect(limit.blocked('c')).toBeDefined();
  });
});
