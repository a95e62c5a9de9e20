import { useMemo } from 'react';
import { api } from '../api/client.js';
import type { AccountDetail, AccountSample } from '../../../src/contracts/index.js';
import { useApi } from '../api/useApi.js';
import { formatCount, formatTime, humanize } from '../app/format.js';
import { clusterHref, href } from '../app/route.js';
import { DecisionPanel } from '../components/decision/DecisionPanel.js';
import { EvidenceList } from '../components/EvidenceList.js';
import { KeyValue } from '../components/KeyValue.js';
import { LevelBasisPanel } from '../components/LevelBasisPanel.js';
import { OpenCaseButton } from '../components/OpenCaseButton.js';
import { SubjectHeader } from '../components/PageHeader.js';
import { ScoreStat, StatCard } from '../components/StatCard.js';
import { Empty, ErrorBox, Loading } from '../components/States.js';

function sampleDomId(id: string) {
  return `sample-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

function Params({ params }: { params: AccountSample['params'] }) {
  const entries = Object.entries(params ?? {}).filter(([, v]) => v !== undefined && v !== null);
  if (!entries.length) return null;
  return (
    <span className="chips">
      {entries.map(([k, v]) => (
        <span key={k} className="chip mono">
          {k}={typeof v === 'object' ? JSON.stringify(v) : String(v as string | number | boolean)}
        </span>
      ))}
    </span>
  );
}

export function AccountPage({ id }: { id: string }) {
  const detail = useApi(() => api.get<AccountDetail>(`/v1/accounts/${encodeURIComponent(id)}`), [id]);
  const sampleIds = useMemo(() => new Set(detail.data?.samples.map((s) => s.id) ?? []), [detail.data]);
  if (detail.loading && !detail.data) return <Loading what={`account ${id}`} />;
  if (detail.error) return <ErrorBox error={detail.error} onRetry={detail.reload} />;
  if (!detail.data) return null;
  const { account, record, samples } = detail.data;
  const top = [...account.signals].sort((a, b) => b.score - a.score)[0];
  const showSample = (eventId: string) => {
    const el = document.getElementById(sampleDomId(eventId));
    el?.scrollIntoView({ behavior: 'smooth', block: 'center' });
    el?.classList.add('flash');
    setTimeout(() => el?.classList.remove('flash'), 1500);
  };
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
          <section className="panel">
            <div className="panel-title">Account record</div>
            {record ? (
              <KeyValue
                rows={[
                  ['created', formatTime(record.created_at)],
                  ['tier', record.tier],
                  ['e-mail domain', record.email_domain],
                  [
                    'payment',
                    record.payment_fingerprint && <span className="mono">{record.payment_fingerprint}</span>,
                  ],
                  ['country', record.declared_country],
                  ['sign-up IP', record.signup_ip && <span className="mono">{record.signup_ip}</span>],
                  ['verified', record.verified === undefined ? undefined : record.verified ? 'yes' : 'no'],
                ]}
              />
            ) : (
              <span className="muted">No account record was supplied for this account.</span>
            )}
          </section>
        </div>
      </div>
      <section className="panel">
        <div className="panel-title">Sample prompts</div>
        {samples.length === 0 ? (
          <Empty>No stored samples for this account.</Empty>
        ) : (
          <ol className="samples" data-testid="samples">
            {samples.map((s) => (
              <li key={s.id} id={sampleDomId(s.id)} className="sample">
                <div className="sample-head">
                  <span className="mono">{s.id}</span>
                  <span className="muted">{formatTime(s.ts)}</span>
                  <span className="chip">{s.model}</span>
                  <Params params={s.params} />
                </div>
                <pre className="prompt">{s.prompt}</pre>
              </li>
            ))}
          </ol>
        )}
      </section>
    </>
  );
}
