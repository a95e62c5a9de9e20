import { ATLAS, DAY_MS_CONST, pct, type Detector } from '../detector.js';

/**
 * Volume against account age and tier, and jumping to a newly released model within hours.
 * A week-old free account running like an established customer, or fleets that move to a new
 * model the day it ships, is how harvesting ramps.
 */
export const volumeRamp: Detector = {
  id: 'volume-ramp',
  title: 'Volume and ramp against account age',
  atlas: ATLAS.inferenceApi,
  family: 'behaviour',
  measure(s, ctx) {
    if (s.n < 3) return null;
    const created = ctx.record?.created_at ? Date.parse(ctx.record.created_at) : NaN;
    const ageDays = Number.isFinite(created) ? Math.max(0, (s.lastTs - created) / DAY_MS_CONST) : NaN;
    const activeDays = Math.max(1, s.days.size);
    const perDay = s.n / activeDays;
    const tier = ctx.record?.tier ?? 'unknown';
    const stats: (
      | { kind: 'value'; key: string; value: number; n: number }
      | { kind: 'count'; key: string; k: number; n: number }
    )[] = [{ kind: 'count', key: 'earlyAdoption', k: s.earlyAdoption, n: s.n }];
    if (Number.isFinite(ageDays))
      stats.push({
        kind: 'value',
        key: `volumeForAge:${tier}`,
        value: Math.log(s.n) - Math.log1p(ageDays),
        n: s.n,
      });
    return {
      stats,
      evidence: `${s.n} requests over ${activeDays} active days (${perDay.toFixed(1)}/day) ${origin(s.members, ctx.record?.tier, ageDays)}; ${s.earlyAdoption} (${pct(s.earlyAdoption, s.n)}) on a model within 48 h of its release`,
      examples: s.samples.items.slice(0, 2).map((x) => x.id),
    };
  },
};

/** Who sent the requests, in words: a pooled cluster has no one tier or age, an account may lack a record. */
function origin(members: number, tier: string | undefined, ageDays: number): string {
  if (members > 1) return `pooled over ${members} accounts`;
  const age = Number.isFinite(ageDays) ? `${ageDays.toFixed(1)} days old` : 'of unknown age';
  if (tier === undefined) return `from an account ${age}, tier unknown`;
  return `from ${/^[aeiou]/i.test(tier) ? 'an' : 'a'} ${tier} account ${age}`;
}
