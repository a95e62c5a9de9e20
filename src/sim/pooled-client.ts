import type { RequestParams } from '../contracts/index.js';
import { DAY, timeInDay } from './calendar.js';
import type { Caller } from './caller.js';
import type { TaskQueue } from './actor-kit.js';
import { extractionExchange } from './campaign-behaviours.js';
import type { Exchange, SimAccount } from './simulated-exchange.js';
import type { Rng } from './rng.js';
import { scriptedTimes, type Behaviour, type Day, type Session } from './simulated-session.js';

/**
 * One harvesting job runner that load-balances its requests round-robin over a pool of
 * accounts: each account is a light user on its own, but they are active in the same minutes,
 * because one client drives them all. Accounts sit out some days; the runner skips them.
 */
export class PooledClient {
  private day = -1;
  private plan = new Map<number, number[]>();

  constructor(
    private readonly size: number,
    private readonly tz: number,
    private readonly sessionsPerDay: number,
    private readonly perAccountPerSession: number,
    private readonly rng: Rng,
  ) {}

  /** Member `member`'s request times on `day` (the day's plan is made once, for all members). */
  timesFor(day: Day, member: number): number[] {
    if (day.index !== this.day) {
      this.day = day.index;
      this.plan = this.planDay(day);
    }
    return this.plan.get(member) ?? [];
  }

  private planDay(day: Day): Map<number, number[]> {
    const rng = this.rng;
    const plan = new Map<number, number[]>();
    const members = rng.shuffle(
      Array.from({ length: this.size }, (_, i) => i).filter(() => rng.chance(0.85)),
    );
    if (members.length === 0) return plan;
    const sessions = Math.max(1, rng.poisson(this.sessionsPerDay));
    for (let k = 0; k < sessions; k++) {
      // Jobs are started during the operator's working day or left to a scheduler at any hour.
      const start = rng.chance(0.6)
        ? timeInDay('developer', day.start, this.tz, rng)
        : day.start + Math.floor(rng.float() * DAY);
      const count = rng.poisson(members.length * this.perAccountPerSession);
      const times = scriptedTimes(start, count, rng.range(1_500, 5_000), 0.6, rng);
      const first = rng.int(0, members.length - 1);
      times.forEach((t, i) => {
        const m = members[(first + i) % members.length]!;
        let list = plan.get(m);
        if (!list) plan.set(m, (list = []));
        list.push(t);
      });
    }
    for (const list of plan.values()) list.sort((a, b) => a - b);
    return plan;
  }
}

/**
 * A pooled-client member: its own card, e-mail, residential exit, client string, and a freshly
 * composed request for reasoning every time, so nothing it holds links it to the others; only its timing does.
 */
export class PoolMember implements Behaviour {
  constructor(
    readonly account: SimAccount,
    private readonly caller: Caller,
    private readonly client: PooledClient,
    private readonly member: number,
    private readonly queue: TaskQueue,
    private readonly params: RequestParams,
    private readonly rng: Rng,
  ) {}

  planDay(day: Day): Session[] {
    return this.client.timesFor(day, this.member).map((t) => {
      const rng = this.rng.fork();
      return {
        times: [t],
        exchange: (_i, ts): Exchange =>
          extractionExchange(this.caller, ts, rng, this.queue, {
            elicitation: 'paraphrased',
            elicitShare: 0.8,
            params: this.params,
          }),
      };
    });
  }
}
