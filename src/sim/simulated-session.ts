import type { Exchange, SimAccount } from './simulated-exchange.js';
import type { Rng } from './rng.js';

/** A UTC day of the simulated window. */
export interface Day {
  index: number;
  start: number;
  end: number;
}

/** A run of requests from one account: its turn times are known up front, text is made on demand. */
export interface Session {
  readonly times: readonly number[];
  /** Builds turn `turn` (called once per turn, in order). */
  exchange(turn: number, ts: number): Exchange;
}

/** What an account does: asked once per simulated day, in day order, for that day's sessions. */
export interface Behaviour {
  readonly account: SimAccount;
  planDay(day: Day): Session[];
}

/** Turn times of a human conversation: reading the answer, thinking, typing. */
export function humanTurnTimes(start: number, turns: number, rng: Rng): number[] {
  const times = [start];
  let t = start;
  for (let i = 1; i < turns; i++) {
    t += Math.round(rng.logNormal(55_000, 0.9)) + 4_000;
    times.push(t);
  }
  return times;
}

/** Turn times of a script: a steady pace with jitter. */
export function scriptedTimes(
  start: number,
  count: number,
  meanGapMs: number,
  jitter: number,
  rng: Rng,
): number[] {
  const times = [start];
  let t = start;
  for (let i = 1; i < count; i++) {
    t += Math.max(50, Math.round(meanGapMs * (1 + rng.normal(0, jitter))));
    times.push(t);
  }
  return times;
}
