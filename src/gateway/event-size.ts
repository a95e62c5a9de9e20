import type { ApiEvent, Message } from '../contracts/index.js';

/** Appended to every text the gateway cut, so a reader sees the cut in the text itself. */
export const truncationMarker = (omittedBytes: number): string =>
  ` …[truncated by the DistillGuard gateway: ${omittedBytes} bytes omitted]`;

/** Room left for the markers and the `truncated` flag when aiming under the limit. */
const SLACK_BYTES = 4096;
const MAX_ROUNDS = 3;

const serialisedBytes = (s: string): number => Buffer.byteLength(JSON.stringify(s));

/** `text` cut so that it serialises to at most `budget` bytes, never inside a surrogate pair. */
function cutTo(text: string, budget: number): string {
  if (budget <= 2) return '';
  const full = serialisedBytes(text);
  if (full <= budget) return text;
  // Serialised bytes per character is roughly even for real text: estimate, then shrink (bounded).
  let n = Math.floor((text.length * (budget - 2)) / full);
  for (let i = 0; i < 8 && n > 0; i++) {
    if (n < text.length && /[\uD800-\uDBFF]/.test(text.charAt(n - 1))) n--;
    if (serialisedBytes(text.slice(0, n)) <= budget) return text.slice(0, n);
    n = Math.floor(n * 0.8);
  }
  return '';
}

interface Slot {
  get(): string;
  set(v: string): void;
}

function textSlots(ev: ApiEvent): Slot[] {
  const slots: Slot[] = [];
  for (const m of ev.request.messages) {
    if (typeof m.content === 'string') {
      slots.push({ get: () => m.content as string, set: (v) => (m.content = v) });
    } else {
      for (const p of m.content)
        if (typeof p.text === 'string') slots.push({ get: () => p.text ?? '', set: (v) => (p.text = v) });
    }
  }
  const r = ev.response;
  if (r && typeof r.text === 'string') slots.push({ get: () => r.text ?? '', set: (v) => (r.text = v) });
  return slots;
}

/** Cut the longest texts down to a common cap until `excess` bytes are gone (water-filling). */
function cutLongest(slots: Slot[], excess: number): void {
  const sizes = slots.map((s) => serialisedBytes(s.get()));
  const sorted = [...sizes].sort((a, b) => b - a);
  // The cap c: the sum over slots of max(0, size - c) must reach `excess`.
  let cap = 0;
  let above = 0;
  for (let i = 0; i < sorted.length; i++) {
    above += sorted[i]!;
    const next = sorted[i + 1] ?? 0;
    // With the first i+1 slots cut to `next`, this much would be gone:
    if (above - (i + 1) * next >= excess) {
      cap = Math.floor((above - excess) / (i + 1));
      break;
    }
  }
  slots.forEach((slot, i) => {
    if (sizes[i]! <= cap) return;
    const text = slot.get();
    const marker = truncationMarker(0).length + 12;
    const kept = cutTo(text, Math.max(0, cap - marker));
    slot.set(kept + truncationMarker(Buffer.byteLength(text) - Buffer.byteLength(kept)));
  });
}

const flatten = (m: Message): string =>
  typeof m.content === 'string' ? m.content : m.content.map((p) => p.text ?? `[${p.type}]`).join('\n');

/**
 * The event as one NDJSON line of at most `maxBytes` bytes (the server's line limit), so an
 * exchange whose prompt is over the limit is still recorded rather than refused. Over-long texts
 * (message contents, the answer) are cut, longest first, each with a visible marker, and the
 * event's `gateway.truncated` says so. If the conversation's structure alone is too big (very
 * many messages), only its last message is kept, cut to fit, and `gateway.messages_omitted` counts
 * the others. Cheap when the event fits (one length check).
 */
export function fitEvent(event: ApiEvent, maxBytes: number): { event: ApiEvent; line: string } {
  let line = JSON.stringify(event);
  if (line.length * 3 <= maxBytes || Buffer.byteLength(line) <= maxBytes) return { event, line };
  const ev = structuredClone(event);
  const flag = (extra: Record<string, unknown>): void => {
    const bag = ev as Record<string, unknown>;
    const gw = bag.gateway;
    bag.gateway = { ...(typeof gw === 'object' && gw !== null ? gw : {}), truncated: true, ...extra };
  };
  flag({});
  const target = maxBytes - SLACK_BYTES;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    line = JSON.stringify(ev);
    const bytes = Buffer.byteLength(line);
    if (bytes <= maxBytes) return { event: ev, line };
    cutLongest(textSlots(ev), bytes - target + round * SLACK_BYTES);
  }
  line = JSON.stringify(ev);
  if (Buffer.byteLength(line) <= maxBytes) return { event: ev, line };
  // The structure itself is too big: keep the last message, as text, cut to what is left.
  // From the original: the rounds above may have cut this message down to its marker.
  const messages = event.request.messages;
  const last = messages[messages.length - 1]!;
  const text = flatten(last);
  ev.request.messages = [{ role: last.role, content: '' }];
  flag({ messages_omitted: messages.length - 1 });
  const room = maxBytes - SLACK_BYTES - Buffer.byteLength(JSON.stringify(ev));
  const kept = cutTo(text, Math.max(0, room));
  ev.request.messages[0]!.content =
    kept.length === text.length
      ? text
      : kept + truncationMarker(Buffer.byteLength(text) - Buffer.byteLength(kept));
  line = JSON.stringify(ev);
  // Still over (only the non-content fields are left): sent as is, the server's reason lands in .rejected.
  return { event: ev, line };
}
