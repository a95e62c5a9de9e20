import { inPrefix, ipFamily } from '../../text/index.js';
import type {
  ComparisonNode,
  ObservationNode,
  PatternLiteral,
  PatternQualifier,
} from '../stix/stix-pattern.js';
import { compileStixRegex } from '../stix/stix-regex.js';
import type { StixRegex } from '../stix/stix-regex-vm.js';

/*
 * A bounded subset of STIX patterning (STIX 2.1 §9) evaluated against what DistillGuard observes:
 * one request (or an account record) is one observation holding the client's address
 * (ipv4-addr / ipv6-addr, network-traffic:src_ref), its ASN (autonomous-system) and its
 * User-Agent header (network-traffic http-request-ext). Comparisons are compiled into tests of
 * one property ("atoms"), whose verdicts the matcher keeps per distinct value; a pattern's
 * observation expressions become bits of a mask, set as the account's requests satisfy them.
 * Each observation expression binds its own request (STIX 2.1 §9: an observation operator joins
 * observation expressions over different observations; stix2-matcher's AND joins only bindings
 * with no observation in common), so an AND is a matching of its operands to distinct requests,
 * decided from how many of the requests kept (the first k of each operand, `MaskCounts`)
 * satisfied each set of them.
 * Time-qualified parts (WITHIN, REPEATS, START … STOP, FOLLOWEDBY) become "timed units", each a
 * bit of its own, set by a small per-account state fed with the account's timed requests
 * (`TimedState`), bounded per unit whatever the pattern says (TIMED_LIMITS).
 */

/** Bounds on one evaluated pattern, far inside the parser's own (STIX_PATTERN_LIMITS). */
export const PATTERN_PROGRAM_LIMITS = {
  /** Observation expressions `[…]` (one bit each of an account's mask). */
  maxObservations: 16,
  /** Comparisons plus IN-set members. */
  maxTerms: 256,
  /** AND / OR / parentheses nested, at either level. */
  maxDepth: 16,
  /** Qualifiers in the whole pattern (a group may repeat WITHIN or START; each costs a compare per request). */
  maxQualifiers: 16,
  /**
   * Alternatives of the pattern (or of a windowed AND / OR) written as an OR of ANDs: each is a
   * matching of its observation expressions to distinct requests, tried when the account is judged.
   */
  maxAlternatives: 64,
} as const;

/**
 * Bounds on the time-qualified parts. REPEATS n TIMES WITHIN s SECONDS keeps up to n - 1 request
 * times per account while it is not yet met (at most 2n + 2 with its queue's slack), so n is
 * bounded (an AND of two: three such queues, for one role, the other, both); a windowed AND / OR
 * keeps, per set of its observation expressions a request satisfied, as many latest times as it
 * has observation expressions (so their number is bounded); a chain two numbers per step plus
 * its latest millisecond's requests. `maxHeldTimes` bounds
 * all accounts' states together (IntelMatcher): past it, a new account gets no state and a
 * growing one drops what it holds and stops (counted; their timed parts hold no more than met).
 * The same bound holds the untimed alternatives' kept requests (`MaskCounts`): past it a request
 * adding a new state or set is not counted (counted as such; it can only miss a match).
 */
export const TIMED_LIMITS = {
  /** REPEATS n TIMES with n above this is unsupported. */
  maxRepeats: 1_000,
  /** Requests a FOLLOWEDBY binds (its steps, a `REPEATS k` operand counting k): one bit each of a request's eligibility. */
  maxChainSteps: 30,
  /** Chains one FOLLOWEDBY becomes (each AND operand binds in two ways: two distinct requests, in either order). */
  maxChainOrders: 8,
  /**
   * Observation expressions of one windowed AND / OR: per set of them a request satisfies, the
   * latest this many request times are kept, and a matching decides each request.
   */
  maxWindowLeaves: 6,
  /** Numbers reserved over all accounts and patterns, timed states and `MaskCounts` (8 bytes each: 64 MB). */
  maxHeldTimes: 8_000_000,
  /** Reserved per account state on top of what it holds: the objects themselves, as numbers. */
  stateOverhead: 32,
} as const;

export type Property = 'ip' | 'asn' | 'ua';

/** What one observation holds; a property DistillGuard did not see is absent. */
export interface Observation {
  ip?: string;
  asn?: number;
  ua?: string;
}

/** A test of one property's value; `negated` already applied (an absent property fails either way). */
export interface Atom {
  property: Property;
  test: (value: string) => boolean;
  /** A MATCHES or LIKE program, counted against the matcher's expression bounds. */
  regex?: StixRegex;
}

type Cmp =
  | { k: 'and' | 'or'; of: Cmp[] }
  | { k: 'atom'; property: Property; index: number }
  | { k: 'exists'; property: Property; family?: 4 | 6; negated: boolean };
type Obs = { k: 'and' | 'or'; of: Obs[] } | { k: 'leaf'; bit: number };

/**
 * A time-qualified part of a pattern, met when the account's timed requests (with times in
 * [from, to), milliseconds) hold a binding of it whose times span at most `windowMs`:
 * repeats: `times` distinct requests satisfying a leaf of `roles[0]` (a mask of leaves: one
 * observation expression or an OR of them) and, with a second role (an AND of two), `times`
 * more, distinct from those, satisfying a leaf of `roles[1]` (2 × `times` requests in all);
 * window: distinct requests for the leaves of one of `alts` (its `tree` as an OR of ANDs), or a
 * binding of the one timed part such an alternative is;
 * chain: distinct requests, the j-th satisfying a leaf of `steps[j]` at a time in
 * [stepFrom[j], stepTo[j]), in that order of time (FOLLOWEDBY; a `REPEATS k` operand is k steps).
 */
export type TimedUnit = {
  bit: number;
  windowMs: number;
  from: number;
  to: number;
  /** Part of a qualified AND / OR (an operand's `tree` leaf): it keeps its latest start once met. */
  inner?: boolean;
} & (
  | { k: 'repeats'; roles: number[]; times: number }
  | { k: 'window'; tree: Obs; leaves: number[]; alts: number[]; own: number }
  | { k: 'chain'; steps: number[]; stepFrom: number[]; stepTo: number[] }
);

/** How broad a pattern is: the indicator kind whose benign match rate it carries (null: any). */
type Breadth = 'ip_prefix' | 'user_agent' | 'asn' | null;
const NARROWNESS: Record<Exclude<Breadth, null>, number> = { ip_prefix: 3, user_agent: 2, asn: 1 };
const narrowest = (a: Breadth[]): Breadth =>
  a.reduce<Breadth>((x, y) => (y && (!x || NARROWNESS[y] > NARROWNESS[x]) ? y : x), null);
