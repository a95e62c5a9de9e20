import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from '../contracts/index.js';

/*
 * Every command that writes files checks its output paths here before any work starts, so a
 * typo in --out costs one line, not an hour of analysis followed by a stack trace.
 */

/** null when nothing is there, also when a parent on the way is a file (ENOTDIR). */
const statOrNull = (p: string): Stats | null => {
  try {
    return statSync(p, { throwIfNoEntry: false }) ?? null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw new UserError('INVALID_ARGUMENT', `cannot check ${p}: ${(err as Error).message}`);
  }
};

const writable = (p: string): boolean => {
  try {
    accessSync(p, constants.W_OK);
    return true;
  } catch {
    return false;
  }
};

const refuse = (flag: string, path: string, why: string): never => {
  throw new UserError('INVALID_ARGUMENT', `${flag} ${path}: ${why}`);
};

/** A file to be (over)written: not a folder, in an existing folder it may write to. */
export function checkOutputFile(flag: string, path: string): void {
  const full = resolve(path);
  const st = statOrNull(full);
  if (st?.isDirectory()) refuse(flag, path, 'is a folder; name a file');
  if (st && !writable(full)) refuse(flag, path, 'exists and cannot be overwritten (permission denied)');
  const parent = dirname(full);
  const dir = statOrNull(parent);
  if (!dir) refuse(flag, path, `the folder ${parent} does not exist; create it first`);
  if (!dir!.isDirectory()) refuse(flag, path, `${parent} is not a folder`);
  if (!writable(parent)) refuse(flag, path, `cannot write in ${parent} (permission denied)`);
}

/**
 * A folder to write files in, created (with its parents) if missing: it must be a folder, or the
 * nearest existing ancestor must be a folder it may write to.
 */
export function checkOutputDir(flag: string, path: string): void {
  let p = resolve(path);
  let st = statOrNull(p);
  if (st) {
    if (!st.isDirectory()) refuse(flag, path, 'exists and is not a folder');
    if (!writable(p)) refuse(flag, path, 'cannot write in it (permission denied)');
    return;
  }
  for (;;) {
    const up = dirname(p);
    st = statOrNull(up);
    if (st) {
      if (!st.isDirectory()) refuse(flag, path, `${up} is not a folder`);
      if (!writable(up)) refuse(flag, path, `cannot create it in ${up} (permission denied)`);
      return;
    }
    if (up === p) return;
    p = up;
  }
}
