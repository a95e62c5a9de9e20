import {
  ATLAS,
  type AccountRecord,
  type ApiEvent,
  type Findings,
  type Signal,
  type StixObject,
  MATCH_HITS,
} from '../../contracts/index.js';
import { estimateJaccard, inPrefix, ipFamily, ipPrefix, signatureFromHex } from '../../text/index.js';
import { keyedHashes, type CommunityKeyRing, type KeyedKind } from './community-key.js';
import { dgExtension, readDgExtension } from '../stix/extension.js';
import { indicatorPatternProblem } from '../stix/object-check.js';
import { parseStixPattern, type ObservationNode } from '../stix/stix-pattern.js';
import { compileStixRegex } from '../stix/stix-regex.js';
import type { StixRegex } from '../stix/stix-regex-vm.js';
import {
  atomVerdicts,
  compilePattern,
  countMask,
  leafMask,
  maskCounts,
  satisfied,
  type MaskCounts,
  TIMED_LIMITS,
  TimedState,
  type Atom,
  type Observation,
  type PatternProgram,
  type Property,
  type Verdicts,
} from './pattern-program.js';
import { randomId, stixNow } from '../stix/ids.js';
import { effectiveConfidence, type ConfidenceModel } from './indicator-confidence.js';
import { elicitationPhrase, templateFingerprints, userPrompt } from './prompt-features.js';

/**
 * How often an unrelated (benign) account would match one indicator of each kind: the p-value a
 * match carries. Keyed payment and e-mail hashes are near-unique; a template fingerprint is rare
 * outside its campaign; networks, client strings and phrasings are shared more; an ASN is broad.
 */
export const KIND_BENIGN_MATCH: Record<string, number> = {
  payment_fingerprint_hmac: 1e-4,
  email_hmac: 1e-4,
  template: 1e-3,
  ip_prefix: 1e-2,
  ip_prefix_hmac: 1e-2,
  elicitation_phrase: 1e-2,
  email_domain_hmac: 3e-2,
  user_agent: 3e-2,
  asn: 0.2,
};

/** Kinds specific enough to stand alone; the broad ones only add to a specific match. */
const SPECIFIC = new Set([
  'payment_fingerprint_hmac',
  'email_hmac',
  'template',
  'ip_prefix',
  'ip_prefix_hmac',
]);

const TEMPLATE_JACCARD = 0.5;

interface Compiled {
  id: string;
  kind: string;
  campaignId: string | undefined;
  campaignName: string | undefined;
  publisher: string | undefined;
  markings: string[] | undefined;
  confidence: number;
  label: string;
  /** A general pattern: the hit counts once the account's observations satisfy it. */
  program?: PatternProgram;
}

interface Hit {
  ind: Compiled;
  /** For a general pattern: the observation expressions the account's observations satisfied (and timed parts met). */
  mask?: number;
  /** For a general pattern: the account's requests kept to judge it (shared by the pattern's indicators). */
  counts?: MaskCounts;
  events: number;
  examples: string[];
  firstSeen?: string;
  lastSeen?: string;
}

export interface CampaignMatch {
  /** Chance an unrelated account matches this much; the engine reads a signal's score as 1 - p. */
  pValue: number;
  campaignId: string;
  campaignName: string;
  publisher: string | undefined;
  markings: string[] | undefined;
  score: number;
  hits: Hit[];
}

/**
 * Bounds on foreign user-agent MATCHES indicators. Each distinct user agent (at most 1,000
 * characters, contracts/event.ts) is tested once against every compiled expression, in time
 * linear in its length times the expression's program size, so the sum of the program sizes
 * bounds the work per distinct user agent; the verdicts are cached per user agent.
 */
export const UA_REGEX_LIMITS = {
  /** Expressions compiled; further ones are skipped (counted in `skipped`). */
  maxExpressions: 1_000,
  /** Program instructions over all compiled expressions (one may have up to 10,000). */
  maxInstructions: 100_000,
  /** Distinct user agents whose verdicts are kept; the cache is emptied past it. */
  cacheEntries: 10_000,
} as const;

/** Across all general patterns (src/intel/match/pattern-program.ts): comparisons and IN-set members. */
export const PATTERN_MATCH_LIMITS = { maxTerms: 100_000 } as const;

/**
 * Hits held, one per account, indicator and campaign: received indicators that match broadly
 * (a hostile or careless member's) would otherwise hold every account times every indicator.
 * Past it a new hit is not recorded — an account can only miss a match — and is reported.
 */
export const MATCH_LIMITS: { readonly maxHits: number } = { maxHits: MATCH_HITS.default };

/**
 * How a foreign pattern is used: the simple shapes by their fast paths (one lookup or prefix test,
 * as before general patterns), the rest as a general pattern, or not at all (with the reason).
 */
type Plan =
  | { k: 'cidr'; cidr: string }
  | { k: 'exact'; kind: 'asn' | 'user_agent'; value: string }
  | { k: 'ua-regex'; expr: string }
  | { k: 'program'; tree: ObservationNode }
  | { k: 'unsupported'; reason: string };

const UA_PATH = ['extensions', 'http-request-ext', 'request_header', 'User-Agent'];