const broadest = (a: Breadth[]): Breadth =>
  a.some((b) => b === null) ? null : a.reduce((x, y) => (NARROWNESS[y!] < NARROWNESS[x!] ? y : x));

export class Unsupported extends Error {}

export interface PatternProgram {
  /** Observation expressions, in order: bit i of a mask is leaves[i]. */
  leaves: Cmp[];
  tree: Obs;
  /** Indicator kind for the p-value (KIND_BENIGN_MATCH); 'pattern' when a branch matches nearly anything. */
  kind: string;
  terms: number;
  /** Its MATCHES / LIKE programs. */
  regexes: StixRegex[];
  /** Its time-qualified parts; their bits follow the leaves' (set only through TimedState). */
  units: TimedUnit[];
  /** `tree` as an OR of ANDs: per alternative, the bits it binds (leaves, or one timed part alone). */
  alts: number[];
  /** The leaves of its alternatives of leaves only (those `MaskCounts` decide). */
  counted: number;
  /** The most leaves one such alternative binds: requests kept per leaf (`countMask`). */
  keep: number;
}

const UA_KEYS = ['extensions', 'http-request-ext', 'request_header'];

/** The property a path names, with the address family its type requires; unsupported otherwise. */
function propertyOf(type: string, path: (string | null)[]): { property: Property; family?: 4 | 6 } {
  const p = path.map((s) => (s === null ? '[*]' : s));
  if ((type === 'ipv4-addr' || type === 'ipv6-addr') && p.length === 1 && p[0] === 'value')
    return { property: 'ip', family: type === 'ipv4-addr' ? 4 : 6 };
  if (type === 'network-traffic' && p.length === 2 && p[0] === 'src_ref' && p[1] === 'value')
    return { property: 'ip' };
  if (type === 'autonomous-system' && p.length === 1 && p[0] === 'number') return { property: 'asn' };
  // HTTP header names are case-insensitive (RFC 9110), so is this key.
  if (
    type === 'network-traffic' &&
    p.length === 4 &&
    UA_KEYS.every((k, i) => p[i] === k) &&
    p[3]!.toLowerCase() === 'user-agent'
  )
    return { property: 'ua' };
  const text = `${type}:${p.join('.')}`;
  throw new Unsupported(
    `property ${text.length > 80 ? `${text.slice(0, 80)}…` : text} is not one DistillGuard observes`,
  );
}

/** Whether an observed address is one (of that family: an ipv4-addr, an ipv6-addr). */
const hasAddress = (ip: string, family: 4 | 6 | undefined): boolean =>
  (family !== 6 && inPrefix(ip, '0.0.0.0/0')) || (family !== 4 && inPrefix(ip, '::/0'));

/** A pattern's address or network as CIDR, or unsupported. */
function cidrOf(v: PatternLiteral): string {
  const text = v.kind === 'string' ? v.value! : '';
  const [net, bits, extra] = text.split('/');
  const family = ipFamily(net ?? '');
  const max = family === 6 ? 128 : 32;
  if (!family || extra !== undefined || (bits !== undefined && !/^\d{1,3}$/.test(bits)) || Number(bits) > max)
    throw new Unsupported(`${JSON.stringify(text.slice(0, 64))} is not an IP address or network`);
  return bits === undefined ? `${net}/${max}` : text;
}

/** LIKE (SQL: % any run, _ one character) as an anchored expression for the linear-time engine. */
export function likeToExpression(like: string): string {
  let out = '(?s)\\A';
  for (const ch of like) {
    if (ch === '%') out += '.*';
    else if (ch === '_') out += '.';
    else if (/^[A-Za-z0-9]$/.test(ch)) out += ch;
    // In PCRE a backslash before any other character is that character.
    else out += `\\${ch}`;
  }
  return `${out}\\z`;
}

function compileRegex(expr: string, what: string): StixRegex {
  const r = compileStixRegex(expr);
  if (!r.ok) throw new Unsupported(`${what} not evaluated: ${r.message}`);
  return r.regex;
}

/** `<` `<=` `>` `>=` on numbers (an ASN against an integer or float operand). */
const ORDER_TESTS: Record<string, ((a: number, b: number) => boolean) | undefined> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

/** One step of a chain being compiled: its leaves, range and breadth. */
type Step = { mask: number; from: number; to: number; breadth: Breadth };

/** Chains of `a` followed by those of `b`, every pair (each an order an AND may bind in), bounded. */
function sequences(a: Step[][], b: Step[][]): Step[][] {
  const out = a.flatMap((x) => b.map((y) => [...x, ...y]));
  if (out.length > TIMED_LIMITS.maxChainOrders)
    throw new Unsupported(
      `FOLLOWEDBY with more than ${TIMED_LIMITS.maxChainOrders} orders of its ANDs' operands is not evaluated`,
    );
  if (out.some((x) => x.length > TIMED_LIMITS.maxChainSteps))
    throw new Unsupported(
      `FOLLOWEDBY binding more than ${TIMED_LIMITS.maxChainSteps} requests (REPEATS counted) is not evaluated`,
    );
  return out;
}

class Compiler {
  leaves: Cmp[] = [];
  terms = 0;
  regexes: StixRegex[] = [];

  /** Atoms are appended to the matcher's table, shared by all patterns (verdicts cached per value). */
  constructor(private readonly atoms: Atom[]) {}

  private count(n: number): void {
    this.terms += n;
    if (this.terms > PATTERN_PROGRAM_LIMITS.maxTerms)
      throw new Unsupported(`more than ${PATTERN_PROGRAM_LIMITS.maxTerms} comparisons and set members`);
  }
  private deeper(depth: number): number {
    if (depth >= PATTERN_PROGRAM_LIMITS.maxDepth)
      throw new Unsupported(`nested deeper than ${PATTERN_PROGRAM_LIMITS.maxDepth} levels`);
    return depth + 1;
  }

  /** Time-qualified parts, their `bit` provisional (renumbered after the leaves once compiled). */
  units: TimedUnit[] = [];
  private qualifierCount = 0;

  observation(n: ObservationNode, depth: number): { obs: Obs; breadth: Breadth } {
    const d = this.deeper(depth);
    if (n.kind === 'followedby' || ((n.kind === 'observation' || n.kind === 'group') && n.qualifiers.length))
      return this.timed(n, d);
    if (n.kind === 'observation' || n.kind === 'group') {
      if (n.kind === 'group') return this.observation(n.expr, d);
      const bit = this.leaf(n.expr, d);
      return { obs: { k: 'leaf', bit: bit.bit }, breadth: bit.breadth };
    }
    const parts = n.operands.map((o) => this.observation(o, d));
    const breadths = parts.map((p) => p.breadth);
    return {
      obs: { k: n.kind, of: parts.map((p) => p.obs) },
      breadth: n.kind === 'and' ? narrowest(breadths) : broadest(breadths),
    };
  }

