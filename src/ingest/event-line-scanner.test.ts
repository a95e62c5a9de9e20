import { describe, expect, it } from 'vitest';
import type { ApiEvent } from '../contracts/index.js';
import { seededRandom } from '../text/index.js';
import {
  EventLineScanner,
  SavedScans,
  ScannedLine,
  slotText,
  type EventLineView,
} from './event-line-scanner.js';
import { parseEventLine } from './record-validation.js';
import { fullEvent } from '../../test/full-event.js';

const MAX = 1 << 20;

/** The fields a view describes, decoded. */
function fromView(v: EventLineView): Record<string, unknown> {
  const t = (s: { start: number }): string | undefined =>
    s.start < 0 ? undefined : slotText(v.bytes, s as never);
  const num = (x: number): number | undefined => (Number.isNaN(x) ? undefined : x);
  let system: string | null = null;
  for (let k = 0; k < v.systemCount; k++) system = (system ?? '') + slotText(v.bytes, v.systems[k]!);
  return {
    id: t(v.id),
    tsMs: v.tsMs,
    account_id: t(v.accountId),
    api_key_id: t(v.apiKeyId),
    model: t(v.model),
    ip: t(v.ip),
    asn: num(v.asn),
    user_agent: t(v.userAgent),
    conversation_id: t(v.conversationId),
    temperature: num(v.temperature),
    max_tokens: num(v.maxTokens),
    n: num(v.n),
    logprobs: v.logprobs ?? undefined,
    top_logprobs: num(v.topLogprobs),
    stream: v.stream ?? undefined,
    prompt: v.lastUser.start < 0 ? undefined : t(v.lastUser),
    previousPrompt: v.previousUser.start < 0 ? undefined : t(v.previousUser),
    userTurns: v.userTurns,
    assistantTurns: v.assistantTurns,
    system,
  };
}

/** The same fields from the validated event. */
function fromEvent(e: ApiEvent): Record<string, unknown> {
  let prompt: string | undefined;
  let previousPrompt: string | undefined;
  let system: string | null = null;
  let userTurns = 0;
  let assistantTurns = 0;
  for (const m of e.request.messages) {
    const text = m.content as string;
    if (m.role === 'user') {
      userTurns++;
      previousPrompt = prompt;
      prompt = text;
    } else if (m.role === 'system' || m.role === 'developer') system = (system ?? '') + text;
    else if (m.role === 'assistant') assistantTurns++;
  }
  const p = e.request.params;
  return {
    id: e.id,
    tsMs: Date.parse(e.ts),
    account_id: e.account_id,
    api_key_id: e.api_key_id,
    model: e.model,
    ip: e.client?.ip,
    asn: e.client?.asn,
    user_agent: e.client?.user_agent,
    conversation_id: e.request.conversation_id,
    temperature: p?.temperature,
    max_tokens: p?.max_tokens,
    n: p?.n,
    logprobs: p?.logprobs,
    top_logprobs: p?.top_logprobs,
    stream: p?.stream,
    prompt,
    previousPrompt,
    userTurns,
    assistantTurns,
    system,
  };
}

/** The full event with a conversation of every role, odd text, labels and an unknown key. */
const event = (patch: Record<string, unknown> = {}): Record<string, unknown> => {
  const full = fullEvent();
  return {
    ...full,
    request: {
      ...full.request,
      messages: [
        { role: 'system', content: 'You are helpful.' },
        { role: 'user', content: 'Explain entropy "step by step".\n\nThanks' },
        { role: 'assistant', content: 'Entropy is…' },
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: 'And in café terms? 😀 \u2028 \\ / \t' },
      ],
    },
    labels: { role: 'benign', actor: 'person', campaign: 'none' },
    extra: { nested: [1, -2.5e-3, true, false, null, { a: 'b' }], id: 'not the id' },
    ...patch,
  };
};

/** Valid events the scanner should take (and the ordinary path agrees with it field by field). */
const accepted = [
  event(),
  event({
    client: undefined,
    api_key_id: undefined,
    labels: undefined,
    usage: undefined,
    response: undefined,
  }),
  event({ request: { messages: [{ role: 'user', content: '' }] } }),
  event({
    request: {
      messages: [
        { role: 'tool', content: 'x' },
        { role: 'function', content: 'y' },
      ],
    },
  }),
  event({ id: 'ü-\u00e9', account_id: 'acct-ü', model: 'm\\n', ts: '2026-02-28T23:59:59Z' }),
  event({ request: { messages: [{ role: 'user', content: '\ufeffstarts with a BOM' }], params: {} } }),
  event({ request: { messages: [{ role: 'user', content: 'x'.repeat(5000) }], params: { temperature: 0 } } }),
  event({ client: { ip: '', asn: 0, user_agent: '' }, endpoint: '' }),
];

