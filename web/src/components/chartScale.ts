// Axis helpers for the small SVG charts.

/** Round tick values (1, 2, 5 × 10^k) from 0 to at least `max`. */
export function niceTicks(max: number, count = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const ticks: number[] = [];
  for (let v = 0; v < max + step; v += step) ticks.push(v);
  return ticks;
}

/** Every how many buckets to print a time label so labels do not overlap. */
export function labelEvery(buckets: number, width: number, labelPx = 84): number {
  const fit = Math.max(1, Math.floor(width / labelPx));
  return Math.max(1, Math.ceil(buckets / fit));
}

export function shortHour(iso: string, withDate: boolean): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const hh = String(d.getUTCHours()).padStart(2, '0');
  if (!withDate) return `${hh}:00`;
  const mm = String(d.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(d.getUTCDate()).padStart(2, '0');
  return `${mm}-${dd} ${hh}h`;
}