  private leaf(expr: ComparisonNode, depth: number): { bit: number; breadth: Breadth } {
    if (this.leaves.length >= PATTERN_PROGRAM_LIMITS.maxObservations)
      throw new Unsupported(`more than ${PATTERN_PROGRAM_LIMITS.maxObservations} observation expressions`);
    const bit = this.leaves.length;
    this.leaves.push({ k: 'or', of: [] });
    const c = this.comparison(expr, depth);
    this.leaves[bit] = c.cmp;
    return { bit, breadth: c.breadth };
  }

  /** Qualifiers in the order they apply (the innermost, written first, first) and what they leave inside. */
  private unwrap(n: ObservationNode): { core: ObservationNode; quals: PatternQualifier[] } {
    const quals: PatternQualifier[] = [];
    let core = n;
    const wrappers: PatternQualifier[][] = [];
    while (core.kind === 'group') {
      wrappers.push(core.qualifiers);
      core = core.expr;
    }
    if (core.kind === 'observation') quals.push(...core.qualifiers);
    for (const w of wrappers.reverse()) quals.push(...w);
    this.qualifierCount += quals.length;
    if (this.qualifierCount > PATTERN_PROGRAM_LIMITS.maxQualifiers)
      throw new Unsupported(`more than ${PATTERN_PROGRAM_LIMITS.maxQualifiers} qualifiers`);
    return { core, quals };
  }

  /** What qualifiers, in order, ask of the part they follow (REPEATS count, window, range). */
  private qualify(quals: PatternQualifier[]): { times?: number; windowMs: number; from: number; to: number } {
    let windowMs = Infinity;
    let from = -Infinity;
    let to = Infinity;
    let times: number | undefined;
    for (const q of quals) {
      if (q.kind === 'REPEATS') {
        if (times !== undefined)
          throw new Unsupported('REPEATS twice on one observation expression is not evaluated');
        times = Number(q.times);
        if (!(times >= 1)) throw new Unsupported('REPEATS 0 TIMES (a count must be 1 or more)');
        if (times > TIMED_LIMITS.maxRepeats)
          throw new Unsupported(`REPEATS more than ${TIMED_LIMITS.maxRepeats} TIMES is not evaluated`);
        // A WITHIN before it bounds each single binding: always met when that is one request (an
        // AND's, of one or two, is refused in timed).
        if (windowMs < Infinity) this.innerWindow = true;
        windowMs = Infinity;
      } else if (q.kind === 'WITHIN') {
        const s = Number(q.seconds);
        if (!(s > 0)) throw new Unsupported('WITHIN 0 SECONDS (a window must be more than 0 seconds)');
        windowMs = Math.min(windowMs, s * 1000);
      } else {
        const a = Date.parse(q.start);
        const b = Date.parse(q.stop);
        if (Number.isNaN(a) || Number.isNaN(b))
          throw new Unsupported('START … STOP with a timestamp that is not a date');
        from = Math.max(from, a);
        to = Math.min(to, b);
      }
    }
    return { ...(times !== undefined ? { times } : {}), windowMs, from, to };
  }
  /** Set when a WITHIN comes before a REPEATS (see qualify). */
  private innerWindow = false;

  /**
   * The leaves of an OR of unqualified `[…]` (one, or several joined by OR, in unqualified
   * groups) as a mask with its breadth; null (nothing compiled) for any other shape.
   */
  private orSet(o: ObservationNode, depth: number): { mask: number; breadth: Breadth } | null {
    const plain = (x: ObservationNode): boolean =>
      x.kind === 'group'
        ? !x.qualifiers.length && plain(x.expr)
        : x.kind === 'observation'
          ? !x.qualifiers.length
          : x.kind === 'or' && x.operands.every(plain);
    if (!plain(o)) return null;
    // Groups add no depth here (as a FOLLOWEDBY's operands always compiled), an OR does.
    if (o.kind === 'group') return this.orSet(o.expr, depth);
    if (o.kind === 'observation') {
      const l = this.leaf(o.expr, depth);
      return { mask: 1 << l.bit, breadth: l.breadth };
    }
    const d = this.deeper(depth);
    const parts = (o as { operands: ObservationNode[] }).operands.map((x) => this.orSet(x, d)!);
    return { mask: parts.reduce((m, x) => m | x.mask, 0), breadth: broadest(parts.map((x) => x.breadth)) };
  }

  /**
   * A FOLLOWEDBY operand as steps of the chain, in every order it may bind in (alternatives,
   * each a chain): an OR of `[…]` (one step), with `REPEATS k` (k steps: k distinct requests
   * between what precedes and what follows, in any order) and START … STOP (the steps' range); an
   * AND of two such (two distinct requests, in either order: two alternatives); a
   * FOLLOWEDBY inside (its steps, in order: `(X FOLLOWEDBY Y) FOLLOWEDBY Z` binds as `X FOLLOWEDBY Y
   * FOLLOWEDBY Z`). Anything else is unsupported.
   */
  private steps(o: ObservationNode, depth: number): Step[][] {
    const { core, quals } = this.unwrap(o);
    const q = this.qualify(quals);
    const times = q.times ?? 1;
    const ranged = (alts: Step[][]): Step[][] =>
      alts.map((seq) => seq.map((x) => ({ ...x, from: Math.max(x.from, q.from), to: Math.min(x.to, q.to) })));
    if (core.kind === 'followedby' || core.kind === 'and') {
      // A window on two or more requests bounds part of the chain; on one it always holds.
      if (q.windowMs < Infinity) throw new Unsupported('WITHIN on part of a FOLLOWEDBY is not evaluated');
      if (q.times !== undefined)
        throw new Unsupported(
          `REPEATS on ${core.kind === 'and' ? 'an AND' : 'a FOLLOWEDBY'} inside a FOLLOWEDBY is not evaluated`,
        );
      const d = this.deeper(depth);
      if (core.kind === 'followedby')
        return ranged(core.operands.map((x) => this.steps(x, d)).reduce(sequences));
      const parts = core.operands.length === 2 ? core.operands.map((x) => this.orSet(x, d)) : [];
      if (parts.length !== 2 || !parts[0] || !parts[1])
        throw new Unsupported('an AND in a FOLLOWEDBY of other than two ORs of [...] is not evaluated');
      const [x, y] = parts.map((p) => ({
        mask: p!.mask,
        from: -Infinity,
        to: Infinity,
        breadth: p!.breadth,
      }));
      return ranged([
        [x!, y!],
        [y!, x!],
      ]);
    }
    if (q.windowMs < Infinity && times > 1)
      throw new Unsupported('WITHIN on part of a FOLLOWEDBY is not evaluated');
    const set = this.orSet(core.kind === 'observation' ? { ...core, qualifiers: [] } : core, depth);
    if (!set)
      throw new Unsupported(
        'FOLLOWEDBY of other than OR of [...] observation expressions (with REPEATS, START … STOP), or an AND of two such, is not evaluated',
      );
    const step: Step = { mask: set.mask, from: q.from, to: q.to, breadth: set.breadth };
    return [Array.from({ length: times }, () => step)];
  }

