import type { ReactNode } from 'react';
import { LEVELS } from '../../../src/contracts/index.js';

/** A row of radio-like buttons: "all", then one per option; `optionClass` tints each option's button. */
export function SegmentedFilter<V extends string>({
  label,
  options,
  value,
  onChange,
  optionClass,
  renderOption,
  noneLabel = 'all',
}: {
  label: string;
  /** What the button for no choice says. */
  noneLabel?: string;
  options: readonly V[];
  value: string | undefined;
  onChange: (option?: V) => void;
  optionClass: (option: V) => string;
  renderOption: (option: V) => ReactNode;
}) {
  return (
    <div className="segmented" role="radiogroup" aria-label={label}>
      <button type="button" className={`seg ${!value ? 'on' : ''}`} onClick={() => onChange(undefined)}>
        {noneLabel}
      </button>
      {options.map((o) => (
        <button
          key={o}
          type="button"
          className={`seg ${optionClass(o)} ${value === o ? 'on' : ''}`}
          onClick={() => onChange(o)}
        >
          {renderOption(o)}
        </button>
      ))}
    </div>
  );
}

export function LevelFilter({
  value,
  onChange,
}: {
  value: string | undefined;
  onChange: (level?: string) => void;
}) {
  return (
    <SegmentedFilter
      label="Level"
      options={LEVELS}
      value={value}
      onChange={onChange}
      optionClass={(l) => `seg-${l}`}
      renderOption={(l) => (
        <>
          <span className={`dot level-${l}`} /> {l}
        </>
      )}
    />
  );
}
