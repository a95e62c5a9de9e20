/** One server-sent event: its `event:` name (if any) and its joined `data:` lines. */
export interface SseEvent {
  event?: string;
  data: string;
  /** The event exactly as received, to pass through untouched. */
  raw: string;
}

/**
 * Splits a byte stream into whole SSE events as chunks arrive. Only an incomplete trailing event
 * is held back, so streaming latency is one event, never the whole response.
 */
export class SseFramer {
  private pending = '';
  private readonly decoder = new TextDecoder();

  push(chunk: Uint8Array): SseEvent[] {
    this.pending += this.decoder.decode(chunk, { stream: true });
    return this.drain(false);
  }

  end(): SseEvent[] {
    this.pending += this.decoder.decode();
    return this.drain(true);
  }

  private drain(final: boolean): SseEvent[] {
    const out: SseEvent[] = [];
    for (;;) {
      const m = /\r?\n\r?\n/.exec(this.pending);
      if (!m) break;
      const raw = this.pending.slice(0, m.index + m[0].length);
      this.pending = this.pending.slice(m.index + m[0].length);
      const ev = parseSseEvent(raw);
      if (ev) out.push(ev);
    }
    if (final && this.pending.trim() !== '') {
      const ev = parseSseEvent(`${this.pending}\n\n`);
      this.pending = '';
      if (ev) out.push(ev);
    }
    return out;
  }
}

function parseSseEvent(raw: string): SseEvent | null {
  let event: string | undefined;
  const data: string[] = [];
  for (const line of raw.split(/\r?\n/)) {
    if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
    else if (line.startsWith('event:')) event = line.slice(6).trim();
  }
  if (data.length === 0 && event === undefined) return { data: '', raw };
  return event === undefined ? { data: data.join('\n'), raw } : { event, data: data.join('\n'), raw };
}

export function formatSse(data: string, event?: string): string {
  return `${event ? `event: ${event}\n` : ''}data: ${data}\n\n`;
}
