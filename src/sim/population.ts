import type { TruthAccount } from '../schema/index.js';
import { actorKit, TaskQueue } from './actorKit.js';
import { hostIn } from './addresses.js';
import type { Activity } from './activity.js';
import { ConversationalCustomer, type PersonSpec } from './benignBehaviours.js';
import { APP_TEMPLATES, drawInterests, type BenignKind, type HumanCorpus } from './benignTalk.js';
import { DAY, HOUR, type Period, type Rhythm } from './calendar.js';
import { Caller, drawBenignHabits, drawClientFamily, drawUserAgents, type ParamHabits } from './caller.js';
import {
  HydraMember,
  LogprobHarvester,
  MixedAccount,
  NoisySweeper,
  SlowAndLow,
} from './campaignBehaviours.js';
import { userAgent, type ClientFamily } from './clients.js';
import { Deck, type CorpusBank, type CorpusText } from './corpus.js';
import type { SimAccount } from './exchange.js';
import { CLOUDS, COUNTRIES, UNIVERSITIES, countryByCode, type Cloud, type Country } from './geography.js';
import { drawStyle } from './humanStyle.js';
import {
  accountId,
  accountRecord,
  apiKeyIds,
  companyDomain,
  drawTier,
  freemailDomain,
  paymentFingerprint,
} from './identity.js';
import { ModelChoice } from './models.js';
import { CloudNetwork, ProxyPool, ResidentialNetwork, SharedNat, type NetworkProfile } from './networks.js';
import { drawElicitationStyle } from './reasoningElicitation.js';
import { Rng, mixKeys } from './rng.js';
import type { ScaleSpec } from './scales.js';
import type { Behaviour } from './session.js';
import { APP_SYSTEM_PROMPTS, COMPANIES } from './systemPrompts.js';
import { TOPICS } from './benignTopics.js';
import { BatchLabelling, EvalHarness, SupportBot } from './trapBehaviours.js';

export interface PopulationOptions {
  seed: number;
  /** Seeds the operators' infrastructure and templates; share it to simulate one actor at two providers. */
  actorSeed: number;
  accountPrefix: string;
  spec: ScaleSpec;
  period: Period;
  corpus?: CorpusBank;
}

export const ACTORS = { hydra: 'ursa', harvest: 'lynx', mixed: 'corvid' } as const;

const BENIGN: TruthAccount = { role: 'benign', actor: null, campaign: null };
const trap = (name: string): TruthAccount => ({
  role: 'benign',
  actor: `trap:${name}`,
  campaign: `trap:${name}`,
});
const attacker = (actor: string, campaign: string): TruthAccount => ({ role: 'attacker', actor, campaign });

const TURNS_PER_SESSION = 2.5;

