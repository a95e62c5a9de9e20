import { describe, expect, it } from 'vitest';
import { CanaryGenerator, frameElicitationPrompts, normalizeForMatch } from './generator.js';
import { matchCanary } from './match.js';
import { DEFAULT_CANARY_BANKS } from './banks.js';
import { CanaryBanks } from '../../contracts/index.js';

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
    // Every frame whose lead-in before the name has at least three words gives one prompt.
    expect(prompts.length).toBeGreaterThanOrEqual(10);
    const markers = gen.canariesFor('hydra-1').map((c) => c.marker);
    for (const p of prompts) {
      expect(p).not.toContain('{');
      expect(p).toMatch(/"[A-Z][a-z]* .+ \.\.\."$/);
      for (const m of markers) expect(normalizeForMatch(p)).not.toContain(m);
    }
    // Each stem is the start of real canaries: "... sometimes called the" precedes a coined name.
    expect(prompts.some((p) => p.includes('is what is sometimes called the ...'))).toBe(true);
    const texts = gen.canariesFor('hydra-1').map((c) => c.text);
    const stems = prompts.map((p) => p.slice(p.indexOf('"') + 1, -5));
    expect(texts.filter((t) => stems.some((stem) => t.startsWith(stem))).length).toBeGreaterThan(0);
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

const FUNCTION_WORDS = new Set(['what', 'that', 'this', 'then', 'than', 'when', 'with', 'from', 'before']);

describe('canary sentences read as ordinary advice', () => {
  const gen = new CanaryGenerator('a-gateway-secret');
  const sample = Array.from({ length: 150 }, (_, i) => gen.canariesFor(`cluster-${i}`)).flat();

  it('say something sensible: each is one of the advice lines, never a shuffled verb-noun pairing', () => {
    for (const c of sample) {
      expect(DEFAULT_CANARY_BANKS.tips.some((t) => c.text.includes(`${t}.`))).toBe(true);
      // The old banks paired words at random and echoed the frame ("As a note often attributed to
      // Leon Ferrwick puts it, note the plan before the sources"): the frame and the advice share
      // no content word.
      const tip = DEFAULT_CANARY_BANKS.tips.find((t) => c.text.includes(`${t}.`))!;
      const tipWords = new Set(normalizeForMatch(tip).split(' '));
      const nameWords = new Set(c.marker.split(' '));
      const repeated = normalizeForMatch(c.text.replace(tip, ''))
        .split(' ')
        .filter((w) => w.length > 3 && !FUNCTION_WORDS.has(w) && !nameWords.has(w) && tipWords.has(w));
      expect(repeated, c.text).toEqual([]);
    }
  });

  it('give no fixed phrase a filter could key on: no word 4-gram outside the name is in more than 8 % of them', () => {
    const counts = new Map<string, number>();
    for (const c of sample) {
      const nameWords = new Set(c.marker.split(' '));
      const words = normalizeForMatch(c.text)
        .split(' ')
        .map((w) => (nameWords.has(w) ? '<name>' : w));
      const grams = new Set<string>();
      for (let i = 0; i + 4 <= words.length; i++) grams.add(words.slice(i, i + 4).join(' '));
      for (const g of grams) counts.set(g, (counts.get(g) ?? 0) + 1);
    }
    const [gram, top] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]!;
    expect(top / sample.length, gram).toBeLessThanOrEqual(0.08);
  });
});

describe('canary banks', () => {
  const own: CanaryBanks = {
    ...DEFAULT_CANARY_BANKS,
    tips: DEFAULT_CANARY_BANKS.tips.map((t) => `${t} (our own wording)`).slice(0, 30),
    person_frames: [
      'Per {person}, {tip}.',
      '{person} says: {tip}.',
      'From {person}: {tip}.',
      'Ask {person}: {tip}.',
    ],
  };

  it('draws from an operator own banks, and the frame prompts follow them', () => {
    const gen = new CanaryGenerator('a-gateway-secret', 16, own);
    for (const c of gen.canariesFor('hydra-1')) expect(c.text).toContain('(our own wording)');
    expect(frameElicitationPrompts(own).some((p) => p.includes('sometimes called the'))).toBe(true);
    // The default frames are not asked about: they are not the ones this gateway serves.
    expect(frameElicitationPrompts(own).some((p) => p.includes('goes back to'))).toBe(false);
  });

  it('refuses frames without their slots, unknown placeholders and banks too small to be unguessable', () => {
    const bad = (patch: Partial<CanaryBanks>) => CanaryBanks.safeParse({ ...own, ...patch }).success;
    expect(bad({})).toBe(true);
    expect(bad({ person_frames: [...own.person_frames, 'No slot here: {tip}.'] })).toBe(false);
    expect(bad({ named_frames: [...own.named_frames, 'The {name} rule: {tip} {secret}.'] })).toBe(false);
    expect(bad({ tips: own.tips.slice(0, 5) })).toBe(false);
    expect(bad({ first_names: ['Ann', 'Bo'] })).toBe(false);
    expect(bad({ surname_heads: [...own.surname_heads.slice(1), 'has space'] })).toBe(false);
  });
});
