import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { isParquetHead } from './input-format.js';

/** One Parquet row as JSON text (null when over the size bound), with its size and first bytes. */
export interface ParquetRow {
  /** 1-based row number in the file: the "line" of its quarantine record. */
  row: number;
  json: string | null;
  bytes: number;
  head: string;
}

/** A Parquet file DuckDB could not read (not Parquet, damaged, an unsupported encoding). */
export class ParquetReadError extends Error {}

const RAW_HEAD = 1024;

export async function startsWithParquetMagic(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await fh.read(head, 0, 4, 0);
    return bytesRead === 4 && isParquetHead(head);
  } finally {
    await fh.close();
  }
}

/**
 * Reads a Parquet file with DuckDB, one batch of rows per DuckDB chunk (2,048 rows), so memory
 * stays bounded by a chunk whatever the file's size. Each row arrives as one JSON object (DuckDB's
 * `to_json`: structs and maps become objects, lists arrays, JSON columns stay JSON); a row whose
 * JSON is over `maxRowBytes` comes without its text (rejected like an over-long line).
 *
 * DuckDB is locked down before it reads: this one file is the only path it may open, and with
 * external access off it can neither load nor download extensions (Parquet and JSON are built
 * in), so reading works offline and a hostile file name or column cannot reach anything else.
 */
export async function* readParquetRows(path: string, maxRowBytes: number): AsyncGenerator<ParquetRow[]> {
  const file = resolve(path);
  // Loaded here, not with the module: its native library costs ~0.2 CPU-s to load in every
  // process and worker thread that reads events, and only Parquet input needs it.
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:', {
    threads: '1',
    memory_limit: '256MB',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  let conn: DuckDBConnection | null = null;
  try {
    conn = await db.connect();
    const allow = await conn.prepare('SET allowed_paths = [$1]');
    allow.bindVarchar(1, file);
    await allow.run();
    await conn.run('SET enable_external_access = false');
    const query = await conn.prepare(
      `SELECT strlen(j) AS n, CASE WHEN strlen(j) <= $2 THEN j END AS j, left(j, ${RAW_HEAD}) AS h ` +
        `FROM (SELECT to_json(_distillguard_row)::VARCHAR AS j FROM read_parquet($1) _distillguard_row)`,
    );
    query.bindVarchar(1, file);
    query.bindBigInt(2, BigInt(maxRowBytes));
    let row = 0;
    let result;
    try {
      result = await query.stream();
    } catch (err) {
      throw new ParquetReadError((err as Error).message);
    }
    for (;;) {
      let chunk;
      try {
        chunk = await result.fetchChunk();
      } catch (err) {
        throw new ParquetReadError((err as Error).message);
      }
      if (chunk === null || chunk.rowCount === 0) break;
      const batch: ParquetRow[] = [];
      for (const [n, j, h] of chunk.getRows()) {
        batch.push({
          row: ++row,
          bytes: Number(n),
          json: typeof j === 'string' ? j : null,
          head: typeof h === 'string' ? h : '',
        });
      }
      yield batch;
    }
  } finally {
    conn?.closeSync();
    db.closeSync();
  }
}

/**
 * Parquet keeps absent values as NULL columns; an event's optional fields are absent, not null.
 * Drops null members of objects (not of arrays) at every level, bounded in depth (deeper values
 * are left for the depth check to reject).
 */
export function dropNulls(v: unknown, depth = 0): unknown {
  if (v === null || typeof v !== 'object' || depth > 80) return v;
  if (Array.isArray(v)) return v.map((x) => dropNulls(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (x !== null) out[k] = dropNulls(x, depth + 1);
  }
  return out;
}
