import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, RetentionPolicy, StorageType, type Consumer, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { UserError, type AccountRecord, type ApiEvent, type Findings } from '../src/contracts/index.js';
import { DetectionEngine } from '../src/findings/index.js';
import {
  connectNats,
  consumerOf,
  deleteStream,
  ensureStream,
  PartitionPuller,
  ScalePublisher,
  ScaleWorker,
  scoreScale,
  type ScaleTopology,
  type ScaleWorkerOptions,
  type StreamOptions,
} from '../src/pipeline/index.js';
import { startService, type RunningService } from '../src/server/index.js';
import {
  allAccountStates,
  countQuarantined,
  listQuarantined,
  openScaleStore,
  scaleProgress,
  type QuarantinedMessage,
  type ScaleDb,
} from '../src/store/index.js';
import { CLI, ensureBuilt, ROOT } from './cli-harness.js';
import { simulatedTraffic } from './server-harness.js';
import {
  adminQuery,
  postgresUnavailableReason,
  servicesRequired,
  TEST_POSTGRES_URL,
} from './store-harness.js';

export { adminQuery, CLI, ensureBuilt, TEST_POSTGRES_URL };

export const TEST_NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** `null` when NATS with JetStream answers, else why not. */
export async function natsUnavailableReason(url = TEST_NATS_URL): Promise<string | null> {
  let nc: NatsConnection | null = null;
  try {
    nc = await connect({ servers: url.replace(/^nats:\/\//, ''), timeout: 2000, maxReconnectAttempts: 0 });
    await (await nc.jetstreamManager()).getAccountInfo();
    return null;
  } catch (err) {
    return `NATS JetStream at ${url} is unavailable (${(err as Error).message})`;
  } finally {
    await nc?.close().catch(() => undefined);
  }
}

/**
 * Why the scale tests cannot run here (null when they can). Prints the reason and returns it
 * when skipping; throws when REQUIRE_SERVICES=1.
 */
export async function scaleSkipReason(): Promise<string | null> {
  const reason = (await natsUnavailableReason()) ?? (await postgresUnavailableReason());
  if (reason === null) return null;
  if (servicesRequired()) throw new Error(`REQUIRE_SERVICES=1 but ${reason}`);
  console.warn(`[skip] scale-out tests skipped: ${reason}`);
  return reason;
}

/** Why the scale tests cannot run here, or null: asked once per test file. */
export const scaleSkip = await scaleSkipReason();

/**
 * A `describe` of scale-out tests on a fixture of their own (`useScaleFixture`), skipped, with the
 * reason printed, where NATS or PostgreSQL is unavailable.
 */
export function describeScale(
  name: string,
  partitions: number,
  body: (fx: UsedScaleFixture) => void,
  stream?: StreamOptions,
  beforeDispose?: (fx: ScaleFixture) => Promise<void>,
): void {
  describe.skipIf(scaleSkip !== null)(name, () => body(useScaleFixture(partitions, stream, beforeDispose)));
}

/** A stream, subjects and PostgreSQL schema of one's own: tests run side by side and leave nothing. */
export interface ScaleFixture {
  topology: ScaleTopology;
  nc: NatsConnection;
  db: ScaleDb;
  schema: string;
  dispose(): Promise<void>;
}

/** What `useScaleFixture` adds: workers on the fixture, stopped or killed after the tests. */
export interface UsedScaleFixture extends ScaleFixture {
  /** An in-process worker on the fixture's stream and schema, started. */
  startWorker(workerId: string, options?: Partial<ScaleWorkerOptions>): Promise<ScaleWorker>;
  /** A `distillguard worker` process on the fixture (dist/ is built first); resolves once it consumes. */
  spawnWorker(id: string, extra?: string[]): Promise<ChildProcess>;
  /** A publisher on the fixture's stream (the caller flushes). */
  publisher(): ScalePublisher;
  /** The durable consumer of `partition` (as a stray client that is not a worker would pull on it). */
  consumer(partition?: number): Promise<Consumer>;
  /** A worker's puller on the consumer of `partition`; the caller closes it. */
  puller(partition?: number): PartitionPuller;
  /** Publishes the accounts, then the events, to the fixture's stream. */
  publish(input: { accounts: AccountRecord[]; events: ApiEvent[] }): Promise<void>;
  /**
   * Publishes the accounts and the first `at` events, then each raw message on its subject (as a
   * hostile or broken publisher would), then the remaining events: good events on both sides.
   */
  publishAround(
    input: { accounts: AccountRecord[]; events: ApiEvent[] },
    at: number,
    raw: readonly { subject: string; data: Uint8Array }[],
  ): Promise<void>;
  /** `waitForApplied` on the fixture's database. */
  waitForApplied(events: number, timeoutMs?: number): Promise<void>;
  /** Waits until the worker `owner` applied events on a partition it holds (it is busy). */
  waitUntilWorking(owner: string): Promise<unknown>;
  /**
   * Waits until each of `owners` holds a lease on some partition: the first worker started claims
   * every partition and gives the surplus back only at its next heartbeat, so a test that needs all
   * of them working must not publish before the split.
   */
  waitUntilShared(owners: readonly string[]): Promise<unknown>;
  /** Waits until the workers applied `events` in all (they are part-way through). */
  waitUntilProgress(events: number): Promise<unknown>;
  /** Waits until at least `n` lines are quarantined. */
  waitUntilQuarantined(n: number): Promise<unknown>;
  /** `storedEventTotal` of the fixture's database. */
  storedEventTotal(): Promise<number>;
}

/**
 * A fixture for the enclosing `describe`: made before its tests, disposed after them, with every
 * worker it started stopped (in-process) or SIGKILLed (child processes) first, whatever the tests
 * did. The object returned is filled in by the time the tests run.
 */
export function useScaleFixture(
  partitions?: number,
  stream?: StreamOptions,
  /** Runs first after the tests, before the workers are stopped and the fixture disposed. */
  beforeDispose?: (fx: ScaleFixture) => Promise<void>,
): UsedScaleFixture {
  const workers: ScaleWorker[] = [];
  const children: ChildProcess[] = [];
  // Typed apart from the fixture so that a helper missing here fails to compile.
  const helpers: Omit<UsedScaleFixture, keyof ScaleFixture> = {
    async startWorker(workerId: string, more: Partial<ScaleWorkerOptions> = {}) {
      const w = new ScaleWorker({ nc: fx.nc, db: fx.db, topology: fx.topology, workerId, ...more });
      await w.start();
      workers.push(w);
      return w;
    },
    async spawnWorker(id: string, extra: string[] = []) {
      ensureBuilt();
      const child = await spawnWorker(fx, id, extra);
      children.push(child);
      return child;
    },
    publisher: () => new ScalePublisher(fx.nc, fx.topology),
    consumer: (partition = 0) =>
      fx.nc.jetstream().consumers.get(fx.topology.stream, consumerOf(fx.topology, partition)),
    puller: (partition = 0) =>
      new PartitionPuller(fx.nc, fx.topology.stream, consumerOf(fx.topology, partition)),
    publish: (input) => publishAll(fx.nc, fx.topology, input),
    async publishAround(input, at, raw) {
      await publishAll(fx.nc, fx.topology, { accounts: input.accounts, events: input.events.slice(0, at) });
      const js = fx.nc.jetstream();
      for (const m of raw) await js.publish(m.subject, m.data);
      await publishAll(fx.nc, fx.topology, { accounts: [], events: input.events.slice(at) });
    },
    waitForApplied: (events, timeoutMs) => waitForApplied(fx.db, events, timeoutMs),
    waitUntilWorking: (owner) =>
      waitFor(
        `${owner} to apply events`,
        () => scaleProgress(fx.db),
        (p) => p.partitions.some((x) => x.owner === owner && x.events > 0),
        { everyMs: 50 },
      ),
    waitUntilShared: (owners) =>
      waitFor(
        `${owners.join(', ')} to share the partitions`,
        () => scaleProgress(fx.db),
        (p) => owners.every((o) => p.partitions.some((x) => x.owner === o)),
        { everyMs: 50 },
      ),
    waitUntilProgress: (events) =>
      waitFor(
        `${events} events applied`,
        async () => (await scaleProgress(fx.db)).events,
        (n) => n >= events,
        { everyMs: 50 },
      ),
    waitUntilQuarantined: (n) =>
      waitFor(
        `${n} quarantined lines`,
        () => countQuarantined(fx.db),
        (q) => q >= n,
        {
          timeoutMs: 30_000,
          everyMs: 100,
        },
      ),
    storedEventTotal: () => storedEventTotal(fx.db),
  };
  const fx = helpers as UsedScaleFixture;
  beforeAll(async () => {
    Object.assign(fx, await scaleFixture(partitions, stream));
  });
  afterAll(async () => {
    if ('dispose' in fx) await beforeDispose?.(fx);
    for (const w of workers) await w.stop().catch(() => undefined);
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await fx.dispose?.();
  });
  return fx;
}

export async function scaleFixture(partitions = 8, stream: StreamOptions = {}): Promise<ScaleFixture> {
  const tag = randomBytes(5).toString('hex');
  const topology: ScaleTopology = {
    stream: `DG_TEST_${tag}`,
    subjectPrefix: `dgtest.${tag}`,
    partitions,
  };
  const nc = await connectNats(TEST_NATS_URL);
  await ensureStream(nc, topology, { ackWaitMs: 4000, ...stream });
  const schema = `dg_scale_${tag}`;
  await adminQuery(`create schema ${schema}`);
  let db: ScaleDb;
  try {
    db = await openScaleStore({ url: TEST_POSTGRES_URL, schema, poolSize: 6 });
  } catch (err) {
    // Leave nothing behind when the store cannot be opened.
    await deleteStream(nc, topology.stream).catch(() => undefined);
    await nc.close().catch(() => undefined);
    await adminQuery(`drop schema if exists ${schema} cascade`);
    throw err;
  }
  return {
    topology,
    nc,
    db,
    schema,
    async dispose() {
      await db.destroy().catch(() => undefined);
      await deleteStream(nc, topology.stream).catch(() => undefined);
      await nc.close().catch(() => undefined);
      await adminQuery(`drop schema if exists ${schema} cascade`);
    },
  };
}

/** The first `n` events of a small two-week simulation, and every account record. */
export const simulatedPrefix = (n: number, seed: number) => simulatedTraffic(n, seed, 14);

export async function publishAll(
  nc: NatsConnection,
  topology: ScaleTopology,
  input: { accounts: AccountRecord[]; events: ApiEvent[] },
): Promise<void> {
  const pub = new ScalePublisher(nc, topology);
  await pub.publishAccounts(input.accounts);
  await pub.publishEvents(input.events);
  await pub.flush();
}

/** Batch analyze on the same input: the reference streaming must equal. */
export function batchFindings(input: { accounts: AccountRecord[]; events: ApiEvent[] }): Findings {
  const engine = new DetectionEngine();
  for (const a of input.accounts) engine.addAccount(a);
  for (const e of input.events) engine.addEvent(e);
  return engine.analyze().findings;
}

/** Waits until the workers made `events` distinct events durable (throws on timeout). */
export async function waitForApplied(db: ScaleDb, events: number, timeoutMs = 240_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = -1;
  while (Date.now() < until) {
    try {
      last = (await scaleProgress(db)).events;
      if (last >= events) return;
    } catch {
      // PostgreSQL may be restarting.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`only ${last} of ${events} events applied in ${timeoutMs} ms`);
}

/** What must match between batch and streaming findings: every account's level, scores, clusters. */
export const comparable = (f: Findings) => ({
  input: { events: f.input.events, accounts: f.input.accounts, from: f.input.from, to: f.input.to },
  accounts: f.accounts.map((a) => [a.account_id, a.level, a.score + 0, a.cluster_id, a.events]),
  clusters: f.clusters.map((c) => [c.cluster_id, c.level, c.score + 0, [...c.account_ids].sort(), c.events]),
});

/** The flags that put a CLI command on a stream topology. */
export const topologyFlags = (t: ScaleTopology): string[] => [
  '--stream',
  t.stream,
  '--subject-prefix',
  t.subjectPrefix,
  '--partitions',
  String(t.partitions),
];

/** Input files for `ingest`, in a temporary folder of their own that also takes its quarantine file. */
export interface IngestFiles {
  dir: string;
  traffic: string;
  accounts: string;
}

/** Writes `input` as traffic.ndjson and accounts.ndjson into a fresh temporary folder named `prefix…`. */
export function writeIngestFiles(
  prefix: string,
  input: { accounts: AccountRecord[]; events: ApiEvent[] },
): IngestFiles {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const files = {
    dir,
    traffic: path.join(dir, 'traffic.ndjson'),
    accounts: path.join(dir, 'accounts.ndjson'),
  };
  writeFileSync(files.traffic, `${input.events.map((e) => JSON.stringify(e)).join('\n')}\n`);
  writeFileSync(files.accounts, `${input.accounts.map((a) => JSON.stringify(a)).join('\n')}\n`);
  return files;
}

/** The arguments of `distillguard ingest` of the files to the test NATS on a topology, quarantining beside them. */
export const ingestArgs = (t: ScaleTopology, files: IngestFiles): string[] => [
  'ingest',
  files.traffic,
  '--accounts',
  files.accounts,
  '--nats',
  TEST_NATS_URL,
  ...topologyFlags(t),
  '--quarantine',
  path.join(files.dir, 'quarantine.ndjson'),
];

/** The arguments of `distillguard worker` on the test NATS, the given database and topology. */
export const workerArgs = (t: ScaleTopology, database = TEST_POSTGRES_URL): string[] => [
  'worker',
  '--nats',
  TEST_NATS_URL,
  '--database-url',
  database,
  ...topologyFlags(t),
];

/** A `distillguard worker` process on the fixture's stream and schema; resolves once it consumes. */
export async function spawnWorker(fx: ScaleFixture, id: string, extra: string[] = []): Promise<ChildProcess> {
  const args = [
    CLI,
    ...workerArgs(fx.topology),
    ...['--id', id, '--lease', '2s', '--ack-wait', '4s', '--score-every', '0'],
    ...extra,
  ];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, DISTILLGUARD_DB_SCHEMA: fx.schema, DISTILLGUARD_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start: ${out}`)), 60_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('consuming')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${out}`)));
  });
  return child;
}

