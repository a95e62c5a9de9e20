import { describe, expect, it } from 'vitest';
import type { Findings } from '../contracts/index.js';
import { evaluatePolicy } from './evaluate-policy.js';
import { loadResponsePolicy, parseResponsePolicy, policyMitigations } from './response-policy.js';
import { findingsOf } from '../../test/findings-fixture.js';

const findings = (): Findings =>
  findingsOf(
    {
      accounts: [
        { account_id: 'quiet', score: 0.05, level: 'none', events: 3, signals: [] },
        { account_id: 'mon', score: 0.3, level: 'monitor', events: 3, signals: [] },
        {
          account_id: 'cot',
          score: 0.5,
          level: 'review',
          events: 3,
          signals: [
            {
              detector: 'reasoning-elicitation',
              score: 0.93,
              evidence: '90% of prompts ask for step-by-step',
            },
          ],
        },
        { account_id: 'member', score: 0.1, level: 'none', cluster_id: 'cl_1', events: 1, signals: [] },
      ],
      clusters: [
        {
          cluster_id: 'cl_1',
          account_ids: ['member', 'mon'],
          score: 0.95,
          level: 'act',
          events: 4,
          links: [{ kind: 'payment_fingerprint', value: 'pf_1', accounts: 2 }],
          signals: [],
        },
      ],
    },
    { events: 10, accounts: 4 },
    '2026-01-01T00:00:00Z',
  );

describe('policy', () => {
  it('loads the shipped default policy', () => {
    const { policy } = loadResponsePolicy();
    expect(policy.clusters.act).toBe('block');
    expect(policy.cases.false_positive).toBe('allow');
  });

  it('names the MITRE ATLAS mitigation each action of the shipped policy implements', () => {
    const m = policyMitigations(loadResponsePolicy().policy);
    const ids = (a: string) => m[a]?.map((x) => x.id);
    expect(ids('throttle')).toEqual(['AML.M0004']);
    expect(ids('degrade')).toEqual(['AML.M0002']);
    expect(ids('block')).toEqual(['AML.M0019']);
    expect(ids('step_up')).toEqual(['AML.M0019']);
    expect(ids('monitor')).toEqual(['AML.M0024']);
    expect(m['allow']).toEqual([]);
  });

  it('names the field and the allowed actions when a policy is wrong', () => {
    const bad = loadResponsePolicy().yaml.replace('act: block', 'act: nuke');
    expect(() => parseResponsePolicy(bad, 'p.yaml')).toThrow(
      /p\.yaml: clusters\.act: .*allow, monitor, step_up/,
    );
    expect(() => parseResponsePolicy('version: 1\n  bad: [', 'p.yaml')).toThrow(/not valid YAML/);
    expect(() => parseResponsePolicy(loadResponsePolicy().yaml + '\nextra: 1\n', 'p.yaml')).toThrow(
      /extra|Unrecognized/,
    );
  });

  it('takes the strongest of account, detector and cluster rules', () => {
    const out = evaluatePolicy(loadResponsePolicy().policy, findings());
    expect(out.has('quiet')).toBe(false);
    expect(out.get('cot')).toMatchObject({ action: 'degrade', source: 'policy', watch: true });
    expect(out.get('cot')?.reason).toMatch(/reasoning-elicitation score 0\.93/);
    // Under every per-account threshold, but its cluster is at act: the whole cluster is blocked.
    expect(out.get('member')).toMatchObject({
      action: 'block',
      source: 'cluster',
      scope: 'cluster',
      cluster_id: 'cl_1',
    });
    expect(out.get('mon')).toMatchObject({ action: 'block', source: 'cluster', watch: true });
  });
});
