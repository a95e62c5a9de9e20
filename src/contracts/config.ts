import { z } from 'zod';

/**
 * Detection settings: one typed config that drives the `analyze` flags, the server and the
 * workers. Each field's description is its help text.
 */
export const DetectConfig = z.object({
  targetFpr: z
    .number()
    .gt(0)
    .lt(0.5)
    .default(0.001)
    .describe('share of benign accounts allowed to reach review or above'),
  monitorFpr: z
    .number()
    .gt(0)
    .lt(0.5)
    .default(0.01)
    .describe('share of benign accounts allowed to reach monitor'),
  actStrength: z
    .number()
    .positive()
    .default(12)
    .describe('combined evidence (-log10 p) a corroborated campaign needs for act'),
  corroborateStrength: z
    .number()
    .positive()
    .default(4)
    .describe('evidence (-log10 p) one extraction detector needs to corroborate act'),
  minClusterSize: z
    .int()
    .min(2)
    .default(3)
    .describe('smallest group of linked accounts reported as a cluster'),
  embedder: z
    .enum(['word-vectors', 'hashed-ngrams'])
    .default('word-vectors')
    .describe(
      'prompt representation for distribution shift: pretrained word vectors (better on the shared corpora) or hashed n-grams (no vocabulary, any language)',
    ),
  seed: z.int().default(1).describe('seed for sampling and community detection, for reproducible runs'),
  disable: z
    .array(z.string())
    .default([])
    .describe(
      'switch off a detector (its id) or a link type (e.g. signup_ip, sync_activity), to measure what carries a finding (repeatable)',
    )
    .meta({ flag: { value: 'id', repeat: true } }),
});
export type DetectConfig = z.infer<typeof DetectConfig>;
export type DetectConfigInput = z.input<typeof DetectConfig>;
