import { describe, expect, it } from 'vitest';
// Pins the dashboard's ACTIONS to the contract's own order.
import { DecisionAction } from '../../../../src/contracts/index.js';
import { ACTIONS } from '../../api/types.js';
import {
  actionRank,
  changeStep,
  changeWarnings,
  confirmationReasonProblem,
  initialAction,
  type ChangeStep,
} from './decision-change.js';

const policyBlock = { action: 'block', source: 'policy' } as const;
/** Why a submit was refused ('' when it was not). */
const refusal = (step: ChangeStep): string => (step.kind === 'refuse' ? step.text : '');

describe('decision panel logic', () => {
  it("ranks actions in the server's own order (weakest first)", () => {
    expect([...ACTIONS]).toEqual(DecisionAction.options);
    expect(actionRank('block')).toBeGreaterThan(actionRank('throttle'));
    expect(actionRank('allow')).toBe(0);
  });

  it('starts on the action in force, allow when nothing was decided', () => {
    expect(initialAction(policyBlock)).toBe('block');
    expect(initialAction({ action: 'degrade' })).toBe('degrade');
    expect(initialAction(null)).toBe('allow');
    expect(initialAction(undefined)).toBe('allow');
  });

  it('asks to confirm a downgrade of a policy block, even with an expiry', () => {
    const w = changeWarnings(policyBlock, { action: 'throttle', ttlSeconds: 3600 });
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/Throttle is weaker than the policy decision in force \(Block\)/);
    for (const a of ['allow', 'monitor', 'step_up', 'throttle', 'degrade'] as const)
      expect(changeWarnings(policyBlock, { action: a, ttlSeconds: 60 }), a).toHaveLength(1);
  });

  it('asks to confirm a manual override with no expiry', () => {
    expect(changeWarnings(policyBlock, { action: 'block' })).toEqual([expect.stringMatching(/No expiry/)]);
    expect(changeWarnings(policyBlock, { action: 'throttle' })).toHaveLength(2);
    expect(changeWarnings(null, { action: 'monitor' })).toEqual([expect.stringMatching(/No expiry/)]);
  });

  it('lets an equal or stronger change with an expiry through', () => {
    expect(changeWarnings(policyBlock, { action: 'block', ttlSeconds: 3600 })).toEqual([]);
    expect(
      changeWarnings({ action: 'monitor', source: 'policy' }, { action: 'throttle', ttlSeconds: 60 }),
    ).toEqual([]);
    expect(changeWarnings(null, { action: 'allow', ttlSeconds: 60 })).toEqual([]);
  });

  it('needs a reason written for the override', () => {
    expect(confirmationReasonProblem('  ', 'suggested')).toMatch(/Say why/);
    expect(confirmationReasonProblem(' suggested ', 'suggested')).toMatch(/not the suggested/);
    expect(
      confirmationReasonProblem('False positive: customer load test, ticket 4411', 'suggested'),
    ).toBeNull();
  });

  it('on submit: refuses an empty reason, asks to confirm a downgrade, then saves with a reason of its own', () => {
    const downgrade = { action: 'throttle', ttlSeconds: 3600 } as const;
    const suggested = 'Cluster cl_1: reasoning traces';
    expect(refusal(changeStep(policyBlock, downgrade, { text: ' ', suggested }, false))).toMatch(
      /Give a reason/,
    );
    expect(changeStep(policyBlock, downgrade, { text: suggested, suggested }, false)).toEqual({
      kind: 'confirm',
      warnings: [expect.stringMatching(/weaker than the policy decision/)],
    });
    expect(refusal(changeStep(policyBlock, downgrade, { text: suggested, suggested }, true))).toMatch(
      /not the suggested/,
    );
    expect(changeStep(policyBlock, downgrade, { text: 'load test, ticket 4411', suggested }, true)).toEqual({
      kind: 'save',
    });
  });

  it('on submit: saves a change that needs no confirmation at once', () => {
    const stronger = { action: 'block', ttlSeconds: 60 } as const;
    expect(changeStep(null, stronger, { text: 'suggested', suggested: 'suggested' }, false)).toEqual({
      kind: 'save',
    });
  });
});
