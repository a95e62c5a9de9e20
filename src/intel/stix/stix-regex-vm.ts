/*
 * Evaluates a MATCHES expression in time linear in the input: the expression (read by
 * stix-regex.ts into the tree below) becomes a Thompson NFA, run as a Pike VM that keeps every
 * state the expression can be in at once and steps them together over the input, one code point
 * at a time. Each state is visited at most once per input position, so the work is at most
 * (input length × program size), whatever the expression: `(a+)+$` or `(a|aa)*b` cost what
 * `a+$` costs. MATCHES only asks whether the expression matches somewhere in the string (STIX
 * 2.1 §9.5), so no captures or match priorities are kept and lazy and greedy quantifiers are the
 * same.
 */

/** Whether one code point belongs to a character, class or property. */
export type CharTest = (cp: number) => boolean;

/** Zero-width assertions, with PCRE's meanings (no multiline: `$` also before a final newline). */
export type Assertion =
  | 'start' // ^, \A
  | 'end' // \z
  | 'end-or-final-newline' // $, \Z
  | 'line-start' // ^ with (?m): the start, or after a newline that is not the last character
  | 'line-end' // $ with (?m): the end, or before a newline
  | 'word-boundary' // \b (ASCII word characters, as PCRE without UCP)
  | 'not-word-boundary'; // \B

export type RegexNode =
  | { readonly t: 'char'; readonly test: CharTest }
  | { readonly t: 'assert'; readonly at: Assertion }
  /** \R: \r\n taken whole (PCRE makes it atomic), or one of \n \x0b \f \r \x85 U+2028 U+2029. */
  | { readonly t: 'newline' }
  | { readonly t: 'cat'; readonly items: readonly RegexNode[] }
  | { readonly t: 'alt'; readonly items: readonly RegexNode[] }
  | { readonly t: 'repeat'; readonly node: RegexNode; readonly min: number; readonly max: number };

const CHAR = 0;
const SPLIT = 1;
const JMP = 2;
const ASSERT = 3;
const NEWLINE = 4;
const MATCH = 5;

const ASSERTIONS: readonly Assertion[] = [
  'start',
  'end',
  'end-or-final-newline',
  'line-start',
  'line-end',
  'word-boundary',
  'not-word-boundary',
];

/** Instructions a tree compiles to, saturating at `limit + 1` (a repeat multiplies what it repeats). */
export function programSize(node: RegexNode, limit: number): number {
  const cap = (n: number): number => Math.min(n, limit + 1);
  switch (node.t) {
    case 'char':
    case 'assert':
      return 1;
    case 'newline':
      return 2;
    case 'cat':
      return cap(node.items.reduce((sum, n) => cap(sum + programSize(n, limit)), 0));
    case 'alt':
      return cap(node.items.reduce((sum, n) => cap(sum + programSize(n, limit) + 2), 0));
    case 'repeat': {
      const body = programSize(node.node, limit);
      const optional = node.max === Infinity ? body + 2 : (node.max - node.min) * (body + 1);
      return cap(node.min * body + optional);
    }
  }
}

export const isNewlineChar = (cp: number): boolean =>
  (cp >= 0x0a && cp <= 0x0d) || cp === 0x85 || cp === 0x2028 || cp === 0x2029;
