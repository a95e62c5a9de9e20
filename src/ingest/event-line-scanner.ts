import { isAscii, isUtf8 } from 'node:buffer';
import { MAX_RECORD_DEPTH } from './nesting-depth.js';
import { unstorableText } from '../contracts/index.js';

/**
 * A hand-written scanner of one NDJSON event line, for the analyze hot path. Why: JSON.parse
 * builds every object and string of the line (the response text, labels, usage …), the shape
 * check walks them again, and extracting features walks them a third time; that was over a third
 * of the CPU per event, much of it garbage collection. The scanner checks the line's syntax and
 * the fields the schema constrains in one pass over the bytes, and records where the fields the
 * detectors use are, so they are decoded only when needed (and repeated values not at all).
 *
 * It vouches only for lines it fully understands: valid UTF-8 and valid JSON, every field the
 * ApiEvent schema knows present with a value fastShapeCheck accepts, content given as strings, no
 * inline account, no duplicate or escaped keys. For those, JSON.parse plus validateEvent accept the
 * line too (event-line-scanner.test.ts checks this and compares the fields), so it may skip them.
 * For anything else `scan` returns false and the caller takes the ordinary path (decode,
 * JSON.parse, validateEvent), which reports and quarantines bad input exactly as before.
 */

/** A JSON string value: byte range of its contents (between the quotes) and its kind. */
export interface StringSlot {
  start: number;
  end: number;
  /** Only ASCII without escapes: the bytes are the UTF-16 code units. */
  plain: boolean;
}

/** Message roles as the scanner records them. */
const ROLE_SYSTEM = 1;
const ROLE_DEVELOPER = 2;
const ROLE_USER = 3;
const ROLE_ASSISTANT = 4;
const ROLE_TOOL = 5;
const ROLE_FUNCTION = 6;

// Byte classes inside a string: 0 ordinary, 1 quote, 2 backslash, 3 control (invalid), 4 non-ASCII.
const STR = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) STR[c] = 3;
STR[34] = 1;
STR[92] = 2;
for (let c = 0x80; c < 0x100; c++) STR[c] = 4;
const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;
const ESCAPE = new Uint8Array(256);
for (const c of '"\\/bfnrtu') ESCAPE[c.charCodeAt(0)] = 1;

const bytesOf = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
/**
 * Top-level keys of ApiEvent, then nested objects' keys; index = key id. In the zod schema's order:
 * event-schema-agreement.test.ts fails when a set differs from the schema's fields.
 */
export const SCANNED_KEYS = {
  top: [
    'id',
    'ts',
    'account_id',
    'api_key_id',
    'end_user_id',
    'model',
    'endpoint',
    'client',
    'request',
    'response',
    'usage',
    'account',
    'labels',
  ],
  client: ['ip', 'asn', 'country', 'user_agent'],
  request: ['messages', 'conversation_id', 'params'],
  params: ['temperature', 'top_p', 'max_tokens', 'n', 'logprobs', 'top_logprobs', 'stream', 'tools'],
  response: ['text', 'reasoning_tokens', 'finish_reason', 'refused'],
  usage: ['input_tokens', 'output_tokens'],
  labels: ['role', 'actor', 'campaign'],
  message: ['role', 'content'],
} as const;
type KeySet = keyof typeof SCANNED_KEYS;
const KEYS = SCANNED_KEYS;
const KEY_BYTES = Object.fromEntries(
  Object.entries(KEYS).map(([set, names]) => [set, names.map(bytesOf)]),
) as Record<KeySet, number[][]>;
/** The keys of each set by length (a few candidates each, compared in full). */
const KEYS_BY_LENGTH = Object.fromEntries(
  Object.entries(KEY_BYTES).map(([set, keys]) => {
    const byLength: number[][] = [];
    keys.forEach((k, i) => (byLength[k.length] ??= []).push(i));
    return [set, byLength];
  }),
) as Record<KeySet, number[][]>;
const PROTO = bytesOf('__proto__');
const ROLES: [number[], number][] = [
  [bytesOf('system'), ROLE_SYSTEM],
  [bytesOf('developer'), ROLE_DEVELOPER],
  [bytesOf('user'), ROLE_USER],
  [bytesOf('assistant'), ROLE_ASSISTANT],
  [bytesOf('tool'), ROLE_TOOL],
  [bytesOf('function'), ROLE_FUNCTION],
];
const LABEL_ROLES = [bytesOf('benign'), bytesOf('attacker')];
const TRUE = bytesOf('true');
const FALSE = bytesOf('false');
const NULL = bytesOf('null');
/**
 * Lines nested deeper than validation allows go to the ordinary path, which rejects them. The
 * scanner's depth counts the top-level object as 0, so a container at scanner depth d is at record
 * depth d + 1: refusing d >= MAX_RECORD_DEPTH vouches for exactly the depths validation accepts.
 */
