import { timeInDay, weekdayFactor, type Rhythm } from './calendar.js';
import type { Rng } from './rng.js';
import type { Day, Session } from './simulated-session.js';

/** When an account is active: its rhythm, time zone, how often and over which dates. */
export interface Activity {
  rhythm: Rhythm;
  tz: number;
  /** Expected sessions on a day the account is active. */
  sessionsPerActiveDay: number;
  /** Chance that a given day is an active day at all. */
  activeDayProb: number;
  from: number;
  to: number;
}

/** Session start times of one day, ascending. */
export function sessionStarts(day: Day, a: Activity, rng: Rng): number[] {
  if (day.end <= a.from || day.start >= a.to) return [];
  if (!rng.chance(a.activeDayProb)) return [];
  const n = rng.poisson(a.sessionsPerActiveDay * weekdayFactor(a.rhythm, day.start, a.tz));
  const starts: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = timeInDay(a.rhythm, day.start, a.tz, rng);
    if (t >= a.from && t < a.to) starts.push(t);
  }
  return starts.sort((x, y) => x - y);
}

/**
 * A day of sessions starting at the activity's hours; each is planned with a generator forked
 * for it (in start order), so one session's draws do not shift the next one's.
 */
export function sessionsOfDay(
  day: Day,
  a: Activity,
  rng: Rng,
  plan: (start: number, rng: Rng) => Session,
): Session[] {
  return sessionStarts(day, a, rng).map((start) => plan(start, rng.fork()));
}