const isWordChar = (cp: number): boolean =>
  (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || cp === 0x5f;

/** A compiled MATCHES expression. */
export class StixRegex {
  private readonly op: Uint8Array;
  private readonly x: Int32Array;
  private readonly y: Int32Array;
  private readonly tests: (CharTest | undefined)[] = [];
  /** Starts with ^ or \A on every path: only position 0 can start a match. */
  private readonly anchored: boolean;

  /** `size` from programSize(root), already checked against the caller's limit. */
  constructor(root: RegexNode, size: number) {
    this.op = new Uint8Array(size + 1);
    this.x = new Int32Array(size + 1);
    this.y = new Int32Array(size + 1);
    let pc = 0;
    const emit = (op: number, x = 0, y = 0, test?: CharTest): number => {
      this.op[pc] = op;
      this.x[pc] = x;
      this.y[pc] = y;
      this.tests[pc] = test;
      return pc++;
    };
    // Recursion depth is bounded by the reader's group depth limit (a few levels per group).
    const compile = (n: RegexNode): void => {
      switch (n.t) {
        case 'char':
          emit(CHAR, 0, 0, n.test);
          return;
        case 'assert':
          emit(ASSERT, ASSERTIONS.indexOf(n.at));
          return;
        case 'newline':
          emit(NEWLINE);
          emit(CHAR, 0, 0, (cp) => cp === 0x0a);
          return;
        case 'cat':
          for (const item of n.items) compile(item);
          return;
        case 'alt': {
          const jumps: number[] = [];
          n.items.forEach((item, i) => {
            if (i === n.items.length - 1) return compile(item);
            const split = emit(SPLIT, pc + 1);
            compile(item);
            jumps.push(emit(JMP));
            this.y[split] = pc;
          });
          for (const j of jumps) this.x[j] = pc;
          return;
        }
        case 'repeat': {
          for (let i = 0; i < n.min; i++) compile(n.node);
          if (n.max === Infinity) {
            const split = emit(SPLIT, pc + 1);
            compile(n.node);
            emit(JMP, split);
            this.y[split] = pc;
            return;
          }
          const splits: number[] = [];
          for (let i = n.min; i < n.max; i++) {
            splits.push(emit(SPLIT, pc + 1));
            compile(n.node);
          }
          for (const s of splits) this.y[s] = pc;
          return;
        }
      }
    };
    compile(root);
    emit(MATCH);
    this.anchored = startsAnchored(root);
  }

  /** Instructions of the program: `test` costs at most the input's length times this. */
  get size(): number {
    return this.op.length - 1;
  }

  /** Whether the expression matches anywhere in `input` (code points, as PCRE in UTF mode). */
  test(input: string): boolean {
    const { op, x, y, tests } = this;
    const n = op.length;
    let clist = new Int32Array(n);
    let nlist = new Int32Array(n);
    let ccount = 0;
    let ncount = 0;
    const mark = new Uint32Array(n);
    let gen = 1;
    const stack = new Int32Array(2 * n + 2);
    const len = input.length;

    /** Adds `start` and every state reachable from it without reading, at position `pos` (between `prev` and `cur`), to the next list. */
    const close = (start: number, pos: number, prev: number, cur: number): boolean => {
      let sp = 0;
      stack[sp++] = start;
      while (sp > 0) {
        const pc = stack[--sp]!;
        if (mark[pc] === gen) continue;
        mark[pc] = gen;
        switch (op[pc]) {
          case CHAR:
          case NEWLINE:
            nlist[ncount++] = pc;
            break;
          case SPLIT:
            stack[sp++] = y[pc]!;
            stack[sp++] = x[pc]!;
            break;
          case JMP:
            stack[sp++] = x[pc]!;
            break;
          case ASSERT:
            if (holds(x[pc]!, pos, len, prev, cur)) stack[sp++] = pc + 1;
            break;
          case MATCH:
            return true;
        }
      }
      return false;
    };

    let pos = 0;
    let prev = -1;
    let cur = len > 0 ? input.codePointAt(0)! : -1;
    // The states for position 0 go into nlist, then the lists swap; so at each step clist holds
    // the states at `pos` and nlist collects those after reading `cur`.
    for (;;) {
      if ((!this.anchored || pos === 0) && close(0, pos, prev, cur)) return true;
      [clist, nlist] = [nlist, clist];
      ccount = ncount;
      ncount = 0;
      if (pos >= len || (ccount === 0 && this.anchored)) return false;
      const width = cur > 0xffff ? 2 : 1;
      const next = pos + width < len ? input.codePointAt(pos + width)! : -1;
      gen++;
      for (let i = 0; i < ccount; i++) {
        const pc = clist[i]!;
        if (op[pc] === CHAR) {
          if (tests[pc]!(cur) && close(pc + 1, pos + width, cur, next)) return true;
        } else if (isNewlineChar(cur)) {
          // \R: \r\n is read whole, so after \r the \n must come next.
          const target = cur === 0x0d && next === 0x0a ? pc + 1 : pc + 2;
          if (close(target, pos + width, cur, next)) return true;
        }
      }
      pos += width;
      prev = cur;
      cur = next;
    }
  }
}

function holds(assertion: number, pos: number, len: number, prev: number, cur: number): boolean {
  switch (ASSERTIONS[assertion]) {
    case 'start':
      return pos === 0;
    case 'end':
      return pos === len;
    case 'end-or-final-newline':
      return pos === len || (cur === 0x0a && pos === len - 1);
    case 'line-start':
      return pos === 0 || (prev === 0x0a && pos < len);
    case 'line-end':
      return pos === len || cur === 0x0a;
    case 'word-boundary':
      return isWordChar(prev) !== isWordChar(cur);
    case 'not-word-boundary':
      return isWordChar(prev) === isWordChar(cur);
    default:
      return false;
  }
}

/** Whether every match must start at position 0 (a speed-up only: the answer is the same without it). */
function startsAnchored(n: RegexNode): boolean {
  switch (n.t) {
    case 'assert':
      return n.at === 'start';
    case 'cat':
      return n.items.length > 0 && startsAnchored(n.items[0]!);
    case 'alt':
      return n.items.length > 0 && n.items.every(startsAnchored);
    case 'repeat':
      return n.min > 0 && startsAnchored(n.node);
    default:
      return false;
  }
}
