import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI as cli, ensureBuilt, ROOT as root, runCli, type CliRun } from './cli-harness.js';

/**
 * A first hour with the built CLI: every user mistake gets one line, a stable code and the
 * documented exit status (README "Exit status"), before any work starts, and nothing is left behind.
 */
beforeAll(ensureBuilt, 300_000);

const cliRun = (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliRun> =>
  runCli(args, { cwd, env: { ...process.env, DISTILLGUARD_LOG_LEVEL: 'warn', ...env }, timeout: 120_000 });

const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

/** One line `error[CODE]: …` and no stack frames. */
function expectOneErrorLine(r: CliRun, code: string): void {
  expect(r.stderr, r.stderr).toMatch(new RegExp(`^error\\[${code}\\]: [^\\n]+\\n$`));
  expect(r.stderr).not.toMatch(STACK_FRAME);
}

/** Exit 2 with one INVALID_ARGUMENT line (no stack) that names `mention`. */
function expectUsageError(r: CliRun, mention?: string): void {
  expect(r.code, r.stderr).toBe(2);
  expectOneErrorLine(r, 'INVALID_ARGUMENT');
  if (mention !== undefined) expect(r.stderr).toContain(mention);
}

const event = (i: number, account = `a${i % 3}`) =>
  JSON.stringify({
    id: `e${i}`,
    ts: new Date(Date.UTC(2026, 10, 22, 10, 0, i)).toISOString(),
    account_id: account,
    model: 'm',
    request: { messages: [{ role: 'user', content: `question number ${i}` }] },
  });

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dg-first-hour-'));
  writeFileSync(join(dir, 'good.ndjson'), `${Array.from({ length: 30 }, (_, i) => event(i)).join('\n')}\n`);
  writeFileSync(join(dir, 'a-file'), 'not a folder\n');
});

/** `analyze` of the good file with `flags`, run in `cwd`. */
const analyzeGood = (cwd: string, ...flags: string[]): Promise<CliRun> =>
  cliRun(['analyze', join(dir, 'good.ndjson'), ...flags, '--no-progress'], cwd);