  /**
   * A time-qualified part: one `[…]`, or an OR of them, or an AND of two such, with REPEATS
   * and the other qualifiers; a FOLLOWEDBY of such (steps, above); or AND / OR of unqualified
   * `[…]` in a group qualified WITHIN or START … STOP; groups around them add their qualifiers.
   * Anything else in time is unsupported (with the reason).
   */
  private timed(n: ObservationNode, depth: number): { obs: Obs; breadth: Breadth } {
    const { core, quals } = this.unwrap(n);
    this.innerWindow = false;
    const { times, windowMs, from, to } = this.qualify(quals);
    const d = this.deeper(depth);
    let unit: TimedUnit;
    let breadth: Breadth;
    if (core.kind === 'followedby') {
      if (times !== undefined)
        throw new Unsupported(
          'REPEATS on a FOLLOWEDBY is not evaluated (distinct bindings of it are a matching over every pair)',
        );
      const alts = core.operands.map((o) => this.steps(o, d)).reduce(sequences);
      // One chain per order the operands' ANDs may bind in; the part is met when one is.
      const bits = alts.map((seq) => {
        this.units.push({
          k: 'chain',
          steps: seq.map((x) => x.mask),
          stepFrom: seq.map((x) => x.from),
          stepTo: seq.map((x) => x.to),
          bit: -1,
          windowMs,
          from,
          to,
        });
        return { k: 'leaf' as const, bit: -this.units.length };
      });
      if (this.leaves.length + this.units.length > 31)
        throw new Unsupported('more than 31 observation expressions and time-qualified parts');
      return {
        obs: bits.length === 1 ? bits[0]! : { k: 'or', of: bits },
        breadth: narrowest(alts[0]!.map((x) => x.breadth)),
      };
    } else if (times !== undefined || core.kind === 'observation') {
      // REPEATS (or a lone qualified [...]): its roles, each an OR of [...].
      const whole = this.orSet(core.kind === 'observation' ? { ...core, qualifiers: [] } : core, d);
      let roles: { mask: number; breadth: Breadth }[] | null = whole ? [whole] : null;
      if (!roles && core.kind === 'and' && core.operands.length === 2) {
        const plain = core.operands.map((o) => this.orSet(o, d));
        if (plain.every((x) => x)) roles = plain as { mask: number; breadth: Breadth }[];
      }
      if (roles && roles.length > 1 && this.innerWindow)
        throw new Unsupported('WITHIN before REPEATS on an AND is not evaluated');
      if (!roles)
        throw new Unsupported(
          'REPEATS on other than [...], an OR of them or an AND of two such is not evaluated (distinct repetitions of a larger AND are a k-dimensional matching, a search per request)',
        );
      unit = {
        k: 'repeats',
        roles: roles.map((r) => r.mask),
        times: times ?? 1,
        bit: -1,
        windowMs,
        from,
        to,
      };
      breadth = roles.length === 1 ? roles[0]!.breadth : narrowest(roles.map((r) => r.breadth));
    } else {
      const first = this.leaves.length;
      const unitsBefore = this.units.length;
      const inner = this.observation(core, d);
      // Timed parts inside: operands whose latest start the window compares (TimedState); the
      // group's range applies to every request of theirs too.
      for (let k = unitsBefore; k < this.units.length; k++) {
        const v = this.units[k]!;
        v.inner = true;
        v.from = Math.max(v.from, from);
        v.to = Math.min(v.to, to);
      }
      const leaves = Array.from({ length: this.leaves.length - first }, (_, i) => first + i);
      unit = { k: 'window', tree: inner.obs, leaves, alts: [], own: 0, bit: -1, windowMs, from, to };
      breadth = inner.breadth;
    }
    this.units.push(unit);
    if (this.leaves.length + this.units.length > 31)
      throw new Unsupported('more than 31 observation expressions and time-qualified parts');
    // Provisional: the unit's index, made a bit after the leaves in compilePattern.
    return { obs: { k: 'leaf', bit: -this.units.length }, breadth };
  }

  comparison(n: ComparisonNode, depth: number): { cmp: Cmp; breadth: Breadth } {
    const d = this.deeper(depth);
    if (n.kind === 'comparison' || n.kind === 'exists') return this.single(n);
    const parts = n.operands.map((o) => this.comparison(o, d));
    const breadths = parts.map((p) => p.breadth);
    return {
      cmp: { k: n.kind, of: parts.map((p) => p.cmp) },
      breadth: n.kind === 'and' ? narrowest(breadths) : broadest(breadths),
    };
  }

  private single(n: Extract<ComparisonNode, { kind: 'comparison' | 'exists' }>): {
    cmp: Cmp;
    breadth: Breadth;
  } {
    this.count(1);
    const { property, family } = propertyOf(n.type, n.path);
    if (n.kind === 'exists')
      return { cmp: { k: 'exists', property, family, negated: n.negated }, breadth: null };
    this.count(Math.max(0, n.values.length - 1));
    const { test, regex } = this.test(property, n.op, n.values);
    const negated = n.negated !== (n.op === '!=' || n.op === '<>');
    const atom: Atom = {
      property,
      // Negation applies to the value; an observation without the object (no address of that family) never matches.
      test:
        property === 'ip' ? (v) => hasAddress(v, family) && test(v) !== negated : (v) => test(v) !== negated,
      ...(regex ? { regex } : {}),
    };
    if (regex) this.regexes.push(regex);
    this.atoms.push(atom);
    const breadth: Breadth = negated
      ? null
      : property === 'ip'
        ? 'ip_prefix'
        : property === 'ua'
          ? 'user_agent'
          : 'asn';
    return { cmp: { k: 'atom', property, index: this.atoms.length - 1 }, breadth };
  }

