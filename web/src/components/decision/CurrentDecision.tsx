import type { Decision } from '../../api/types.js';
import type { Loaded } from '../../api/use-api.js';
import { formatTime, humanize } from '../../app/format.js';

/** The decision in force, with what it does to the account's traffic. */
export function CurrentDecision({ current }: { current: Loaded<Decision | null> }) {
  const d = current.data;
  return (
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
  );
}
