// Worker-thread entry of a scale worker's scoring rounds: the same scoreScaleDetail as in process,
// on a database pool of the thread's own and with the states it read kept between rounds, so
// loading states and analyze() never block the event loop that applies batches. The protocol: scoring-thread-protocol.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { openScaleStore, type ScaleDb } from '../../store/index.js';
import type { ScoringReply, ScoringRequest, ScoringThreadData } from './scoring-thread-protocol.js';
import { scoreScaleDetail, ScoringStates } from './scorer.js';

const port = parentPort;
if (!port) throw new Error('scoring-thread must run in a worker thread');
const data = workerData as ScoringThreadData;
let db: Promise<ScaleDb> | null = null;
// The states read so far, kept between rounds: each round reads only the rows written since.
const states = new ScoringStates(data.config);

/** The thread's pool: opened when warmed or at the first round, again after a failed open (PostgreSQL away). */
function store(): Promise<ScaleDb> {
  db ??= openScaleStore({ ...data.store, poolSize: 2 }).catch((err: unknown) => {
    db = null;
    throw err;
  });
  return db;
}

// Requests come one at a time (the worker awaits each round), so rounds never overlap here.
port.on('message', (msg: ScoringRequest) => {
  if (msg.type === 'warm') {
    // A failed open is retried by the first round, which reports it.
    store().catch(() => undefined);
    return;
  }
  void (async () => {
    let reply: ScoringReply;
    try {
      const detail = await scoreScaleDetail(await store(), { config: data.config, force: msg.force, states });
      const f = detail?.findings;
      reply = {
        type: 'scored',
        id: msg.id,
        round: f
          ? {
              accounts: f.accounts.length,
              clusters: f.clusters.length,
              rowsLoaded: states.lastRowsLoaded,
              ...(data.withFindings ? { findings: f } : {}),
            }
          : null,
      };
    } catch (err) {
      reply = { type: 'error', id: msg.id, message: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(reply);
  })();
});
