import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');
const cli = join(root, 'dist/cli/main.js');

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Runs the built CLI: `npm ci` builds it in CI; here it is rebuilt when the sources are newer. */
beforeAll(() => {
  const sources = Math.max(newestMtime(join(root, 'src/ingest')), newestMtime(join(root, 'src/cli')));
  if (
    !existsSync(cli) ||
    statSync(join(root, 'dist/ingest/index.js'), { throwIfNoEntry: false }) === undefined ||
    statSync(join(root, 'dist/ingest/index.js')).mtimeMs < sources
  ) {
    try {
      execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'pipe' });
    } catch {
      // tsc still emits when another module has type errors; the CLI run below is the test.
    }
  }
}, 300_000);

async function cliRun(args: string[], cwd: string) {
  try {
    const { stdout, stderr } = await run('node', [cli, ...args], { cwd });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('distillguard validate', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dg-cli-'));
  });

  it('prints one error line and exits non-zero for a missing file', async () => {
    const r = await cliRun(['validate', 'no-such-file.ndjson'], dir);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toBe(
      'error[FILE_NOT_FOUND]: input file no-such-file.ndjson does not exist; check the path\n',
    );
    expect(r.stdout).toBe('');
  });

  it('reads a file with a bad line, exits 0, prints the summary and writes the quarantine file', async () => {
    const good = {
      id: 'e1',
      ts: '2026-11-22T10:00:00Z',
      account_id: 'a1',
      model: 'm',
      request: { messages: [{ role: 'user', content: 'hi' }] },
    };
    await writeFile(join(dir, 'log.ndjson'), `${JSON.stringify(good)}\nnot json\n`);
    const r = await cliRun(['validate', 'log.ndjson', '--no-progress'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^events +1$/m);
    expect(r.stdout).toMatch(/^ +invalid_json +1$/m);
    expect(r.stdout).toContain('log.quarantine.ndjson (1 line)');
    const q = JSON.parse(await readFile(join(dir, 'log.quarantine.ndjson'), 'utf8')) as { line: number };
    expect(q.line).toBe(2);

    const j = await cliRun(['validate', 'log.ndjson', '--json', '--quarantine', 'q.ndjson'], dir);
    expect(JSON.parse(j.stdout)).toMatchObject({
      summary: { events: 1, rejected_lines: 1, rejected: { invalid_json: 1 } },
      quarantine: { path: join(dir, 'q.ndjson'), lines: 1 },
    });
  });

  it('refuses a malformed --csv-map with one error line', async () => {
    const r = await cliRun(['validate', 'log.ndjson', '--csv-map', 'idcol'], dir);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^error\[INVALID_ARGUMENT\]: --csv-map entry "idcol"[^\n]*\n$/);
  });
});