function planOf(pattern: string): Plan {
  const r = parseStixPattern(pattern);
  // The caller has checked the pattern (indicatorPatternProblem); kept safe all the same.
  if (!r.ok) return { k: 'unsupported', reason: r.message };
  const t = r.tree;
  if (t.kind === 'observation' && !t.qualifiers.length && t.expr.kind === 'comparison' && !t.expr.negated) {
    const { type, path, op, values } = t.expr;
    const v = values.length === 1 ? values[0]! : undefined;
    const one = path.length === 1 ? path[0] : undefined;
    if (
      (type === 'ipv4-addr' || type === 'ipv6-addr') &&
      one === 'value' &&
      (op === '=' || op === 'ISSUBSET') &&
      v?.kind === 'string'
    ) {
      const cidr = v.value!.includes('/') ? v.value! : `${v.value!}/${ipFamily(v.value!) === 6 ? 128 : 32}`;
      if (!ipFamily(cidr))
        return {
          k: 'unsupported',
          reason: `${JSON.stringify(v.value!.slice(0, 64))} is not an IP address or network`,
        };
      return { k: 'cidr', cidr };
    }
    if (
      type === 'autonomous-system' &&
      one === 'number' &&
      op === '=' &&
      v?.kind === 'int' &&
      /^\d+$/.test(v.text)
    )
      return { k: 'exact', kind: 'asn', value: v.text };
    if (
      type === 'network-traffic' &&
      path.length === UA_PATH.length &&
      UA_PATH.every((step, i) => path[i] === step) &&
      v?.kind === 'string'
    ) {
      if (op === '=') return { k: 'exact', kind: 'user_agent', value: v.value! };
      if (op === 'MATCHES') return { k: 'ua-regex', expr: v.value! };
    }
  }
  return { k: 'program', tree: t };
}

/** A general pattern, compiled once and shared by its campaigns' indicators. */
interface ProgramEntry {
  program: PatternProgram;
  inds: Compiled[];
  /** Per account, its progress on the pattern's timed units (only patterns that have some). */
  timed?: Map<string, TimedState>;
  /** Per account, the requests kept to judge its alternatives of leaves only (only patterns that have some). */
  counts?: Map<string, MaskCounts>;
}

/** What became of one received indicator. */
type IndicatorOutcome = 'used' | 'none' | 'expired' | 'refused' | 'skipped' | { unsupported: string };

/** What the received objects say around each indicator. */
interface IndicatorContext {
  byId: Map<string, StixObject>;
  /** The campaigns each indicator indicates (several: shared infrastructure of its publisher). */
  campaignOf: Map<string, string[]>;
  /** Sightings received per object. */
  sightingsOf: Map<string, number>;
  hubSightings: ReadonlyMap<string, number>;
  model: ConfidenceModel | undefined;
}

function indicatorLinks(received: readonly StixObject[]): Omit<IndicatorContext, 'hubSightings' | 'model'> {
  const byId = new Map(received.map((o) => [o.id, o]));
  const campaignOf = new Map<string, string[]>();
  const sightingsOf = new Map<string, number>();
  for (const o of received) {
    if (o.type === 'relationship' && o.relationship_type === 'indicates' && typeof o.source_ref === 'string')
      campaignOf.set(o.source_ref, [...(campaignOf.get(o.source_ref) ?? []), o.target_ref as string]);
    if (o.type === 'sighting' && typeof o.sighting_of_ref === 'string')
      sightingsOf.set(o.sighting_of_ref, (sightingsOf.get(o.sighting_of_ref) ?? 0) + 1);
  }
  return { byId, campaignOf, sightingsOf };
}

/**
 * Matches indicators received from the hub against local traffic and accounts: network prefixes
 * (clear or keyed), ASNs, client user agents, keyed payment / e-mail hashes under the same
 * community key ring, prompt-template fingerprints by LSH then MinHash similarity, and
 * elicitation phrasings. Expired indicators (valid_until passed) never match.
 */
