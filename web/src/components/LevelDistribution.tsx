import { formatCount, formatShare } from '../app/format.js';
import { LEVELS, type Level } from '../../../src/contracts/index.js';

/** One stacked bar of how many subjects sit at each level, with a legend of counts. */
export function LevelDistribution({ counts }: { counts: Partial<Record<Level, number>> }) {
  const total = LEVELS.reduce((sum, l) => sum + (counts[l] ?? 0), 0);
  return (
    <div className="dist">
      <div className="dist-bar">
        {LEVELS.map((l) =>
          counts[l] ? (
            <span
              key={l}
              className={`dist-seg level-${l}`}
              style={{ flexGrow: counts[l], minWidth: 3 }}
              title={`${l}: ${counts[l]}`}
            />
          ) : null,
        )}
      </div>
      <div className="dist-legend">
        {LEVELS.map((l) => (
          <span key={l} className="dist-item">
            <span className={`dot level-${l}`} />
            {l} <b>{formatCount(counts[l] ?? 0)}</b>
            <span className="muted"> {formatShare(counts[l] ?? 0, total)}</span>
          </span>
        ))}
      </div>
    </div>
  );
}
