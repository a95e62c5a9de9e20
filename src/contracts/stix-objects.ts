import { z } from 'zod';
import { StixId, StixTimestamp } from './stix.js';

/*
 * STIX 2.1 objects of every type the specification defines, as the hub checks them when a member
 * POSTs them (and `intel export` before it writes). They follow the OASIS STIX 2.1 JSON schemas
 * (cti-stix2-json-schemas; the tests use those files as the oracle) from the installed package
 * alone: the common properties of SDOs/SROs and of cyber-observables, each type's required
 * properties and value rules, and the generic rules every STIX property obeys (property names,
 * no empty lists, no nulls, `_hex`/`_bin` encodings). They also check the MUSTs of the
 * specification that a JSON schema cannot say (`modified` not before `created`, `valid_until`
 * after `valid_from`, `last_seen` not before `first_seen`). Not checked: the STIX pattern grammar
 * and the nested extension dictionaries of file, network-traffic, process and user-account.
 */

type Ctx = z.RefinementCtx;
type Obj = Record<string, unknown>;

const issue = (ctx: Ctx, path: (string | number)[], message: string): void =>
  ctx.addIssue({ code: 'custom', path, message, input: undefined });

/** Properties.json: names are `^([a-z][a-z0-9_]{2,249})|id$` (searched, as JSON Schema does). */
const PROPERTY_NAME = /^([a-z][a-z0-9_]{2,249})|id$/;
const HEX = /^([a-fA-F0-9]{2})+$/;
const BINARY = /^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)$/;
const MILLIS = /T\d{2}:\d{2}:\d{2}\.\d{3,}Z$/;
const EXT_KEY = /^([a-z][a-z0-9]*)+(-[a-z0-9]+)*-ext$/;
const EXT_DEF_KEY =
  /^extension-definition--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$/;
const TYPE_NAME = /^([a-z][a-z0-9]*)+(-[a-z0-9]+)*-?$/;
const EXTENSION_TYPES = [
  'new-sdo',
  'new-sco',
  'new-sro',
  'property-extension',
  'toplevel-property-extension',
] as const;
/** Properties the specification reserves (core.json `not`): never on an object. */
const RESERVED = ['severity', 'action', 'username', 'phone_numbers'];

/** The generic property rules of STIX 2.1 (properties.json), at one level of an object. */
function propertyRules(o: Obj, ctx: Ctx, at: (string | number)[] = []): void {
  for (const [k, v] of Object.entries(o)) {
    if (!PROPERTY_NAME.test(k))
      issue(ctx, [...at, k], 'not a STIX property name (lowercase letter, then 2-249 of a-z 0-9 _)');
    else if (v === null) issue(ctx, [...at, k], 'null is not a STIX value (omit the property)');
    else if (Array.isArray(v) && v.length === 0)
      issue(ctx, [...at, k], 'empty list (STIX 2.1 forbids empty lists; omit the property)');
    else if (k.endsWith('_hex') && (typeof v !== 'string' || !HEX.test(v)))
      issue(ctx, [...at, k], 'a _hex property must be an even number of hex digits');
    else if (k.endsWith('_bin') && (typeof v !== 'string' || !BINARY.test(v)))
      issue(ctx, [...at, k], 'a _bin property must be base64');
  }
}

const millis = StixTimestamp.regex(MILLIS, { message: 'must be precise to the millisecond (.000Z)' });
const strings = z.array(z.string()).min(1);
const ids = z.array(StixId).min(1);
const idOf = (...types: string[]) =>
  StixId.refine((s) => types.some((t) => s.startsWith(`${t}--`)), {
    message: `must be the id of a ${types.join(' or ')}`,
  });
const idNotOf = (...types: string[]) =>
  StixId.refine((s) => !types.some((t) => s.startsWith(`${t}--`)), {
    message: `may not refer to a ${types.join(', ')}`,
  });
const dictionary = z
  .record(z.string().regex(/^[a-zA-Z0-9_-]{0,250}$/), z.unknown())
  .refine((d) => Object.keys(d).length > 0, { message: 'empty dictionary' });

