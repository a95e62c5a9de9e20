import { hostIn } from './addresses.js';
import type { Activity } from './activity.js';
import { DAY, HOUR } from './calendar.js';
import { Caller } from './caller.js';
import { userAgent, type ClientFamily } from './clients.js';
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
  const ranks = Rng.derive(mixKeys(seed, ['ranks'])).shuffle(
    Array.from({ length: spec.benignAccounts }, (_, i) => i + 1),
  );
  const weights = ranks.map((r) => 1 / r ** 0.8);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < spec.benignAccounts; i++) {
    const rng = Rng.derive(mixKeys(seed, ['benign', i]));
    const expected = (spec.benignEvents * (weights[i] as number)) / totalWeight;
    ctx.out.push(ctx.ordinaryCustomer(ctx.newId(), expected, rng));
  }
}

/**
 * The legitimate hard cases, in a fixed order: account ids are drawn in sequence, so the order is
 * part of the simulator's output.
 */
export function addTraps(ctx: PopulationContext): void {
  addUniversityNat(ctx);
  addCloudAsnTenants(ctx);
  addSupportBot(ctx);
  addEvalHarness(ctx);
  addBatchLabelling(ctx);
}

/** Hard case: a university NAT shared by many unrelated students and researchers. */
function addUniversityNat(ctx: PopulationContext): void {
  const { seed, period, spec } = ctx.o;
  const rng = Rng.derive(mixKeys(seed, ['trap-university']));
  const uni = rng.pick(UNIVERSITIES);
  const nat = new SharedNat([hostIn(uni.asn, rng), hostIn(uni.asn, rng)], uni.asn, uni.country);
  // A course told its students to sign up in the first lab session: a burst of sign-ups from one address.
  const lab = period.start + rng.int(1, period.days - 3) * DAY + (14 - countryByCode(uni.country).tz) * HOUR;
  for (let i = 0; i < spec.universityAccounts; i++) {
    const r = Rng.derive(mixKeys(seed, ['university', i]));
    ctx.out.push(
      ctx.ordinaryCustomer(ctx.newId(), r.logNormal(40, 0.8), r, {
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

/** Hard case: many unrelated products hosted in one big cloud ASN. */
function addCloudAsnTenants(ctx: PopulationContext): void {
  const { seed, spec } = ctx.o;
  const cloud = CLOUDS[0] as Cloud;
  for (let i = 0; i < spec.cloudAccounts; i++) {
    const r = Rng.derive(mixKeys(seed, ['cloud-asn', i]));
    ctx.out.push(
      ctx.ordinaryCustomer(ctx.newId(), r.logNormal(60, 1), r, {
        network: new CloudNetwork(cloud, r),
        kind: r.chance(0.7) ? 'app' : 'developer',
        truth: trap('cloud-asn'),
      }),
    );
  }
}

/** A single heavy integration: an enterprise account on a cloud, one client, no log-probabilities. */
function heavyIntegration(
  ctx: PopulationContext,
  key: string,
  name: string,
  cloud: number,
  addresses: number,
  client: { family: ClientFamily; keys: number; models: (rng: Rng) => ModelChoice },
): { rng: Rng; account: SimAccount; caller: Caller } {
  const rng = Rng.derive(mixKeys(ctx.o.seed, [`trap-${key}`]));
  const network = new CloudNetwork(CLOUDS[cloud] as Cloud, rng, addresses);
  const account = ctx.enterpriseAccount(ctx.newId(), network, trap(name), rng);
  const caller = new Caller(
    network,
    [userAgent(client.family, rng)],
    apiKeyIds(client.keys, rng),
    client.models(rng),
    { logprobsShare: 0, topLogprobs: 0 },
    'chat.completions',
  );
  return { rng, account, caller };
}

/** Hard case: a customer-support bot answering around the clock. */
function addSupportBot(ctx: PopulationContext): void {
  const { period, spec } = ctx.o;
  const { rng, account, caller } = heavyIntegration(ctx, 'support', 'support-bot', 3, 3, {
    family: 'openai-node',
    keys: 2,
    models: () => ModelChoice.fixed('flagship'),
  });
  const perDay = 430 * spec.trapVolume;
  const activity: Activity = {
    rhythm: 'app',
    tz: -5,
    activeDayProb: 1,
    sessionsPerActiveDay: perDay / 2.6,
    from: period.start,
    to: period.end,
  };
  ctx.out.push(new SupportBot(account, caller, activity, rng.pick(COMPANIES), rng.fork()));
}

/** Hard case: an evaluation harness re-running a fixed suite against new models. */
function addEvalHarness(ctx: PopulationContext): void {
  const { seed, period, spec } = ctx.o;
  const { rng, account, caller } = heavyIntegration(ctx, 'eval', 'eval-harness', 4, 2, {
    family: 'openai-python',
    keys: 1,
    models: (r) => ModelChoice.eager(period, r, 0.3),
  });
  const runs = Math.round(800 * spec.trapVolume ** 0.8);
  ctx.out.push(new EvalHarness(account, caller, runs, period.days, mixKeys(seed, ['suite']), rng.fork()));
}

/** Hard case: a batch job labelling data with a small model. */
function addBatchLabelling(ctx: PopulationContext): void {
  const { spec } = ctx.o;
  const { rng, account, caller } = heavyIntegration(ctx, 'batch', 'batch-labelling', 0, 1, {
    family: 'aiohttp',
    keys: 1,
    models: () => ModelChoice.fixed('small'),
  });
  ctx.out.push(new BatchLabelling(account, caller, 250 * spec.trapVolume, rng.int(1, 4), rng.fork()));
}
