import { z } from 'zod';
import { LEVELS } from './levels.js';

/** A finding's level; the order, weakest first, is LEVELS (levels.ts). */
export const Level = z.enum(LEVELS);
export type Level = z.infer<typeof Level>;

export const Signal = z.looseObject({
  detector: z.string(),
  score: z.number().min(0).max(1),
  evidence: z.string(),
  atlas: z.string().optional(),
  /** Example event ids an analyst can open to check the evidence. */
  examples: z.array(z.string()).optional(),
});
export type Signal = z.infer<typeof Signal>;

/** One detector's evidence as the level decision weighed it. */
export const EvidenceLine = z.strictObject({
  detector: z.string(),
  /** `extraction`, `content`, `behaviour` (detect/detector.ts), or `intel` for an external signal. */
  family: z.string(),
  /** -log10 p under the benign null. */
  strength: z.number().min(0),
  /** Requests the evidence rests on (flagged count or sample size); 0 for intel. */
  requests: z.int().min(0),
});
export type EvidenceLine = z.infer<typeof EvidenceLine>;

/** A rule a level must pass: whether it held, and what it found, in words. */
export const LevelGate = z.strictObject({
  passed: z.boolean(),
  rule: z.string(),
  detail: z.string(),
});
export type LevelGate = z.infer<typeof LevelGate>;

/** The gate that kept a finding below the next level (null at act). */
export const StoppedBy = z.enum([
  'monitor-threshold',
  'review-threshold',
  'corroboration',
  'act-threshold',
  'act-rule',
]);
export type StoppedBy = z.infer<typeof StoppedBy>;

/**
 * Why a finding sits at its level (docs/findings.md): built where the level is decided, from the
 * same gates, so it cannot disagree with it. Additive to findings.v1.
 */
export const LevelBasis = z.strictObject({
  /** The strength the level was decided on (own or inherited, whichever is higher). */
  strength: z.number().min(0),
  /** Strengths (-log10 p) each level needs, and one line needs to corroborate act. */
  thresholds: z.strictObject({
    monitor: z.number(),
    review: z.number(),
    act: z.number(),
    corroborate: z.number(),
  }),
  /** Every line of evidence at p <= 0.01, strongest first. */
  lines: z.array(EvidenceLine),
  /** Review needs corroboration (two lines, one extraction content, or one overwhelming). */
  review_gate: LevelGate,
  /** Act needs its rule besides the act strength. */
  act_gate: LevelGate,
  /** The cluster the account belongs to and whether its level was inherited (accounts only). */
  cluster: z
    .strictObject({
      cluster_id: z.string(),
      level: Level,
      size: z.int().min(0),
      strength: z.number().min(0),
      inherited: z.boolean(),
    })
    .nullable(),
  /** Rules that withheld a level the evidence would otherwise reach (e.g. regression testing). */
  withheld: z.array(z.string()),
  stopped_by: StoppedBy.nullable(),
  /** The reasons in one sentence, for an appeal or a reviewer. */
  explanation: z.string(),
});
export type LevelBasis = z.infer<typeof LevelBasis>;

export const AccountFinding = z.looseObject({
  account_id: z.string(),
  score: z.number().min(0).max(1),
  level: Level,
  cluster_id: z.string().nullable().optional(),
  events: z.int().min(0),
  signals: z.array(Signal),
  /** Evidence strength, -log10 p: unlike the score it does not saturate, so it ranks. */
  strength: z.number().min(0).optional(),
  basis: LevelBasis.optional(),
});
export type AccountFinding = z.infer<typeof AccountFinding>;

export const ClusterLink = z.looseObject({
  kind: z.string(),
  value: z.string(),
  accounts: z.int().min(0),
  /** Additive: the value in words where it is a fingerprint or code (template text, request shape). */
  text: z.string().max(400).optional(),
  /**
   * Additive: how many accounts of the analysed population (`input.accounts`) hold the value,
   * members included; a count only, so a findings-only export can tell a rare value from a common one.
   */
  holders: z.int().min(0).optional(),
});
export type ClusterLink = z.infer<typeof ClusterLink>;

export const ClusterFinding = z.looseObject({
  cluster_id: z.string(),
  account_ids: z.array(z.string()),
  score: z.number().min(0).max(1),
  level: Level,
  events: z.int().min(0),
  links: z.array(ClusterLink),
  signals: z.array(Signal),
  strength: z.number().min(0).optional(),
  basis: LevelBasis.optional(),
});
export type ClusterFinding = z.infer<typeof ClusterFinding>;

/** findings.v1 (shared/spec/findings.md): field names are a contract with other tools. */
export const Findings = z.looseObject({
  format: z.literal('findings.v1'),
  generated_at: z.string(),
  input: z.looseObject({
    events: z.int().min(0),
    accounts: z.int().min(0),
    rejected_lines: z.int().min(0),
    from: z.string().nullable(),
    to: z.string().nullable(),
  }),
  accounts: z.array(AccountFinding),
  clusters: z.array(ClusterFinding),
});
export type Findings = z.infer<typeof Findings>;