const MAX_DEPTH = MAX_RECORD_DEPTH;
/** Messages per request whose system and developer texts are kept here; more go to JSON.parse. */
const MAX_SYSTEM_MESSAGES = 4;

const slot = (): StringSlot => ({ start: 0, end: 0, plain: true });
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A length limit on a string that is not plain: checked on its decoded text after the scan. */
interface LengthCheck {
  start: number;
  end: number;
  min: number;
  max: number;
}

/**
 * What the detectors need from a scanned event line, as byte ranges into `bytes` and numbers.
 * Absent optional strings have `start = -1`; absent numbers are NaN; absent booleans are null.
 */
export interface EventLineView {
  readonly bytes: Buffer;
  readonly id: StringSlot;
  /** The timestamp in epoch milliseconds (what Date.parse gives for it). */
  readonly tsMs: number;
  readonly accountId: StringSlot;
  readonly apiKeyId: StringSlot;
  readonly model: StringSlot;
  readonly ip: StringSlot;
  readonly asn: number;
  readonly userAgent: StringSlot;
  readonly conversationId: StringSlot;
  readonly temperature: number;
  readonly maxTokens: number;
  readonly n: number;
  readonly logprobs: boolean | null;
  readonly topLogprobs: number;
  readonly stream: boolean | null;
  /** Content of the last user message (start -1 when there is none). */
  readonly lastUser: StringSlot;
  /** Content of the user message before the last one (start -1 when there is none). */
  readonly previousUser: StringSlot;
  readonly userTurns: number;
  readonly assistantTurns: number;
  /** The last message is a user message (not a tool result or an assistant turn). */
  readonly endsWithUser: boolean;
  /** Contents of the system and developer messages, in order (the first `systemCount`). */
  readonly systems: readonly StringSlot[];
  readonly systemCount: number;
}

/** The decoded value of a string slot of a scanned line (as JSON.parse decodes it). */
export function slotText(bytes: Buffer, s: StringSlot): string {
  if (s.plain) return bytes.toString('latin1', s.start, s.end);
  // Valid UTF-8 (checked before any decoding); unlike TextDecoder, this keeps a leading U+FEFF.
  const raw = bytes.toString('utf8', s.start, s.end);
  // Escapes: JSON.parse of the literal gives exactly what it gave inside the whole line.
  return raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
}

/** The fields of one event line, as the scanner fills them and the record arrays give them back. */
class EventLineFields implements EventLineView {
  bytes: Buffer = Buffer.alloc(0);
  readonly id = slot();
  tsMs = NaN;
  readonly accountId = slot();
  readonly apiKeyId = slot();
  readonly model = slot();
  readonly ip = slot();
  asn = NaN;
  readonly userAgent = slot();
  readonly conversationId = slot();
  temperature = NaN;
  maxTokens = NaN;
  n = NaN;
  logprobs: boolean | null = null;
  topLogprobs = NaN;
  stream: boolean | null = null;
  readonly lastUser = slot();
  readonly previousUser = slot();
  userTurns = 0;
  assistantTurns = 0;
  endsWithUser = false;
  readonly systems: StringSlot[] = Array.from({ length: MAX_SYSTEM_MESSAGES }, slot);
  systemCount = 0;
}

/**
 * Scans event lines; after `scan` returns true, the fields describe that line (until the next
 * call).
 */
export class EventLineScanner extends EventLineFields {
  readonly ts = slot();

  private b: Buffer = this.bytes;
  private n_ = 0;
  private ascii = true;
  /** The next backslash at or after the scan position (n when none). */
  private backslash = 0;
  private plain = true;
  private num = 0;
  private readonly checks: LengthCheck[] = [];
  private nChecks = 0;

