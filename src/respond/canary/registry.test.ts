import { mkdtempSync, readFileSync, WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CanaryRegistry, readCanaryRegistry } from './registry.js';

const serving = (i: number) => ({
  canary_id: `c-${i}`,
  subject: 'hydra-1',
  text: `Canary sentence number ${i}.`,
  account_id: 'acct-1',
  event_id: `gw-${i}`,
  served_at: '2026-12-05T00:00:00.000Z',
});

describe('CanaryRegistry', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes servings recorded close together in one file write, in order', async () => {
    const writes = vi.spyOn(WriteStream.prototype, 'write');
    const path = join(mkdtempSync(join(tmpdir(), 'dg-registry-')), 'canaries.ndjson');
    const registry = new CanaryRegistry(path);
    for (let i = 0; i < 5; i++) registry.record(serving(i));
    // Not yet written: gathered for a short while first.
    expect(writes).toHaveBeenCalledTimes(0);
    await new Promise((r) => setTimeout(r, 250));
    expect(writes).toHaveBeenCalledTimes(1);
    registry.record(serving(5));
    await registry.close();
    const { servings, rejected } = readCanaryRegistry(path);
    expect(rejected).toEqual([]);
    expect(servings.map((s) => s.canary_id)).toEqual(['c-0', 'c-1', 'c-2', 'c-3', 'c-4', 'c-5']);
    expect(registry.recorded).toBe(6);
  });

  it('puts every serving on disk by the time close resolves', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'dg-registry-')), 'canaries.ndjson');
    const registry = new CanaryRegistry(path);
    registry.record(serving(1));
    await registry.close();
    expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify(serving(1))}\n`);
  });
});
