import { ACTIONS, type Action } from '../../api/types.js';
import { humanize } from '../../app/format.js';

/** The enforcement actions as one radio group, weakest first. */
export function ActionPicker({ action, onChoose }: { action: Action | null; onChoose: (a: Action) => void }) {
  return (
    <div className="segmented" role="radiogroup" aria-label="Action">
      {ACTIONS.map((a) => (
        <button
          type="button"
          key={a}
          role="radio"
          aria-checked={action === a}
          className={`seg action-${a} ${action === a ? 'on' : ''}`}
          onClick={() => onChoose(a)}
        >
          {humanize(a)}
        </button>
      ))}
    </div>
  );
}
