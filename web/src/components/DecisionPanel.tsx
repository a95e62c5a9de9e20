import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api/client.js';
import { ACTIONS, type Action, type Decision, type DecisionRequest } from '../api/types.js';
import { useApi } from '../api/useApi.js';
import { formatTime, humanize } from '../app/format.js';

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
  const [action, setAction] = useState<Action>('throttle');
  const [reason, setReason] = useState(suggestedReason);
  const [scope, setScope] = useState(defaultScope);
  const [ttl, setTtl] = useState(0);
  const [status, setStatus] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!reason.trim()) {
      setStatus({
        kind: 'error',
        text: 'Give a reason: it is recorded in the audit log and shown to reviewers.',
      });
      return;
    }
    const body: DecisionRequest = { action, reason: reason.trim(), scope };
    const seconds = TTLS[ttl]?.seconds;
    if (seconds) body.ttl_seconds = seconds;
    setBusy(true);
    try {
      await api.put(`/v1/decisions/${encodeURIComponent(accountId)}`, body);
      setStatus({ kind: 'ok', text: `Decision saved: ${humanize(action)} (${scope}).` });
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
              onClick={() => setAction(a)}
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
            <select value={ttl} onChange={(e) => setTtl(Number(e.target.value))} name="ttl">
              {TTLS.map((t, i) => (
                <option key={t.label} value={i}>
                  {t.label}
                </option>
              ))}
            </select>
          </label>
          <button className="btn btn-primary" type="submit" disabled={busy} data-testid="set-decision">
            {busy ? 'Saving…' : 'Set decision'}
          </button>
        </div>
        {status && (
          <div className={`form-status ${status.kind}`} role="status">
            {status.text}
          </div>
        )}
      </form>
    </div>
  );
}
