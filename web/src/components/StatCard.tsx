import type { ReactNode } from 'react';
import type { Level } from '../../../src/contracts/index.js';

export function StatCard({
  label,
  value,
  hint,
  tone,
  testId,
}: {
  label: string;
  value: ReactNode;
  hint?: ReactNode;
  tone?: string;
  testId?: string;
}) {
  return (
    <div className={`stat ${tone ? `tone-${tone}` : ''}`} data-testid={testId}>
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      {hint && <div className="stat-hint">{hint}</div>}
    </div>
  );
}

/** A finding's score, toned by its level. */
export function ScoreStat({ score, level }: { score: number; level: Level }) {
  return <StatCard label="Score" value={score.toFixed(2)} tone={level} hint={`level ${level}`} />;
}
