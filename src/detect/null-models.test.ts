import { describe, expect, it } from 'vitest';
import { seededRandom as uniform } from '../text/index.js';
import { benignMedian, fitNullModels, pValue } from './null-models.js';

const binomial = (n: number, p: number, r: () => number): number => {
  let k = 0;
  for (let i = 0; i < n; i++) if (r() < p) k++;
  return k;
};

// A benign population: each person asks for step-by-step reasoning at a rate of their own
// (mean 3 %, a long right tail), on 10–200 requests.
const r = uniform(42);
const propensity = (): number => Math.min(0.6, -0.03 * Math.log(1 - r()));
const reference = Array.from({ length: 3000 }, () => {
  const n = 10 + Math.floor(r() * 190);
  return [{ kind: 'count' as const, key: 'elicit', k: binomial(n, propensity(), r), n }];
});
const nulls = fitNullModels(reference);

/** The pooled p-value of a linked group's counts under `key`'s fitted null. */
const pooledP = (key: string, fitted: typeof nulls, members: { k: number; n: number }[]): number =>
  pValue(
    {
      kind: 'count',
      key,
      k: members.reduce((a, m) => a + m.k, 0),
      n: members.reduce((a, m) => a + m.n, 0),
    },
    fitted,
    members.map((m) => m.n),
  );
const pooled = (members: { k: number; n: number }[]): number => pooledP('elicit', nulls, members);

describe('pooled count nulls for a linked group', () => {
  it('keep a group of strangers ordinary: few random benign groups reach p ≤ 0.01', () => {
    let low = 0;
    for (let g = 0; g < 300; g++) {
      const members = Array.from({ length: 20 }, () => reference[Math.floor(r() * reference.length)]![0]!);
      if (pooled(members) <= 0.01) low++;
    }
    expect(low / 300).toBeLessThanOrEqual(0.03);
  });

  it('do not make a class a little above the mean overwhelming, however many requests it pools', () => {
    // 24 students asking for steps three times as often as people do (9 %), 46 requests each:
    // 1,100 requests pooled. Independent members would put this at p ≈ 1e-20.
    const seeds = [1, 2, 3, 4, 5];
    for (const seed of seeds) {
      const c = uniform(seed);
      const members = Array.from({ length: 24 }, () => ({ k: binomial(46, 0.09, c), n: 46 }));
      expect(pooled(members)).toBeGreaterThan(1e-12);
    }
  });

  it('keep a campaign whose pooled traffic is mostly extraction beyond doubt', () => {
    const c = uniform(7);
    // 15 accounts, three quarters of their requests eliciting reasoning.
    const campaign = Array.from({ length: 15 }, () => ({ k: binomial(240, 0.75, c), n: 240 }));
    expect(pooled(campaign)).toBeLessThan(1e-30);
    // 150 light accounts of a blended hydra, a fifth of their requests eliciting.
    const hydra = Array.from({ length: 150 }, () => ({ k: binomial(30, 0.2, c), n: 30 }));
    expect(pooled(hydra)).toBeLessThan(1e-12);
  });
});

describe('pooled count nulls for a few members of a trait people either have or not', () => {
  // A request parameter an app either sends or never does (logprobs for a confidence score): 3 %
  // of people send it on ~90 % of their requests, everyone else never.
  const t = uniform(11);
  const user = (): { k: number; n: number } => {
    const n = 10 + Math.floor(t() * 90);
    return { k: t() < 0.03 ? binomial(n, 0.9, t) : 0, n };
  };
  const ref = Array.from({ length: 3000 }, () => {
    const m = user();
    return [{ kind: 'count' as const, key: 'soft', ...m }];
  });
  const traitNulls = fitNullModels(ref);
  const p = (members: { k: number; n: number }[]): number => pooledP('soft', traitNulls, members);

  it('keep random small groups honest: about as many reach p ≤ 0.01 as chance allows', () => {
    let low = 0;
    for (let g = 0; g < 2000; g++) if (p(Array.from({ length: 4 }, user)) <= 0.01) low++;
    // One user among four is ~11 % of groups; a normal tail on their sum puts each near p ≈ 0.
    expect(low / 2000).toBeLessThanOrEqual(0.015);
  });

  it('give three users among four the chance that is theirs (≈ 1e-4), not a normal tail’s 1e-16', () => {
    const team = [
      { k: 24, n: 27 },
      { k: 10, n: 11 },
      { k: 47, n: 56 },
      { k: 0, n: 11 },
    ];
    expect(p(team)).toBeGreaterThan(1e-7);
    expect(p(team)).toBeLessThan(1e-2);
    // A group that is mostly the trait, many strong, stays beyond doubt.
    expect(p(Array.from({ length: 12 }, () => ({ k: 45, n: 50 })))).toBeLessThan(1e-12);
  });
});

describe('the benign median a value is shown against', () => {
  it('is the median of reference entities of the same size, not of all of them', () => {
    // Small entities (about 8 prompts) spread wider than large ones (about 512): a small
    // account's MMD² must be compared with small benign accounts.
    const reference = [
      ...Array.from({ length: 60 }, (_, i) => [
        { kind: 'value' as const, key: 'logMmd', value: -1 - i / 600, n: 8 },
      ]),
      ...Array.from({ length: 60 }, (_, i) => [
        { kind: 'value' as const, key: 'logMmd', value: -5 - i / 600, n: 512 },
      ]),
    ];
    const nulls = fitNullModels(reference);
    const small = benignMedian({ kind: 'value', key: 'logMmd', value: 0, n: 9 }, nulls)!;
    const large = benignMedian({ kind: 'value', key: 'logMmd', value: 0, n: 600 }, nulls)!;
    expect(small).toBeCloseTo(-1 - 29.5 / 600, 6);
    expect(large).toBeCloseTo(-5 - 29.5 / 600, 6);
    expect(benignMedian({ kind: 'count', key: 'x', k: 1, n: 3 }, nulls)).toBeUndefined();
  });
});

describe('robust count nulls (settings no ordinary use needs)', () => {
  // 1,600 accounts: 200 use the setting now and then; `extreme` accounts use it on every
  // request (harvesters, unlinked).
  const population = (extreme: number, robust: boolean) => {
    const g = uniform(7);
    const ref = Array.from({ length: 1600 }, (_, i) => {
      const n = 10 + Math.floor(g() * 300);
      const k = i < extreme ? n : i < 200 ? binomial(n, 0.02, g) : 0;
      return [{ kind: 'count' as const, key: 'setting', k, n, robust }];
    });
    return fitNullModels(ref);
  };
  const harvester = (robust: boolean) => ({ kind: 'count' as const, key: 'setting', k: 500, n: 500, robust });

  it('is not made normal by the harvesters among the reference, up to 1 % of it', () => {
    // The plain fit lets them define the tail ("one of the few accounts that always do"): the
    // more harvesters, the more ordinary each looks.
    const plain = [2, 10, 16].map((extreme) => pValue(harvester(false), population(extreme, false)));
    expect(plain[2]).toBeGreaterThan(100 * plain[0]!);
    // The robust fit leaves the extreme 1 % out, and its p is its rarity floor, 1/(N + 1).
    for (const extreme of [2, 10, 16])
      expect(pValue(harvester(true), population(extreme, true))).toBeCloseTo(1 / 1601, 6);
  });

  it('leaves an account that uses the setting now and then, as many do, below a line (p > 0.01)', () => {
    const nulls = population(2, true);
    expect(pValue({ kind: 'count', key: 'setting', k: 3, n: 150, robust: true }, nulls)).toBeGreaterThan(
      0.01,
    );
  });
});
