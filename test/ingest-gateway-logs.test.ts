import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryQuarantine } from '../src/ingest/index.js';
import { simulationStream } from '../src/sim/index.js';
import { analyzeFiles } from '../src/pipeline/index.js';
import { ensureBuilt, runCli } from './cli-harness.js';

const fixture = (name: string): string =>
  new URL(`../src/ingest/formats/fixtures/${name}`, import.meta.url).pathname;

/** Writes a Parquet file with DuckDB from JSON lines, as a data lake's writer would. */
async function toParquet(ndjson: string, parquet: string, select = '*'): Promise<void> {
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await db.connect();
  try {
    const copy = await conn.prepare(
      `COPY (SELECT ${select} FROM read_json($1, format = 'newline_delimited', sample_size = -1)) TO '${parquet}' (FORMAT parquet)`,
    );
    copy.bindVarchar(1, ndjson);
    await copy.run();
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

const strip = (f: { generated_at: string }) => ({ ...f, generated_at: '' });

describe('analyze on gateway and observability logs', () => {
  it.each([
    ['litellm-standard-logging.jsonl', 2, ['user-ada']],
    ['litellm-spend-logs.json', 2, ['user-bob']],
    ['cloudflare-logpush.jsonl', 2, ['acct-cf-1']],
    ['kong-http-log.jsonl', 3, ['org-cobalt']],
    ['langfuse-observations.jsonl', 2, ['user-cy']],
    ['langfuse-trace.json', 1, ['user-dee']],
  ])('%s: detected, mapped and scored', async (name, events, accounts) => {
    const quarantine = new MemoryQuarantine();
    const { detail, report, engine } = await analyzeFiles([fixture(name)], { quarantine });
    expect(report.events).toBe(events);
    expect(detail.findings.input.events).toBe(events);
    expect([...engine.accountIds()]).toEqual(accounts);
    expect(quarantine.records.length).toBe(report.rejectedLines);
  });
});

describe('Parquet input', () => {
  it('a Parquet file DuckDB wrote from simulator events gives the findings of their NDJSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dg-parquet-'));
    const sim = simulationStream({ scale: 'small', seed: 1, days: 3 });
    const lines: string[] = [];
    for (const e of sim.events()) {
      lines.push(JSON.stringify(e));
      if (lines.length >= 15_000) break;
    }
    const ndjson = join(dir, 'traffic.ndjson');
    const parquet = join(dir, 'traffic.parquet');
    const accounts = join(dir, 'accounts.ndjson');
    await writeFile(ndjson, `${lines.join('\n')}\n`);
    await writeFile(accounts, `${sim.accounts.map((a) => JSON.stringify(a.record)).join('\n')}\n`);
    await toParquet(ndjson, parquet);

    const fromNdjson = await analyzeFiles([ndjson], { accounts: [accounts] });
    const quarantine = new MemoryQuarantine();
    const fromParquet = await analyzeFiles([parquet], { accounts: [accounts], quarantine });
    expect(quarantine.records).toEqual([]);
    expect(fromParquet.report.files.find((f) => f.path === parquet)).toMatchObject({
      format: 'parquet',
      lines: 15_000,
      events: 15_000,
    });
    expect(fromParquet.report.events).toBe(15_000);
    expect(strip(fromParquet.detail.findings)).toEqual(strip(fromNdjson.detail.findings));
    // Not a vacuous comparison: the slice holds flagged accounts.
    expect(fromNdjson.detail.findings.accounts.length).toBeGreaterThan(0);
  }, 240_000);

  it('reads Parquet with a gateway log format’s columns the same as its JSON lines', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dg-parquet-'));
    const parquet = join(dir, 'kong.parquet');
    await toParquet(fixture('kong-http-log.jsonl'), parquet);
    const fromJson = await analyzeFiles([fixture('kong-http-log.jsonl')]);
    const quarantine = new MemoryQuarantine();
    const fromParquet = await analyzeFiles([parquet], { quarantine });
    expect(fromParquet.report.files[0]).toMatchObject({ format: 'parquet', events: 3, rejected: 1 });
    expect(quarantine.records.map((r) => [r.line, r.reason])).toEqual([[4, 'missing_field']]);
    expect(strip(fromParquet.detail.findings)).toEqual(strip(fromJson.detail.findings));
  });

  it('quarantines rows that cannot map and a file DuckDB cannot read, never stopping the run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dg-parquet-'));
    const rows = join(dir, 'rows.ndjson');
    const event = (id: string, extra: string) =>
      `{"id": "${id}", "ts": "2026-11-27T10:00:00Z", "model": "m", "request": {"messages": [{"role": "user", "content": "q"}]}${extra}}`;
    await writeFile(
      rows,
      [
        event('ok', ', "account_id": "a"'),
        event('huge', `, "account_id": "${'b'.repeat(3000)}"`),
        event('no-account', ''),
      ].join('\n'),
    );
    const parquet = join(dir, 'rows.parquet');
    await toParquet(rows, parquet);
    // Damaged: the magic bytes of Parquet, then garbage.
    const broken = join(dir, 'broken.parquet');
    await writeFile(broken, Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(200, 7), Buffer.from('PAR1')]));
    const quarantine = new MemoryQuarantine();
    const { report } = await analyzeFiles([parquet, broken], { quarantine, maxLineBytes: 2048 });
    expect(report.events).toBe(1);
    expect(quarantine.records.map((r) => [r.file, r.line, r.reason])).toEqual([
      [parquet, 2, 'line_too_long'],
      [parquet, 3, 'missing_field'],
      [broken, 0, 'invalid_parquet'],
    ]);
    expect(report.files[1]).toMatchObject({ format: 'parquet', complete: false });
  });
});

describe('the CLI on gateway logs', () => {
  beforeAll(ensureBuilt, 300_000);

  it('validate and analyze detect the format; --format settles an ambiguous file (exit 2 without it)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dg-gwcli-'));
    const v = await runCli(
      [
        'validate',
        fixture('litellm-standard-logging.jsonl'),
        '--json',
        '--no-progress',
        '--quarantine',
        join(dir, 'q.ndjson'),
      ],
      { cwd: dir },
    );
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ summary: { events: 2, files: [{ format: 'litellm' }] } });
    const parquet = join(dir, 'kong.parquet');
    await toParquet(fixture('kong-http-log.jsonl'), parquet);
    const a = await runCli(['analyze', parquet, '--out', join(dir, 'f.json'), '--no-progress'], { cwd: dir });
    expect(a.code).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'f.json'), 'utf8'))).toMatchObject({ input: { events: 3 } });
    const both = join(dir, 'both.jsonl');
    await writeFile(
      both,
      '{"call_type": "completion", "startTime": 1, "Gateway": "g", "Provider": "openai"}\n',
    );
    const amb = await runCli(['validate', both, '--no-progress'], { cwd: dir });
    expect(amb.code).toBe(2);
    expect(amb.stderr).toMatch(/^error\[UNKNOWN_FORMAT\]: .*--format litellm\|cloudflare\n$/);
    const forced = await runCli(['validate', both, '--format', 'cloudflare', '--no-progress'], { cwd: dir });
    expect(forced.stderr).toContain('error[NO_EVENTS]');
  }, 300_000);
});
