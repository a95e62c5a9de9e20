import type { MessagePort } from 'node:worker_threads';
import type { AccountRecord, ApiEvent } from '../contracts/index.js';
import { DetectionEngine } from '../findings/index.js';
import { PartitionLineProcessor, type EventLineView } from '../ingest/index.js';
import type {
  EngineReply,
  EngineRequest,
  EngineThreadData,
  EventPortMessage,
} from './engine-thread-protocol.js';
import type { UnusableRecord } from './live/findings-engine.js';
import { FindingsDeltaEncoder, packedEdgesTransfer } from './live/findings-delta.js';

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
  /** Events taken in from event ports, and the ports still open. */
  private portEvents = 0;
  private openPorts = 0;
  /** Analyze requests waiting for events handed over on a port before they were asked. */
  private deferred: Extract<EngineRequest, { type: 'analyze' }>[] = [];
  /** What the last scoring round handed over, so the next hands over only what changed. */
  private readonly delta = new FindingsDeltaEncoder();

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
        if (this.deferred.length > 0 || this.waitsForPorts(msg)) return void this.deferred.push(msg);
        return this.analyze(msg);
      case 'port':
        return this.attach(msg.port);
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
      this.take(events, unusable);
    } finally {
      this.reply({ type: 'ack', id, unusable });
    }
  }

  private take(events: readonly ApiEvent[], unusable: UnusableRecord[]): void {
    for (const e of events) {
      try {
        this.engine.addEvent(e);
      } catch (err) {
        unusable.push({ kind: 'event', id: String(e?.id), message: messageOf(err) });
      }
    }
  }

  /** Events from another thread arrive on `port`; each batch is reported taken to the owner. */
  private attach(port: MessagePort): void {
    this.openPorts++;
    port.on('message', (m: EventPortMessage) => {
      const unusable: UnusableRecord[] = [];
      try {
        this.take(m.events, unusable);
      } finally {
        this.portEvents += m.events.length;
        this.reply({ type: 'taken', events: m.events.length, unusable });
        this.runDeferred();
      }
    });
    // The other thread stopped: what it posted has arrived, so nothing more is worth waiting for.
    port.once('close', () => {
      this.openPorts--;
      this.runDeferred();
    });
  }

  private waitsForPorts(msg: Extract<EngineRequest, { type: 'analyze' }>): boolean {
    return this.openPorts > 0 && (msg.handedOver ?? 0) > this.portEvents;
  }

  private runDeferred(): void {
    while (this.deferred.length > 0 && !this.waitsForPorts(this.deferred[0]!))
      this.analyze(this.deferred.shift()!);
  }

  private analyze(msg: Extract<EngineRequest, { type: 'analyze' }>): void {
    this.answer(msg.id, () => {
      const d = this.engine.analyze({ rejectedLines: msg.rejectedLines });
      const delta = this.delta.encode(d, msg.base ?? 0);
      // Serialised here, not on the asking thread, where 2.4 MB of JSON took 8–40 ms of its loop.
      return msg.text
        ? { type: 'result', id: msg.id, delta, text: JSON.stringify(d.findings) }
        : { type: 'result', id: msg.id, delta };
    });
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
    else if (reply.type === 'result') this.reply(reply, packedEdgesTransfer(reply.delta.edges));
    else this.reply(reply);
  }
}
