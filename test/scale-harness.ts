import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { connect, type NatsConnection } from 'nats';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { DetectionEngine } from '../src/findings/index.js';
import {
  connectNats,
  deleteStream,
  ensureStream,
  ScalePublisher,
  type ScaleTopology,
  type StreamOptions,
} from '../src/pipeline/index.js';
import type { AccountRecord, ApiEvent, Findings } from '../src/contracts/index.js';
import { simulationStream } from '../src/sim/index.js';
import { allAccountStates, openScaleStore, scaleProgress, type ScaleDb } from '../src/store/index.js';
import { postgresUnavailableReason, servicesRequired, TEST_POSTGRES_URL } from './store-harness.js';

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

/** A stream, subjects and PostgreSQL schema of one's own: tests run side by side and leave nothing. */
export interface ScaleFixture {
  topology: ScaleTopology;
  nc: NatsConnection;
  db: ScaleDb;
  schema: string;
  dispose(): Promise<void>;
}

/**
 * A fixture for the enclosing `describe`: made before its tests, disposed after them. The object
 * returned is filled in by the time the tests run.
 */
export function useScaleFixture(partitions?: number, stream?: StreamOptions): ScaleFixture {
  const fx = {} as ScaleFixture;
  beforeAll(async () => {
    Object.assign(fx, await scaleFixture(partitions, stream));
  });
  afterAll(async () => {
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

export async function adminQuery(text: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const c = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    try {
      await c.connect();
      await c.query(text);
      return;
    } catch (err) {
      if (attempt >= 30) throw err;
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await c.end().catch(() => undefined);
    }
  }
}

/** The first `n` events of a small simulation, and every account record. */
export function simulatedPrefix(n: number, seed: number): { accounts: AccountRecord[]; events: ApiEvent[] } {
  const sim = simulationStream({ scale: 'small', seed });
  const events: ApiEvent[] = [];
  for (const e of sim.events()) {
    events.push(e);
    if (events.length >= n) break;
  }
  return { accounts: sim.accounts.map((a) => a.record), events };
}

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

const root = path.resolve(import.meta.dirname, '..');
export const CLI = path.join(root, 'dist/cli/main.js');

/** Builds dist/ when the scale sources are newer than it (CI builds on install). */
export function ensureScaleBuilt(): void {
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...readdirSync(dir, { withFileTypes: true }).map((d) =>
        d.isDirectory() ? newest(path.join(dir, d.name)) : statSync(path.join(dir, d.name)).mtimeMs,
      ),
    );
  const marker = path.join(root, 'dist/pipeline/scale/worker.js');
  const built = existsSync(marker) ? statSync(marker).mtimeMs : 0;
  const sources = ['src/scale', 'src/store', 'src/detect', 'src/cli', 'src/schema'].map((d) =>
    newest(path.join(root, d)),
  );
  if (built >= Math.max(...sources)) return;
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'ignore' });
  } catch {
    // tsc still emits when another module has a type error; the callers fail loudly if not.
  }
}

/** A `distillguard worker` process on the fixture's stream and schema; resolves once it consumes. */
export async function spawnWorker(fx: ScaleFixture, id: string, extra: string[] = []): Promise<ChildProcess> {
  const t = fx.topology;
  const child = spawn(
    process.execPath,
    [
      CLI,
      'worker',
      '--nats',
      TEST_NATS_URL,
      '--database',
      TEST_POSTGRES_URL,
      '--stream',
      t.stream,
      '--subject-prefix',
      t.subjectPrefix,
      '--partitions',
      String(t.partitions),
      '--id',
      id,
      '--lease',
      '2s',
      '--ack-wait',
      '4s',
      '--score-every',
      '0',
      ...extra,
    ],
    {
      cwd: root,
      env: { ...process.env, DISTILLGUARD_DB_SCHEMA: fx.schema, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
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

/** Sum over every stored account state of its event count: equals the input iff nothing is lost or doubled. */
export async function storedEventTotal(db: ScaleDb): Promise<number> {
  let n = 0;
  for await (const page of allAccountStates(db))
    for (const s of page) n += (JSON.parse(s) as { stats: { n: number } | null }).stats?.n ?? 0;
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
