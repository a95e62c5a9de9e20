/**
 * Text both stores keep exactly. PostgreSQL's `text` refuses U+0000 (error 22021, which fails the
 * whole statement) and the driver's UTF-8 encoding turns an unpaired UTF-16 surrogate into U+FFFD,
 * so two distinct strings can become one; SQLite keeps both as they are. A string without either
 * is stored and read back identically on both, so that is the rule wherever a caller's string is
 * stored as a column value (ids, account ids, titles, names, reasons). JSON documents stored as
 * text (event bodies, account records, findings) need no such rule: JSON.stringify writes both as
 * `\u` escapes, which any store keeps byte for byte.
 */

// One test for the common case (no NUL, no surrogate at all); the loop below finds out which.
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const SUSPECT = /[\u0000\ud800-\udfff]/;

/** What makes `s` unstorable as a text column value ("a NUL character (U+0000)"), or undefined. */
export function unstorableText(s: string): string | undefined {
  if (!SUSPECT.test(s)) return undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return `a NUL character (U+0000) at position ${i}`;
    if (c < 0xd800 || c > 0xdfff) continue;
    const next = s.charCodeAt(i + 1);
    if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      i++;
      continue;
    }
    return `an unpaired UTF-16 surrogate (\\u${c.toString(16)}) at position ${i}`;
  }
  return undefined;
}

const MAX_DEPTH = 64;
// Without the u flag a regex sees UTF-16 code units, so it can match half a pair.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * The first string (value or key) in a decoded JSON value that cannot be stored as text, with
 * its path ("title", "events[2]"), or undefined. Depth is bounded: deeper values are reported.
 */
export function findUnstorableText(value: unknown): { path: string; problem: string } | undefined {
  const walk = (v: unknown, path: string, depth: number): { path: string; problem: string } | undefined => {
    if (typeof v === 'string') {
      const problem = unstorableText(v);
      return problem ? { path: path || '(value)', problem } : undefined;
    }
    if (v === null || typeof v !== 'object') return undefined;
    if (depth >= MAX_DEPTH) return { path: path || '(value)', problem: `nesting deeper than ${MAX_DEPTH}` };
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const r = walk(v[i], `${path}[${i}]`, depth + 1);
        if (r) return r;
      }
      return undefined;
    }
    for (const [k, x] of Object.entries(v)) {
      const at = path ? `${path}.${k}` : k;
      const keyProblem = unstorableText(k);
      if (keyProblem) return { path: at, problem: `a key with ${keyProblem}` };
      const r = walk(x, at, depth + 1);
      if (r) return r;
    }
    return undefined;
  };
  return walk(value, '', 0);
}

/**
 * `s` made storable for free text the service writes itself (log-like messages, quarantine
 * reasons): NUL written as the visible escape `\u0000`, an unpaired surrogate as U+FFFD.
 */
export function storableText(s: string): string {
  if (!SUSPECT.test(s)) return s;
  return s.replaceAll('\u0000', '\\u0000').replace(LONE_SURROGATE, '\uFFFD');
}
