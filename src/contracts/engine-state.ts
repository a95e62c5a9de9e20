import { z } from 'zod';
import { AccountRecord } from './account.js';
import { Signal } from './findings.js';

/**
 * Durable form of the detection engine's per-account state: what a scale-out worker writes to
 * PostgreSQL before acknowledging, and what worker threads hand back to the batch driver. Plain
 * JSON (no typed arrays, no Infinity) so it survives any store or wire.
 */

const Count = z.number().finite();
/** A timestamp in ms, or null for "none yet" (an empty entity). */
const MaybeTs = z.number().finite().nullable();

export const PromptSample = z.object({
  id: z.string(),
  ts: z.number(),
  model: z.string(),
  prompt: z.string(),
  prefix: z.string().nullable(),
  suffix: z.string().nullable(),
});
export type PromptSample = z.infer<typeof PromptSample>;

/** Misra-Gries sketch: its kept keys and counts. */
export const TopKSnapshot = z.array(z.tuple([z.string(), Count]));
export type TopKSnapshot = z.infer<typeof TopKSnapshot>;

export const ReservoirSnapshot = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), seen: Count, state: Count });
export type ReservoirSnapshot<T> = { items: T[]; seen: number; state: number };

/** Per model: when this entity first used it, and its requests by hour since then (48 buckets). */
export const ModelUseSnapshot = z.object({ first: Count, count: Count, hours: z.array(Count) });
export type ModelUseSnapshot = z.infer<typeof ModelUseSnapshot>;

export const EntityStatsSnapshot = z.object({
  n: Count,
  // Added later: state written before reads as every request its own prompt (prompts = n).
  prompts: Count.optional(),
  recentTurns: z.array(z.int32()).default([]),
  firstTs: MaybeTs,
  lastTs: MaybeTs,
  elicit: Count,
  templatedElicit: Count,
  elicitSentences: TopKSnapshot,
  systemElicit: Count,
  systemTemplatedElicit: Count,
  elicitFollowedUp: Count.default(0),
  // State written before these were counted reads as no openers (the detector stays silent).
  openers: Count.default(0),
  elicitOpeners: Count.default(0),
  openerReplies: Count.default(0),
  elicitOpenerReplies: Count.default(0),
  elicitExamples: ReservoirSnapshot(z.string()),
  prefixes: TopKSnapshot,
  suffixes: TopKSnapshot,
  topicWeight: z.array(Count),
  elicitTopicWeight: z.array(Count),
  elicitTopicEvents: Count,
  topicEvents: Count,
  logprobs: Count,
  topLogprobs: Count,
  multiSample: Count,
  longOutput: Count,
  greedy: Count,
  softLabels: Count,
  multiSamples: Count,
  fullHarvest: Count,
  distributionHarvest: Count.default(0),
  distributionPrompts: Count.default(0),
  harvestExamples: ReservoirSnapshot(z.string()),
  followUps: Count,
  withSystem: Count,
  systemPrompts: TopKSnapshot,
  conversations: TopKSnapshot,
  hours: z.array(Count).length(24),
  gaps: Count,
  gapLogMean: Count,
  gapLogM2: Count,
  bursts: Count,
  prevTs: MaybeTs,
  // Added after the first release: state written before them restores with none counted.
  oneShotElicit: Count.default(0),
  pacedElicit: Count.default(0),
  oneShotOther: Count.default(0),
  pacedOther: Count.default(0),
  pacedElicitExamples: ReservoirSnapshot(z.string()).default({ items: [], seen: 0, state: 17 }),
  prevOneShot: z.boolean().default(false),
  days: z.array(Count),
  // Added later too: older state restores with no activity slots (no synchronisation links).
  activity: z
    .object({ saturated: z.boolean(), slots: z.array(z.number().int()) })
    .default({ saturated: false, slots: [] }),
  models: z.array(z.tuple([z.string(), ModelUseSnapshot])),
  ipPrefixes: TopKSnapshot,
  asns: TopKSnapshot,
  // Added later: older state restores with no address-to-network pairs.
  prefixAsns: TopKSnapshot.default([]),
  userAgents: TopKSnapshot,
  apiKeys: TopKSnapshot,
  requestShapes: TopKSnapshot,
  kernelSum: z.array(Count),
  kernelCount: Count,
  samples: ReservoirSnapshot(PromptSample),
  members: Count,
  // Replaced a heavy-hitter count of re-used prompts that missed suites re-run against several
  // models: older state restores with no re-use sampled.
  promptSample: z
    .object({ level: z.number().int().min(0).max(32), entries: TopKSnapshot })
    .default({ level: 0, entries: [] }),
});
export type EntityStatsSnapshot = z.infer<typeof EntityStatsSnapshot>;

/** One account's whole engine state: statistics, traffic by hour, metadata, shared-intel signals. */
export const AccountState = z.object({
  account_id: z.string().min(1),
  stats: EntityStatsSnapshot.nullable(),
  hourly: z.array(z.tuple([z.number().int(), Count])),
  record: AccountRecord.nullable(),
  external: z.array(Signal),
  benign_reference: z.boolean(),
});
export type AccountState = z.infer<typeof AccountState>;

/** Everything an engine (or one partition of it) has seen, mergeable with other partitions. */
export const EngineState = z.object({
  format: z.literal('distillguard.engine-state.v1'),
  events: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
  accounts: z.array(AccountState),
});
export type EngineState = z.infer<typeof EngineState>;