const HASH_RULES: Record<string, RegExp> = {
  MD5: /^[a-fA-F0-9]{32}$/,
  'SHA-1': /^[a-fA-F0-9]{40}$/,
  'SHA-256': /^[a-fA-F0-9]{64}$/,
  'SHA-512': /^[a-fA-F0-9]{128}$/,
  'SHA3-256': /^[a-fA-F0-9]{64}$/,
  'SHA3-512': /^[a-fA-F0-9]{128}$/,
  SSDEEP: /^[a-zA-Z0-9/+:.]{1,128}$/,
  TLSH: /^[a-zA-Z0-9]{70}$/,
};
export const StixHashes = z
  .record(z.string().regex(/^[a-zA-Z0-9_-]{3,250}$/, { message: 'not a hash algorithm name' }), z.string())
  .superRefine((h, ctx) => {
    if (!Object.keys(h).length) issue(ctx, [], 'empty dictionary');
    for (const [alg, v] of Object.entries(h))
      if (HASH_RULES[alg] && !HASH_RULES[alg].test(v)) issue(ctx, [alg], `not a ${alg} value`);
  });

const CVE = /^CVE-\d{4}-(0\d{3}|[1-9]\d{3,})$/;
const CAPEC = /^CAPEC-\d+$/;
export const StixExternalReference = z
  .looseObject({
    source_name: z.string(),
    description: z.string().optional(),
    url: z.url().optional(),
    external_id: z.string().optional(),
    hashes: StixHashes.optional(),
  })
  .superRefine((r, ctx) => {
    const cveOrCapec = r.external_id !== undefined && (CVE.test(r.external_id) || CAPEC.test(r.external_id));
    if (r.source_name === 'cve' && !(r.external_id && CVE.test(r.external_id)))
      issue(ctx, ['external_id'], 'a cve reference needs external_id CVE-YYYY-NNNN');
    else if (r.source_name === 'capec' && !(r.external_id && CAPEC.test(r.external_id)))
      issue(ctx, ['external_id'], 'a capec reference needs external_id CAPEC-N');
    else if (r.source_name !== 'cve' && r.source_name !== 'capec') {
      if (cveOrCapec) issue(ctx, ['external_id'], 'CVE/CAPEC ids belong to source_name cve/capec');
      if (r.external_id === undefined && r.description === undefined && r.url === undefined)
        issue(ctx, [], 'needs external_id, description or url');
    }
  });

export const StixKillChainPhase = z.looseObject({ kill_chain_name: z.string(), phase_name: z.string() });
export const StixGranularMarking = z.looseObject({
  selectors: z.array(z.string().regex(/^([a-z0-9_-]{3,249}(\.(\[\d+\]|[a-z0-9_-]{1,250}))*|id)$/)).min(1),
  lang: z.string().optional(),
  marking_ref: idOf('marking-definition'),
});

/** Extensions: `…-ext` predefined ones, and extension-definition ones carrying their type. */
const extensions = z.record(z.string(), z.unknown()).superRefine((e, ctx) => {
  if (!Object.keys(e).length) issue(ctx, [], 'empty dictionary (omit extensions)');
  for (const [k, v] of Object.entries(e)) {
    if (!EXT_KEY.test(k) && !EXT_DEF_KEY.test(k)) {
      issue(ctx, [k], 'an extension key is an extension-definition id or a name ending in -ext');
      continue;
    }
    if (!v || typeof v !== 'object' || Array.isArray(v) || !Object.keys(v).length) {
      issue(ctx, [k], 'an extension is a non-empty object');
      continue;
    }
    propertyRules(v as Obj, ctx, [k]);
    if (EXT_DEF_KEY.test(k)) {
      const t = (v as Obj).extension_type;
      if (!(EXTENSION_TYPES as readonly unknown[]).includes(t))
        issue(ctx, [k, 'extension_type'], 'extension_type is required (new-sdo, …, property-extension)');
    }
  }
});

/** Common properties of SDOs and SROs (core.json). */
const sdoCore = {
  type: z.string(),
  spec_version: z.enum(['2.0', '2.1']),
  id: StixId,
  created: millis,
  modified: millis,
  created_by_ref: StixId.optional(),
  labels: strings.optional(),
  revoked: z.boolean().optional(),
  confidence: z.int().min(0).max(100).optional(),
  lang: z.string().optional(),
  external_references: z.array(StixExternalReference).min(1).optional(),
  object_marking_refs: ids.optional(),
  granular_markings: z.array(StixGranularMarking).min(1).optional(),
  extensions: extensions.optional(),
};

