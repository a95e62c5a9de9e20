import type { DecisionAction, DecisionScope, DecisionSource } from './actions.js';

/** What `GET /v1/decisions/:account_id` answers; enforcement points (the gateway) read it. */
export interface Decision {
  account_id: string;
  action: DecisionAction;
  reason: string;
  source: DecisionSource;
  scope: DecisionScope;
  cluster_id: string | null;
  expires_at: string | null;
  /** When the action last changed; null for the default allow of an account with no decision. */
  updated_at: string | null;
  /** Embed canaries for this account (policy `watch_levels`). */
  watch: boolean;
  /** Present when action is throttle. */
  rate_per_minute?: number;
  /** Present when action is degrade: what the gateway strips or caps. */
  degrade?: { reasoning_trace: boolean; logprobs: boolean; max_tokens: number };
}

export interface DecisionChange {
  account_id: string;
  previous: Decision;
  current: Decision;
}

export const defaultDecision = (accountId: string): Decision => ({
  account_id: accountId,
  action: 'allow',
  reason: 'no decision: nothing found for this account',
  source: 'policy',
  scope: 'account',
  cluster_id: null,
  expires_at: null,
  updated_at: null,
  watch: false,
});