export class IntelMatcher {
  private readonly cidrs: { cidr: string; ind: Compiled }[] = [];
  private readonly exact = new Map<string, Compiled[]>();
  private readonly bands = new Map<string, { sig: Uint32Array; ind: Compiled }[]>();
  private readonly prefixHashCache = new Map<string, string[]>();
  private readonly uaRegexes: { regex: StixRegex; ind: Compiled }[] = [];
  private uaRegexInstructions = 0;
  /** Per distinct user agent, the MATCHES indicators it satisfies. */
  private readonly uaRegexCache = new Map<string, Compiled[]>();
  /** General patterns, each compiled once and shared by its campaigns' indicators. */
  private readonly programs: ProgramEntry[] = [];
  /**
   * Numbers the per-account pattern states hold (timed states and kept request counts), each state
   * counted TIMED_LIMITS.stateOverhead more: bounded by TIMED_LIMITS.maxHeldTimes.
   */
  private held = 0;
  get stateHeld(): number {
    return this.held;
  }
  /**
   * Accounts whose timed parts were not (or no longer) evaluated because the timed states were
   * full: each once, however many of its requests came after (`intel match` prints it as accounts).
   */
  private readonly timedRefusedAccounts = new Set<string>();
  get timedRefused(): number {
    return this.timedRefusedAccounts.size;
  }
  /** Requests not counted for a pattern's untimed alternatives because the states were full. */
  countsRefused = 0;
  /** Requests left out of timed parts for being earlier than one already taken for that account. */
  get timedLate(): number {
    let n = 0;
    for (const p of this.programs) if (p.timed) for (const s of p.timed.values()) n += s.late;
    return n;
  }
  /** Their comparisons, one table: verdicts are kept per distinct value of each property. */
  private readonly atoms: Atom[] = [];
  private readonly verdictCache: Record<Property, Map<string, Uint8Array>> = {
    ip: new Map(),
    asn: new Map(),
    ua: new Map(),
  };
  private readonly observationCache = new Map<string, number[]>();
  private observationCachePairs = 0;
  private readonly cidrCache = new Map<string, Compiled[]>();
  private programRegexes = 0;
  private programTerms = 0;
  private readonly hits = new Map<string, Map<string, Hit>>();
  private hitsHeld = 0;
  /** Accounts with a hit not recorded because the hits bound (`limits.maxHits`) was held. */
  private readonly hitsRefusedAccounts = new Set<string>();
  get hitsRefused(): number {
    return this.hitsRefusedAccounts.size;
  }
  private readonly eventsPerAccount = new Map<string, number>();
  readonly indicators: number;
  readonly expired: number;
  /** Indicators never used because their STIX pattern is not valid (or over its bounds). */
  readonly refused: number;
  /** Valid indicators not used because over a matcher bound (UA_REGEX_LIMITS, PATTERN_MATCH_LIMITS). */
  readonly skipped: number;
  /** Valid indicators not used because their pattern is outside what is evaluated, by reason. */
  readonly unsupported = new Map<string, number>();

  constructor(
    received: readonly StixObject[],
    private readonly ring: CommunityKeyRing,
    private readonly now: Date = new Date(),
    model?: ConfidenceModel,
    /** Members that sighted each object, from the hub (`ReceivedIntel.sightingCounts`). */
    hubSightings: ReadonlyMap<string, number> = new Map(),
    /** `intel match --max-hits`; MATCH_LIMITS when not given. */
    private readonly limits: { readonly maxHits: number } = MATCH_LIMITS,
  ) {
    const context: IndicatorContext = { ...indicatorLinks(received), model, hubSightings };
    let n = 0;
    let expired = 0;
    let refused = 0;
    let skipped = 0;
    for (const o of received) {
      if (o.type !== 'indicator' || typeof o.pattern !== 'string') continue;
      const outcome = this.compileIndicator(o as StixObject & { pattern: string }, context);
      if (outcome === 'refused') refused++;
      else if (outcome === 'skipped') skipped++;
      else if (typeof outcome === 'object')
        this.unsupported.set(outcome.unsupported, (this.unsupported.get(outcome.unsupported) ?? 0) + 1);
      else if (outcome === 'expired') expired++;
      else if (outcome === 'used') n++;
    }
    this.indicators = n;
    this.expired = expired;
    this.refused = refused;
    this.skipped = skipped;
  }

  /**
   * Compiles one indicator once per campaign it indicates (one expression or program whatever
   * the number of its campaigns) and says what became of it.
   */
  private compileIndicator(o: StixObject & { pattern: string }, context: IndicatorContext): IndicatorOutcome {
    // Pull refuses these already; a state file written by hand or by an older version may
    // still hold one, and the pattern readers below must only ever see bounded, valid text.
    if (indicatorPatternProblem(o)) return 'refused';
    let live = false;
    let compiled = false;
    let uaRegex: StixRegex | undefined;
    let plan: Plan | undefined;
    let program: ProgramEntry | undefined;
    const ext = readDgExtension(o);
    for (const campaignId of context.campaignOf.get(o.id) ?? [undefined]) {
      const base = this.indicatorBase(o, campaignId, context);
      if (!base) continue;
      live = true;
      if (ext && this.compileExtension(ext, base)) {
        compiled = true;
        continue;
      }
      plan ??= planOf(o.pattern);
      const mk = (kind: string, label: string): Compiled => ({ ...base, kind, label });
      if (plan.k === 'unsupported') return { unsupported: plan.reason };
      if (plan.k === 'cidr') {
        this.cidrs.push({ cidr: plan.cidr, ind: mk('ip_prefix', `network ${plan.cidr}`) });
      } else if (plan.k === 'exact') {
        const label = plan.kind === 'asn' ? `AS${plan.value}` : `user agent "${plan.value}"`;
        this.add(`${plan.kind}:${plan.value}`, mk(plan.kind, label));
      } else if (plan.k === 'program') {
        if (!program) {
          const r = this.compileProgram(plan.tree);
          if (!('program' in r)) return r.outcome;
          program = r;
        }
        const text = o.pattern.length > 64 ? `${o.pattern.slice(0, 64)}…` : o.pattern;
        program.inds.push({
          ...mk(program.program.kind, `STIX pattern ${text}`),
          program: program.program,
        });
      } else {
        if (!uaRegex) {
          const r = this.compileUaRegex(plan.expr);
          if (!('regex' in r)) return r.outcome;
          uaRegex = r.regex;
        }
        const shown = plan.expr.length > 64 ? `${plan.expr.slice(0, 64)}…` : plan.expr;
        this.uaRegexes.push({
          regex: uaRegex,
          ind: { ...base, kind: 'user_agent', label: `user agent matching /${shown}/` },
        });
      }
      compiled = true;
    }
    if (!live) return 'expired';
    return compiled ? 'used' : 'none';
  }

