import type { AccountRecord, ApiEvent } from '../contracts/index.js';
import type { EventLineView } from './event-line-scanner.js';
import { IngestReport } from './ingest-report.js';
import {
  canReadPartitioned,
  PartitionLineProcessor,
  readEventsPartitioned,
  type PartitionChannel,
  type PartitionedReadOptions,
} from './partitioned-read.js';
import { readAccountBatches, readEventBatches, type IngestOptions } from './read-events.js';

/** Where the records of a single-threaded read go, in file order. */
export interface InputTarget {
  /** Valid account records, every accounts file before any event. */
  accounts: (records: AccountRecord[]) => void | Promise<void>;
  /** Valid events in batches; a returned promise holds the reader back until it settles. */
  events: (batch: ApiEvent[]) => void | Promise<void>;
  /**
   * Lines the byte scanner vouched for as valid events, handed over without a JSON.parse. Given,
   * NDJSON input takes the scanned-line fast path (the others still arrive through `events`);
   * the view is reused for the next line, so it is used at once, not kept. On that path the
   * consumer is synchronous: what `accounts` and `events` return is not waited for.
   */
  line?: (view: EventLineView) => void;
}

export interface ReadInputOptions extends IngestOptions, Pick<PartitionedReadOptions, 'accounts'> {}

/**
 * The one read entry point: event files in every format (NDJSON/JSONL, CSV, OTLP/JSON, gateway and
 * observability logs, Parquet; plain or gzip) and account files, validated, de-duplicated, rejected lines to the quarantine and every
 * count in the returned report, whoever reads (analyze, validate, ingest, partition threads).
 *
 * `into` is a consumer on this thread, or partition channels (worker threads): then the reading
 * thread only routes raw NDJSON lines by account and the channels parse them (NDJSON only:
 * check with canReadPartitioned first). Every route gives the same report, reject reasons and
 * quarantine (partitioned-read.test).
 */
export async function readInput(
  paths: readonly string[],
  into: InputTarget | readonly PartitionChannel[],
  opts: ReadInputOptions = {},
): Promise<IngestReport> {
  const report = opts.report ?? new IngestReport();
  if (isChannels(into)) {
    if (!(await canReadPartitioned(paths, opts)))
      throw new Error('partitioned reading takes NDJSON input only; check canReadPartitioned first');
    return readEventsPartitioned(paths, into, { ...opts, report });
  }
  if (into.line && (await canReadPartitioned(paths, opts)))
    return readEventsPartitioned(paths, [inThreadChannel(into, into.line, opts)], { ...opts, report });
  for (const file of opts.accounts ?? []) {
    const accounts = readAccountBatches(file, {
      quarantine: opts.quarantine,
      report,
      onProgress: opts.onProgress,
    });
    for await (const batch of accounts) await into.accounts(batch);
  }
  for await (const batch of readEventBatches(paths, { ...opts, report })) await into.events(batch);
  return report;
}

const isChannels = (into: InputTarget | readonly PartitionChannel[]): into is readonly PartitionChannel[] =>
  Array.isArray(into);

/**
 * One partition on this thread: the partitioned reader's routing without threads, so lines it
 * scanned as valid events reach the consumer unparsed.
 */
function inThreadChannel(
  target: InputTarget,
  line: (view: EventLineView) => void,
  opts: ReadInputOptions,
): PartitionChannel {
  const lines = new PartitionLineProcessor({ dedupe: opts.dedupe, maxLineBytes: opts.maxLineBytes });
  // Lines the scanner did not vouch for are parsed and arrive one by one, in line order.
  const event = (e: ApiEvent): void => void target.events([e]);
  return {
    addAccounts: (records) => void target.accounts(records),
    send: (batch) => Promise.resolve(lines.process(batch, event, line)),
    hasId: (id) => Promise.resolve(lines.hasId(id)),
  };
}
