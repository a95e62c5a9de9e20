import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError, UserErrorCode } from '../contracts/index.js';
import { exitStatusOf } from './exit-status.js';

// docs/errors.md lists every error code with its exit status (and HTTP status, checked in
// src/server/http-errors.test.ts): a code added to the registry without a row fails here.
const doc = readFileSync(path.resolve(import.meta.dirname, '../../docs/errors.md'), 'utf8');
const rows = [...doc.matchAll(/^\| `([A-Z_]+)` +\| (\d) +\| (\d{3}) +\|/gm)].map((m) => ({
  code: m[1]!,
  exit: Number(m[2]),
}));

describe('docs/errors.md', () => {
  it('has one row per error code, in the registry order', () => {
    expect(rows.map((r) => r.code)).toEqual(UserErrorCode.options);
  });

  it.each(rows)('gives the exit status a command ends with on $code ($exit)', ({ code, exit }) => {
    expect(exitStatusOf(new UserError(code as UserErrorCode, 'x'))).toBe(exit);
  });
});