  private test(
    property: Property,
    rawOp: string,
    values: PatternLiteral[],
  ): { test: (v: string) => boolean; regex?: StixRegex } {
    const op = rawOp === '==' || rawOp === '!=' || rawOp === '<>' ? '=' : rawOp;
    const unsupported = (): never => {
      throw new Unsupported(
        `${rawOp} on ${property === 'ip' ? 'an address' : property === 'asn' ? 'an ASN' : 'the User-Agent header'}${values[0] ? ` with ${values[0].kind} operands` : ''} is not evaluated`,
      );
    };
    const strings = (): string[] => values.map((v) => (v.kind === 'string' ? v.value! : unsupported()));
    if (property === 'ip') {
      if (op !== '=' && op !== 'IN' && op !== 'ISSUBSET' && op !== 'ISSUPERSET') unsupported();
      // `= '10.0.0.0/8'` names a network, as the value of an ipv4-addr may (STIX 2.1 §6.4).
      const cidrs = values.map((v) => (v.kind === 'string' ? cidrOf(v) : unsupported()));
      if (op === 'ISSUPERSET') {
        // An observed client address is one address (a /32 or /128): it contains a network only
        // when that network is that one address.
        const [cidr] = cidrs;
        const single = Number(cidr!.split('/')[1]) === (ipFamily(cidr!.split('/')[0]!) === 6 ? 128 : 32);
        return { test: (ip) => single && inPrefix(ip, cidr!) };
      }
      return { test: (ip) => cidrs.some((c) => inPrefix(ip, c)) };
    }
    if (property === 'asn') {
      if (ORDER_TESTS[op]) {
        const [v] = values;
        if (v?.kind !== 'int' && v?.kind !== 'float') unsupported();
        const bound = Number(v!.text);
        const cmp = ORDER_TESTS[op];
        return { test: (asn) => cmp(Number(asn), bound) };
      }
      if (op !== '=' && op !== 'IN') unsupported();
      const set = new Set(values.map((v) => (v.kind === 'int' ? String(Number(v.text)) : unsupported())));
      return { test: (asn) => set.has(asn) };
    }
    if (op === '=' || op === 'IN') {
      const set = new Set(strings());
      return { test: (ua) => set.has(ua) };
    }
    if (op === 'MATCHES' || op === 'LIKE') {
      const [v] = strings();
      const regex =
        op === 'MATCHES'
          ? compileRegex(v!, 'MATCHES expression')
          : compileRegex(likeToExpression(v!), 'LIKE value');
      return { test: (ua) => regex.test(ua), regex };
    }
    return unsupported();
  }
}

const popcount = (m: number): number => {
  let n = 0;
  for (let x = m >>> 0; x; x &= x - 1) n++;
  return n;
};

/**
 * An AND / OR tree as alternatives (an OR of ANDs), each the bits it binds: leaves (below
 * `leafCount`), each on a distinct request, or one timed part alone. A timed part AND-ed with
 * anything else is refused: which requests its binding took is not kept (its state is a summary
 * of latest times and counts), so whether the other operands can take different ones is not
 * decided.
 */
function alternatives(o: Obs, leafCount: number): number[] {
  const out =
    o.k === 'leaf'
      ? [1 << o.bit]
      : o.k === 'or'
        ? o.of.flatMap((x) => alternatives(x, leafCount))
        : o.of
            .map((x) => alternatives(x, leafCount))
            .reduce((a, b) => {
              const next = a.flatMap((x) => b.map((y) => x | y));
              if (next.length > PATTERN_PROGRAM_LIMITS.maxAlternatives) throw tooMany();
              return next;
            });
  if (out.length > PATTERN_PROGRAM_LIMITS.maxAlternatives) throw tooMany();
  for (const a of out)
    if (a >>> leafCount && popcount(a) > 1)
      throw new Unsupported(
        'a time-qualified part in an AND with other observation expressions is not evaluated (each binds its own requests; which ones the timed part took is not kept)',
      );
  return out;
}
const tooMany = (): Unsupported =>
  new Unsupported(
    `more than ${PATTERN_PROGRAM_LIMITS.maxAlternatives} alternatives (the pattern as an OR of ANDs) is not evaluated`,
  );

/**
 * Compiles a parsed pattern, its atoms appended to `atoms`, or says why it is outside the subset
 * (then `atoms` is as before). Never throws.
 */
export function compilePattern(
  tree: ObservationNode,
  atoms: Atom[],
): { ok: true; program: PatternProgram } | { ok: false; reason: string } {
  const start = atoms.length;
  const c = new Compiler(atoms);
  try {
    const { obs, breadth } = c.observation(tree, 0);
    // Timed units take the bits after the leaves.
    const renumber = (o: Obs): Obs =>
      o.k === 'leaf'
        ? o.bit < 0
          ? { k: 'leaf', bit: c.leaves.length - o.bit - 1 }
          : o
        : { k: o.k, of: o.of.map(renumber) };
    c.units.forEach((u, i) => {
      u.bit = c.leaves.length + i;
      if (u.k !== 'window') return;
      u.tree = renumber(u.tree);
      u.alts = alternatives(u.tree, c.leaves.length);
      u.own = u.alts.reduce((m, a) => m | (a & ((1 << c.leaves.length) - 1)), 0);
      if (popcount(u.own) > TIMED_LIMITS.maxWindowLeaves)
        throw new Unsupported(
          `a WITHIN on more than ${TIMED_LIMITS.maxWindowLeaves} observation expressions is not evaluated`,
        );
    });
    const top = renumber(obs);
    const alts = alternatives(top, c.leaves.length);
    const untimed = alts.filter((a) => !(a >>> c.leaves.length));
    return {
      ok: true,
      program: {
        leaves: c.leaves,
        tree: top,
        kind: breadth ?? 'pattern',
        terms: c.terms,
        regexes: c.regexes,
        units: c.units,
        alts,
        counted: untimed.reduce((m, a) => m | a, 0),
        keep: Math.max(0, ...untimed.map(popcount)),
      },
    };
  } catch (e) {
    atoms.length = start;
    if (e instanceof Unsupported) return { ok: false, reason: e.message };
    throw e;
  }
}

/** Verdicts of a program's atoms on one observation, by property (undefined: property absent). */
export type Verdicts = Partial<Record<Property, Uint8Array>>;

function holds(c: Cmp, v: Verdicts, o: Observation): boolean {
  switch (c.k) {
    case 'and':
      return c.of.every((x) => holds(x, v, o));
    case 'or':
      return c.of.some((x) => holds(x, v, o));
    case 'atom':
      return v[c.property]?.[c.index] === 1;
    case 'exists': {
      const value = o[c.property];
      const present = value !== undefined && (c.property !== 'ip' || hasAddress(String(value), c.family));
      return present !== c.negated;
    }
  }
}

/** The observation expressions one observation satisfies, as a mask. */
export function leafMask(p: PatternProgram, v: Verdicts, o: Observation): number {
  let mask = 0;
  for (let i = 0; i < p.leaves.length; i++) if (holds(p.leaves[i]!, v, o)) mask |= 1 << i;
  return mask;
}

