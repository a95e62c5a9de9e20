import { expect } from 'vitest';

// Reading a Prometheus text exposition (format 0.0.4) as a scraper does, for the metrics tests.

const SAMPLE =
  /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/;

/**
 * Checks the exposition as a scraper reads it: every line a comment or `name{labels} value`, each
 * sample's family announced by # HELP and # TYPE first. Returns the samples by series.
 */
export function parseExposition(text: string): Map<string, number> {
  expect(text.endsWith('\n')).toBe(true);
  const help = new Set<string>();
  const type = new Map<string, string>();
  const samples = new Map<string, number>();
  for (const line of text.slice(0, -1).split('\n')) {
    const comment = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (comment) {
      if (comment[1] === 'HELP') help.add(comment[2]!);
      else {
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(comment[3]);
        expect(help.has(comment[2]!), `# HELP before # TYPE of ${comment[2]}`).toBe(true);
        type.set(comment[2]!, comment[3]!);
      }
      continue;
    }
    const m = SAMPLE.exec(line);
    expect(m, `not a sample line: ${line}`).not.toBeNull();
    const name = m![1]!;
    const family = type.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
    expect(type.has(family), `${name} has no # TYPE before it`).toBe(true);
    expect(help.has(family), `${name} has no # HELP`).toBe(true);
    if (family !== name) expect(type.get(family)).toBe('histogram');
    samples.set(`${name}${m![2] ?? ''}`, Number(m![3]));
  }
  return samples;
}

/** The sum of a metric's samples whose labels include all of `labels`. */
export function value(
  samples: Map<string, number>,
  name: string,
  labels: Record<string, string> = {},
): number {
  let sum = 0;
  for (const [series, v] of samples) {
    if (series !== name && !series.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, l]) => series.includes(`${k}="${l}"`))) sum += v;
  }
  return sum;
}
