import {
  strongerAction,
  type DecisionAction,
  type DecisionOrigin,
  type DecisionScope,
  type Findings,
} from '../contracts/index.js';
import type { Policy } from './response-policy.js';

/** What the policy decides for one account, before manual decisions are laid over it. */
export interface PolicyDecision {
  action: DecisionAction;
  reason: string;
  source: Exclude<DecisionOrigin, 'manual'>;
  scope: DecisionScope;
  cluster_id: string | null;
  watch: boolean;
}

/**
 * Maps findings to a policy decision per account (only accounts whose outcome is not a plain
 * allow). Rules: the account's level, its cluster's level (for every member), and detector
 * score thresholds; the strongest action wins, the account's own rule on a tie.
 */
export function evaluatePolicy(policy: Policy, findings: Findings): Map<string, PolicyDecision> {
  const out = new Map<string, PolicyDecision>();
  const clusterOf = new Map<string, Findings['clusters'][number]>();
  for (const c of findings.clusters) for (const a of c.account_ids) clusterOf.set(a, c);
  const watchLevels = new Set(policy.watch_levels);

  const consider = (id: string, o: PolicyDecision) => {
    const cur = out.get(id);
    if (!cur) return void out.set(id, o);
    const watch = cur.watch || o.watch;
    if (strongerAction(o.action, cur.action)) out.set(id, { ...o, watch });
    else cur.watch = watch;
  };

  for (const a of findings.accounts) {
    const cluster = clusterOf.get(a.account_id) ?? null;
    consider(a.account_id, {
      action: policy.accounts[a.level],
      reason: `account level ${a.level} (score ${a.score.toFixed(2)})`,
      source: 'policy',
      scope: 'account',
      cluster_id: cluster?.cluster_id ?? a.cluster_id ?? null,
      watch: watchLevels.has(a.level),
    });
    for (const rule of policy.detectors)
      for (const s of a.signals)
        if (s.detector === rule.detector && s.score >= rule.min_score)
          consider(a.account_id, {
            action: rule.action,
            reason: `detector ${s.detector} score ${s.score.toFixed(2)} >= ${rule.min_score}`,
            source: 'policy',
            scope: 'account',
            cluster_id: cluster?.cluster_id ?? a.cluster_id ?? null,
            watch: false,
          });
  }
  for (const c of findings.clusters)
    for (const id of c.account_ids)
      consider(id, {
        action: policy.clusters[c.level],
        reason: `cluster ${c.cluster_id} level ${c.level} (${c.account_ids.length} accounts, score ${c.score.toFixed(2)})`,
        source: 'cluster',
        scope: 'cluster',
        cluster_id: c.cluster_id,
        watch: watchLevels.has(c.level),
      });

  for (const [id, o] of out) if (o.action === 'allow' && !o.watch) out.delete(id);
  return out;
}
