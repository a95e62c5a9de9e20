import { z } from 'zod';

/** Actions the gateway enforces (api-contract: GET /v1/decisions/:account_id), plus `watch`. */
export const GatewayAction = z.enum(['allow', 'monitor', 'watch', 'step_up', 'throttle', 'degrade', 'block']);
export type GatewayAction = z.infer<typeof GatewayAction>;

/**
 * A decision as the server returns it. Validated here because it crosses an HTTP edge. Canaries are
 * embedded when `watch` or `canary` is true, or when the action is `watch` (read as monitor + watch),
 * whatever else the action says; `cluster_id` makes the canaries unique to the cluster.
 */
export const GatewayDecision = z.looseObject({
  account_id: z.string().min(1),
  action: GatewayAction,
  reason: z.string().optional(),
  source: z.string().optional(),
  cluster_id: z.string().nullable().optional(),
  expires_at: z.union([z.string(), z.number()]).nullable().optional(),
  watch: z.boolean().optional(),
  canary: z.boolean().optional(),
  /** Throttle rate for this account; the gateway default applies when absent. */
  rate_per_minute: z.number().positive().optional(),
  /** What degrade strips or caps; gateway defaults apply to missing parts. */
  degrade: z
    .looseObject({
      reasoning_trace: z.boolean().optional(),
      logprobs: z.boolean().optional(),
      max_tokens: z.int().positive().optional(),
    })
    .nullable()
    .optional(),
});
export type GatewayDecision = z.infer<typeof GatewayDecision>;

/** The decision as the hot path uses it. */
export interface EffectiveDecision {
  action: Exclude<GatewayAction, 'watch'>;
  watch: boolean;
  /** What canaries are unique to: the cluster id, else `account:<id>`. */
  subject: string;
  reason: string;
  ratePerMinute?: number;
  degrade?: { reasoningTrace: boolean; logprobs: boolean; maxTokens?: number };
  expiresAtMs: number | null;
}

export const ALLOW: Omit<EffectiveDecision, 'subject'> = {
  action: 'allow',
  watch: false,
  reason: '',
  expiresAtMs: null,
};

export function effectiveDecision(d: GatewayDecision): EffectiveDecision {
  const expires =
    d.expires_at === null || d.expires_at === undefined
      ? null
      : typeof d.expires_at === 'number'
        ? d.expires_at
        : Date.parse(d.expires_at);
  return {
    action: d.action === 'watch' ? 'monitor' : d.action,
    watch: d.action === 'watch' || d.watch === true || d.canary === true,
    subject: d.cluster_id ? d.cluster_id : `account:${d.account_id}`,
    reason: d.reason ?? '',
    ...(d.rate_per_minute !== undefined ? { ratePerMinute: d.rate_per_minute } : {}),
    ...(d.degrade
      ? {
          degrade: {
            reasoningTrace: d.degrade.reasoning_trace ?? true,
            logprobs: d.degrade.logprobs ?? true,
            ...(d.degrade.max_tokens !== undefined ? { maxTokens: d.degrade.max_tokens } : {}),
          },
        }
      : {}),
    expiresAtMs: Number.isNaN(expires) ? null : expires,
  };
}
