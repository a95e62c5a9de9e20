import type { AccountRecord, ApiEvent } from '../contracts/index.js';
import { DetectionEngine } from '../findings/index.js';
import { PartitionLineProcessor, type EventLineView } from '../ingest/index.js';
import type { EngineReply, EngineRequest, EngineThreadData } from './engine-thread-protocol.js';
import type { UnusableRecord } from './live/findings-engine.js';

const messageOf = (err: unknown): string =>
  err instanceof Error ? `${err.name}: ${err.message}` : String(err);

/**
 * The thread side of the engine-thread protocol, apart from the thread itself (engine-thread.ts
 * wires it to its port), so a test can drive it in process.
 */
export class EngineThreadHost {
  private readonly engine: DetectionEngine;
  private readonly lines: PartitionLineProcessor;
  private readonly addEvent: (e: ApiEvent) => void;
  private readonly addLine: (l: EventLineView) => void;

  constructor(
    data: EngineThreadData,
    private readonly reply: (msg: EngineReply, transfer?: ArrayBuffer[]) => void,
  ) {
    this.engine = new DetectionEngine(data.config);
    this.lines = new PartitionLineProcessor(data.ingest);
    this.addEvent = this.engine.addEvent.bind(this.engine);
    this.addLine = this.engine.addLine.bind(this.engine);
  }

  handle(msg: EngineRequest): void {
    switch (msg.type) {
      case 'events':
        return this.events(msg.id, msg.events);
      case 'accounts':
        return this.accounts(msg.records);
      case 'benign':
        for (const id of msg.accountIds) this.engine.addBenignReference(id);
        return;
      case 'lines':
        return this.answer(msg.id, () => ({
          type: 'lines',
          id: msg.id,
          result: this.lines.process(msg.batch, this.addEvent, this.addLine),
        }));
      case 'has':
        return this.answer(msg.id, () => ({ type: 'has', id: msg.id, has: this.lines.hasId(msg.eventId) }));
      case 'analyze':
        return this.answer(msg.id, () => {
          const d = this.engine.analyze({ rejectedLines: msg.rejectedLines });
          return { type: 'result', id: msg.id, findings: d.findings, edges: d.edges };
        });
      case 'export':
        return this.answer(msg.id, () => ({
          type: 'state',
          id: msg.id,
          state: this.engine.exportPartition(),
        }));
    }
  }

  /**
   * One event the engine throws on is skipped and reported; the batch is always acknowledged, so
   * its in-flight slot in the sending thread is released whatever happens here.
   */
  private events(id: number, events: readonly ApiEvent[]): void {
    const unusable: UnusableRecord[] = [];
    try {
      for (const e of events) {
        try {
          this.engine.addEvent(e);
        } catch (err) {
          unusable.push({ kind: 'event', id: String(e?.id), message: messageOf(err) });
        }
      }
    } finally {
      this.reply({ type: 'ack', id, unusable });
    }
  }

  private accounts(records: readonly AccountRecord[]): void {
    const unusable: UnusableRecord[] = [];
    for (const r of records) {
      try {
        this.engine.addAccount(r);
      } catch (err) {
        unusable.push({ kind: 'account', id: String(r?.account_id), message: messageOf(err) });
      }
    }
    if (unusable.length > 0) this.reply({ type: 'unusable', unusable });
  }

  /** Runs a request that has a reply; its failure is the reply instead. */
  private answer(id: number, run: () => EngineReply): void {
    let reply: EngineReply;
    try {
      reply = run();
    } catch (err) {
      this.reply({ type: 'error', id, message: messageOf(err) });
      return;
    }
    // The partition state's kernel sums are moved, not copied.
    if (reply.type === 'state') this.reply(reply, [reply.state.kernels.buffer as ArrayBuffer]);
    else this.reply(reply);
  }
}
