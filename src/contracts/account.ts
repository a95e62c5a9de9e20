import { z } from 'zod';
import { rfc3339 } from './timestamp.js';

/** Account metadata, from the accounts file or inline in an event (shared/spec/api-event.md). */
export const AccountRecord = z.looseObject({
  account_id: z.string().min(1).max(200),
  created_at: rfc3339.optional(),
  tier: z.string().max(100).optional(),
  email_domain: z.string().max(300).optional(),
  email_hash: z.string().max(300).optional(),
  payment_fingerprint: z.string().max(300).optional(),
  declared_country: z.string().max(10).optional(),
  signup_ip: z.string().max(64).optional(),
  verified: z.boolean().optional(),
});
export type AccountRecord = z.infer<typeof AccountRecord>;

/** The inline form: same fields, account_id optional because the event already names it. */
export const InlineAccount = AccountRecord.partial({ account_id: true });
export type InlineAccount = z.infer<typeof InlineAccount>;
