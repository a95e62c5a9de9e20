import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api/client.js';
import type { Action, Decision, DecisionRequest } from '../../api/types.js';
import type { Loaded } from '../../api/use-api.js';
import { humanize } from '../../app/format.js';
import { changeStep, initialAction } from './decision-change.js';

export const TTLS: { label: string; seconds?: number }[] = [
  { label: 'no expiry' },
  { label: '1 hour', seconds: 3600 },
  { label: '1 day', seconds: 86_400 },
  { label: '7 days', seconds: 604_800 },
  { label: '30 days', seconds: 2_592_000 },
];

export type DecisionScope = 'account' | 'cluster';

export interface DecisionFormOptions {
  accountId: string;
  defaultScope: DecisionScope;
  suggestedReason: string;
  current: Loaded<Decision | null>;
}

/** The state of the "set a decision" form and its submission, confirmation step included. */
export function useDecisionForm({ accountId, defaultScope, suggestedReason, current }: DecisionFormOptions) {
  // No action is picked until the one in force is known: a default would be a silent change.
  const [action, setAction] = useState<Action | null>(null);
  const [reason, setReason] = useState(suggestedReason);
  const [scope, setScope] = useState(defaultScope);
  const [ttl, setTtl] = useState(0);
  const [status, setStatus] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  // A downgrade or an unexpiring override waits here for a confirmation and a written reason.
  const [confirming, setConfirming] = useState<string[] | null>(null);

  const loaded = !current.loading && !current.error;
  useEffect(() => {
    if (loaded) setAction(initialAction(current.data));
  }, [loaded, current.data]);

  const choose = (a: Action) => {
    setAction(a);
    setConfirming(null);
  };
  const chooseTtl = (index: number) => {
    setTtl(index);
    setConfirming(null);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!action) return;
    const seconds = TTLS[ttl]?.seconds;
    const step = changeStep(
      current.data,
      { action, ttlSeconds: seconds },
      { text: reason, suggested: suggestedReason },
      confirming !== null,
    );
    if (step.kind === 'refuse') return setStatus({ kind: 'error', text: step.text });
    if (step.kind === 'confirm') {
      setConfirming(step.warnings);
      return setStatus(null);
    }
    const body: DecisionRequest = { action, reason: reason.trim(), scope };
    if (seconds) body.ttl_seconds = seconds;
    setBusy(true);
    try {
      await api.put(`/v1/decisions/${encodeURIComponent(accountId)}`, body);
      setStatus({ kind: 'ok', text: `Decision saved: ${humanize(action)} (${scope}).` });
      setConfirming(null);
      current.reload();
    } catch (err) {
      setStatus({
        kind: 'error',
        text: err instanceof ApiError ? `${err.code}: ${err.message}` : String(err),
      });
    } finally {
      setBusy(false);
    }
  };

  return {
    action,
    choose,
    reason,
    setReason,
    scope,
    setScope,
    ttl,
    chooseTtl,
    status,
    busy,
    confirming,
    cancelConfirmation: () => setConfirming(null),
    submit,
  };
}

export type DecisionForm = ReturnType<typeof useDecisionForm>;
