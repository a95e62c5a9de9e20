// What SQLite's automatic WAL checkpoint costs a writer (node bench/sqlite-commit.js): 100
// transactions of 1,000 rows of 1.3 KB into a table shaped like `events` (primary key and its two
// indexes), with automatic checkpoints and with them off (as `serve` runs, checkpointing from a
// thread of its own). Prints insert and commit times per transaction, and the load average.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';

function run(autocheckpoint) {
  const dir = mkdtempSync(path.join(tmpdir(), 'dg-bench-commit-'));
  const db = new SQLite(path.join(dir, 'x.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -65536');
  if (autocheckpoint !== undefined) db.pragma(`wal_autocheckpoint = ${autocheckpoint}`);
  db.exec(`create table events (id text primary key, account_id text not null, ts text not null,
    ts_ms bigint not null, body text not null, received_at bigint not null);
    create index events_account_ts on events (account_id, ts_ms);
    create index events_ts on events (ts_ms, id);`);
  const insert = db.prepare('INSERT INTO events VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING');
  const body = 'x'.repeat(1300);
  const inserts = [];
  const commits = [];
  let n = 0;
  for (let b = 0; b < 100; b++) {
    db.exec('BEGIN');
    let t = performance.now();
    for (let i = 0; i < 1000; i++, n++)
      insert.run(`ev${n}`, `acct${n % 1500}`, 'ts', 1e12 + n * 10, body, Date.now());
    inserts.push(performance.now() - t);
    t = performance.now();
    db.exec('COMMIT');
    commits.push(performance.now() - t);
  }
  db.close();
  rmSync(dir, { recursive: true, force: true });
  const s = (a) => {
    a = a.slice().sort((x, y) => x - y);
    return `p50 ${a[50].toFixed(1)} p99 ${a[98].toFixed(1)} total ${a.reduce((x, y) => x + y).toFixed(0)} ms`;
  };
  return `insert of 1,000 rows ${s(inserts)}; commit ${s(commits)}`;
}

console.log(`sqlite commit: load ${loadavg()[0].toFixed(1)}`);
for (let round = 1; round <= 2; round++) {
  console.log(`round ${round}, automatic checkpoints: ${run(undefined)}`);
  console.log(`round ${round}, checkpoints off:       ${run(0)}`);
}
