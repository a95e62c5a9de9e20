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

/** Append-only registry of served canaries: each serving is one NDJSON line, written as it happens. */
export class CanaryRegistry {
  private readonly out: WriteStream;
  private count = 0;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.out = createWriteStream(path, { flags: 'a' });
  }

  record(serving: CanaryServing): void {
    this.count++;
    this.out.write(`${JSON.stringify(serving)}\n`);
  }

  get recorded(): number {
    return this.count;
  }

  /** Resolves once every recorded line is on disk. */
  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.out.end((err?: Error | null) => (err ? reject(err) : resolve()));
    });
  }
}
