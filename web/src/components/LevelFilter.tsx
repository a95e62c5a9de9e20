import { LEVELS } from '../../../src/contracts/index.js';

export function LevelFilter({
  value,
  onChange,
}: {
  value: string | undefined;
  onChange: (level?: string) => void;
}) {
  return (
    <div className="segmented" role="radiogroup" aria-label="Level">
      <button type="button" className={`seg ${!value ? 'on' : ''}`} onClick={() => onChange(undefined)}>
        all
      </button>
      {LEVELS.map((l) => (
        <button
          key={l}
          type="button"
          className={`seg seg-${l} ${value === l ? 'on' : ''}`}
          onClick={() => onChange(l)}
        >
          <span className={`dot level-${l}`} /> {l}
        </button>
      ))}
    </div>
  );
}
