import { STIX_NON_SCO_TYPES, STIX_SCO_SHAPES, type ScoShape } from './sco-properties.js';
import { PatternSyntaxError, shown, tokenize, type Token } from './stix-pattern-lexer.js';
import { checkStixRegex } from './stix-regex.js';

/*
 * The STIX 2.1 patterning language (STIX 2.1 §9), checked by a small hand-written
 * recursive-descent parser that follows the OASIS ANTLR grammar (STIXPattern.g4, whose Python
 * build is the reference validator `stix2-patterns`). Why not a package: npm has no maintained JS
 * STIX pattern parser, and an ANTLR runtime is a large dependency whose generated parser
 * recurses without bound (deep nesting overflows the stack) and gives no limits of its own.
 * Patterns arrive from other members and hubs, so the parser is bounded: length first, then a
 * single linear lexing pass (no regular expressions over the input; the few here check names of
 * at most 250 characters and cannot backtrack), nesting depth and the number of comparisons; recursion only happens at a bracket or parenthesis, so the depth limit also
 * bounds the stack.
 */

/** Bounds on a pattern from outside; each far above what any generator writes. */
export const STIX_PATTERN_LIMITS = {
  /** Characters (UTF-16 code units), checked before anything is read. */
  maxChars: 65_536,
  /** Brackets and parentheses open at once. */
  maxDepth: 64,
  /** Comparisons (`path op value`, `EXISTS path`) in the whole pattern. */
  maxComparisons: 1_000,
} as const;

/** A literal operand as written (`value` holds a string literal's text, unescaped). */
export interface PatternLiteral {
  kind: Token['kind'];
  text: string;
  value?: string;
}

/** The comparison expression inside one `[…]`: comparisons joined by AND / OR (parentheses dropped). */
export type ComparisonNode =
  | { kind: 'and' | 'or'; operands: ComparisonNode[] }
  | {
      kind: 'comparison';
      type: string;
      /** Steps after the type: property names and keys, null for a list index. */
      path: (string | null)[];
      /** `path NOT op value`. */
      negated: boolean;
      op: string;
      /** One operand, or the members of an IN set. */
      values: PatternLiteral[];
    }
  | { kind: 'exists'; negated: boolean; type: string; path: (string | null)[] };

/** A qualifier as written: `WITHIN n SECONDS`, `REPEATS n TIMES`, `START t'…' STOP t'…'` (operand texts). */
export type PatternQualifier =
  | { kind: 'WITHIN'; seconds: string }
  | { kind: 'REPEATS'; times: string }
  | { kind: 'START'; start: string; stop: string };

/** Observation expressions joined by AND / OR / FOLLOWEDBY; `qualifiers` in the order written (each applies to what precedes it). */
export type ObservationNode =
  | { kind: 'observation'; expr: ComparisonNode; qualifiers: PatternQualifier[] }
  | { kind: 'group'; expr: ObservationNode; qualifiers: PatternQualifier[] }
  | { kind: 'and' | 'or' | 'followedby'; operands: ObservationNode[] };

export type StixPatternCheck =
  | { ok: true; observations: number; comparisons: number }
  | {
      ok: false;
      /**
       * syntax: not the grammar; limit: over a bound; name: an ill-formed type, property or key;
       * value: a hash of the wrong form; path: a type or property STIX 2.1 does not define (not
       * custom); regex: a MATCHES expression that does not compile or has no bounded evaluation.
       */
      reason: 'syntax' | 'limit' | 'name' | 'value' | 'path' | 'regex';
      /** One line, at most a few hundred characters; quotes at most 32 characters of the input. */
      message: string;
      /** 1-based character where the problem is. */
      position: number;
    };

