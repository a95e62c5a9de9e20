import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { UserError } from '../contracts/index.js';

// Reading a file the user named (a flag or an argument) is ingest's job whatever the file holds
// (events, a policy, a key, findings): one place decides the error code and the message, so every
// command answers a wrong path the same way. ingest/ is the lowest module that does file I/O and
// that every reader (intel, respond, sim, evaluate, cli) may import; contracts/ and text/ do none.

/**
 * The error for a user's file that cannot be read, as `<what> <path> <problem>; <hint>`:
 * FILE_NOT_FOUND when nothing is there, FILE_UNREADABLE when something is but cannot be read.
 * `what` names the file for the user ("sharing policy"), `hint` says what to do ("check --policy").
 */
export function userFileError(err: unknown, path: string, what: string, hint: string): UserError {
  const e = err as NodeJS.ErrnoException;
  const say = (problem: string): string => `${what} ${path} ${problem}; ${hint}`;
  switch (e.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new UserError('FILE_NOT_FOUND', say('does not exist'));
    case 'EISDIR':
      return new UserError('FILE_UNREADABLE', say('is not a regular file'));
    case 'EACCES':
    case 'EPERM':
      return new UserError('FILE_UNREADABLE', say('cannot be read: permission denied'));
    default:
      return new UserError('FILE_UNREADABLE', say(`cannot be read: ${e.message}`));
  }
}

/** The text (UTF-8) of a file the user named, or the UserError of userFileError. */
export function readUserFile(path: string, what: string, hint: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw userFileError(err, path, what, hint);
  }
}

/** A user's JSON file, parsed; INVALID_INPUT (same message shape) when it is not JSON. */
export function readUserJson(path: string, what: string, hint: string): unknown {
  const text = readUserFile(path, what, hint);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UserError('INVALID_INPUT', `${what} ${path} is not JSON (${(err as Error).message}); ${hint}`);
  }
}

/**
 * A user's YAML (or JSON) settings file, parsed; INVALID_CONFIG (same message shape) when it is
 * neither. Checking what it holds is the caller's job.
 */
export function readUserYaml(path: string, what: string, hint: string): unknown {
  const text = readUserFile(path, what, hint);
  try {
    return parseYaml(text) as unknown;
  } catch (err) {
    throw new UserError(
      'INVALID_CONFIG',
      `${what} ${path} is not JSON or YAML (${(err as Error).message}); ${hint}`,
    );
  }
}