  /** What an indicator's hits say of it for one of its campaigns; null when it no longer counts (expired). */
  private indicatorBase(
    o: StixObject,
    campaignId: string | undefined,
    { byId, sightingsOf, hubSightings, model }: IndicatorContext,
  ): Omit<Compiled, 'kind' | 'label'> | null {
    const campaign = campaignId ? byId.get(campaignId) : undefined;
    const publisherObj = o.created_by_ref ? byId.get(o.created_by_ref) : undefined;
    // A campaign's sightings (beyond the publisher's own) raise all its indicators.
    const sightings =
      (sightingsOf.get(o.id) ?? 0) +
      Math.max(0, (campaignId ? (sightingsOf.get(campaignId) ?? 0) : 0) - 1) +
      (hubSightings.get(o.id) ?? 0) +
      (campaignId ? (hubSightings.get(campaignId) ?? 0) : 0);
    const confidence = effectiveConfidence(o, this.now, sightings, model);
    if (confidence <= 0) return null;
    return {
      id: o.id,
      campaignId,
      campaignName: typeof campaign?.name === 'string' ? campaign.name : undefined,
      publisher: typeof publisherObj?.name === 'string' ? publisherObj.name : undefined,
      markings: o.object_marking_refs,
      confidence,
    };
  }

  /** A general pattern compiled into the shared atom table, within the matcher's bounds. */
  private compileProgram(
    tree: Extract<Plan, { k: 'program' }>['tree'],
  ): ProgramEntry | { outcome: IndicatorOutcome } {
    const atomsBefore = this.atoms.length;
    const r = compilePattern(tree, this.atoms);
    if (!r.ok) return { outcome: { unsupported: r.reason } };
    const p = r.program;
    const instructions = p.regexes.reduce((a, x) => a + x.size, 0);
    if (
      this.uaRegexes.length + this.programRegexes + p.regexes.length > UA_REGEX_LIMITS.maxExpressions ||
      this.uaRegexInstructions + instructions > UA_REGEX_LIMITS.maxInstructions ||
      this.programTerms + p.terms > PATTERN_MATCH_LIMITS.maxTerms
    ) {
      this.atoms.length = atomsBefore;
      return { outcome: 'skipped' };
    }
    this.programRegexes += p.regexes.length;
    this.uaRegexInstructions += instructions;
    this.programTerms += p.terms;
    const entry: ProgramEntry = {
      program: p,
      inds: [],
      ...(p.units.length ? { timed: new Map() } : {}),
      ...(p.keep ? { counts: new Map() } : {}),
    };
    this.programs.push(entry);
    return entry;
  }

  /** A user-agent MATCHES expression, within the matcher's bounds. */
  private compileUaRegex(expr: string): { regex: StixRegex } | { outcome: IndicatorOutcome } {
    if (this.uaRegexes.length + this.programRegexes >= UA_REGEX_LIMITS.maxExpressions)
      return { outcome: 'skipped' };
    const r = compileStixRegex(expr);
    // Pull's pattern check refuses these already; one in a hand-written state file is not used.
    if (!r.ok) return { outcome: 'refused' };
    if (this.uaRegexInstructions + r.regex.size > UA_REGEX_LIMITS.maxInstructions)
      return { outcome: 'skipped' };
    this.uaRegexInstructions += r.regex.size;
    return { regex: r.regex };
  }

  private add(key: string, ind: Compiled): void {
    const list = this.exact.get(key);
    if (list) list.push(ind);
    else this.exact.set(key, [ind]);
  }

  /** An indicator DistillGuard wrote, by its extension (the pattern says the same, less exactly). */
  private compileExtension(
    ext: NonNullable<ReturnType<typeof readDgExtension>>,
    base: Omit<Compiled, 'kind' | 'label'>,
  ): boolean {
    const kind = typeof ext?.kind === 'string' ? ext.kind : undefined;
    const mk = (k: string, label: string): Compiled => ({ ...base, kind: k, label });
    if (kind === 'template' && typeof ext?.minhash === 'string' && Array.isArray(ext.lsh_band_keys)) {
      const ind = mk('template', 'prompt-template fingerprint');
      const sig = signatureFromHex(ext.minhash);
      for (const b of ext.lsh_band_keys as string[]) {
        const l = this.bands.get(b);
        if (l) l.push({ sig, ind });
        else this.bands.set(b, [{ sig, ind }]);
      }
      return true;
    }
    if (kind && typeof ext?.hmac === 'string') {
      this.add(
        `${kind}:${ext.hmac}`,
        mk(kind, kind.replace(/_hmac$/, '').replace(/_/g, ' ') + ' (keyed hash)'),
      );
      return true;
    }
    if (kind === 'ip_prefix' && typeof ext?.value === 'string') {
      this.cidrs.push({ cidr: ext.value, ind: mk('ip_prefix', `network ${ext.value}`) });
      return true;
    }
    if (kind === 'asn' && typeof ext?.value === 'string') {
      this.add(`asn:${ext.value}`, mk('asn', `AS${ext.value}`));
      return true;
    }
    if (kind === 'user_agent' && typeof ext?.value === 'string') {
      this.add(`user_agent:${ext.value}`, mk('user_agent', `user agent "${ext.value}"`));
      return true;
    }
    if (kind === 'elicitation_phrase' && typeof ext?.phrase === 'string') {
      this.add(`elicitation_phrase:${ext.phrase}`, mk('elicitation_phrase', 'elicitation phrasing'));
      return true;
    }
    return false;
  }

