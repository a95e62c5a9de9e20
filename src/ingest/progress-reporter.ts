import cliProgress from 'cli-progress';
import type { IngestProgress } from './read-records.js';

export interface ProgressReporter {
  onProgress(p: IngestProgress): void;
  stop(): void;
}

export interface ProgressOptions {
  stream?: NodeJS.WriteStream;
  /** Show nothing for inputs that finish sooner than this. */
  quietForMs?: number;
  /** Plain-log interval when the stream is not a terminal. */
  logEveryMs?: number;
}

/**
 * Progress for long inputs: a bar with bytes, rate and ETA on a terminal; a plain log line every
 * few seconds otherwise (CI logs, files), so redirected output stays readable.
 */
export function createProgressReporter(opts: ProgressOptions = {}): ProgressReporter {
  const stream = opts.stream ?? process.stderr;
  const quietForMs = opts.quietForMs ?? 1000;
  const logEveryMs = opts.logEveryMs ?? 5000;
  let bar: cliProgress.SingleBar | null = null;
  let lastLog = 0;

  if (!stream.isTTY) {
    return {
      onProgress(p) {
        if (p.elapsedMs < Math.max(quietForMs, lastLog + logEveryMs)) return;
        lastLog = p.elapsedMs;
        stream.write(`ingest: ${describeProgress(p)}\n`);
      },
      stop() {},
    };
  }
  return {
    onProgress(p) {
      if (bar === null) {
        if (p.elapsedMs < quietForMs) return;
        bar = new cliProgress.SingleBar({
          stream,
          format: 'ingest [{bar}] {text}',
          barsize: 30,
          hideCursor: true,
          clearOnComplete: true,
          fps: 5,
        });
        bar.start(Math.max(p.totalBytes, 1), p.bytesRead, { text: describeProgress(p) });
      }
      bar.update(p.bytesRead, { text: describeProgress(p) });
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}

export function describeProgress(p: IngestProgress): string {
  const secs = Math.max(p.elapsedMs / 1000, 0.001);
  const rate = p.bytesRead / secs;
  const left = p.totalBytes - p.bytesRead;
  const eta = rate > 0 ? left / rate : Infinity;
  const pct = p.totalBytes > 0 ? Math.min(100, (100 * p.bytesRead) / p.totalBytes) : 100;
  return (
    `${pct.toFixed(0)}% ${formatBytes(p.bytesRead)} of ${formatBytes(p.totalBytes)}, ${formatBytes(rate)}/s, ` +
    `ETA ${formatDuration(eta)}, ${p.events.toLocaleString('en')} events, ${p.rejected.toLocaleString('en')} rejected`
  );
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return `${n.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}

function formatDuration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.ceil(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.ceil(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
