import { inPrefix, ipFamily } from '../../text/index.js';
import type { ComparisonNode, ObservationNode, PatternLiteral } from '../stix/stix-pattern.js';
import { compileStixRegex } from '../stix/stix-regex.js';
import type { StixRegex } from '../stix/stix-regex-vm.js';

/*
 * A bounded subset of STIX patterning (STIX 2.1 §9) evaluated against what DistillGuard observes:
 * one request (or an account record) is one observation holding the client's address
 * (ipv4-addr / ipv6-addr, network-traffic:src_ref), its ASN (autonomous-system) and its
 * User-Agent header (network-traffic http-request-ext). Comparisons are compiled into tests of
 * one property ("atoms"), whose verdicts the matcher keeps per distinct value; a pattern's
 * observation expressions become bits of a mask, set as the account's requests satisfy them.
 */

/** Bounds on one evaluated pattern, far inside the parser's own (STIX_PATTERN_LIMITS). */
export const PATTERN_PROGRAM_LIMITS = {
  /** Observation expressions `[…]` (one bit each of an account's mask). */
  maxObservations: 16,
  /** Comparisons plus IN-set members. */
  maxTerms: 256,
  /** AND / OR / parentheses nested, at either level. */
  maxDepth: 16,
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

  observation(n: ObservationNode, depth: number): { obs: Obs; breadth: Breadth } {
    const d = this.deeper(depth);
    if (n.kind === 'followedby') throw new Unsupported('FOLLOWEDBY (an order in time) is not evaluated');
    if (n.kind === 'observation' || n.kind === 'group') {
      if (n.qualifiers.length)
        throw new Unsupported(`the qualifier ${n.qualifiers[0]} (a time window or count) is not evaluated`);
      if (n.kind === 'group') return this.observation(n.expr, d);
      if (this.leaves.length >= PATTERN_PROGRAM_LIMITS.maxObservations)
        throw new Unsupported(`more than ${PATTERN_PROGRAM_LIMITS.maxObservations} observation expressions`);
      const bit = this.leaves.length;
      this.leaves.push({ k: 'or', of: [] });
      const c = this.comparison(n.expr, d);
      this.leaves[bit] = c.cmp;
      return { obs: { k: 'leaf', bit }, breadth: c.breadth };
    }
    const parts = n.operands.map((o) => this.observation(o, d));
    const breadths = parts.map((p) => p.breadth);
    return {
      obs: { k: n.kind, of: parts.map((p) => p.obs) },
      breadth: n.kind === 'and' ? narrowest(breadths) : broadest(breadths),
    };
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
      if (op !== '=' && op !== 'IN' && op !== 'ISSUBSET') unsupported();
      // `= '10.0.0.0/8'` names a network, as the value of an ipv4-addr may (STIX 2.1 §6.4).
      const cidrs = values.map((v) => (v.kind === 'string' ? cidrOf(v) : unsupported()));
      return { test: (ip) => cidrs.some((c) => inPrefix(ip, c)) };
    }
    if (property === 'asn') {
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
    return {
      ok: true,
      program: {
        leaves: c.leaves,
        tree: obs,
        kind: breadth ?? 'pattern',
        terms: c.terms,
        regexes: c.regexes,
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

/** Whether the observation expressions seen on an account (a mask) satisfy the whole pattern. */
export function satisfied(p: PatternProgram, mask: number, node: Obs = p.tree): boolean {
  if (node.k === 'leaf') return (mask & (1 << node.bit)) !== 0;
  return node.k === 'and'
    ? node.of.every((x) => satisfied(p, mask, x))
    : node.of.some((x) => satisfied(p, mask, x));
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
