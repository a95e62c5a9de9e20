import type { z } from 'zod';
import { UserError } from '../schema/index.js';

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
  if (r.success) return r.data;
  throw new UserError('INVALID_ARGUMENT', `Invalid query: ${describe(r.error)}.`);
}

export function parseBody<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  if (value === undefined || value === null)
    throw new UserError('INVALID_INPUT', 'Missing JSON body; send Content-Type: application/json.');
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new UserError('INVALID_INPUT', `Invalid body: ${describe(r.error)}.`);
}
