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
  private readonly decoder = new Utf8Stream();

  push(chunk: Uint8Array): SseEvent[] {
    this.pending += this.decoder.decode(chunk);
    return this.drain(false);
  }

  end(): SseEvent[] {
    this.pending += this.decoder.end();
    return this.drain(true);
  }

  private drain(final: boolean): SseEvent[] {
    const out: SseEvent[] = [];
    const text = this.pending;
    // Without a CR the separator can only be a blank line "\n\n": indexOf, not the regex. Events
    // are cut out of `text` from a moving offset, so the rest is not copied once per event.
    const lf = text.indexOf('\r') === -1;
    const sep = /\r?\n\r?\n/g;
    let at = 0;
    for (;;) {
      let end: number;
      if (lf) {
        const i = text.indexOf('\n\n', at);
        if (i === -1) break;
        end = i + 2;
      } else {
        sep.lastIndex = at;
        const m = sep.exec(text);
        if (!m) break;
        end = m.index + m[0].length;
      }
      const ev = parseSseEvent(text.slice(at, end));
      at = end;
      if (ev) out.push(ev);
    }
    this.pending = at === 0 ? text : text.slice(at);
    if (final && this.pending.trim() !== '') {
      const ev = parseSseEvent(`${this.pending}\n\n`);
      this.pending = '';
      if (ev) out.push(ev);
    }
    return out;
  }
}

/**
 * UTF-8 bytes to text, chunk by chunk, as `new TextDecoder().decode(chunk, { stream: true })` does
 * (a character split across chunks is held back whole, a leading BOM is dropped, invalid bytes
 * become U+FFFD), at a fraction of its cost: a TextDecoder per streamed answer cost more than
 * everything else the gateway does with the stream.
 */
export class Utf8Stream {
  private tail: Buffer | null = null;
  private started = false;

  decode(chunk: Uint8Array): string {
    let bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.tail) {
      bytes = Buffer.concat([this.tail, bytes]);
      this.tail = null;
    }
    const whole = wholeLength(bytes);
    if (whole < bytes.length) this.tail = Buffer.from(bytes.subarray(whole));
    return this.text(bytes.toString('utf8', 0, whole));
  }

  /** What is left: an incomplete last character becomes U+FFFD. */
  end(): string {
    const rest = this.tail ? this.tail.toString('utf8') : '';
    this.tail = null;
    return this.text(rest);
  }

  private text(s: string): string {
    if (this.started || s === '') return s;
    this.started = true;
    return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
  }
}

/** How many leading bytes hold whole UTF-8 sequences: an incomplete last sequence is left out. */
function wholeLength(b: Buffer): number {
  const n = b.length;
  let i = n - 1;
  // Back over at most three continuation bytes to the byte that leads the last sequence.
  while (i >= 0 && n - i <= 3 && (b[i]! & 0xc0) === 0x80) i--;
  if (i < 0) return n;
  const lead = b[i]!;
  const need =
    lead >= 0xf0 && lead <= 0xf4 ? 4 : lead >= 0xe0 && lead < 0xf0 ? 3 : lead >= 0xc2 && lead < 0xe0 ? 2 : 1;
  return n - i >= need ? n : i;
}

function parseSseEvent(raw: string): SseEvent | null {
  // What model APIs send: one `data: ` line, then the blank line. The same event the general
  // parse below makes of it, without splitting and joining lines.
  const nl = raw.indexOf('\n');
  if (nl === raw.length - 2 && raw.startsWith('data: ') && raw.charCodeAt(nl - 1) !== 13)
    return { data: raw.slice(6, nl), raw };
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
