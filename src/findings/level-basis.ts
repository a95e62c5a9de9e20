import type { Level, LevelBasis, LevelGate } from '../contracts/index.js';
import { pText, type LevelDecision, type LevelThresholds } from '../detect/index.js';
import { round } from './population-view.js';

/** What a level was decided from: the same gates `levelOf` weighed. */
export interface BasisInput {
  strength: number;
  thresholds: LevelThresholds;
  lines: LevelBasis['lines'];
  review: LevelGate;
  act: LevelGate;
  decision: LevelDecision;
  cluster: LevelBasis['cluster'];
  withheld: string[];
}

/** The basis of one level, with its one-sentence explanation. */
export function levelBasis(b: BasisInput): LevelBasis {
  const t = b.thresholds;
  return {
    strength: round(b.strength),
    thresholds: {
      monitor: round(t.monitor),
      review: round(t.review),
      act: round(t.act),
      corroborate: round(t.corroborate),
    },
    lines: b.lines,
    review_gate: b.review,
    act_gate: b.act,
    cluster: b.cluster,
    withheld: b.withheld,
    stopped_by: b.decision.stoppedBy,
    explanation: explain(b),
  };
}

/**
 * One sentence an appeals reviewer can read: the evidence and what it passed, then what stopped
 * the next level. "review: evidence p≈1e-9 (review needs p ≤ 0.001); reasoning-elicitation
 * p≈1e-9 on 240 requests, corroborated by templating (behaviour); act withheld: …".
 */
function explain(b: BasisInput): string {
  const { level, stoppedBy } = b.decision;
  const t = b.thresholds;
  const parts: string[] = [];
  const c = b.cluster;
  if (c?.inherited) {
    parts.push(
      `member of cluster ${c.cluster_id} (${c.size} linked accounts) at ${c.level}, pooled evidence ${pText(c.strength)}`,
    );
  }
  parts.push(`evidence ${pText(b.strength)}`);
  if (level === 'act') {
    parts.push(b.act.detail);
  } else if (level === 'review') {
    parts.push(b.review.detail);
    parts.push(
      stoppedBy === 'act-threshold'
        ? `act needs ${pText(t.act).replace('≈', ' ≤ ')}`
        : `act withheld: ${b.act.detail}`,
    );
  } else if (level === 'monitor') {
    parts.push(
      stoppedBy === 'review-threshold'
        ? `review needs ${pText(t.review).replace('≈', ' ≤ ')}`
        : `review withheld: ${b.review.detail}`,
    );
  } else {
    parts.push(`monitor needs ${pText(t.monitor).replace('≈', ' ≤ ')}`);
  }
  for (const w of b.withheld) if (!parts.includes(w)) parts.push(w);
  return `${level}: ${parts.join('; ')}`;
}

/** Level names an account may inherit from its cluster. */
export const INHERITED_LEVELS: ReadonlySet<Level> = new Set(['review', 'act']);

/** The basis of an account with no traffic: nothing to weigh. */
export function silentBasis(thresholds: LevelThresholds): LevelBasis {
  const none: LevelGate = { passed: false, rule: 'no traffic', detail: 'no requests to weigh' };
  return levelBasis({
    strength: 0,
    thresholds,
    lines: [],
    review: none,
    act: none,
    decision: { level: 'none', stoppedBy: 'monitor-threshold' },
    cluster: null,
    withheld: [],
  });
}
