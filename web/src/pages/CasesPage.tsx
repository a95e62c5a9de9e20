import { useMemo } from 'react';
import { api, itemsOf } from '../api/client.js';
import type { ClusterSummary, Level, Page } from '../../../src/contracts/index.js';
import { CASE_STATUSES, type Case } from '../api/types.js';
import { LevelBadge } from '../components/LevelBadge.js';
import { useApi } from '../api/use-api.js';
import { formatShortTime, formatTime } from '../app/format.js';
import { accountHref, caseHref, clusterHref } from '../app/route.js';
import { PageHeader } from '../components/PageHeader.js';
import { Empty, ErrorBox, Loading } from '../components/States.js';
import { STATUS_LABELS } from './case/case-status.js';

function CaseCard({ c, level }: { c: Case; level?: Level }) {
  return (
    <a className="case-card" href={caseHref(c.id)} data-testid="case-card">
      <div className="case-title">{c.title}</div>
      <div className="case-meta">
        {level && <LevelBadge level={level} />}
        <span className="chip">{c.subject_type}</span>
        <span
          className="mono link-like"
          onClick={(e) => {
            e.preventDefault();
            window.location.hash = (c.subject_type === 'cluster' ? clusterHref : accountHref)(c.subject_id);
          }}
        >
          {c.subject_id}
        </span>
      </div>
      <div className="case-foot">
        <span>{c.assignee ? `@${c.assignee}` : <span className="muted">unassigned</span>}</span>
        <span className="muted" title={formatTime(c.updated_at ?? c.created_at)}>
          {formatShortTime(c.updated_at ?? c.created_at)}
        </span>
      </div>
    </a>
  );
}

export function CasesPage() {
  const cases = useApi(() => api.get<{ items: Case[] } | Case[]>('/v1/cases', { limit: 500 }), []);
  // Levels of cluster subjects, so the board shows how severe each case is at a glance.
  const clusters = useApi(() => api.get<Page<ClusterSummary>>('/v1/clusters', { limit: 1000 }), []);
  const clusterLevel = useMemo(
    () => new Map(itemsOf(clusters.data).map((c) => [c.cluster_id, c.level] as const)),
    [clusters.data],
  );
  if (cases.loading && !cases.data) return <Loading what="cases" />;
  if (cases.error) return <ErrorBox error={cases.error} onRetry={cases.reload} />;
  const all = itemsOf(cases.data);
  return (
    <>
      <PageHeader title="Cases">
        <span className="muted">{all.length} cases</span>
      </PageHeader>
      {all.length === 0 && <Empty>No cases yet. Open one from a cluster or an account page.</Empty>}
      <div className="board" data-testid="cases-board">
        {CASE_STATUSES.map((status) => {
          const column = all.filter((c) => c.status === status);
          return (
            <div key={status} className={`board-col status-${status}`}>
              <div className="board-head">
                {STATUS_LABELS[status]} <span className="count">{column.length}</span>
              </div>
              {column.map((c) => (
                <CaseCard
                  key={c.id}
                  c={c}
                  level={c.subject_type === 'cluster' ? clusterLevel.get(c.subject_id) : undefined}
                />
              ))}
            </div>
          );
        })}
      </div>
    </>
  );
}
