import { api } from '../api/client.js';
import { LEVELS } from '../../../src/contracts/index.js';
import { ACTIONS } from '../api/types.js';
import { humanize } from '../app/format.js';
import { LevelBadge } from '../components/LevelBadge.js';
import { useApi } from '../api/use-api.js';
import { PageHeader } from '../components/PageHeader.js';
import { ErrorBox, Loading } from '../components/States.js';

interface PolicyResponse {
  /** Where the policy came from (a file path, or the built-in default). */
  source?: string;
  yaml?: string;
  policy?: unknown;
}

/** Renders any parsed policy value as nested definition lists, so new policy keys show up unchanged. */
function Tree({ value }: { value: unknown }) {
  if (typeof value === 'string' && (ACTIONS as readonly string[]).includes(value)) {
    return <span className={`action action-${value}`}>{humanize(value)}</span>;
  }
  if (typeof value === 'string') return <span className="mono">{value}</span>;
  if (value === null || typeof value !== 'object') {
    return <span className="mono">{JSON.stringify(value)}</span>;
  }
  if (Array.isArray(value)) {
    return (
      <ul className="tree-list">
        {(value as unknown[]).map((v, i) => (
          <li key={i}>
            <Tree value={v} />
          </li>
        ))}
      </ul>
    );
  }
  return (
    <dl className="tree">
      {Object.entries(value as Record<string, unknown>).map(([k, v]) => (
        <div key={k} className="tree-row">
          <dt>{k}</dt>
          <dd>
            <Tree value={v} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

type LevelMap = Partial<Record<string, string>>;

/** The heart of the policy: what each finding level does to an account and to a whole cluster. */
function LevelMatrix({ accounts, clusters }: { accounts?: LevelMap; clusters?: LevelMap }) {
  return (
    <table className="table compact matrix" data-testid="policy-matrix">
      <thead>
        <tr>
          <th>Level</th>
          <th>Account at this level</th>
          <th>Cluster at this level (every member)</th>
        </tr>
      </thead>
      <tbody>
        {LEVELS.map((l) => (
          <tr key={l}>
            <td>
              <LevelBadge level={l} />
            </td>
            {[accounts?.[l], clusters?.[l]].map((a, i) => (
              <td key={i}>{a ? <Tree value={a} /> : <span className="muted">—</span>}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function isLevelMap(v: unknown): v is LevelMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function PolicyPage() {
  const policy = useApi(() => api.get<PolicyResponse>('/v1/policy'), []);
  if (policy.loading && !policy.data) return <Loading what="policy" />;
  if (policy.error) return <ErrorBox error={policy.error} onRetry={policy.reload} />;
  const p = policy.data ?? {};
  const yaml = p.yaml;
  const parsed = p.policy;
  return (
    <>
      <PageHeader title="Policy">{p.source && <span className="chip mono">{p.source}</span>}</PageHeader>
      <p className="lede">
        Policy as code maps finding levels to enforcement actions. Change it in the YAML file the server was
        started with; every change is audited.
      </p>
      {isLevelMap(parsed) && (isLevelMap(parsed.accounts) || isLevelMap(parsed.clusters)) && (
        <section className="panel">
          <div className="panel-title">Levels to actions</div>
          <LevelMatrix
            accounts={isLevelMap(parsed.accounts) ? parsed.accounts : undefined}
            clusters={isLevelMap(parsed.clusters) ? parsed.clusters : undefined}
          />
        </section>
      )}
      <div className="grid-2">
        <section className="panel">
          <div className="panel-title">Active policy</div>
          {parsed !== undefined ? (
            <Tree value={parsed} />
          ) : (
            <span className="muted">The server sent no parsed policy.</span>
          )}
        </section>
        <section className="panel">
          <div className="panel-title">YAML</div>
          <pre className="code" data-testid="policy-yaml">
            {yaml ?? JSON.stringify(p, null, 2)}
          </pre>
        </section>
      </div>
    </>
  );
}