/** STIX 2.1 type names (§3.1, the OASIS schemas' `type` rule): a-z, 0-9, single inner hyphens. */
function isTypeName(s: string): boolean {
  if (s.length < 3 || s.length > 250) return false;
  if (!/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/.test(s)) return false;
  return true;
}
/** Property names (§3.1): a-z, 0-9 and underscore. Spec-defined names may be short (`id`). */
const isPropertyName = (s: string): boolean => s.length >= 1 && s.length <= 250 && /^[a-z0-9_]+$/.test(s);
/** Dictionary keys (§3.1), e.g. hashes.'SHA-256', request_header.'User-Agent', extension ids. */
const isDictionaryKey = (s: string): boolean =>
  s.length >= 1 && s.length <= 250 && /^[A-Za-z0-9_-]+$/.test(s);

/** Hex lengths of the hash algorithms STIX names (hash-algorithm-ov and common others), upper-cased without hyphens. */
const HASH_HEX_LENGTHS: Record<string, readonly number[]> = {
  MD5: [32],
  MD6: [32, 40, 56, 64, 96, 128],
  RIPEMD160: [40],
  SHA1: [40],
  SHA224: [56],
  SHA256: [64],
  SHA384: [96],
  SHA512: [128],
  SHA3224: [56],
  SHA3256: [64],
  SHA3384: [96],
  SHA3512: [128],
  WHIRLPOOL: [128],
};

/** What a hash value must look like, or undefined when it does; unknown algorithms are not judged. */
function hashProblem(algorithm: string, value: string): string | undefined {
  const alg = algorithm.toUpperCase().replace(/-/g, '');
  if (alg === 'SSDEEP')
    return value.length >= 1 && value.length <= 128 && /^[A-Za-z0-9/+:.]+$/.test(value)
      ? undefined
      : 'not an SSDEEP hash';
  const lengths = Object.hasOwn(HASH_HEX_LENGTHS, alg) ? HASH_HEX_LENGTHS[alg] : undefined;
  if (!lengths) return undefined;
  return lengths.includes(value.length) && /^[0-9a-fA-F]+$/.test(value)
    ? undefined
    : `not a ${algorithm} hash (${lengths.join(' or ')} hex digits)`;
}

/** A STIX 2.1 extension definition's id, the key of an extension it defines (§7.3). */
const EXTENSION_DEFINITION =
  /^extension-definition--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$/;

const EQUALITY = new Set(['=', '==', '!=', '<>']);
const ORDER = new Set(['<', '<=', '>', '>=']);
const STRING_OPS = new Set(['LIKE', 'MATCHES', 'ISSUBSET', 'ISSUPERSET']);
const PRIMITIVE = new Set(['string', 'int', 'float', 'bool', 'binary', 'hex', 'timestamp']);
const QUALIFIERS = new Set(['WITHIN', 'REPEATS', 'START']);

const where = (t: Token): string => `at character ${t.at + 1}`;
const described = (t: Token): string => (t.kind === 'eof' ? 'the end of the pattern' : shown(t.text));

