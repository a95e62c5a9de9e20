import type { ApiEvent } from '../contracts/index.js';
import { DAY, type Period } from './calendar.js';
import { eventRecord, type SimAccount } from './simulated-exchange.js';
import type { Rng } from './rng.js';
import type { Behaviour, Session } from './simulated-session.js';

interface Pending {
  ts: number;
  turn: number;
  session: Session;
  account: SimAccount;
}

/**
 * Merges all accounts' sessions into one time-ordered stream, a day at a time: every account
 * plans day d, turns are bucketed by the day they fall in (a session running past midnight
 * spills into the next bucket), and bucket d is sorted and emitted. Memory holds about one
 * day of pending turns, whatever the length of the window.
 */
export function* timeOrderedEvents(
  behaviours: readonly Behaviour[],
  period: Period,
  ids: Rng,
): Generator<ApiEvent> {
  const buckets = new Map<number, Pending[]>();
  const bucket = (d: number): Pending[] => {
    let b = buckets.get(d);
    if (!b) {
      b = [];
      buckets.set(d, b);
    }
    return b;
  };
  for (let d = 0; d < period.days; d++) {
    const day = { index: d, start: period.start + d * DAY, end: period.start + (d + 1) * DAY };
    for (const behaviour of behaviours) {
      for (const session of behaviour.planDay(day)) {
        const times = session.times;
        for (let turn = 0; turn < times.length; turn++) {
          const ts = times[turn] as number;
          if (ts >= period.end) break;
          const target = Math.max(d, Math.floor((ts - period.start) / DAY));
          bucket(target).push({ ts, turn, session, account: behaviour.account });
        }
      }
    }
    const today = buckets.get(d) ?? [];
    buckets.delete(d);
    today.sort((a, b) => a.ts - b.ts);
    for (const p of today) {
      yield eventRecord(`req_${ids.hex(24)}`, p.ts, p.account, p.session.exchange(p.turn, p.ts));
    }
  }
}
