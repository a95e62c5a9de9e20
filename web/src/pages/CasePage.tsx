import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api/client.js';
import type { AccountDetail, ClusterDetail } from '../../../src/contracts/index.js';
import { CASE_STATUSES, type Case, type CaseComment, type CaseStatus } from '../api/types.js';
import { useApi } from '../api/useApi.js';
import { formatCount, formatTime } from '../app/format.js';
import { accountHref, clusterHref, href } from '../app/route.js';
import { DecisionPanel } from '../components/DecisionPanel.js';
import { EvidenceList } from '../components/EvidenceList.js';
import { LevelBadge } from '../components/LevelBadge.js';
import { PageHeader } from '../components/PageHeader.js';
import { ErrorBox, Loading } from '../components/States.js';
import { STATUS_LABELS } from './caseStatus.js';

type Subject = { kind: 'cluster'; data: ClusterDetail } | { kind: 'account'; data: AccountDetail };

/** The server answers `{case, comments}`; a flat case with `comments` is accepted too. */
function unwrap(value: Case | { case: Case; comments?: CaseComment[] }): Case {
  return 'case' in value ? { ...value.case, comments: value.comments ?? value.case.comments ?? [] } : value;
}

function SubjectSummary({ subject }: { subject: Subject }) {
  const { kind, id, link, finding, accounts } =
    subject.kind === 'cluster'
      ? {
          kind: 'Cluster',
          id: subject.data.cluster.cluster_id,
          link: clusterHref,
          finding: subject.data.cluster,
          accounts: subject.data.cluster.account_ids.length,
        }
      : {
          kind: 'Account',
          id: subject.data.account.account_id,
          link: accountHref,
          finding: subject.data.account,
          accounts: undefined,
        };
  return (
    <>
      <div className="subject-line">
        {kind}{' '}
        <a className="mono" href={link(id)}>
          {id}
        </a>{' '}
        <LevelBadge level={finding.level} /> score {finding.score.toFixed(2)} ·{' '}
        {accounts === undefined ? '' : `${formatCount(accounts)} accounts · `}
        {formatCount(finding.events)} events
      </div>
      <EvidenceList signals={finding.signals} />
    </>
  );
}

export function CasePage({ id }: { id: string }) {
  const kase = useApi(
    async () =>
      unwrap(
        await api.get<Case | { case: Case; comments?: CaseComment[] }>(`/v1/cases/${encodeURIComponent(id)}`),
      ),
    [id],
  );
  const c = kase.data;
  const subject = useApi<Subject | null>(async () => {
    if (!c) return null;
    const path = `/v1/${c.subject_type === 'cluster' ? 'clusters' : 'accounts'}/${encodeURIComponent(c.subject_id)}`;
    return c.subject_type === 'cluster'
      ? { kind: 'cluster', data: await api.get<ClusterDetail>(path) }
      : { kind: 'account', data: await api.get<AccountDetail>(path) };
  }, [c?.subject_type, c?.subject_id]);
  const [comment, setComment] = useState('');
  const [assignee, setAssignee] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  if (kase.loading && !c) return <Loading what={`case ${id}`} />;
  if (kase.error) return <ErrorBox error={kase.error} onRetry={kase.reload} />;
  if (!c) return null;

  const act = async (run: () => Promise<unknown>) => {
    setError(null);
    try {
      await run();
      kase.reload();
    } catch (err) {
      setError(err instanceof ApiError ? `${err.code}: ${err.message}` : String(err));
    }
  };
  const setStatus = (status: CaseStatus) =>
    act(() => api.patch(`/v1/cases/${encodeURIComponent(c.id)}`, { status }));
  const saveAssignee = (e: FormEvent) => {
    e.preventDefault();
    void act(() =>
      api.patch(`/v1/cases/${encodeURIComponent(c.id)}`, { assignee: (assignee ?? '').trim() || null }),
    );
  };
  const addComment = (e: FormEvent) => {
    e.preventDefault();
    if (!comment.trim()) return;
    void act(async () => {
      await api.post(`/v1/cases/${encodeURIComponent(c.id)}/comments`, { body: comment.trim() });
      setComment('');
    });
  };
  const decisionAccount =
    c.subject_type === 'account'
      ? c.subject_id
      : subject.data?.kind === 'cluster'
        ? ([...subject.data.data.graph.nodes].sort((a, b) => b.score - a.score)[0]?.id ??
          subject.data.data.cluster.account_ids[0])
        : undefined;

  return (
    <>
      <PageHeader title={c.title} crumbs={[{ label: 'Cases', href: href('/cases') }]}>
        <span className={`status-pill status-${c.status}`} data-testid="case-status">
          {STATUS_LABELS[c.status]}
        </span>
      </PageHeader>
      {error && <div className="state state-error">{error}</div>}
      <div className="grid-main">
        <div className="stack">
          <section className="panel">
            <div className="panel-title">Subject</div>
            {subject.loading && !subject.data ? (
              <Loading what="subject" />
            ) : subject.error ? (
              <ErrorBox error={subject.error} onRetry={subject.reload} />
            ) : subject.data ? (
              <SubjectSummary subject={subject.data} />
            ) : null}
          </section>
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
        </div>
        <div className="stack">
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
                  onClick={() => void setStatus(s)}
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
          {decisionAccount && (
            <DecisionPanel
              accountId={decisionAccount}
              defaultScope={c.subject_type}
              suggestedReason={`Case ${c.id}: ${c.title}`}
            />
          )}
        </div>
      </div>
    </>
  );
}