class Parser {
  private i = 0;
  private depth = 0;
  /** The first name or value problem: reported only when the grammar holds, so syntax errors come first (as in the reference validator). */
  private later: PatternSyntaxError | undefined;
  comparisons = 0;
  observations = 0;

  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.i]!;
  }
  private take(): Token {
    const t = this.tokens[this.i]!;
    if (t.kind !== 'eof') this.i++;
    return t;
  }
  private isKeyword(text: string): boolean {
    const t = this.peek();
    return t.kind === 'keyword' && t.text === text;
  }
  private isPunct(text: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === text;
  }
  private fail(expected: string, t: Token = this.peek()): never {
    throw new PatternSyntaxError(`expected ${expected}, found ${described(t)} ${where(t)}`, t.at);
  }
  private expectPunct(text: string, expected = `"${text}"`): Token {
    if (!this.isPunct(text)) this.fail(expected);
    return this.take();
  }
  private expectKeyword(text: string): void {
    if (!this.isKeyword(text)) this.fail(text);
    this.take();
  }
  private open(t: Token): void {
    if (++this.depth > STIX_PATTERN_LIMITS.maxDepth)
      throw new PatternSyntaxError(
        `nested deeper than ${STIX_PATTERN_LIMITS.maxDepth} brackets and parentheses ${where(t)}`,
        t.at,
        'limit',
      );
  }

  pattern(): ObservationNode {
    const tree = this.observationExpressions();
    if (this.peek().kind !== 'eof') this.fail('AND, OR, FOLLOWEDBY, a qualifier or the end of the pattern');
    if (this.later) throw this.later;
    return tree;
  }

  private defer(message: string, t: Token, reason: 'name' | 'value' | 'path' | 'regex'): void {
    this.later ??= new PatternSyntaxError(message, t.at, reason);
  }

  /** `operand (keyword operand)*`: each level of the grammar's binary operators; one operand stands alone. */
  private joined<T, K extends string>(
    keyword: string,
    kind: K,
    operand: () => T,
  ): T | { kind: K; operands: T[] } {
    const first = operand();
    if (!this.isKeyword(keyword)) return first;
    const operands = [first];
    while (this.isKeyword(keyword)) {
      this.take();
      operands.push(operand());
    }
    return { kind, operands };
  }

  // Precedence, loosest first, as in the grammar: FOLLOWEDBY, OR, AND, then one observation.
  private observationExpressions(): ObservationNode {
    return this.joined('FOLLOWEDBY', 'followedby', () =>
      this.joined('OR', 'or', () => this.joined('AND', 'and', () => this.observation())),
    );
  }

  private observation(): ObservationNode {
    const t = this.peek();
    let node: ObservationNode;
    if (this.isPunct('[')) {
      this.open(this.take());
      const expr = this.comparisonExpression();
      this.expectPunct(']', 'AND, OR or "]"');
      this.depth--;
      this.observations++;
      node = { kind: 'observation', expr, qualifiers: [] };
    } else if (this.isPunct('(')) {
      this.open(this.take());
      const expr = this.observationExpressions();
      this.expectPunct(')', 'AND, OR, FOLLOWEDBY, a qualifier or ")"');
      this.depth--;
      node = { kind: 'group', expr, qualifiers: [] };
    } else return this.fail('an observation expression ("[" or "(")', t);
    node.qualifiers = this.qualifiers(node.kind === 'observation');
    return node;
  }

  /**
   * WITHIN n SECONDS, REPEATS n TIMES, START t'…' STOP t'…'. The reference validator refuses the
   * same qualifier twice on one bracketed observation (not on a parenthesised group): so does this.
   */
  private qualifiers(simple: boolean): PatternQualifier[] {
    const seen = new Set<string>();
    const found: PatternQualifier[] = [];
    while (this.peek().kind === 'keyword' && QUALIFIERS.has(this.peek().text)) {
      const q = this.take();
      if (simple && seen.has(q.text))
        throw new PatternSyntaxError(`${q.text} appears twice on one observation ${where(q)}`, q.at);
      seen.add(q.text);
      if (q.text === 'WITHIN') {
        const n = this.peek();
        if ((n.kind !== 'int' && n.kind !== 'float') || n.text.startsWith('-'))
          this.fail('a number of seconds (0 or more)');
        this.take();
        this.expectKeyword('SECONDS');
        found.push({ kind: 'WITHIN', seconds: n.text });
      } else if (q.text === 'REPEATS') {
        const n = this.peek();
        if (n.kind !== 'int' || n.text.startsWith('-')) this.fail('a whole number of times (0 or more)');
        this.take();
        this.expectKeyword('TIMES');
        found.push({ kind: 'REPEATS', times: n.text });
      } else {
        const start = this.peek();
        if (start.kind !== 'timestamp') this.fail("a timestamp t'…'");
        this.take();
        this.expectKeyword('STOP');
        const stop = this.peek();
        if (stop.kind !== 'timestamp') this.fail("a timestamp t'…'");
        this.take();
        found.push({ kind: 'START', start: start.value ?? start.text, stop: stop.value ?? stop.text });
      }
    }
    return found;
  }

  private comparisonExpression(): ComparisonNode {
    return this.joined('OR', 'or', () => this.joined('AND', 'and', () => this.comparison()));
  }

  private counted(t: Token): void {
    if (++this.comparisons > STIX_PATTERN_LIMITS.maxComparisons)
      throw new PatternSyntaxError(
        `more than ${STIX_PATTERN_LIMITS.maxComparisons} comparisons (the one ${where(t)})`,
        t.at,
        'limit',
      );
  }

  private comparison(): ComparisonNode {
    const t = this.peek();
    if (this.isPunct('(')) {
      this.open(this.take());
      const inner = this.comparisonExpression();
      this.expectPunct(')', 'AND, OR or ")"');
      this.depth--;
      return inner;
    }
    let negated = false;
    if (this.isKeyword('NOT') && this.tokens[this.i + 1]?.text === 'EXISTS') {
      this.take();
      negated = true;
    }
    if (this.isKeyword('EXISTS')) {
      this.take();
      this.counted(t);
      const typeText = this.peek().text;
      return { kind: 'exists', negated, type: typeText, path: this.objectPath() };
    }
    const type = this.peek().text;
    const path = this.objectPath();
    if (this.isKeyword('NOT')) {
      this.take();
      negated = true;
    }
    const op = this.peek();
    this.counted(t);
    const literal = (v: Token): PatternLiteral =>
      v.value === undefined ? { kind: v.kind, text: v.text } : { kind: v.kind, text: v.text, value: v.value };
    const values: PatternLiteral[] = [];
    if (op.kind === 'op' && (EQUALITY.has(op.text) || ORDER.has(op.text))) {
      this.take();
      const v = this.peek();
      const ordered = ORDER.has(op.text);
      if (!PRIMITIVE.has(v.kind) || (ordered && v.kind === 'bool'))
        this.fail(ordered ? 'a string, number, binary, hex or timestamp value' : 'a value');
      values.push(literal(this.take()));
      if (!ordered && v.kind === 'string') this.checkHash(path, v);
    } else if (op.kind === 'keyword' && op.text === 'IN') {
      this.take();
      this.expectPunct('(', 'a set "(" … ")"');
      if (!this.isPunct(')'))
        for (;;) {
          if (!PRIMITIVE.has(this.peek().kind)) this.fail('a value');
          values.push(literal(this.take()));
          if (!this.isPunct(',')) break;
          this.take();
        }
      this.expectPunct(')', '"," or ")"');
    } else if (op.kind === 'keyword' && STRING_OPS.has(op.text)) {
      this.take();
      if (this.peek().kind !== 'string') this.fail(`a quoted string after ${op.text}`);
      const v = this.take();
      values.push(literal(v));
      if (op.text === 'MATCHES') {
        const r = checkStixRegex(v.value!);
        if (!r.ok) this.defer(`MATCHES expression ${where(v)}: ${r.message}`, v, 'regex');
      }
    } else
      this.fail(
        'a comparison operator (=, !=, <, <=, >, >=, IN, LIKE, MATCHES, ISSUBSET, ISSUPERSET), optionally after NOT',
        op,
      );
    return { kind: 'comparison', type, path, negated, op: op.text, values };
  }

  /** `type:first(.key | [n] | [*])*`; returns the steps (null for an index) for the hash check. */
  private objectPath(): (string | null)[] {
    const type = this.peek();
    if (type.kind !== 'ident') this.fail('an object type (such as file or ipv4-addr)');
    this.take();
    if (!isTypeName(type.text))
      this.defer(
        `object type ${shown(type.text)} ${where(type)} is not a STIX type name (a-z, 0-9, inner hyphens; 3-250 characters)`,
        type,
        'name',
      );
    this.expectPunct(':', '":" after the object type');
    const first = this.peek();
    const firstName = this.pathKey(first, 'a property name');
    let wellFormed = isTypeName(type.text) && isPropertyName(firstName);
    if (!isPropertyName(firstName))
      this.defer(
        `property ${shown(firstName)} ${where(first)} is not a STIX property name (a-z, 0-9, _; up to 250 characters)`,
        first,
        'name',
      );
    // Where the path has got to in the SCO table, and its text (for messages); undefined once it
    // leaves what STIX defines, which bounds the steps checked (and the text) by the table's depth.
    let shape = wellFormed ? this.firstStep(type, first, firstName) : undefined;
    let text = `${type.text}:${firstName}`;
    const steps: (string | null)[] = [firstName];
    for (;;) {
      let key: string | null;
      const at = this.peek();
      if (this.isPunct('.')) {
        this.take();
        const k = this.peek();
        key = this.pathKey(k, 'a property name or a quoted key after "."');
        if (!isDictionaryKey(key)) {
          wellFormed = false;
          this.defer(
            `key ${shown(key)} ${where(k)} is not a STIX property name or key (A-Z, a-z, 0-9, -, _; 1-250 characters)`,
            k,
            'name',
          );
        }
        if (wellFormed && shape) {
          shape = this.nextStep(shape, key, k, text);
          text += /^[a-z0-9_]+$/.test(key) ? `.${key}` : `.'${key}'`;
        }
      } else if (this.isPunct('[')) {
        this.take();
        const idx = this.peek();
        if (idx.kind !== 'int' && !(idx.kind === 'punct' && idx.text === '*'))
          this.fail('a list index (a whole number or *)');
        this.take();
        this.expectPunct(']', '"]" after the list index');
        key = null;
        if (wellFormed && shape) {
          shape = this.nextStep(shape, null, at, text);
          text += '[*]';
        }
      } else return steps;
      steps.push(key);
    }
  }

  /**
   * STIX 2.1 §9.3: the object type is a cyber-observable type and the first step one of its
   * properties. Custom types (x-…) and custom properties (x_…) are allowed, as the spec allows
   * them; anything else unknown is a mistake or a type this consumer cannot know, refused with
   * its name (as the OASIS validator does). Returns the property's shape, to check later steps.
   */
  private firstStep(type: Token, first: Token, property: string): ScoShape | undefined {
    const known = STIX_SCO_SHAPES.get(type.text);
    if (known) {
      if (Object.hasOwn(known.props, property)) return known.props[property];
      if (!property.startsWith('x_'))
        this.defer(
          `${shown(property)} ${where(first)} is not a property of ${type.text} objects in STIX 2.1 (custom properties start with x_)`,
          first,
          'path',
        );
    } else if (STIX_NON_SCO_TYPES.has(type.text))
      this.defer(
        `object type ${shown(type.text)} ${where(type)} is not a cyber-observable type: patterns match observed data (file, ipv4-addr, network-traffic, …)`,
        type,
        'path',
      );
    else if (!type.text.startsWith('x-'))
      this.defer(
        `object type ${shown(type.text)} ${where(type)} is not a STIX 2.1 cyber-observable type (custom types start with x-)`,
        type,
        'path',
      );
    return undefined;
  }

  /**
   * One step after the first (`key`, or null for a list index) into a property of this shape:
   * the shape it reaches, or undefined when the path leaves what STIX defines (custom content,
   * free dictionary values) or is refused (deferred, reason `path`). `text` is the path so far.
   */
  private nextStep(shape: ScoShape, key: string | null, t: Token, text: string): ScoShape | undefined {
    const path = text.length > 64 ? `…${text.slice(-63)}` : text;
    const refuse = (why: string): undefined => {
      this.defer(`${key === null ? '"["' : shown(key)} ${where(t)}: ${why}`, t, 'path');
      return undefined;
    };
    if (shape.kind === 'any') return undefined;
    if (key === null)
      return shape.kind === 'list'
        ? shape.of
        : refuse(`${path} is not a list in STIX 2.1 (only lists take [n] or [*])`);
    switch (shape.kind) {
      case 'value':
        return refuse(`${path} is a single value in STIX 2.1, with no properties or keys`);
      case 'list':
        return refuse(`${path} is a list in STIX 2.1: index it first (${path}[*].…)`);
      case 'dict':
        return shape.of;
      case 'object':
        if (Object.hasOwn(shape.props, key)) return shape.props[key];
        return key.startsWith('x_')
          ? undefined
          : refuse(`not a property of ${path} in STIX 2.1 (custom properties start with x_)`);
      case 'extensions': {
        if (Object.hasOwn(shape.props, key)) return shape.props[key];
        if (key.startsWith('x-') || EXTENSION_DEFINITION.test(key)) return undefined;
        const known = Object.keys(shape.props);
        return refuse(
          `not a STIX 2.1 extension of ${text.slice(0, text.indexOf(':'))} objects (${known.length ? `predefined: ${known.join(', ')}` : 'it has no predefined ones'}; custom ones start with x- or are extension-definition--<UUID>)`,
        );
      }
      case 'ref': {
        if (shape.to.length === 0)
          return refuse(
            `${path} refers to a marking definition, not an observable: it has no properties to match`,
          );
        if (shape.to.includes('*') || key.startsWith('x_')) return undefined;
        const found = shape.to.flatMap((type) => {
          const props = STIX_SCO_SHAPES.get(type)!.props;
          return Object.hasOwn(props, key) ? [props[key]!] : [];
        });
        if (found.length === 0)
          return refuse(
            `not a property of ${shape.to.join(' or ')} objects, which ${path} refers to in STIX 2.1 (custom properties start with x_)`,
          );
        // A reference to several types: a property they share may differ in shape (rarely); then stop checking.
        return found.every((f) => JSON.stringify(f) === JSON.stringify(found[0])) ? found[0] : undefined;
      }
    }
  }

  /** One unquoted (no hyphen) or quoted path step. */
  private pathKey(t: Token, expected: string): string {
    if (t.kind === 'string') {
      this.take();
      return t.value!;
    }
    if (t.kind !== 'ident') this.fail(expected, t);
    if (t.hyphen)
      throw new PatternSyntaxError(
        `${shown(t.text)} ${where(t)} holds a hyphen: quote it ('${t.text.length > 32 ? '…' : t.text}') to use it in a path`,
        t.at,
      );
    this.take();
    return t.text;
  }

  /** As the reference validator: `….hashes.<algorithm> = '<value>'` must be a hash of that algorithm. */
  private checkHash(path: (string | null)[], v: Token): void {
    const alg = path[path.length - 1];
    if (alg === null || alg === undefined || !path.includes('hashes')) return;
    const problem = hashProblem(alg, v.value!);
    if (problem) this.defer(`${shown(v.value!)} ${where(v)} is ${problem}`, v, 'value');
  }
}

