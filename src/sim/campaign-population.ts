import { actorKit, TaskQueue } from './actor-kit.js';
import type { Activity } from './activity.js';
import type { ConversationalCustomer } from './benign-behaviours.js';
import { DAY, HOUR } from './calendar.js';
import { Caller, drawClientFamily, drawUserAgents } from './caller.js';
import {
  HydraMember,
  LogprobHarvester,
  MixedAccount,
  NoisySweeper,
  SlowAndLow,
} from './campaign-behaviours.js';
import { type ClientFamily } from './clients.js';
import { PooledClient, PoolMember } from './pooled-client.js';
import type { Deck } from './corpus.js';
import { type CorpusText } from './corpus.js';
import { CLOUDS, COUNTRIES } from './geography.js';
import { accountRecord, apiKeyIds, companyDomain, freemailDomain, paymentFingerprint } from './identity.js';
import { ModelChoice } from './models.js';
import { CloudNetwork, ProxyPool, ResidentialNetwork, type NetworkProfile } from './networks.js';
import { Rng, mixKeys } from './rng.js';
import type { PopulationContext } from './population-context.js';
import { ACTORS, attacker, pickCloud, noHabits } from './population-context.js';

/** The extraction campaigns. */
export function addCampaigns(ctx: PopulationContext): void {
  const { seed, period, spec } = ctx.o;
  // An account on its own client (a common client family), keen on new models.
  const ownEagerClient = (network: NetworkProfile, r: Rng): Caller =>
    new Caller(
      network,
      drawUserAgents(drawClientFamily(r), r),
      apiKeyIds(1, r),
      ModelChoice.eager(period, r, 0.2),
      noHabits(),
      'chat.completions',
    );
  const o = ctx.o;
  const out = ctx.out;
  const newId = (): string => ctx.newId();
  const established = (r: Rng): number => ctx.established(r);
  const ordinaryCustomer = (
    ...args: Parameters<PopulationContext['ordinaryCustomer']>
  ): ConversationalCustomer => ctx.ordinaryCustomer(...args);
  const attackerDeck = (actor: string): Deck<CorpusText> | undefined => ctx.attackerDeck(actor);
  // Campaign: a hydra cluster and its operator's noisy sweeper.
  const hydraKit = actorKit(o.actorSeed, ACTORS.hydra, spec.hydraAccounts);
  const hydraQueue = new TaskQueue(hydraKit, attackerDeck(ACTORS.hydra));
  {
    const proxies = new ProxyPool(hydraKit.proxyBlocks, hydraKit.signupBlocks);
    const rng = Rng.derive(mixKeys(o.actorSeed, ['hydra-waves']));
    const waves = 3 + Math.floor(spec.hydraAccounts / 1000);
    const waveStarts = Array.from(
      { length: waves },
      (_, k) =>
        period.start - 2 * DAY + Math.round((k / waves) * (period.days - 4) * DAY) + rng.int(0, 20) * HOUR,
    );
    for (let i = 0; i < spec.hydraAccounts; i++) {
      const r = Rng.derive(mixKeys(seed, [o.accountPrefix, 'hydra', i]));
      const createdAt = r.pick(waveStarts) + r.int(0, 5 * HOUR);
      const paid = r.chance(0.6);
      const payment = paid ? (r.chance(0.75) ? r.pick(hydraKit.cards) : paymentFingerprint(r)) : undefined;
      const record = accountRecord(
        {
          id: newId(),
          createdAt,
          tier: paid ? 'paid' : 'free',
          emailDomain: r.chance(0.85) ? r.pick(hydraKit.emailDomains) : r.pick(['gmail.com', 'outlook.com']),
          ...(payment ? { payment } : {}),
          declaredCountry: r.pick(hydraKit.declaredCountries),
          signup: proxies.signup(r),
          verified: r.chance(0.08),
        },
        r,
      );
      const caller = new Caller(
        proxies,
        [r.pick(hydraKit.userAgents)],
        apiKeyIds(1, r),
        ModelChoice.eager(period, r),
        noHabits(),
        'chat.completions',
      );
      const from = Math.max(period.start, createdAt + r.int(1, 12) * HOUR);
      const to = Math.min(period.end, from + r.logNormal(6, 0.4) * DAY);
      out.push(
        new HydraMember(
          { record, truth: attacker(ACTORS.hydra, 'hydra') },
          caller,
          hydraKit,
          hydraQueue,
          from,
          Math.max(to, from + DAY),
          r.fork(),
        ),
      );
    }
  }
  {
    const r = Rng.derive(mixKeys(seed, [o.accountPrefix, 'noisy']));
    const network = new CloudNetwork(
      r.pick(CLOUDS.filter((c) => ['hetzner', 'digitalocean', 'ovh', 'vultr'].includes(c.name))),
      r,
      1,
    );
    const record = accountRecord(
      {
        id: newId(),
        createdAt: period.start - r.int(1, 30) * DAY,
        tier: 'paid',
        emailDomain: freemailDomain(r),
        payment: paymentFingerprint(r),
        declaredCountry: r.pick(hydraKit.declaredCountries),
        signup: network.signup(r),
        verified: false,
      },
      r,
    );
    const caller = new Caller(
      network,
      [hydraKit.userAgents[0] as string],
      apiKeyIds(1, r),
      ModelChoice.eager(period, r),
      noHabits(),
      'chat.completions',
    );
    out.push(
      new NoisySweeper(
        { record, truth: attacker(ACTORS.hydra, 'noisy-sweep') },
        caller,
        hydraKit,
        hydraQueue,
        spec.noisyPerDay,
        period.start + r.int(0, 2) * DAY,
        r.fork(),
      ),
    );
  }

  // Campaigns: soft-label harvesting and slow-and-low extraction by a second operator.
  const lynxKit = actorKit(o.actorSeed, ACTORS.harvest, 0);
  const lynxQueue = new TaskQueue(lynxKit, attackerDeck(ACTORS.harvest));
  for (let i = 0; i < spec.logprobAccounts; i++) {
    const r = Rng.derive(mixKeys(seed, [o.accountPrefix, 'logprob', i]));
    const country = r.weighted(COUNTRIES.map((c) => [c, c.weight] as const));
    const network = r.chance(0.5)
      ? new CloudNetwork(pickCloud(r), r, r.int(1, 2))
      : new ResidentialNetwork(country, r);
    const record = accountRecord(
      {
        id: newId(),
        createdAt: established(r),
        tier: 'paid',
        emailDomain: r.chance(0.5) ? freemailDomain(r) : companyDomain(r),
        payment: paymentFingerprint(r),
        declaredCountry: country.code,
        signup: network.signup(r),
        verified: r.chance(0.5),
      },
      r,
    );
    const caller = ownEagerClient(network, r);
    const from = period.start + r.int(0, 5) * DAY;
    const activity: Activity = {
      rhythm: 'developer',
      tz: lynxKit.tz,
      activeDayProb: 0.8,
      sessionsPerActiveDay: r.range(2, 5),
      from,
      to: Math.min(period.end, from + r.int(5, 12) * DAY),
    };
    out.push(
      new LogprobHarvester(
        { record, truth: attacker(ACTORS.harvest, 'logprob-harvest') },
        caller,
        lynxQueue,
        activity,
        r.fork(),
      ),
    );
  }
  for (let i = 0; i < spec.slowAccounts; i++) {
    const r = Rng.derive(mixKeys(seed, [o.accountPrefix, 'slow', i]));
    const country = r.weighted(COUNTRIES.map((c) => [c, c.weight] as const));
    const network = new ResidentialNetwork(country, r);
    const tier = r.chance(0.6) ? 'paid' : 'free';
    const record = accountRecord(
      {
        id: newId(),
        createdAt: established(r),
        tier,
        emailDomain: freemailDomain(r),
        ...(tier === 'paid' ? { payment: paymentFingerprint(r) } : {}),
        declaredCountry: country.code,
        signup: network.signup(r),
        verified: r.chance(0.3),
      },
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
    out.push(
      new SlowAndLow(
        { record, truth: attacker(ACTORS.harvest, 'slow-and-low') },
        caller,
        lynxQueue,
        lynxKit.elicitation,
        activity,
        r.fork(),
      ),
    );
  }

  // Campaign: ordinary-looking customers who blend extraction into their normal use. Each runs
  // the operator's harvesting recipe (one task queue, one set of wrapper phrasings) from its own
  // network and client: the recipe is what makes the harvest one training set.
  const corvidKit = actorKit(o.actorSeed, ACTORS.mixed, 0);
  const corvidQueue = new TaskQueue(corvidKit, attackerDeck(ACTORS.mixed));
  for (let i = 0; i < spec.mixedAccounts; i++) {
    const r = Rng.derive(mixKeys(seed, [o.accountPrefix, 'mixed', i]));
    const normalEvents = r.logNormal(450, 0.4);
    const country = r.weighted(COUNTRIES.map((c) => [c, c.weight] as const));
    const network = new ResidentialNetwork(country, r);
    const inner = ordinaryCustomer(newId(), normalEvents, r, {
      network,
      country,
      kind: 'developer',
      truth: attacker(ACTORS.mixed, 'mixed-account'),
    });
    out.push(
      new MixedAccount(
        inner.account,
        inner,
        inner.caller,
        corvidQueue,
        corvidKit.elicitation,
        (normalEvents / period.days) * 0.3,
        country.tz,
        r.fork(),
      ),
    );
  }

  // Campaign: one job runner load-balancing a harvest over a pool of accounts that share nothing
  // else: each has its own card, free-mail address, residential exit and client, and the runner
  // phrases every request for reasoning afresh.
  const heronKit = actorKit(o.actorSeed, ACTORS.pooled, 0);
  const heronQueue = new TaskQueue(heronKit, attackerDeck(ACTORS.pooled));
  const client = new PooledClient(
    spec.pooledAccounts,
    heronKit.tz,
    4,
    2.5,
    Rng.derive(mixKeys(o.actorSeed, ['pooled-client'])),
  );
  for (let i = 0; i < spec.pooledAccounts; i++) {
    const r = Rng.derive(mixKeys(seed, [o.accountPrefix, 'pooled', i]));
    const country = r.weighted(COUNTRIES.map((c) => [c, c.weight] as const));
    const network = new ResidentialNetwork(country, r);
    const paid = r.chance(0.7);
    const record = accountRecord(
      {
        id: newId(),
        createdAt: period.start - r.int(2, 60) * DAY,
        tier: paid ? 'paid' : 'free',
        emailDomain: freemailDomain(r),
        ...(paid ? { payment: paymentFingerprint(r) } : {}),
        declaredCountry: country.code,
        signup: network.signup(r),
        verified: r.chance(0.2),
      },
      r,
    );
    const caller = ownEagerClient(network, r);
    out.push(
      new PoolMember(
        { record, truth: attacker(ACTORS.pooled, 'pooled-client') },
        caller,
        client,
        i,
        heronQueue,
        { temperature: r.pick([0.6, 0.7, 0.8, 1]), max_tokens: r.pick([1024, 2048, 4096]) },
        r.fork(),
      ),
    );
  }
}
