import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** The client left (or stopped reading for too long) before its answer was complete. */
export class ClientGone extends Error {
  constructor(readonly stalled: boolean) {
    super(stalled ? 'client stopped reading' : 'client disconnected');
  }
}

/**
 * What undici and UpstreamSlots need of an abort signal (`aborted`, `reason`, an 'abort' event).
 * An EventEmitter rather than an AbortController: one AbortController plus its EventTarget
 * listeners per request was the single largest cost the gateway added over a bare proxy.
 */
export class ClientSignal extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;

  /** Fire once: undici aborts the upstream request, a waiting slot gives up. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }
}

/**
 * One client's side of an exchange. Its `signal` fires when the client goes away at any stage,
 * so the upstream request is aborted and its pool connection freed; writes wait for the client
 * to take each chunk, but never longer than `stallMs`, and never past the client leaving (a
 * handler waiting on 'drain' alone would wait forever and the exchange would go unrecorded).
 */
export class ClientLink {
  readonly signal = new ClientSignal();
  private goneReason: ClientGone | null = null;
  private endTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly res: ServerResponse,
    socketDestroyed: boolean,
    private readonly stallMs: number,
  ) {
    res.once('close', this.onClose);
    if (socketDestroyed) this.onClose();
  }

  /** Set once the client disconnected or was cut off for not reading. */
  get gone(): ClientGone | null {
    return this.goneReason;
  }

  // A response emits 'close' after 'finish' too, so this one listener also ends the end() timer.
  private readonly onClose = (): void => {
    if (this.endTimer) clearTimeout(this.endTimer);
    if (this.res.writableFinished) return;
    this.leave(new ClientGone(false));
  };

  private leave(reason: ClientGone): void {
    if (this.goneReason) return;
    this.goneReason = reason;
    this.signal.abort(reason);
    this.res.destroy();
  }

  /** Write and wait until the client can take more; throws ClientGone if it leaves or stalls. */
  async write(chunk: string | Buffer): Promise<void> {
    if (!this.writeNow(chunk)) await this.drained();
  }

  /**
   * Write without waiting: false when the client must take what it has first (then wait for
   * `drained`); throws ClientGone if it left. The streaming hot path, with no promise per chunk.
   */
  writeNow(chunk: string | Buffer): boolean {
    if (this.goneReason) throw this.goneReason;
    this.hold();
    return this.res.write(chunk);
  }

  /**
   * Gather this turn's writes into one send: the socket stays corked until the event loop's check
   * phase, or until `end`. The upstream's last events and the end of its stream usually arrive
   * together, so the answer's last bytes and the chunked terminator leave in one syscall rather
   * than two (Node uncorks on the next tick, before the end of the upstream's body is seen).
   */
  private hold(): void {
    if (this.corked) return;
    const socket = this.res.socket;
    if (!socket || socket.destroyed) return;
    this.corked = socket;
    socket.cork();
    setImmediate(this.release);
  }

  private corked: Socket | null = null;

  private readonly release = (): void => {
    const socket = this.corked;
    if (!socket) return;
    this.corked = null;
    socket.uncork();
  };

  /** Resolves once the client took what was written; rejects with ClientGone if it leaves or stalls. */
  drained(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const settle = (): void => {
        clearTimeout(timer);
        this.res.off('drain', settle);
        this.res.off('close', settle);
        this.res.off('error', settle);
        if (this.goneReason) reject(this.goneReason);
        else if (this.res.destroyed) reject(new ClientGone(false));
        else resolve();
      };
      const timer = setTimeout(() => {
        this.leave(new ClientGone(true));
        settle();
      }, this.stallMs);
      this.res.on('drain', settle);
      this.res.on('close', settle);
      this.res.on('error', settle);
    });
  }

  /** End the answer; a client that does not take its last bytes within `stallMs` is cut off. */
  end(chunk?: string | Buffer): void {
    if (this.goneReason) return;
    if (chunk === undefined) this.res.end();
    else this.res.end(chunk);
    this.release();
    // Every byte already handed to the kernel: nothing is left for a stalled client to hold up,
    // and 'close' follows on its own. Otherwise cut the client off if it has not taken the rest
    // in time (cleared by onClose).
    if (this.res.writableFinished || (this.res.socket && this.res.writableLength === 0)) return;
    this.endTimer = setTimeout(() => this.leave(new ClientGone(true)), this.stallMs);
    this.endTimer.unref();
  }
}
