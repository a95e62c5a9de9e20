import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

/**
 * Checkpoints a SQLite database's write-ahead log from a thread of its own, on its own connection.
 * SQLite otherwise checkpoints inside the commit that crosses 1000 WAL pages, on the writer's
 * thread: measured on the ingest API, about two thirds of each 1000-event commit, during which the
 * server's event loop answers nothing (decision lookups included). PASSIVE never waits for or
 * blocks the writer; the WAL restarts from its beginning once a checkpoint has caught up.
 */
export interface WalCheckpointer {
  /** Resolves once the thread has closed its connection (it is terminated after 5 s). */
  stop(): Promise<void>;
}

// A CommonJS worker from source text: no separate file to locate in src/ and dist/ alike.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const db = new SQLite(workerData.file);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy: the next round catches up */ }
}, workerData.intervalMs);
parentPort.once('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

/**
 * Moves `sqlite`'s checkpoints to a thread of their own, polling every `intervalMs`. Should the
 * thread fail to start or die, SQLite's automatic checkpoints come back, so the WAL never grows
 * without bound.
 */
export function startWalCheckpointer(sqlite: SQLite.Database, intervalMs = 250): WalCheckpointer {
  const automatic = (): void => {
    if (sqlite.open) sqlite.pragma('wal_autocheckpoint = 1000');
  };
  let worker: Worker;
  try {
    worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        file: sqlite.name,
        intervalMs,
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      },
    });
  } catch {
    return { stop: () => Promise.resolve() };
  }
  sqlite.pragma('wal_autocheckpoint = 0');
  let stopping = false;
  // The thread never keeps the process alive.
  worker.unref();
  worker.on('error', () => undefined);
  const exited = new Promise<void>((done) =>
    worker.on('exit', () => {
      if (!stopping) automatic();
      done();
    }),
  );
  return {
    stop: async () => {
      stopping = true;
      worker.postMessage('stop');
      const timer = setTimeout(() => void worker.terminate(), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
