import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  AccountRecord,
  ApiEvent,
  ContentPart,
  EventLabels,
  InlineAccount,
  Message,
  RequestParams,
} from '../contracts/index.js';
import {
  accountShape,
  clientShape,
  contentPartShape,
  eventShape,
  inlineAccountShape,
  INVALID,
  labelsShape,
  messageShape,
  paramsShape,
  requestShape,
  responseShape,
  usageShape,
} from './fast-shape-check.js';
import { validateAccount, validateEvent } from './record-validation.js';
import { fullEvent } from '../../test/full-event.js';

type Shaped = { shape: Record<string, unknown> };
const keysOf = (schema: unknown): string[] => {
  const s = schema as { unwrap?: () => unknown; shape?: Record<string, unknown> };
  return Object.keys(s.shape ?? (s.unwrap!() as Shaped).shape);
};

const event = fullEvent();
const full = {
  ...event,
  request: {
    ...event.request,
    messages: [
      { role: 'system', content: 'You are helpful.' },
      { role: 'user', content: [{ type: 'text', text: 'Explain entropy.' }, { type: 'image_url' }] },
    ],
  },
  account: { created_at: '2026-01-02T03:04:05+02:00', tier: 'free', verified: true },
  labels: { role: 'benign', actor: 'a', campaign: 'c' },
};

/** Values that probe each field's type and bounds. */
const PROBES: unknown[] = [
  null,
  true,
  0,
  -1,
  -0,
  0.5,
  1.5,
  2 ** 53,
  '',
  'x',
  'x'.repeat(64),
  'x'.repeat(65),
  'x'.repeat(200),
  'x'.repeat(201),
  'DE',
  'de',
  'user',
  'attacker',
  '2026-02-30T10:00:00Z',
  '2026-11-22 10:00:00+01:00',
  '2026-11-22T10:00:00',
  [],
  [{ role: 'user', content: 'hi' }],
  {},
];

/** Every object path of `full`, for mutating one field at a time. */
function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof v !== 'object' || v === null) return [prefix];
  const out: (string | number)[][] = prefix.length ? [prefix] : [];
  for (const [k, x] of Object.entries(v))
    out.push(...paths(x, [...prefix, Array.isArray(v) ? Number(k) : k]));
  return out;
}

function mutate(path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(full) as Record<string | number, unknown>;
  let o = copy;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === DELETE) delete o[last];
  else o[last] = value;
  // Through JSON, as a parsed line would be.
  return JSON.parse(JSON.stringify(copy));
}
const DELETE = Symbol('delete');

function reorder(v: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = v[k];
  return out;
}

/** Every candidate: the fast path and zod agree, and an accepted record is returned as zod would. */
function expectSameAsZod(schema: z.ZodType, validate: (v: unknown) => unknown, value: unknown): boolean {
  const z = schema.safeParse(value);
  const r = validate(value) as { ok: boolean; value?: unknown; message?: string };
  expect(r.ok).toBe(z.success);
  if (z.success) expect(JSON.stringify(r.value)).toBe(JSON.stringify(z.data));
  return z.success;
}

describe('fast shape check', () => {
  it('knows the fields of the zod schemas, in their order', () => {
    expect(eventShape.keys).toEqual(keysOf(ApiEvent));
    expect(clientShape.keys).toEqual(keysOf(ApiEvent.shape.client));
    expect(requestShape.keys).toEqual(keysOf(ApiEvent.shape.request));
    expect(messageShape.keys).toEqual(keysOf(Message));
    expect(contentPartShape.keys).toEqual(keysOf(ContentPart));
    expect(paramsShape.keys).toEqual(keysOf(RequestParams));
    expect(responseShape.keys).toEqual(keysOf(ApiEvent.shape.response));
    expect(usageShape.keys).toEqual(keysOf(ApiEvent.shape.usage));
    expect(inlineAccountShape.keys).toEqual(keysOf(InlineAccount));
    expect(labelsShape.keys).toEqual(keysOf(EventLabels));
    expect(accountShape.keys).toEqual(keysOf(AccountRecord));
  });

  it('takes the fast path for well-formed events', () => {
    // Already in zod's order: the parsed object itself, no copy.
    const parsed: unknown = JSON.parse(JSON.stringify(full));
    expect(eventShape(parsed)).toBe(parsed);
    const minimal = {
      id: 'e',
      ts: '2026-11-22T10:00:00Z',
      account_id: 'a',
      model: 'm',
      request: full.request,
    };
    expect(eventShape(minimal)).toBe(minimal);
  });

  it('agrees with zod on every field set to every probe value or removed', () => {
    let accepted = 0;
    let checked = 0;
    for (const path of paths(full)) {
      for (const value of [...PROBES, DELETE]) {
        if (expectSameAsZod(ApiEvent, validateEvent, mutate(path, value))) accepted++;
        checked++;
      }
    }
    // Both outcomes occur, so both branches were compared.
    expect(accepted).toBeGreaterThan(100);
    expect(checked - accepted).toBeGreaterThan(100);
  });

  it('returns keys in zod order: reordered objects are copied in order, odd ones go to zod', () => {
    const keys = Object.keys(full);
    const variants: unknown[] = [
      reorder(full, [...keys].reverse()),
      { extra: 1, ...full },
      { ...full, extra: 1 },
      { ...full, 7: 'numeric key' },
      JSON.parse(`{"__proto__":{"x":1},${JSON.stringify(full).slice(1)}`),
      { ...full, request: { params: full.request.params, messages: full.request.messages } },
      { ...full, request: { ...full.request, messages: [{ content: 'hi', role: 'user' }] } },
      { ...full, client: { ...full.client, extra: 'kept' } },
      { ...full, client: undefined },
      Object.assign(Object.create(null) as object, full),
    ];
    for (const v of variants) expectSameAsZod(ApiEvent, validateEvent, v);
    expect(eventShape(variants[0])).not.toBe(INVALID);
    expect(eventShape(variants[2])).toBe(variants[2]);
    expect(eventShape(variants[4])).toBe(INVALID);
  });

  it('agrees with zod on account records', () => {
    const account = {
      account_id: 'acct_1',
      created_at: '2026-01-02T03:04:05Z',
      tier: 'free',
      email_domain: 'example.com',
      email_hash: 'h',
      payment_fingerprint: 'p',
      declared_country: 'DE',
      signup_ip: '198.51.100.1',
      verified: false,
    };
    expect(accountShape(account)).toBe(account);
    for (const key of Object.keys(account)) {
      for (const value of PROBES) {
        const v = JSON.parse(JSON.stringify({ ...account, [key]: value })) as unknown;
        expectSameAsZod(AccountRecord, validateAccount, v);
      }
    }
  });
});
