import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserErrorCode } from '../contracts/index.js';
import { statusOfUserError } from './http-errors.js';

// The HTTP status column of docs/errors.md is the one mapping the API answers with (the codes and
// the exit statuses are checked in src/cli/error-codes-doc.test.ts).
const doc = readFileSync(path.resolve(import.meta.dirname, '../../docs/errors.md'), 'utf8');
const documented = new Map(
  [...doc.matchAll(/^\| `([A-Z_]+)` +\| \d +\| (\d{3}) +\|/gm)].map((m) => [m[1]!, Number(m[2])]),
);

describe('statusOfUserError', () => {
  it.each(UserErrorCode.options)('answers %s with the HTTP status docs/errors.md gives', (code) => {
    expect(statusOfUserError(code)).toBe(documented.get(code));
  });
});
