import { describe, expect, it } from 'vitest';
import type { Case } from '../../api/types.js';
import { decisionAccountFor, unwrapCase } from './case-subject.js';

const kase: Case = {
  id: 'c1',
  subject_type: 'cluster',
  subject_id: 'cl-7',
  title: 'Sweep from one card',
  status: 'open',
};

describe('unwrapCase', () => {
  it('takes the comments from the {case, comments} answer', () => {
    const c = unwrapCase({ case: kase, comments: [{ body: 'checked the card' }] });
    expect(c.id).toBe('c1');
    expect(c.comments).toEqual([{ body: 'checked the card' }]);
  });

  it('gives an empty discussion when the answer has none', () => {
    expect(unwrapCase({ case: kase }).comments).toEqual([]);
  });

  it('accepts a flat case as it is', () => {
    const flat = { ...kase, comments: [{ body: 'x' }] };
    expect(unwrapCase(flat)).toBe(flat);
  });
});

describe('decisionAccountFor', () => {
  const cluster = {
    cluster: { account_ids: ['acct-a', 'acct-b'] },
    graph: { nodes: [{ id: 'acct-b', score: 0.9 }] },
  };

  it('acts on the account itself in an account case', () => {
    expect(decisionAccountFor({ subject_type: 'account', subject_id: 'acct-z' }, cluster)).toBe('acct-z');
  });

  it("acts on a cluster case's anchor account once the cluster is loaded", () => {
    expect(decisionAccountFor(kase, cluster)).toBe('acct-b');
    expect(decisionAccountFor(kase, undefined)).toBeUndefined();
  });
});
