import { ACTIONS, type Action, type Decision } from '../../api/types.js';
import { humanize } from '../../app/format.js';

/**
 * How strong an action is. ACTIONS lists them weakest first, in the order of the server's
 * DecisionAction (src/contracts/decision.ts), which is how policy rules combine.
 */
export const actionRank = (a: Action): number => ACTIONS.indexOf(a);

/** The action the panel starts on: the one in force (allow when nothing was decided). */
export const initialAction = (current: Pick<Decision, 'action'> | null | undefined): Action =>
  current?.action ?? 'allow';

export interface DecisionChange {
  action: Action;
  /** Undefined: no expiry chosen. */
  ttlSeconds?: number | undefined;
}

/**
 * Why a change needs an explicit confirmation with its own reason: it weakens the decision in
 * force, or it is a manual override with no expiry (it outranks policy until someone changes it).
 * Empty when the change can go through as is.
 */
export function changeWarnings(
  current: Pick<Decision, 'action' | 'source'> | null | undefined,
  next: DecisionChange,
): string[] {
  const warnings: string[] = [];
  const now = initialAction(current);
  if (actionRank(next.action) < actionRank(now))
    warnings.push(
      `${humanize(next.action)} is weaker than the ${current?.source ?? 'current'} decision in force (${humanize(now)}).`,
    );
  if (next.ttlSeconds === undefined)
    warnings.push(
      `No expiry: this manual ${humanize(next.action)} overrides policy until someone changes it, even if the findings get worse.`,
    );
  return warnings;
}

/**
 * The problem with a confirmation's reason, or null when it will do: it must be written for this
 * override, not left empty or as the text the page suggested.
 */
export function confirmationReasonProblem(reason: string, suggested: string): string | null {
  const r = reason.trim();
  if (r === '') return 'Say why: the reason is recorded in the audit log and shown to reviewers.';
  if (r === suggested.trim()) return 'Write the reason for this override, not the suggested text.';
  return null;
}

/** What submitting the form does next. */
export type ChangeStep =
  | { kind: 'save' }
  | { kind: 'refuse'; text: string }
  /** Show these warnings and wait for a confirmation with a reason of its own. */
  | { kind: 'confirm'; warnings: string[] };

/**
 * The gate a change passes on submit: a reason is always needed; a change with warnings first
 * asks for a confirmation, then needs a reason written for the override.
 */
export function changeStep(
  current: Pick<Decision, 'action' | 'source'> | null | undefined,
  next: DecisionChange,
  reason: { text: string; suggested: string },
  confirming: boolean,
): ChangeStep {
  if (!reason.text.trim())
    return { kind: 'refuse', text: 'Give a reason: it is recorded in the audit log and shown to reviewers.' };
  const warnings = changeWarnings(current, next);
  if (warnings.length === 0) return { kind: 'save' };
  if (!confirming) return { kind: 'confirm', warnings };
  const problem = confirmationReasonProblem(reason.text, reason.suggested);
  return problem ? { kind: 'refuse', text: problem } : { kind: 'save' };
}
