import {
  StixRegex,
  isNewlineChar,
  programSize,
  type Assertion,
  type CharTest,
  type RegexNode,
} from './stix-regex-vm.js';

/*
 * The right-hand side of a STIX `MATCHES` comparison is a PCRE regular expression (STIX 2.1
 * §9.5) written by another organisation. DistillGuard evaluates one with its own linear-time
 * engine (compileStixRegex, stix-regex-vm.ts), which this file's reader feeds: one linear pass
 * over the expression gives its tree, or the reason it is refused. Whoever else evaluates it
 * later (a hub, a member's SIEM) may use a backtracking engine, where a hostile expression such
 * as `(a+)+$` or `(a|aa)*b` takes exponential time. So checkStixRegex, the check for what is
 * shared, also holds expressions to the rules below:
 *
 * - that the expression is well-formed PCRE (balanced groups, closed classes, ordered ranges,
 *   known escapes, something before each quantifier), and
 * - that it stays inside the subset the linear-time engine evaluates (both checkStixRegex and
 *   compileStixRegex): no backreferences, lookaround, recursion, conditionals, atomic groups,
 *   possessive quantifiers, callouts or (*VERB)s (the constructs RE2-style linear-time engines
 *   lack), known Unicode properties, and a bounded length, group depth, repeat count and
 *   compiled program size, and
 * - for backtracking consumers (checkStixRegex only): no repeated group that holds a quantifier
 *   (nested quantifiers), no repeated alternatives that can start with the same character, and
 *   a bounded number of open-ended quantifiers (which bounds the polynomial degree of
 *   backtracking).
 *
 * Refusing a few legitimate but rare shapes is the price of never sharing a pattern that
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
  /**
   * Instructions of the compiled program (repeats expanded): the linear-time engine's work per
   * input character is at most this, so `(a{1000}){1000}` is refused rather than run.
   */
  maxProgram: 10_000,
} as const;

export type StixRegexCheck = { ok: true } | { ok: false; message: string; position: number };
export type StixRegexCompiled =
  { ok: true; regex: StixRegex } | { ok: false; message: string; position: number };

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
  /** The options in force here: (?i) changes them for the rest of the group, alternatives included. */
  flags: Flags;
  /** Finished alternatives, and the one being read. */
  alts: RegexNode[];
  seq: RegexNode[];
}