/**
 * Per account and pattern, what decides its alternatives of leaves only: the requests kept, as
 * how many satisfied each set of the observation expressions those alternatives bind (a request's
 * mask, `counted` bits only; 0 is not kept). A request is kept only while one of the expressions
 * it satisfies has fewer than `keep` (k, the most an alternative binds) kept requests: the first k
 * of each expression, at most k × 16 requests (k ≤ 16) whatever the traffic. Exact (Hall): take an
 * assignment of distinct requests to an alternative's k' ≤ k expressions using the fewest requests
 * not kept; if expression e had one not kept, e has k kept requests, the other k' - 1 expressions
 * use at most k' - 1 of them, so e can take a free one instead — fewer not kept, a contradiction.
 * So an assignment over all requests exists exactly when one over the kept requests does.
 */
export interface MaskCounts {
  /** Kept requests by mask. */
  byMask: Map<number, number>;
  /** Per observation expression, kept requests satisfying it (`keep` or more: no more are kept for it). */
  perLeaf: Uint16Array;
  /** Whether an alternative of leaves only holds (undefined: not judged since the last request kept). */
  met: boolean | undefined;
}

export const maskCounts = (p: PatternProgram): MaskCounts => ({
  byMask: new Map(),
  perLeaf: new Uint16Array(p.leaves.length),
  met: undefined,
});

/**
 * Counts one request's mask (`leafMask`, timed bits ignored) if it is among the first `keep` of an
 * expression it satisfies. Returns the numbers it adds to what `counts` holds (`2 × byMask.size`):
 * 2 for a new set, else 0; -1 when it would add them but `room` (numbers the caller may still
 * hold) is less (then nothing is kept).
 */
export function countMask(p: PatternProgram, counts: MaskCounts, mask: number, room = Infinity): number {
  const m = mask & p.counted;
  if (!m) return 0;
  let wanted = false;
  for (let x = m; x; x &= x - 1) if (counts.perLeaf[31 - Math.clz32(x & -x)]! < p.keep) wanted = true;
  if (!wanted) return 0;
  const n = counts.byMask.get(m) ?? 0;
  if (!n && room < 2) return -1;
  counts.byMask.set(m, n + 1);
  for (let x = m; x; x &= x - 1) counts.perLeaf[31 - Math.clz32(x & -x)]!++;
  if (counts.met === false) counts.met = undefined;
  return n ? 0 : 2;
}

/**
 * Whether distinct requests can serve every leaf (bit) of `need`, `counts[i]` requests having
 * satisfied exactly the leaves `masks[i]`: a bipartite matching of leaves to requests, the
 * requests of one mask alike (a capacity), by augmenting paths. At most 31 leaves.
 */
export function matchable(need: number, masks: readonly number[], counts: readonly number[]): boolean {
  const k = popcount(need);
  if (k === 0) return true;
  const cap = masks.map((m, i) => (m & need ? Math.min(counts[i]!, k) : 0));
  if (cap.reduce((a, b) => a + b, 0) < k) return false;
  const taken: number[][] = masks.map(() => []);
  const seen = new Uint8Array(masks.length);
  const place = (leaf: number): boolean => {
    for (let c = 0; c < masks.length; c++) {
      if (seen[c] || !cap[c] || !(masks[c]! & (1 << leaf))) continue;
      seen[c] = 1;
      const t = taken[c]!;
      if (t.length < cap[c]!) {
        t.push(leaf);
        return true;
      }
      for (let j = 0; j < t.length; j++)
        if (place(t[j]!)) {
          t[j] = leaf;
          return true;
        }
    }
    return false;
  };
  for (let leaf = 0; leaf < 31; leaf++) {
    if (!(need & (1 << leaf))) continue;
    seen.fill(0);
    if (!place(leaf)) return false;
  }
  return true;
}

/**
 * Whether an account satisfies the whole pattern: `mask` holds the timed parts it met, `counts`
 * its requests by the observation expressions each satisfied; an alternative of the pattern (an
 * AND of observation expressions, or one timed part) holds when distinct requests serve its
 * observation expressions, or its timed part was met.
 */
export function satisfied(p: PatternProgram, mask: number, counts: MaskCounts | undefined): boolean {
  const leafBits = (1 << p.leaves.length) - 1;
  if (p.alts.some((a) => a & ~leafBits && (mask & a) === a)) return true;
  if (!counts) return false;
  // Judged once per change (a report asks several times); once met, met for good.
  if (counts.met === undefined) {
    const masks = [...counts.byMask.keys()];
    const n = masks.map((m) => counts.byMask.get(m)!);
    counts.met = p.alts.some((a) => !(a & ~leafBits) && matchable(a, masks, n));
  }
  return counts.met;
}

/**
 * A chain's progress once the requests `group` (each the steps it may take, as bits), all at time `t`, follow those summarised
 * by `before` (per step, the latest start of a run through it, -Infinity for none): the group's
 * requests take a run of consecutive steps i..j, each a distinct request, after a run through
 * step i - 1 (or starting at t), within the window. Writes the result into `out`.
 */
function chainSteps(
  k: number,
  before: number[],
  group: number[],
  t: number,
  windowMs: number,
  out: number[],
): void {
  for (let j = 0; j < k; j++) out[j] = before[j]!;
  if (group.length === 1) {
    // One request takes one step: the run through the step before, or a start.
    const m = group[0]!;
    for (let j = 0; j < k; j++) {
      if (!(m & (1 << j))) continue;
      const start = j === 0 ? t : before[j - 1]!;
      if (j === 0 || (start > -Infinity && t - start <= windowMs)) out[j] = Math.max(out[j]!, start);
    }
    return;
  }
  const owner = new Array<number>(group.length);
  // Kuhn's augmenting path: gives step s a request, moving others along (depth at most k).
  const take = (s: number, seen: Uint8Array): boolean => {
    for (let q = 0; q < group.length; q++) {
      if (seen[q] || !(group[q]! & (1 << s))) continue;
      seen[q] = 1;
      if (owner[q] === -1 || take(owner[q]!, seen)) {
        owner[q] = s;
        return true;
      }
    }
    return false;
  };
  for (let i = 0; i < k; i++) {
    const start = i === 0 ? t : before[i - 1]!;
    if (i > 0 && !(start > -Infinity && t - start <= windowMs)) continue;
    owner.fill(-1);
    for (let j = i; j < k; j++) {
      // Steps i..j without distinct requests for all: no longer run from i either.
      if (!take(j, new Uint8Array(group.length))) break;
      out[j] = Math.max(out[j]!, start);
    }
  }
}

/**
 * A queue of recent times `q` from `head`: adds `t` if `add`, drops those more than `windowMs`
 * before `t` and compacts itself now and then, so it holds at most 2 × `times` + 2 numbers.
 * Returns the new head.
 */
