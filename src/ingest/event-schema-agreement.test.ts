import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiEvent } from '../contracts/index.js';
import { EventLineScanner, SCANNED_KEYS } from './event-line-scanner.js';
import { eventShape, INVALID } from './fast-shape-check.js';
import { unstorableEventKey } from './record-validation.js';
import { fullEvent } from '../../test/full-event.js';

/**
 * One schema, one fast path: the hand-written event scanner and shape check are held to the zod
 * ApiEvent schema field by field. Every field the schema's JSON Schema describes (nested ones
 * too) is set, in turn, to values at and across its limits; neither fast path may accept a line
 * zod rejects, and each must accept the field's valid values. A field added to the contract but
 * not to the fast paths is an unknown key to them, skipped unchecked: its invalid values then
 * pass the fast paths while zod rejects them, and this test fails naming the field.
 */

interface Node {
  type?: string;
  properties?: Record<string, Node>;
  required?: string[];
  items?: Node;
  anyOf?: Node[];
  enum?: unknown[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  minItems?: number;
}

const schema = z.toJSONSchema(ApiEvent, { unrepresentable: 'any', io: 'input' }) as Node;

type Path = (string | number)[];
interface Field {
  path: Path;
  node: Node;
}

/** Every field of the schema, objects and array items included (an item as index 0). */
function fieldsOf(node: Node, path: Path, out: Field[]): Field[] {
  if (path.length > 0) out.push({ path, node });
  for (const [key, child] of Object.entries(node.properties ?? {})) fieldsOf(child, [...path, key], out);
  for (const branch of [node, ...(node.anyOf ?? [])])
    if (branch.type === 'array' && branch.items) fieldsOf(branch.items, [...path, 0], out);
  return out;
}

const TIMESTAMPS = [
  '2026-11-22T10:00:00Z',
  '2026-11-22T10:00:00.123Z',
  '2026-11-22T10:00:00.123456789Z',
  '2026-11-22 10:00:00Z',
  '2026-11-22t10:00:00z',
  '2026-11-22T10:00:00+01:00',
  '2026-02-29T10:00:00Z',
  '2028-02-29T10:00:00Z',
  '2026-02-30T10:00:00Z',
  '2026-11-22T24:00:00Z',
  '2026-11-22T10:00:00',
  '0099-01-01T00:00:00Z',
];

/** Values at and across a field's limits, of its type and of others. */
function candidates(node: Node): unknown[] {
  const out: unknown[] = [undefined, null, {}, [], 'x', '', 1, 0, -1, 0.5, true, false];
  for (const branch of node.anyOf ?? []) out.push(...candidates(branch));
  if (node.type === 'string') {
    const min = node.minLength ?? 0;
    out.push('a'.repeat(min), 'a'.repeat(Math.max(0, min - 1)), 'tab\there', 'nul\u0000', '\ud800');
    if (node.maxLength !== undefined) {
      const max = node.maxLength;
      // Lengths in UTF-16 units: two-byte, escaped and astral characters around the limit.
      for (const unit of ['a', 'é', '\n', '\u{1F600}'])
        for (const n of [max - 1, max, max + 1])
          out.push(unit.repeat(Math.max(0, Math.floor(n / unit.length))));
    }
    for (const v of node.enum ?? []) out.push(v, String(v).toUpperCase(), `${String(v)} `);
    if (node.pattern) out.push('DE', 'de', 'D', 'DEU', 'É1', ...TIMESTAMPS);
  }
  if (node.type === 'integer' || node.type === 'number') {
    const min = node.minimum ?? -1e6;
    out.push(min, min - 1, min + 0.5, min - 0.001, 2 ** 53, 2 ** 53 - 1, 1e300, '1', 7, 4000);
    if (node.maximum !== undefined) out.push(node.maximum, node.maximum + 0.001, node.maximum + 1);
  }
  if (node.type === 'boolean') out.push('true', 0);
  if (node.type === 'array') out.push([1], ['x']);
  return out;
}

/** A small valid value of a field, from its schema. */
function sample(node: Node): unknown {
  if (node.anyOf) return sample(node.anyOf[0]!);
  switch (node.type) {
    case 'object':
      return Object.fromEntries((node.required ?? []).map((k) => [k, sample(node.properties![k]!)]));
    case 'array':
      return Array.from({ length: Math.max(1, node.minItems ?? 0) }, () => sample(node.items!));
    case 'string':
      if (node.enum) return node.enum[0];
      if (node.pattern) return node.pattern.includes('\\d{4}') ? TIMESTAMPS[0] : 'DE';
      return 'a'.repeat(Math.max(1, node.minLength ?? 0));
    case 'integer':
    case 'number':
      return node.minimum ?? 0;
    case 'boolean':
      return true;
    default:
      return 'x';
  }
}

/** A valid event the scanner vouches for, with every field it reads present. */
const base = () => ({ ...fullEvent(), labels: { role: 'attacker', actor: 'a1', campaign: 'c1' } });

/** The event with `path` set to `value` (deleted when undefined), containers made on the way. */
function withField(path: Path, value: unknown): Record<string, unknown> {
  const event: Record<string, unknown> = base();
  let at: Record<string | number, unknown> = event;
  for (let k = 0; k < path.length - 1; k++) {
    const key = path[k]!;
    const next = typeof path[k + 1] === 'number' ? [{ type: 'text', text: 'x' }] : {};
    // A message's string content is turned into content parts to reach a part's fields.
    if (typeof at[key] !== 'object' || at[key] === null) at[key] = next;
    at = at[key] as Record<string | number, unknown>;
  }
  const last = path[path.length - 1]!;
  if (value === undefined) delete at[last];
  else at[last] = value;
  return event;
}

const zodAccepts = (value: unknown): boolean => {
  const r = ApiEvent.safeParse(value);
  return r.success && unstorableEventKey(r.data) === undefined;
};

const scanner = new EventLineScanner();
const fields = fieldsOf(schema, [], []);
const name = (path: Path): string => path.join('.');

describe('the event fast paths and the zod schema', () => {
  it('the scanner knows the fields of every object of the schema, in its order', () => {
    const at = (...path: string[]): Node =>
      path.reduce<Node>((n, k) => (k === '[]' ? n.items! : n.properties![k]!), schema);
    const keys = (n: Node): string[] => Object.keys(n.properties ?? {});
    expect(SCANNED_KEYS.top).toEqual(keys(schema));
    expect(SCANNED_KEYS.client).toEqual(keys(at('client')));
    expect(SCANNED_KEYS.request).toEqual(keys(at('request')));
    expect(SCANNED_KEYS.params).toEqual(keys(at('request', 'params')));
    expect(SCANNED_KEYS.response).toEqual(keys(at('response')));
    expect(SCANNED_KEYS.usage).toEqual(keys(at('usage')));
    expect(SCANNED_KEYS.labels).toEqual(keys(at('labels')));
    expect(SCANNED_KEYS.message).toEqual(keys(at('request', 'messages', '[]')));
  });

  it('finds every field of the schema, nested ones included', () => {
    const names = fields.map((f) => name(f.path));
    for (const f of ['id', 'client.asn', 'request.params.top_p', 'request.messages.0.role'])
      expect(names).toContain(f);
    expect(names).toContain('request.messages.0.content.0.text');
    expect(names).toContain('account.created_at');
    expect(names.length).toBeGreaterThan(40);
  });

  it('the base event takes the scanner and the shape check', () => {
    const line = JSON.stringify(base());
    expect(scanner.scan(Buffer.from(line), 1 << 20)).toBe(true);
    expect(eventShape(JSON.parse(line))).not.toBe(INVALID);
  });

  for (const field of fields) {
    it(`agrees with zod on ${name(field.path)}`, () => {
      const mismatches: string[] = [];
      let validSeen = false;
      let scannedValid = false;
      let shapedValid = false;
      const original = field.path.reduce<unknown>(
        (v, k) => (v as Record<string | number, unknown>)?.[k],
        base(),
      );
      for (const value of [original, sample(field.node), ...candidates(field.node)]) {
        const line = JSON.stringify(withField(field.path, value));
        const parsed: unknown = JSON.parse(line);
        const ok = zodAccepts(parsed);
        const scanned = scanner.scan(Buffer.from(line), 1 << 20);
        const shaped = eventShape(parsed) !== INVALID;
        const what = `${name(field.path)} = ${JSON.stringify(value)?.slice(0, 40) ?? 'absent'}`;
        if (scanned && !ok) mismatches.push(`scanner accepts what zod rejects: ${what}`);
        if (shaped && !ApiEvent.safeParse(parsed).success)
          mismatches.push(`shape check accepts what zod rejects: ${what}`);
        if (ok) {
          validSeen = true;
          scannedValid ||= scanned;
          shapedValid ||= shaped;
        }
      }
      expect(mismatches).toEqual([]);
      expect(validSeen).toBe(true);
      // Each fast path takes the field's valid values: it knows the field. Inline account records
      // and content parts are left to the ordinary path by the scanner (as documented there).
      const ordinaryOnly = field.path[0] === 'account' || field.path.includes('content');
      if (!ordinaryOnly) expect(scannedValid, `scanner never accepts ${name(field.path)}`).toBe(true);
      expect(shapedValid, `shape check never accepts ${name(field.path)}`).toBe(true);
    });
  }
});