/** A line that is not in the scanner's shape: it must decline (the ordinary path decides). */
const declined = [
  event({ request: { messages: [{ role: 'user', content: [{ type: 'text', text: 'parts' }] }] } }),
  event({ account: { tier: 'free' } }),
  event({ ts: '2026-11-22T10:00:00+01:00' }),
  event({ ts: '2026-02-30T10:00:00Z' }),
  event({ ts: '0099-01-01T00:00:00Z' }),
  event({ client: { asn: 1.5 } }),
  event({ client: { country: 'de' } }),
  event({ request: { messages: [] } }),
  event({ request: { messages: [{ role: 'user', content: null }] } }),
  event({ request: { messages: [{ role: 'robot', content: 'x' }] } }),
  event({ request: { messages: [{ role: 'user', content: 'x' }], params: { temperature: -1 } } }),
  event({ request: { messages: [{ role: 'user', content: 'x' }], params: { n: 0 } } }),
  event({ request: { messages: [{ role: 'user', content: 'x' }], params: { top_p: 2 } } }),
  event({ labels: { role: 'robot' } }),
  event({ conversation_id: undefined, id: '' }),
  event({ id: 'x'.repeat(201) }),
  event({ api_key_id: null }),
  // Ids that cannot be stored alike on SQLite and PostgreSQL (invalid_text).
  event({ id: 'x\u0000' }),
  event({ account_id: 'acct\ud800' }),
  event({ account_id: 'acct\udc00x' }),
];

function check(line: Buffer, scanner: EventLineScanner): boolean {
  const ok = scanner.scan(line, MAX);
  if (!ok) return false;
  const r = parseEventLine(line.toString('utf8'), 1);
  expect(r.ok, line.toString()).toBe(true);
  if (r.ok) expect(fromView(scanner), line.toString()).toEqual(fromEvent(r.event));
  return true;
}

describe('EventLineScanner', () => {
  it('reads valid events as JSON.parse and validateEvent do', () => {
    const scanner = new EventLineScanner();
    for (const e of accepted) expect(check(Buffer.from(JSON.stringify(e)), scanner)).toBe(true);
    // Whitespace between tokens and escaped values are JSON too.
    const spaced = JSON.stringify(event(), null, 1).replace(/\n/g, ' ');
    expect(check(Buffer.from(` ${spaced} `), scanner)).toBe(true);
    const escaped = JSON.stringify(event()).replace('"acct_1"', '"\\u0061cct_1"');
    expect(check(Buffer.from(escaped), scanner)).toBe(true);
  });

  it('declines what it does not vouch for', () => {
    const scanner = new EventLineScanner();
    for (const e of declined) expect(check(Buffer.from(JSON.stringify(e)), scanner)).toBe(false);
    const base = JSON.stringify(event());
    for (const line of [
      base.replace('"model"', '"\\u006dodel"'),
      `${base.slice(0, -1)},"id":"again"}`,
      `${base.slice(0, -1)},"client":{}}`,
      JSON.stringify(event(), null, 1), // newlines and tabs (control characters) go to JSON.parse
      base.replace('"extra"', '"__proto__"'),
      base.replace('Thanks', 'Tab\there'),
      `${base}x`,
      base.slice(0, -1),
      `\ufeff${base}`,
      '[1, 2]',
      '',
    ]) {
      expect(check(Buffer.from(line), scanner)).toBe(false);
    }
    expect(
      check(
        Buffer.concat([
          Buffer.from(base.slice(0, 40)),
          Buffer.from([0xc3, 0x28]),
          Buffer.from(base.slice(40)),
        ]),
        scanner,
      ),
    ).toBe(false);
    expect(scanner.scan(Buffer.from(base), base.length - 1)).toBe(false);
  });

  it('never vouches for a line the ordinary path rejects, or reads a field differently (mutations)', () => {
    const scanner = new EventLineScanner();
    const rnd = seededRandom(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const noise = [
      '{',
      '}',
      '[',
      ']',
      '"',
      ',',
      ':',
      '\\',
      '\\u',
      '0',
      '-',
      '.',
      'e',
      '1',
      ' ',
      '\t',
      'é',
      'null',
      'true',
      '"id":"z",',
    ];
    let kept = 0;
    let tried = 0;
    for (const e of [...accepted, ...declined]) {
      const base = JSON.stringify(e);
      for (let k = 0; k < 400; k++) {
        let line = base;
        for (let m = 0; m <= Math.floor(rnd() * 3); m++) {
          const at = Math.floor(rnd() * line.length);
          const op = rnd();
          if (op < 0.4) line = line.slice(0, at) + line.slice(at + 1);
          else if (op < 0.8) line = line.slice(0, at) + pick(noise) + line.slice(at);
          else line = line.slice(0, at) + line.slice(at + 1 + Math.floor(rnd() * 8));
        }
        tried++;
        if (check(Buffer.from(line), scanner)) kept++;
      }
    }
    // Some mutations stay valid (inside strings); the rest were declined.
    expect(kept).toBeGreaterThan(tried / 20);
    expect(kept).toBeLessThan(tried);
  });

  it('hands its result to another thread through the record arrays', () => {
    const scanner = new EventLineScanner();
    const saved = new SavedScans(1);
    const lines = accepted.slice(0, 3).map((e) => Buffer.from(JSON.stringify(e)));
    const starts: number[] = [];
    let at = 0;
    lines.forEach((line, i) => {
      expect(scanner.scan(line, MAX)).toBe(true);
      saved.grow(i + 1);
      saved.save(scanner, i);
      starts.push(at);
      at += line.length + 1;
    });
    const all = Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));
    const { ints, nums } = saved.take(lines.length);
    const view = new ScannedLine();
    lines.forEach((line, i) => {
      scanner.scan(line, MAX);
      expect(view.load(all, ints, nums, i, starts[i]!)).toBe(true);
      expect(fromView(view)).toEqual(fromView(scanner));
    });
    saved.save(null, 1);
    expect(view.load(all, saved.ints, saved.nums, 1, starts[1]!)).toBe(false);
  });
});