/**
 * SIGTERMs a worker process and returns its exit code, or 'still running' when it has not exited
 * within `boundMs` (a bound on the test, not a timing measurement).
 */
export async function exitOnSigterm(
  child: ChildProcess,
  boundMs = 60_000,
): Promise<number | null | 'still running'> {
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  return Promise.race([
    exited,
    new Promise<'still running'>((r) => setTimeout(() => r('still running'), boundMs)),
  ]);
}

/**
 * A stream beside the fixture's (`<stream>_OLD` on `<prefix>old.*`) as made before work-queue
 * retention and the recorded partition count: limits retention, no description. The caller deletes it.
 */
export async function addPreRetentionStream(
  fx: ScaleFixture,
  partitions = fx.topology.partitions,
): Promise<ScaleTopology> {
  const old: ScaleTopology = {
    stream: `${fx.topology.stream}_OLD`,
    subjectPrefix: `${fx.topology.subjectPrefix}old`,
    partitions,
  };
  await (
    await fx.nc.jetstreamManager()
  ).streams.add({
    name: old.stream,
    subjects: [`${old.subjectPrefix}.*`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
  });
  return old;
}

/** Polls `get` until `ok` holds; throws naming `what` (and the last value) after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  get: () => T | Promise<T>,
  ok: (v: T) => boolean,
  { timeoutMs = 120_000, everyMs = 200 } = {},
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * The rejected-lines tests plant one line of each of four reasons before the stream: one worker
 * applies the `events` good ones and quarantines the four, and the streamed findings count the
 * input as batch analyze of the same lines (`batch`) does. Returns the quarantine rows.
 */
export async function expectRejectedCounted(
  fx: UsedScaleFixture,
  workerId: string,
  events: number,
  batch: Findings,
): Promise<QuarantinedMessage[]> {
  const worker = await fx.startWorker(workerId);
  await fx.waitForApplied(events);
  await fx.waitUntilQuarantined(4);
  await worker.stop();
  expect(worker.stats.invalid).toBe(0);
  const rows = await listQuarantined(fx.db);
  expect(rows.map((r) => r.reason).sort()).toEqual([
    'bad_timestamp',
    'invalid_json',
    'missing_field',
    'not_an_object',
  ]);
  const streamed = await scoreScale(fx.db, { force: true });
  expect(streamed?.input).toMatchObject({
    events: batch.input.events,
    accounts: batch.input.accounts,
    rejected_lines: batch.input.rejected_lines,
  });
  return rows;
}

/** The `UserError` a promise is refused with (fails the test when it resolves or throws another error). */
export async function refusal(p: Promise<unknown>): Promise<UserError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserError);
  return err as UserError;
}

