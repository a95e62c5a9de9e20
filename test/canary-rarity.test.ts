import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CanaryGenerator, normalizeCanaryText } from '../src/respond/index.js';
import { corpora, corporaMissing } from './real-corpora.js';

/**
 * A canary is evidence only if real text does not carry it by chance. The probe's controls measure
 * that rate on the suspect model; this checks the default banks against text the project did not
 * write: no coined name of thousands of canaries occurs in the shared corpora, and no canary is
 * matched (by name or by most of its sentence) in any corpus line.
 */
describe.skipIf(corporaMissing('canary rarity on real text'))('canaries against real text', () => {
  it('never occur in the shared corpora, by name or by sentence', () => {
    const gen = new CanaryGenerator('rarity-check-secret');
    const canaries = Array.from({ length: 250 }, (_, i) => gen.canariesFor(`cluster-${i}`)).flat();
    const lines = readdirSync(corpora)
      .filter((f) => f.endsWith('.jsonl'))
      .flatMap((f) => readFileSync(join(corpora, f), 'utf8').split('\n'))
      .filter((l) => l.trim() !== '');
    expect(lines.length).toBeGreaterThan(1000);
    const text = ` ${normalizeCanaryText(lines.join(' '))} `;
    const words = text.trim().split(' ');
    // Every coined name is two words (a first name and a surname, or two surnames).
    const pairs = new Set(words.slice(1).map((w, i) => `${words[i]} ${w}`));
    expect(canaries.every((c) => c.marker.split(' ').length === 2)).toBe(true);
    const markersFound = canaries.filter((c) => pairs.has(c.marker)).map((c) => c.marker);
    expect(markersFound).toEqual([]);
    // Most of the sentence: a line can only carry a share of a canary's word 4-grams that the
    // corpus as a whole carries, so the corpus-wide share bounds every line's. The probe needs 80 %.
    const grams = new Set<string>();
    for (let i = 0; i + 4 <= words.length; i++) grams.add(words.slice(i, i + 4).join(' '));
    const worst = Math.max(
      ...canaries.map((c) => {
        const w = normalizeCanaryText(c.text).split(' ');
        const own = w.slice(0, -3).map((_, i) => w.slice(i, i + 4).join(' '));
        return own.filter((g) => grams.has(g)).length / own.length;
      }),
    );
    expect(worst).toBeLessThan(0.5);
  });
});
