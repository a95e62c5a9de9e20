import type { DecisionAction, StaticDecision } from '../contracts/index.js';

/** The decision as the hot path uses it. */
export interface EffectiveDecision {
  action: DecisionAction;
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

/**
 * Reads a decision (the server's, or a static file's, which the server's also is) for the hot
 * path. Canaries are embedded when `watch` or `canary` is true, or when the action is `watch` (read
 * as monitor + watch), whatever else the action says; `cluster_id` makes the canaries unique to the
 * cluster.
 */
export function effectiveDecision(d: StaticDecision): EffectiveDecision {
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
    expiresAtMs: expires,
  };
}
