import type { Decision } from '../contracts/index.js';

/** What a decision listener (webhooks) is told: an account's decision before and after. */
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
