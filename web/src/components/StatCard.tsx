import type { ReactNode } from 'react';
import type { Level } from '../../../src/contracts/index.js';
import { formatScore } from '../app/format.js';

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
  return <StatCard label="Score" value={formatScore(score)} tone={level} hint={`level ${level}`} />;
}