  private hit(
    account: string,
    ind: Compiled,
    eventId?: string,
    ts?: string,
    mask?: number,
    counts?: MaskCounts,
  ): void {
    // One hit per indicator and campaign: an indicator of several campaigns counts for each.
    const key = `${ind.id} ${ind.campaignId ?? ''}`;
    let m = this.hits.get(account);
    let h = m?.get(key);
    if (!h) {
      if (this.hitsHeld >= this.limits.maxHits) {
        this.hitsRefusedAccounts.add(account);
        return;
      }
      if (!m) this.hits.set(account, (m = new Map<string, Hit>()));
      m.set(key, (h = { ind, events: 0, examples: [] }));
      this.hitsHeld++;
    }
    if (mask !== undefined && ind.program) h.mask = (h.mask ?? 0) | mask;
    if (counts) h.counts = counts;
    if (eventId) {
      h.events++;
      if (h.examples.length < 5) h.examples.push(eventId);
    }
    if (ts) {
      if (!h.firstSeen || ts < h.firstSeen) h.firstSeen = ts;
      if (!h.lastSeen || ts > h.lastSeen) h.lastSeen = ts;
    }
  }

  private lookup(account: string, key: string, eventId?: string, ts?: string): void {
    for (const ind of this.exact.get(key) ?? []) this.hit(account, ind, eventId, ts);
  }

  private keyed(kind: KeyedKind, value: string): string[] {
    const k = `${kind}\u0000${value}`;
    let h = this.prefixHashCache.get(k);
    if (!h) {
      h = keyedHashes(kind, value, this.ring, this.now);
      if (this.prefixHashCache.size > 100_000) this.prefixHashCache.clear();
      this.prefixHashCache.set(k, h);
    }
    return h;
  }

  /** The MATCHES indicators a user agent satisfies, computed once per distinct user agent. */
  private uaMatches(ua: string): Compiled[] {
    if (this.uaRegexes.length === 0) return [];
    let m = this.uaRegexCache.get(ua);
    if (!m) {
      m = [];
      // Indicators sharing one expression (several campaigns) share its compiled program.
      let last: StixRegex | undefined;
      let verdict = false;
      for (const r of this.uaRegexes) {
        if (r.regex !== last) {
          last = r.regex;
          verdict = r.regex.test(ua);
        }
        if (verdict) m.push(r.ind);
      }
      if (this.uaRegexCache.size >= UA_REGEX_LIMITS.cacheEntries) this.uaRegexCache.clear();
      this.uaRegexCache.set(ua, m);
    }
    return m;
  }

  /** Verdicts of every general-pattern comparison on one property's value, kept per distinct value. */
  private verdicts(property: Property, value: string): Uint8Array {
    const cache = this.verdictCache[property];
    let v = cache.get(value);
    if (!v) {
      v = atomVerdicts(this.atoms, property, value);
      if (cache.size >= UA_REGEX_LIMITS.cacheEntries) cache.clear();
      cache.set(value, v);
    }
    return v;
  }

  /** Per general pattern, the observation expressions one observation satisfies (0 for none). */
  private masks(o: Observation): number[] {
    const v: Verdicts = {};
    if (o.ip !== undefined) v.ip = this.verdicts('ip', o.ip);
    if (o.asn !== undefined) v.asn = this.verdicts('asn', String(o.asn));
    if (o.ua !== undefined) v.ua = this.verdicts('ua', o.ua);
    return this.programs.map((p) => leafMask(p.program, v, o));
  }

  /**
   * The same as (program index, mask) pairs of the programs satisfied at all, kept per distinct
   * observation: an account repeats its address, ASN and client, so most requests are one lookup.
   */
  private satisfiedBy(o: Observation): number[] {
    const key = `${o.ip ?? ''}\u0000${o.asn ?? ''}\u0000${o.ua ?? ''}`;
    let pairs = this.observationCache.get(key);
    if (!pairs) {
      pairs = [];
      const masks = this.masks(o);
      for (let i = 0; i < masks.length; i++) if (masks[i]) pairs.push(i, masks[i]!);
      // Bounded by entries and by the pairs held (dense verdicts on many programs are large).
      this.observationCachePairs += pairs.length;
      if (
        this.observationCache.size >= UA_REGEX_LIMITS.cacheEntries ||
        this.observationCachePairs > 1_000_000
      ) {
        this.observationCache.clear();
        this.observationCachePairs = pairs.length;
      }
      this.observationCache.set(key, pairs);
    }
    return pairs;
  }

