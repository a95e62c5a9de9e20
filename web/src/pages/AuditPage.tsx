import { api, itemsOf } from '../api/client.js';
import type { AuditEntry } from '../api/types.js';
import { useApi } from '../api/useApi.js';
import { formatTime } from '../app/format.js';
import { PageHeader } from '../components/PageHeader.js';
import { Empty, ErrorBox, Loading } from '../components/States.js';

function describe(entry: AuditEntry): string {
  const details = typeof entry.details === 'string' ? entry.details : JSON.stringify(entry.details ?? {});
  return details === '{}' ? '' : details;
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
          <table className="table">
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
                  <td>{e.actor}</td>
                  <td className="mono">{e.action}</td>
                  <td className="mono">
                    {e.subject_type ? `${e.subject_type} ` : ''}
                    {e.subject_id ?? ''}
                  </td>
                  <td className="mono ellipsis wide">{describe(e)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
