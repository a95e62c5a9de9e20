import { isRfc3339 } from '../contracts/index.js';

/**
 * A hand-written structural check of the ApiEvent and AccountRecord schemas, run before zod on
 * the ingest hot path (zod cost more per event than JSON.parse). It accepts only records zod
 * accepts, and returns what zod would return: every field within its schema, keys in the order
 * zod's output has (known keys in schema order, then unknown ones). An object already in that
 * order is returned as it is (the common case: no copy); one in another order is copied in
 * zod's order. Anything else — invalid or unusual — gives INVALID and goes to zod, which gives
 * the same result or error as before. fast-shape-check.test.ts keeps the field lists in step with
 * the zod schemas and compares results with zod's.
 */

export const INVALID: unique symbol = Symbol('invalid');
/** The value as zod would return it, or INVALID. */
type Check = (v: unknown) => unknown;
type Field = [name: string, check: Check, required?: true];

const valid =
  (test: (v: unknown) => boolean): Check =>
  (v) =>
    test(v) ? v : INVALID;
const str = (min: number, max: number): Check =>
  valid((v) => typeof v === 'string' && v.length >= min && v.length <= max);
const anyString: Check = valid((v) => typeof v === 'string');
const bool: Check = valid((v) => typeof v === 'boolean');
/** z.int().min(min): a safe integer. */
const int = (min: number): Check => valid((v) => Number.isSafeInteger(v) && (v as number) >= min);
const num = (min: number, max = Infinity): Check =>
  valid((v) => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max);
const oneOf = (values: readonly string[]): Check => {
  const set = new Set(values);
  return valid((v) => typeof v === 'string' && set.has(v));
};
const timestamp: Check = valid((v) => typeof v === 'string' && isRfc3339(v));
const COUNTRY = /^[A-Z]{2}$/;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

/** A z.looseObject check over `fields`, in the schema's key order. */
export function looseObject(fields: readonly Field[]): Check & { keys: readonly string[] } {
  const index = new Map(fields.map(([name], i) => [name, i]));
  const required = fields.filter((f) => f[2]).length;
  const check = (v: unknown): unknown => {
    if (!isPlainObject(v)) return INVALID;
    let last = -1;
    let unknown = false;
    let ordered = true;
    let replaced: Map<string, unknown> | null = null;
    let present = 0;
    for (const key in v) {
      const i = index.get(key);
      if (i === undefined) {
        // "__proto__" would be dropped by zod's copy: leave such records to zod.
        if (key === '__proto__') return INVALID;
        unknown = true;
        continue;
      }
      if (unknown || i < last) ordered = false;
      last = i;
      const field = fields[i]!;
      const x = v[key];
      const checked = field[1](x);
      if (checked === INVALID) return INVALID;
      if (checked !== x) (replaced ??= new Map()).set(key, checked);
      if (field[2]) present++;
    }
    if (present !== required) return INVALID;
    if (ordered && replaced === null) return v;
    // zod's output order: the schema's keys that are present, then the others as they came.
    const out: Record<string, unknown> = {};
    for (const [name] of fields) {
      if (Object.hasOwn(v, name)) out[name] = replaced?.has(name) ? replaced.get(name) : v[name];
    }
    for (const key in v) if (!index.has(key)) out[key] = v[key];
    return out;
  };
  return Object.assign(check, { keys: fields.map(([name]) => name) });
}

const arrayOf =
  (item: Check, min: number): Check =>
  (v) => {
    if (!Array.isArray(v) || v.length < min) return INVALID;
    const items = v as unknown[];
    let out: unknown[] | null = null;
    for (let i = 0; i < items.length; i++) {
      const x = items[i];
      const checked = item(x);
      if (checked === INVALID) return INVALID;
      if (checked !== x) (out ??= [...items])[i] = checked;
    }
    return out ?? items;
  };

export const contentPartShape = looseObject([
  ['type', anyString, true],
  ['text', anyString],
]);
const contentParts = arrayOf(contentPartShape, 0);
export const messageShape = looseObject([
  ['role', oneOf(['system', 'developer', 'user', 'assistant', 'tool', 'function']), true],
  ['content', (v) => (typeof v === 'string' ? v : contentParts(v)), true],
]);
export const paramsShape = looseObject([
  ['temperature', num(0)],
  ['top_p', num(0, 1)],
  ['max_tokens', int(0)],
  ['n', int(1)],
  ['logprobs', bool],
  ['top_logprobs', int(0)],
  ['stream', bool],
  ['tools', int(0)],
]);
export const requestShape = looseObject([
  ['messages', arrayOf(messageShape, 1), true],
  ['conversation_id', str(0, 200)],
  ['params', paramsShape],
]);
export const clientShape = looseObject([
  ['ip', str(0, 64)],
  ['asn', int(0)],
  ['country', valid((v) => typeof v === 'string' && COUNTRY.test(v))],
  ['user_agent', str(0, 1000)],
]);
export const responseShape = looseObject([
  ['text', anyString],
  ['reasoning_tokens', int(0)],
  ['finish_reason', anyString],
  ['refused', bool],
]);
export const usageShape = looseObject([
  ['input_tokens', int(0)],
  ['output_tokens', int(0)],
]);
const accountFields = (idRequired: boolean): Field[] => [
  idRequired ? ['account_id', str(1, 200), true] : ['account_id', str(1, 200)],
  ['created_at', timestamp],
  ['tier', str(0, 100)],
  ['email_domain', str(0, 300)],
  ['email_hash', str(0, 300)],
  ['payment_fingerprint', str(0, 300)],
  ['declared_country', str(0, 10)],
  ['signup_ip', str(0, 64)],
  ['verified', bool],
];
export const accountShape = looseObject(accountFields(true));
export const inlineAccountShape = looseObject(accountFields(false));
export const labelsShape = looseObject([
  ['role', oneOf(['benign', 'attacker'])],
  ['actor', anyString],
  ['campaign', anyString],
]);
export const eventShape = looseObject([
  ['id', str(1, 200), true],
  ['ts', timestamp, true],
  ['account_id', str(1, 200), true],
  ['api_key_id', str(0, 200)],
  ['end_user_id', str(0, 200)],
  ['model', str(1, 200), true],
  ['endpoint', str(0, 100)],
  ['client', clientShape],
  ['request', requestShape, true],
  ['response', responseShape],
  ['usage', usageShape],
  ['account', inlineAccountShape],
  ['labels', labelsShape],
]);
