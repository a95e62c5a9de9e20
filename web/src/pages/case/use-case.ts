import { api } from '../../api/client.js';
import type { AccountDetail, ClusterDetail } from '../../../../src/contracts/index.js';
import { useApi } from '../../api/use-api.js';
import { unwrapCase, type CaseAnswer, type Subject } from './case-subject.js';

/** A case and the finding it is about (loaded once the case says what that is). */
export function useCase(id: string) {
  const kase = useApi(
    async () => unwrapCase(await api.get<CaseAnswer>(`/v1/cases/${encodeURIComponent(id)}`)),
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
  return { kase, subject };
}