/** `serve --nats` on the workers' database and stream, as an operator runs it beside them. */
export async function serveOnWorkersDatabase(fx: ScaleFixture, adminKey: string): Promise<RunningService> {
  return startService({
    databaseUrl: TEST_POSTGRES_URL,
    databaseSchema: fx.schema,
    nats: TEST_NATS_URL,
    natsTopology: fx.topology,
    port: 0,
    logger: false,
    adminKey,
  });
}

/** Sum over every stored account state of its event count: equals the input iff nothing is lost or doubled. */
export async function storedEventTotal(db: ScaleDb): Promise<number> {
  let n = 0;
  for await (const page of allAccountStates(db))
    for (const s of page) n += (JSON.parse(s.state) as { stats: { n: number } | null }).stats?.n ?? 0;
  return n;
}

/** How far two findings differ: accounts whose level or event count differ, and the largest score gap. */
export function findingsGap(
  a: Findings,
  b: Findings,
): { level: number; events: number; maxScore: number; missing: number } {
  const other = new Map(b.accounts.map((x) => [x.account_id, x]));
  const gap = { level: 0, events: 0, maxScore: 0, missing: Math.abs(a.accounts.length - b.accounts.length) };
  for (const x of a.accounts) {
    const y = other.get(x.account_id);
    if (!y) {
      gap.missing++;
      continue;
    }
    if (x.level !== y.level) gap.level++;
    if (x.events !== y.events) gap.events++;
    gap.maxScore = Math.max(gap.maxScore, Math.abs(x.score - y.score));
  }
  return gap;
}

/** A TCP proxy to a service that a test can cut (every connection dropped, no new ones) and restore. */
export class CuttableProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async open(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async close(): Promise<void> {
    await this.cut();
  }
}