  /**
   * Scans one line (without its terminator). True when the line is a valid event this scanner
   * vouches for; false when the ordinary path must decide (it may still be valid).
   */
  scan(bytes: Buffer, maxLineBytes: number): boolean {
    if (bytes.length > maxLineBytes) return false;
    // A control character is invalid inside a string and rare outside one: such lines go to
    // JSON.parse. Checked four bytes at a time, natively for non-ASCII and backslashes, so the
    // string scan below is mostly the native indexOf of its closing quote.
    if (hasControl(bytes)) return false;
    this.ascii = isAscii(bytes);
    if (!this.ascii && !isUtf8(bytes)) return false;
    this.bytes = this.b = bytes;
    this.n_ = bytes.length;
    this.backslash = bytes.indexOf(92);
    if (this.backslash < 0) this.backslash = this.n_;
    this.nChecks = 0;
    this.reset();
    let i = this.ws(0);
    if (this.b[i] !== 123) return false;
    i = this.topObject(i);
    if (i < 0) return false;
    if (this.ws(i) !== this.n_) return false;
    for (let k = 0; k < this.nChecks; k++) {
      const c = this.checks[k]!;
      const len = this.decode(c.start, c.end).length;
      if (len < c.min || len > c.max) return false;
    }
    return this.tsCheck();
  }

  private decode(start: number, end: number): string {
    return slotText(this.b, { start, end, plain: false });
  }

  private reset(): void {
    for (const s of [this.id, this.ts, this.accountId, this.apiKeyId, this.model, this.ip]) s.start = -1;
    for (const s of [this.userAgent, this.conversationId, this.lastUser, this.previousUser]) s.start = -1;
    this.tsMs = this.asn = this.temperature = this.maxTokens = this.n = this.topLogprobs = NaN;
    this.logprobs = this.stream = null;
    this.userTurns = this.assistantTurns = this.systemCount = 0;
    this.endsWithUser = false;
  }

  private ws(i: number): number {
    const b = this.b;
    if (b[i]! > 32) return i;
    for (;;) {
      const c = b[i];
      if (c === 32 || c === 9 || c === 13 || c === 10) i++;
      else return i;
    }
  }

  /** At an opening quote: returns the index after the closing quote, or -1 (invalid string). */
  private string(i: number): number {
    const b = this.b;
    if (this.backslash > i && this.ascii) {
      // No escape before the next backslash: the closing quote is the next quote, if it comes first.
      // Short strings (keys, ids) are looked through here, longer ones with the native indexOf.
      let q = i + 1;
      const stop = Math.min(q + 24, this.n_);
      while (q < stop && b[q] !== 34) q++;
      if (q === stop) q = b.indexOf(34, q);
      if (q < 0) return -1;
      if (q < this.backslash) {
        this.plain = true;
        return q + 1;
      }
    }
    const n = this.n_;
    let k = i + 1;
    let plain = true;
    for (;;) {
      while (k < n && STR[b[k]!] === 0) k++;
      if (k >= n) return -1;
      const cls = STR[b[k]!]!;
      if (cls === 1) break;
      if (cls === 2) {
        plain = false;
        const e = b[k + 1] ?? 0;
        if (ESCAPE[e] === 0) return -1;
        if (e === 117) {
          if (!(HEX[b[k + 2] ?? 0] && HEX[b[k + 3] ?? 0] && HEX[b[k + 4] ?? 0] && HEX[b[k + 5] ?? 0]))
            return -1;
          k += 6;
        } else k += 2;
        continue;
      }
      if (cls === 3) return -1;
      plain = false;
      k++;
    }
    this.plain = plain;
    if (this.backslash <= k) {
      this.backslash = b.indexOf(92, k + 1);
      if (this.backslash < 0) this.backslash = n;
    }
    return k + 1;
  }

  /** Records the string at i into s; returns the index after it or -1. */
  private stringInto(i: number, s: StringSlot): number {
    if (this.b[i] !== 34) return -1;
    const end = this.string(i);
    if (end < 0) return -1;
    s.start = i + 1;
    s.end = end - 1;
    s.plain = this.plain;
    return end;
  }

