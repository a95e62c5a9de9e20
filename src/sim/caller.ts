import type { RequestParams } from '../contracts/index.js';
import { BENIGN_CLIENT_MIX, userAgent, type ClientFamily } from './clients.js';
import type { Period } from './calendar.js';
import { apiKeyIds } from './identity.js';
import { ModelChoice } from './models.js';
import type { Endpoint, NetworkProfile } from './networks.js';
import type { Rng } from './rng.js';

/** The technical side of an account: network, client software, keys, model and parameter habits. */
export class Caller {
  constructor(
    readonly network: NetworkProfile,
    readonly userAgents: readonly string[],
    readonly apiKeys: readonly string[],
    readonly models: ModelChoice,
    readonly habits: ParamHabits,
    readonly endpoint: string,
  ) {}

  envelope(
    ts: number,
    rng: Rng,
  ): { model: string; endpoint: string; client: Endpoint & { user_agent: string }; apiKeyId: string } {
    const where = this.network.at(ts, rng);
    return {
      model: this.models.at(ts, rng),
      endpoint: this.endpoint,
      client: {
        ...where,
        user_agent: this.userAgents.length === 1 ? (this.userAgents[0] as string) : rng.pick(this.userAgents),
      },
      apiKeyId: this.apiKeys.length === 1 ? (this.apiKeys[0] as string) : rng.pick(this.apiKeys),
    };
  }
}

/**
 * One of a cohort most of whom run one SDK build (an operator's toolkit, a course's notebook): that
 * client for `sdkShare` of them, the person's own otherwise; one key, ordinary model choices, no
 * parameter habits.
 */
export function cohortCaller(
  network: NetworkProfile,
  sdk: string,
  sdkShare: number,
  period: Period,
  r: Rng,
): Caller {
  return new Caller(
    network,
    r.chance(sdkShare) ? [sdk] : drawUserAgents(drawClientFamily(r), r),
    apiKeyIds(1, r),
    ModelChoice.benign(period, r),
    noHabits(),
    'chat.completions',
  );
}

/** No parameter habits: plain requests. */
export function noHabits(): ParamHabits {
  return { logprobsShare: 0, topLogprobs: 0 };
}

/** The parameters an integration sets, fixed in its code, with the odd change. */
export interface ParamHabits {
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  stream?: boolean;
  /** Share of requests that ask for logprobs, and how many alternatives. */
  logprobsShare: number;
  topLogprobs: number;
  /** Share of requests asking for several candidates (writing tools offer alternatives). */
  nShare?: number;
  n?: number;
}

export function drawBenignHabits(rng: Rng, family: ClientFamily): ParamHabits {
  const habits: ParamHabits = { logprobsShare: 0, topLogprobs: 0 };
  if (rng.chance(0.55))
    habits.temperature = rng.weighted<number>([
      [0, 2],
      [0.2, 1],
      [0.3, 1],
      [0.5, 1],
      [0.7, 4],
      [0.8, 1],
      [1, 3],
      [1.2, 0.3],
    ]);
  if (rng.chance(0.08)) habits.top_p = rng.pick([0.9, 0.95, 1]);
  if (rng.chance(0.45))
    habits.max_tokens = rng.pick([256, 500, 512, 800, 1000, 1024, 1500, 2000, 2048, 4096]);
  if (family === 'browser' || family === 'openai-node' || rng.chance(0.3)) habits.stream = rng.chance(0.7);
  // Some products score or rank answers with token probabilities.
  if (rng.chance(0.04)) {
    habits.logprobsShare = rng.range(0.3, 1);
    habits.topLogprobs = rng.pick([0, 1, 2, 3, 5, 5, 10]);
  }
  if (rng.chance(0.04)) {
    habits.nShare = rng.range(0.2, 1);
    habits.n = rng.pick([2, 2, 3, 3, 4, 5]);
  }
  return habits;
}

export function paramsFrom(habits: ParamHabits, rng: Rng): RequestParams | undefined {
  const p: RequestParams = {};
  if (habits.temperature !== undefined) p.temperature = habits.temperature;
  if (habits.top_p !== undefined) p.top_p = habits.top_p;
  if (habits.max_tokens !== undefined) p.max_tokens = habits.max_tokens;
  if (habits.stream !== undefined) p.stream = habits.stream;
  if (habits.n && habits.nShare && rng.chance(habits.nShare)) p.n = habits.n;
  if (habits.logprobsShare > 0 && rng.chance(habits.logprobsShare)) {
    p.logprobs = true;
    if (habits.topLogprobs > 0) p.top_logprobs = habits.topLogprobs;
  }
  return Object.keys(p).length > 0 ? p : undefined;
}

export function drawClientFamily(rng: Rng): ClientFamily {
  return rng.weighted(BENIGN_CLIENT_MIX);
}

/** One or two user agents: most integrations keep one; some upgrade their SDK mid-period. */
export function drawUserAgents(family: ClientFamily, rng: Rng): string[] {
  const first = userAgent(family, rng);
  return rng.chance(0.15) ? [first, userAgent(family, rng)] : [first];
}
