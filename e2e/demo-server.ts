import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

const REPO = path.resolve(import.meta.dirname, '..');
const CLI = path.join(REPO, 'dist/cli/main.js');
const LINES_PER_POST = 10_000;

export interface RunningServer {
  baseUrl: string;
  apiKey: string;
  /** What the demo data load sent and the server accepted. */
  loaded: { events: number; accounts: number };
  stop: () => Promise<void>;
}

function waitForUrl(child: ChildProcess, log: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      log.push(line);
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) =>
      reject(new Error(`server exited with ${code} before listening:\n${log.join('\n')}`)),
    );
  });
}

async function postNdjson(baseUrl: string, key: string, route: string, file: string): Promise<number> {
  let accepted = 0;
  let batch: string[] = [];
  const send = async () => {
    if (!batch.length) return;
    const res = await fetch(`${baseUrl}${route}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/x-ndjson',
        'content-encoding': 'gzip',
      },
      body: gzipSync(`${batch.join('\n')}\n`),
    });
    const body = (await res.json()) as { accepted?: number };
    if (res.status !== 202) throw new Error(`POST ${route} answered ${res.status}: ${JSON.stringify(body)}`);
    accepted += body.accepted ?? 0;
    batch = [];
  };
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    batch.push(line);
    if (batch.length >= LINES_PER_POST) await send();
  }
  await send();
  return accepted;
}

/**
 * Waits for a findings refresh that began after the last event was accepted and covers every
 * loaded event. The live engine applies ingested events in the background, so the first refresh
 * after the load can cover only part of them; the page and the API assertions would then be read
 * from two different refreshes.
 */
async function waitForFindings(
  baseUrl: string,
  key: string,
  events: number,
  timeoutMs = 240_000,
): Promise<void> {
  const loadedAt = Date.now();
  const deadline = loadedAt + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const res = await fetch(`${baseUrl}/healthz`);
    const h = (await res.json()) as { findings_generated_at?: string };
    last = h.findings_generated_at ?? '';
    if (Date.parse(last) > loadedAt) {
      const f = await fetch(`${baseUrl}/v1/findings`, { headers: { authorization: `Bearer ${key}` } });
      const covered = ((await f.json()) as { input?: { events?: number } }).input?.events ?? 0;
      if (covered < events) {
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      const o = await fetch(`${baseUrl}/v1/overview`, { headers: { authorization: `Bearer ${key}` } });
      const body = (await o.json()) as { clusters?: { total?: number } };
      if ((body.clusters?.total ?? 0) === 0) throw new Error('detection found no cluster in the demo data');
      return;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(
    `no findings over all ${events} loaded events within ${timeoutMs} ms; last findings at ${last}`,
  );
}

/**
 * The real built server in demo mode on a free port, loaded with simulated traffic through its
 * own ingest API (simulate small → POST /v1/accounts and /v1/events).
 */
export async function startDemoServer(): Promise<RunningServer> {
  if (!existsSync(CLI))
    throw new Error(`${CLI} is missing: run npm run build first (npm run test:e2e does).`);
  const work = await mkdtemp(path.join(tmpdir(), 'distillguard-e2e-server-'));
  const simDir = path.join(work, 'sim');
  await promisify(execFile)(
    process.execPath,
    [CLI, 'simulate', '--scale', 'small', '--seed', '1', '--out', simDir],
    {
      cwd: REPO,
      maxBuffer: 16 * 1024 * 1024,
    },
  );

  const apiKey = `dg_${randomBytes(32).toString('base64url')}`;
  const log: string[] = [];
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--demo', '--host', '127.0.0.1', '--port', '0', '--data-dir', path.join(work, 'data')],
    {
      cwd: REPO,
      env: { ...process.env, DISTILLGUARD_ADMIN_KEY: apiKey, DISTILLGUARD_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stderr.on('data', (chunk: Buffer) => log.push(chunk.toString('utf8')));
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(work, { recursive: true, force: true });
  };
  try {
    const baseUrl = await waitForUrl(child, log);
    const accounts = await postNdjson(baseUrl, apiKey, '/v1/accounts', path.join(simDir, 'accounts.ndjson'));
    const events = await postNdjson(baseUrl, apiKey, '/v1/events', path.join(simDir, 'traffic.ndjson'));
    await waitForFindings(baseUrl, apiKey, events);
    return { baseUrl, apiKey, loaded: { events, accounts }, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
