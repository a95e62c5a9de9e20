import { describe, expect, it } from 'vitest';
import { conversationTurns, drawInterests } from './benign-talk.js';
import { TOPICS } from './benign-topics.js';
import { CAPABILITIES, capabilityTask } from './capability-taxonomy.js';
import { drawStyle, applyStyle } from './human-style.js';
import { drawElicitationStyle, wrapWithElicitation, ELICITATION_PREFIXES } from './elicitation-wrappers.js';
import { Rng } from './rng.js';
import { APP_SYSTEM_PROMPTS } from './system-prompts.js';
import { isoTime } from './simulated-exchange.js';

describe('text generators', () => {
  it('cover at least 40 benign topics, each with openers and follow-ups', () => {
    expect(TOPICS.length).toBeGreaterThanOrEqual(40);
    expect(new Set(TOPICS.map((t) => t.name)).size).toBe(TOPICS.length);
    for (const t of TOPICS) {
      expect(t.openers.length, t.name).toBeGreaterThanOrEqual(4);
      expect(t.followUps.length, t.name).toBeGreaterThanOrEqual(3);
    }
  });

  it('give every product prompt topics that exist', () => {
    const names = new Set(TOPICS.map((t) => t.name));
    for (const app of APP_SYSTEM_PROMPTS) for (const t of app.topics) expect(names.has(t), t).toBe(true);
  });

  it('write varied human conversations with follow-ups, typos and some non-English', () => {
    const rng = new Rng(1);
    const openers = new Set<string>();
    let multi = 0;
    let nonAscii = 0;
    let long = 0;
    for (let i = 0; i < 2_000; i++) {
      const language = i % 5 === 0 ? 'de' : 'en';
      const turns = conversationTurns(
        'consumer',
        language,
        drawInterests('consumer', rng),
        drawStyle(rng),
        rng.int(1, 4),
        undefined,
        rng,
      );
      openers.add(turns[0] as string);
      if (turns.length > 1) multi++;
      if (/[^\u0020-\u007e\s]/.test(turns.join(' '))) nonAscii++;
      if ((turns[0] as string).length > 300) long++;
    }
    expect(openers.size).toBeGreaterThan(1_000);
    expect(multi).toBeGreaterThan(1_000);
    expect(nonAscii).toBeGreaterThan(100);
    expect(long).toBeGreaterThan(5);
  });

  it('introduces typos for sloppy typists and leaves careful ones alone', () => {
    const rng = new Rng(2);
    const text = 'what should i pack for a trip to lisbon in october';
    const sloppy = { lowercase: 0, typoRate: 0.2, greeting: 0, thanks: 0, dropPunctuation: 0 };
    const careful = { lowercase: 0, typoRate: 0, greeting: 0, thanks: 0, dropPunctuation: 0 };
    expect(applyStyle(text, careful, rng)).toBe(text);
    expect(applyStyle(text, sloppy, rng)).not.toBe(text);
  });

  it('sweeps every capability with many distinct tasks', () => {
    const rng = new Rng(3);
    for (const c of CAPABILITIES) {
      const tasks = new Set(Array.from({ length: 200 }, () => capabilityTask(c, rng)));
      expect(tasks.size, c).toBeGreaterThan(4);
    }
    const all = new Set(Array.from({ length: 3_000 }, () => capabilityTask(rng.pick(CAPABILITIES), rng)));
    expect(all.size).toBeGreaterThan(1_500);
  });

  it('wraps tasks in elicitation phrasings, in several languages', () => {
    const rng = new Rng(4);
    expect(ELICITATION_PREFIXES.filter((p) => /[^\u0020-\u007e\s]/.test(p)).length).toBeGreaterThanOrEqual(5);
    const style = drawElicitationStyle(rng, 8);
    const wrapped = Array.from({ length: 200 }, () => wrapWithElicitation('Solve 2x = 4.', style, rng));
    expect(wrapped.every((w) => w.includes('Solve 2x = 4.'))).toBe(true);
    expect(new Set(wrapped).size).toBeGreaterThan(5);
  });

  it('formats event times exactly like Date#toISOString', () => {
    const rng = new Rng(5);
    for (let i = 0; i < 5_000; i++) {
      const ts = Date.UTC(2025, 0, 1) + Math.floor(rng.float() * 400 * 86_400_000);
      expect(isoTime(ts)).toBe(new Date(ts).toISOString());
    }
  });
});
