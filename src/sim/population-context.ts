import type { TruthAccount } from '../contracts/index.js';
import type { Activity } from './activity.js';
import { ConversationalCustomer, type PersonSpec } from './benign-behaviours.js';
import { APP_TEMPLATES, drawInterests, type BenignKind, type HumanCorpus } from './benign-talk.js';
import { DAY, HOUR, type Period, type Rhythm } from './calendar.js';
import { Caller, drawBenignHabits, drawClientFamily, drawUserAgents } from './caller.js';
import { Deck, type CorpusBank, type CorpusText } from './corpus.js';
import type { SimAccount } from './simulated-exchange.js';
import { CLOUDS, COUNTRIES, type Cloud, type Country } from './geography.js';
import { drawStyle } from './human-style.js';
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
import { CloudNetwork, ResidentialNetwork, type Endpoint, type NetworkProfile } from './networks.js';
import { Rng, mixKeys } from './rng.js';
import type { ScaleSpec } from './scales.js';
import type { Behaviour } from './simulated-session.js';
import { APP_SYSTEM_PROMPTS, COMPANIES } from './system-prompts.js';
import { TOPICS } from './benign-topics.js';
import { CampaignParameters, type ParameterValue } from './campaign-parameters.js';
import { VPN_PROVIDERS, vpnEndpoint } from './vpn.js';

export interface PopulationOptions {
  seed: number;
  /** Seeds the operators' infrastructure and templates; share it to simulate one actor at two providers. */
  actorSeed: number;
  accountPrefix: string;
  spec: ScaleSpec;
  period: Period;
  corpus?: CorpusBank;
}

/** The operators behind the campaigns (truth `actor`). */
export const ACTORS = {
  hydra: 'ursa',
  harvest: 'lynx',
  mixed: 'corvid',
  pooled: 'heron',
  lowRate: 'wren',
} as const;

export const BENIGN: TruthAccount = { role: 'benign', actor: null, campaign: null };
export const trap = (name: string): TruthAccount => ({
  role: 'benign',
  actor: `trap:${name}`,
  campaign: `trap:${name}`,
});
export const attacker = (actor: string, campaign: string): TruthAccount => ({
  role: 'attacker',
  actor,
  campaign,
});

const TURNS_PER_SESSION = 2.5;

export interface Forced {
  network?: NetworkProfile;
  country?: Country;
  kind?: BenignKind | 'app';
  truth?: TruthAccount;
  emailDomain?: string;
  createdAt?: number;
}

/** What every part of the population shares: ids, the window, corpora, companies. */
export class PopulationContext {
  readonly out: Behaviour[] = [];
  private readonly ids = new Set<string>();
  private idIndex = 0;
  private readonly organisations: { payment: string; domain: string }[] = [];
  private readonly human: HumanCorpus = {};
  /** Each campaign's drawn parameters (truth.json `parameters`). */
  readonly parameters: Record<string, Record<string, ParameterValue>> = {};

  constructor(readonly o: PopulationOptions) {
    const { seed } = o;
    if (o.corpus?.conversations.length)
      this.human.conversations = new Deck(
        o.corpus.conversations,
        Rng.derive(mixKeys(seed, ['deck-conversations'])),
      );
    if (o.corpus?.benignPrompts.length)
      this.human.prompts = new Deck(o.corpus.benignPrompts, Rng.derive(mixKeys(seed, ['deck-prompts'])));
  }

  /** Account ids look alike whoever holds them: a prefix and 16 random base-36 characters. */
  newId(): string {
    const rng = Rng.derive(mixKeys(this.o.seed, [this.o.accountPrefix, 'account-id', this.idIndex++]));
    let id = accountId(this.o.accountPrefix, rng);
    while (this.ids.has(id)) id = accountId(this.o.accountPrefix, rng);
    this.ids.add(id);
    return id;
  }

  /** The parameter draw of one campaign, recorded for truth.json. */
  campaignParameters(campaign: string): CampaignParameters {
    const p = new CampaignParameters(this.o.seed, this.o.accountPrefix, campaign);
    this.parameters[campaign] = p.values;
    return p;
  }

  /** A sign-up date well before the window. */
  established(rng: Rng): number {
    return this.o.period.start - DAY - Math.round(rng.exponential(260) * DAY) - rng.int(0, DAY);
  }

  corpusFor(): HumanCorpus | undefined {
    return this.human.conversations || this.human.prompts ? this.human : undefined;
  }

  attackerDeck(actor: string): Deck<CorpusText> | undefined {
    return this.o.corpus?.attackerPrompts.length
      ? new Deck(this.o.corpus.attackerPrompts, Rng.derive(mixKeys(this.o.actorSeed, ['deck-tasks', actor])))
      : undefined;
  }