/** Common properties of cyber-observables (cyber-observable-core.json). */
const scoCore = {
  type: z.string(),
  id: StixId,
  spec_version: z.enum(['2.0', '2.1']).optional(),
  object_marking_refs: ids.optional(),
  granular_markings: z.array(StixGranularMarking).min(1).optional(),
  defanged: z.boolean().optional(),
  extensions: extensions.optional(),
};

const before = (a: unknown, b: unknown): boolean =>
  typeof a === 'string' && typeof b === 'string' && Date.parse(a) < Date.parse(b);

/** What every object obeys besides its own properties: id prefix, reserved names, property rules, order of times. */
function commonRules(o: Obj, ctx: Ctx): void {
  if (typeof o.type === 'string' && typeof o.id === 'string' && !o.id.startsWith(`${o.type}--`))
    issue(ctx, ['id'], `id must start with ${o.type}--`);
  for (const k of RESERVED) if (k in o) issue(ctx, [k], 'reserved by STIX 2.1; may not be used');
  propertyRules(o, ctx);
  if (before(o.modified, o.created)) issue(ctx, ['modified'], 'modified is before created');
  for (const [from, to] of [
    ['first_seen', 'last_seen'],
    ['first_observed', 'last_observed'],
    ['start_time', 'stop_time'],
  ] as const)
    if (before(o[to], o[from])) issue(ctx, [to], `${to} is before ${from}`);
  if (
    typeof o.valid_from === 'string' &&
    typeof o.valid_until === 'string' &&
    !before(o.valid_from, o.valid_until)
  )
    issue(ctx, ['valid_until'], 'valid_until must be after valid_from');
}

const sdo = <S extends z.ZodRawShape>(type: string, shape: S) =>
  z.looseObject({ ...sdoCore, ...shape, type: z.literal(type) }).superRefine((o, ctx) => commonRules(o, ctx));
const sco = <S extends z.ZodRawShape>(type: string, shape: S) =>
  z.looseObject({ ...scoCore, ...shape, type: z.literal(type) }).superRefine((o, ctx) => commonRules(o, ctx));

/** At least one of these properties (several SCOs and location say "anyOf required"). */
const anyOf =
  (...keys: string[]) =>
  (o: Obj, ctx: Ctx): void => {
    if (!keys.some((k) => o[k] !== undefined)) issue(ctx, [], `needs at least one of ${keys.join(', ')}`);
  };

const named = { name: z.string(), description: z.string().optional() };
const seen = { first_seen: StixTimestamp.optional(), last_seen: StixTimestamp.optional() };
const phases = { kill_chain_phases: z.array(StixKillChainPhase).min(1).optional() };
const NOT_SRO_TARGET = ['relationship', 'sighting', 'bundle', 'marking-definition', 'language-content'];

