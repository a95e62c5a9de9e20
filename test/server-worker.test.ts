import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { DetectionEngine } from '../src/findings/index.js';
import { unpackEdges, type FindingsEngine } from '../src/pipeline/index.js';
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

  it('computes the same findings as the engine in process, round after round', async () => {
    const traffic = simulatedTraffic(6000, 17);
    const later = traffic.events.splice(5000);
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
      expect(unpackEdges(b.packedEdges!)).toEqual(a.edges);
      // The next round is handed over as changes against this one; what it makes is the same
      // document, and the JSON written for a stored snapshot is that document too.
      for (const e of later) {
        local.addEvent(e);
        worker.addEvent(e);
      }
      await worker.drain();
      const c = local.analyze({ rejectedLines: 3 });
      const d = await worker.analyze({ rejectedLines: 3, withText: true });
      expect(strip(d.findings)).toEqual(strip(c.findings));
      expect(strip(d.findings)).not.toEqual(strip(b.findings));
      expect(unpackEdges(d.packedEdges!)).toEqual(c.edges);
      expect(JSON.parse(d.text!)).toEqual(d.findings);
      const unchanged = d.findings.accounts.filter((x) => b.findings.accounts.some((y) => y === x));
      expect(unchanged.length).toBeGreaterThan(0);
    } finally {
      await worker.close();
    }
    await expect(worker.analyze()).rejects.toThrow(/closed/);
  });
});
