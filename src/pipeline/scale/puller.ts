import {
  createInbox,
  type JsMsg,
  type Msg,
  type NatsConnection,
  type NatsError,
  type Subscription,
} from 'nats';
// Not re-exported by the package root; the same wrapper its own pull consumers use.
import { toJsMsg } from 'nats/lib/jetstream/jsmsg.js';

/**
 * How a puller keeps what it holds in progress: a message's ack wait runs from its delivery, and
 * one held longer (buffered behind a slow batch, waiting for its turn, applied by a slow commit)
 * would be delivered again, pulled, decoded and dropped a second time. Bounded, so a stuck worker
 * does not keep messages from the partition's next owner: only while `holding()` (the worker
 * holds the partition's lease), and no message longer than `maxHoldMs` after its delivery.
 */
export interface InProgressPolicy {
  /** The consumer's ack wait (ms): messages are marked about twice in it. */
  ackWaitMs: number;
  /** A message is no longer marked once it has been held this long (ms). */
  maxHoldMs: number;
  holding(): boolean;
  /** Told how many messages one round marked. */
  onMarked?(marked: number): void;
}

/**
 * Pulls one partition's durable consumer through one subscription, kept while the partition is
 * leased. The client's `consumer.fetch()` subscribes per fetch and unsubscribes on a timer of its
 * own (expires + 5 %, started before the pull request is even written): when the event loop is
 * busy (another partition's batch), the request reaches the server late, the client's timer ends
 * first, and what the server then delivers goes to an inbox nobody reads. Those deliveries stay
 * unacknowledged until the ack wait (30 s) and hold the partition back. Here every delivery lands
 * in the buffer, however late; only a lost connection can lose one (and the worker's outstanding
 * check then holds the batch back, as it must for order).
 */
export class PartitionPuller {
  private readonly inbox: string;
  private readonly sub: Subscription;
  private readonly buffer: JsMsg[] = [];
  /** The open pull request: messages it may still deliver, and when to stop waiting for its end. */
  private open: { owed: number; deadline: number } | null = null;
  private wake: (() => void) | null = null;
  private failure: Error | null = null;
  /** Highest consumer delivery sequence received: the server's is higher only while some are in transit (or lost). */
  lastDelivery = 0;
  /** When the last delivery arrived (ms). */
  private receivedAt = 0;
  /** When each buffered or handed-out message arrived (its ack wait runs from about then) and was last marked. */
  private readonly times = new WeakMap<JsMsg, { arrived: number; marked: number }>();
  /** Messages handed out and not yet settled (the batch being checked, waiting or applied). */
  private handedOut: JsMsg[] = [];
  private readonly keeper: ReturnType<typeof setInterval> | null = null;
  /** What this subscription saw, for the held-back batch log: pull requests, their ends, deliveries. */
  readonly trace = {
    requests: 0,
    ends: {} as Record<string, number>,
    strayEnds: 0,
    delivered: 0,
    redelivered: 0,
  };

  constructor(
    private readonly nc: NatsConnection,
    private readonly stream: string,
    private readonly consumer: string,
    private readonly ackTimeoutMs = 5000,
    private readonly inProgress?: InProgressPolicy,
  ) {
    this.inbox = createInbox();
    this.sub = nc.subscribe(this.inbox, { callback: (err, msg) => this.receive(err, msg) });
    if (inProgress) {
      this.keeper = setInterval(() => this.markInProgress(), Math.max(50, inProgress.ackWaitMs / 4));
      this.keeper.unref();
    }
  }

  /** Messages received and not yet handed out by `fetch`. */
  get buffered(): number {
    return this.buffer.length;
  }

