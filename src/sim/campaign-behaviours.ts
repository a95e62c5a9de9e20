import type { Message, RequestParams } from '../contracts/index.js';
import { sessionsOfDay, type Activity } from './activity.js';
import type { TaskQueue, ActorKit } from './actor-kit.js';
import { DAY, timeInDay } from './calendar.js';
import type { Caller } from './caller.js';
import { answer, type Exchange, type SimAccount } from './simulated-exchange.js';
import {
  paraphrasedElicitation,
  wrapWithElicitation,
  type ElicitationStyle,
} from './elicitation-wrappers.js';
import type { Rng } from './rng.js';
import { scriptedTimes, type Behaviour, type Day, type Session } from './simulated-session.js';
import { toolTrace } from './tool-use-traces.js';
import type { ConversationalCustomer } from './benign-behaviours.js';

/** Where an operator's tasks come from: its whole queue, or one account's slice of it. */
export type TaskSource = Pick<TaskQueue, 'next'>;

/** One extraction request: system prompt (if any), a wrapped or bare task, harvesting parameters. */
export function extractionExchange(
  caller: Caller,
  ts: number,
  rng: Rng,
  queue: TaskSource,
  opts: {
    system?: string;
    /** A fixed wrapper mix, or 'paraphrased' for a freshly composed ask every time. */
    elicitation?: ElicitationStyle | 'paraphrased';
    elicitShare: number;
    params: RequestParams;
  },
): Exchange {
  const env = caller.envelope(ts, rng);
  const { task, capability, reference } = queue.next(rng);
  const style = opts.elicitation;
  const wrapped = style !== undefined && rng.chance(opts.elicitShare);
  const text = !wrapped
    ? task
    : style === 'paraphrased'
      ? paraphrasedElicitation(task, rng)
      : wrapWithElicitation(task, style, rng);
  if (capability === 'tool-use' && rng.chance(0.7)) {
    const trace = toolTrace(opts.system, text, rng);
    const step = rng.int(0, trace.steps - 1);
    const messages = trace.messages(step);
    const params = { ...opts.params, tools: trace.toolCount };
    const a = answer(step === trace.steps - 1 ? 'reasoning' : 'tool', env.model, messages, params, rng);
    return { ...env, messages, params, ...a };
  }
  const messages: Message[] = opts.system ? [{ role: 'system', content: opts.system }] : [];
  messages.push({ role: 'user', content: text });
  const a = answer(wrapped ? 'reasoning' : 'long', env.model, messages, opts.params, rng);
  // A corpus that carries the teacher's answer gives the logged answer text too.
  if (reference && !a.response.refused) a.response.text = reference;
  return { ...env, messages, params: opts.params, ...a };
}

/** Spread `count` single requests over a day with a controller's bias towards its operator's hours. */
function controllerTimes(day: Day, count: number, tz: number, from: number, to: number, rng: Rng): number[] {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    // The controller runs around the clock but is restarted and watched during working hours.
    const t = rng.chance(0.55)
      ? timeInDay('developer', day.start, tz, rng)
      : day.start + Math.floor(rng.float() * DAY);
    if (t >= from && t < to) times.push(t);
  }
  return times.sort((a, b) => a - b);
}

/**
 * A hydra member: one of many accounts of one operator, each a light user under 60 requests a
 * day, active for a few days, rotating proxy exits, sharing the operator's system prompts and
 * wrapper phrasings around tasks from one queue.
 */
export interface HydraHabits {
  rateLow: number;
  rateHigh: number;
  elicitShare: number;
  systemShare: number;
  pausedDays: number;
}

export class HydraMember implements Behaviour {
  private readonly rate: number;

  constructor(
    readonly account: SimAccount,
    private readonly caller: Caller,
    private readonly kit: ActorKit,
    private readonly queue: TaskQueue,
    private readonly from: number,
    private readonly to: number,
    private readonly habits: HydraHabits,
    private readonly rng: Rng,
  ) {
    this.rate = rng.range(habits.rateLow, habits.rateHigh);
  }

  planDay(day: Day): Session[] {
    if (day.end <= this.from || day.start >= this.to) return [];
    if (this.rng.chance(this.habits.pausedDays)) return []; // paused: the operator rests some accounts
    const count = Math.min(59, this.rng.poisson(this.rate));
    const system = this.rng.chance(this.habits.systemShare)
      ? this.rng.pick(this.kit.systemPrompts)
      : undefined;
    const temperature = this.rng.pick(this.kit.temperature);
    const maxTokens = this.rng.pick(this.kit.maxTokens);
    return controllerTimes(day, count, this.kit.tz, this.from, this.to, this.rng).map((t) => {
      const rng = this.rng.fork();
      return {
        times: [t],
        exchange: (_i, ts): Exchange =>
          extractionExchange(this.caller, ts, rng, this.queue, {
            ...(system ? { system } : {}),
            elicitation: this.kit.elicitation,
            elicitShare: this.habits.elicitShare,
            params: { temperature, max_tokens: maxTokens },
          }),
      };
    });
  }
}

