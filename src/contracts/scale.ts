import { z } from 'zod';
import { AccountRecord } from './account.js';
import { ApiEvent } from './event.js';
import { QuarantineRecord } from './ingest.js';

/**
 * One message on the scale-out event stream (NATS JetStream subject `<prefix>.<partition>`):
 * an API event, or an account record for the same partition, or a line the publisher rejected
 * (`ingest --nats` forwards its quarantine, so the workers' findings count rejected lines as batch
 * analyze does). Workers validate it again on arrival, since anything with publish rights can
 * write to the stream.
 */
export const ScaleMessage = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('event'), event: ApiEvent }),
  z.object({ kind: z.literal('account'), record: AccountRecord }),
  z.object({ kind: z.literal('rejected'), record: QuarantineRecord }),
]);
export type ScaleMessage = z.infer<typeof ScaleMessage>;

/**
 * The scale-out topology: one typed config for every publisher (`ingest --nats`, `serve --nats`,
 * `gateway --nats`) and worker, and the source of their `--stream`, `--subject-prefix` and
 * `--partitions` flags. All of them must agree; the stream records it and refuses a mismatch.
 */
export const ScaleTopologyConfig = z.object({
  stream: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, { error: 'must be letters, digits, _ and -' })
    .default('DG_EVENTS')
    .describe('JetStream stream name'),
  subjectPrefix: z
    .string()
    .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, { error: 'must be dot-separated tokens' })
    .default('dg.events')
    .describe('subject prefix (events go to PREFIX.<partition>)'),
  partitions: z
    .int({ error: 'must be a whole number' })
    .min(1)
    .max(1024)
    .default(16)
    .describe('partition count, fixed for the life of a stream (all publishers and workers must agree)'),
});
export type ScaleTopologyConfig = z.infer<typeof ScaleTopologyConfig>;

/**
 * How much the stream may hold, for the commands that create it (`worker`, `ingest --nats`).
 * The stream has work-queue retention: a message is deleted once its partition's worker
 * acknowledged it (after its commit), so it holds only the backlog; at the limit publishers are
 * refused (discard new) and wait, so nothing unprocessed is ever dropped. Unset, a new stream
 * gets the default and an existing one keeps its limit.
 */
export const ScaleStreamConfig = z.object({
  streamMaxMessages: z
    .int({ error: 'must be a whole number of at least 1000' })
    .min(1000, { error: 'must be a whole number of at least 1000' })
    .optional()
    .describe(
      'most unprocessed messages the stream holds, about 1.3 KB each; given, it updates an existing stream; publishers wait when it is full',
    )
    .meta({ flag: { value: 'n', defaultText: '10000000 for a new stream, unchanged for an existing one' } }),
});
export type ScaleStreamConfig = z.infer<typeof ScaleStreamConfig>;
