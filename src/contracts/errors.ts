import { z } from 'zod';

/**
 * Stable codes for errors a user can cause. The CLI prints `error[CODE]: message` and exits
 * non-zero; the server maps them to 4xx bodies. Codes never change meaning once published.
 */
export const UserErrorCode = z.enum([
  'FILE_NOT_FOUND',
  'FILE_UNREADABLE',
  'UNKNOWN_FORMAT',
  'INVALID_ARGUMENT',
  'INVALID_CONFIG',
  'INVALID_INPUT',
  /** An indicator whose `pattern_type` is stix holds a pattern outside the STIX 2.1 grammar or limits. */
  'INVALID_STIX_PATTERN',
  'NO_EVENTS',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'POLICY_REFUSED',
  'BAD_SIGNATURE',
  'UPSTREAM_UNAVAILABLE',
  'SERVICE_UNAVAILABLE',
  'WEBHOOK_TARGET_REFUSED',
  'STREAM_FULL',
]);
export type UserErrorCode = z.infer<typeof UserErrorCode>;

export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    readonly code: UserErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const isUserError = (e: unknown): e is UserError => e instanceof UserError;