/** One heavy account sweeping the task taxonomy in scripted bursts from a cloud server. */
export class NoisySweeper implements Behaviour {
  constructor(
    readonly account: SimAccount,
    private readonly caller: Caller,
    private readonly kit: ActorKit,
    private readonly queue: TaskQueue,
    private readonly perDay: number,
    private readonly from: number,
    private readonly elicitShare: number,
    private readonly rng: Rng,
  ) {}

  planDay(day: Day): Session[] {
    if (day.end <= this.from) return [];
    const bursts = this.rng.int(2, 6);
    const sessions: Session[] = [];
    for (let b = 0; b < bursts; b++) {
      const rng = this.rng.fork();
      const start = Math.max(this.from, timeInDay('flat', day.start, this.kit.tz, rng));
      const count = this.rng.poisson(this.perDay / bursts);
      if (count === 0) continue;
      const times = scriptedTimes(start, count, rng.range(1500, 6000), 0.5, rng);
      sessions.push({
        times,
        exchange: (_i, ts) =>
          extractionExchange(this.caller, ts, rng, this.queue, {
            system: this.kit.systemPrompts[0],
            elicitation: this.kit.elicitation,
            elicitShare: this.elicitShare,
            params: { temperature: 0.7, max_tokens: 4096 },
          }),
      });
    }
    return sessions;
  }
}

/** Output harvesting through token probabilities: logprobs, top_logprobs 20 and several samples. */
export class LogprobHarvester implements Behaviour {
  constructor(
    readonly account: SimAccount,
    private readonly caller: Caller,
    private readonly queue: TaskQueue,
    private readonly activity: Activity,
    private readonly rng: Rng,
  ) {}

  planDay(day: Day): Session[] {
    return sessionsOfDay(day, this.activity, this.rng, (start, rng) => {
      const times = scriptedTimes(start, rng.int(5, 40), rng.range(2000, 9000), 0.7, rng);
      const n = rng.int(2, 8);
      return {
        times,
        exchange: (_i, ts) =>
          extractionExchange(this.caller, ts, rng, this.queue, {
            elicitShare: 0,
            params: {
              temperature: 1,
              max_tokens: rng.pick([256, 512, 1024]),
              n,
              logprobs: true,
              top_logprobs: 20,
            },
          }),
      };
    });
  }
}

/** Slow and low: a handful of requests every day for the whole period, at ordinary hours. */
export class SlowAndLow implements Behaviour {
  constructor(
    readonly account: SimAccount,
    private readonly caller: Caller,
    private readonly queue: TaskQueue,
    private readonly elicitation: ElicitationStyle,
    private readonly elicitShare: number,
    private readonly activity: Activity,
    private readonly rng: Rng,
  ) {}

  planDay(day: Day): Session[] {
    return sessionsOfDay(day, this.activity, this.rng, (start, rng) => {
      const times = scriptedTimes(start, rng.int(1, 4), rng.range(30_000, 200_000), 0.8, rng);
      return {
        times,
        exchange: (_i, ts) =>
          extractionExchange(this.caller, ts, rng, this.queue, {
            elicitation: this.elicitation,
            elicitShare: this.elicitShare,
            params: rng.chance(0.5) ? { temperature: 0.7 } : {},
          }),
      };
    });
  }
}

/** Share of days a mixed account harvests at all. */
export const MIXED_EXTRACTION_DAYS = 0.85;

/** An ordinary customer who also harvests: 10-30 % of its traffic is extraction. */
export class MixedAccount implements Behaviour {
  constructor(
    readonly account: SimAccount,
    private readonly normal: ConversationalCustomer,
    private readonly caller: Caller,
    private readonly queue: TaskQueue,
    private readonly elicitation: ElicitationStyle,
    private readonly elicitShare: number,
    private readonly extractionPerDay: number,
    private readonly tz: number,
    private readonly rng: Rng,
  ) {}

  planDay(day: Day): Session[] {
    const sessions = this.normal.planDay(day);
    if (!this.rng.chance(MIXED_EXTRACTION_DAYS)) return sessions;
    // Extraction rides along in small batches during the same person's working hours.
    let left = this.rng.poisson(this.extractionPerDay);
    while (left > 0) {
      const rng = this.rng.fork();
      const count = Math.min(left, rng.int(3, 12));
      left -= count;
      const start = timeInDay('office', day.start, this.tz, rng);
      sessions.push({
        times: scriptedTimes(start, count, rng.range(8_000, 40_000), 0.6, rng),
        exchange: (_i, ts) =>
          extractionExchange(this.caller, ts, rng, this.queue, {
            elicitation: this.elicitation,
            elicitShare: this.elicitShare,
            params:
              this.caller.habits.temperature !== undefined
                ? { temperature: this.caller.habits.temperature }
                : {},
          }),
      });
    }
    return sessions;
  }
}
