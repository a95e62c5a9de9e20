import { ActionPicker } from './ActionPicker.js';
import { ConfirmOverride } from './ConfirmOverride.js';
import { CurrentDecision } from './CurrentDecision.js';
import { confirmationReasonProblem } from './decision-change.js';
import { useCurrentDecision } from './use-current-decision.js';
import { TTLS, useDecisionForm, type DecisionScope } from './use-decision-form.js';

interface Props {
  accountId: string;
  /** Cluster pages default to deciding for the whole cluster. */
  defaultScope: DecisionScope;
  suggestedReason: string;
}

/** Shows the enforcement decision in force and lets an analyst set a new one. */
export function DecisionPanel({ accountId, defaultScope, suggestedReason }: Props) {
  const current = useCurrentDecision(accountId);
  const form = useDecisionForm({ accountId, defaultScope, suggestedReason, current });
  const { action, busy, confirming, status } = form;
  return (
    <div className="panel decision" data-testid="decision-panel" data-account={accountId}>
      <div className="panel-title">Enforcement</div>
      <CurrentDecision current={current} />
      <form className="form" onSubmit={(e) => void form.submit(e)}>
        <ActionPicker action={action} onChoose={form.choose} />
        <label>
          Reason
          <textarea
            value={form.reason}
            rows={2}
            onChange={(e) => form.setReason(e.target.value)}
            name="reason"
          />
        </label>
        <div className="form-row">
          <label>
            Scope
            <select
              value={form.scope}
              onChange={(e) => form.setScope(e.target.value as DecisionScope)}
              name="scope"
            >
              <option value="account">this account</option>
              <option value="cluster">its whole cluster</option>
            </select>
          </label>
          <label>
            Expires
            <select value={form.ttl} onChange={(e) => form.chooseTtl(Number(e.target.value))} name="ttl">
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
          <ConfirmOverride
            warnings={confirming}
            action={action}
            reasonProblem={confirmationReasonProblem(form.reason, suggestedReason)}
            busy={busy}
            onCancel={form.cancelConfirmation}
          />
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
