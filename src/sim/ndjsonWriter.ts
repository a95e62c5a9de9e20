import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { createGzip, type Gzip } from 'node:zlib';
import type { Writable } from 'node:stream';

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
  lines = 0;

  constructor(path: string, gzip = false) {
    this.file = createWriteStream(path);
    this.gzip = gzip ? createGzip({ level: 6 }) : undefined;
    if (this.gzip) this.gzip.pipe(this.file);
    this.sink = this.gzip ?? this.file;
  }

  async write(record: unknown): Promise<void> {
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
  }

  async close(): Promise<void> {
    await this.flush();
    this.sink.end();
    await finished(this.file);
  }
}
