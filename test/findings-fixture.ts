import type { AccountFinding, ClusterFinding, Findings } from '../src/contracts/index.js';

/**
 * A findings.v1 document holding `accounts` and `clusters`: the envelope every findings fixture
 * needs. `input` counts what the test says it read (default: nothing rejected, no time range).
 */
export function findingsOf(
  body: { accounts?: AccountFinding[]; clusters?: ClusterFinding[] },
  input: { events: number; accounts: number },
  generatedAt = '2026-11-21T00:00:00Z',
): Findings {
  return {
    format: 'findings.v1',
    generated_at: generatedAt,
    input: { events: input.events, accounts: input.accounts, rejected_lines: 0, from: null, to: null },
    accounts: body.accounts ?? [],
    clusters: body.clusters ?? [],
  };
}

/** Tasks a harvesting campaign sends in the intel fixtures, each wrapped for reasoning. */
export const HARVEST_TASKS = [
  'integrate x^2 sin x',
  'prove sqrt 2 is irrational',
  'sort a linked list',
  'explain TCP slow start',
  'derive Bayes rule',
];
