import { z } from 'zod';
import { AccountRecord } from './account.js';
import { ApiEvent } from './event.js';

/**
 * One message on the scale-out event stream (NATS JetStream subject `<prefix>.<partition>`):
 * an API event, or an account record for the same partition. Workers validate it again on
 * arrival, since anything with publish rights can write to the stream.
 */
export const ScaleMessage = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('event'), event: ApiEvent }),
  z.object({ kind: z.literal('account'), record: AccountRecord }),
]);
export type ScaleMessage = z.infer<typeof ScaleMessage>;
