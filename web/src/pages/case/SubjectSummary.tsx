import type { Loaded } from '../../api/use-api.js';
import { formatCount, formatScore } from '../../app/format.js';
import { accountHref, clusterHref } from '../../app/route.js';
import { EvidenceList } from '../../components/EvidenceList.js';
import { LevelBadge } from '../../components/LevelBadge.js';
import { ErrorBox, Loading } from '../../components/States.js';
import type { Subject } from './case-subject.js';

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
        <LevelBadge level={finding.level} /> score {formatScore(finding.score)} ·{' '}
        {accounts === undefined ? '' : `${formatCount(accounts)} accounts · `}
        {formatCount(finding.events)} events
      </div>
      <EvidenceList signals={finding.signals} />
    </>
  );
}

/** The case's subject: the cluster or account finding with its evidence. */
export function SubjectPanel({ subject }: { subject: Loaded<Subject | null> }) {
  return (
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
  );
}
