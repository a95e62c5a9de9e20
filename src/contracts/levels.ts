// The finding levels, weakest first: every enum, list, sort and chart takes its order from here.
// Plain values, no zod, so the dashboard can import them without bundling zod (web/vite.config.ts).

export const LEVELS = ['none', 'monitor', 'review', 'act'] as const;
type Level = (typeof LEVELS)[number];

/** 0 for none up to 3 for act: compare levels by rank, never by name. */
export const levelRank = (l: Level): number => LEVELS.indexOf(l);

/** The levels a calibrated score threshold starts (all but none), weakest first. */
export const THRESHOLD_LEVELS = LEVELS.filter((l): l is Exclude<Level, 'none'> => l !== 'none');

/** How many items sit at each level; every level present, zero when none does. */
export function countLevels(items: Iterable<{ level: Level }>): Record<Level, number> {
  const counts = Object.fromEntries(LEVELS.map((l) => [l, 0])) as Record<Level, number>;
  for (const i of items) counts[i.level]++;
  return counts;
}
