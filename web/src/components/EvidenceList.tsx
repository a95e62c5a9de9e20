import type { Signal } from '../../../src/contracts/index.js';
import { formatScore, humanize } from '../app/format.js';

interface Props {
  signals: Signal[];
  /** Called with an example event id; pages that show samples scroll to it. */
  onExample?: (eventId: string) => void;
  knownExamples?: ReadonlySet<string>;
}

function atlasUrl(technique: string): string {
  return `https://atlas.mitre.org/techniques/${technique.split('.').slice(0, 2).join('.')}`;
}

/** Each signal as a sentence an analyst can check against the raw events it cites. */
export function EvidenceList({ signals, onExample, knownExamples }: Props) {
  if (signals.length === 0) return <div className="muted">No detector fired.</div>;
  const sorted = [...signals].sort((a, b) => b.score - a.score);
  return (
    <ul className="evidence" data-testid="evidence">
      {sorted.map((s, i) => (
        <li key={`${s.detector}-${i}`} className="evidence-item">
          <div className="evidence-head">
            <span className="detector">{humanize(s.detector)}</span>
            <span className="evidence-score">
              <span className="score-track">
                <span
                  className={`score-fill ${s.score >= 0.8 ? 'level-act' : s.score >= 0.5 ? 'level-review' : 'level-monitor'}`}
                  style={{ width: `${Math.round(s.score * 100)}%` }}
                />
              </span>
              {formatScore(s.score)}
            </span>
            {s.atlas && (
              <a
                className="atlas"
                href={atlasUrl(s.atlas)}
                target="_blank"
                rel="noreferrer"
                title="MITRE ATLAS technique"
              >
                {s.atlas}
              </a>
            )}
          </div>
          <p className="evidence-text">{s.evidence}</p>
          {s.examples && s.examples.length > 0 && (
            <div className="examples">
              <span className="muted">example events</span>
              {s.examples.map((id) => (
                <button
                  key={id}
                  className={`event-id ${knownExamples?.has(id) ? 'known' : ''}`}
                  title={knownExamples?.has(id) ? 'Show this sample below' : 'Copy the event id'}
                  onClick={() => {
                    if (onExample && knownExamples?.has(id)) onExample(id);
                    else void navigator.clipboard?.writeText(id);
                  }}
                >
                  {id}
                </button>
              ))}
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}
