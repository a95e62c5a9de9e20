import { useMemo } from 'react';
import { api } from '../../api/client.js';
import type { AccountDetail } from '../../../../src/contracts/index.js';
import { useApi } from '../../api/use-api.js';
import { formatCount, humanize } from '../../app/format.js';
import { clusterHref, href } from '../../app/route.js';
import { DecisionPanel } from '../../components/decision/DecisionPanel.js';
import { EvidenceList } from '../../components/EvidenceList.js';
import { LevelBasisPanel } from '../../components/LevelBasisPanel.js';
import { OpenCaseButton } from '../../components/OpenCaseButton.js';
import { SubjectHeader } from '../../components/PageHeader.js';
import { ScoreStat, StatCard } from '../../components/StatCard.js';
import { ErrorBox, Loading } from '../../components/States.js';
import { AccountRecordPanel } from './AccountRecordPanel.js';
import { SamplePrompts, showSample } from './SamplePrompts.js';

export function AccountPage({ id }: { id: string }) {
  const detail = useApi(() => api.get<AccountDetail>(`/v1/accounts/${encodeURIComponent(id)}`), [id]);
  const sampleIds = useMemo(() => new Set(detail.data?.samples.map((s) => s.id) ?? []), [detail.data]);
  if (detail.loading && !detail.data) return <Loading what={`account ${id}`} />;
  if (detail.error) return <ErrorBox error={detail.error} onRetry={detail.reload} />;
  if (!detail.data) return null;
  const { account, record, samples } = detail.data;
  const top = [...account.signals].sort((a, b) => b.score - a.score)[0];
  return (
    <>
      <SubjectHeader
        id={account.account_id}
        level={account.level}
        crumb={{ label: 'Accounts', href: href('/accounts') }}
      >
        <OpenCaseButton
          subjectType="account"
          subjectId={account.account_id}
          title={`Account ${account.account_id}${top ? `: ${humanize(top.detector).toLowerCase()}` : ''}`}
        />
      </SubjectHeader>
      <div className="stats">
        <ScoreStat score={account.score} level={account.level} />
        <StatCard label="Events" value={formatCount(account.events)} />
        <StatCard
          label="Signals"
          value={account.signals.length}
          hint={top ? `strongest: ${humanize(top.detector)}` : 'none fired'}
        />
        <StatCard
          label="Cluster"
          value={
            account.cluster_id ? (
              <a className="mono" href={clusterHref(account.cluster_id)}>
                {account.cluster_id}
              </a>
            ) : (
              '—'
            )
          }
          hint={account.cluster_id ? 'linked to other accounts' : 'not linked'}
        />
      </div>
      <LevelBasisPanel basis={account.basis} />
      <div className="grid-main">
        <section className="panel">
          <div className="panel-title">Evidence</div>
          <EvidenceList signals={account.signals} onExample={showSample} knownExamples={sampleIds} />
        </section>
        <div className="stack">
          <DecisionPanel
            accountId={account.account_id}
            defaultScope="account"
            suggestedReason={top ? `${humanize(top.detector)}: ${top.evidence}` : ''}
          />
          <AccountRecordPanel record={record} />
        </div>
      </div>
      <SamplePrompts samples={samples} />
    </>
  );
}
