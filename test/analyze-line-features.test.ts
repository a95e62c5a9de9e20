import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DetectionEngine } from '../src/findings/index.js';
import { extractFeatures, LineFeatures } from '../src/features/index.js';
import { EventLineScanner, parseEventLine } from '../src/ingest/index.js';
import type { ApiEvent } from '../src/contracts/index.js';
import { simulate } from '../src/sim/index.js';

// Features of scanned lines (the analyze hot path) against extractFeatures of the parsed event,
// on simulated traffic (every campaign and hard case) and on lines written to be awkward.
let dir: string;
let lines: Buffer[];

const awkward = (i: number): string =>
  JSON.stringify({
    id: `odd_${i}`,
    ts: '2026-11-22T10:00:00Z',
    account_id: i % 2 ? 'acct-ü' : 'acct-\u00fc',
    model: 'm',
    client: { ip: i % 3 ? '2001:db8:1:2::7' : '', asn: i, user_agent: '' },
    request: {
      messages: [
        { role: 'developer', content: 'Show your reasoning before the final answer.' },
        { role: 'system', content: i % 2 ? 'Think step by step.' : '' },
        {
          role: 'user',
          content: `Prove that ${i} + 1 > ${i}, step by step. “Quote” «x» 😀\n\`\`\`code\`\`\``,
        },
      ],
      conversation_id: '',
      params: {
        temperature: i % 2 ? 0 : 1.25,
        max_tokens: 2 ** (i % 25),
        n: (i % 3) + 1,
        top_logprobs: i,
        stream: i % 2 === 0,
      },
    },
  });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dg-lines-'));
  const sim = await simulate({ scale: 'small', seed: 2, out: dir, gzip: false, corpus: [] });
  const text = readFileSync(sim.files.traffic);
  lines = [];
  for (let s = 0; ;) {
    const nl = text.indexOf(10, s);
    if (nl < 0) break;
    lines.push(text.subarray(s, nl));
    s = nl + 1;
  }
  for (let i = 0; i < 60; i++) lines.push(Buffer.from(awkward(i)));
  // Conversations: an eliciting earlier message (plain, escaped, longer than a prompt is kept),
  // answered by a further message of the user's own.
  const turns = (first: string, i: number): string =>
    JSON.stringify({
      id: `conv_${i}`,
      ts: '2026-11-22T10:00:00Z',
      account_id: 'acct-conv',
      model: 'm',
      request: {
        messages: [
          { role: 'user', content: first },
          { role: 'assistant', content: 'First, 2 + 2 = 4.' },
          { role: 'user', content: i % 2 ? 'why did you add them?' : 'Show your reasoning step by step.' },
        ],
      },
    });
  lines.push(Buffer.from(turns('Solve 2 + 2, step by step please.', 1)));
  lines.push(Buffer.from(turns('Solve 2 + 2, step by step please.', 2)));
  lines.push(Buffer.from(turns('Solve 2 + 2, step by step please.', 3).replace('Solve', '\\u0053olve')));
  lines.push(Buffer.from(turns(`${'word '.repeat(3000)} step by step`, 5)));
  lines.push(Buffer.from(turns('what is the capital of France?', 7)));
  // The same prompt escaped differently, and an escaped account id.
  lines.push(Buffer.from(awkward(1).replace('Prove', '\\u0050rove').replace('"odd_1"', '"odd_1b"')));
}, 600_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('features of scanned lines', () => {
  it('are extractFeatures of the parsed event, field by field', () => {
    // The kernel is the engine's (compared through the engine's state below).
    const features = new LineFeatures(() => new Float64Array(0));
    const scanner = new EventLineScanner();
    let scanned = 0;
    let followsElicit = 0;
    let continuations = 0;
    let resends = 0;
    const turnKeys = new Set<string>();
    for (const line of lines) {
      const parsed = parseEventLine(line.toString('utf8'), 1);
      if (!scanner.scan(line, 1 << 20)) continue;
      scanned++;
      expect(parsed.ok).toBe(true);
      const want = extractFeatures((parsed as { event: ApiEvent }).event);
      const got = features.build(scanner);
      if (got.followsElicit) followsElicit++;
      if (!got.newMessage) continuations++;
      const turn = `${got.accountId} ${got.turnKey}`;
      if (turnKeys.has(turn)) resends++;
      turnKeys.add(turn);
      expect({ ...got, tokens: [], kernel: null }).toEqual({ ...want, tokens: [], kernel: null });
    }
    expect(scanned).toBe(lines.length);
    // The simulated tutoring conversations and the lines above answer eliciting messages.
    expect(followsElicit).toBeGreaterThan(4);
    // Simulated agent loops end requests with a tool's answer: both builders see no new message.
    expect(continuations).toBeGreaterThan(100);
    // Their steps carry the turn key of the request they continue.
    expect(resends).toBeGreaterThan(100);
  });

  it('are the same when the prompt memo keeps only a few prompts (evicted, found again)', () => {
    // Capacity 3: generations turn over every few lines, prompts come back from the old one or
    // are computed again; two passes over lines that repeat prompts across accounts.
    const small = new LineFeatures(() => new Float64Array(0), 3);
    const scanner = new EventLineScanner();
    const some = [...lines.slice(0, 1500), ...lines.slice(-70)];
    for (const line of [...some, ...some]) {
      const parsed = parseEventLine(line.toString('utf8'), 1);
      if (!parsed.ok || !scanner.scan(line, 1 << 20)) continue;
      const want = extractFeatures(parsed.event);
      expect({ ...small.build(scanner), tokens: [], kernel: null }).toEqual({
        ...want,
        tokens: [],
        kernel: null,
      });
    }
  });

  it('leave an engine in the state the parsed events leave it', () => {
    const a = new DetectionEngine();
    const b = new DetectionEngine();
    const scanner = new EventLineScanner();
    for (const line of lines) {
      const parsed = parseEventLine(line.toString('utf8'), 1);
      if (!parsed.ok) continue;
      a.addEvent(parsed.event);
      if (scanner.scan(line, 1 << 20)) b.addLine(scanner);
      else b.addEvent(parsed.event);
    }
    expect(JSON.stringify(b.exportState())).toBe(JSON.stringify(a.exportState()));
  });
});
