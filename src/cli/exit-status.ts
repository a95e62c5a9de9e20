import { CommanderError } from 'commander';
import { isUserError, UserError, type UserErrorCode } from '../contracts/index.js';

/**
 * The one exit status scheme of every command (README "Exit status"):
 * 0 done; 1 the command ran and failed (a check did not pass, a service it needs did not answer,
 * or an internal error); 2 a usage or input error the user can fix (a flag, a file, the input).
 */
export const ExitStatus = { ok: 0, failed: 1, usage: 2 } as const;
export type ExitStatus = (typeof ExitStatus)[keyof typeof ExitStatus];

/** A check that ran and did not pass (e.g. a broken audit chain): exit 1, not a usage error. */
export class CheckFailedError extends UserError {}

/** User-caused codes that mean "could not complete now" rather than "fix the command". */
const FAILED_CODES: ReadonlySet<UserErrorCode> = new Set([
  'UPSTREAM_UNAVAILABLE',
  'SERVICE_UNAVAILABLE',
  'STREAM_FULL',
]);

export function exitStatusOf(err: unknown): ExitStatus {
  // Commander has already printed its message (and help); --help and --version end with 0.
  if (err instanceof CommanderError) return err.exitCode === 0 ? ExitStatus.ok : ExitStatus.usage;
  if (err instanceof CheckFailedError) return ExitStatus.failed;
  if (isUserError(err)) return FAILED_CODES.has(err.code) ? ExitStatus.failed : ExitStatus.usage;
  return ExitStatus.failed;
}
