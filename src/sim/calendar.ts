import { Rng, mixKeys } from './rng.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** The simulated window: 14 days ending at a date fixed by the seed, with a model release inside. */
export interface Period {
  start: number;
  end: number;
  days: number;
  /** When the new model becomes available. */
  release: number;
}

export function periodFor(seed: number, days = 14): Period {
  const rng = Rng.derive(mixKeys(seed, ['period']));
  // Midnight UTC on a day between 2025-01-06 and roughly mid-2026, fixed by the seed.
  const end = Date.UTC(2025, 0, 6) + rng.int(0, 520) * DAY;
  const start = end - days * DAY;
  const release = start + Math.floor(days / 2) * DAY + rng.int(15, 19) * HOUR + rng.int(0, 59) * 60_000;
  return { start, end, days, release };
}

/** Relative activity by local hour (0-23). */
export type Rhythm = 'consumer' | 'office' | 'student' | 'developer' | 'flat' | 'app';

const PROFILES: Readonly<Record<Rhythm, readonly number[]>> = {
  consumer: [3, 2, 1, 0.5, 0.4, 0.5, 1, 2, 3.5, 4, 4.5, 5, 5, 4.5, 4.5, 4.5, 5, 5.5, 6, 7, 7.5, 7, 6, 4.5],
  office: [
    0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.6, 2, 5, 8, 9, 9, 6, 7.5, 9, 8.5, 7.5, 5, 2.5, 1.5, 1.2, 1, 0.8, 0.5,
  ],
  student: [
    3.5, 2.5, 1.5, 0.6, 0.3, 0.2, 0.3, 0.8, 2, 3.5, 4.5, 5, 4.5, 5, 5.5, 6, 6, 5.5, 5.5, 6.5, 7.5, 8, 7.5,
    5.5,
  ],
  developer: [
    1.5, 1, 0.5, 0.3, 0.2, 0.3, 0.6, 1.5, 3.5, 6, 7.5, 8, 6.5, 7, 8, 8, 7.5, 6, 4.5, 4, 4, 3.5, 3, 2,
  ],
  flat: [4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4],
  app: [
    1.6, 1.2, 0.9, 0.7, 0.7, 0.9, 1.5, 2.5, 3.5, 4.2, 4.6, 4.8, 4.8, 4.8, 4.8, 4.7, 4.6, 4.5, 4.4, 4.3, 4,
    3.5, 2.8, 2.1,
  ],
};

/** Relative activity by local weekday (0 = Sunday). */
const WEEKLY: Readonly<Record<Rhythm, readonly number[]>> = {
  consumer: [1.15, 0.95, 0.95, 0.95, 0.95, 0.95, 1.1],
  office: [0.25, 1.15, 1.2, 1.2, 1.15, 1.0, 0.25],
  student: [1.0, 1.1, 1.1, 1.1, 1.05, 0.8, 0.75],
  developer: [0.5, 1.1, 1.15, 1.15, 1.1, 1.0, 0.55],
  flat: [1, 1, 1, 1, 1, 1, 1],
  app: [0.8, 1.05, 1.05, 1.05, 1.05, 1.0, 0.85],
};

/** How busy an account with this rhythm is on the UTC day starting at `dayStart`, as a factor around 1. */
export function weekdayFactor(rhythm: Rhythm, dayStart: number, tz: number): number {
  const localNoon = dayStart + (12 - tz) * HOUR;
  const weekday = new Date(localNoon).getUTCDay();
  return WEEKLY[rhythm][weekday] ?? 1;
}

const cumulativeCache = new Map<string, Float64Array>();

/** A time inside [dayStart, dayStart + 1 day) drawn from the rhythm in the caller's time zone. */
export function timeInDay(rhythm: Rhythm, dayStart: number, tz: number, rng: Rng): number {
  const key = `${rhythm}:${tz}`;
  let cumulative = cumulativeCache.get(key);
  if (!cumulative) {
    cumulative = new Float64Array(24);
    let sum = 0;
    for (let h = 0; h < 24; h++) {
      const local = (((h + Math.floor(tz)) % 24) + 24) % 24;
      sum += PROFILES[rhythm][local] ?? 1;
      cumulative[h] = sum;
    }
    for (let h = 0; h < 24; h++) cumulative[h] = (cumulative[h] ?? 0) / sum;
    cumulativeCache.set(key, cumulative);
  }
  const r = rng.float();
  let hour = 0;
  while (hour < 23 && (cumulative[hour] ?? 1) < r) hour++;
  return dayStart + hour * HOUR + Math.floor(rng.float() * HOUR);
}

export { DAY, HOUR };