describe('output paths are checked before any work starts (item 8)', () => {
  it('analyze --out in a folder that does not exist: one line, exit 2, nothing read or written', async () => {
    const cwd = mkdtempSync(join(dir, 'out-missing-'));
    const r = await analyzeGood(cwd, '--out', '/nonexistent/f.json');
    expectUsageError(r, '--out');
    expect(r.stderr).toContain('/nonexistent');
    // The quarantine file is the first thing analysis writes: it must not exist.
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('analyze --out and --report naming a folder are refused before the analysis', async () => {
    const cwd = mkdtempSync(join(dir, 'out-dir-'));
    mkdirSync(join(cwd, 'folder'));
    const out = await analyzeGood(cwd, '--out', 'folder');
    expectUsageError(out, '--out folder');
    const report = await analyzeGood(cwd, '--out', 'f.json', '--report', 'folder');
    expectUsageError(report, '--report folder');
    expect(readdirSync(cwd)).toEqual(['folder']);
  });

  it('--quarantine of analyze and validate and simulate --out DIR are checked too', async () => {
    const cwd = mkdtempSync(join(dir, 'out-more-'));
    const q = await analyzeGood(cwd, '--quarantine', '/nonexistent/q.ndjson');
    expectUsageError(q, '--quarantine');
    const v = await cliRun(
      ['validate', join(dir, 'good.ndjson'), '--quarantine', join(dir, 'a-file', 'q.ndjson')],
      cwd,
    );
    expectUsageError(v);
    const s = await cliRun(['simulate', '--out', join(dir, 'a-file', 'sim')], cwd);
    expectUsageError(s, '--out');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('serve and demo --data-dir naming a file: one line, exit 2', async () => {
    for (const cmd of ['serve', 'demo']) {
      const r = await cliRun([cmd, '--port', '0', '--data-dir', join(dir, 'a-file')], dir, {
        DISTILLGUARD_DATABASE_URL: '',
        DATABASE_URL: '',
      });
      expectUsageError(r, '--data-dir');
    }
  });
});

describe('unusable input is an error, not an empty success (item 9)', () => {
  const cases: [string, string | Buffer][] = [
    ['empty.ndjson', ''],
    ['binary.ndjson', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256))],
    ['rejected.ndjson', 'not json\n{"id":"x"}\n{"also": "not an event"}\n'],
  ];
  for (const [name, content] of cases)
    it(`analyze ${name}: exit 2 with NO_EVENTS, the quarantine file named, no findings or report`, async () => {
      const cwd = mkdtempSync(join(dir, 'unusable-'));
      writeFileSync(join(cwd, name), content);
      const r = await cliRun(
        ['analyze', name, '--out', 'f.json', '--report', 'r.html', '--no-progress'],
        cwd,
      );
      expect(r.code).toBe(2);
      expectOneErrorLine(r, 'NO_EVENTS');
      const quarantine = join(cwd, name.replace('.ndjson', '.quarantine.ndjson'));
      expect(r.stderr).toContain(quarantine);
      expect(existsSync(quarantine)).toBe(true);
      expect(existsSync(join(cwd, 'f.json'))).toBe(false);
      expect(existsSync(join(cwd, 'r.html'))).toBe(false);
    });

  it('validate says so too, after its summary', async () => {
    const cwd = mkdtempSync(join(dir, 'unusable-v-'));
    writeFileSync(join(cwd, 'bad.ndjson'), 'not json\n');
    const r = await cliRun(['validate', 'bad.ndjson', '--no-progress'], cwd);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(join(cwd, 'bad.quarantine.ndjson'));
    expectOneErrorLine(r, 'NO_EVENTS');
  });

  it('a usable run prints where the quarantine file went', async () => {
    const cwd = mkdtempSync(join(dir, 'usable-'));
    writeFileSync(join(cwd, 'mixed.ndjson'), `${event(1)}\nnot json\n${event(2)}\n`);
    const r = await cliRun(['analyze', 'mixed.ndjson', '--out', 'f.json', '--no-progress'], cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`quarantine: ${join(cwd, 'mixed.quarantine.ndjson')} (1 line)`);
    expect(existsSync(join(cwd, 'f.json'))).toBe(true);
  });
});

describe('a busy port is one line naming the port and the flag (items 10, 11)', () => {
  let busy: Server;
  let port: number;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    port = (busy.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => busy.close(() => r())));

  const expectPortLine = (r: CliRun) => {
    expectUsageError(r, `port ${port}`);
    expect(r.stderr).toContain('--port');
  };

  it('serve', async () => {
    const cwd = mkdtempSync(join(dir, 'busy-serve-'));
    expectPortLine(await cliRun(['serve', '--port', String(port), '--data-dir', 'data'], cwd));
  });

  it('gateway', async () => {
    const cwd = mkdtempSync(join(dir, 'busy-gw-'));
    expectPortLine(
      await cliRun(
        ['gateway', '--upstream', 'http://127.0.0.1:9', '--port', String(port), '--events-out', 'e.ndjson'],
        cwd,
      ),
    );
  });

  it('hub serve', async () => {
    const cwd = mkdtempSync(join(dir, 'busy-hub-'));
    expectPortLine(
      await cliRun(
        ['hub', '--database-url', `sqlite:${join(cwd, 'hub.db')}`, 'serve', '--port', String(port)],
        cwd,
      ),
    );
  });

  it('demo, which also removes its temporary folder after the failed start', async () => {
    const cwd = mkdtempSync(join(dir, 'busy-demo-'));
    const tmp = mkdtempSync(join(dir, 'tmp-'));
    expectPortLine(await cliRun(['demo', '--port', String(port)], cwd, { TMPDIR: tmp }));
    expect(readdirSync(tmp)).toEqual([]);
  });
});

describe('the demo cleans up after itself (item 11)', () => {
  // Ctrl-C while it simulates, and while it streams (a batch in flight fails: no stack trace then).
  for (const [when, marker] of [
    ['while it simulates', 'Simulating'],
    ['while it streams', ' events in ('],
  ] as const)
    it(`removes its temporary folder on Ctrl-C ${when}, exit 0, no stack trace`, async () => {
      const tmp = mkdtempSync(join(dir, 'tmp-sigint-'));
      const child = spawn(process.execPath, [cli, 'demo', '--port', '0'], {
        cwd: tmp,
        env: { ...process.env, TMPDIR: tmp, DISTILLGUARD_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      await new Promise<void>((ok, fail) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes(marker)) ok();
        });
        void exited.then(() => fail(new Error(`demo exited early: ${out}${err}`)));
      });
      expect(readdirSync(tmp).filter((n) => n.startsWith('distillguard-demo-'))).toHaveLength(1);
      child.kill('SIGINT');
      expect(await exited, err).toBe(0);
      expect(err).not.toMatch(STACK_FRAME);
      expect(readdirSync(tmp).filter((n) => n.startsWith('distillguard-demo-'))).toEqual([]);
    }, 180_000);
});

