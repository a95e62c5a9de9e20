/**
 * Tokens of the STIX 2.1 patterning language (STIX 2.1 §9; the OASIS ANTLR grammar
 * `STIXPattern.g4` is the reference). One pass over the text, character by character, with no
 * regular expressions: a pattern comes from another organisation and must cost time linear in
 * its length whatever it holds.
 */

export type TokenKind =
  | 'ident'
  | 'keyword'
  | 'string'
  | 'int'
  | 'float'
  | 'bool'
  | 'binary'
  | 'hex'
  | 'timestamp'
  | 'op'
  | 'punct'
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** The text as written (a string literal's value, unescaped, is in `value`). */
  text: string;
  /** A string literal's value, unescaped. */
  value?: string;
  /** An identifier holds a hyphen (allowed in object types, not in property names). */
  hyphen?: boolean;
  /** 0-based offset in the pattern. */
  at: number;
}

export class PatternSyntaxError extends Error {
  constructor(
    message: string,
    readonly at: number,
    readonly reason: 'syntax' | 'limit' | 'name' | 'value' | 'path' | 'regex' = 'syntax',
  ) {
    super(message);
  }
}

const KEYWORDS = new Set([
  'AND',
  'OR',
  'NOT',
  'FOLLOWEDBY',
  'LIKE',
  'MATCHES',
  'ISSUPERSET',
  'ISSUBSET',
  'EXISTS',
  'LAST',
  'IN',
  'START',
  'STOP',
  'SECONDS',
  'WITHIN',
  'REPEATS',
  'TIMES',
]);

