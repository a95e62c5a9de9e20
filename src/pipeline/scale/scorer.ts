import { isMainThread } from 'node:worker_threads';
import { DetectionEngine, type AnalysisDetail } from '../../findings/index.js';
import { readEnv, type DetectConfigInput, type Findings } from '../../contracts/index.js';
import {
  allAccountStates,
  countQuarantined,
  listBenignReference,
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
      const engine = await loadScaleEngine(db, opts.config);
      // Bad messages on the stream count as rejected lines, as batch analyze counts bad input lines.
      const rejectedLines = (opts.rejectedLines ?? 0) + (await countQuarantined(db));
      const detail = engine.analyze({ rejectedLines });
      testHook();
      await saveScaleFindings(db, detail.findings);
      return detail;
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
