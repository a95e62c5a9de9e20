import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { DetectionEngine } from '../src/findings/index.js';
import type { FindingsEngine } from '../src/pipeline/index.js';
import { ensureBuilt } from './cli-harness.js';
import { simulatedTraffic } from './server-harness.js';

describe('the engine worker thread', () => {
  let WorkerEngine: new () => FindingsEngine & { close(): Promise<void>; drain(): Promise<void> };
  beforeAll(async () => {
    ensureBuilt();
    const mod = (await import(
      pathToFileURL(path.resolve(import.meta.dirname, '../dist/pipeline/live/engine-thread-client.js')).href
    )) as {
      WorkerEngine: typeof WorkerEngine;
    };
    WorkerEngine = mod.WorkerEngine;
  });

  it('computes the same findings as the engine in process', async () => {
    const traffic = simulatedTraffic(5000, 17);
    const local = new DetectionEngine();
    const worker = new WorkerEngine();
    try {
      for (const r of traffic.accounts) {
        local.addAccount(r);
        worker.addAccount(r);
      }
      for (const e of traffic.events) {
        local.addEvent(e);
        worker.addEvent(e);
      }
      await worker.drain();
      const a = local.analyze({ rejectedLines: 3 });
      const b = await worker.analyze({ rejectedLines: 3 });
      const strip = (f: typeof a.findings) => ({ ...f, generated_at: '' });
      expect(b.findings.clusters.length).toBeGreaterThan(0);
      expect(strip(b.findings)).toEqual(strip(a.findings));
      expect(b.edges).toEqual(a.edges);
    } finally {
      await worker.close();
    }
    await expect(worker.analyze()).rejects.toThrow(/closed/);
  });
});
