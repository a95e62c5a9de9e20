import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgressReporter, describeProgress, formatBytes } from './progress-reporter.js';
import type { IngestProgress } from './read-records.js';

const MiB = 1024 * 1024;
const at = (elapsedMs: number, bytesRead: number): IngestProgress => ({
  file: 'traffic.ndjson',
  bytesRead,
  totalBytes: 100 * MiB,
  events: Math.floor(bytesRead / 1000),
  rejected: 3,
  elapsedMs,
});

function captured(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  const s = new PassThrough();
  let out = '';
  s.on('data', (c: Buffer) => (out += c.toString()));
  const stream = Object.assign(s, { isTTY, columns: 120 }) as unknown as NodeJS.WriteStream;
  return { stream, text: () => out };
}

describe('progress', () => {
  it('describes bytes, rate and ETA', () => {
    expect(describeProgress(at(10_000, 25 * MiB))).toBe(
      '25% 25.0 MiB of 100.0 MiB, 2.5 MiB/s, ETA 30s, 26,214 events, 3 rejected',
    );
    expect(formatBytes(1536)).toBe('1.5 KiB');
  });

  it('writes plain log lines every few seconds when not on a terminal, nothing for short runs', () => {
    const { stream, text } = captured(false);
    const r = createProgressReporter({ stream, quietForMs: 1000, logEveryMs: 5000 });
    r.onProgress(at(500, MiB));
    expect(text()).toBe('');
    for (let t = 1000; t <= 12_000; t += 250) r.onProgress(at(t, t * 1000));
    r.stop();
    const lines = text().trim().split('\n');
    // At 5 s and 10 s.
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^ingest: 5% 4\.8 MiB of 100\.0 MiB, [\d.]+ KiB\/s, ETA \d+m\d+s, 5,000 events, 3 rejected$/,
    );
  });

  it('draws a bar with the same figures on a terminal', () => {
    const { stream, text } = captured(true);
    const r = createProgressReporter({ stream, quietForMs: 0 });
    r.onProgress(at(2000, 50 * MiB));
    r.stop();
    expect(text()).toContain('ingest [');
    expect(text()).toContain('50.0 MiB of 100.0 MiB');
  });
});
