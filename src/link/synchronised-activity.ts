import { fmix32 } from '../text/index.js';
import { SLOTS_PER_DAY, type ActivitySlots } from '../features/index.js';
import { poissonSurvivalLog10 } from '../features/index.js';

/** Fewer active slots or days than this cannot show synchronisation apart from a shared routine. */
const MIN_SLOTS = 8;
const MIN_DAYS = 3;
/** Slots per hour: coincidences are counted at most once per hour (see `synchronisation`). */
const HOUR_SLOTS = 12;
/** Candidate pairs: accounts sorted by a MinHash key of their half-hour activity, each compared with its next few. */
const SKETCHES = 6;
const NEIGHBOURS = 4;
const COARSE_SLOTS = 6;
/**
 * A pair is linked when it coincides this many times more often than its own daily routines
 * predict, and the excess would arise by chance with at most this probability (log10). The
 * p-value bound is Bonferroni over the candidate pairs of a large population (millions),
 * so across the whole population at most about one chance link is expected.
 */
const MIN_LIFT = 3;
const MAX_LOG10_P = -8;
const MIN_COINCIDENT_HOURS = 6;

/** One account's activity prepared for pair tests: which slots it is near, and its routine by time of day. */
export interface ActivityProfile {
  /** Active slots, ascending. */
  slots: Int32Array;
  /** Slots within one of an active slot (the tolerance of a coincidence). */
  near: Set<number>;
  /** Per slot of the day: on how many of its active days the account was near that time. */
  routine: Uint16Array;
  days: Set<number>;
}

export function activityProfile(a: ActivitySlots): ActivityProfile | undefined {
  if (a.saturated || a.size < MIN_SLOTS) return undefined;
  const slots = Int32Array.from(a.sorted());
  const days = new Set<number>();
  for (const s of slots) days.add(Math.floor(s / SLOTS_PER_DAY));
  if (days.size < MIN_DAYS) return undefined;
  const near = new Set<number>();
  for (const s of slots) for (let d = -1; d <= 1; d++) near.add(s + d);
  const routine = new Uint16Array(SLOTS_PER_DAY);
  for (const s of near) routine[s % SLOTS_PER_DAY]!++;
  return { slots, near, routine, days };
}

export interface SyncEvidence {
  /** Hours of the sparser account in which the other was active within a slot of it (fractional). */
  coincident: number;
  /** What the other's own daily routine predicts for those hours, had its days been shuffled. */
  expected: number;
  lift: number;
  log10p: number;
}

/**
 * How far two accounts' activity coincides beyond their routines. For each active slot of the
 * sparser account: is the other active within one slot of it (observed), and on what share of
 * its other active days was the other active near that time of day (expected, the day-shuffle
 * null: two people keeping the same office hours, or two cron jobs at 02:00, coincide this much
 * without any link). Coincidences are averaged within each hour, so one long shared session
 * counts as one hour, not as dozens of independent coincidences; the Poisson tail is taken on
 * those hour units.
 */
export function synchronisation(x: ActivityProfile, y: ActivityProfile): SyncEvidence {
  const [a, b] = x.slots.length <= y.slots.length ? [x, y] : [y, x];
  let coincident = 0;
  let expected = 0;
  let hour = NaN;
  let hourSlots = 0;
  let hourObserved = 0;
  let hourExpected = 0;
  const closeHour = (): void => {
    if (hourSlots === 0) return;
    coincident += hourObserved / hourSlots;
    expected += hourExpected / hourSlots;
  };
  for (const s of a.slots) {
    const h = Math.floor(s / HOUR_SLOTS);
    if (h !== hour) {
      closeHour();
      hour = h;
      hourSlots = hourObserved = hourExpected = 0;
    }
    const here = b.near.has(s) ? 1 : 0;
    const otherDays = b.days.size - (b.days.has(Math.floor(s / SLOTS_PER_DAY)) ? 1 : 0);
    hourSlots++;
    hourObserved += here;
    if (otherDays > 0) hourExpected += Math.min(1, (b.routine[s % SLOTS_PER_DAY]! - here) / otherDays);
  }
  closeHour();
  // The floor keeps a pair whose routines never overlap from looking infinitely significant.
  const mu = Math.max(expected, 0.5);
  return { coincident, expected, lift: coincident / mu, log10p: poissonSurvivalLog10(coincident, mu) };
}

export function isSynchronised(e: SyncEvidence): boolean {
  return e.coincident >= MIN_COINCIDENT_HOURS && e.lift >= MIN_LIFT && e.log10p <= MAX_LOG10_P;
}

export interface SyncLink {
  a: string;
  b: string;
  evidence: SyncEvidence;
}

/**
 * Pairs of accounts whose activity is synchronised (one load-balanced client, or bursts started
 * together). Testing every pair is quadratic, so candidates come from sorted neighbourhoods:
 * accounts are ordered by a MinHash key of the half-hours they were active in (their two
 * smallest hashes), several times with independent hashes, and each is tested against its next
 * few. Accounts sharing most of their active half-hours share their key with high probability
 * and so sit side by side; a pool's members need only a few tested pairs each to join up.
 */
export function synchronisedPairs(activity: Map<string, ActivitySlots>, seed = 1): SyncLink[] {
  const ids: string[] = [];
  const profiles: ActivityProfile[] = [];
  for (const [id, a] of [...activity].sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0))) {
    const profile = activityProfile(a);
    if (!profile) continue;
    ids.push(id);
    profiles.push(profile);
  }
  const coarse = profiles.map((p) => [...new Set(Array.from(p.slots, (s) => Math.floor(s / COARSE_SLOTS)))]);
  const seen = new Set<number>();
  const links: SyncLink[] = [];
  const keys = new Float64Array(ids.length);
  const order = ids.map((_, i) => i);
  for (let k = 0; k < SKETCHES; k++) {
    const salt = fmix32(seed * 0x9e3779b1 + k + 1);
    coarse.forEach((slots, i) => {
      let m1 = 0xffffffff;
      let m2 = 0xffffffff;
      for (const c of slots) {
        const h = fmix32(c ^ salt) >>> 0;
        if (h < m1) [m1, m2] = [h, m1];
        else if (h < m2) m2 = h;
      }
      // Both minima in one sortable number: the smaller in the high bits.
      keys[i] = m1 * 2 ** 20 + (m2 >>> 12);
    });
    order.sort((p, q) => keys[p]! - keys[q]! || p - q);
    for (let i = 0; i < order.length; i++) {
      for (let off = 1; off <= NEIGHBOURS && i + off < order.length; off++) {
        const p = Math.min(order[i]!, order[i + off]!);
        const q = Math.max(order[i]!, order[i + off]!);
        const pair = p * ids.length + q;
        if (seen.has(pair)) continue;
        seen.add(pair);
        const evidence = synchronisation(profiles[p]!, profiles[q]!);
        if (isSynchronised(evidence)) links.push({ a: ids[p]!, b: ids[q]!, evidence });
      }
    }
  }
  return links;
}