  /**
   * Up to `max` messages in delivery order: what is buffered, topped up by one pull request that
   * waits up to `expiresMs` for new messages. Resolves once that request is over (full, or
   * expired on the server), or after twice its wait when its end never arrives (a reconnect), or,
   * with `idleMs`, once messages are in hand and none arrived for `idleMs`: the request stays open
   * and what it still delivers waits in the buffer for the next fetch. Why: a pull lasts up to its
   * expiry, so the last events of a burst would wait out the rest of it before being applied;
   * while traffic flows, deliveries come milliseconds apart and batches stay whole.
   */
  async fetch(max: number, expiresMs: number, idleMs = 0): Promise<JsMsg[]> {
    this.rethrow();
    if (this.buffer.length < max && this.open === null) {
      const batch = max - this.buffer.length;
      this.open = { owed: batch, deadline: Date.now() + 2 * expiresMs + 1000 };
      this.trace.requests++;
      this.nc.publish(
        `$JS.API.CONSUMER.MSG.NEXT.${this.stream}.${this.consumer}`,
        JSON.stringify({ batch, expires: expiresMs * 1_000_000 }),
        { reply: this.inbox },
      );
    }
    while (this.open !== null && this.buffer.length < max && this.failure === null) {
      const now = Date.now();
      const left = this.open.deadline - now;
      if (left <= 0) {
        // Its end was lost: a new request may be sent; anything the old one still delivers is kept.
        this.open = null;
        break;
      }
      const quiet = idleMs > 0 && this.buffer.length > 0 ? this.receivedAt + idleMs - now : Infinity;
      if (quiet <= 0) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, quiet));
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.wake = done;
      });
      this.wake = null;
    }
    this.rethrow();
    return this.handOut(this.buffer.splice(0, max));
  }

  /**
   * The messages handed out so far are settled (acknowledged after their commit, or dropped as
   * copies): they are no longer kept in progress.
   */
  settled(): void {
    this.handedOut = [];
  }

  /**
   * Waits for the open pull request to end (or its deadline) and returns everything received.
   * A partition given up gracefully drains first: what an open request delivers after the
   * subscription closed would wait out the ack wait before its next owner could take it.
   */
  async drain(): Promise<JsMsg[]> {
    while (this.open !== null && this.failure === null) {
      const left = this.open.deadline - Date.now();
      if (left <= 0) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.wake = done;
      });
      this.wake = null;
    }
    this.open = null;
    return this.handOut(this.buffer.splice(0));
  }

  /**
   * Waits up to `ms` for deliveries up to consumer sequence `upTo` (ones the server sent that are
   * still in transit). True when they all arrived.
   */
  async settle(upTo: number, ms: number): Promise<boolean> {
    const until = Date.now() + ms;
    while (this.lastDelivery < upTo && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    return this.lastDelivery >= upTo;
  }

  /**
   * The buffered messages delivered at or before consumer sequence `upTo` (received after the
   * last fetch ended). Later ones stay: a request still open may be delivering them right now.
   */
  takeUpTo(upTo: number): JsMsg[] {
    const taken: JsMsg[] = [];
    const kept: JsMsg[] = [];
    for (const m of this.buffer) (m.info.deliverySequence <= upTo ? taken : kept).push(m);
    this.buffer.splice(0, this.buffer.length, ...kept);
    return this.handOut(taken);
  }

  /** Stops the subscription; unacknowledged messages (handed out or buffered) return after the ack wait. */
  close(): void {
    if (this.keeper) clearInterval(this.keeper);
    this.sub.unsubscribe();
    this.buffer.length = 0;
    this.handedOut = [];
    this.open = null;
    this.wake?.();
  }

  private handOut(msgs: JsMsg[]): JsMsg[] {
    this.handedOut.push(...msgs);
    return msgs;
  }

  /**
   * Marks the messages held (buffered or handed out) that were not marked for a quarter of the
   * ack wait: with a round every quarter, each is marked at most about half an ack wait apart. A
   * mark after the acknowledgement is not sent (the client sends nothing after a final ack).
   */
  private markInProgress(): void {
    const p = this.inProgress!;
    if (!p.holding()) return;
    const now = Date.now();
    let marked = 0;
    try {
      for (const m of [...this.buffer, ...this.handedOut]) {
        const t = this.times.get(m);
        if (!t || now - t.marked < p.ackWaitMs / 4 || now - t.arrived > p.maxHoldMs) continue;
        m.working();
        t.marked = now;
        marked++;
      }
    } catch {
      // The connection is closing (a timer, not the loop: nothing to throw to). Unmarked
      // messages come back after their ack wait, as from any worker that stopped.
    }
    if (marked > 0) p.onMarked?.(marked);
  }

  /** The subscription's failure (set by its callback, so not visible to narrowing). */
  private rethrow(): void {
    const failure: Error | null = this.failure;
    if (failure) throw failure;
  }

  private receive(err: NatsError | null, msg: Msg): void {
    if (err) {
      this.failure = err;
    } else if (msg.subject === this.inbox) {
      // A status: 100 heartbeat (never asked for), else the request is over: 404/408 nothing
      // (more) before it expired, 409 ended by the server (max waiting, leadership change,
      // consumer deleted: the next request answers for itself).
      const code = msg.headers?.code ?? 0;
      if (code === 100) return;
      this.trace.ends[code] = (this.trace.ends[code] ?? 0) + 1;
      if (this.open === null) this.trace.strayEnds++;
      if (code === 409 && /consumer deleted/i.test(msg.headers?.description ?? ''))
        this.failure = new Error(`consumer ${this.consumer} was deleted`);
      this.open = null;
    } else {
      const m = toJsMsg(msg, this.ackTimeoutMs);
      this.trace.delivered++;
      if (m.redelivered) this.trace.redelivered++;
      this.lastDelivery = Math.max(this.lastDelivery, m.info.deliverySequence);
      this.receivedAt = Date.now();
      this.times.set(m, { arrived: this.receivedAt, marked: this.receivedAt });
      this.buffer.push(m);
      if (this.open !== null && --this.open.owed <= 0) this.open = null;
    }
    this.wake?.();
  }
}
