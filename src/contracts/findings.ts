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

export const AccountFinding = z.looseObject({
  account_id: z.string(),
  score: z.number().min(0).max(1),
  level: Level,
  cluster_id: z.string().nullable().optional(),
  events: z.int().min(0),
  signals: z.array(Signal),
});
export type AccountFinding = z.infer<typeof AccountFinding>;

export const ClusterLink = z.looseObject({
  kind: z.string(),
  value: z.string(),
  accounts: z.int().min(0),
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
