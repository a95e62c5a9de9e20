import { useState } from 'react';
import { niceTicks, type TimelineBucket } from '../../../src/contracts/index.js';
import { formatCount } from '../app/format.js';
import { labelEvery, shortHour } from './chart-scale.js';
import { useWidth } from './use-width.js';

const HEIGHT = 220;
const PAD = { top: 12, right: 12, bottom: 28, left: 52 };

/** Hourly bars of all events with the flagged share drawn over them. */
export function TimelineChart({ buckets, testId }: { buckets: TimelineBucket[]; testId?: string }) {
  const { ref, width } = useWidth<HTMLDivElement>();
  const [hover, setHover] = useState<number | null>(null);
  const hasFlagged = buckets.some((b) => b.flagged !== undefined);
  const max = Math.max(1, ...buckets.map((b) => b.events));
  const ticks = niceTicks(max);
  const top = ticks[ticks.length - 1] ?? max;
  const innerW = width - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const slot = innerW / Math.max(1, buckets.length);
  const barW = Math.max(1, slot * 0.78);
  const y = (v: number) => PAD.top + innerH - (v / top) * innerH;
  const every = labelEvery(buckets.length, innerW);
  const multiDay =
    buckets.length > 1 &&
    (buckets[0]?.t ?? '').slice(0, 10) !== (buckets[buckets.length - 1]?.t ?? '').slice(0, 10);
  const hovered = hover === null ? null : buckets[hover];
  return (
    <div className="chart" ref={ref} data-testid={testId}>
      <svg width={width} height={HEIGHT} role="img" aria-label="Events per hour">
        {ticks.map((t) => (
          <g key={t}>
            <line className="grid" x1={PAD.left} x2={width - PAD.right} y1={y(t)} y2={y(t)} />
            <text className="axis" x={PAD.left - 8} y={y(t) + 4} textAnchor="end">
              {formatCount(t)}
            </text>
          </g>
        ))}
        {buckets.map((b, i) => {
          const x = PAD.left + i * slot + (slot - barW) / 2;
          const bar = (className: string, value: number) => (
            <rect className={className} x={x} y={y(value)} width={barW} height={y(0) - y(value)} rx={1} />
          );
          return (
            <g key={b.t} onMouseEnter={() => setHover(i)} onMouseLeave={() => setHover(null)}>
              <rect className="hit" x={PAD.left + i * slot} y={PAD.top} width={slot} height={innerH} />
              {bar('bar-events', b.events)}
              {b.flagged ? bar('bar-flagged', b.flagged) : null}
              {i % every === 0 && (
                <text className="axis" x={x + barW / 2} y={HEIGHT - 8} textAnchor="middle">
                  {shortHour(b.t, multiDay)}
                </text>
              )}
            </g>
          );
        })}
        {hovered && hover !== null && (
          <g
            className="tip"
            transform={`translate(${Math.min(PAD.left + hover * slot + slot, width - 170)},${PAD.top})`}
          >
            <rect width={160} height={hasFlagged ? 54 : 38} rx={4} />
            <text x={8} y={16}>
              {shortHour(hovered.t, true)}
            </text>
            <text x={8} y={32}>
              events {formatCount(hovered.events)}
            </text>
            {hasFlagged && (
              <text x={8} y={47} className="tip-flagged">
                flagged {formatCount(hovered.flagged ?? 0)}
              </text>
            )}
          </g>
        )}
      </svg>
      <div className="chart-legend">
        <span>
          <span className="swatch bar-events" /> all events
        </span>
        {hasFlagged && (
          <span>
            <span className="swatch bar-flagged" /> from flagged accounts (monitor or above, own or cluster
            level)
          </span>
        )}
      </div>
    </div>
  );
}
