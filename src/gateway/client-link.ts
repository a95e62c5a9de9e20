import type { ServerResponse } from 'node:http';

/** The client left (or stopped reading for too long) before its answer was complete. */
export class ClientGone extends Error {
  constructor(readonly stalled: boolean) {
    super(stalled ? 'client stopped reading' : 'client disconnected');
  }
}

/**
 * One client's side of an exchange. Its `signal` fires when the client goes away at any stage,
 * so the upstream request is aborted and its pool connection freed; writes wait for the client
 * to take each chunk, but never longer than `stallMs`, and never past the client leaving (a
 * handler waiting on 'drain' alone would wait forever and the exchange would go unrecorded).
 */
export class ClientLink {
  private readonly abort = new AbortController();
  private goneReason: ClientGone | null = null;

  constructor(
    private readonly res: ServerResponse,
    socketDestroyed: boolean,
    private readonly stallMs: number,
  ) {
    res.once('close', this.onClose);
    if (socketDestroyed) this.onClose();
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Set once the client disconnected or was cut off for not reading. */
  get gone(): ClientGone | null {
    return this.goneReason;
  }

  private readonly onClose = (): void => {
    if (this.res.writableFinished) return;
    this.leave(new ClientGone(false));
  };

  private leave(reason: ClientGone): void {
    if (this.goneReason) return;
    this.goneReason = reason;
    this.abort.abort(reason);
    this.res.destroy();
  }

  /** Write and wait until the client can take more; throws ClientGone if it leaves or stalls. */
  async write(chunk: string | Buffer): Promise<void> {
    if (this.goneReason) throw this.goneReason;
    if (this.res.write(chunk)) return;
    await new Promise<void>((resolve, reject) => {
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
    const timer = setTimeout(() => this.leave(new ClientGone(true)), this.stallMs);
    timer.unref();
    this.res.once('finish', () => clearTimeout(timer));
    this.res.once('close', () => clearTimeout(timer));
    if (chunk === undefined) this.res.end();
    else this.res.end(chunk);
  }
}
