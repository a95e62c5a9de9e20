import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readEvents } from '../src/ingest/index.js';

/**
 * Real prompts written by people (quotes, commas, newlines, non-ASCII) through every format:
 * what goes in as NDJSON+gzip, CSV and OTLP must come out as the same text.
 */
const shared = resolve(process.cwd(), '../shared');
const present = existsSync(join(shared, 'corpora/human-hh-harmless.jsonl'));
if (!present && process.env.CI) throw new Error(`../shared is missing (${shared}) and CI is set`);
if (!present) console.warn(`skipping ingest corpus test: ${shared} is absent`);

const csvCell = (s: string): string => `"${s.replace(/"/g, '""')}"`;

describe.skipIf(!present)('ingest on real prompt corpora', () => {
  it('reads the same prompts back from NDJSON+gzip, CSV and OTLP', async () => {
    const lines = (await readFile(join(shared, 'corpora/human-hh-harmless.jsonl'), 'utf8'))
      .trim()
      .split('\n');
    const seed = (await readFile(join(shared, 'corpora/human-seed-tasks.jsonl'), 'utf8')).trim().split('\n');
    const prompts = [
      ...lines.map((l) => (JSON.parse(l) as { turns: string[] }).turns.join('\n\n')),
      ...seed.map((l) => (JSON.parse(l) as { prompt: string }).prompt),
    ];
    expect(prompts.length).toBeGreaterThan(2000);
    const dir = await mkdtemp(join(tmpdir(), 'dg-corpus-'));
    const ts = (i: number): string => new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString();

    const ndjson = prompts
      .map((p, i) =>
        JSON.stringify({
          id: `n${i}`,
          ts: ts(i),
          account_id: `a${i % 50}`,
          model: 'm',
          request: { messages: [{ role: 'user', content: p }] },
        }),
      )
      .join('\n');
    await writeFile(join(dir, 'events.ndjson.gz'), gzipSync(ndjson));

    const csv = [
      'id,ts,account_id,model,prompt',
      ...prompts.map((p, i) => `c${i},${ts(i)},a${i % 50},m,${csvCell(p)}`),
    ].join('\n');
    await writeFile(join(dir, 'events.csv'), csv);

    const spans = prompts.map((p, i) => ({
      traceId: `${i}`.padStart(32, '0'),
      spanId: `${i}`.padStart(16, '0'),
      startTimeUnixNano: `${Date.parse(ts(i))}000000`,
      attributes: [
        { key: 'gen_ai.request.model', value: { stringValue: 'm' } },
        { key: 'enduser.id', value: { stringValue: `a${i % 50}` } },
        {
          key: 'gen_ai.input.messages',
          value: { stringValue: JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: p }] }]) },
        },
      ],
    }));
    await writeFile(
      join(dir, 'spans.json'),
      JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] }),
    );

    for (const file of ['events.ndjson.gz', 'events.csv', 'spans.json']) {
      const got: string[] = [];
      for await (const e of readEvents([join(dir, file)])) got.push(e.request.messages[0]!.content as string);
      expect(got, file).toEqual(prompts);
    }
  });
});