function recent(q: number[], head: number, add: boolean, t: number, windowMs: number, times: number): number {
  if (add) q.push(t);
  while (head < q.length && t - q[head]! > windowMs) head++;
  // Only the latest `times` count (an AND of two keeps three such queues, which fill apart).
  if (q.length - head > times) head = q.length - times;
  if (head > times) {
    q.splice(0, head);
    head = 0;
  }
  return head;
}

/** What the states of one program share: whether any unit is an operand of a window (`inner`) or repeats an AND of two. */
type Shape = { inner: boolean; two: boolean };
const SHAPES = new WeakMap<PatternProgram, Shape>();
function shapeOf(p: PatternProgram): Shape {
  let s = SHAPES.get(p);
  if (!s) {
    s = {
      inner: p.units.some((u) => u.inner),
      two: p.units.some((u) => u.k === 'repeats' && u.roles.length > 1),
    };
    SHAPES.set(p, s);
  }
  return s;
}

/** How many of `q` (times, not decreasing) from `head` are at or after `t0`. */
function countFrom(q: readonly number[], head: number, t0: number): number {
  let lo = head;
  let hi = q.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (q[mid]! >= t0) hi = mid;
    else lo = mid + 1;
  }
  return q.length - lo;
}

/**
 * The latest `t0` among the times held in `queues` (each not decreasing from its head) such that
 * `holds(t0)` (true for every earlier t0 once true for one), or -Infinity for none: a binary
 * search in each queue, O(log² n) for queues of n.
 */
function latestStart(
  queues: readonly (readonly number[])[],
  heads: readonly number[],
  holds: (t0: number) => boolean,
): number {
  let best = -Infinity;
  for (let j = 0; j < queues.length; j++) {
    const q = queues[j]!;
    let lo = heads[j] ?? 0;
    let hi = q.length - 1;
    // Its earliest time admits the most requests: if that fails, every later one does.
    if (lo > hi || q[hi]! <= best || !holds(q[lo]!)) continue;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (holds(q[mid]!)) lo = mid;
      else hi = mid - 1;
    }
    best = Math.max(best, q[lo]!);
  }
  return best;
}

/** `times` repetitions of an AND of two roles: `a` requests of the first only, `b` of the second only, `c` of both. */
const pairsMet = (a: number, b: number, c: number, times: number): boolean =>
  Math.min(a, times) + Math.min(b, times) + Math.min(c, 2 * times) >= 2 * times;

/**
 * One account's progress on a program's timed units, fed its timed requests in the order of the
 * log. Exact when an account's requests come in order of time (as an event log is written); a
 * request earlier than one already taken is left out (the summaries below hold only for times
 * that do not go back). A unit once met stays met (more requests only add bindings) and drops
 * what it held, except a part of a qualified AND / OR (`inner`), which keeps updating the latest
 * start of a binding of it for the window around it.
 */
export class TimedState {
  /** Units met, as bits of the program's mask. */
  met = 0;
  /** Requests left out because earlier than one already taken. */
  late = 0;
  private last = -Infinity;
  /** Per unit: repeats, its first role's recent times (a queue from `head`) or count (of an AND of two: the requests of that role only); chain, per step the latest start. */
  private readonly held: number[][];
  private readonly heads: number[];
  /** Repeats of an AND of two: the second role's only (`held2`) and both roles' (`held3`), as `held` and `heads`. */
  private readonly held2: number[][];
  private readonly heads2: number[];
  private readonly held3: number[][];
  private readonly heads3: number[];
  /** Windows: per set of its observation expressions a request satisfied (a mask), the latest times (at most as many as it has). */
  private readonly wins: Map<number, number[]>[];
  /** Chains: the time of the latest requests, `held` as it was before them, and their masks. */
  private readonly groupT: number[];
  private readonly before: number[][];
  private readonly group: number[][];
  /** With parts of a qualified AND / OR: per unit, the latest start of a binding of it (-Infinity: none yet). */
  private readonly latest: number[];

  constructor(private readonly p: PatternProgram) {
    this.held = p.units.map((u) =>
      u.k === 'chain' ? new Array<number>(u.steps.length).fill(-Infinity) : [],
    );
    this.heads = p.units.map(() => 0);
    // A state is made per account and pattern: what only some shapes need is made only for them.
    const shape = shapeOf(p);
    this.held2 = shape.two ? p.units.map(() => []) : [];
    this.heads2 = shape.two ? p.units.map(() => 0) : [];
    this.held3 = shape.two ? p.units.map(() => []) : [];
    this.heads3 = shape.two ? p.units.map(() => 0) : [];
    this.wins = p.units.map(() => new Map<number, number[]>());
    this.latest = shape.inner ? p.units.map(() => -Infinity) : [];
    this.groupT = p.units.map(() => NaN);
    this.before = p.units.map(() => []);
    this.group = p.units.map(() => []);
  }

  /** Numbers held now. */
  size(): number {
    let n = 0;
    for (let i = 0; i < this.held.length; i++)
      n += this.held[i]!.length + this.before[i]!.length + this.group[i]!.length;
    for (const h of this.held2) n += h.length;
    for (const h of this.held3) n += h.length;
    for (const w of this.wins) for (const q of w.values()) n += q.length + 1;
    return n + this.latest.length;
  }

  /** Drops what it holds and evaluates no more (the matcher's overall bound); what was met stays. */
  stop(): void {
    this.stopped = true;
    for (const h of [...this.held, ...this.held2, ...this.held3, ...this.before, ...this.group]) h.length = 0;
    for (const w of this.wins) w.clear();
  }
  stopped = false;

  /** Takes one request at `t` (ms) satisfying the leaves in `mask`; returns the units newly met. */
  advance(t: number, mask: number): number {
    if (this.stopped) return 0;
    if (t < this.last) {
      this.late++;
      return 0;
    }
    this.last = t;
    let now = 0;
    this.p.units.forEach((u, i) => {
      const bit = 1 << u.bit;
      // A part of a qualified AND / OR goes on once met: a later start may still be needed.
      if ((this.met & bit && !u.inner) || !(t >= u.from && t < u.to)) return;
      const done =
        u.k === 'repeats'
          ? this.advanceRepeats(u, i, t, mask)
          : u.k === 'window'
            ? this.advanceWindow(u, i, t, mask)
            : this.advanceChain(u, i, t, mask);
      if (done && u.inner) {
        if (!(this.met & bit)) now |= bit;
        this.met |= bit;
      } else if (done) {
        this.met |= bit;
        now |= bit;
        this.restart(i);
      }
    });
    return now;
  }

  /** A unit met (not a qualified part's) starts over: what it held can serve no later binding. */
  private restart(i: number): void {
    this.held[i]!.length = 0;
    this.heads[i] = 0;
    if (this.held2.length) {
      this.held2[i]!.length = 0;
      this.heads2[i] = 0;
      this.held3[i]!.length = 0;
      this.heads3[i] = 0;
    }
    this.wins[i]!.clear();
    this.before[i] = [];
    this.group[i] = [];
  }

