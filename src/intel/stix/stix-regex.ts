/*
 * The right-hand side of a STIX `MATCHES` comparison is a PCRE regular expression (STIX 2.1
 * §9.5) written by another organisation. Whoever evaluates it later (a hub, a member's SIEM)
 * may use a backtracking engine, where a hostile expression such as `(a+)+$` or `(a|aa)*b`
 * takes exponential time. So this checks, in one linear pass and without compiling anything:
 *
 * - that the expression is well-formed PCRE (balanced groups, closed classes, ordered ranges,
 *   known escapes, something before each quantifier), and
 * - that it stays inside a subset every engine evaluates in bounded time: no backreferences,
 *   lookaround, recursion, conditionals, atomic groups, possessive quantifiers, callouts or
 *   (*VERB)s (the constructs RE2-style linear-time engines lack), no repeated group that holds
 *   a quantifier (nested quantifiers), no repeated alternatives that can start with the same
 *   character, and a bounded length, group depth, repeat count and number of open-ended
 *   quantifiers (which bounds the polynomial degree of backtracking).
 *
 * Refusing a few legitimate but rare shapes is the price of never running a pattern that
 * could hang a consumer; the reason given names the construct and where it is.
 */

export const STIX_REGEX_LIMITS = {
  /** Characters of the expression (after the STIX string's own escapes are undone). */
  maxChars: 2048,
  /** Groups open at once. */
  maxDepth: 32,
  /** Largest count in `{n}`, `{n,}`, `{n,m}` (RE2's own limit). */
  maxRepeat: 1000,
  /** Quantifiers with no upper bound (`*`, `+`, `{n,}`): each can multiply backtracking by the input length. */
  maxOpenEnded: 8,
  /**
   * Most repeats of a group that holds a quantifier of variable count, or alternatives that can
   * start alike: `(?:[0-9]{1,3}\.){3}` is a constant factor, `(a+)+` is exponential.
   */
  maxAmbiguousRepeat: 4,
} as const;

export type StixRegexCheck = { ok: true } | { ok: false; message: string; position: number };

class RegexProblem extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

/** The last thing a quantifier could apply to. */
type Atom =
  | { kind: 'none' | 'anchor' | 'quantified' }
  | { kind: 'char'; char: string }
  | { kind: 'set' }
  | { kind: 'group'; variable: boolean; openEnded: number; alternativesOverlap: boolean };