/** The grammar's WS rule. */
const SPACE = new Set([
  0x20, 0x09, 0x0d, 0x0a, 0x0b, 0x0c, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005,
  0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isAlpha = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isIdentStart = (c: number): boolean => isAlpha(c) || c === 0x5f;
const isIdentPart = (c: number): boolean => isIdentStart(c) || isDigit(c) || c === 0x2d;
const isHex = (c: number): boolean => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
const isBase64 = (c: number): boolean => isAlpha(c) || isDigit(c) || c === 0x2b || c === 0x2f;

/** What the user wrote, short and printable (a hostile pattern may hold anything). */
export function shown(text: string): string {
  return JSON.stringify(text.length > 32 ? `${text.slice(0, 32)}…` : text);
}

const QUOTE = 0x27;
const BACKSLASH = 0x5c;

/** The grammar's TimestampLiteral body: YYYY-MM-DDTHH:MM:SS[.frac]Z with the ranges it allows. */
function isTimestampBody(s: string): boolean {
  const d = (i: number): number => s.charCodeAt(i) - 0x30;
  const digits = (from: number, n: number): boolean => {
    for (let i = from; i < from + n; i++) if (!isDigit(s.charCodeAt(i))) return false;
    return true;
  };
  if (s.length < 20 || !digits(0, 4) || s[4] !== '-' || !digits(5, 2) || s[7] !== '-' || !digits(8, 2))
    return false;
  if (s[10] !== 'T' || !digits(11, 2) || s[13] !== ':' || !digits(14, 2) || s[16] !== ':' || !digits(17, 2))
    return false;
  const month = d(5) * 10 + d(6);
  const day = d(8) * 10 + d(9);
  const hour = d(11) * 10 + d(12);
  const minute = d(14) * 10 + d(15);
  const second = d(17) * 10 + d(18);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return false;
  let i = 19;
  if (s[i] === '.') {
    i++;
    const from = i;
    while (i < s.length && isDigit(s.charCodeAt(i))) i++;
    if (i === from) return false;
  }
  return i === s.length - 1 && s[i] === 'Z';
}

/** The grammar's BinaryLiteral body: base64, at least one group of four, padded. */
function isBase64Body(s: string): boolean {
  if (s.length === 0 || s.length % 4 !== 0) return false;
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  for (let i = 0; i < s.length - pad; i++) if (!isBase64(s.charCodeAt(i))) return false;
  return true;
}

function isHexBody(s: string): boolean {
  if (s.length % 2 !== 0) return false;
  for (let i = 0; i < s.length; i++) if (!isHex(s.charCodeAt(i))) return false;
  return true;
}

/** A quoted literal from the quote at `q`: its raw end and unescaped value; `\` escapes only ' and \. */
function quoted(src: string, q: number): { end: number; value: string } {
  const n = src.length;
  let j = q + 1;
  let value = '';
  let from = j;
  for (;;) {
    if (j >= n) throw new PatternSyntaxError(`a string opened at character ${q + 1} is never closed`, q);
    const c = src.charCodeAt(j);
    if (c === QUOTE) {
      value += src.slice(from, j);
      return { end: j + 1, value };
    }
    if (c === BACKSLASH) {
      const next = src.charCodeAt(j + 1);
      if (next !== QUOTE && next !== BACKSLASH)
        throw new PatternSyntaxError(
          `a backslash in a string may only escape ' or \\ (character ${j + 1})`,
          j,
        );
      value += src.slice(from, j) + src[j + 1];
      j += 2;
      from = j;
      continue;
    }
    j++;
  }
}

/** h'..', b'..', t'..' at `at` (its letter), checked against the grammar's body rule. */
function typedLiteral(src: string, at: number): Token {
  const c = src.charCodeAt(at);
  const q = quoted(src, at + 1);
  const kind = c === 0x68 ? 'hex' : c === 0x62 ? 'binary' : 'timestamp';
  const ok =
    kind === 'hex'
      ? isHexBody(q.value)
      : kind === 'binary'
        ? isBase64Body(q.value)
        : isTimestampBody(q.value);
  if (!ok)
    throw new PatternSyntaxError(
      kind === 'hex'
        ? `h'…' at character ${at + 1} is not hexadecimal (pairs of 0-9, a-f)`
        : kind === 'binary'
          ? `b'…' at character ${at + 1} is not base64`
          : `t'…' at character ${at + 1} is not a timestamp (YYYY-MM-DDTHH:MM:SS[.s]Z)`,
      at,
    );
  return { kind, text: src.slice(at, q.end), value: q.value, at };
}

/** A word at `at`: a keyword, a boolean or an identifier. */
function word(src: string, at: number): Token {
  const n = src.length;
  let hyphen = false;
  let i = at + 1;
  while (i < n && isIdentPart(src.charCodeAt(i))) {
    if (src.charCodeAt(i) === 0x2d) hyphen = true;
    i++;
  }
  const text = src.slice(at, i);
  if (KEYWORDS.has(text)) return { kind: 'keyword', text, at };
  if (text === 'true' || text === 'false') return { kind: 'bool', text, at };
  return { kind: 'ident', text, hyphen, at };
}

/** A number at `at`: [+-]? digits, or [+-]? digits? '.' digits; null when none starts there. */
function numberAt(src: string, at: number): Token | null {
  const n = src.length;
  const c = src.charCodeAt(at);
  const signed = c === 0x2b || c === 0x2d;
  const d0 = src.charCodeAt(signed ? at + 1 : at);
  if (!(isDigit(d0) || (d0 === 0x2e && isDigit(src.charCodeAt(signed ? at + 2 : at + 1))))) return null;
  let j = signed ? at + 1 : at;
  const intFrom = j;
  while (j < n && isDigit(src.charCodeAt(j))) j++;
  const intDigits = j - intFrom;
  if (src.charCodeAt(j) === 0x2e && isDigit(src.charCodeAt(j + 1))) {
    j++;
    while (j < n && isDigit(src.charCodeAt(j))) j++;
    return { kind: 'float', text: src.slice(at, j), at };
  }
  if (intDigits > 1 && src.charCodeAt(intFrom) === 0x30)
    throw new PatternSyntaxError(`the number at character ${at + 1} has a leading zero`, at);
  return { kind: 'int', text: src.slice(at, j), at };
}

/** An operator or punctuation mark at `at`; null when none starts there. */
function symbolAt(src: string, at: number): Token | null {
  const two = src.slice(at, at + 2);
  if (two === '==' || two === '!=' || two === '<>' || two === '<=' || two === '>=')
    return { kind: 'op', text: two, at };
  const c = src.charCodeAt(at);
  if (c === 0x3d || c === 0x3c || c === 0x3e) return { kind: 'op', text: src[at]!, at };
  if (':.,()[]*'.includes(src[at]!)) return { kind: 'punct', text: src[at]!, at };
  return null;
}

/** Splits a pattern into tokens, ending with one `eof`; throws PatternSyntaxError. */
export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  const n = src.length;
  let i = 0;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (SPACE.has(c)) {
      i++;
      continue;
    }
    const at = i;
    const next = src.charCodeAt(i + 1);
    // Comments, as the grammar allows them.
    if (c === 0x2f && next === 0x2a) {
      const end = src.indexOf('*/', i + 2);
      if (end < 0)
        throw new PatternSyntaxError(`a comment opened at character ${at + 1} is never closed`, at);
      i = end + 2;
      continue;
    }
    if (c === 0x2f && next === 0x2f) {
      while (i < n && src.charCodeAt(i) !== 0x0a && src.charCodeAt(i) !== 0x0d) i++;
      continue;
    }
    let token: Token | null;
    if (c === QUOTE) {
      const q = quoted(src, i);
      token = { kind: 'string', text: src.slice(at, q.end), value: q.value, at };
    } else if (isIdentStart(c)) {
      // h'..', b'..', t'..': typed literals; anything else is a word.
      const typed = (c === 0x68 || c === 0x62 || c === 0x74) && next === QUOTE;
      token = typed ? typedLiteral(src, at) : word(src, at);
    } else token = numberAt(src, at) ?? symbolAt(src, at);
    if (token === null) {
      const ch = String.fromCodePoint(src.codePointAt(i)!);
      throw new PatternSyntaxError(`unexpected character ${shown(ch)} at character ${at + 1}`, at);
    }
    tokens.push(token);
    // Every token's text is the source from `at` to its end.
    i = at + token.text.length;
  }
  tokens.push({ kind: 'eof', text: '', at: n });
  return tokens;
}
