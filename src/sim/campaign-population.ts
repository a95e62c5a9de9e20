import { actorKit, TaskQueue, type ActorKit } from './actor-kit.js';
import type { Activity } from './activity.js';
import { DAY, HOUR } from './calendar.js';
import { Caller, drawClientFamily, drawUserAgents } from './caller.js';
import {
  HydraMember,
  LogprobHarvester,
  MIXED_EXTRACTION_DAYS,
  MixedAccount,
  NoisySweeper,
  SlowAndLow,
} from './campaign-behaviours.js';
import { type ClientFamily } from './clients.js';
import { PooledClient, PoolMember } from './pooled-client.js';
import { CLOUDS, COUNTRIES, type Country } from './geography.js';
import {
  accountRecord,
  apiKeyIds,
  companyDomain,
  freemailAccount,
  freemailDomain,
  paymentFingerprint,
} from './identity.js';
import { ModelChoice } from './models.js';
import { CloudNetwork, ProxyPool, ResidentialNetwork, type NetworkProfile } from './networks.js';
import { Rng, mixKeys } from './rng.js';
import type { CampaignParameters } from './campaign-parameters.js';
import { addLowRateCoordinated } from './low-rate-campaign.js';
import type { PopulationContext } from './population-context.js';
import { ACTORS, attacker, pickCloud, noHabits } from './population-context.js';

/**
 * The extraction campaigns, in a fixed order: account ids and the operators' task decks are
 * drawn in sequence, so the order is part of the simulator's output.
 */
export function addCampaigns(ctx: PopulationContext): void {
  addHydra(ctx);
  addHarvesters(ctx);
  addMixedAccounts(ctx);
  addPooledHarvest(ctx);
  addLowRateCoordinated(ctx);
}

/** A campaign's size: the scale's nominal count times a drawn factor, at least `min`. */
function drawnSize(p: CampaignParameters, nominal: number, lo: number, hi: number, min: number): number {
  const n = Math.max(min, Math.round(nominal * p.range('sizeFactor', lo, hi)));
  p.values.accounts = n;
  return n;
}

/** The task queue of one operator: its kit and, when a corpus feeds attackers, its deck. */
function operatorQueue(ctx: PopulationContext, kit: ActorKit, actor: string): TaskQueue {
  return new TaskQueue(kit, ctx.attackerDeck(actor));
}

/** The account's own client (a common client family), keen on new models. */
function ownEagerClient(ctx: PopulationContext, network: NetworkProfile, r: Rng): Caller {
  return new Caller(
    network,
    drawUserAgents(drawClientFamily(r), r),
    apiKeyIds(1, r),
    ModelChoice.eager(ctx.o.period, r, 0.2),
    noHabits(),
    'chat.completions',
  );
}

/** A campaign account's deterministic random stream: by campaign and index, not by draw order. */
function accountRng(ctx: PopulationContext, campaign: string, i: number): Rng {
  return Rng.derive(mixKeys(ctx.o.seed, [ctx.o.accountPrefix, campaign, i]));
}

const drawCountry = (r: Rng): Country => r.weighted(COUNTRIES.map((c) => [c, c.weight] as const));

