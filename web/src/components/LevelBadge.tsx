import type { Level } from '../../../src/contracts/index.js';

export function LevelBadge({ level }: { level: Level }) {
  return <span className={`badge level-${level}`}>{level}</span>;
}

export function ScoreBar({ score, level }: { score: number; level: Level }) {
  return (
    <span className="score" title={`score ${score.toFixed(3)}`}>
      <span className="score-track">
        <span className={`score-fill level-${level}`} style={{ width: `${Math.round(score * 100)}%` }} />
      </span>
      <span className="score-num">{score.toFixed(2)}</span>
    </span>
  );
}