  /** A string whose (UTF-16) length must be within [min, max]. */
  private boundedString(i: number, s: StringSlot, min: number, max: number): number {
    const end = this.stringInto(i, s);
    if (end < 0) return -1;
    if (s.plain) {
      const len = s.end - s.start;
      return len >= min && len <= max ? end : -1;
    }
    // Not plain means not empty (min is at most 1), and each UTF-16 unit takes at least one
    // byte of the raw text: a short enough raw string is within the limit.
    if (s.end - s.start <= max) return end;
    const c = (this.checks[this.nChecks] ??= { start: 0, end: 0, min: 0, max: 0 });
    this.nChecks++;
    c.start = s.start;
    c.end = s.end;
    c.min = min;
    c.max = max;
    return end;
  }

  /**
   * An id or account id. One written with escapes may decode to NUL or an unpaired surrogate,
   * which validateEvent refuses (invalid_text): such lines take the ordinary path.
   */
  private keyString(i: number, s: StringSlot): number {
    const end = this.boundedString(i, s, 1, 200);
    if (end < 0 || s.plain) return end;
    const backslash = this.b.indexOf(92, s.start);
    if (backslash < 0 || backslash >= s.end) return end;
    return unstorableText(this.decode(s.start, s.end)) === undefined ? end : -1;
  }

  /** A number: its value in this.num. Returns the index after it or -1. */
  private number(i: number): number {
    const b = this.b;
    const start = i;
    if (b[i] === 45) i++;
    const first = b[i];
    if (first === 48) i++;
    else if (first !== undefined && first >= 49 && first <= 57) {
      while ((b[i] ?? 0) >= 48 && (b[i] ?? 0) <= 57) i++;
    } else return -1;
    let simple = true;
    if (b[i] === 46) {
      simple = false;
      i++;
      const d = i;
      while ((b[i] ?? 0) >= 48 && (b[i] ?? 0) <= 57) i++;
      if (i === d) return -1;
    }
    if (b[i] === 101 || b[i] === 69) {
      simple = false;
      i++;
      if (b[i] === 43 || b[i] === 45) i++;
      const d = i;
      while ((b[i] ?? 0) >= 48 && (b[i] ?? 0) <= 57) i++;
      if (i === d) return -1;
    }
    const neg = b[start] === 45;
    if (simple && i - start - (neg ? 1 : 0) <= 15) {
      let v = 0;
      for (let k = neg ? start + 1 : start; k < i; k++) v = v * 10 + b[k]! - 48;
      this.num = neg ? -v : v;
    } else {
      // Number() and JSON.parse read a JSON number's text alike (the same correctly rounded double).
      this.num = Number(b.toString('latin1', start, i));
    }
    return i;
  }

  private literal(i: number, word: readonly number[]): number {
    const b = this.b;
    for (let k = 0; k < word.length; k++) if (b[i + k] !== word[k]) return -1;
    return i + word.length;
  }

  /** A JSON boolean at i; `set` gets its value (a malformed literal fails the line anyway). */
  private boolean(i: number, set?: (v: boolean) => void): number {
    const v = this.b[i] === 116;
    set?.(v);
    if (v) return this.literal(i, TRUE);
    return this.b[i] === 102 ? this.literal(i, FALSE) : -1;
  }

  /** Any JSON value (not inspected). Returns the index after it or -1. */
  private skipValue(i: number, depth: number): number {
    const b = this.b;
    const c = b[i];
    if (c === 34) return this.string(i);
    if (c === 123 || c === 91) {
      if (depth >= MAX_DEPTH) return -1;
      const close = c === 123 ? 125 : 93;
      i = this.ws(i + 1);
      if (b[i] === close) return i + 1;
      for (;;) {
        if (c === 123) {
          if (b[i] !== 34) return -1;
          i = this.string(i);
          if (i < 0) return -1;
          i = this.ws(i);
          if (b[i] !== 58) return -1;
          i = this.ws(i + 1);
        }
        i = this.skipValue(i, depth + 1);
        if (i < 0) return -1;
        i = this.ws(i);
        if (b[i] === 44) {
          i = this.ws(i + 1);
          continue;
        }
        return b[i] === close ? i + 1 : -1;
      }
    }
    if (c === 116) return this.literal(i, TRUE);
    if (c === 102) return this.literal(i, FALSE);
    if (c === 110) return this.literal(i, NULL);
    return this.number(i);
  }

