import { hostIn } from './addresses.js';
import type { Activity } from './activity.js';
import type { ConversationalCustomer } from './benign-behaviours.js';
import { DAY, HOUR } from './calendar.js';
import { Caller } from './caller.js';
import { userAgent } from './clients.js';
import type { SimAccount } from './simulated-exchange.js';
import { CLOUDS, UNIVERSITIES, countryByCode, type Cloud } from './geography.js';
import { apiKeyIds, freemailDomain } from './identity.js';
import { ModelChoice } from './models.js';
import { CloudNetwork, SharedNat } from './networks.js';
import { Rng, mixKeys } from './rng.js';
import { COMPANIES } from './system-prompts.js';
import { BatchLabelling, EvalHarness, SupportBot } from './trap-behaviours.js';
import type { PopulationContext } from './population-context.js';
import { trap } from './population-context.js';

/** Ordinary customers, with Zipf-like volumes. */
export function addOrdinaryCustomers(ctx: PopulationContext): void {
  const { seed, spec } = ctx.o;
  const out = ctx.out;
  const newId = (): string => ctx.newId();
  const ordinaryCustomer = (
    ...args: Parameters<PopulationContext['ordinaryCustomer']>
  ): ConversationalCustomer => ctx.ordinaryCustomer(...args);
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
}

/** The legitimate hard cases. */
export function addTraps(ctx: PopulationContext): void {
  const { seed, period, spec } = ctx.o;
  const out = ctx.out;
  const newId = (): string => ctx.newId();
  const ordinaryCustomer = (
    ...args: Parameters<PopulationContext['ordinaryCustomer']>
  ): ConversationalCustomer => ctx.ordinaryCustomer(...args);
  const enterpriseAccount = (...args: Parameters<PopulationContext['enterpriseAccount']>): SimAccount =>
    ctx.enterpriseAccount(...args);
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
}
