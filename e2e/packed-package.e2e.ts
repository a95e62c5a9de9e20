import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enginesNotCovering } from '../test/package-engines.js';

/*
 * The package as a user gets it: `npm pack`, installed from the tarball into an empty folder with
 * nothing beside it (no checkout, no ../shared), then the commands a new user runs, through npx.
 * `npm run test:e2e` builds dist/ and web/dist/ just before, so the pack skips `prepare` (the same
 * build again).
 */

const REPO = path.resolve(import.meta.dirname, '..');
const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
  engines: { node: string };
  version: string;
};

let work: string;
let app: string;
let env: NodeJS.ProcessEnv;

async function npx(
  args: string[],
  timeout = 600_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run('npx', ['--no-install', 'distillguard', ...args], {
      cwd: app,
      env,
      timeout,
      maxBuffer: 64 << 20,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout: string; stderr: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Runs a command of the installed package that must succeed (its stderr is the failure message). */
async function npxOk(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const r = await npx(args);
  expect(r.code, r.stderr).toBe(0);
  return r;
}

/** Every package.json under node_modules (nested ones too), as package-lock's `packages` map. */
function installedPackages(
  dir: string,
  prefix = 'node_modules',
): Record<string, { version?: string; engines?: { node?: string } }> {
  const out: Record<string, { version?: string; engines?: { node?: string } }> = {};
  if (!existsSync(dir)) return out;
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    if (!d.isDirectory() || d.name.startsWith('.')) continue;
    const names = d.name.startsWith('@')
      ? readdirSync(path.join(dir, d.name)).map((n) => `${d.name}/${n}`)
      : [d.name];
    for (const name of names) {
      const where = path.join(dir, name);
      const manifest = path.join(where, 'package.json');
      if (existsSync(manifest))
        out[`${prefix}/${name}`] = JSON.parse(readFileSync(manifest, 'utf8')) as never;
      Object.assign(
        out,
        installedPackages(path.join(where, 'node_modules'), `${prefix}/${name}/node_modules`),
      );
    }
  }
  return out;
}

describe('the packed package, installed into an empty folder', () => {
  beforeAll(async () => {
    for (const built of ['dist/cli/main.js', 'web/dist/index.html'])
      if (!existsSync(path.join(REPO, built)))
        throw new Error(`${built} is missing: run npm run build first`);
    work = mkdtempSync(path.join(tmpdir(), 'dg-packed-'));
    app = path.join(work, 'app');
    mkdirSync(app);
    const temp = path.join(work, 'tmp');
    mkdirSync(temp);
    // A fresh TMPDIR: the word-vector cache must come from the installed package, not an earlier run.
    env = {
      ...process.env,
      TMPDIR: temp,
      npm_config_build_from_source: 'true',
      npm_config_update_notifier: 'false',
    };
    const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {
      cwd: REPO,
      env,
      maxBuffer: 64 << 20,
    });
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    writeFileSync(path.join(work, 'files.json'), JSON.stringify(info!.files.map((f) => f.path)));
    writeFileSync(
      path.join(app, 'package.json'),
      JSON.stringify({ name: 'dg-install-check', private: true }),
    );
    // From the npm cache where it can be (the registry otherwise); better-sqlite3 compiles from
    // source (build_from_source: no prebuilt binary is downloaded).
    await run(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(work, info!.filename)],
      {
        cwd: app,
        env: { ...env, npm_config_build_from_source: 'true' },
        timeout: 20 * 60_000,
        maxBuffer: 64 << 20,
      },
    );
  }, 25 * 60_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('holds the built CLI, dashboard and policy, and no tests, sources or ../shared data', () => {
    const files = JSON.parse(readFileSync(path.join(work, 'files.json'), 'utf8')) as string[];
    for (const f of [
      'dist/cli/main.js',
      'web/dist/index.html',
      'policy/default.yaml',
      'package.json',
      'README.md',
    ])
      expect(files, f).toContain(f);
    expect(
      files.filter((f) => /\.test\.|^src\/|^test\/|^e2e\/|stix2-json-schemas|corpora\//.test(f)),
    ).toEqual([]);
  });

  it('installs only dependencies whose engines admit every Node version ours claims', () => {
    const installed = installedPackages(path.join(app, 'node_modules'));
    expect(Object.keys(installed)).toContain('node_modules/distillguard');
    expect(installed['node_modules/distillguard']?.version).toBe(pkg.version);
    expect(enginesNotCovering(pkg.engines.node, installed)).toEqual([]);
  });

  it(
    'runs simulate, analyze (with the word vectors of the installed package), intel export and intel validate',
    async () => {
      await npxOk(['simulate', '--seed', '1', '--scale', 'small', '--out', 'sim']);
      await npxOk([
        'analyze',
        'sim/traffic.ndjson',
        '--accounts',
        'sim/accounts.ndjson',
        '--out',
        'findings.json',
        '--report',
        'report.html',
        '--no-progress',
      ]);
      const findings = JSON.parse(readFileSync(path.join(app, 'findings.json'), 'utf8')) as {
        accounts: unknown[];
      };
      expect(findings.accounts.length).toBeGreaterThan(0);
      expect(readFileSync(path.join(app, 'report.html'), 'utf8')).toContain('<html');
      // The default embedder built its table from the vectors inside the installed package.
      expect(readdirSync(path.join(app, 'node_modules', '.cache', 'distillguard'))).toEqual([
        expect.stringMatching(/^distillguard-wink-sg-100d-\d+\.bin$/),
      ]);
      await npxOk(['intel', 'community-key', '--id', 'isac-test', '--out', 'community.yaml']);
      await npxOk([
        'intel',
        'export',
        '--publisher',
        'org-a',
        '--key',
        'community.yaml',
        '--findings',
        'findings.json',
        '--traffic',
        'sim/traffic.ndjson',
        '--accounts',
        'sim/accounts.ndjson',
        '--out',
        'bundle.json',
      ]);
      const validated = await npxOk(['intel', 'validate', 'bundle.json']);
      expect(validated.stdout).toContain('valid STIX 2.1');
    },
    20 * 60_000,
  );

  // Commands still to come: each entry runs once its command exists in the package (its --help
  // exits 0), and must then succeed. `findings export` (OCSF) is built on another branch.
  const OPTIONAL_COMMANDS: { command: string[]; args: string[]; writes: string }[] = [
    {
      command: ['findings', 'export'],
      args: ['--format', 'ocsf', '--findings', 'findings.json', '--out', 'findings.ocsf.json'],
      writes: 'findings.ocsf.json',
    },
  ];
  it.each(OPTIONAL_COMMANDS)(
    'runs $command once the package has it',
    async ({ command, args, writes }) => {
      const help = await npx([...command, '--help']);
      if (help.code !== 0 || !help.stdout.includes(command.join(' '))) return;
      await npxOk([...command, ...args]);
      expect(existsSync(path.join(app, writes))).toBe(true);
    },
    10 * 60_000,
  );

  it(
    'starts the demo, serves the dashboard and its assets, and stops on Ctrl-C',
    async () => {
      const child: ChildProcess = spawn('npx', ['--no-install', 'distillguard', 'demo', '--port', '0'], {
        cwd: app,
        env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const log: string[] = [];
      child.stderr!.on('data', (c: Buffer) => log.push(c.toString()));
      try {
        const url = await new Promise<string>((resolve, reject) => {
          createInterface({ input: child.stdout! }).on('line', (line) => {
            log.push(line);
            // `DistillGuard demo: open http://127.0.0.1:PORT/ (…)`
            const m = /open (http:\/\/\S+?)\/? /.exec(line);
            if (m?.[1]) resolve(m[1].replace(/\/$/, ''));
          });
          child.once('exit', (code) => reject(new Error(`demo exited with ${code}:\n${log.join('\n')}`)));
          // Settle before the test's own timeout so the finally below always stops the demo.
          setTimeout(
            () => reject(new Error(`no URL from the demo in 12 min:\n${log.join('\n')}`)),
            12 * 60_000,
          );
        });
        const page = await fetch(`${url}/`);
        expect(page.status).toBe(200);
        const html = await page.text();
        const asset = /src="\.?(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
        expect(asset, html).toBeDefined();
        const js = await fetch(`${url}${asset}`);
        expect(js.status).toBe(200);
        expect(js.headers.get('content-type')).toMatch(/javascript/);
        const health = await fetch(`${url}/healthz`);
        expect(health.status).toBe(200);
      } finally {
        const exited = new Promise<number | null>((resolve) => {
          if (child.exitCode !== null) resolve(child.exitCode);
          else child.once('exit', (code) => resolve(code));
        });
        // The whole group: npx and the demo under it, as a terminal's Ctrl-C does.
        if (child.pid && child.exitCode === null) process.kill(-child.pid, 'SIGINT');
        await exited;
      }
    },
    15 * 60_000,
  );
});