  /**
   * An object with known keys: calls `field(keyIndex, valueStart)` for each known key (which
   * returns the index after the value, or -1), skips unknown keys' values. Known keys may appear
   * once; escaped keys and "__proto__" are left to JSON.parse. Returns the index after the object.
   */
  private object(i: number, set: KeySet, field: (key: number, at: number) => number, depth: number): number {
    const b = this.b;
    const keys = KEY_BYTES[set];
    const index = KEYS_BY_LENGTH[set];
    let seen = 0;
    i = this.ws(i + 1);
    if (b[i] === 125) {
      this.seen = 0;
      return i + 1;
    }
    for (;;) {
      if (b[i] !== 34) return -1;
      const end = this.string(i);
      if (end < 0 || !this.plain) return -1;
      const key = matchKey(b, i + 1, end - 1, keys, index);
      if (key === -2) return -1;
      i = this.ws(end);
      if (b[i] !== 58) return -1;
      i = this.ws(i + 1);
      if (key >= 0) {
        if (seen & (1 << key)) return -1;
        seen |= 1 << key;
        i = field(key, i);
      } else i = this.skipValue(i, depth + 1);
      if (i < 0) return -1;
      i = this.ws(i);
      if (b[i] === 44) {
        i = this.ws(i + 1);
        continue;
      }
      if (b[i] !== 125) return -1;
      this.seen = seen;
      return i + 1;
    }
  }

  /** Key bits found by the last object() call. */
  private seen = 0;

