import { api, itemsOf } from '../api/client.js';
import type { AuditEntry } from '../../../src/contracts/index.js';
import { useApi } from '../api/use-api.js';
import { formatTime } from '../app/format.js';
import { PageHeader } from '../components/PageHeader.js';
import { Empty, ErrorBox, Loading } from '../components/States.js';

/** Details as `key value` pairs an auditor can scan; nested values stay JSON. */
function describe(entry: AuditEntry): string {
  let details = entry.details;
  if (typeof details === 'string') {
    try {
      details = JSON.parse(details) as unknown;
    } catch {
      return details as string;
    }
  }
  if (!details || typeof details !== 'object') return details === undefined ? '' : JSON.stringify(details);
  return Object.entries(details as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k} ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' · ');
}

export function AuditPage() {
  const audit = useApi(
    () => api.get<{ items: AuditEntry[] } | AuditEntry[]>('/v1/audit', { limit: 200 }),
    [],
  );
  if (audit.loading && !audit.data) return <Loading what="audit log" />;
  if (audit.error)
    return (
      <>
        <PageHeader title="Audit log" />
        <ErrorBox error={audit.error} onRetry={audit.reload} />
      </>
    );
  const entries = itemsOf(audit.data);
  return (
    <>
      <PageHeader title="Audit log" />
      <section className="panel flush">
        {entries.length === 0 ? (
          <Empty>Nothing recorded yet.</Empty>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="audit-table">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Actor</th>
                  <th>Action</th>
                  <th>Subject</th>
                  <th>Details</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((e, i) => (
                  <tr key={`${e.id}-${i}`}>
                    <td className="nowrap">{formatTime(e.at)}</td>
                    <td>
                      <span className="ellipsis actor-cell" title={e.actor}>
                        {e.actor}
                      </span>
                    </td>
                    <td className="mono">{e.action}</td>
                    <td className="mono">
                      <span
                        className="ellipsis actor-cell"
                        title={`${e.subject_type ?? ''} ${e.subject_id ?? ''}`}
                      >
                        {e.subject_type ? `${e.subject_type} ` : ''}
                        {e.subject_id ?? ''}
                      </span>
                    </td>
                    <td>
                      <span className="evidence-cell mono small">{describe(e)}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
