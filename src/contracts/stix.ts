import { z } from 'zod';

/**
 * STIX 2.1 objects as they cross boundaries (files, TAXII bodies). Loose on purpose: foreign
 * bundles carry properties and object types we do not know, and those must be kept, not dropped.
 * The OASIS JSON schemas (shared/stix2-json-schemas) stay the full oracle; these check the
 * parts DistillGuard relies on.
 */

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}';
const STIX_ID = new RegExp(`^[a-z][a-z0-9-]+[a-z0-9]--${UUID}$`);
const STIX_TS = /^\d{4}-(0[1-9]|1[012])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?Z$/;

export const StixId = z.string().regex(STIX_ID, { message: 'not a STIX identifier (type--UUID)' });
export type StixId = z.infer<typeof StixId>;
export const StixTimestamp = z.string().regex(STIX_TS, {
  message: 'not a STIX timestamp (RFC 3339 in UTC with Z, e.g. 2026-11-22T10:00:00.000Z)',
});

export const ExternalReference = z.looseObject({
  source_name: z.string(),
  description: z.string().optional(),
  url: z.string().optional(),
  external_id: z.string().optional(),
});
export type ExternalReference = z.infer<typeof ExternalReference>;

/** Any STIX object: only what every object has. Unknown types and properties are kept. */
export const StixObject = z
  .looseObject({
    type: z.string().regex(/^[a-z][a-z0-9-]+[a-z0-9]$/, { message: 'not a STIX type name' }),
    id: StixId,
    spec_version: z.string().optional(),
    created: StixTimestamp.optional(),
    modified: StixTimestamp.optional(),
    created_by_ref: StixId.optional(),
    object_marking_refs: z.array(StixId).optional(),
    confidence: z.int().min(0).max(100).optional(),
    extensions: z.record(z.string(), z.looseObject({})).optional(),
  })
  .refine((o) => o.id.startsWith(`${o.type}--`), { message: 'id must start with the object type' });
export type StixObject = z.infer<typeof StixObject>;

export const StixBundle = z.looseObject({
  type: z.literal('bundle'),
  id: StixId.refine((s) => s.startsWith('bundle--'), { message: 'bundle id must start with bundle--' }),
  objects: z.array(StixObject).optional(),
});
export type StixBundle = z.infer<typeof StixBundle>;

/** The properties STIX 2.1 requires of every SDO and SRO (§3.2), as written in version 2.1. */
const stixCore = {
  id: StixId,
  spec_version: z.literal('2.1'),
  created: StixTimestamp,
  modified: StixTimestamp,
};

export const StixIndicator = z.looseObject({
  type: z.literal('indicator'),
  ...stixCore,
  pattern: z.string().min(1),
  pattern_type: z.string(),
  valid_from: StixTimestamp,
  valid_until: StixTimestamp.optional(),
  confidence: z.int().min(0).max(100).optional(),
  created_by_ref: StixId.optional(),
  object_marking_refs: z.array(StixId).optional(),
  extensions: z.record(z.string(), z.looseObject({})).optional(),
});
export type StixIndicator = z.infer<typeof StixIndicator>;

export const StixSighting = z.looseObject({
  type: z.literal('sighting'),
  ...stixCore,
  sighting_of_ref: StixId,
  observed_data_refs: z.array(StixId).optional(),
  where_sighted_refs: z.array(StixId).optional(),
  first_seen: StixTimestamp.optional(),
  last_seen: StixTimestamp.optional(),
  count: z.int().min(0).max(999_999_999).optional(),
  created_by_ref: StixId.optional(),
});
export type StixSighting = z.infer<typeof StixSighting>;

/** Common properties of the SDOs and SROs DistillGuard writes (STIX 2.1 §3.2: all required). */
const sdoCommon = {
  ...stixCore,
  created_by_ref: StixId.optional(),
  object_marking_refs: z.array(StixId).min(1).optional(),
  confidence: z.int().min(0).max(100).optional(),
  extensions: z.record(z.string(), z.looseObject({})).optional(),
};

export const StixIdentity = z.looseObject({
  ...sdoCommon,
  type: z.literal('identity'),
  name: z.string().min(1),
});
export const StixCampaign = z.looseObject({
  ...sdoCommon,
  type: z.literal('campaign'),
  name: z.string().min(1),
  first_seen: StixTimestamp.optional(),
  last_seen: StixTimestamp.optional(),
});
export const StixAttackPattern = z.looseObject({
  ...sdoCommon,
  type: z.literal('attack-pattern'),
  name: z.string().min(1),
  external_references: z.array(ExternalReference).min(1).optional(),
});
export const StixRelationship = z.looseObject({
  ...sdoCommon,
  type: z.literal('relationship'),
  relationship_type: z.string().min(1),
  source_ref: StixId,
  target_ref: StixId,
});
/** Marking definitions have no `modified` (STIX 2.1 §7.2.1). */
export const StixMarkingDefinition = z.looseObject({
  type: z.literal('marking-definition'),
  id: StixId,
  spec_version: z.literal('2.1'),
  created: StixTimestamp,
  created_by_ref: StixId.optional(),
  name: z.string().optional(),
  definition_type: z.string().optional(),
  extensions: z.record(z.string(), z.looseObject({})).optional(),
});

/** A detached ed25519 signature over the canonical JSON of a bundle's `objects`. */
export const BundleSignature = z.object({
  alg: z.literal('ed25519'),
  member: z.string().min(1).max(200),
  key_id: z.string().min(1).max(200),
  signed: z.literal('objects'),
  value: z.string().regex(/^[A-Za-z0-9+/]+=*$/, { message: 'signature value must be base64' }),
});
export type BundleSignature = z.infer<typeof BundleSignature>;