  private topObject(i: number): number {
    i = this.object(i, 'top', this.topField, 0);
    // Required: id, ts, account_id, model, request.
    const required = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 5) | (1 << 8);
    return i >= 0 && (this.seen & required) === required ? i : -1;
  }

  private readonly topField = (key: number, i: number): number => {
    switch (key) {
      case 0:
        return this.keyString(i, this.id);
      case 1:
        return this.stringInto(i, this.ts);
      case 2:
        return this.keyString(i, this.accountId);
      case 3:
        return this.boundedString(i, this.apiKeyId, 0, 200);
      case 4:
        return this.boundedString(i, scratch, 0, 200);
      case 5:
        return this.boundedString(i, this.model, 1, 200);
      case 6:
        return this.boundedString(i, scratch, 0, 100);
      case 7:
        return this.b[i] === 123 ? this.object(i, 'client', this.clientField, 1) : -1;
      case 8: {
        if (this.b[i] !== 123) return -1;
        const end = this.object(i, 'request', this.requestField, 1);
        // messages is required.
        return end >= 0 && this.seen & 1 ? end : -1;
      }
      case 9:
        return this.b[i] === 123 ? this.object(i, 'response', this.responseField, 1) : -1;
      case 10:
        return this.b[i] === 123 ? this.object(i, 'usage', this.usageField, 1) : -1;
      case 12:
        return this.b[i] === 123 ? this.object(i, 'labels', this.labelsField, 1) : -1;
      default:
        // An inline account record (merged into the account's record): the ordinary path.
        return -1;
    }
  };

  private readonly clientField = (key: number, i: number): number => {
    switch (key) {
      case 0:
        return this.boundedString(i, this.ip, 0, 64);
      case 1:
        return this.safeInt(i, 0, (v) => (this.asn = v));
      case 2: {
        // /^[A-Z]{2}$/: two capital ASCII letters, which can only be written plain.
        const end = this.stringInto(i, scratch);
        const b = this.b;
        const ok =
          end >= 0 &&
          scratch.plain &&
          scratch.end - scratch.start === 2 &&
          isCapital(b[scratch.start]!) &&
          isCapital(b[scratch.start + 1]!);
        return ok ? end : -1;
      }
      default:
        return this.boundedString(i, this.userAgent, 0, 1000);
    }
  };

  private readonly requestField = (key: number, i: number): number => {
    switch (key) {
      case 0:
        return this.messages(i);
      case 1:
        return this.boundedString(i, this.conversationId, 0, 200);
      default:
        return this.b[i] === 123 ? this.object(i, 'params', this.paramsField, 2) : -1;
    }
  };

  private readonly paramsField = (key: number, i: number): number => {
    switch (key) {
      case 0:
        return this.finite(i, 0, Infinity, (v) => (this.temperature = v));
      case 1:
        return this.finite(i, 0, 1, () => undefined);
      case 2:
        return this.safeInt(i, 0, (v) => (this.maxTokens = v));
      case 3:
        return this.safeInt(i, 1, (v) => (this.n = v));
      case 4:
        return this.boolean(i, (v) => (this.logprobs = v));
      case 5:
        return this.safeInt(i, 0, (v) => (this.topLogprobs = v));
      case 6:
        return this.boolean(i, (v) => (this.stream = v));
      default:
        return this.safeInt(i, 0, () => undefined);
    }
  };

  private readonly responseField = (key: number, i: number): number => {
    switch (key) {
      case 0:
      case 2:
        return this.stringInto(i, scratch);
      case 1:
        return this.safeInt(i, 0, () => undefined);
      default:
        return this.boolean(i);
    }
  };

  private readonly usageField = (_key: number, i: number): number => this.safeInt(i, 0, () => undefined);

  private readonly labelsField = (key: number, i: number): number => {
    const end = this.stringInto(i, scratch);
    if (end < 0 || key !== 0) return end;
    if (!scratch.plain) return -1;
    for (const role of LABEL_ROLES) if (equals(this.b, scratch.start, scratch.end, role)) return end;
    return -1;
  };

  private messages(i: number): number {
    const b = this.b;
    if (b[i] !== 91) return -1;
    i = this.ws(i + 1);
    if (b[i] === 93) return -1; // at least one message
    for (;;) {
      if (b[i] !== 123) return -1;
      i = this.message(i);
      if (i < 0) return -1;
      i = this.ws(i);
      if (b[i] === 44) {
        i = this.ws(i + 1);
        continue;
      }
      return b[i] === 93 ? i + 1 : -1;
    }
  }

  private role = 0;
  private readonly content = slot();

  private message(i: number): number {
    this.role = 0;
    this.content.start = -1;
    const end = this.object(i, 'message', this.messageField, 3);
    if (end < 0 || this.role === 0 || this.content.start < 0) return -1;
    const role = this.role;
    this.endsWithUser = role === ROLE_USER;
    if (role === ROLE_USER) {
      this.userTurns++;
      if (this.userTurns > 1) copySlot(this.lastUser, this.previousUser);
      copySlot(this.content, this.lastUser);
    } else if (role === ROLE_SYSTEM || role === ROLE_DEVELOPER) {
      if (this.systemCount === MAX_SYSTEM_MESSAGES) return -1;
      copySlot(this.content, this.systems[this.systemCount++]!);
    } else if (role === ROLE_ASSISTANT) this.assistantTurns++;
    return end;
  }

  private readonly messageField = (key: number, i: number): number => {
    if (key === 1) {
      // Content parts (an array) are left to the ordinary path.
      return this.stringInto(i, this.content);
    }
    const end = this.stringInto(i, scratch);
    if (end < 0 || !scratch.plain) return -1;
    for (const [name, code] of ROLES) {
      if (equals(this.b, scratch.start, scratch.end, name)) {
        this.role = code;
        return end;
      }
    }
    return -1;
  };

  /** z.int().min(min): a safe integer. */
  private safeInt(i: number, min: number, set: (v: number) => void): number {
    const end = this.number(i);
    if (end < 0 || !Number.isSafeInteger(this.num) || this.num < min) return -1;
    set(this.num);
    return end;
  }

  /** z.number().min(min).max(max), finite. */
  private finite(i: number, min: number, max: number, set: (v: number) => void): number {
    const end = this.number(i);
    if (end < 0 || !Number.isFinite(this.num) || this.num < min || this.num > max) return -1;
    set(this.num);
    return end;
  }

  /**
   * The RFC 3339 check of the timestamp and its epoch milliseconds, for the usual form
   * `YYYY-MM-DDTHH:MM:SS[.fff]Z` read from the bytes; other forms go to the ordinary path.
   */
  private tsCheck(): boolean {
    const s = this.ts;
    if (!s.plain) return false;
    const b = this.b;
    const at = s.start;
    const len = s.end - at;
    if (len !== 20 && len !== 24) return false;
    const digits = (from: number, count: number): number => {
      let v = 0;
      for (let k = at + from; k < at + from + count; k++) {
        const d = b[k]! - 48;
        if (d < 0 || d > 9) return -1;
        v = v * 10 + d;
      }
      return v;
    };
    if (b[at + 4] !== 45 || b[at + 7] !== 45 || b[at + 10] !== 84 || b[at + 13] !== 58 || b[at + 16] !== 58)
      return false;
    if (b[at + len - 1] !== 90) return false;
    const y = digits(0, 4);
    const mo = digits(5, 2);
    const d = digits(8, 2);
    const h = digits(11, 2);
    const mi = digits(14, 2);
    const sec = digits(17, 2);
    let ms = 0;
    if (len === 24) {
      if (b[at + 19] !== 46) return false;
      ms = digits(20, 3);
    }
    // Years before 100 are read by Date.UTC as 19xx: the ordinary path.
    if (y < 100 || mo < 1 || mo > 12 || d < 1 || h < 0 || mi < 0 || sec < 0 || ms < 0) return false;
    const leap = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
    if (d > DAYS_IN_MONTH[mo - 1]! + (leap ? 1 : 0) || h > 23 || mi > 59 || sec > 59) return false;
    this.tsMs = Date.UTC(y, mo - 1, d, h, mi, sec, ms);
    return true;
  }
}