export const STIX_SDO_TYPES = {
  'attack-pattern': sdo('attack-pattern', { ...named, ...phases, aliases: strings.optional() }),
  campaign: sdo('campaign', {
    ...named,
    ...seen,
    aliases: strings.optional(),
    objective: z.string().optional(),
  }),
  'course-of-action': sdo('course-of-action', named),
  grouping: sdo('grouping', {
    name: z.string().optional(),
    description: z.string().optional(),
    context: z.string(),
    object_refs: ids,
  }),
  identity: sdo('identity', {
    ...named,
    roles: strings.optional(),
    identity_class: z.string().optional(),
    sectors: strings.optional(),
    contact_information: z.string().optional(),
  }),
  incident: sdo('incident', named),
  indicator: sdo('indicator', {
    name: z.string().optional(),
    description: z.string().optional(),
    indicator_types: strings.optional(),
    pattern: z.string(),
    pattern_type: z.string(),
    pattern_version: z.string().optional(),
    valid_from: StixTimestamp,
    valid_until: StixTimestamp.optional(),
    ...phases,
  }),
  infrastructure: sdo('infrastructure', {
    ...named,
    ...seen,
    ...phases,
    infrastructure_types: strings.optional(),
    aliases: strings.optional(),
  }),
  'intrusion-set': sdo('intrusion-set', {
    ...named,
    ...seen,
    aliases: strings.optional(),
    goals: strings.optional(),
    resource_level: z.string().optional(),
    primary_motivation: z.string().optional(),
    secondary_motivations: strings.optional(),
  }),
  location: sdo('location', {
    name: z.string().optional(),
    description: z.string().optional(),
    latitude: z.number().min(-90).max(90).optional(),
    longitude: z.number().min(-180).max(180).optional(),
    precision: z.number().optional(),
    region: z.string().optional(),
    country: z.string().optional(),
    administrative_area: z.string().optional(),
    city: z.string().optional(),
    street_address: z.string().optional(),
    postal_code: z.string().optional(),
  }).superRefine((o, ctx) => {
    anyOf('region', 'country', 'latitude')(o, ctx);
    if ((o.latitude === undefined) !== (o.longitude === undefined))
      issue(ctx, [], 'latitude and longitude go together');
    if (o.precision !== undefined && o.latitude === undefined)
      issue(ctx, ['precision'], 'precision needs latitude and longitude');
  }),
  'malware-analysis': sdo('malware-analysis', {
    product: z.string(),
    version: z.string().optional(),
    result: z.string().optional(),
    analysis_sco_refs: ids.optional(),
    host_vm_ref: idOf('software').optional(),
    operating_system_ref: idOf('software').optional(),
    installed_software_refs: z.array(idOf('software')).min(1).optional(),
    sample_ref: idOf('artifact', 'file', 'network-traffic').optional(),
    submitted: StixTimestamp.optional(),
    analysis_started: StixTimestamp.optional(),
    analysis_ended: StixTimestamp.optional(),
  }).superRefine(anyOf('result', 'analysis_sco_refs')),
  malware: sdo('malware', {
    ...seen,
    ...phases,
    name: z.string().optional(),
    description: z.string().optional(),
    is_family: z.boolean(),
    aliases: strings.optional(),
    malware_types: strings.optional(),
    operating_system_refs: z.array(idOf('software')).min(1).optional(),
    sample_refs: strings.optional(),
  }).superRefine((o, ctx) => {
    if (o.is_family && o.name === undefined) issue(ctx, ['name'], 'a malware family needs a name');
  }),
  note: sdo('note', {
    abstract: z.string().optional(),
    content: z.string(),
    authors: strings.optional(),
    object_refs: ids,
  }),
  'observed-data': sdo('observed-data', {
    first_observed: StixTimestamp,
    last_observed: StixTimestamp,
    number_observed: z.int().min(1).max(999_999_999),
    objects: z.record(z.string(), z.looseObject({ type: z.string() })).optional(),
    object_refs: ids.optional(),
  }).superRefine((o, ctx) => {
    if ((o.objects === undefined) === (o.object_refs === undefined))
      issue(ctx, [], 'exactly one of objects and object_refs');
  }),
  opinion: sdo('opinion', {
    explanation: z.string().optional(),
    authors: strings.optional(),
    object_refs: ids,
    opinion: z.enum(['strongly-disagree', 'disagree', 'neutral', 'agree', 'strongly-agree']),
  }),
  report: sdo('report', {
    ...named,
    report_types: strings.optional(),
    published: StixTimestamp,
    object_refs: ids,
  }),
  'threat-actor': sdo('threat-actor', {
    ...named,
    ...seen,
    threat_actor_types: strings.optional(),
    aliases: strings.optional(),
    roles: strings.optional(),
    goals: strings.optional(),
    sophistication: z.string().optional(),
    resource_level: z.string().optional(),
    primary_motivation: z.string().optional(),
    secondary_motivations: strings.optional(),
    personal_motivations: strings.optional(),
  }),
  tool: sdo('tool', {
    ...named,
    ...phases,
    aliases: strings.optional(),
    tool_types: strings.optional(),
    tool_version: z.string().optional(),
  }),
  vulnerability: sdo('vulnerability', named),
  relationship: sdo('relationship', {
    relationship_type: z.string().regex(/^[a-z0-9-]+$/, { message: 'lowercase letters, digits and -' }),
    description: z.string().optional(),
    source_ref: idNotOf(...NOT_SRO_TARGET),
    target_ref: idNotOf(...NOT_SRO_TARGET),
    start_time: StixTimestamp.optional(),
    stop_time: StixTimestamp.optional(),
  }),
  sighting: sdo('sighting', {
    description: z.string().optional(),
    ...seen,
    count: z.int().min(0).max(999_999_999).optional(),
    sighting_of_ref: idNotOf(...NOT_SRO_TARGET),
    observed_data_refs: z.array(idOf('observed-data')).min(1).optional(),
    where_sighted_refs: z.array(idOf('identity', 'location')).min(1).optional(),
    summary: z.boolean().optional(),
  }),
  'extension-definition': sdo('extension-definition', {
    name: z.string(),
    description: z.string().optional(),
    schema: z.string(),
    version: z.string(),
    extension_types: z.array(z.enum(EXTENSION_TYPES)).min(1),
    extension_properties: strings.optional(),
  }).superRefine((o, ctx) => {
    if (o.extension_properties && !o.extension_types.includes('toplevel-property-extension'))
      issue(ctx, ['extension_properties'], 'only for toplevel-property-extension');
  }),
  'language-content': sdo('language-content', {
    object_ref: idNotOf('bundle', 'language-content'),
    object_modified: StixTimestamp.optional(),
    contents: dictionary,
  }),
};