interface Frame {
  at: number;
  /** A quantifier of variable count (`*`, `?`, `{1,3}`, not `{2}`) appears somewhere inside. */
  variable: boolean;
  /** Open-ended quantifiers inside, each counted as often as it can run. */
  openEnded: number;
  /** First literal character of each finished alternative; null when it does not start with one. */
  firsts: (string | null)[];
  /** The current alternative's first literal: undefined while it is empty. */
  first: string | null | undefined;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isHex = (c: string | undefined): boolean =>
  c !== undefined && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'));
const isOctal = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '7';
const isAsciiAlnum = (c: string | undefined): boolean =>
  c !== undefined && (isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isWord = (c: string | undefined): boolean => isAsciiAlnum(c) || c === '_';

/** Escapes standing for one known character. */
const CHAR_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', f: '\f', e: '\x1b', a: '\x07' };
/** Escapes standing for a set of characters. */
const SET_ESCAPES = new Set(['d', 'D', 'w', 'W', 's', 'S', 'h', 'H', 'v', 'V', 'N', 'R']);
const ANCHOR_ESCAPES = new Set(['b', 'B', 'A', 'z', 'Z']);
const POSIX_CLASSES = new Set([
  'alnum',
  'alpha',
  'ascii',
  'blank',
  'cntrl',
  'digit',
  'graph',
  'lower',
  'print',
  'punct',
  'space',
  'upper',
  'word',
  'xdigit',
]);
const FLAGS = new Set(['i', 'm', 's', 'U']);

const shownChar = (c: string): string => JSON.stringify(c);

class RegexReader {
  private i = 0;
  private openEnded = 0;
  private readonly stack: Frame[] = [];
  private last: Atom = { kind: 'none' };

  constructor(private readonly src: string) {}

  private fail(message: string, at = this.i): never {
    throw new RegexProblem(message, at);
  }
  private refuse(construct: string, at: number, why: string): never {
    throw new RegexProblem(`${construct} at character ${at + 1}: ${why}`, at);
  }

  private frame(): Frame {
    return this.stack[this.stack.length - 1]!;
  }

  /** An atom was read: it becomes what a quantifier applies to, and maybe its alternative's first character. */
  private atom(a: Atom): void {
    const f = this.frame();
    if (f.first === undefined) f.first = a.kind === 'char' ? a.char.toLowerCase() : null;
    this.last = a;
  }

  read(): void {
    this.stack.push({ at: -1, variable: false, openEnded: 0, firsts: [], first: undefined });
    const n = this.src.length;
    while (this.i < n) {
      const at = this.i;
      const c = this.src[this.i]!;
      if (c === '\\') this.escape();
      else if (c === '[') {
        this.charClass();
        this.atom({ kind: 'set' });
      } else if (c === '(') this.openGroup();
      else if (c === ')') this.closeGroup();
      else if (c === '|') {
        const f = this.frame();
        f.firsts.push(f.first ?? null);
        f.first = undefined;
        this.last = { kind: 'none' };
        this.i++;
      } else if (c === '*' || c === '+' || c === '?')
        this.quantifier(at, c === '+' ? 1 : 0, c === '?' ? 1 : Infinity, 1);
      else if (c === '{') {
        const q = this.counted();
        if (q) this.quantifier(at, q.min, q.max, q.length);
        else {
          this.i++;
          this.atom({ kind: 'char', char: '{' });
        }
      } else if (c === '^' || c === '$') {
        this.i++;
        this.atom({ kind: 'anchor' });
      } else if (c === '.') {
        this.i++;
        this.atom({ kind: 'set' });
      } else {
        const cp = String.fromCodePoint(this.src.codePointAt(this.i)!);
        this.i += cp.length;
        this.atom({ kind: 'char', char: cp });
      }
    }
    if (this.stack.length > 1)
      this.fail(`the group opened at character ${this.frame().at + 1} is never closed`, this.frame().at);
  }

  /** `{n}`, `{n,}`, `{n,m}` or `{,m}`; anything else is a literal brace (as PCRE reads it). */
  private counted(): { min: number; max: number; length: number } | undefined {
    const s = this.src;
    let j = this.i + 1;
    const from = j;
    while (isDigit(s[j])) j++;
    const lowText = s.slice(from, j);
    let highText: string | undefined = lowText;
    if (s[j] === ',') {
      j++;
      const h = j;
      while (isDigit(s[j])) j++;
      highText = j > h ? s.slice(h, j) : undefined;
      if (!lowText && highText === undefined) return undefined;
    } else if (!lowText) return undefined;
    if (s[j] !== '}') return undefined;
    // Digits are compared as text first: a count of a million digits must not become a number.
    const tooBig = (t: string): boolean =>
      t.replace(/^0+/, '').length > 4 || Number(t) > STIX_REGEX_LIMITS.maxRepeat;
    if ((lowText && tooBig(lowText)) || (highText !== undefined && tooBig(highText)))
      this.fail(`the repeat count at character ${this.i + 1} is over ${STIX_REGEX_LIMITS.maxRepeat}`, this.i);
    const low = lowText ? Number(lowText) : 0;
    const high = highText === undefined ? Infinity : Number(highText);
    if (high < low) this.fail(`the repeat counts at character ${this.i + 1} are out of order`, this.i);
    return { min: low, max: high, length: j + 1 - this.i };
  }

  private quantifier(at: number, min: number, max: number, length: number): void {
    const target = this.last;
    if (target.kind === 'none' || target.kind === 'quantified')
      this.fail(`the quantifier at character ${at + 1} has nothing to repeat`, at);
    if (target.kind === 'anchor') this.fail(`the quantifier at character ${at + 1} repeats an anchor`, at);
    this.i += length;
    if (this.src[this.i] === '+')
      this.refuse('possessive quantifier', at, 'not accepted (no linear-time engine has it)');
    if (this.src[this.i] === '?') this.i++; // lazy: the same cost
    const { maxAmbiguousRepeat, maxOpenEnded } = STIX_REGEX_LIMITS;
    const f = this.frame();
    let added = max === Infinity ? 1 : 0;
    if (max > 1 && target.kind === 'group') {
      if (target.alternativesOverlap && max > maxAmbiguousRepeat)
        this.refuse(
          'overlapping alternatives',
          at,
          `alternatives that can start alike, repeated over ${maxAmbiguousRepeat} times (as (a|aa)*), backtrack exponentially`,
        );
      if (target.variable && max > maxAmbiguousRepeat)
        this.refuse(
          'nested quantifier',
          at,
          `a group holding one, repeated over ${maxAmbiguousRepeat} times (as (a+)+), backtracks exponentially`,
        );
      // (a+){3} costs what a+a+a+ costs.
      added += target.openEnded * (max - 1);
    }
    this.openEnded += added;
    f.openEnded += added;
    if (this.openEnded > maxOpenEnded)
      this.refuse(
        'open-ended quantifier',
        at,
        `more than ${maxOpenEnded} of them (*, +, {n,}; in a repeated group, once per repeat)`,
      );
    if (min !== max) f.variable = true;
    this.last = { kind: 'quantified' };
  }

  private openGroup(): void {
    const at = this.i;
    const s = this.src;
    if (this.stack.length > STIX_REGEX_LIMITS.maxDepth)
      this.fail(`groups are nested deeper than ${STIX_REGEX_LIMITS.maxDepth} at character ${at + 1}`, at);
    if (s[at + 1] === '*') this.refuse('(*VERB) control', at, 'not accepted');
    let j = at + 1;
    if (s[j] === '?') {
      j++;
      const c = s[j];
      if (c === '#') {
        const end = s.indexOf(')', j);
        if (end < 0) this.fail(`the comment opened at character ${at + 1} is never closed`, at);
        this.i = end + 1;
        return;
      }
      if (c === ':') j++;
      else if (c === '=' || c === '!' || (c === '<' && (s[j + 1] === '=' || s[j + 1] === '!')))
        this.refuse('lookaround', at, 'not accepted (no linear-time engine has it)');
      else if (c === '<' || c === "'" || (c === 'P' && s[j + 1] === '<')) j = this.groupName(at, j);
      else if (c === 'P' && s[j + 1] === '=')
        this.refuse('backreference', at, 'not accepted (matching with one is NP-hard)');
      else if (c === 'P' && s[j + 1] === '>') this.refuse('recursion', at, 'not accepted (no bound)');
      else if (c === '>') this.refuse('atomic group', at, 'not accepted (no linear-time engine has it)');
      else if (c === '|') this.refuse('branch-reset group', at, 'not accepted (PCRE only)');
      else if (c === '(') this.refuse('conditional group', at, 'not accepted (no linear-time engine has it)');
      else if (c === 'C') this.refuse('callout', at, 'not accepted (runs code outside the expression)');
      else if (c === 'R' || c === '&' || isDigit(c) || ((c === '+' || c === '-') && isDigit(s[j + 1])))
        this.refuse('recursion', at, 'not accepted (no bound)');
      else {
        // Option settings: (?i) applies to the rest of the group, (?i:…) opens one.
        while (j < s.length && (FLAGS.has(s[j]!) || s[j] === '-')) j++;
        if (s[j] === ')') {
          this.i = j + 1;
          return;
        }
        if (s[j] !== ':') {
          if (s[j] === 'x') this.refuse('the x (extended) option', j, 'not accepted');
          this.fail(
            j >= s.length
              ? `the group opened at character ${at + 1} is never closed`
              : `unknown group or option ${shownChar(s[j]!)} at character ${j + 1}`,
            j,
          );
        }
        j++;
      }
    }
    this.i = j;
    this.stack.push({ at, variable: false, openEnded: 0, firsts: [], first: undefined });
    this.last = { kind: 'none' };
  }

  /** `(?<name>`, `(?P<name>`, `(?'name'`: returns the index after it. */
  private groupName(at: number, j: number): number {
    const s = this.src;
    if (s[j] === 'P') j++;
    const close = s[j] === "'" ? "'" : '>';
    j++;
    const from = j;
    while (j < s.length && j - from <= 32 && isWord(s[j])) j++;
    if (j === from || isDigit(s[from]) || s[j] !== close)
      this.fail(
        `the group name at character ${at + 1} is not a name (a letter or _, then letters, digits or _)`,
        at,
      );
    return j + 1;
  }

  private closeGroup(): void {
    const at = this.i;
    if (this.stack.length === 1) this.fail(`the ")" at character ${at + 1} closes no group`, at);
    const f = this.stack.pop()!;
    f.firsts.push(f.first ?? null);
    const seen = new Set<string>();
    let overlap = false;
    for (const first of f.firsts) {
      if (first === null || seen.has(first)) overlap = true;
      else seen.add(first);
    }
    this.i++;
    const alternativesOverlap = f.firsts.length > 1 && overlap;
    // Either makes the group match one text in several ways, which a repeat around it multiplies.
    const variable = f.variable || alternativesOverlap;
    const parent = this.frame();
    if (variable) parent.variable = true;
    parent.openEnded += f.openEnded;
    this.atom({ kind: 'group', variable, openEnded: f.openEnded, alternativesOverlap });
  }

  private escape(): void {
    const at = this.i;
    const s = this.src;
    const c = s[at + 1];
    if (c === undefined) this.fail(`the expression ends with a lone backslash`, at);
    if (c === 'Q') {
      // \Q…\E: literal text.
      const end = s.indexOf('\\E', at + 2);
      const text = s.slice(at + 2, end < 0 ? s.length : end);
      this.i = end < 0 ? s.length : end + 2;
      if (text) this.atom({ kind: 'char', char: text[0]! });
      return;
    }
    if (c === 'E') {
      this.i = at + 2;
      return;
    }
    const single = this.escapedChar(at, false);
    if (single !== undefined) {
      this.atom(single === null ? { kind: 'set' } : { kind: 'char', char: single });
      return;
    }
    this.i = at + 2;
    if (ANCHOR_ESCAPES.has(c)) this.atom({ kind: 'anchor' });
    else if ((c >= '1' && c <= '9') || c === 'g' || c === 'k')
      this.refuse(`backreference \\${c}`, at, 'not accepted (matching with one is NP-hard)');
    else this.refuse(`escape \\${c}`, at, 'unknown, or not accepted');
  }

  /**
   * An escape that stands for characters, from the backslash at `at`: its one character, null for
   * a set (\d, \p{L}, …), undefined when it is not one. Moves past it when it is one.
   */
  private escapedChar(at: number, inClass: boolean): string | null | undefined {
    const s = this.src;
    const c = s[at + 1]!;
    if (!isAsciiAlnum(c)) {
      this.i = at + 1 + String.fromCodePoint(s.codePointAt(at + 1)!).length;
      return String.fromCodePoint(s.codePointAt(at + 1)!);
    }
    if (Object.hasOwn(CHAR_ESCAPES, c)) {
      this.i = at + 2;
      return CHAR_ESCAPES[c]!;
    }
    if (SET_ESCAPES.has(c) && !(inClass && (c === 'N' || c === 'R'))) {
      this.i = at + 2;
      return null;
    }
    if (c === 'x') return this.codeEscape(at, 'x', isHex, 16, 2);
    if (c === 'o') return this.codeEscape(at, 'o', isOctal, 8, 0);
    if (c === '0' || (inClass && isOctal(c))) {
      let j = at + 2;
      while (j < at + 4 && isOctal(s[j])) j++;
      this.i = j;
      return String.fromCodePoint(parseInt(s.slice(at + 1, j), 8));
    }
    if (c === 'c') {
      const x = s.charCodeAt(at + 2);
      if (!(x >= 0x20 && x <= 0x7e))
        this.fail(`\\c at character ${at + 1} needs a printable ASCII character`, at);
      this.i = at + 3;
      return String.fromCharCode(s[at + 2]!.toUpperCase().charCodeAt(0) ^ 0x40);
    }
    if (c === 'p' || c === 'P') {
      let j = at + 2;
      if (s[j] === '{') {
        const from = ++j;
        if (s[j] === '^') j++;
        while (
          j < s.length &&
          j - from <= 64 &&
          (isWord(s[j]) || s[j] === '&' || s[j] === ' ' || s[j] === '=' || s[j] === ':')
        )
          j++;
        if (s[j] !== '}' || j === from)
          this.fail(`the property \\${c}{…} at character ${at + 1} is not closed`, at);
        this.i = j + 1;
      } else if (s[j] !== undefined && isAsciiAlnum(s[j])) this.i = j + 1;
      else this.fail(`\\${c} at character ${at + 1} needs a property name`, at);
      return null;
    }
    return undefined;
  }

  /** `\xhh`, `\x{h…}`, `\o{o…}`: one character by its code. */
  private codeEscape(
    at: number,
    letter: string,
    digit: (c: string | undefined) => boolean,
    radix: number,
    bare: number,
  ): string {
    const s = this.src;
    let j = at + 2;
    let text: string;
    if (s[j] === '{') {
      const from = ++j;
      while (j < s.length && j - from <= 8 && digit(s[j])) j++;
      if (s[j] !== '}' || j === from)
        this.fail(`\\${letter}{…} at character ${at + 1} is not a character code`, at);
      text = s.slice(from, j);
      j++;
    } else {
      if (bare === 0) this.fail(`\\${letter} at character ${at + 1} needs {…}`, at);
      const from = j;
      while (j < from + bare && digit(s[j])) j++;
      text = s.slice(from, j);
    }
    const code = text ? parseInt(text, radix) : 0;
    if (code > 0x10ffff) this.fail(`the character code at character ${at + 1} is over U+10FFFF`, at);
    this.i = j;
    return String.fromCodePoint(code);
  }

  /** `[…]`, `[^…]`, with ranges, escapes and POSIX classes; `]` first is a literal. */
  private charClass(): void {
    const open = this.i;
    const s = this.src;
    this.i++;
    if (s[this.i] === '^') this.i++;
    let first = true;
    /** The previous item's single character, for a range; null for a set; undefined for none (or a range). */
    let prev: string | null | undefined;
    let rangeFrom: string | null | undefined;
    for (;;) {
      if (this.i >= s.length)
        this.fail(`the character class opened at character ${open + 1} is never closed`, open);
      const at = this.i;
      const c = s[at]!;
      if (c === ']' && !first) {
        this.i++;
        return;
      }
      first = false;
      let item: string | null;
      if (c === '[' && s[at + 1] === ':') {
        const end = s.indexOf(':]', at + 2);
        const name = end < 0 ? '' : s.slice(at + 2, end).replace(/^\^/, '');
        if (end < 0 || !POSIX_CLASSES.has(name))
          this.fail(`unknown POSIX class at character ${at + 1} (such as [:alpha:], [:digit:])`, at);
        this.i = end + 2;
        item = null;
      } else if (c === '\\') {
        if (s[at + 1] === undefined) this.fail(`the expression ends with a lone backslash`, at);
        const e = this.escapedChar(at, true);
        if (e === undefined) {
          const l = s[at + 1]!;
          if (l === 'b') {
            this.i = at + 2;
            item = '\b';
          } else if (l === 'E' || l === 'Q') {
            this.i = at + 2;
            continue;
          } else this.refuse(`escape \\${l} in a character class`, at, 'unknown there');
        } else item = e;
      } else {
        const cp = String.fromCodePoint(s.codePointAt(at)!);
        this.i += cp.length;
        // "-" between two items is a range; first, last or after a range it is literal.
        if (cp === '-' && prev !== undefined && rangeFrom === undefined && s[this.i] !== ']') {
          rangeFrom = prev;
          continue;
        }
        item = cp;
      }
      if (rangeFrom !== undefined) {
        if (rangeFrom === null || item === null)
          this.fail(`the range ending at character ${at + 1} has a set (such as \\d) at one end`, at);
        if (rangeFrom.codePointAt(0)! > item.codePointAt(0)!)
          this.fail(`the range ending at character ${at + 1} is out of order`, at);
        rangeFrom = undefined;
        prev = undefined;
        continue;
      }
      prev = item;
    }
  }
}

/**
 * Checks one MATCHES regular expression as described above. Never throws; time is linear in
 * its length.
 */
export function checkStixRegex(source: string): StixRegexCheck {
  if (source.length > STIX_REGEX_LIMITS.maxChars)
    return {
      ok: false,
      message: `longer than ${STIX_REGEX_LIMITS.maxChars} characters (${source.length})`,
      position: STIX_REGEX_LIMITS.maxChars + 1,
    };
  try {
    new RegexReader(source).read();
    return { ok: true };
  } catch (e) {
    if (!(e instanceof RegexProblem)) throw e;
    return { ok: false, message: e.message, position: e.at + 1 };
  }
}
