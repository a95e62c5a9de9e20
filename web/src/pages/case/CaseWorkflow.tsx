import { useState, type FormEvent } from 'react';
import { api } from '../../api/client.js';
import { CASE_STATUSES, type Case } from '../../api/types.js';
import { formatTime } from '../../app/format.js';
import type { CaseAct } from './case-subject.js';
import { STATUS_LABELS } from './case-status.js';

/** A case's status and assignee. */
export function CaseWorkflow({ c, act }: { c: Case; act: CaseAct }) {
  // Null until the analyst types: the field shows the saved assignee until then.
  const [assignee, setAssignee] = useState<string | null>(null);
  const patch = (body: Record<string, unknown>) =>
    act(() => api.patch(`/v1/cases/${encodeURIComponent(c.id)}`, body));
  const saveAssignee = (e: FormEvent) => {
    e.preventDefault();
    void patch({ assignee: (assignee ?? '').trim() || null });
  };
  return (
    <section className="panel">
      <div className="panel-title">Workflow</div>
      <div className="segmented vertical" role="radiogroup" aria-label="Status">
        {CASE_STATUSES.map((s) => (
          <button
            key={s}
            type="button"
            role="radio"
            aria-checked={c.status === s}
            className={`seg status-${s} ${c.status === s ? 'on' : ''}`}
            onClick={() => void patch({ status: s })}
          >
            {STATUS_LABELS[s]}
          </button>
        ))}
      </div>
      <form className="form-row" onSubmit={saveAssignee}>
        <input
          className="input"
          placeholder="assignee"
          value={assignee ?? c.assignee ?? ''}
          onChange={(e) => setAssignee(e.target.value)}
          name="assignee"
        />
        <button className="btn" type="submit">
          Assign
        </button>
      </form>
      <div className="muted small">
        opened {formatTime(c.created_at)} · updated {formatTime(c.updated_at)}
      </div>
    </section>
  );
}
