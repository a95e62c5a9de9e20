// Axis helpers for the small SVG charts (tick values: niceTicks in src/contracts).

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