/** Campaign: a hydra cluster signing up in waves behind one proxy pool, and its operator's noisy sweeper. */
function addHydra(ctx: PopulationContext): void {
  const { o } = ctx;
  const { period, spec } = o;
  const p = ctx.campaignParameters('hydra');
  const accounts = drawnSize(p, spec.hydraAccounts, 0.7, 1.3, 20);
  const habits = {
    rateLow: p.range('requestsPerDayLow', 3, 8),
    rateHigh: p.range('requestsPerDayHigh', 20, 40),
    elicitShare: p.range('elicitationShare', 0.6, 0.95),
    systemShare: p.range('systemPromptShare', 0.5, 0.95),
    pausedDays: p.range('pausedDayShare', 0.05, 0.2),
  };
  // Which links exist at all: shared cards and the operator's e-mail domains are drawn.
  const cardShare = p.link('operatorCardShare', 0.8, 0.5, 0.9);
  const emailShare = p.link('operatorEmailShare', 0.8, 0.6, 0.95);
  // The actor's infrastructure is the actor's, sized for its nominal operation: one actor hitting
  // two providers uses the same proxies and cards at both, however many accounts it opens at each.
  const kit = actorKit(o.actorSeed, ACTORS.hydra, spec.hydraAccounts);
  const queue = operatorQueue(ctx, kit, ACTORS.hydra);
  const proxies = new ProxyPool(kit.proxyBlocks, kit.signupBlocks);
  const rng = Rng.derive(mixKeys(o.actorSeed, ['hydra-waves']));
  const waves = 3 + Math.floor(accounts / 1000);
  const waveStarts = Array.from(
    { length: waves },
    (_, k) =>
      period.start - 2 * DAY + Math.round((k / waves) * (period.days - 4) * DAY) + rng.int(0, 20) * HOUR,
  );
  for (let i = 0; i < accounts; i++) {
    const r = accountRng(ctx, 'hydra', i);
    const createdAt = r.pick(waveStarts) + r.int(0, 5 * HOUR);
    const paid = r.chance(0.6);
    const payment = paid ? (r.chance(cardShare) ? r.pick(kit.cards) : paymentFingerprint(r)) : undefined;
    const record = accountRecord(
      {
        id: ctx.newId(),
        createdAt,
        tier: paid ? 'paid' : 'free',
        emailDomain: r.chance(emailShare) ? r.pick(kit.emailDomains) : freemailDomain(r),
        ...(payment ? { payment } : {}),
        declaredCountry: r.pick(kit.declaredCountries),
        signup: proxies.signup(r),
        verified: r.chance(0.08),
      },
      r,
    );
    const caller = new Caller(
      proxies,
      [r.pick(kit.userAgents)],
      apiKeyIds(1, r),
      ModelChoice.eager(period, r),
      noHabits(),
      'chat.completions',
    );
    const from = Math.max(period.start, createdAt + r.int(1, 12) * HOUR);
    const to = Math.min(period.end, from + r.logNormal(6, 0.4) * DAY);
    ctx.out.push(
      new HydraMember(
        { record, truth: attacker(ACTORS.hydra, 'hydra') },
        caller,
        kit,
        queue,
        from,
        Math.max(to, from + DAY),
        habits,
        r.fork(),
      ),
    );
  }
  addNoisySweeper(ctx, kit, queue);
}

/** The hydra operator's one loud account: a paid cloud client sweeping capabilities. */
function addNoisySweeper(ctx: PopulationContext, kit: ActorKit, queue: TaskQueue): void {
  const { o } = ctx;
  const { period } = o;
  const p = ctx.campaignParameters('noisy-sweep');
  const perDay = Math.round(o.spec.noisyPerDay * p.range('volumeFactor', 0.6, 1.4));
  const elicitShare = p.range('elicitationShare', 0.4, 0.8);
  const r = Rng.derive(mixKeys(o.seed, [o.accountPrefix, 'noisy']));
  const network = new CloudNetwork(
    r.pick(CLOUDS.filter((c) => ['hetzner', 'digitalocean', 'ovh', 'vultr'].includes(c.name))),
    r,
    1,
  );
  const record = accountRecord(
    {
      id: ctx.newId(),
      createdAt: period.start - r.int(1, 30) * DAY,
      tier: 'paid',
      emailDomain: freemailDomain(r),
      payment: paymentFingerprint(r),
      declaredCountry: r.pick(kit.declaredCountries),
      signup: network.signup(r),
      verified: false,
    },
    r,
  );
  const caller = new Caller(
    network,
    [kit.userAgents[0] as string],
    apiKeyIds(1, r),
    ModelChoice.eager(period, r),
    noHabits(),
    'chat.completions',
  );
  ctx.out.push(
    new NoisySweeper(
      { record, truth: attacker(ACTORS.hydra, 'noisy-sweep') },
      caller,
      kit,
      queue,
      perDay,
      period.start + r.int(0, 2) * DAY,
      elicitShare,
      r.fork(),
    ),
  );
}