/**
 * Checks one STIX 2.1 pattern (`pattern_type: "stix"`): the grammar, the bounds above,
 * well-formed object types, property names and dictionary keys, cyber-observable types and
 * their properties (custom x-/x_ ones allowed), hash values of the algorithms STIX names, and
 * MATCHES regular expressions (stix-regex.ts). Never throws; time is linear in the pattern's
 * length.
 */
export function checkStixPattern(pattern: string): StixPatternCheck {
  const r = parseStixPattern(pattern);
  return r.ok ? { ok: true, observations: r.observations, comparisons: r.comparisons } : r;
}

/**
 * checkStixPattern, also giving the pattern's tree (for evaluating it, src/intel/match): the same
 * parser, the same verdicts and bounds. Never throws.
 */
export function parseStixPattern(
  pattern: string,
):
  | { ok: true; tree: ObservationNode; observations: number; comparisons: number }
  | Extract<StixPatternCheck, { ok: false }> {
  if (pattern.length > STIX_PATTERN_LIMITS.maxChars)
    return {
      ok: false,
      reason: 'limit',
      message: `longer than ${STIX_PATTERN_LIMITS.maxChars} characters (${pattern.length})`,
      position: STIX_PATTERN_LIMITS.maxChars + 1,
    };
  try {
    const p = new Parser(tokenize(pattern));
    const tree = p.pattern();
    return { ok: true, tree, observations: p.observations, comparisons: p.comparisons };
  } catch (e) {
    if (!(e instanceof PatternSyntaxError)) throw e;
    return { ok: false, reason: e.reason, message: e.message, position: e.at + 1 };
  }
}
