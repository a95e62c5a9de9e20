import { useState } from 'react';
import { api, ApiError } from '../api/client.js';
import type { Case } from '../api/types.js';
import { caseHref, navigate } from '../app/route.js';

/** Creates a case for a cluster or account and opens it. */
export function OpenCaseButton({
  subjectType,
  subjectId,
  title,
}: {
  subjectType: 'cluster' | 'account';
  subjectId: string;
  title: string;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const open = async () => {
    setBusy(true);
    setError(null);
    try {
      const created = await api.post<Case | { case: Case }>('/v1/cases', {
        subject_type: subjectType,
        subject_id: subjectId,
        title,
      });
      const id = 'case' in created ? created.case.id : created.id;
      navigate(caseHref(String(id)));
    } catch (err) {
      setError(err instanceof ApiError ? `${err.code}: ${err.message}` : String(err));
      setBusy(false);
    }
  };
  return (
    <>
      {error && <span className="inline-error">{error}</span>}
      <button className="btn btn-primary" onClick={() => void open()} disabled={busy} data-testid="open-case">
        {busy ? 'Opening…' : 'Open case'}
      </button>
    </>
  );
}