/** Campaigns: soft-label harvesting and slow-and-low extraction by a second operator. */
function addHarvesters(ctx: PopulationContext): void {
  const { o } = ctx;
  const kit = actorKit(o.actorSeed, ACTORS.harvest, 0);
  const queue = operatorQueue(ctx, kit, ACTORS.harvest);
  const lp = ctx.campaignParameters('logprob-harvest');
  const logprobAccounts = drawnSize(lp, o.spec.logprobAccounts, 0.7, 1.5, 2);
  const sp = ctx.campaignParameters('slow-and-low');
  const slowAccounts = drawnSize(sp, o.spec.slowAccounts, 0.6, 1.4, 4);
  const slowElicit = sp.range('elicitationShare', 0.5, 0.9);
  for (let i = 0; i < logprobAccounts; i++) ctx.out.push(logprobHarvester(ctx, kit, queue, i));
  for (let i = 0; i < slowAccounts; i++) ctx.out.push(slowAndLow(ctx, kit, queue, i, slowElicit));
}

function logprobHarvester(
  ctx: PopulationContext,
  kit: ActorKit,
  queue: TaskQueue,
  i: number,
): LogprobHarvester {
  const { period } = ctx.o;
  const r = accountRng(ctx, 'logprob', i);
  const country = drawCountry(r);
  const network = r.chance(0.5)
    ? new CloudNetwork(pickCloud(r), r, r.int(1, 2))
    : new ResidentialNetwork(country, r);
  const record = accountRecord(
    {
      id: ctx.newId(),
      createdAt: ctx.established(r),
      tier: 'paid',
      emailDomain: r.chance(0.5) ? freemailDomain(r) : companyDomain(r),
      payment: paymentFingerprint(r),
      declaredCountry: country.code,
      signup: network.signup(r),
      verified: r.chance(0.5),
    },
    r,
  );
  const caller = ownEagerClient(ctx, network, r);
  const from = period.start + r.int(0, 5) * DAY;
  const activity: Activity = {
    rhythm: 'developer',
    tz: kit.tz,
    activeDayProb: 0.8,
    sessionsPerActiveDay: r.range(2, 5),
    from,
    to: Math.min(period.end, from + r.int(5, 12) * DAY),
  };
  return new LogprobHarvester(
    { record, truth: attacker(ACTORS.harvest, 'logprob-harvest') },
    caller,
    queue,
    activity,
    r.fork(),
  );
}

function slowAndLow(
  ctx: PopulationContext,
  kit: ActorKit,
  queue: TaskQueue,
  i: number,
  elicitShare: number,
): SlowAndLow {
  const { period } = ctx.o;
  const r = accountRng(ctx, 'slow', i);
  const country = drawCountry(r);
  const network = new ResidentialNetwork(country, r);
  const paid = r.chance(0.6);
  const record = freemailAccount(
    {
      id: ctx.newId(),
      createdAt: ctx.established(r),
      paid,
      declaredCountry: country.code,
      verifiedShare: 0.3,
    },
    network,
    r,
  );
  const family: ClientFamily = r.pick([
    'openai-python',
    'openai-python',
    'python-requests',
    'httpx',
    'openai-node',
  ]);
  const caller = new Caller(
    network,
    drawUserAgents(family, r),
    apiKeyIds(1, r),
    ModelChoice.benign(period, r),
    noHabits(),
    'chat.completions',
  );
  const activity: Activity = {
    rhythm: 'office',
    tz: country.tz,
    activeDayProb: 0.9,
    sessionsPerActiveDay: r.range(4, 10),
    from: period.start,
    to: period.end,
  };
  return new SlowAndLow(
    { record, truth: attacker(ACTORS.harvest, 'slow-and-low') },
    caller,
    queue,
    kit.elicitation,
    elicitShare,
    activity,
    r.fork(),
  );
}