  private observe(account: string, o: Observation, eventId?: string, ts?: string): void {
    if (this.programs.length === 0) return;
    const pairs = this.satisfiedBy(o);
    let t: number | undefined;
    for (let i = 0; i < pairs.length; i += 2) {
      const p = this.programs[pairs[i]!]!;
      let mask = pairs[i + 1]!;
      // Timed parts hold only on requests with a time (an account record has none).
      if (p.timed && ts !== undefined) {
        t ??= Date.parse(ts);
        if (!Number.isNaN(t)) mask |= this.timedAdvance(p.program, p.timed, account, t, mask);
      }
      const counts = p.counts && this.counted(p.program, p.counts, account, mask);
      for (const ind of p.inds) this.hit(account, ind, eventId, ts, mask, counts);
    }
  }

  /** Counts one request for an account's untimed alternatives of a pattern; its counts, if it has any. */
  private counted(
    program: PatternProgram,
    states: Map<string, MaskCounts>,
    account: string,
    mask: number,
  ): MaskCounts | undefined {
    let c = states.get(account);
    if (!c) {
      if (!(mask & program.counted)) return undefined;
      // Past the bound an account gets no counts: its untimed alternatives never hold (fail closed).
      if (this.held + TIMED_LIMITS.stateOverhead > TIMED_LIMITS.maxHeldTimes) {
        this.countsRefused++;
        return undefined;
      }
      states.set(account, (c = maskCounts(program)));
      this.held += TIMED_LIMITS.stateOverhead;
    }
    // At most keep × 16 requests (pattern-program.ts); a request that would pass the bound is not
    // counted (what is kept can only miss a match, never make one).
    const added = countMask(program, c, mask, TIMED_LIMITS.maxHeldTimes - this.held);
    if (added < 0) this.countsRefused++;
    else this.held += added;
    return c;
  }

  /** Feeds one timed request to an account's state for a pattern; returns the timed units it met. */
  private timedAdvance(
    program: PatternProgram,
    states: Map<string, TimedState>,
    account: string,
    t: number,
    mask: number,
  ): number {
    let s = states.get(account);
    if (!s) {
      if (this.held + TIMED_LIMITS.stateOverhead > TIMED_LIMITS.maxHeldTimes) {
        this.timedRefusedAccounts.add(account);
        return 0;
      }
      states.set(account, (s = new TimedState(program)));
      this.held += TIMED_LIMITS.stateOverhead + s.size();
    }
    // What it holds is measured before and after each request (a chain's millisecond group or an
    // AND's two queues can grow by more than one number); past the bound it stops.
    const before = s.size();
    s.advance(t, mask);
    this.held += s.size() - before;
    if (this.held > TIMED_LIMITS.maxHeldTimes && !s.stopped) {
      this.held -= s.size();
      s.stop();
      this.timedRefusedAccounts.add(account);
    }
    return s.met;
  }

  /** The clear-network indicators an address lies in, in their order, kept per distinct address. */
  private cidrHits(ip: string): Compiled[] {
    if (this.cidrs.length === 0) return [];
    let list = this.cidrCache.get(ip);
    if (!list) {
      list = this.cidrs.filter((c) => inPrefix(ip, c.cidr)).map((c) => c.ind);
      if (this.cidrCache.size >= UA_REGEX_LIMITS.cacheEntries) this.cidrCache.clear();
      this.cidrCache.set(ip, list);
    }
    return list;
  }

  addAccount(a: AccountRecord): void {
    const acct = a.account_id;
    if (a.payment_fingerprint)
      for (const h of this.keyed('payment_fingerprint', a.payment_fingerprint))
        this.lookup(acct, `payment_fingerprint_hmac:${h}`);
    if (a.email_hash) for (const h of this.keyed('email', a.email_hash)) this.lookup(acct, `email_hmac:${h}`);
    if (a.email_domain)
      for (const h of this.keyed('email_domain', a.email_domain)) this.lookup(acct, `email_domain_hmac:${h}`);
    if (a.signup_ip) {
      const prefix = ipPrefix(a.signup_ip);
      if (prefix) for (const h of this.keyed('ip_prefix', prefix)) this.lookup(acct, `ip_prefix_hmac:${h}`);
      for (const ind of this.cidrHits(a.signup_ip)) this.hit(acct, ind);
      // An account record is an observation of its sign-up address only.
      this.observe(acct, { ip: a.signup_ip });
    }
  }

