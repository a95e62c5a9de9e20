import type { Level } from '../../../src/contracts/index.js';
import { formatScore } from '../app/format.js';

export function LevelBadge({ level }: { level: Level }) {
  return <span className={`badge level-${level}`}>{level}</span>;
}

export function ScoreBar({ score, level }: { score: number; level: Level }) {
  return (
    <span className="score" title={`score ${formatScore(score)}`}>
      <span className="score-track">
        <span className={`score-fill level-${level}`} style={{ width: `${Math.round(score * 100)}%` }} />
      </span>
      <span className="score-num">{formatScore(score)}</span>
    </span>
  );
}
