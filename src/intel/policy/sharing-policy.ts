import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { LEVELS, UserError, type StixObject } from '../../contracts/index.js';
import { readUserFile } from '../../ingest/index.js';
import { DG_EXTENSION_ID } from '../stix/extension.js';
import { TLP_LEVELS } from '../stix/tlp.js';

/**
 * The sharing policy: an allow-list of object types and properties that may leave, thresholds,
 * default TLP, and the privacy switches. Commercial fields are refused whatever the allow-list
 * says: competitors may share defence data only (antitrust), never prices, customers or plans.
 */
export const SharingPolicy = z.object({
  version: z.literal(1).default(1),
  default_tlp: z.enum(TLP_LEVELS).default('amber'),
  min_cluster_size: z.int().min(1).default(3),
  min_confidence: z.int().min(0).max(100).default(60),
  /**
   * The lowest level a cluster is shared at. Monitor means worth watching, not an attack: a
   * course or a team at monitor is no indicator to hand other providers (its network and mail
   * domain would leave as attack infrastructure).
   */
  min_level: z.enum(LEVELS).default('review'),
  /**
   * Clusters a person confirmed as attacks, shared although held for a person: one academic
   * institution's group (a course, a lab) is never shared on the detector's word alone.
   */
  confirmed_clusters: z.array(z.string().max(64)).max(10_000).default([]),
  indicator_ttl_days: z.number().positive().default(30),
  share_ip_in_clear: z.boolean().default(false),
  share_prompts_verbatim: z.boolean().default(false),
  share_elicitation_phrasings: z.boolean().default(true),
  /** Object type -> properties that may leave (common STIX properties are always allowed). */
  allow: z.record(z.string(), z.array(z.string())).default({}),
  /** Properties of the DistillGuard extension that may leave. */
  allow_extension: z.array(z.string()).default([]),
  /** Extra commercial terms to refuse, on top of the built-in list. */
  refuse_terms: z.array(z.string()).default([]),
});
export type SharingPolicy = z.infer<typeof SharingPolicy>;

export const DEFAULT_ALLOW: Record<string, string[]> = {
  identity: ['name', 'identity_class', 'sectors'],
  campaign: ['name', 'description', 'first_seen', 'last_seen', 'objective', 'confidence', 'aliases'],
  'intrusion-set': ['name', 'description', 'first_seen', 'last_seen', 'goals', 'confidence'],
  'attack-pattern': ['name', 'description', 'external_references'],
  indicator: [
    'name',
    'description',
    'indicator_types',
    'pattern',
    'pattern_type',
    'pattern_version',
    'valid_from',
    'valid_until',
    'confidence',
    'kill_chain_phases',
  ],
  relationship: ['relationship_type', 'source_ref', 'target_ref', 'description', 'confidence'],
  sighting: [
    'sighting_of_ref',
    'where_sighted_refs',
    'observed_data_refs',
    'first_seen',
    'last_seen',
    'count',
    'summary',
    'confidence',
  ],
  'marking-definition': ['name', 'definition_type', 'definition'],
};

export const DEFAULT_ALLOW_EXTENSION = [
  'extension_type',
  'kind',
  'value',
  'hmac',
  'key_id',
  'cluster_size',
  'events',
  'score',
  'level',
  'detectors',
  'accounts_seen',
  'minhash',
  'lsh_band_keys',
  'edge',
  'skeleton',
  'phrase',
  'example_prompts',
  'anonymous',
];

/**
 * Structural objects: every object the export writes references the publisher's identity
 * (`created_by_ref`) and the TLP marking-definition (`object_marking_refs`), so they always
 * leave, with at least their default properties, whatever the allow-list says.
 */
const STRUCTURAL_TYPES = ['identity', 'marking-definition'];

/** Properties STIX 2.1 requires of each type: an allowed object always keeps them. */
const REQUIRED: Record<string, string[]> = {
  identity: ['name'],
  campaign: ['name'],
  'intrusion-set': ['name'],
  'attack-pattern': ['name'],
  indicator: ['pattern', 'pattern_type', 'valid_from'],
  relationship: ['relationship_type', 'source_ref', 'target_ref'],
  sighting: ['sighting_of_ref'],
  'marking-definition': ['name', 'definition_type', 'definition'],
};

/** Extension properties that make an extension block valid: always kept. */
const REQUIRED_EXTENSION = ['extension_type'];

/** Always allowed: what makes a STIX object an object. */
const COMMON = new Set([
  'type',
  'id',
  'spec_version',
  'created',
  'modified',
  'created_by_ref',
  'object_marking_refs',
  'extensions',
  'revoked',
  'lang',
]);

const BUILTIN_COMMERCIAL = [
  'price',
  'pricing',
  'cost',
  'revenue',
  'margin',
  'discount',
  'invoice',
  'billing',
  'customer',
  'client_list',
  'contract',
  'roadmap',
  'forecast',
  'market_share',
  'plan',
  'strategy',
  'salary',
  'bid',
];

export function commercialTermMatcher(policy: SharingPolicy): RegExp {
  const terms = [...BUILTIN_COMMERCIAL, ...policy.refuse_terms].map((t) => t.replace(/[^a-z0-9_]/gi, ''));
  // As whole words or snake_case / kebab parts: `customer_list`, `x_price_usd`, `price`.
  return new RegExp(`(^|[_\\-\\s])(${terms.join('|')})s?($|[_\\-\\s])`, 'i');
}

/** The built-in policy, allow-lists filled in (as `policyFrom({})`). */
export function defaultPolicy(): SharingPolicy {
  return policyFrom({});
}

