// Display formats shared by pages. Counts, scores and times are shown as the HTML report shows
// them: one definition, in src/contracts/presentation.ts.
export { formatCount, formatScore, formatTime } from '../../../src/contracts/index.js';

/** `11-23 06:41` (UTC): enough on a card, the full time is in the tooltip. */
export function formatShortTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().slice(5, 16).replace('T', ' ');
}

export function formatShare(part: number, total: number): string {
  if (!total) return '0%';
  const pct = (100 * part) / total;
  return pct > 0 && pct < 0.1 ? '<0.1%' : `${pct.toFixed(pct < 10 ? 1 : 0)}%`;
}

/** Detector ids (`reasoning-elicitation`) read better as words. */
export function humanize(id: string): string {
  const words = id.replace(/[-_]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