interface Flags {
  /** Caseless. */
  i: boolean;
  /** Multiline: ^ and $ at newlines. */
  m: boolean;
  /** Dot matches a newline too. */
  s: boolean;
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

const inRanges =
  (...ranges: number[]): CharTest =>
  (cp) => {
    for (let k = 0; k < ranges.length; k += 2) if (cp >= ranges[k]! && cp <= ranges[k + 1]!) return true;
    return false;
  };
const not =
  (t: CharTest): CharTest =>
  (cp) =>
    cp >= 0 && !t(cp);
const anyOf =
  (...ts: CharTest[]): CharTest =>
  (cp) =>
    ts.some((t) => t(cp));

// PCRE's meanings without UCP: \d, \w, \s and the POSIX classes are ASCII.
const DIGIT = inRanges(0x30, 0x39);
const WORD = inRanges(0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a, 0x5f, 0x5f);
const SPACE = inRanges(0x09, 0x0d, 0x20, 0x20);
const HSPACE = inRanges(
  0x09,
  0x09,
  0x20,
  0x20,
  0xa0,
  0xa0,
  0x1680,
  0x1680,
  0x180e,
  0x180e,
  0x2000,
  0x200a,
  0x202f,
  0x202f,
  0x205f,
  0x205f,
  0x3000,
  0x3000,
);
const VSPACE: CharTest = isNewlineChar;
const SET_TESTS: Record<string, CharTest> = {
  d: DIGIT,
  D: not(DIGIT),
  w: WORD,
  W: not(WORD),
  s: SPACE,
  S: not(SPACE),
  h: HSPACE,
  H: not(HSPACE),
  v: VSPACE,
  V: not(VSPACE),
  N: (cp) => cp >= 0 && cp !== 0x0a,
};
const ALPHA = inRanges(0x41, 0x5a, 0x61, 0x7a);
const POSIX_TESTS: Record<string, CharTest> = {
  alnum: inRanges(0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a),
  alpha: ALPHA,
  ascii: inRanges(0, 0x7f),
  blank: inRanges(0x09, 0x09, 0x20, 0x20),
  cntrl: inRanges(0, 0x1f, 0x7f, 0x7f),
  digit: DIGIT,
  graph: inRanges(0x21, 0x7e),
  lower: inRanges(0x61, 0x7a),
  print: inRanges(0x20, 0x7e),
  punct: inRanges(0x21, 0x2f, 0x3a, 0x40, 0x5b, 0x60, 0x7b, 0x7e),
  space: SPACE,
  upper: inRanges(0x41, 0x5a),
  word: WORD,
  xdigit: inRanges(0x30, 0x39, 0x41, 0x46, 0x61, 0x66),
};

const singleCodePoint = (s: string): number => {
  const cp = s.codePointAt(0)!;
  return s.length === (cp > 0xffff ? 2 : 1) ? cp : -1;
};
/** Simple case folding, near enough: lower case of the upper case, when each is one character (ſ → s, K → k, ẞ → ß). */
function fold(cp: number): number {
  if (cp < 0x80) return cp >= 0x41 && cp <= 0x5a ? cp + 0x20 : cp;
  const c = String.fromCodePoint(cp);
  const upper = singleCodePoint(c.toUpperCase());
  const viaUpper = upper >= 0 ? singleCodePoint(String.fromCodePoint(upper).toLowerCase()) : -1;
  if (viaUpper >= 0) return viaUpper;
  const lower = singleCodePoint(c.toLowerCase());
  return lower >= 0 ? lower : cp;
}
/** The other cases of one character (for classes and ranges under (?i)). */
function caseVariants(cp: number): number[] {
  // ASCII first (what the slow path gives for it, without building strings).
  if (cp < 0x80) return (cp | 0x20) >= 0x61 && (cp | 0x20) <= 0x7a ? [cp ^ 0x20] : [];
  const c = String.fromCodePoint(cp);
  return [fold(cp), singleCodePoint(c.toUpperCase()), singleCodePoint(c.toLowerCase())].filter(
    (v) => v >= 0 && v !== cp,
  );
}
const literal = (char: string, caseless: boolean): CharTest => {
  const cp = char.codePointAt(0)!;
  if (!caseless || caseVariants(cp).length === 0) return (x) => x === cp;
  const folded = fold(cp);
  return (x) => x === cp || (x >= 0 && fold(x) === folded);
};
const caselessSet =
  (t: CharTest): CharTest =>
  (cp) =>
    t(cp) || (cp >= 0 && caseVariants(cp).some(t));

/** \R, told apart from the other set escapes: it may read \r\n whole. */
const NEWLINE_SEQUENCE: CharTest = (cp) => isNewlineChar(cp);

const GENERAL_CATEGORIES = new Set(
  'C Cc Cf Cn Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(
    ' ',
  ),
);
/** A Unicode property (\p{…}) by its PCRE name, as a JavaScript \p{…} (tested on one character at a time); undefined when unknown. */
function unicodeProperty(name: string): CharTest | undefined {
  const js = (p: string): CharTest | undefined => {
    try {
      const re = new RegExp(`^\\p{${p}}$`, 'u');
      return (cp) => cp >= 0 && re.test(String.fromCodePoint(cp));
    } catch {
      return undefined;
    }
  };
  if (name === 'Any') return (cp) => cp >= 0;
  if (name === 'L&') return js('LC');
  if (name === 'Xan') return js('L') && anyOf(js('L')!, js('N')!);
  if (name === 'Xwd') return anyOf(js('L')!, js('N')!, (cp) => cp === 0x5f);
  if (name === 'Xps' || name === 'Xsp') return anyOf(js('Z')!, SPACE);
  if (GENERAL_CATEGORIES.has(name)) return js(`gc=${name}`);
  const [key, value] = name.includes('=') ? name.split('=', 2) : ['sc', name];
  const kind = {
    sc: 'sc',
    script: 'sc',
    scx: 'scx',
    script_extensions: 'scx',
    gc: 'gc',
    general_category: 'gc',
  }[key!.toLowerCase()];
  if (!kind || !/^[A-Za-z_]+$/.test(value!)) return undefined;
  return js(`${kind}=${value}`);
}

