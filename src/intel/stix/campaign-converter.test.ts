import { describe, expect, it } from 'vitest';
import type { ClusterFinding } from '../../contracts/index.js';
import { SharingPolicy } from '../policy/sharing-policy.js';
import { campaignRefusal } from './campaign-converter.js';

/** A cluster at review whose members signed up with the given mail domains (one link per domain). */
function cluster(size: number, domains: Record<string, number>, level: ClusterFinding['level'] = 'review') {
  return {
    cluster_id: 'cl_course',
    account_ids: Array.from({ length: size }, (_, i) => `acct_${i}`),
    score: 0.99,
    level,
    events: 40 * size,
    links: [
      { kind: 'template', value: 'prefix:6e71206ae2042b95', accounts: size, holders: size },
      ...Object.entries(domains).map(([value, accounts]) => ({ kind: 'email_domain', value, accounts })),
    ],
    signals: [],
  } satisfies ClusterFinding;
}

const refusal = (c: ClusterFinding, policy: Partial<SharingPolicy> = {}) =>
  campaignRefusal(c, 'campaign--x', 99, SharingPolicy.parse(policy))?.reason;

describe('campaignRefusal: one academic institution’s group waits for a person', () => {
  it('withholds a group a tenth or more of whose members (two at least) signed up with one academic domain', () => {
    expect(refusal(cluster(18, { 'u-tokyo.ac.jp': 11 }))).toBe(
      "cluster cl_course is one academic institution's group (11 of 18 accounts signed up with u-tokyo.ac.jp): shared once a person confirms it (intel export --confirm cl_course, or the policy's confirmed_clusters)",
    );
    expect(refusal(cluster(30, { 'gmail.com': 20, 'CS.Stanford.EDU': 3 }))).toContain('CS.Stanford.EDU');
    expect(refusal(cluster(20, { 'ethz.ch': 4 }))).toContain('4 of 20 accounts signed up with ethz.ch');
    expect(refusal(cluster(120, { 'uni.edu.au': 12 }, 'act'))).toContain('12 of 120');
  });

  it('shares the same group once confirmed, and others as before', () => {
    expect(
      refusal(cluster(18, { 'u-tokyo.ac.jp': 11 }), { confirmed_clusters: ['cl_course'] }),
    ).toBeUndefined();
    expect(refusal(cluster(18, { 'u-tokyo.ac.jp': 11 }), { confirmed_clusters: ['cl_other'] })).toContain(
      'academic',
    );
    // Not a university's domain, or too few members on it: the detector's word stands.
    const plain: Record<string, number>[] = [
      { 'example.ch': 11 },
      { 'edu.com': 11 },
      { 'mail.ru': 18 },
      { 'mit.edu': 2 },
    ];
    for (const domains of plain) expect(refusal(cluster(30, domains))).toBeUndefined();
    // A cluster below min_level says that first.
    expect(refusal(cluster(18, { 'u-tokyo.ac.jp': 11 }, 'monitor'))).toContain('below min_level review');
  });
});