  /** A `REPEATS` unit takes the request; true when it is met. */
  private advanceRepeats(u: TimedUnit & { k: 'repeats' }, i: number, t: number, mask: number): boolean {
    const h = this.held[i]!;
    let done = false;
    const r0 = u.roles[0]!;
    const r1 = u.roles[1];
    const in0 = (mask & r0) !== 0;
    const in1 = r1 !== undefined && (mask & r1) !== 0;
    if (!in0 && !in1) return false;
    if (r1 !== undefined) {
      // An AND of two: each repetition two distinct requests, one per role, all 2 × `times`
      // distinct. Requests of one role only, of the other only, and of both are counted apart
      // (the latest `times`, `times` and 2 × `times` of them: no more can serve).
      const h2 = this.held2[i]!;
      const h3 = this.held3[i]!;
      const [a, b, c] = [in0 && !in1, in1 && !in0, in0 && in1];
      if (u.windowMs === Infinity && !u.inner) {
        if (a) h[0] = (h[0] ?? 0) + 1;
        if (b) h2[0] = (h2[0] ?? 0) + 1;
        if (c) h3[0] = (h3[0] ?? 0) + 1;
        done = pairsMet(h[0] ?? 0, h2[0] ?? 0, h3[0] ?? 0, u.times);
      } else {
        this.heads[i] = recent(h, this.heads[i]!, a, t, u.windowMs, u.times);
        this.heads2[i] = recent(h2, this.heads2[i]!, b, t, u.windowMs, u.times);
        this.heads3[i] = recent(h3, this.heads3[i]!, c, t, u.windowMs, 2 * u.times);
        const [ha, hb, hc] = [this.heads[i], this.heads2[i], this.heads3[i]];
        done = pairsMet(h.length - ha, h2.length - hb, h3.length - hc, u.times);
        if (done && u.inner) {
          // Its latest start: the latest time from which the requests held still suffice.
          const start = latestStart([h, h2, h3], [ha, hb, hc], (t0) =>
            pairsMet(countFrom(h, ha, t0), countFrom(h2, hb, t0), countFrom(h3, hc, t0), u.times),
          );
          this.latest[i] = Math.max(this.latest[i]!, start);
        }
      }
    } else if (u.inner) {
      // Its latest start: the `times`-th latest request, within its window of this request.
      this.heads[i] = recent(h, this.heads[i]!, in0, t, u.windowMs, u.times);
      const start = h.length - this.heads[i] >= u.times ? h[h.length - u.times]! : -Infinity;
      this.latest[i] = Math.max(this.latest[i]!, start);
      done = start > -Infinity;
    } else if (u.windowMs === Infinity) {
      h[0] = (h[0] ?? 0) + 1;
      done = h[0] >= u.times;
    } else {
      this.heads[i] = recent(h, this.heads[i]!, in0, t, u.windowMs, u.times);
      done = h.length - this.heads[i] >= u.times;
    }
    return done;
  }

  /** A `WITHIN` window unit takes the request; true when it is met. */
  private advanceWindow(u: TimedUnit & { k: 'window' }, i: number, t: number, mask: number): boolean {
    if (!u.leaves.some((leaf) => mask & (1 << leaf))) return false;
    // Per set of the window's own observation expressions this request satisfies, its time
    // (the latest as many as there are of them: no matching takes more of one set).
    const w = this.wins[i]!;
    const cls = mask & u.own;
    if (cls) {
      let q = w.get(cls);
      if (!q) w.set(cls, (q = []));
      q.push(t);
      if (q.length > popcount(u.own)) q.shift();
    }
    // Its latest start: over its alternatives, the latest time from which the requests held
    // have distinct ones for the alternative's observation expressions (or, for a timed part
    // alone, that part's latest start).
    const masks = [...w.keys()];
    const queues = masks.map((m) => w.get(m)!);
    const leafBits = (1 << this.p.leaves.length) - 1;
    let v = -Infinity;
    for (const a of u.alts) {
      const start =
        a & ~leafBits
          ? this.latest[31 - Math.clz32(a) - this.p.leaves.length]!
          : latestStart(
              queues.filter((_, j) => masks[j]! & a),
              [],
              (t0) =>
                matchable(
                  a,
                  masks,
                  queues.map((q) => countFrom(q, 0, t0)),
                ),
            );
      v = Math.max(v, start);
    }
    const done = v > -Infinity && t - v <= u.windowMs;
    if (done && u.inner) this.latest[i] = Math.max(this.latest[i]!, v);
    return done;
  }

  /** A `FOLLOWEDBY` chain unit takes the request; true when it is met. */
  private advanceChain(u: TimedUnit & { k: 'chain' }, i: number, t: number, mask: number): boolean {
    const h = this.held[i]!;
    // The steps this request may take (its leaves and time), as bits.
    let e = 0;
    for (let j = 0; j < u.steps.length; j++)
      if (mask & u.steps[j]! && t >= u.stepFrom[j]! && t < u.stepTo[j]!) e |= 1 << j;
    if (!e) return false;
    // h[j]: the latest start of distinct requests satisfying steps 0..j at times not
    // decreasing. Requests at one same time may take the steps in any order, so the latest
    // time's requests are kept (as the steps they may take) and matched to steps afresh with each one.
    const g = this.group[i]!;
    const before = this.before[i]!;
    if (t !== this.groupT[i]) {
      this.groupT[i] = t;
      for (let j = 0; j < h.length; j++) before[j] = h[j]!;
      g.length = 0;
    }
    // More than `steps` requests that may take the same steps, or past 256, can add no step
    // (at most TIMED_LIMITS.maxChainSteps steps).
    let same = 0;
    for (const x of g) if (x === e) same++;
    // A request not kept leaves the group as it was, so the steps too: nothing to match again
    // (a flood of one millisecond's requests costs a comparison each, not a matching).
    if (g.length < 256 && same < u.steps.length) {
      g.push(e);
      chainSteps(u.steps.length, this.before[i]!, g, t, u.windowMs, h);
    }
    if (u.inner) this.latest[i] = h[u.steps.length - 1]!;
    return h[u.steps.length - 1]! > -Infinity;
  }
}

/** Verdicts of all atoms of one property on one value (the matcher caches these per value). */
export function atomVerdicts(atoms: readonly Atom[], property: Property, value: string): Uint8Array {
  const out = new Uint8Array(atoms.length);
  for (let i = 0; i < atoms.length; i++) {
    const a = atoms[i]!;
    if (a.property === property && a.test(value)) out[i] = 1;
  }
  return out;
}
