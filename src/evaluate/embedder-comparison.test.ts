import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DetectConfig } from '../contracts/index.js';
import { compareEmbedders } from './embedder-comparison.js';

// The shared corpora beside the project (tests only: the installed package never reads them).
const corpora = resolve(process.cwd(), '../shared/corpora');
const have = existsSync(corpora);
if (!have) console.warn(`skipping the embedder comparison: ${corpora} is absent`);

describe.skipIf(!have)('embedder comparison on the shared corpora', () => {
  it('finds the default representation the better one at telling a distillation set from people', async () => {
    const c = await compareEmbedders(corpora);
    expect(c.accounts.distillation).toBeGreaterThan(100);
    expect(c.accounts.people).toBeGreaterThan(100);
    const byName = new Map(c.scores.map((s) => [s.embedder, s]));
    const words = byName.get('wink-sg-100d')!;
    const hashed = byName.get('hashed-ngrams')!;
    expect(words.auc).toBeGreaterThan(hashed.auc);
    expect(words.auc).toBeGreaterThan(0.95);
    expect(c.best).toBe('wink-sg-100d');
    expect(DetectConfig.parse({}).embedder).toBe('word-vectors');
  }, 300_000);
});
