import { ATLAS, type AccountRecord, type AtlasId } from '../contracts/index.js';
import type { EntityStats } from '../features/index.js';

/**
 * Which kind of evidence a detector gives. `extraction`: the request itself harvests (reasoning
 * traces, output distributions, capability sweeps); `content`: the prompts differ from benign
 * traffic; `behaviour`: how the client operates (templates, schedules, volume). Review and act
 * need extraction evidence, never behaviour or difference alone.
 */
export type DetectorFamily = 'extraction' | 'content' | 'behaviour';

/** A count of suspicious events out of n, tested against a beta-binomial benign null. */
export interface CountStat {
  kind: 'count';
  key: string;
  k: number;
  n: number;
  /**
   * A behaviour no ordinary use needs, that only a few reference accounts may show: its null is
   * fitted without the most extreme reference accounts (null-models.ts, `ROBUST_TRIM`), so the
   * tested account and others like it cannot make it look normal, and its p-value is never
   * smaller than 1/(N+1) over N reference accounts — one account's request settings are no
   * stronger evidence than their rarity among customers.
   */
  robust?: boolean;
}

/** A continuous statistic (higher is more suspicious), tested against robust benign quantiles by size. */
export interface ValueStat {
  kind: 'value';
  key: string;
  value: number;
  n: number;
}

/**
 * A test within the entity's own traffic (one part of it against the rest), whose p-value needs
 * no population null: the entity is its own control.
 */
export interface TestStat {
  kind: 'test';
  key: string;
  p: number;
  /** Requests the tested part rests on. */
  n: number;
}

export type Stat = CountStat | ValueStat | TestStat;

export interface Measurement {
  stats: Stat[];
  /** What was measured, in words an analyst can check against raw events. */
  evidence: string;
  examples: string[];
  /**
   * The evidence again, given the benign median of each statistic (for accounts of the same size),
   * where a number means little without it: scoring calls it once the nulls are fitted.
   */
  evidenceWithMedians?: (medians: readonly (number | undefined)[]) => string;
}

export interface DetectionContext {
  record: AccountRecord | undefined;
  /** Kernel mean embedding of the benign reference traffic (sum and count). */
  referenceKernelSum: Float64Array;
  referenceKernelCount: number;
  /** Latest event time in the input, for account-age arithmetic. */
  nowMs: number;
}

export interface Detector {
  id: string;
  title: string;
  atlas: AtlasId;
  family: DetectorFamily;
  /**
   * Its statistics are settings an integration fixes in its code (request parameters): an account
   * uses them on nearly every request or on none, so a group's pooled count is judged over its
   * customers, not over its requests (findings/cluster-scoring.ts).
   */
  trait?: boolean;
  /**
   * `self`: the line tests one slice of the entity's traffic (its reasoning requests) against the
   * rest of that same traffic, not against the population. Two such lines single out the slice an
   * established account added to its use (fusion.ts, `sliceStrength`).
   */
  control?: 'self';
  measure(stats: EntityStats, ctx: DetectionContext): Measurement | null;
}

/** Detectors name their technique from the one ATLAS table (contracts/atlas.ts). */
export { ATLAS };

export const DAY_MS_CONST = 86_400_000;

export const pct = (k: number, n: number): string => `${n ? Math.round((100 * k) / n) : 0} %`;
