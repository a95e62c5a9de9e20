import { z } from 'zod';
import { StixId, StixObject } from './stix.js';

/** The media types of TAXII 2.1 answers and of the STIX 2.1 objects collections hold. */
export const TAXII_MEDIA = 'application/taxii+json;version=2.1';
export const STIX_MEDIA = 'application/stix+json;version=2.1';

/*
 * TAXII 2.1 resources as they cross the network: the hub writes them, the client validates every
 * answer against them (a hub is another organisation's server and is not trusted).
 */

/** TAXII 2.1 envelope (the body of objects GET and POST). */
export const TaxiiEnvelope = z.looseObject({
  more: z.boolean().optional(),
  next: z.string().optional(),
  objects: z.array(StixObject).optional(),
});
export type TaxiiEnvelope = z.infer<typeof TaxiiEnvelope>;

/** TAXII 2.1 error message resource. */
export const TaxiiError = z.looseObject({
  title: z.string(),
  description: z.string().optional(),
  error_id: z.string().optional(),
  error_code: z.string().optional(),
  http_status: z.string().optional(),
  external_details: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type TaxiiError = z.infer<typeof TaxiiError>;

export const TaxiiStatus = z.looseObject({
  id: z.string(),
  status: z.enum(['pending', 'complete']),
  request_timestamp: z.string().optional(),
  total_count: z.int(),
  success_count: z.int(),
  failure_count: z.int(),
  pending_count: z.int(),
  successes: z.array(z.looseObject({ id: z.string(), version: z.string().optional() })).optional(),
  failures: z
    .array(z.looseObject({ id: z.string(), version: z.string().optional(), message: z.string().optional() }))
    .optional(),
});
export type TaxiiStatus = z.infer<typeof TaxiiStatus>;

export const TaxiiCollection = z.looseObject({
  id: z.string(),
  title: z.string(),
  description: z.string().optional(),
  can_read: z.boolean(),
  can_write: z.boolean(),
  media_types: z.array(z.string()).optional(),
});
export type TaxiiCollection = z.infer<typeof TaxiiCollection>;

/** The collections resource: no `collections` property when the member sees none. */
export const TaxiiCollections = z.looseObject({ collections: z.array(TaxiiCollection).optional() });
export type TaxiiCollections = z.infer<typeof TaxiiCollections>;

/** DistillGuard hub extension: distinct members that sighted each object of a collection. */
export const HubSighterCounts = z.looseObject({
  counts: z.array(z.looseObject({ sighting_of_ref: StixId, members: z.int().min(0) })),
});
export type HubSighterCounts = z.infer<typeof HubSighterCounts>;

/** DistillGuard hub extension: sightings of what the asking member published. */
export const HubSighting = z.object({
  sighting_of_ref: StixId,
  members: z.int().min(0),
  sightings: z.int().min(0),
  count: z.int().min(0),
  disclosed_by: z.array(z.string()).optional(),
});
export type HubSighting = z.infer<typeof HubSighting>;
export const HubSightings = z.looseObject({ sightings: z.array(HubSighting) });
export type HubSightings = z.infer<typeof HubSightings>;
