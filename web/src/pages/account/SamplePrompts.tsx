import type { AccountSample } from '../../../../src/contracts/index.js';
import { formatTime } from '../../app/format.js';
import { Empty } from '../../components/States.js';

function sampleDomId(id: string) {
  return `sample-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** Scrolls to a sample event on the page and flashes it (an evidence example links to it). */
export function showSample(eventId: string): void {
  const el = document.getElementById(sampleDomId(eventId));
  el?.scrollIntoView({ behavior: 'smooth', block: 'center' });
  el?.classList.add('flash');
  setTimeout(() => el?.classList.remove('flash'), 1500);
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

/** The account's recent prompts, each with its model and request parameters. */
export function SamplePrompts({ samples }: { samples: readonly AccountSample[] }) {
  return (
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
  );
}