let words: Int32Array<ArrayBufferLike> = new Int32Array(0);
let wordsOf: ArrayBufferLike | null = null;

/** Whether any byte is below 0x20 (SWAR over aligned 32-bit words: exact for "any byte < n"). */
function hasControl(b: Buffer): boolean {
  const off = b.byteOffset;
  const n = b.length;
  let k = 0;
  for (; k < n && (off + k) & 3; k++) if (b[k]! < 0x20) return true;
  if (wordsOf !== b.buffer) {
    wordsOf = b.buffer;
    words = new Int32Array(b.buffer, 0, b.buffer.byteLength >> 2);
  }
  const w = words;
  const last = (off + n) >> 2;
  let wi = (off + k) >> 2;
  for (; wi < last; wi++) {
    const v = w[wi]!;
    if (((v - 0x20202020) & ~v & 0x80808080) !== 0) return true;
  }
  for (k = (wi << 2) - off; k < n; k++) if (b[k]! < 0x20) return true;
  return false;
}

/** A slot for values that are checked but not kept. */
const scratch = slot();

function copySlot(from: StringSlot, to: StringSlot): void {
  to.start = from.start;
  to.end = from.end;
  to.plain = from.plain;
}

const isCapital = (c: number): boolean => c >= 65 && c <= 90;

function equals(b: Uint8Array, start: number, end: number, word: readonly number[]): boolean {
  if (end - start !== word.length) return false;
  for (let k = 0; k < word.length; k++) if (b[start + k] !== word[k]) return false;
  return true;
}

/** Index of the key b[start..end) in keys, -1 when unknown, -2 for "__proto__". */
function matchKey(
  b: Uint8Array,
  start: number,
  end: number,
  keys: readonly number[][],
  byLength: readonly (number[] | undefined)[],
): number {
  const candidates = byLength[end - start];
  if (candidates !== undefined) {
    for (let c = 0; c < candidates.length; c++) {
      const k = candidates[c]!;
      if (equals(b, start, end, keys[k]!)) return k;
    }
  }
  return end - start === 9 && equals(b, start, end, PROTO) ? -2 : -1;
}

/**
 * Scan results travel with a batch's bytes to a partition worker, so the worker need not parse
 * the line again: per line SCAN_INTS int32 (a flag, then each string slot as its start relative to
 * the line and its length, negative when not plain, then counts and flags) and SCAN_NUMBERS
 * float64 values.
 */
const SCAN_INTS = 33;
const SCAN_NUMBERS = 6;
const viewSlots = (v: EventLineView): StringSlot[] => [
  v.id,
  v.accountId,
  v.apiKeyId,
  v.model,
  v.ip,
  v.userAgent,
  v.conversationId,
  v.lastUser,
  v.previousUser,
  ...v.systems,
];
// Slots before the system messages in viewSlots.
const FIXED_SLOTS = 9;

