import { z } from 'zod';
import { rfc3339 } from './timestamp.js';

/** Enforcement actions, weakest first; the order is how rules combine (the strongest wins). */
export const DecisionAction = z.enum(['allow', 'monitor', 'step_up', 'throttle', 'degrade', 'block']);
export type DecisionAction = z.infer<typeof DecisionAction>;

/** True when `a` is stronger than `b` in the order above. */
export const strongerAction = (a: DecisionAction, b: DecisionAction): boolean =>
  DecisionAction.options.indexOf(a) > DecisionAction.options.indexOf(b);

/** Where a decision came from: the policy over account findings, its cluster rule, or an analyst. */
export const DecisionOrigin = z.enum(['policy', 'manual', 'cluster']);
export type DecisionOrigin = z.infer<typeof DecisionOrigin>;

export const DecisionScope = z.enum(['account', 'cluster']);
export type DecisionScope = z.infer<typeof DecisionScope>;

/** What degrade strips or caps (policy `degrade`, and the decision's `degrade`). */
export const DegradeSettings = z.strictObject({
  reasoning_trace: z.boolean(),
  logprobs: z.boolean(),
  max_tokens: z.int().positive(),
});
export type DegradeSettings = z.infer<typeof DegradeSettings>;

/**
 * What `GET /v1/decisions/:account_id` answers (and each item of `GET /v1/decisions`); enforcement
 * points (the gateway) read it. Unknown fields are dropped rather than refused, so a newer server
 * with an extra field does not stop an older gateway from enforcing.
 */
export const Decision = z.object({
  account_id: z.string().min(1),
  action: DecisionAction,
  reason: z.string(),
  source: DecisionOrigin,
  scope: DecisionScope,
  cluster_id: z.string().nullable(),
  expires_at: rfc3339.nullable(),
  /** When the action last changed; null for the default allow of an account with no decision. */
  updated_at: rfc3339.nullable(),
  /** Embed canaries for this account (policy `watch_levels`). */
  watch: z.boolean(),
  /** Present when action is throttle. */
  rate_per_minute: z.number().positive().optional(),
  /** Present when action is degrade: what the gateway strips or caps. */
  degrade: DegradeSettings.optional(),
});
export type Decision = z.infer<typeof Decision>;

/**
 * A decision as an operator writes it in the gateway's static decisions file (docs/gateway.md):
 * the server's record with only `account_id` and `action` required, plus two shorthands for
 * canaries — the action `watch` (monitor + watch) and `canary: true`. Missing degrade parts take
 * the gateway's defaults; `expires_at` may also be epoch milliseconds. Fields the gateway does not
 * read (`source`, `scope`, ...) pass through unchecked.
 */
export const StaticDecision = z.looseObject({
  account_id: z.string().min(1),
  action: z.enum([...DecisionAction.options, 'watch']),
  reason: z.string().optional(),
  cluster_id: z.string().nullable().optional(),
  expires_at: z.union([rfc3339, z.number()]).nullable().optional(),
  watch: z.boolean().optional(),
  canary: z.boolean().optional(),
  /** Throttle rate for this account; the gateway default applies when absent. */
  rate_per_minute: z.number().positive().optional(),
  degrade: z.looseObject(DegradeSettings.partial().shape).nullable().optional(),
});
export type StaticDecision = z.infer<typeof StaticDecision>;