describe('one exit status scheme: 0 ok, 1 failed, 2 usage or input error (item 12)', () => {
  it('commander usage errors exit 2 like every other usage error', async () => {
    for (const args of [
      ['analyze', 'x.ndjson', '--no-such-flag'],
      ['simulate'], // a required option missing
      ['simulate', '--out', 'x', '--scale', 'huge'], // not one of the choices
      ['no-such-command'],
      [], // no command at all
    ]) {
      const r = await cliRun(args, dir);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).not.toMatch(STACK_FRAME);
    }
  });

  it('help and version exit 0', async () => {
    for (const args of [['--help'], ['--version'], ['analyze', '--help'], ['help', 'serve']]) {
      const r = await cliRun(args, dir);
      expect(r.code, args.join(' ')).toBe(0);
    }
  });

  it('a malformed flag value and a missing input exit 2', async () => {
    const v = await cliRun(['validate', join(dir, 'good.ndjson'), '--csv-map', 'idcol'], dir);
    expect(v.code).toBe(2);
    const m = await cliRun(['analyze', 'no-such-file.ndjson'], dir);
    expect(m.code).toBe(2);
    expectOneErrorLine(m, 'FILE_NOT_FOUND');
  });

  it('a check that fails exits 1: eval of findings that miss the campaigns', async () => {
    const cwd = mkdtempSync(join(dir, 'eval-'));
    const sim = await cliRun(['simulate', '--out', 'sim', '--seed', '3'], cwd);
    expect(sim.code, sim.stderr).toBe(0);
    // Analyse a sliver of the traffic: the findings miss most attackers.
    const head = readFileSync(join(cwd, 'sim', 'traffic.ndjson'), 'utf8')
      .split('\n')
      .slice(0, 300);
    writeFileSync(join(cwd, 'head.ndjson'), `${head.join('\n')}\n`);
    const a = await cliRun(['analyze', 'head.ndjson', '--out', 'f.json', '--no-progress'], cwd);
    expect(a.code, a.stderr).toBe(0);
    const e = await cliRun(['eval', '--truth', join('sim', 'truth.json'), '--findings', 'f.json'], cwd);
    expect(e.code, e.stdout).toBe(1);
  }, 120_000);

  it('a service that does not answer exits 1 (retry later), not 2 (fix the command)', async () => {
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    const r = await cliRun(
      ['ingest', join(dir, 'good.ndjson'), '--nats', 'nats://127.0.0.1:1', '--no-progress'],
      dir,
    );
    expect(r.code).toBe(1);
    expectOneErrorLine(r, 'SERVICE_UNAVAILABLE');
  });

  it('a check that fails exits 1: hub audit verify of an altered chain', async () => {
    const cwd = mkdtempSync(join(dir, 'audit-'));
    const db = join(cwd, 'hub.db');
    const hub = (...args: string[]) => cliRun(['hub', '--database-url', `sqlite:${db}`, ...args], cwd);
    expect((await hub('member', 'add', 'org-a')).code).toBe(0);
    expect((await hub('group', 'add', 'isac')).code).toBe(0);
    expect((await hub('audit', 'verify')).code).toBe(0);
    const sqlite = new Database(db);
    sqlite.prepare("UPDATE hub_audit SET detail = '{}' WHERE seq = 1").run();
    sqlite.close();
    const broken = await hub('audit', 'verify');
    expect(broken.code).toBe(1);
    expectOneErrorLine(broken, 'CONFLICT');
    expect(broken.stderr).toContain('audit chain broken at entry 1');
  });
});

describe('the README gateway example runs as written next to serve (item 10)', () => {
  it('points --server at the port serve listens on by default and listens on another one', async () => {
    const help = await cliRun(['serve', '--help'], dir);
    const servePort = /--port <port>[^\n]*\n?[^\n]*\(default: "?(\d+)"?\)/.exec(help.stdout)?.[1];
    expect(servePort).toBeDefined();
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const example =
      /distillguard gateway --upstream \S+ --port (\d+) \\\n\s+--server http:\/\/127\.0\.0\.1:(\d+)/.exec(
        readme,
      );
    expect(example, 'the gateway example in README.md').not.toBeNull();
    expect(example![2]).toBe(servePort);
    expect(example![1]).not.toBe(servePort);
  });
});