/**
 * Campaign: ordinary-looking customers who blend extraction into their normal use. Each runs
 * the operator's harvesting recipe (one task queue, one set of wrapper phrasings) from its own
 * network and client: the recipe is what makes the harvest one training set.
 */
function addMixedAccounts(ctx: PopulationContext): void {
  const { o } = ctx;
  const p = ctx.campaignParameters('mixed-account');
  // Long-lived customers: each blends its own share of extraction, 10-30 % of its traffic.
  const shareLow = 0.1;
  const shareHigh = 0.3;
  const elicitShare = p.range('elicitationShare', 0.55, 0.9);
  const kit = actorKit(o.actorSeed, ACTORS.mixed, 0);
  const queue = operatorQueue(ctx, kit, ACTORS.mixed);
  const shares: number[] = [];
  const shareRng = p.fork();
  for (let i = 0; i < o.spec.mixedAccounts; i++) {
    const r = accountRng(ctx, 'mixed', i);
    const share = Math.round(shareRng.range(shareLow, shareHigh) * 1000) / 1000;
    shares.push(share);
    const normalEvents = r.logNormal(450, 0.4);
    const country = drawCountry(r);
    const network = new ResidentialNetwork(country, r);
    const inner = ctx.ordinaryCustomer(ctx.newId(), normalEvents, r, {
      network,
      country,
      kind: 'developer',
      truth: attacker(ACTORS.mixed, 'mixed-account'),
    });
    ctx.out.push(
      new MixedAccount(
        inner.account,
        inner,
        inner.caller,
        queue,
        kit.elicitation,
        elicitShare,
        // Extraction rides on 85 % of days: per such day, share/(1 - share) of the normal volume.
        ((normalEvents / o.period.days) * share) / (1 - share) / MIXED_EXTRACTION_DAYS,
        country.tz,
        r.fork(),
      ),
    );
  }
  p.values.extractionShares = shares.join(',');
}

/**
 * Campaign: one job runner load-balancing a harvest over a pool of accounts that share nothing
 * else: each has its own card, free-mail address, residential exit and client, and the runner
 * phrases every request for reasoning afresh.
 */
function addPooledHarvest(ctx: PopulationContext): void {
  const { o } = ctx;
  const p = ctx.campaignParameters('pooled-client');
  const pooledAccounts = drawnSize(p, o.spec.pooledAccounts, 0.7, 1.3, 6);
  const kit = actorKit(o.actorSeed, ACTORS.pooled, 0);
  const queue = operatorQueue(ctx, kit, ACTORS.pooled);
  const client = new PooledClient(
    pooledAccounts,
    kit.tz,
    4,
    2.5,
    Rng.derive(mixKeys(o.actorSeed, ['pooled-client'])),
  );
  for (let i = 0; i < pooledAccounts; i++) {
    const r = accountRng(ctx, 'pooled', i);
    const country = drawCountry(r);
    const network = new ResidentialNetwork(country, r);
    const paid = r.chance(0.7);
    const record = freemailAccount(
      {
        id: ctx.newId(),
        createdAt: o.period.start - r.int(2, 60) * DAY,
        paid,
        declaredCountry: country.code,
        verifiedShare: 0.2,
      },
      network,
      r,
    );
    const caller = ownEagerClient(ctx, network, r);
    ctx.out.push(
      new PoolMember(
        { record, truth: attacker(ACTORS.pooled, 'pooled-client') },
        caller,
        client,
        i,
        queue,
        { temperature: r.pick([0.6, 0.7, 0.8, 1]), max_tokens: r.pick([1024, 2048, 4096]) },
        r.fork(),
      ),
    );
  }
}