  addEvent(e: ApiEvent): void {
    const acct = e.account_id;
    this.eventsPerAccount.set(acct, (this.eventsPerAccount.get(acct) ?? 0) + 1);
    if (e.account) this.addAccount({ ...e.account, account_id: acct });
    const ip = e.client?.ip;
    if (ip) {
      const prefix = ipPrefix(ip);
      if (prefix)
        for (const h of this.keyed('ip_prefix', prefix)) this.lookup(acct, `ip_prefix_hmac:${h}`, e.id, e.ts);
      for (const ind of this.cidrHits(ip)) this.hit(acct, ind, e.id, e.ts);
    }
    if (e.client?.asn !== undefined) this.lookup(acct, `asn:${e.client.asn}`, e.id, e.ts);
    if (e.client?.user_agent) {
      this.lookup(acct, `user_agent:${e.client.user_agent}`, e.id, e.ts);
      for (const ind of this.uaMatches(e.client.user_agent)) this.hit(acct, ind, e.id, e.ts);
    }
    if (this.programs.length) {
      const o: Observation = {};
      if (ip) o.ip = ip;
      if (e.client?.asn !== undefined) o.asn = e.client.asn;
      if (e.client?.user_agent) o.ua = e.client.user_agent;
      this.observe(acct, o, e.id, e.ts);
    }
    if (this.bands.size === 0 && !this.hasPhrases()) return;
    const prompt = userPrompt(e);
    if (!prompt) return;
    if (this.bands.size) {
      const seen = new Set<string>();
      for (const fp of templateFingerprints(prompt)) {
        let sig: Uint32Array | undefined;
        for (const b of fp.lshBandKeys)
          for (const cand of this.bands.get(b) ?? []) {
            if (seen.has(cand.ind.id)) continue;
            sig ??= signatureFromHex(fp.minhash);
            if (estimateJaccard(sig, cand.sig) < TEMPLATE_JACCARD) continue;
            seen.add(cand.ind.id);
            this.hit(acct, cand.ind, e.id, e.ts);
          }
      }
    }
    const phrase = elicitationPhrase(prompt);
    if (phrase) this.lookup(acct, `elicitation_phrase:${phrase}`, e.id, e.ts);
  }

  private phrasesKnown: boolean | undefined;
  private hasPhrases(): boolean {
    this.phrasesKnown ??= [...this.exact.keys()].some((k) => k.startsWith('elicitation_phrase:'));
    return this.phrasesKnown;
  }

  /** Per matched account, per campaign: the combined score and the indicators that hit. */
  matches(): Map<string, CampaignMatch[]> {
    const out = new Map<string, CampaignMatch[]>();
    // Local base rate of each indicator: a broad indicator many local accounts match is weak.
    const accountsSeen = Math.max(1, this.eventsPerAccount.size);
    const matchedBy = new Map<string, number>();
    // A general pattern's hit stands once the account satisfied the whole pattern.
    const stands = (h: Hit): boolean => !h.ind.program || satisfied(h.ind.program, h.mask ?? 0, h.counts);
    for (const hits of this.hits.values())
      for (const id of new Set([...hits.values()].filter(stands).map((h) => h.ind.id)))
        matchedBy.set(id, (matchedBy.get(id) ?? 0) + 1);
    for (const [account, hits] of this.hits) {
      const total = Math.max(1, this.eventsPerAccount.get(account) ?? 0);
      const byCampaign = new Map<string, Hit[]>();
      for (const h of hits.values()) {
        if (!stands(h)) continue;
        const key = h.ind.campaignId ?? h.ind.id;
        byCampaign.set(key, [...(byCampaign.get(key) ?? []), h]);
      }
      const list: CampaignMatch[] = [];
      for (const [campaignId, hs] of byCampaign) {
        // Independent kinds multiply their benign match rates; each rate is tempered by the
        // shared confidence and, for traffic matches, by the share of the account's requests
        // that matched (p^(confidence × coverage): no confidence or coverage, no evidence).
        if (!hs.some((h) => SPECIFIC.has(h.ind.kind))) continue;
        const log10pByKind = new Map<string, number>();
        for (const h of hs) {
          const coverage = h.events === 0 ? 1 : Math.min(1, (2 * h.events) / total);
          const prior = KIND_BENIGN_MATCH[h.ind.kind] ?? 0.3;
          const rate = SPECIFIC.has(h.ind.kind)
            ? prior
            : Math.max(prior, (matchedBy.get(h.ind.id) ?? 0) / accountsSeen);
          const lp = Math.log10(rate) * (h.ind.confidence / 100) * coverage;
          log10pByKind.set(h.ind.kind, Math.min(log10pByKind.get(h.ind.kind) ?? 0, lp));
        }
        const log10p = [...log10pByKind.values()].reduce((a, b) => a + b, 0);
        const pValue = Math.max(1e-30, 10 ** log10p);
        const first = hs[0]!.ind;
        list.push({
          campaignId,
          campaignName: first.campaignName ?? campaignId,
          publisher: first.publisher,
          markings: first.markings,
          pValue,
          score: 1 - pValue,
          hits: hs,
        });
      }
      if (list.length)
        out.set(
          account,
          list.sort((a, b) => b.score - a.score),
        );
    }
    return out;
  }