  /**
   * An ordinary customer (person or product) expected to send about `expected` events. One random
   * stream draws every trait, so the steps below run in a fixed order.
   */
  ordinaryCustomer(id: string, expected: number, rng: Rng, forced?: Forced): ConversationalCustomer {
    const { period } = this.o;
    const who = drawCustomerKind(rng, expected, forced);
    const { isApp, kind, country, network } = who;
    const { createdAt, activity } = this.drawActivity(rng, expected, who, forced);
    let family = drawClientFamily(rng);
    if (isApp && family === 'browser') family = 'openai-node';
    const company = rng.pick(COMPANIES);
    const domain =
      forced?.emailDomain ??
      (isApp || (kind === 'developer' && rng.chance(0.4)) ? companyDomain(rng) : freemailDomain(rng));
    const person = this.drawPerson(rng, expected, who, company, domain);
    const tier = drawTier(rng, isApp ? 0.35 : kind === 'developer' ? 0.15 : 0);
    const { payment, emailDomain } = this.drawBilling(rng, tier, domain, who, forced);
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
          signup: vpnSignup(this.o, id, network.signup(rng)),
          verified: rng.chance(tier === 'free' ? 0.2 : 0.75),
        },
        rng,
      ),
      truth: forced?.truth ?? BENIGN,
    };
    return new ConversationalCustomer(account, caller, activity, person, rng.fork());
  }

  /** When the customer signed up and how its volume spreads over the window. */
  private drawActivity(
    rng: Rng,
    expected: number,
    who: CustomerKind,
    forced: Forced | undefined,
  ): { createdAt: number; activity: Activity } {
    const { period } = this.o;
    const newcomer = rng.chance(0.07);
    const createdAt =
      forced?.createdAt ??
      (newcomer
        ? period.start + rng.int(0, period.days - 1) * DAY + rng.int(0, DAY - 1)
        : this.established(rng));
    const from = Math.max(period.start, createdAt + rng.int(60_000, 6 * HOUR));
    const days = Math.max(0.5, (period.end - from) / DAY);
    const activeDayProb = Math.min(0.98, Math.max(0.05, expected / (expected + 40) + 0.05));
    const activity: Activity = {
      rhythm: who.rhythm,
      tz: who.country.tz,
      activeDayProb,
      sessionsPerActiveDay: expected / (days * activeDayProb * TURNS_PER_SESSION),
      from,
      to: period.end,
    };
    return { createdAt, activity };
  }

  /** What the person (or the product's users) talk about and how; a product gets its system prompt. */
  private drawPerson(
    rng: Rng,
    expected: number,
    who: CustomerKind,
    company: string,
    domain: string,
  ): PersonSpec {
    const { isApp, kind, country } = who;
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
    const corpus = this.corpusFor();
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
    return person;
  }

  /** Companies run several accounts (prod, staging, teams) on one card and domain. */
  private drawBilling(
    rng: Rng,
    tier: string,
    domain: string,
    who: CustomerKind,
    forced: Forced | undefined,
  ): { payment: string | undefined; emailDomain: string } {
    const organisations = this.organisations;
    let payment = tier !== 'free' ? paymentFingerprint(rng) : undefined;
    let emailDomain = domain;
    if (payment && !forced?.emailDomain && (who.isApp || who.kind === 'developer')) {
      if (organisations.length > 0 && rng.chance(0.12)) {
        const org = rng.pick(organisations);
        payment = org.payment;
        emailDomain = org.domain;
      } else if (rng.chance(0.3)) {
        organisations.push({ payment, domain });
      }
    }
    return { payment, emailDomain };
  }

  enterpriseAccount(id: string, network: NetworkProfile, truth: TruthAccount, rng: Rng): SimAccount {
    const established = (r: Rng): number => this.established(r);
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
}

/**
 * Some people sign up through a commercial VPN, so a VPN provider's network at sign-up is a weak
 * attribute, not a mark of an operator. Drawn on the account's own stream, so no other draw moves.
 */
const VPN_SIGNUP_SHARE = 0.05;
function vpnSignup(o: PopulationOptions, id: string, home: Endpoint): Endpoint {
  const r = Rng.derive(mixKeys(o.seed, [o.accountPrefix, 'vpn-signup', id]));
  return r.chance(VPN_SIGNUP_SHARE) ? vpnEndpoint(r.pick(VPN_PROVIDERS), r) : home;
}

export function pickCloud(rng: Rng): Cloud {
  return rng.weighted(CLOUDS.map((c) => [c, c.weight] as const));
}

export { noHabits } from './caller.js';

/** Who an ordinary customer is: a product or a person of some kind, where, on which network. */
interface CustomerKind {
  isApp: boolean;
  kind: BenignKind;
  country: Country;
  network: NetworkProfile;
  rhythm: Rhythm;
}

function drawCustomerKind(rng: Rng, expected: number, forced: Forced | undefined): CustomerKind {
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
  return { isApp, kind, country, network, rhythm };
}
