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
