import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api/client.js';
import { ACTIONS, type Action, type Decision, type DecisionRequest } from '../api/types.js';
import { useApi } from '../api/useApi.js';
import { formatTime, humanize } from '../app/format.js';
import { changeWarnings, confirmationReasonProblem, initialAction } from './decision-change.js';

interface Props {
  accountId: string;
  /** Cluster pages default to deciding for the whole cluster. */
  defaultScope: 'account' | 'cluster';
  suggestedReason: string;
}

const TTLS: { label: string; seconds?: number }[] = [
  { label: 'no expiry' },
  { label: '1 hour', seconds: 3600 },
  { label: '1 day', seconds: 86_400 },
  { label: '7 days', seconds: 604_800 },
  { label: '30 days', seconds: 2_592_000 },
];

/** Shows the enforcement decision in force and lets an analyst set a new one. */
export function DecisionPanel({ accountId, defaultScope, suggestedReason }: Props) {
  const current = useApi(async () => {
    try {
      return await api.get<Decision>(`/v1/decisions/${encodeURIComponent(accountId)}`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  }, [accountId]);
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

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!action) return;
    if (!reason.trim()) {
      setStatus({
        kind: 'error',
        text: 'Give a reason: it is recorded in the audit log and shown to reviewers.',
      });
      return;
    }
    const seconds = TTLS[ttl]?.seconds;
    const warnings = changeWarnings(current.data, { action, ttlSeconds: seconds });
    if (warnings.length > 0) {
      if (!confirming) {
        setConfirming(warnings);
        setStatus(null);
        return;
      }
      const problem = confirmationReasonProblem(reason, suggestedReason);
      if (problem) {
        setStatus({ kind: 'error', text: problem });
        return;
      }
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

  const d = current.data;
  return (
    <div className="panel decision" data-testid="decision-panel" data-account={accountId}>
      <div className="panel-title">Enforcement</div>
      <div className="decision-current">
        {current.loading ? (
          <span className="muted">Loading the current decision…</span>
        ) : current.error ? (
          <span className="muted">Current decision unavailable ({current.error.code}).</span>
        ) : d ? (
          <>
            <span className={`action action-${d.action}`} data-testid="current-action">
              {humanize(d.action)}
            </span>
            <span className="muted">
              {' '}
              {d.source}
              {d.scope === 'cluster' && d.cluster_id ? ` · whole cluster ${d.cluster_id}` : ''}
              {d.updated_at ? ` · ${formatTime(d.updated_at)}` : ''}
              {d.expires_at ? ` · expires ${formatTime(d.expires_at)}` : ''}
            </span>
            <div className="decision-reason">{d.reason}</div>
            <div className="chips decision-effects">
              {d.rate_per_minute !== undefined && <span className="chip">{d.rate_per_minute} req/min</span>}
              {d.degrade?.reasoning_trace && <span className="chip">reasoning traces stripped</span>}
              {d.degrade?.logprobs && <span className="chip">logprobs stripped</span>}
              {d.degrade && <span className="chip">max {d.degrade.max_tokens} tokens</span>}
              {d.watch && <span className="chip">canaries on</span>}
            </div>
          </>
        ) : (
          <span className="muted">No decision yet: traffic is allowed.</span>
        )}
      </div>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <div className="segmented" role="radiogroup" aria-label="Action">
          {ACTIONS.map((a) => (
            <button
              type="button"
              key={a}
              role="radio"
              aria-checked={action === a}
              className={`seg action-${a} ${action === a ? 'on' : ''}`}
              onClick={() => choose(a)}
            >
              {humanize(a)}
            </button>
          ))}
        </div>
        <label>
          Reason
          <textarea value={reason} rows={2} onChange={(e) => setReason(e.target.value)} name="reason" />
        </label>
        <div className="form-row">
          <label>
            Scope
            <select
              value={scope}
              onChange={(e) => setScope(e.target.value as 'account' | 'cluster')}
              name="scope"
            >
              <option value="account">this account</option>
              <option value="cluster">its whole cluster</option>
            </select>
          </label>
          <label>
            Expires
            <select
              value={ttl}
              onChange={(e) => (setTtl(Number(e.target.value)), setConfirming(null))}
              name="ttl"
            >
              {TTLS.map((t, i) => (
                <option key={t.label} value={i}>
                  {t.label}
                </option>
              ))}
            </select>
          </label>
          <button
            className="btn btn-primary"
            type="submit"
            disabled={busy || !action || confirming !== null}
            data-testid="set-decision"
          >
            {busy ? 'Saving…' : 'Set decision'}
          </button>
        </div>
        {confirming && (
          <div className="decision-confirm" role="alertdialog" data-testid="decision-confirm">
            <ul>
              {confirming.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
            <div className="muted">
              {confirmationReasonProblem(reason, suggestedReason) ??
                'The reason above is recorded with this override in the audit log.'}
            </div>
            <div className="form-row">
              <button
                className="btn btn-primary"
                type="submit"
                disabled={busy || confirmationReasonProblem(reason, suggestedReason) !== null}
                data-testid="confirm-decision"
              >
                {busy ? 'Saving…' : `Confirm ${action ? humanize(action) : ''}`}
              </button>
              <button
                className="btn"
                type="button"
                onClick={() => setConfirming(null)}
                data-testid="cancel-decision"
              >
                Cancel
              </button>
            </div>
          </div>
        )}
        {status && (
          <div className={`form-status ${status.kind}`} role="status">
            {status.text}
          </div>
        )}
      </form>
    </div>
  );
}
