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