const IPV4 =
  /^(([0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])\.){3}([0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])(\/(3[0-2]|[1-2][0-9]|[0-9]))?$/;
const ipv6 = z.string().refine((s) => /^[0-9A-Fa-f:.]+(\/\d{1,3})?$/.test(s) && s.includes(':'), {
  message: 'not an IPv6 address or CIDR',
});
const refs = z.array(z.string()).min(1).optional();

export const STIX_SCO_TYPES = {
  'ipv4-addr': sco('ipv4-addr', {
    value: z.string().regex(IPV4, { message: 'not an IPv4 address or CIDR' }),
    resolves_to_refs: refs,
    belongs_to_refs: refs,
  }),
  'ipv6-addr': sco('ipv6-addr', { value: ipv6, resolves_to_refs: refs, belongs_to_refs: refs }),
  'domain-name': sco('domain-name', { value: z.string(), resolves_to_refs: refs }),
  url: sco('url', { value: z.url() }),
  'email-addr': sco('email-addr', {
    value: z.string(),
    display_name: z.string().optional(),
    belongs_to_ref: z.string().optional(),
  }),
  'autonomous-system': sco('autonomous-system', {
    number: z.int(),
    name: z.string().optional(),
    rir: z.string().optional(),
  }),
  'mac-addr': sco('mac-addr', { value: z.string().regex(/^([0-9a-f]{2}[:]){5}([0-9a-f]{2})$/) }),
  mutex: sco('mutex', { name: z.string() }),
  directory: sco('directory', {
    path: z.string(),
    path_enc: z
      .string()
      .regex(/^[a-zA-Z0-9/.+_:-]{2,250}$/)
      .optional(),
    ctime: StixTimestamp.optional(),
    mtime: StixTimestamp.optional(),
    atime: StixTimestamp.optional(),
    contains_refs: refs,
  }),
  software: sco('software', {
    name: z.string(),
    cpe: z.string().optional(),
    swid: z.string().optional(),
    vendor: z.string().optional(),
    version: z.string().optional(),
  }),
  'user-account': sco('user-account', {
    user_id: z.string().optional(),
    credential: z.string().optional(),
    account_login: z.string().optional(),
    account_type: z.string().optional(),
    display_name: z.string().optional(),
    is_service_account: z.boolean().optional(),
    is_privileged: z.boolean().optional(),
    can_escalate_privs: z.boolean().optional(),
    is_disabled: z.boolean().optional(),
    account_created: StixTimestamp.optional(),
    account_expires: StixTimestamp.optional(),
    credential_last_changed: StixTimestamp.optional(),
    account_first_login: StixTimestamp.optional(),
    account_last_login: StixTimestamp.optional(),
  }).superRefine((o, ctx) => {
    if (
      !Object.keys(o).some(
        (k) =>
          !['type', 'id', 'spec_version', 'object_marking_refs', 'granular_markings', 'defanged'].includes(k),
      )
    )
      issue(ctx, [], 'a user-account needs at least one of its own properties');
  }),
  'x509-certificate': sco('x509-certificate', {
    is_self_signed: z.boolean().optional(),
    hashes: StixHashes.optional(),
    version: z.string().optional(),
    serial_number: z.string().optional(),
    signature_algorithm: z.string().optional(),
    issuer: z.string().optional(),
    validity_not_before: StixTimestamp.optional(),
    validity_not_after: StixTimestamp.optional(),
    subject: z.string().optional(),
    subject_public_key_algorithm: z.string().optional(),
    subject_public_key_modulus: z.string().optional(),
    subject_public_key_exponent: z.int().optional(),
    x509_v3_extensions: z.looseObject({}).optional(),
  }).superRefine(
    anyOf(
      'is_self_signed',
      'hashes',
      'version',
      'serial_number',
      'signature_algorithm',
      'issuer',
      'validity_not_before',
      'validity_not_after',
      'subject',
      'subject_public_key_algorithm',
      'subject_public_key_modulus',
      'subject_public_key_exponent',
      'x509_v3_extensions',
    ),
  ),
  'windows-registry-key': sco('windows-registry-key', {
    key: z
      .string()
      .refine((k) => !/^HKLM|HKCC|HKCR|HKCU|HKU|hklm|hkcc|hkcr|hkcu|hku/.test(k), {
        message: 'use the full hive name (HKEY_LOCAL_MACHINE…), not an abbreviation',
      })
      .optional(),
    values: z.array(z.looseObject({})).optional(),
    modified_time: StixTimestamp.optional(),
    creator_user_ref: z.string().optional(),
    number_of_subkeys: z.int().optional(),
  }).superRefine(anyOf('key', 'values', 'modified', 'creator_user_ref', 'number_of_subkeys')),
  file: sco('file', {
    hashes: StixHashes.optional(),
    size: z.int().min(0).optional(),
    name: z.string().optional(),
    name_enc: z
      .string()
      .regex(/^[a-zA-Z0-9/.+_:-]{2,250}$/)
      .optional(),
    mime_type: z.string().optional(),
    ctime: StixTimestamp.optional(),
    mtime: StixTimestamp.optional(),
    atime: StixTimestamp.optional(),
    parent_directory_ref: z.string().optional(),
    contains_refs: refs,
    content_ref: z.string().optional(),
  }).superRefine(anyOf('hashes', 'name')),
  artifact: sco('artifact', {
    mime_type: z
      .string()
      .regex(/^(application|audio|font|image|message|model|multipart|text|video)\/[a-zA-Z0-9.+_-]+/)
      .optional(),
    payload_bin: z.string().optional(),
    url: z.url().optional(),
    hashes: StixHashes.optional(),
    encryption_algorithm: z.enum(['AES-256-GCM', 'ChaCha20-Poly1305', 'mime-type-indicated']).optional(),
    decryption_key: z.string().optional(),
  }).superRefine((o, ctx) => {
    const payload = o.payload_bin !== undefined;
    if (payload === (o.url !== undefined) || (!payload && o.hashes === undefined))
      issue(ctx, [], 'exactly one of payload_bin, or url with hashes');
    if (o.decryption_key !== undefined && o.encryption_algorithm === undefined)
      issue(ctx, ['decryption_key'], 'decryption_key needs encryption_algorithm');
  }),
  'email-message': sco('email-message', {
    is_multipart: z.boolean(),
    date: StixTimestamp.optional(),
    content_type: z.string().optional(),
    from_ref: z.string().optional(),
    sender_ref: z.string().optional(),
    to_refs: refs,
    cc_refs: refs,
    bcc_refs: refs,
    message_id: z.string().optional(),
    subject: z.string().optional(),
    received_lines: refs,
    additional_header_fields: dictionary.optional(),
    body: z.string().optional(),
    body_multipart: z.array(z.looseObject({})).min(1).optional(),
    raw_email_ref: z.string().optional(),
  }).superRefine((o, ctx) => {
    if (o.is_multipart ? o.body !== undefined : o.body_multipart !== undefined)
      issue(ctx, [], 'body goes with is_multipart false, body_multipart with true');
  }),
  'network-traffic': sco('network-traffic', {
    start: StixTimestamp.optional(),
    end: StixTimestamp.optional(),
    is_active: z.boolean().optional(),
    src_ref: z.string().optional(),
    dst_ref: z.string().optional(),
    src_port: z.int().min(0).max(65535).optional(),
    dst_port: z.int().min(0).max(65535).optional(),
    protocols: strings,
    src_byte_count: z.int().optional(),
    dst_byte_count: z.int().optional(),
    src_packets: z.int().optional(),
    dst_packets: z.int().optional(),
    ipfix: dictionary.optional(),
    src_payload_ref: z.string().optional(),
    dst_payload_ref: z.string().optional(),
    encapsulates_refs: refs,
    encapsulated_by_ref: z.string().optional(),
  }).superRefine((o, ctx) => {
    anyOf('src_ref', 'dst_ref')(o, ctx);
    if (o.is_active === true && o.end !== undefined) issue(ctx, ['end'], 'active traffic has no end');
    if (o.is_active === undefined && o.end === undefined && o.start === undefined)
      issue(ctx, [], 'needs is_active, start or end');
  }),
  process: sco('process', {
    is_hidden: z.boolean().optional(),
    pid: z.int().optional(),
    created_time: StixTimestamp.optional(),
    cwd: z.string().optional(),
    command_line: z.string().optional(),
    environment_variables: dictionary.optional(),
    opened_connection_refs: refs,
    creator_user_ref: z.string().optional(),
    image_ref: z.string().optional(),
    parent_ref: z.string().optional(),
    child_refs: refs,
  }).superRefine(
    anyOf(
      'extensions',
      'is_hidden',
      'pid',
      'created_time',
      'cwd',
      'command_line',
      'environment_variables',
      'opened_connection_refs',
      'creator_user_ref',
      'image_ref',
      'parent_ref',
      'child_refs',
    ),
  ),
};

