import { isMainThread } from 'node:worker_threads';
import { DetectionEngine, type AnalysisDetail } from '../../findings/index.js';
import { readEnv, type DetectConfigInput, type Findings } from '../../contracts/index.js';
import {
  accountStatesSince,
  allAccountStates,
  countQuarantined,
  listBenignReference,
  partitionVersions,
  saveScaleFindings,
  withScoringLock,
  type CoreDb,
  type ScaleDb,
} from '../../store/index.js';
import { restoreStoredAccount } from './account-state-codec.js';

export interface ScoreOptions {
  config?: DetectConfigInput;
  /** Score even when no partition changed since the last scoring. */
  force?: boolean;
  /** Rejected lines counted elsewhere, added to the stream's quarantined messages. */
  rejectedLines?: number;
  /**
   * The states a previous round of this scorer loaded: given, a round reads only the rows written
   * since (and keeps them for the next). Without it every round reads every account.
   */
  states?: ScoringStates;
}

/**
 * Loads every partition's durable account state into one engine (the global stage's input),
 * with the analysts' false-positive verdicts: `serve --nats` on the same database stores them
 * (benign_reference), and the null fits calibrate on them as the server's own engine would.
 */
export async function loadScaleEngine(db: ScaleDb, config?: DetectConfigInput): Promise<DetectionEngine> {
  const engine = new DetectionEngine(config);
  for await (const page of allAccountStates(db)) for (const row of page) restoreStoredAccount(engine, row);
  for (const id of await listBenignReference(db as unknown as CoreDb)) engine.addBenignReference(id);
  return engine;
}

/**
 * A scorer's engine kept between rounds, with the partition versions it has read up to. Each
 * round reads only the account state rows written since (their `version` above the partition's
 * version seen), parses them and replaces those accounts in the engine: restoreAccount replaces
 * an account whole, and an account's row only ever grows, so the engine holds what a full load
 * would give (test/scale-incremental-scoring.test.ts compares the findings). Partitions are
 * read whoever owns them, so an owner change changes nothing here. After a failed round the
 * states are dropped and the next round reads everything again.
 */
export class ScoringStates {
  private engine: DetectionEngine | null = null;
  private seen = new Map<number, number>();
  /** Rows read by the last round and in all (a full round reads every account). */
  lastRowsLoaded = 0;
  rowsLoaded = 0;

  constructor(private readonly config?: DetectConfigInput) {}

  /** The engine brought up to date with the database (call under the scoring lock). */
  async load(db: ScaleDb): Promise<DetectionEngine> {
    try {
      const engine = (this.engine ??= new DetectionEngine(this.config));
      // Read before the rows: every commit at or below these versions is visible to the reads
      // after, so they are a safe point to continue from next round.
      const now = await partitionVersions(db);
      let n = 0;
      for await (const page of accountStatesSince(db, this.seen, now)) {
        for (const row of page) restoreStoredAccount(engine, row);
        n += page.length;
      }
      this.seen = now;
      this.lastRowsLoaded = n;
      this.rowsLoaded += n;
      // Verdicts are only ever added: adding all of them again is what a fresh engine gets.
      for (const id of await listBenignReference(db as unknown as CoreDb)) engine.addBenignReference(id);
      return engine;
    } catch (err) {
      this.reset();
      throw err;
    }
  }

  /** Forget everything: the next round reads every account. */
  reset(): void {
    this.engine = null;
    this.seen = new Map();
  }
}

/**
 * The global stage: under the cluster-wide scoring lock, loads all partitions' state, runs
 * `analyze()` over the union (null fits and linkage span every partition, so hydra clusters
 * whose accounts hash to different partitions are found) and stores a findings snapshot where
 * the server and dashboard read it. Returns null when another worker is scoring or nothing changed.
 */
export async function scoreScale(db: ScaleDb, opts: ScoreOptions = {}): Promise<Findings | null> {
  const detail = await scoreScaleDetail(db, opts);
  return detail?.findings ?? null;
}

export async function scoreScaleDetail(db: ScaleDb, opts: ScoreOptions = {}): Promise<AnalysisDetail | null> {
  return withScoringLock(
    db,
    async () => {
      const states = opts.states;
      const engine = states ? await states.load(db) : await loadScaleEngine(db, opts.config);
      try {
        // Bad messages on the stream count as rejected lines, as batch analyze counts bad input lines.
        const rejectedLines = (opts.rejectedLines ?? 0) + (await countQuarantined(db));
        const detail = engine.analyze({ rejectedLines });
        testHook();
        await saveScaleFindings(db, detail.findings);
        return detail;
      } catch (err) {
        states?.reset();
        throw err;
      }
    },
    opts.force ?? false,
  );
}

/**
 * Tests only (DISTILLGUARD_TEST_SCORING): `stall=MS` blocks the round's thread for MS after
 * analyze, as a long analyze() over a large state does (synchronously, without using CPU), so a
 * test can show what the worker does meanwhile; `thread-exit` ends a scoring thread there (a
 * thread that dies), and does nothing on the main thread.
 */
function testHook(): void {
  const hook = readEnv('DISTILLGUARD_TEST_SCORING') ?? '';
  const stall = /^stall=(\d+)$/.exec(hook);
  if (stall) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(stall[1]));
  else if (hook === 'thread-exit' && !isMainThread) process.exit(70);
}