const shownChar = (c: string): string => JSON.stringify(c);

class RegexReader {
  private i = 0;
  private openEnded = 0;
  private readonly stack: Frame[] = [];
  private last: Atom = { kind: 'none' };

  /** `backtrackingRules`: also refuse what only a backtracking engine finds costly (checkStixRegex). */
  constructor(
    private readonly src: string,
    private readonly backtrackingRules: boolean,
  ) {}

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
  private atom(a: Atom, node?: RegexNode): void {
    const f = this.frame();
    if (f.first === undefined) f.first = a.kind === 'char' ? a.char.toLowerCase() : null;
    if (node) f.seq.push(node);
    this.last = a;
  }

  private newFrame(at: number, flags: Flags): Frame {
    return { at, variable: false, openEnded: 0, firsts: [], first: undefined, flags, alts: [], seq: [] };
  }

  /** A literal character under the options in force. */
  private literal(char: string): RegexNode {
    return { t: 'char', test: literal(char, this.frame().flags.i) };
  }

  /** The expression as a tree, or a RegexProblem thrown. */
  read(): RegexNode {
    this.stack.push(this.newFrame(-1, { i: false, m: false, s: false }));
    const n = this.src.length;
    while (this.i < n) {
      const at = this.i;
      const c = this.src[this.i]!;
      if (c === '\\') this.escape();
      else if (c === '[') {
        this.atom({ kind: 'set' }, { t: 'char', test: this.charClass(this.frame().flags.i) });
      } else if (c === '(') this.openGroup();
      else if (c === ')') this.closeGroup();
      else if (c === '|') {
        const f = this.frame();
        f.firsts.push(f.first ?? null);
        f.first = undefined;
        f.alts.push({ t: 'cat', items: f.seq });
        f.seq = [];
        this.last = { kind: 'none' };
        this.i++;
      } else if (c === '*' || c === '+' || c === '?')
        this.quantifier(at, c === '+' ? 1 : 0, c === '?' ? 1 : Infinity, 1);
      else if (c === '{') {
        const q = this.counted();
        if (q) this.quantifier(at, q.min, q.max, q.length);
        else {
          this.i++;
          this.atom({ kind: 'char', char: '{' }, this.literal('{'));
        }
      } else if (c === '^' || c === '$') {
        this.i++;
        const m = this.frame().flags.m;
        const assertion: Assertion =
          c === '^' ? (m ? 'line-start' : 'start') : m ? 'line-end' : 'end-or-final-newline';
        this.atom({ kind: 'anchor' }, { t: 'assert', at: assertion });
      } else if (c === '.') {
        this.i++;
        this.atom({ kind: 'set' }, { t: 'char', test: this.frame().flags.s ? (x) => x >= 0 : SET_TESTS.N! });
      } else {
        const cp = String.fromCodePoint(this.src.codePointAt(this.i)!);
        this.i += cp.length;
        this.atom({ kind: 'char', char: cp }, this.literal(cp));
      }
    }
    if (this.stack.length > 1)
      this.fail(`the group opened at character ${this.frame().at + 1} is never closed`, this.frame().at);
    return this.alternatives(this.frame());
  }

