import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type * as FsModule from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UserError } from '../../contracts/index.js';
import { ReceivedIntel } from './received-intel.js';

// A read error the file system gives only to some users (EACCES, EPERM): the tests run as root,
// which reads any file, so the error is injected into node:fs for the state file alone.
const injected = vi.hoisted(() => ({ file: undefined as string | undefined, code: 'EACCES' }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof FsModule>();
  const readFileSync = ((file: Parameters<typeof fs.readFileSync>[0], ...rest: unknown[]) => {
    if (injected.file !== undefined && file === injected.file) {
      const e = new Error(`${injected.code}: simulated, open '${injected.file}'`);
      throw Object.assign(e, { code: injected.code });
    }
    return (fs.readFileSync as (...a: unknown[]) => unknown)(file, ...rest);
  }) as typeof fs.readFileSync;
  return { ...fs, default: { ...fs, readFileSync }, readFileSync };
});

/**
 * The state `intel pull` resumes from and `intel match` reads. Only a missing file means "nothing
 * received yet"; a state that is there but cannot be read or is damaged stops the command with a
 * coded error (exit status 2) and is left as it was, never replaced by an empty state that a pull
 * would then save over it (losing the cursors and every object received).
 */
describe('ReceivedIntel.open', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dg-received-'));
    file = path.join(dir, 'received.json');
  });
  afterEach(() => {
    injected.file = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const openError = (): UserError => {
    try {
      ReceivedIntel.open(dir);
    } catch (e) {
      expect(e).toBeInstanceOf(UserError);
      return e as UserError;
    }
    throw new Error('ReceivedIntel.open did not fail');
  };

  it('starts empty when there is no state file yet (and when the folder does not exist)', () => {
    const fresh = ReceivedIntel.open(dir);
    expect(fresh.objects()).toEqual([]);
    expect(fresh.cursor('campaigns')).toEqual({});
    expect(ReceivedIntel.open(path.join(dir, 'not-yet')).objects()).toEqual([]);
  });

  it('reads back a state it wrote', () => {
    const state = { cursors: { campaigns: { added_after: '2026-11-20T00:00:00.000Z' } }, objects: {} };
    writeFileSync(file, JSON.stringify(state));
    expect(ReceivedIntel.open(dir).cursor('campaigns')).toEqual({ added_after: '2026-11-20T00:00:00.000Z' });
  });

  it('refuses a state file that is not JSON (INVALID_INPUT), and leaves it as it was', () => {
    writeFileSync(file, '{"cursors": {"campaigns": {"next": "abc"');
    const e = openError();
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toContain(file);
    expect(e.message).toMatch(/damaged/);
    expect(readFileSync(file, 'utf8')).toBe('{"cursors": {"campaigns": {"next": "abc"');
  });

  it('refuses a state file of the wrong shape (INVALID_INPUT)', () => {
    writeFileSync(file, JSON.stringify({ cursors: [], objects: 'none' }));
    expect(openError().code).toBe('INVALID_INPUT');
  });

  it('refuses a state path that is a folder (FILE_UNREADABLE), not "nothing received yet"', () => {
    mkdirSync(file);
    const e = openError();
    expect(e.code).toBe('FILE_UNREADABLE');
    expect(e.message).toContain(file);
    expect(e.message).toMatch(/not a regular file/);
  });

  it.each(['EACCES', 'EPERM', 'EIO'])(
    'refuses a state file it may not or cannot read (%s: FILE_UNREADABLE), and leaves it as it was',
    (code) => {
      const state = JSON.stringify({ cursors: { campaigns: { next: 'page-7' } }, objects: {} });
      writeFileSync(file, state);
      injected.file = file;
      injected.code = code;
      const e = openError();
      expect(e.code).toBe('FILE_UNREADABLE');
      expect(e.message).toContain(file);
      expect(e.message).toMatch(/cannot be read/);
      injected.file = undefined;
      expect(readFileSync(file, 'utf8')).toBe(state);
    },
  );
});
