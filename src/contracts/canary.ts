import { z } from 'zod';
import { rfc3339 } from './timestamp.js';

/**
 * One canary served by the gateway (src/respond/canary registry, one NDJSON line each). The probe
 * reads these to know which canaries were served, to whom and when, and with which prompts to
 * elicit them again from a suspect model.
 */
export const CanaryServing = z.looseObject({
  canary_id: z.string().min(1).max(100),
  /** What the canary is unique to: a cluster id, or `account:<id>` when no cluster is known. */
  subject: z.string().min(1).max(300),
  text: z.string().min(1).max(2000),
  account_id: z.string().min(1).max(200),
  event_id: z.string().min(1).max(200),
  served_at: rfc3339,
  endpoint: z.string().max(100).optional(),
  model: z.string().max(200).optional(),
  /** The last user message of the exchange (truncated), so the probe can ask it again. */
  prompt: z.string().max(4000).optional(),
});
export type CanaryServing = z.infer<typeof CanaryServing>;

const bankWord = z
  .string()
  .min(2)
  .max(40)
  .regex(/^\p{Lu}?\p{Ll}+$/u, { error: 'a name part is letters only, capitalised at most at the start' });
const frame = (slot: '{person}' | '{name}') =>
  z
    .string()
    .min(10)
    .max(300)
    .refine((f) => f.split(slot).length === 2 && f.split('{tip}').length === 2, {
      error: `a frame holds ${slot} and {tip} exactly once each`,
    })
    .refine((f) => !/\{(?!person\}|name\}|tip\})/.test(f), { error: 'unknown {placeholder} in frame' });

/**
 * The word banks a canary generator draws from (src/respond/canary). Sizes have floors so the keyed
 * choice stays unguessable and two clusters' canaries rarely share a name, and ceilings so a
 * banks file cannot make every draw expensive.
 */
export const CanaryBanks = z
  .strictObject({
    first_names: z.array(bankWord).min(20).max(10_000),
    surname_heads: z.array(bankWord).min(20).max(10_000),
    surname_tails: z
      .array(z.string().regex(/^\p{Ll}{1,20}$/u))
      .min(20)
      .max(10_000),
    tips: z
      .array(
        z
          .string()
          .min(10)
          .max(200)
          .regex(/^[^{}]+$/),
      )
      .min(20)
      .max(10_000),
    person_frames: z.array(frame('{person}')).min(4).max(1000),
    named_frames: z.array(frame('{name}')).min(2).max(1000),
  })
  .refine((b) => new Set(b.first_names).size === b.first_names.length, { error: 'first_names repeat' })
  .refine((b) => new Set(b.tips).size === b.tips.length, { error: 'tips repeat' });
export type CanaryBanks = z.infer<typeof CanaryBanks>;