  /**
   * Local clusters that correspond to a shared campaign, from their links (networks, ASNs,
   * clients, payment fingerprints): "our cluster cl_7 is their campaign X".
   */
  matchFindings(
    findings: Findings,
  ): { clusterId: string; campaignId: string; campaignName: string; kinds: string[] }[] {
    const out: { clusterId: string; campaignId: string; campaignName: string; kinds: string[] }[] = [];
    for (const c of findings.clusters) {
      const hits: Compiled[] = [];
      const lookup = (key: string): void => void hits.push(...(this.exact.get(key) ?? []));
      // General patterns: each link is an observation of that one attribute.
      const counts = this.programs.map((p) => maskCounts(p.program));
      const observed = (o: Observation): void => {
        const m = this.masks(o);
        for (let i = 0; i < m.length; i++) countMask(this.programs[i]!.program, counts[i]!, m[i]!);
      };
      for (const l of c.links) {
        if (this.programs.length) {
          if (l.kind === 'asn' && /^\d+$/.test(l.value)) observed({ asn: Number(l.value) });
          else if (l.kind === 'user_agent') observed({ ua: l.value });
          else if (l.kind === 'ip_prefix' || l.kind === 'signup_ip_prefix')
            observed({ ip: l.value.split('/')[0] ?? '' });
        }
        if (l.kind === 'asn') lookup(`asn:${l.value}`);
        else if (l.kind === 'user_agent') {
          lookup(`user_agent:${l.value}`);
          hits.push(...this.uaMatches(l.value));
        } else if (l.kind === 'payment_fingerprint')
          for (const h of this.keyed('payment_fingerprint', l.value)) lookup(`payment_fingerprint_hmac:${h}`);
        else if (l.kind === 'email_domain')
          for (const h of this.keyed('email_domain', l.value)) lookup(`email_domain_hmac:${h}`);
        else if (l.kind === 'ip_prefix' || l.kind === 'signup_ip_prefix') {
          for (const h of this.keyed('ip_prefix', l.value)) lookup(`ip_prefix_hmac:${h}`);
          const ip = l.value.split('/')[0] ?? '';
          for (const x of this.cidrs) if (inPrefix(ip, x.cidr)) hits.push(x.ind);
        }
      }
      this.programs.forEach((p, i) => {
        if (satisfied(p.program, 0, counts[i])) hits.push(...p.inds);
      });
      const byCampaign = new Map<string, Compiled[]>();
      for (const h of hits) {
        const k = h.campaignId ?? h.id;
        byCampaign.set(k, [...(byCampaign.get(k) ?? []), h]);
      }
      for (const [campaignId, hs] of byCampaign)
        if (hs.some((h) => SPECIFIC.has(h.kind)))
          out.push({
            clusterId: c.cluster_id,
            campaignId,
            campaignName: hs[0]!.campaignName ?? campaignId,
            kinds: [...new Set(hs.map((h) => h.kind))].sort(),
          });
    }
    return out;
  }

  /** `shared-intel` signals for the detection engine, one per matched campaign. */
  signals(): Map<string, Signal[]> {
    const out = new Map<string, Signal[]>();
    for (const [account, list] of this.matches()) {
      const total = this.eventsPerAccount.get(account) ?? 0;
      out.set(
        account,
        list.map((m) => ({
          detector: 'shared-intel',
          score: m.score,
          p_value: Number(m.pValue.toPrecision(3)),
          evidence:
            `matches ${m.hits.length} shared indicator${m.hits.length === 1 ? '' : 's'} of ${m.campaignName}` +
            `${m.publisher ? ` (published by ${m.publisher})` : ''}: ` +
            m.hits
              .map(
                (h) =>
                  `${h.ind.label}${h.events ? ` on ${h.events} of ${total} requests` : ' on the account record'}, confidence ${h.ind.confidence}`,
              )
              .join('; '),
          atlas: ATLAS.extractModel,
          examples: [...new Set(m.hits.flatMap((h) => h.examples))].slice(0, 10),
        })),
      );
    }
    return out;
  }

  /**
   * One STIX sighting per matched campaign, to send back to the hub. Anonymous sightings name
   * no identity: the hub counts them for the publisher without saying who.
   */
  sightings(opts: { identityId?: string; anonymous: boolean }): StixObject[] {
    const per = new Map<
      string,
      { count: number; accounts: Set<string>; first?: string; last?: string; markings?: string[] }
    >();
    for (const [account, list] of this.matches())
      for (const m of list) {
        const e = per.get(m.campaignId) ?? {
          count: 0,
          accounts: new Set<string>(),
          ...(m.markings ? { markings: m.markings } : {}),
        };
        e.accounts.add(account);
        // One request can match several indicators: count the account's best-covered one.
        e.count += Math.max(0, ...m.hits.map((h) => h.events));
        for (const h of m.hits) {
          if (h.firstSeen && (!e.first || h.firstSeen < e.first)) e.first = h.firstSeen;
          if (h.lastSeen && (!e.last || h.lastSeen > e.last)) e.last = h.lastSeen;
        }
        per.set(m.campaignId, e);
      }
    const ts = stixNow(this.now);
    return [...per.entries()].map(([ref, e]) => ({
      type: 'sighting',
      spec_version: '2.1',
      id: randomId('sighting'),
      created: ts,
      modified: ts,
      sighting_of_ref: ref,
      count: Math.min(Math.max(1, e.count), 999_999_999),
      ...(e.first ? { first_seen: stixNow(new Date(e.first)) } : {}),
      ...(e.last ? { last_seen: stixNow(new Date(e.last)) } : {}),
      ...(e.markings ? { object_marking_refs: e.markings } : {}),
      ...(!opts.anonymous && opts.identityId
        ? { created_by_ref: opts.identityId, where_sighted_refs: [opts.identityId] }
        : {}),
      extensions: dgExtension({ anonymous: opts.anonymous, accounts_seen: e.accounts.size }),
    }));
  }
}