export function policyFrom(input: unknown, source = 'sharing policy'): SharingPolicy {
  const parsed = SharingPolicy.safeParse(input ?? {});
  if (!parsed.success)
    throw new UserError(
      'INVALID_CONFIG',
      `${source} is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}.`,
    );
  const p = parsed.data;
  if (Object.keys(p.allow).length === 0) p.allow = DEFAULT_ALLOW;
  if (p.allow_extension.length === 0) p.allow_extension = DEFAULT_ALLOW_EXTENSION;
  return p;
}

export function loadSharingPolicy(file: string | undefined): SharingPolicy {
  if (!file) return policyFrom({});
  const text = readUserFile(file, 'sharing policy', 'check the --policy path');
  try {
    return policyFrom(parseYaml(text), file);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(
      'INVALID_CONFIG',
      `Sharing policy ${file} is not valid YAML: ${(err as Error).message}`,
    );
  }
}

export interface Withheld {
  object: string;
  type: string;
  property?: string;
  reason: string;
}

export interface PolicyOutcome {
  objects: StixObject[];
  withheld: Withheld[];
}

/**
 * Filters objects through the policy: drops objects of types not allowed, strips properties
 * not allowed, refuses commercial fields, and drops references to objects that did not leave.
 */
export function applyPolicy(objects: readonly StixObject[], policy: SharingPolicy): PolicyOutcome {
  const commercial = commercialTermMatcher(policy);
  const withheld: Withheld[] = [];
  const kept: StixObject[] = [];
  for (const o of objects) {
    const listed = policy.allow[o.type];
    const allowed =
      listed || STRUCTURAL_TYPES.includes(o.type)
        ? [...(listed ?? DEFAULT_ALLOW[o.type] ?? []), ...(REQUIRED[o.type] ?? [])]
        : undefined;
    if (!allowed) {
      withheld.push({
        object: o.id,
        type: o.type,
        reason: `object type ${o.type} is not in the policy allow-list`,
      });
      continue;
    }
    const out = keepAllowed(o, o, '', (prop) => COMMON.has(prop) || allowed.includes(prop), {
      commercial,
      withheld,
      notAllowed: 'property not in the policy allow-list',
    });
    if (o.extensions) out.extensions = filterExtensions(o, policy, commercial, withheld);
    if (out.extensions && Object.keys(out.extensions).length === 0) delete out.extensions;
    kept.push(out as StixObject);
  }
  // Nothing may point at what stayed home: an object referring to a withheld object stays home
  // too (repeated, as dropping one may orphan another; at most one pass per object).
  let final = kept;
  for (let pass = 0; pass <= kept.length; pass++) {
    const ids = new Set(final.map((o) => o.id));
    const isKnown = (ref: string): boolean => ref.startsWith('marking-definition--') || ids.has(ref);
    const next = final.filter((o) => {
      const dangling = refsOf(o).find((r) => !isKnown(r));
      if (dangling)
        withheld.push({ object: o.id, type: o.type, reason: `refers to ${dangling}, which is withheld` });
      return !dangling;
    });
    if (next.length === final.length) break;
    final = next;
  }
  return { objects: final, withheld };
}

/** The object's top-level `*_ref` and `*_refs` values. */
function refsOf(o: StixObject): string[] {
  return Object.entries(o).flatMap(([k, v]) =>
    k.endsWith('_ref') && typeof v === 'string'
      ? [v]
      : k.endsWith('_refs') && Array.isArray(v)
        ? v.filter((r): r is string => typeof r === 'string')
        : [],
  );
}

function filterExtensions(
  o: StixObject,
  policy: SharingPolicy,
  commercial: RegExp,
  withheld: Withheld[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [extId, ext] of Object.entries(o.extensions ?? {})) {
    if (extId !== DG_EXTENSION_ID) {
      out[extId] = ext; // TLP and other published extensions pass unchanged
      continue;
    }
    const kept = keepAllowed(
      o,
      ext,
      'extension.',
      (prop) => policy.allow_extension.includes(prop) || REQUIRED_EXTENSION.includes(prop),
      { commercial, withheld, notAllowed: 'extension property not in the policy allow-list' },
    );
    if (Object.keys(kept).length > 1) out[extId] = kept;
  }
  return out;
}

/**
 * The properties of `props` (the object's own, or its extension's) that may leave: commercial
 * fields are refused first, whatever the allow-list says; every property held back is recorded
 * in `withheld` under `prefix` + its name.
 */
function keepAllowed(
  o: StixObject,
  props: object,
  prefix: string,
  isAllowed: (prop: string) => boolean,
  why: { commercial: RegExp; withheld: Withheld[]; notAllowed: string },
): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [prop, value] of Object.entries(props)) {
    const reason = why.commercial.test(prop)
      ? 'commercial field refused (antitrust)'
      : isAllowed(prop)
        ? undefined
        : why.notAllowed;
    if (reason) why.withheld.push({ object: o.id, type: o.type, property: `${prefix}${prop}`, reason });
    else kept[prop] = value;
  }
  return kept;
}

/** Refuses (throws) instead of filtering: for the hub and for push, where nothing may be half-sent. */
export function commercialFieldsIn(
  objects: readonly StixObject[],
  policy: SharingPolicy = defaultPolicy(),
): string[] {
  const commercial = commercialTermMatcher(policy);
  const found: string[] = [];
  const walk = (value: unknown, where: string): void => {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${where}[${i}]`));
    else if (value && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) {
        if (commercial.test(k)) found.push(`${where}.${k}`);
        walk(v, `${where}.${k}`);
      }
  };
  for (const o of objects) walk(o, o.id);
  return found;
}
