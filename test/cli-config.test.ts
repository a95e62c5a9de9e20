import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Findings } from '../src/contracts/index.js';
import { ensureBuilt } from './cli-harness.js';
import { call, ndjson, simulatedTraffic } from './server-harness.js';

/** One config source, seen from the built CLI: ports, analyze input flags, serve's detection config. */
const root = resolve(import.meta.dirname, '..');
const cli = join(root, 'dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'dg-cli-config-'));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const cliRun = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> =>
  new Promise((done) =>
    execFile(
      process.execPath,
      [cli, ...args],
      { cwd: dir, env: { ...process.env, DISTILLGUARD_LOG_LEVEL: 'warn', ...env }, timeout: 60_000 },
      (err, stdout, stderr) =>
        done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    ),
  );

beforeAll(() => ensureBuilt(), 300_000);

describe('one port parser for every server command', () => {
  const commands: Record<string, string[]> = {
    serve: ['serve', '--data-dir', 'data'],
    demo: ['demo'],
    gateway: ['gateway', '--upstream', 'http://127.0.0.1:9', '--events-out', 'e.ndjson'],
    'hub serve': ['hub', '--database-url', `sqlite:${join(dir, 'hub.db')}`, 'serve'],
  };
  for (const [name, args] of Object.entries(commands))
    for (const bad of ['abc', '70000', '-1'])
      it(`${name} --port ${bad} exits 2 with one clear line`, async () => {
        const r = await cliRun([...args, '--port', bad]);
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toBe(
          `error[INVALID_ARGUMENT]: --port: must be a whole number from 0 to 65535, got "${bad}"\n`,
        );
      });
});

describe('count flags refuse what is not a whole number', () => {
  const commands: Record<string, string[]> = {
    'hub audit list --limit': ['hub', '--database-url', `sqlite:${join(dir, 'hub.db')}`, 'audit', 'list'],
    'intel pull --limit': ['intel', 'pull', '--hub', 'http://127.0.0.1:9/api1/', '--collection', 'c'],
  };
  for (const [name, args] of Object.entries(commands))
    for (const bad of ['abc', '0', '5x'])
      it(`${name} ${bad} exits 2 with one clear line`, async () => {
        const r = await cliRun([...args, '--limit', bad]);
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toBe(
          `error[INVALID_ARGUMENT]: --limit: must be a whole number of at least 1, got "${bad}"\n`,
        );
      });
});

describe('analyze reads CSV with --format and --csv-map, like validate and ingest', () => {
  it('maps the columns of a CSV file whose name does not say CSV', async () => {
    const rows = [
      'request_id,timestamp,org,model,user_message',
      'r1,2026-11-22T10:00:00Z,acct_a,m1,hello there',
      'r2,2026-11-22T10:01:00Z,acct_a,m1,"explain, step by step"',
      'r3,2026-11-22T10:02:00Z,acct_b,m1,what is the weather',
    ];
    writeFileSync(join(dir, 'log.txt'), `${rows.join('\n')}\n`);
    const map = 'id=request_id,ts=timestamp,account_id=org,prompt=user_message';
    const r = await cliRun([
      'analyze',
      'log.txt',
      '--format',
      'csv',
      '--csv-map',
      map,
      '--out',
      'csv-findings.json',
      '--no-progress',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const f = JSON.parse(readFileSync(join(dir, 'csv-findings.json'), 'utf8')) as Findings;
    expect(f.input).toMatchObject({ events: 3, accounts: 2, rejected_lines: 0 });
    // Without the flags the same file is read as NDJSON: nothing usable.
    const plain = await cliRun(['analyze', 'log.txt', '--out', 'x.json', '--no-progress']);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/^error\[NO_EVENTS\]/);
  });
});

describe('serve honours the detection config', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
  });

  async function serveFindings(extra: string[]): Promise<Findings> {
    const admin = `dg_cfgTestAdmin_${Math.random().toString(36).slice(2)}_0123456789`;
    const data = mkdtempSync(join(dir, 'serve-'));
    const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--data-dir', data, ...extra], {
      env: { ...process.env, DISTILLGUARD_ADMIN_KEY: admin, DISTILLGUARD_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    const url = await new Promise<string>((ok, fail) => {
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) ok(m[1]!);
      });
      child.once('exit', (code) => fail(new Error(`serve exited ${code}: ${out}`)));
    });
    const traffic = simulatedTraffic(5000, 17);
    expect((await call(`${url}/v1/accounts`, 'POST', admin, { raw: ndjson(traffic.accounts) })).status).toBe(
      202,
    );
    for (let i = 0; i < traffic.events.length; i += 1000)
      expect(
        (await call(`${url}/v1/events`, 'POST', admin, { raw: ndjson(traffic.events.slice(i, i + 1000)) }))
          .status,
      ).toBe(202);
    for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
      const f = (await call(`${url}/v1/findings`, 'GET', admin)).body as Findings;
      if (f?.input?.events === traffic.events.length) {
        child.kill('SIGTERM');
        return f;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error('serve did not analyse all events in time');
  }

  it('--config FILE and the detection flags reach the engine (default config finds clusters; this one none)', async () => {
    const plain = await serveFindings([]);
    expect(plain.clusters.length).toBeGreaterThan(0);
    const config = join(dir, 'detect.yaml');
    writeFileSync(config, 'minClusterSize: 1000\n');
    const configured = await serveFindings(['--config', config]);
    expect(configured.clusters).toEqual([]);
    expect(configured.accounts.length).toBe(plain.accounts.length);
  }, 180_000);
});

describe('old names still work for one release', () => {
  it('ingest --to is a hidden alias of --nats, with a deprecation warning', async () => {
    writeFileSync(
      join(dir, 'one.ndjson'),
      `${JSON.stringify({ id: 'e1', ts: '2026-11-22T10:00:00Z', account_id: 'a', model: 'm', request: { messages: [{ role: 'user', content: 'hi' }] } })}\n`,
    );
    const r = await cliRun(['ingest', 'one.ndjson', '--to', 'nats://127.0.0.1:1', '--no-progress']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--to is deprecated; use --nats');
    expect(r.stderr).toMatch(/error\[SERVICE_UNAVAILABLE\]/);
    expect((await cliRun(['ingest', '--help'])).stdout).not.toMatch(/--to\b/);
  });

  it('DATABASE_URL is read as DISTILLGUARD_DATABASE_URL, with a deprecation warning', async () => {
    const r = await cliRun(['worker', '--nats', 'nats://127.0.0.1:1'], {
      DISTILLGUARD_DATABASE_URL: '',
      DATABASE_URL: 'sqlite:x.db',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('DATABASE_URL is deprecated; set DISTILLGUARD_DATABASE_URL');
    expect(r.stderr).toContain('worker needs PostgreSQL');
  });
});