/** Marking definitions: a statement, a TLP 1.0 marking, or an extension (TLP 2.0) — no `modified`. */
export const StixMarkingDefinitionStrict = z
  .looseObject({
    type: z.literal('marking-definition'),
    spec_version: z.enum(['2.0', '2.1']),
    id: StixId,
    created: StixTimestamp,
    created_by_ref: StixId.optional(),
    name: z.string().optional(),
    external_references: z.array(StixExternalReference).min(1).optional(),
    object_marking_refs: z.array(idOf('marking-definition')).min(1).optional(),
    granular_markings: z.array(StixGranularMarking).min(1).optional(),
    definition_type: z.string().optional(),
    definition: z.looseObject({}).optional(),
    extensions: extensions
      .refine((e) => Object.keys(e).every((k) => EXT_DEF_KEY.test(k)), {
        message: 'a marking definition takes only extension-definition extensions',
      })
      .optional(),
  })
  .superRefine((o, ctx) => {
    commonRules(o, ctx);
    if (o.extensions === undefined && (o.definition === undefined || o.definition_type === undefined))
      issue(ctx, [], 'needs definition_type and definition, or an extension');
    const dt = o.definition_type;
    if (dt === 'statement' && typeof o.definition?.statement !== 'string')
      issue(ctx, ['definition', 'statement'], 'a statement marking needs definition.statement');
    else if (dt !== undefined && dt !== 'statement' && /^(statement)|(tlp)$/.test(dt) && !isTlp1(o))
      issue(
        ctx,
        ['definition_type'],
        'TLP 1.0 markings are predefined: only their official objects, unchanged',
      );
  });

