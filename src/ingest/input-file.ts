import { constants, createReadStream } from 'node:fs';
import { access, open, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { RejectReason } from '../contracts/index.js';
import { userFileError } from './user-file.js';

// Small reads keep each yielded batch small, so its events die young in V8's nursery: with 1 MiB
// reads the batches survived into old space and ingest spent 40% more CPU (bench/ingest.js).
const READ_CHUNK = 1 << 16;

export interface InputFile {
  path: string;
  /** Size on disk (compressed size for gzip). */
  size: number;
  gzip: boolean;
  /** Decompressed bytes, in order; pulling from it is what reads the file (backpressure). */
  chunks: AsyncIterable<Buffer>;
  /** Bytes read from disk so far, for progress. */
  diskBytesRead(): number;
  close(): void;
}

/** One pull from a file's chunks: the next chunk (null at the end), or the error reading it raised. */
export type ChunkPull = { ok: true; chunk: Buffer | null } | { ok: false; error: unknown };

/** Pulls the next chunk; a read error (truncated or corrupt gzip) is returned, for the caller to report as bad input. */
export async function pullChunk(chunks: AsyncIterator<Buffer>): Promise<ChunkPull> {
  let next: IteratorResult<Buffer>;
  try {
    next = await chunks.next();
  } catch (error) {
    return { ok: false, error };
  }
  return { ok: true, chunk: next.done ? null : next.value };
}

/**
 * Checks that every path is a readable regular file before anything is read, so a typo fails
 * with one clear error instead of after minutes of ingest. Returns the sizes on disk.
 */
export async function checkInputFiles(paths: readonly string[]): Promise<number[]> {
  return Promise.all(paths.map(checkInputFile));
}

const INPUT = 'input file';
const INPUT_HINT = 'check the path';

async function checkInputFile(path: string): Promise<number> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
    size = st.size;
    await access(path, constants.R_OK);
  } catch (err) {
    throw userFileError(err, path, INPUT, INPUT_HINT);
  }
  return size;
}

/** Opens a file, decompressing when it starts with the gzip magic bytes (whatever its name). */
export async function openInputFile(path: string, size: number): Promise<InputFile> {
  const gzip = await startsWithGzipMagic(path);
  const raw = createReadStream(path, { highWaterMark: READ_CHUNK });
  let diskBytes = 0;
  raw.on('data', (c: Buffer | string) => {
    diskBytes += c.length;
  });
  let chunks: AsyncIterable<Buffer> = raw as AsyncIterable<Buffer>;
  if (gzip) {
    const gunzip = createGunzip({ chunkSize: 1 << 16 });
    // pipeline forwards a read error of the file into the gunzip stream we iterate.
    pipeline(raw, gunzip, () => undefined);
    chunks = gunzip as AsyncIterable<Buffer>;
  }
  return {
    path,
    size,
    gzip,
    chunks,
    diskBytesRead: () => diskBytes,
    close: () => raw.destroy(),
  };
}

async function startsWithGzipMagic(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** Classifies an error thrown while streaming a file. */
export function streamErrorReason(err: unknown, gzip: boolean): { reason: RejectReason; message: string } {
  const e = err as NodeJS.ErrnoException;
  if (gzip && (e.code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(e.message))) {
    return { reason: 'truncated_gzip', message: 'the gzip stream ends early (file truncated)' };
  }
  if (gzip && typeof e.code === 'string' && e.code.startsWith('Z_')) {
    return { reason: 'corrupt_gzip', message: `the gzip stream is corrupt: ${e.message}` };
  }
  return { reason: 'read_error', message: `reading stopped: ${e.message}` };
}
