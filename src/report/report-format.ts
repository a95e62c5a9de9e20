import { atlasFullName, atlasTechnique } from '../contracts/index.js';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export const formatCount = (n: number): string => integer.format(n);

export const formatScore = (s: number): string => s.toFixed(3);

export function formatP(p: unknown): string {
  if (typeof p !== 'number' || !Number.isFinite(p)) return '';
  // Below double precision the engine reports 0; say so rather than print 0.0e+0.
  if (p < 1e-300) return '< 1e-300';
  return p < 1e-3 ? p.toExponential(1) : p.toPrecision(2);
}

/** "2026-11-22 10:00 UTC" from an ISO string or epoch ms; empty when unknown. */
export function formatTime(t: string | number | null | undefined): string {
  if (t === null || t === undefined) return '';
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return String(t);
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
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
