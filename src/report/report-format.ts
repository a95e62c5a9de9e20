import { atlasFullName, atlasTechnique } from '../contracts/index.js';

// Counts, scores and times are shown as the dashboard shows them: one definition in contracts.
export { formatCount, formatScore, formatTime } from '../contracts/index.js';

export function formatP(p: unknown): string {
  if (typeof p !== 'number' || !Number.isFinite(p)) return '';
  // Below double precision the engine reports 0; say so rather than print 0.0e+0.
  if (p < 1e-300) return '< 1e-300';
  return p < 1e-3 ? p.toExponential(1) : p.toPrecision(2);
}

/** Shortens untrusted text for display; escaping happens where it is emitted. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

export function atlasName(id: string): string {
  const t = atlasTechnique(id);
  return t ? atlasFullName(t) : 'MITRE ATLAS technique';
}
