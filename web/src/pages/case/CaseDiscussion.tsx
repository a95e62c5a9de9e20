import { useState, type FormEvent } from 'react';
import { api } from '../../api/client.js';
import type { Case } from '../../api/types.js';
import { formatTime } from '../../app/format.js';
import type { CaseAct } from './case-subject.js';

/** The analysts' notes on a case and the form to add one. */
export function CaseDiscussion({ c, act }: { c: Case; act: CaseAct }) {
  const [comment, setComment] = useState('');
  const addComment = (e: FormEvent) => {
    e.preventDefault();
    if (!comment.trim()) return;
    void act(async () => {
      await api.post(`/v1/cases/${encodeURIComponent(c.id)}/comments`, { body: comment.trim() });
      setComment('');
    });
  };
  return (
    <section className="panel">
      <div className="panel-title">Discussion</div>
      <ul className="comments" data-testid="comments">
        {(c.comments ?? []).map((m, i) => (
          <li key={m.id ?? i} className="comment">
            <div className="comment-head">
              <b>{m.author ?? 'analyst'}</b> <span className="muted">{formatTime(m.created_at)}</span>
            </div>
            <div className="comment-body">{m.body}</div>
          </li>
        ))}
        {(c.comments ?? []).length === 0 && <li className="muted">No comments yet.</li>}
      </ul>
      <form className="form" onSubmit={addComment}>
        <textarea
          rows={3}
          placeholder="Add a note: what you checked, what you decided and why"
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          name="comment"
        />
        <div className="form-row">
          <button className="btn" type="submit" data-testid="add-comment">
            Comment
          </button>
        </div>
      </form>
    </section>
  );
}