  /** A finished group's alternatives as one node. */
  private alternatives(f: Frame): RegexNode {
    const last: RegexNode = { t: 'cat', items: f.seq };
    return f.alts.length ? { t: 'alt', items: [...f.alts, last] } : last;
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
    if (this.src[this.i] === '?') this.i++; // lazy: the same cost, and the same answer to "does it match"
    const { maxAmbiguousRepeat, maxOpenEnded } = STIX_REGEX_LIMITS;
    const f = this.frame();
    f.seq.push({ t: 'repeat', node: f.seq.pop()!, min, max });
    this.last = { kind: 'quantified' };
    if (min !== max) f.variable = true;
    if (!this.backtrackingRules) return;
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
  }

  private openGroup(): void {
    const at = this.i;
    const s = this.src;
    if (this.stack.length > STIX_REGEX_LIMITS.maxDepth)
      this.fail(`groups are nested deeper than ${STIX_REGEX_LIMITS.maxDepth} at character ${at + 1}`, at);
    if (s[at + 1] === '*') this.refuse('(*VERB) control', at, 'not accepted');
    let j = at + 1;
    let groupFlags = this.frame().flags;
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
        const from = j;
        while (j < s.length && (FLAGS.has(s[j]!) || s[j] === '-')) j++;
        const flags = { ...this.frame().flags };
        let on = true;
        // U (ungreedy) changes which match is found, not whether one is: nothing to keep.
        for (const letter of s.slice(from, j))
          if (letter === '-') on = false;
          else if (letter !== 'U') flags[letter as keyof Flags] = on;
        if (s[j] === ')') {
          this.frame().flags = flags;
          this.i = j + 1;
          return;
        }
        groupFlags = flags;
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
    this.stack.push(this.newFrame(at, groupFlags));
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
    this.atom({ kind: 'group', variable, openEnded: f.openEnded, alternativesOverlap }, this.alternatives(f));
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
      // A quantifier after \Q…\E repeats its last character only, as in PCRE.
      for (const ch of text) this.atom({ kind: 'char', char: ch }, this.literal(ch));
      return;
    }
    if (c === 'E') {
      this.i = at + 2;
      return;
    }
    const single = this.escapedChar(at, false);
    if (typeof single === 'string') return this.atom({ kind: 'char', char: single }, this.literal(single));
    if (single) {
      // Case does not change \p{…} (as PCRE says), nor \d, \w, \s, … (closed under case).
      this.atom(
        { kind: 'set' },
        single === NEWLINE_SEQUENCE ? { t: 'newline' } : { t: 'char', test: single },
      );
      return;
    }
    this.i = at + 2;
    if (ANCHOR_ESCAPES.has(c)) {
      const assertion: Assertion =
        c === 'b'
          ? 'word-boundary'
          : c === 'B'
            ? 'not-word-boundary'
            : c === 'A'
              ? 'start'
              : c === 'z'
                ? 'end'
                : 'end-or-final-newline';
      this.atom({ kind: 'anchor' }, { t: 'assert', at: assertion });
    } else if ((c >= '1' && c <= '9') || c === 'g' || c === 'k')
      this.refuse(`backreference \\${c}`, at, 'not accepted (matching with one is NP-hard)');
    else this.refuse(`escape \\${c}`, at, 'unknown, or not accepted');
  }

  /**
   * An escape that stands for characters, from the backslash at `at`: its one character, the test
   * of a set (\d, \p{L}, …; NEWLINE_SEQUENCE for \R), undefined when it is not one. Moves past it
   * when it is one.
   */
  private escapedChar(at: number, inClass: boolean): string | CharTest | undefined {
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
      return c === 'R' ? NEWLINE_SEQUENCE : SET_TESTS[c]!;
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
      let name: string;
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
        name = s.slice(from, j);
        this.i = j + 1;
      } else if (s[j] !== undefined && isAsciiAlnum(s[j])) {
        name = s[j]!;
        this.i = j + 1;
      } else this.fail(`\\${c} at character ${at + 1} needs a property name`, at);
      const negated = name.startsWith('^') !== (c === 'P');
      const test = unicodeProperty(name.replace(/^\^/, ''));
      if (!test)
        this.refuse(
          `Unicode property \\${c}{${name.length > 32 ? `${name.slice(0, 32)}…` : name}}`,
          at,
          'unknown (known: general categories such as Lu, scripts such as Greek, Any, L&, Xan, Xps, Xsp, Xwd)',
        );
      return negated ? not(test) : test;
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

  /** `[…]`, `[^…]`, with ranges, escapes and POSIX classes; `]` first is a literal. Returns its test; `caseless`: under (?i), which applies before a ^ negates. */
  private charClass(caseless: boolean): CharTest {
    const open = this.i;
    const s = this.src;
    this.i++;
    const negated = s[this.i] === '^';
    if (negated) this.i++;
    const ranges: number[] = [];
    const sets: CharTest[] = [];
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
        const inRange = inRanges(...ranges);
        const written: CharTest = sets.length ? (cp) => inRange(cp) || sets.some((t) => t(cp)) : inRange;
        const test = caseless ? caselessSet(written) : written;
        return negated ? not(test) : test;
      }
      first = false;
      let item: string | null;
      if (c === '[' && s[at + 1] === ':') {
        const end = s.indexOf(':]', at + 2);
        const written = end < 0 ? '' : s.slice(at + 2, end);
        const name = written.replace(/^\^/, '');
        if (end < 0 || !POSIX_CLASSES.has(name))
          this.fail(`unknown POSIX class at character ${at + 1} (such as [:alpha:], [:digit:])`, at);
        this.i = end + 2;
        sets.push(written.startsWith('^') ? not(POSIX_TESTS[name]!) : POSIX_TESTS[name]!);
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
        } else if (typeof e === 'string') item = e;
        else {
          sets.push(e);
          item = null;
        }
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
        // The range's first end was added as a single character; widen it.
        ranges[ranges.length - 1] = item.codePointAt(0)!;
        rangeFrom = undefined;
        prev = undefined;
        continue;
      }
      if (item !== null) ranges.push(item.codePointAt(0)!, item.codePointAt(0)!);
      prev = item;
    }
  }
}

