import type { LevelBasis, LevelGate } from '../../../src/contracts/index.js';
import { humanize } from '../app/format.js';

function Gate({ name, gate }: { name: string; gate: LevelGate }) {
  return (
    <li className={gate.passed ? 'gate passed' : 'gate held'}>
      <b>
        {name} {gate.passed ? 'passed' : 'not met'}:
      </b>{' '}
      {gate.detail}
      <div className="muted small">{gate.rule}</div>
    </li>
  );
}

/** Why a finding sits at its level: the sentence, then the gates and lines it was decided on. */
export function LevelBasisPanel({ basis }: { basis: LevelBasis | undefined }) {
  if (!basis) return null;
  return (
    <section className="panel" data-testid="level-basis">
      <div className="panel-title">Why this level</div>
      <p className="why" data-testid="level-explanation">
        {basis.explanation}
      </p>
      <ul className="gates">
        <Gate name="Review" gate={basis.review_gate} />
        <Gate name="Act" gate={basis.act_gate} />
      </ul>
      {basis.lines.length > 0 && (
        <div className="chips">
          {basis.lines.map((l) => (
            <span key={l.detector} className="chip" title={`${l.family}, ${l.requests} requests`}>
              {humanize(l.detector)} <span className="muted">−log₁₀p {l.strength.toFixed(1)}</span>
            </span>
          ))}
        </div>
      )}
    </section>
  );
}
