import type { Action } from '../../api/types.js';
import { humanize } from '../../app/format.js';

interface Props {
  warnings: string[];
  action: Action | null;
  /** Why the written reason is not yet enough to confirm; null when it is. */
  reasonProblem: string | null;
  busy: boolean;
  onCancel: () => void;
}

/** Asks for an explicit confirmation of a downgrade or an unexpiring override. */
export function ConfirmOverride({ warnings, action, reasonProblem, busy, onCancel }: Props) {
  return (
    <div className="decision-confirm" role="alertdialog" data-testid="decision-confirm">
      <ul>
        {warnings.map((w) => (
          <li key={w}>{w}</li>
        ))}
      </ul>
      <div className="muted">
        {reasonProblem ?? 'The reason above is recorded with this override in the audit log.'}
      </div>
      <div className="form-row">
        <button
          className="btn btn-primary"
          type="submit"
          disabled={busy || reasonProblem !== null}
          data-testid="confirm-decision"
        >
          {busy ? 'Saving…' : `Confirm ${action ? humanize(action) : ''}`}
        </button>
        <button className="btn" type="button" onClick={onCancel} data-testid="cancel-decision">
          Cancel
        </button>
      </div>
    </div>
  );
}
