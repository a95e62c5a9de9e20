import { z } from 'zod';
import { UserError, findUnstorableText } from '../contracts/index.js';

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => {
      const where = i.path.length ? i.path.join('.') : '';
      if (i.code === 'unrecognized_keys')
        return `unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.join(', ')}${where ? ` in ${where}` : ''}`;
      return where ? `${where}: ${i.message}` : i.message;
    })
    .join('; ');
}

export function parseQuery<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value ?? {});
  if (!r.success) throw new UserError('INVALID_ARGUMENT', `Invalid query: ${describe(r.error)}.`);
  refuseUnstorableText(r.data, 'INVALID_ARGUMENT');
  return r.data;
}

export function parseBody<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  if (value === undefined || value === null)
    throw new UserError('INVALID_INPUT', 'Missing JSON body; send Content-Type: application/json.');
  const r = schema.safeParse(value);
  if (!r.success) throw new UserError('INVALID_INPUT', `Invalid body: ${describe(r.error)}.`);
  refuseUnstorableText(r.data);
  return r.data;
}

/**
 * Refuses a request whose strings hold NUL or an unpaired UTF-16 surrogate (400): PostgreSQL
 * refuses the first and silently changes the second, SQLite keeps both, so such text would be a
 * 500 on one store and a different answer on the other (src/contracts/stored-text.ts).
 */
export function refuseUnstorableText(
  value: unknown,
  code: 'INVALID_INPUT' | 'INVALID_ARGUMENT' = 'INVALID_INPUT',
): void {
  const bad = findUnstorableText(value);
  if (bad)
    throw new UserError(
      code,
      `${bad.path} holds ${bad.problem}; text must not contain NUL or unpaired UTF-16 surrogates.`,
    );
}

/** A request schema (query, params, body) as the OpenAPI document shows it: what a caller may send. */
export const requestSchema = (s: z.ZodType) =>
  z.toJSONSchema(s, { io: 'input', target: 'openapi-3.0', unrepresentable: 'any' });

/**
 * A response schema for the OpenAPI document: what the route answers (src/contracts/api-views.ts).
 * Documentation only: the server serialises with JSON.stringify, it does not filter by schema.
 */
export const responseSchema = (s: z.ZodType) =>
  z.toJSONSchema(s, { io: 'output', target: 'openapi-3.0', unrepresentable: 'any' });
