import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { CanaryServing } from '../../contracts/index.js';
import { readUserFile } from '../../ingest/index.js';

export interface RegistryRejection {
  line: number;
  message: string;
}

export interface RegistryContents {
  servings: CanaryServing[];
  rejected: RegistryRejection[];
}

/**
 * Read a canary registry (NDJSON of CanaryServing). Bad lines are reported with their line number,
 * never silently skipped, and never stop the read.
 */
export function readCanaryRegistry(path: string): RegistryContents {
  const servings: CanaryServing[] = [];
  const rejected: RegistryRejection[] = [];
  const lines = readUserFile(
    path,
    'canary registry',
    'pass the file the gateway wrote with --canary-registry',
  ).split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      rejected.push({ line: i + 1, message: 'not valid JSON' });
      return;
    }
    const parsed = CanaryServing.safeParse(json);
    if (parsed.success) servings.push(parsed.data);
    else
      rejected.push({
        line: i + 1,
        message: parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; '),
      });
  });
  return { servings, rejected };
}

/** How long a served canary's line may wait to be written with the ones after it. */
const REGISTRY_FLUSH_MS = 100;
const REGISTRY_FLUSH_BYTES = 64 * 1024;

/**
 * Append-only registry of served canaries: each serving is one NDJSON line. Lines are gathered for
 * at most REGISTRY_FLUSH_MS and written together: one file write per serving cost the gateway a
 * thread-pool round trip (~70 µs of CPU) per canary. The recorder holds its events as long.
 */
export class CanaryRegistry {
  private readonly out: WriteStream;
  private count = 0;
  private pending = '';
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.out = createWriteStream(path, { flags: 'a' });
  }

  record(serving: CanaryServing): void {
    this.count++;
    this.pending += `${JSON.stringify(serving)}\n`;
    if (this.pending.length >= REGISTRY_FLUSH_BYTES) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(this.flush, REGISTRY_FLUSH_MS);
      this.timer.unref();
    }
  }

  get recorded(): number {
    return this.count;
  }

  /** Hand what is gathered to the file now. */
  readonly flush = (): void => {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending === '') return;
    this.out.write(this.pending);
    this.pending = '';
  };

  /** Resolves once every recorded line is on disk. */
  close(): Promise<void> {
    this.flush();
    return new Promise((resolve, reject) => {
      this.out.end((err?: Error | null) => (err ? reject(err) : resolve()));
    });
  }
}
