import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { createGzip, type Gzip } from 'node:zlib';
import type { Writable } from 'node:stream';
import { UserError } from '../contracts/index.js';

/**
 * Writes NDJSON with backpressure: lines are batched into chunks and the writer waits for
 * 'drain' whenever the stream's buffer is full, so memory stays flat for any file size.
 */
export class NdjsonWriter {
  private readonly file: WriteStream;
  private readonly gzip: Gzip | undefined;
  private readonly sink: Writable;
  private chunk: string[] = [];
  private chunkBytes = 0;
  private failure: Error | undefined;
  lines = 0;

  constructor(
    private readonly path: string,
    gzip = false,
  ) {
    this.file = createWriteStream(path);
    this.gzip = gzip ? createGzip({ level: 6 }) : undefined;
    if (this.gzip) this.gzip.pipe(this.file);
    this.sink = this.gzip ?? this.file;
    // A full disk or a missing directory must end the run with a clear message, not hang on 'drain'.
    const fail = (err: Error): void => {
      this.failure ??= err;
      this.sink.emit('drain');
    };
    this.file.on('error', fail);
    this.gzip?.on('error', fail);
  }

  private check(): void {
    if (this.failure) {
      const code = (this.failure as NodeJS.ErrnoException).code ?? 'error';
      throw new UserError(
        'FILE_UNREADABLE',
        `cannot write ${this.path} (${code}); check the --out directory and free space`,
      );
    }
  }

  async write(record: unknown): Promise<void> {
    this.check();
    const line = JSON.stringify(record);
    this.chunk.push(line);
    this.chunkBytes += line.length + 1;
    this.lines++;
    if (this.chunkBytes >= 256 * 1024) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.chunk.length === 0) return;
    const data = this.chunk.join('\n') + '\n';
    this.chunk = [];
    this.chunkBytes = 0;
    if (!this.sink.write(data)) await once(this.sink, 'drain');
    this.check();
  }

  async close(): Promise<void> {
    await this.flush();
    this.sink.end();
    try {
      await finished(this.file);
    } catch (err) {
      this.failure ??= err as Error;
    }
    this.check();
  }
}
