import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresAdapter, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { readEnv, UserError } from '../contracts/index.js';
import { startWalCheckpointer } from './wal-checkpointer.js';

export type StoreDialect = 'sqlite' | 'postgres';

export interface OpenDatabaseOptions {
  /**
   * `postgres://…` / `postgresql://…` for PostgreSQL, `sqlite:<file>` or `sqlite::memory:` for SQLite.
   * Defaults to `DATABASE_URL`, then to a SQLite file under `dataDir`.
   */
  url?: string | undefined;
  /** Directory for the default SQLite file (`distillguard.db`); default `./data`. */
  dataDir?: string | undefined;
  /** PostgreSQL only: the schema to use (search_path), for isolated test runs or tenants. */
  schema?: string | undefined;
  /** PostgreSQL pool size; default 10. */
  poolSize?: number | undefined;
  /**
   * SQLite file only: checkpoint the write-ahead log from a thread of its own instead of inside
   * commits (for a server whose event loop must stay responsive while it writes).
   */
  backgroundCheckpoints?: boolean | undefined;
}

const PG_INT8 = 20;
const PG_NUMERIC = 1700;

/** Where a URL points, without opening it. */
export function resolveDatabaseTarget(opts: OpenDatabaseOptions = {}): {
  dialect: StoreDialect;
  location: string;
} {
  const url = opts.url ?? readEnv('DISTILLGUARD_DATABASE_URL');
  if (url && /^postgres(ql)?:\/\//.test(url)) return { dialect: 'postgres', location: url };
  if (url && url.startsWith('sqlite:')) return { dialect: 'sqlite', location: url.slice('sqlite:'.length) };
  if (url)
    throw new UserError(
      'INVALID_CONFIG',
      'the database URL (--database-url or DISTILLGUARD_DATABASE_URL) must start with postgres://, postgresql:// or sqlite: (for example sqlite:./data/dg.db).',
    );
  return { dialect: 'sqlite', location: path.join(opts.dataDir ?? 'data', 'distillguard.db') };
}

/**
 * Opens the store through Kysely: SQLite (better-sqlite3, WAL) by default, PostgreSQL (pg Pool)
 * when a postgres URL is given. The caller owns the instance and must `destroy()` it.
 * Run `migrateCore` (and any module's own migration set) before use.
 */
export function openDatabase<DB = unknown>(opts: OpenDatabaseOptions = {}): Kysely<DB> {
  const target = resolveDatabaseTarget(opts);
  if (target.dialect === 'postgres') {
    const pool = new pg.Pool({
      connectionString: target.location,
      max: opts.poolSize ?? 10,
      ...(opts.schema ? { options: `-c search_path=${quoteIdent(opts.schema)}` } : {}),
      // Epoch-millisecond columns are bigint; they fit a JS number, so parse them as one.
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary'): ((v: string) => unknown) =>
          oid === PG_INT8 || oid === PG_NUMERIC
            ? (v: string) => Number(v)
            : (pg.types.getTypeParser(oid, format ?? 'text') as (
                v: string,
              ) => unknown)) as typeof pg.types.getTypeParser,
      },
    });
    // An idle client losing its connection (server restart) must not crash the process: the
    // pool drops it, and the next query gets a fresh connection or reports the error itself.
    // A checked-out client hit between queries (e.g. inside a transaction) emits on itself; the
    // query in flight or the next one rejects with the error, and the pool discards the client.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => client.on('error', () => undefined));
    return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  }
  const file = target.location;
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  let sqlite: SQLite.Database;
  try {
    sqlite = new SQLite(file);
  } catch (err) {
    throw new UserError(
      'FILE_UNREADABLE',
      `Cannot open the SQLite database ${file}: ${(err as Error).message}. Check the path and its permissions.`,
    );
  }
  // WAL: readers never block the writer; NORMAL sync is durable across a process crash (SIGKILL).
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // 64 MiB of page cache (the default is 2 MiB): the events table's two indexes stay in memory
  // while ingest appends, which is most of an insert's cost once they outgrow the default.
  sqlite.pragma('cache_size = -65536');
  const checkpointer =
    opts.backgroundCheckpoints && file !== ':memory:' ? startWalCheckpointer(sqlite) : undefined;
  // Kysely prepares every query it runs; parsing and planning the SQL again costs about as much
  // as running a short indexed query, so statements are kept per SQL text (bounded: beyond the
  // bound the cache starts over). Safe to share: Kysely runs one query at a time per connection.
  const statements = new Map<string, SQLite.Statement>();
  const database = {
    prepare: (query: string) => {
      let stmt = statements.get(query);
      if (!stmt) {
        if (statements.size >= MAX_CACHED_STATEMENTS) statements.clear();
        stmt = sqlite.prepare(query);
        statements.set(query, stmt);
      }
      return stmt;
    },
    close: () => {
      stopped = checkpointer?.stop();
      sqlite.close();
    },
  };
  let stopped: Promise<void> | undefined;
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database }) });
  if (checkpointer) {
    // Kysely's driver does not wait for close; destroy resolves only once the checkpointing thread
    // has closed its connection too, or it writes -wal/-shm back into a folder being removed.
    const destroy = db.destroy.bind(db);
    db.destroy = async () => {
      await destroy();
      await stopped;
    };
  }
  sqliteHandles.set(db, sqlite);
  return db;
}

const MAX_CACHED_STATEMENTS = 500;

const sqliteHandles = new WeakMap<object, SQLite.Database>();

/**
 * The better-sqlite3 connection behind an instance `openDatabase` opened on SQLite (undefined on
 * PostgreSQL). Only for hot paths that need a cached prepared statement; use it only while holding
 * the instance's connection (inside its transaction), so Kysely's own queries stay serialised.
 */
export function sqliteConnectionOf(db: object): SQLite.Database | undefined {
  return sqliteHandles.get(db);
}

/** Which dialect an open instance speaks; migrations use it for the few type differences. */
export function dialectOf<DB>(db: Kysely<DB>): StoreDialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name))
    throw new UserError('INVALID_CONFIG', `Schema name "${name}" must be letters, digits and underscores.`);
  return name;
}