/** The four TLP 1.0 marking definitions (STIX 2.1 §7.2.1.4), exactly as the specification gives them. */
const TLP1: Record<string, string> = {
  'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9': 'white',
  'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da': 'green',
  'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82': 'amber',
  'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed': 'red',
};
function isTlp1(o: Obj): boolean {
  const colour = TLP1[o.id as string];
  const def = o.definition as Obj | undefined;
  return (
    colour !== undefined &&
    o.spec_version === '2.1' &&
    o.created === '2017-01-20T00:00:00.000Z' &&
    o.name === `TLP:${colour.toUpperCase()}` &&
    o.definition_type === 'tlp' &&
    def?.tlp === colour &&
    Object.keys(def).length === 1 &&
    Object.keys(o).every((k) =>
      ['type', 'id', 'spec_version', 'created', 'name', 'definition', 'definition_type'].includes(k),
    )
  );
}

/** Any other type (a custom object): the SDO common properties, or the cyber-observable ones. */
export const StixCustomObject = z
  .looseObject({
    type: z
      .string()
      .min(3)
      .max(250)
      .regex(TYPE_NAME, { message: 'not a STIX type name' })
      .refine((t) => t !== 'action', { message: 'reserved type name' }),
    id: StixId,
  })
  .superRefine((o, ctx) => {
    const core = z.looseObject(o.created !== undefined || o.modified !== undefined ? sdoCore : scoCore);
    const r = core.safeParse(o);
    if (!r.success) for (const i of r.error.issues) issue(ctx, i.path as (string | number)[], i.message);
    commonRules(o, ctx);
  });

export const STIX_OBJECT_TYPES: Record<string, z.ZodType> = {
  ...STIX_SDO_TYPES,
  ...STIX_SCO_TYPES,
  'marking-definition': StixMarkingDefinitionStrict,
};
