import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from './cli-harness.js';
import { minimalEvent } from './full-event.js';

/** Runs the built CLI: `npm ci` builds it in CI; here it is rebuilt when the sources are newer. */
beforeAll(ensureBuilt, 300_000);

const cliRun = (args: string[], cwd: string) => runCli(args, { cwd, timeout: 0 });

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
    const good = { ...minimalEvent(), account_id: 'a1' };
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
