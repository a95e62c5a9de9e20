import { describe, expect, it } from 'vitest';
import { anchorAccount } from './anchor-account.js';

describe('anchorAccount', () => {
  const cluster = {
    cluster: { account_ids: ['acct-a', 'acct-b', 'acct-c'] },
    graph: {
      nodes: [
        { id: 'acct-a', score: 0.2 },
        { id: 'acct-c', score: 0.9 },
        { id: 'acct-b', score: 0.5 },
      ],
    },
  };

  it("sets a cluster's decision on its highest-scoring member", () => {
    expect(anchorAccount(cluster)).toBe('acct-c');
  });

  it('falls back to the first member listed when the graph is empty', () => {
    expect(anchorAccount({ ...cluster, graph: { nodes: [] } })).toBe('acct-a');
    expect(anchorAccount({ cluster: { account_ids: [] }, graph: { nodes: [] } })).toBeUndefined();
  });
});
