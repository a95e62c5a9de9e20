import type { AccountRecord, Signal } from '../contracts/index.js';
import type { DetectionContext } from '../detect/index.js';
import type { EntityStats } from '../features/index.js';

/** Length of each account's kernel feature sum (random Fourier features of its prompts). */
export const KERNEL_DIMENSIONS = 96;

/** What an engine has accumulated, as the findings step reads it. */
export interface PopulationView {
  /** Per-account statistics, in account-id order. */
  accounts: ReadonlyMap<string, EntityStats>;
  records: ReadonlyMap<string, AccountRecord>;
  external: ReadonlyMap<string, readonly Signal[]>;
  hourly: ReadonlyMap<string, ReadonlyMap<number, number>>;
  /** Accounts an analyst judged benign. */
  benignReference: ReadonlySet<string>;
  /** Latest event time seen. */
  dataEnd: number;
}

/** The reference traffic's kernel mean embedding, as a sum over `count` prompts. */
export interface KernelReference {
  sum: Float64Array;
  count: number;
}

/** What detectors see besides an entity's statistics; a pooled cluster has no record. */
export function detectionContext(
  population: PopulationView,
  accountId: string | null,
  ref: KernelReference,
): DetectionContext {
  return {
    record: accountId ? population.records.get(accountId) : undefined,
    referenceKernelSum: ref.sum,
    referenceKernelCount: ref.count,
    nowMs: population.dataEnd,
  };
}

/** Strengths and factors in findings carry two decimals. */
export const round = (x: number): number => Math.round(x * 100) / 100;