/** Reads `source` to its tree and checks the program it compiles to is within the size bound. */
function readRegex(
  source: string,
  backtrackingRules: boolean,
): { ok: true; root: RegexNode; size: number } | { ok: false; message: string; position: number } {
  if (source.length > STIX_REGEX_LIMITS.maxChars)
    return {
      ok: false,
      message: `longer than ${STIX_REGEX_LIMITS.maxChars} characters (${source.length})`,
      position: STIX_REGEX_LIMITS.maxChars + 1,
    };
  try {
    const root = new RegexReader(source, backtrackingRules).read();
    const size = programSize(root, STIX_REGEX_LIMITS.maxProgram);
    if (size > STIX_REGEX_LIMITS.maxProgram)
      return {
        ok: false,
        message: `repeats expand to more than ${STIX_REGEX_LIMITS.maxProgram} instructions (such as (a{1000}){1000}): too large to evaluate`,
        position: 1,
      };
    return { ok: true, root, size };
  } catch (e) {
    if (!(e instanceof RegexProblem)) throw e;
    return { ok: false, message: e.message, position: e.at + 1 };
  }
}

/**
 * Checks one MATCHES regular expression as described above, for sharing: well-formed, inside
 * the subset the linear-time engine evaluates, and within the rules for backtracking consumers.
 * Never throws; time is linear in its length.
 */
export function checkStixRegex(source: string): StixRegexCheck {
  const r = readRegex(source, true);
  return r.ok ? { ok: true } : r;
}

/**
 * Compiles one MATCHES regular expression for DistillGuard's own linear-time engine: anything
 * well-formed inside the supported subset (the constructs and bounds above, not the rules that
 * only protect backtracking engines: `(a+)+$` compiles, and runs in linear time).
 * `regex.test(input)` is MATCHES: whether it matches anywhere in the input. Never throws.
 */
export function compileStixRegex(source: string): StixRegexCompiled {
  const r = readRegex(source, false);
  return r.ok ? { ok: true, regex: new StixRegex(r.root, r.size) } : r;
}