/** Writes the scanner's result for line `line` (1 in the flag) into the record arrays. */
function saveScan(s: EventLineScanner, ints: Int32Array, nums: Float64Array, line: number): void {
  const at = line * SCAN_INTS;
  ints[at] = 1;
  let k = at + 1;
  const slots = viewSlots(s);
  for (let j = 0; j < slots.length; j++) {
    const x = slots[j]!;
    if (x.start < 0 || (j >= FIXED_SLOTS && j - FIXED_SLOTS >= s.systemCount)) {
      ints[k] = -1;
      ints[k + 1] = 0;
    } else {
      ints[k] = x.start;
      ints[k + 1] = x.plain ? x.end - x.start : -(x.end - x.start) - 1;
    }
    k += 2;
  }
  ints[k++] = s.userTurns;
  ints[k++] = s.assistantTurns;
  ints[k++] = s.systemCount;
  ints[k++] = s.logprobs === null ? -1 : s.logprobs ? 1 : 0;
  ints[k++] = s.stream === null ? -1 : s.stream ? 1 : 0;
  ints[k] = s.endsWithUser ? 1 : 0;
  const nt = line * SCAN_NUMBERS;
  nums[nt] = s.tsMs;
  nums[nt + 1] = s.asn;
  nums[nt + 2] = s.temperature;
  nums[nt + 3] = s.maxTokens;
  nums[nt + 4] = s.n;
  nums[nt + 5] = s.topLogprobs;
}

/**
 * The record arrays of a run of lines (a batch on its way to a partition worker, a batch of
 * stream messages), one record per line index, grown on demand.
 */
export class SavedScans {
  ints: Int32Array;
  nums: Float64Array;

  constructor(lines = 0) {
    this.ints = new Int32Array(lines * SCAN_INTS);
    this.nums = new Float64Array(lines * SCAN_NUMBERS);
  }

  /** How many lines fit without growing. */
  get capacity(): number {
    return this.ints.length / SCAN_INTS;
  }

  /** Makes room for `lines` lines by doubling, keeping what is saved. */
  grow(lines: number): void {
    let cap = this.capacity;
    if (lines <= cap) return;
    while (cap < lines) cap = Math.max(1, cap * 2);
    const ints = new Int32Array(cap * SCAN_INTS);
    ints.set(this.ints);
    this.ints = ints;
    const nums = new Float64Array(cap * SCAN_NUMBERS);
    nums.set(this.nums);
    this.nums = nums;
  }

  /** Records the scanner's result for line `line`, or that the line was not scanned (null). */
  save(s: EventLineScanner | null, line: number): void {
    if (s) saveScan(s, this.ints, this.nums, line);
    else this.ints[line * SCAN_INTS] = 0;
  }

  /** Copies of the records of the first `lines` lines (what travels with a batch). */
  take(lines: number): { ints: Int32Array; nums: Float64Array } {
    return {
      ints: this.ints.slice(0, lines * SCAN_INTS),
      nums: this.nums.slice(0, lines * SCAN_NUMBERS),
    };
  }
}

/** A scanned line read back from the record arrays (reused from line to line). */
export class ScannedLine extends EventLineFields {
  private readonly slots = viewSlots(this);

  /** Whether line `line` was scanned; if so, loads it, the line starting at `lineStart` in bytes. */
  load(bytes: Buffer, ints: Int32Array, nums: Float64Array, line: number, lineStart: number): boolean {
    const at = line * SCAN_INTS;
    if (ints[at] !== 1) return false;
    this.bytes = bytes;
    let k = at + 1;
    for (const x of this.slots) {
      const start = ints[k]!;
      const len = ints[k + 1]!;
      k += 2;
      if (start < 0) {
        x.start = -1;
        continue;
      }
      x.start = lineStart + start;
      x.plain = len >= 0;
      x.end = x.start + (len >= 0 ? len : -len - 1);
    }
    this.userTurns = ints[k++]!;
    this.assistantTurns = ints[k++]!;
    this.systemCount = ints[k++]!;
    const lp = ints[k++]!;
    this.logprobs = lp < 0 ? null : lp === 1;
    const st = ints[k++]!;
    this.stream = st < 0 ? null : st === 1;
    this.endsWithUser = ints[k] === 1;
    const nt = line * SCAN_NUMBERS;
    this.tsMs = nums[nt]!;
    this.asn = nums[nt + 1]!;
    this.temperature = nums[nt + 2]!;
    this.maxTokens = nums[nt + 3]!;
    this.n = nums[nt + 4]!;
    this.topLogprobs = nums[nt + 5]!;
    return true;
  }
}
