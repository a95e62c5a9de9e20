import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, type ApiEvent, type Truth } from '../contracts/index.js';
import { periodFor, type Period } from './calendar.js';
import type { SimAccount } from './simulated-exchange.js';
import { CorpusBank, type CorpusFile } from './corpus.js';
import { NdjsonWriter } from './ndjson-writer.js';
import { buildPopulationWithParameters } from './population.js';
import { Rng, mixKeys } from './rng.js';
import { SCALES, type Scale } from './scales.js';
import { timeOrderedEvents } from './scheduler.js';

export interface SimulateOptions {
  scale: Scale;
  seed: number;
  /** Output directory (created if missing). */
  out: string;
  /** Write traffic.ndjson.gz instead of traffic.ndjson. */
  gzip?: boolean;
  /** Real prompt corpora to draw texts from (see CorpusBank for how roles are decided). */
  corpus?: readonly (string | CorpusFile)[];
  /**
   * Seed of the attackers' infrastructure and templates (default: `seed`). Two runs with the same
   * actorSeed and different seeds and account prefixes are two providers hit by one actor.
   */
  actorSeed?: number;
  /** Prefix of account ids (default `acct_`). */
  accountPrefix?: string;
  /** Length of the window in days (default 14). */
  days?: number;
}

export interface SimulationSummary {
  files: { traffic: string; accounts: string; truth: string };
  events: number;
  accounts: number;
  period: { from: string; to: string; release: string };
  eventsByRole: { benign: number; attacker: number };
  /** Accounts per attacker campaign and per trap. */
  campaigns: Record<string, number>;
  elapsedMs: number;
}

export interface SimulationStream {
  period: Period;
  /** Account records, sorted by id, with their ground truth. */
  accounts: readonly SimAccount[];
  truth: Truth;
  /** The traffic, globally time-ordered; generated lazily, so any prefix is cheap to take. */
  events(): Generator<ApiEvent>;
}

type StreamOptions = Omit<SimulateOptions, 'out' | 'gzip'>;

/** The simulation without files: for tests, the gateway's fake traffic and other in-process users. */
export function simulationStream(options: StreamOptions): SimulationStream {
  const spec = SCALES[options.scale];
  if (!spec)
    throw new UserError(
      'INVALID_ARGUMENT',
      `unknown scale "${String(options.scale)}"; use small, medium or large`,
    );
  if (!Number.isSafeInteger(options.seed) || options.seed < 0) {
    throw new UserError(
      'INVALID_ARGUMENT',
      `seed must be a non-negative integer, got ${String(options.seed)}`,
    );
  }
  if (
    options.actorSeed !== undefined &&
    (!Number.isSafeInteger(options.actorSeed) || options.actorSeed < 0)
  ) {
    throw new UserError(
      'INVALID_ARGUMENT',
      `actor seed must be a non-negative integer, got ${String(options.actorSeed)}`,
    );
  }
  const days = options.days ?? 14;
  if (!Number.isInteger(days) || days < 2 || days > 90) {
    throw new UserError('INVALID_ARGUMENT', `days must be an integer from 2 to 90, got ${days}`);
  }
  const accountPrefix = options.accountPrefix ?? 'acct_';
  if (!/^[A-Za-z0-9_.:-]{0,40}$/.test(accountPrefix)) {
    throw new UserError(
      'INVALID_ARGUMENT',
      'account prefix may use letters, digits and _.:- (at most 40 characters)',
    );
  }
  const corpus = options.corpus?.length ? CorpusBank.load(options.corpus) : undefined;
  const period = periodFor(options.seed, days);
  const { behaviours, parameters } = buildPopulationWithParameters({
    seed: options.seed,
    actorSeed: options.actorSeed ?? options.seed,
    accountPrefix,
    spec,
    period,
    ...(corpus ? { corpus } : {}),
  });
  const accounts = behaviours
    .map((b) => b.account)
    .sort((a, b) => (a.record.account_id < b.record.account_id ? -1 : 1));
  const truth: Truth = { accounts: {}, clusters: {}, parameters };
  for (const a of accounts) {
    truth.accounts[a.record.account_id] = a.truth;
    if (a.truth.role === 'attacker' && a.truth.campaign)
      (truth.clusters[a.truth.campaign] ??= []).push(a.record.account_id);
  }
  let used = false;
  return {
    period,
    accounts,
    truth,
    events: () => {
      // Behaviours keep state as they run, so one population yields its traffic once.
      if (used) throw new Error('a simulation stream can be read once; build another for a second pass');
      used = true;
      return timeOrderedEvents(
        behaviours,
        period,
        Rng.derive(mixKeys(options.seed, [accountPrefix, 'event-ids'])),
      );
    },
  };
}

export async function simulate(options: SimulateOptions): Promise<SimulationSummary> {
  const started = performance.now();
  const sim = simulationStream(options);
  try {
    mkdirSync(options.out, { recursive: true });
  } catch (err) {
    throw new UserError(
      'FILE_UNREADABLE',
      `cannot create output directory ${options.out} (${(err as NodeJS.ErrnoException).code ?? 'error'}); choose a writable --out`,
    );
  }
  const files = {
    traffic: join(options.out, options.gzip ? 'traffic.ndjson.gz' : 'traffic.ndjson'),
    accounts: join(options.out, 'accounts.ndjson'),
    truth: join(options.out, 'truth.json'),
  };

  const accountWriter = new NdjsonWriter(files.accounts);
  for (const a of sim.accounts) await accountWriter.write(a.record);
  await accountWriter.close();
  writeFileSync(files.truth, JSON.stringify(sim.truth, null, 1) + '\n');

  const campaigns: Record<string, number> = {};
  for (const a of sim.accounts)
    if (a.truth.campaign) campaigns[a.truth.campaign] = (campaigns[a.truth.campaign] ?? 0) + 1;

  const traffic = new NdjsonWriter(files.traffic, options.gzip ?? false);
  const eventsByRole = { benign: 0, attacker: 0 };
  for (const event of sim.events()) {
    await traffic.write(event);
    if (event.labels?.role === 'attacker') eventsByRole.attacker++;
    else eventsByRole.benign++;
  }
  await traffic.close();

  const { period } = sim;
  return {
    files,
    events: traffic.lines,
    accounts: sim.accounts.length,
    period: {
      from: new Date(period.start).toISOString(),
      to: new Date(period.end).toISOString(),
      release: new Date(period.release).toISOString(),
    },
    eventsByRole,
    campaigns,
    elapsedMs: Math.round(performance.now() - started),
  };
}
