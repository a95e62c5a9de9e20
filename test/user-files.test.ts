import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../src/contracts/index.js';
import {
  loadKeyRing,
  loadMemberKey,
  loadSharingPolicy,
  readBundle,
  readFindingsFile,
} from '../src/intel/index.js';
import { loadResponsePolicy, readCanaryRegistry } from '../src/respond/index.js';
import { simulationStream } from '../src/sim/index.js';

// Every command that reads a file the user named answers a wrong path the same way: one code,
// and a message that names what the file is, the path, the problem and what to do.
describe('a missing user file, whichever command reads it', () => {
  const missing = join('/nonexistent-dir', 'no-such-file');
  const readers: [string, () => unknown][] = [
    ['sharing policy', () => loadSharingPolicy(missing)],
    ['response policy', () => loadResponsePolicy(missing)],
    ['community key file', () => loadKeyRing(missing)],
    ['signing key file', () => loadMemberKey(missing)],
    ['findings file', () => readFindingsFile(missing)],
    ['bundle', () => readBundle(missing)],
    ['canary registry', () => readCanaryRegistry(missing)],
    ['corpus file', () => simulationStream({ scale: 'small', seed: 1, corpus: [missing] })],
  ];
  it.each(readers)('%s', (what, read) => {
    let err: unknown;
    try {
      read();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).code).toBe('FILE_NOT_FOUND');
    expect((err as UserError).message).toMatch(new RegExp(`^${what} ${missing} does not exist; \\S.+`));
  });
});
