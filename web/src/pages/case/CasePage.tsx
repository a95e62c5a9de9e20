import { useState } from 'react';
import { ApiError } from '../../api/client.js';
import { href } from '../../app/route.js';
import { DecisionPanel } from '../../components/decision/DecisionPanel.js';
import { PageHeader } from '../../components/PageHeader.js';
import { ErrorBox, Loading } from '../../components/States.js';
import { CaseDiscussion } from './CaseDiscussion.js';
import { CaseWorkflow } from './CaseWorkflow.js';
import { decisionAccountFor, type CaseAct } from './case-subject.js';
import { STATUS_LABELS } from './case-status.js';
import { SubjectPanel } from './SubjectSummary.js';
import { useCase } from './use-case.js';

export function CasePage({ id }: { id: string }) {
  const { kase, subject } = useCase(id);
  const c = kase.data;
  const [error, setError] = useState<string | null>(null);

  if (kase.loading && !c) return <Loading what={`case ${id}`} />;
  if (kase.error) return <ErrorBox error={kase.error} onRetry={kase.reload} />;
  if (!c) return null;

  const act: CaseAct = async (run) => {
    setError(null);
    try {
      await run();
      kase.reload();
    } catch (err) {
      setError(err instanceof ApiError ? `${err.code}: ${err.message}` : String(err));
    }
  };
  const decisionAccount = decisionAccountFor(
    c,
    subject.data?.kind === 'cluster' ? subject.data.data : undefined,
  );

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
          <SubjectPanel subject={subject} />
          <CaseDiscussion c={c} act={act} />
        </div>
        <div className="stack">
          <CaseWorkflow c={c} act={act} />
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
