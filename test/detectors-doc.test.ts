import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COORDINATION_DETECTORS, LINK_WEIGHTS } from '../src/link/index.js';
import { DETECTORS } from '../src/detect/index.js';

// docs/detectors.md is what an analyst or an appeals reviewer reads to learn what a line in a
// finding means: every detector and link type must be there, under the family it has.
const page = readFileSync(new URL('../docs/detectors.md', import.meta.url), 'utf8');
const row = (id: string): string[] | undefined =>
  page
    .split('\n')
    .find((l) => l.startsWith(`| \`${id}\` `))
    ?.split('|')
    .map((c) => c.trim());

describe('docs/detectors.md', () => {
  it('lists every account detector with its family', () => {
    expect(DETECTORS.length).toBeGreaterThan(5);
    for (const d of DETECTORS) expect(row(d.id)?.[2], d.id).toBe(d.family);
  });
  it('lists every link type with its weight', () => {
    for (const [kind, weight] of Object.entries(LINK_WEIGHTS))
      expect(Number(row(kind)?.[2]), kind).toBe(weight);
  });
  it('lists every line of a coordinated group with its family', () => {
    expect(COORDINATION_DETECTORS.length).toBeGreaterThan(2);
    for (const d of COORDINATION_DETECTORS) expect(row(d.id)?.[2], d.id).toBe(d.family);
  });
  it('lists the cluster and non-detector lines findings carry', () => {
    for (const id of ['linkage', 'regression-pattern', 'shared-intel']) expect(row(id), id).toBeDefined();
  });
});
