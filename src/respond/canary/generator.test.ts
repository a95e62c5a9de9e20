import { describe, expect, it } from 'vitest';
import { CanaryGenerator, frameElicitationPrompts, normalizeForMatch } from './generator.js';
import { matchCanary } from './match.js';

describe('CanaryGenerator', () => {
  const gen = new CanaryGenerator('a-gateway-secret');

  it('is deterministic under one secret and different under another', () => {
    expect(gen.canariesFor('hydra-1')).toEqual(
      new CanaryGenerator('a-gateway-secret').canariesFor('hydra-1'),
    );
    const other = new CanaryGenerator('another-secret').canariesFor('hydra-1').map((c) => c.text);
    const mine = new Set(gen.canariesFor('hydra-1').map((c) => c.text));
    expect(other.filter((t) => mine.has(t))).toEqual([]);
  });

  it('gives each subject its own set of distinct, fluent sentences', () => {
    const a = gen.canariesFor('hydra-1');
    const b = gen.canariesFor('hydra-2');
    expect(new Set(a.map((c) => c.canary_id)).size).toBe(16);
    expect(new Set(a.map((c) => c.marker)).size).toBe(16);
    const aMarkers = new Set(a.map((c) => c.marker));
    expect(b.filter((c) => aMarkers.has(c.marker))).toEqual([]);
    for (const c of [...a, ...b]) {
      expect(c.text).toMatch(/^[A-Z][^{}]+\.$/);
      expect(c.text).not.toContain('{');
      expect(c.text.split(' ').length).toBeGreaterThan(8);
    }
  });

  it('spreads picks over the whole set', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 400; i++) ids.add(gen.pick('hydra-1', `ev-${i}`).canary_id);
    expect(ids.size).toBe(16);
  });

  it('draws controls that are never one of a subject canary', () => {
    const controls = gen.controls(64);
    expect(new Set(controls.map((c) => c.canary_id)).size).toBe(64);
    const served = new Set(gen.canariesFor('hydra-1').map((c) => c.canary_id));
    expect(controls.filter((c) => served.has(c.canary_id))).toEqual([]);
  });

  it('offers frame-completion prompts that name no canary', () => {
    const prompts = frameElicitationPrompts();
    expect(prompts).toHaveLength(7);
    const markers = gen.canariesFor('hydra-1').map((c) => c.marker);
    for (const p of prompts) {
      expect(p).not.toContain('{');
      expect(p).toMatch(/"[A-Z][a-z]* .+ \.\.\."$/);
      for (const m of markers) expect(normalizeForMatch(p)).not.toContain(m);
    }
    // Each stem is the start of real canaries: "... is what some call the" precedes a coined name.
    expect(prompts.some((p) => p.includes('is what some call the ...'))).toBe(true);
  });

  it('refuses a short secret', () => {
    expect(() => new CanaryGenerator('short')).toThrow(/at least 8/);
  });
});

describe('matchCanary', () => {
  const gen = new CanaryGenerator('a-gateway-secret');
  const c = gen.canariesFor('hydra-1')[0]!;

  it('finds the canary verbatim, re-cased and re-punctuated', () => {
    expect(matchCanary(c, `Paris is the capital. ${c.text}`).found).toBe(true);
    expect(matchCanary(c, c.text.toUpperCase().replace(/[–:,.]/g, ' - ')).found).toBe(true);
  });

  it('finds most of the sentence without the coined name', () => {
    const words = normalizeForMatch(c.text).split(' ');
    const nameWords = new Set(c.marker.split(' '));
    const withoutName = words.map((w) => (nameWords.has(w) ? 'someone' : w)).join(' ');
    const m = matchCanary(c, withoutName);
    // Removing the name breaks the 4-grams around it: found only if enough of the rest survives.
    expect(m.coverage).toBeGreaterThan(0.2);
    expect(m.by === 'marker').toBe(false);
  });

  it('does not fire on ordinary text or on the canary of another subject', () => {
    expect(matchCanary(c, 'Settle the outline before the details, as a general rule of thumb.').found).toBe(
      false,
    );
    const other = gen.canariesFor('hydra-2')[0]!;
    expect(matchCanary(c, other.text).found).toBe(false);
  });
});