/** Builds every account of a simulation and the behaviour that drives it. */
export function buildPopulation(o: PopulationOptions): Behaviour[] {
  const { seed, period, spec } = o;
  const out: Behaviour[] = [];
  const ids = new Set<string>();
  let idIndex = 0;
  const newId = (): string => {
    const rng = Rng.derive(mixKeys(seed, [o.accountPrefix, 'account-id', idIndex++]));
    let id = accountId(o.accountPrefix, rng);
    while (ids.has(id)) id = accountId(o.accountPrefix, rng);
    ids.add(id);
    return id;
  };

  const human: HumanCorpus = {};
  if (o.corpus?.conversations.length)
    human.conversations = new Deck(o.corpus.conversations, Rng.derive(mixKeys(seed, ['deck-conversations'])));
  if (o.corpus?.benignPrompts.length)
    human.prompts = new Deck(o.corpus.benignPrompts, Rng.derive(mixKeys(seed, ['deck-prompts'])));
  const corpusFor = (): HumanCorpus | undefined => (human.conversations || human.prompts ? human : undefined);
  const attackerDeck = (actor: string): Deck<CorpusText> | undefined =>
    o.corpus?.attackerPrompts.length
      ? new Deck(o.corpus.attackerPrompts, Rng.derive(mixKeys(o.actorSeed, ['deck-tasks', actor])))
      : undefined;

  const organisations: { payment: string; domain: string }[] = [];
  const established = (rng: Rng): number =>
    period.start - DAY - Math.round(rng.exponential(260) * DAY) - rng.int(0, DAY);

  // Ordinary customers, with Zipf-like volumes.
  const ranks = Rng.derive(mixKeys(seed, ['ranks'])).shuffle(
    Array.from({ length: spec.benignAccounts }, (_, i) => i + 1),
  );
  const weights = ranks.map((r) => 1 / r ** 0.8);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < spec.benignAccounts; i++) {
    const rng = Rng.derive(mixKeys(seed, ['benign', i]));
    const expected = (spec.benignEvents * (weights[i] as number)) / totalWeight;
    out.push(ordinaryCustomer(newId(), expected, rng));
  }

  function ordinaryCustomer(
    id: string,
    expected: number,
    rng: Rng,
    forced?: {
      network?: NetworkProfile;
      country?: Country;
      kind?: BenignKind | 'app';
      truth?: TruthAccount;
      emailDomain?: string;
      createdAt?: number;
    },
  ): ConversationalCustomer {
    const isApp =
      forced?.kind === 'app' ||
      (!forced?.kind && rng.chance(expected > 1500 ? 0.7 : expected > 300 ? 0.4 : 0.12));
    const kind: BenignKind = isApp
      ? 'consumer'
      : ((forced?.kind as BenignKind | undefined) ??
        rng.weighted<BenignKind>([
          ['consumer', 50],
          ['developer', 22],
          ['student', 14],
          ['analyst', 14],
        ]));
    const country = forced?.country ?? rng.weighted(COUNTRIES.map((c) => [c, c.weight] as const));
    const onCloud = isApp || (kind === 'developer' && rng.chance(0.25));
    const network =
      forced?.network ??
      (onCloud ? new CloudNetwork(pickCloud(rng), rng) : new ResidentialNetwork(country, rng));
    const rhythm: Rhythm = isApp
      ? 'app'
      : ({ consumer: 'consumer', developer: 'developer', student: 'student', analyst: 'office' } as const)[
          kind
        ];
    const newcomer = rng.chance(0.07);
    const createdAt =
      forced?.createdAt ??
      (newcomer ? period.start + rng.int(0, period.days - 1) * DAY + rng.int(0, DAY - 1) : established(rng));
    const from = Math.max(period.start, createdAt + rng.int(60_000, 6 * HOUR));
    const days = Math.max(0.5, (period.end - from) / DAY);
    const activeDayProb = Math.min(0.98, Math.max(0.05, expected / (expected + 40) + 0.05));
    const activity: Activity = {
      rhythm,
      tz: country.tz,
      activeDayProb,
      sessionsPerActiveDay: expected / (days * activeDayProb * TURNS_PER_SESSION),
      from,
      to: period.end,
    };
    let family = drawClientFamily(rng);
    if (isApp && family === 'browser') family = 'openai-node';
    const company = rng.pick(COMPANIES);
    const domain =
      forced?.emailDomain ??
      (isApp || (kind === 'developer' && rng.chance(0.4)) ? companyDomain(rng) : freemailDomain(rng));
    const person: PersonSpec = {
      kind,
      language: country.language,
      interests: drawInterests(kind, rng),
      style: drawStyle(rng),
      toolShare: isApp
        ? rng.chance(0.15)
          ? rng.range(0.3, 0.8)
          : 0
        : kind === 'developer' && rng.chance(0.15)
          ? rng.range(0.1, 0.4)
          : 0,
      conversationIds: rng.chance(isApp ? 0.5 : 0.15),
    };
    const corpus = corpusFor();
    if (corpus) person.corpus = corpus;
    if (isApp) {
      if (rng.chance(0.35)) person.template = rng.pick(APP_TEMPLATES);
      const app = rng.pick(APP_SYSTEM_PROMPTS);
      person.systemPrompt = app.prompt.replaceAll('{company}', company).replaceAll('{domain}', domain);
      const fitting = TOPICS.filter((t) => app.topics.includes(t.name));
      if (fitting.length > 0) person.interests = fitting;
      person.endUsers = Array.from(
        { length: Math.max(3, Math.round(Math.sqrt(expected) * 4)) },
        () => `u_${rng.hex(12)}`,
      );
    }
    const tier = drawTier(rng, isApp ? 0.35 : kind === 'developer' ? 0.15 : 0);
    // Companies run several accounts (prod, staging, teams) on one card and domain.
    let payment = tier !== 'free' ? paymentFingerprint(rng) : undefined;
    let emailDomain = domain;
    if (payment && !forced?.emailDomain && (isApp || kind === 'developer')) {
      if (organisations.length > 0 && rng.chance(0.12)) {
        const org = rng.pick(organisations);
        payment = org.payment;
        emailDomain = org.domain;
      } else if (rng.chance(0.3)) {
        organisations.push({ payment, domain });
      }
    }
    const caller = new Caller(
      network,
      drawUserAgents(family, rng),
      apiKeyIds(isApp ? rng.int(1, 4) : rng.chance(0.2) ? 2 : 1, rng),
      ModelChoice.benign(period, rng),
      drawBenignHabits(rng, family),
      rng.chance(0.85) ? 'chat.completions' : 'responses',
    );
    const account: SimAccount = {
      record: accountRecord(
        {
          id,
          createdAt,
          tier,
          emailDomain,
          ...(payment ? { payment } : {}),
          declaredCountry: rng.chance(0.92) ? country.code : rng.pick(COUNTRIES).code,
          signup: network.signup(rng),
          verified: rng.chance(tier === 'free' ? 0.2 : 0.75),
        },
        rng,
      ),
      truth: forced?.truth ?? BENIGN,
    };
    return new ConversationalCustomer(account, caller, activity, person, rng.fork());
  }

  // Hard case: a university NAT shared by many unrelated students and researchers.
  {
    const rng = Rng.derive(mixKeys(seed, ['trap-university']));
    const uni = rng.pick(UNIVERSITIES);
    const nat = new SharedNat([hostIn(uni.asn, rng), hostIn(uni.asn, rng)], uni.asn, uni.country);
    // A course told its students to sign up in the first lab session: a burst of sign-ups from one address.
    const lab =
      period.start + rng.int(1, period.days - 3) * DAY + (14 - countryByCode(uni.country).tz) * HOUR;
    for (let i = 0; i < spec.universityAccounts; i++) {
      const r = Rng.derive(mixKeys(seed, ['university', i]));
      out.push(
        ordinaryCustomer(newId(), r.logNormal(40, 0.8), r, {
          network: nat,
          country: countryByCode(uni.country),
          kind: r.chance(0.8) ? 'student' : 'developer',
          truth: trap('university-nat'),
          emailDomain: r.chance(0.7) ? uni.domain : freemailDomain(r),
          ...(r.chance(0.35) ? { createdAt: lab + r.int(0, 2 * HOUR) } : {}),
        }),
      );
    }
  }

  // Hard case: many unrelated products hosted in one big cloud ASN.
  {
    const cloud = CLOUDS[0] as Cloud;
    for (let i = 0; i < spec.cloudAccounts; i++) {
      const r = Rng.derive(mixKeys(seed, ['cloud-asn', i]));
      out.push(
        ordinaryCustomer(newId(), r.logNormal(60, 1), r, {
          network: new CloudNetwork(cloud, r),
          kind: r.chance(0.7) ? 'app' : 'developer',
          truth: trap('cloud-asn'),
        }),
      );
    }
  }

  // Hard cases: single heavy integrations.
  {
    const rng = Rng.derive(mixKeys(seed, ['trap-support']));
    const network = new CloudNetwork(CLOUDS[3] as Cloud, rng, 3);
    const perDay = 430 * spec.trapVolume;
    const account = enterpriseAccount(newId(), network, trap('support-bot'), rng);
    const caller = new Caller(
      network,
      [userAgent('openai-node', rng)],
      apiKeyIds(2, rng),
      ModelChoice.fixed('flagship'),
      { logprobsShare: 0, topLogprobs: 0 },
      'chat.completions',
    );
    const activity: Activity = {
      rhythm: 'app',
      tz: -5,
      activeDayProb: 1,
      sessionsPerActiveDay: perDay / 2.6,
      from: period.start,
      to: period.end,
    };
    out.push(new SupportBot(account, caller, activity, rng.pick(COMPANIES), rng.fork()));
  }
  {
    const rng = Rng.derive(mixKeys(seed, ['trap-eval']));
    const network = new CloudNetwork(CLOUDS[4] as Cloud, rng, 2);
    const account = enterpriseAccount(newId(), network, trap('eval-harness'), rng);
    const caller = new Caller(
      network,
      [userAgent('openai-python', rng)],
      apiKeyIds(1, rng),
      ModelChoice.eager(period, rng, 0.3),
      { logprobsShare: 0, topLogprobs: 0 },
      'chat.completions',
    );
    out.push(
      new EvalHarness(
        account,
        caller,
        Math.round(800 * spec.trapVolume ** 0.8),
        period.days,
        mixKeys(seed, ['suite']),
        rng.fork(),
      ),
    );
  }
  {
    const rng = Rng.derive(mixKeys(seed, ['trap-batch']));
    const network = new CloudNetwork(CLOUDS[0] as Cloud, rng, 1);
    const account = enterpriseAccount(newId(), network, trap('batch-labelling'), rng);
    const caller = new Caller(
      network,
      [userAgent('aiohttp', rng)],
      apiKeyIds(1, rng),
      ModelChoice.fixed('small'),
      { logprobsShare: 0, topLogprobs: 0 },
      'chat.completions',
    );
    out.push(new BatchLabelling(account, caller, 250 * spec.trapVolume, rng.int(1, 4), rng.fork()));
  }

  function enterpriseAccount(id: string, network: NetworkProfile, truth: TruthAccount, rng: Rng): SimAccount {
    const signup = network.signup(rng);
    return {
      record: accountRecord(
        {
          id,
          createdAt: established(rng),
          tier: 'enterprise',
          emailDomain: companyDomain(rng),
          payment: paymentFingerprint(rng),
          declaredCountry: 'US',
          signup,
          verified: true,
        },
        rng,
      ),
      truth,
    };
  }

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
    const caller = new Caller(
      network,
      drawUserAgents(drawClientFamily(r), r),
      apiKeyIds(1, r),
      ModelChoice.eager(period, r, 0.2),
      noHabits(),
      'chat.completions',
    );
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

  // Campaign: ordinary-looking customers who blend extraction into their normal use.
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
        drawElicitationStyle(r, r.int(3, 6)),
        (normalEvents / period.days) * 0.3,
        country.tz,
        r.fork(),
      ),
    );
  }

  return out;
}

function pickCloud(rng: Rng): Cloud {
  return rng.weighted(CLOUDS.map((c) => [c, c.weight] as const));
}

function noHabits(): ParamHabits {
  return { logprobsShare: 0, topLogprobs: 0 };
}
