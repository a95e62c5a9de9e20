import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import {
  appendHubAudit,
  insertOwnedHubObjects,
  insertSighting,
  memberNames,
  visiblePublishersOf,
  saveStatus,
  type HubDatabase,
  type HubMember,
} from '../store/index.js';
import { StixObject, StixTimestamp, type BundleSignature, type TaxiiStatus } from '../contracts/index.js';
import { z } from 'zod';
import {
  canonicalJson,
  commercialFieldsIn,
  identityIdFor,
  isGroupRestricted,
  parseSignatureHeader,
  readDgExtension,
  stixObjectProblems,
  tlpOf,
  verifyObjects,
} from '../intel/index.js';
import { RESTRICTED_TLPS, type CollectionAccess } from './access.js';
import { normalizeVersion } from './object-filters.js';
import { referenceCheck } from './reference-objects.js';

export type PublishOutcome =
  | { ok: true; status: TaxiiStatus }
  | {
      ok: false;
      http: number;
      title: string;
      description: string;
      code: string;
      details?: Record<string, unknown>;
    };

type Refusal = Extract<PublishOutcome, { ok: false }>;
const isRefusal = (x: object): x is Refusal => 'ok' in x && x.ok === false;

const refuse = (
  http: number,
  code: string,
  title: string,
  description: string,
  details?: Record<string, unknown>,
): Refusal => ({ ok: false, http, code, title, description, ...(details ? { details } : {}) });

/** Objects one POST may carry (the body-size limit bounds bytes; this bounds the work per object). */
export const DEFAULT_MAX_OBJECTS = 10_000;
/** At most this many failures carry the object's own problems; the rest say only that it is invalid. */
const DETAILED_FAILURES = 100;
/** Longest id a failure echoes: a STIX id is far shorter, anything longer is refused with the envelope. */
const MAX_ID_CHARS = 256;

/** The envelope's shape: a non-empty list of JSON objects, each with an id the status can name. */
const RawEnvelope = z.looseObject({
  objects: z
    .array(z.looseObject({ id: z.string().min(1).max(MAX_ID_CHARS) }), {
      message: 'a list of JSON objects, each with an id (a string of at most 256 characters)',
    })
    .min(1, { message: 'at least one object is required' }),
});

type RawObject = Record<string, unknown> & { id: string };

function envelopeObjects(body: unknown, maxObjects: number): RawObject[] | Refusal {
  const env = RawEnvelope.safeParse(body);
  if (!env.success) {
    const issues = env.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`);
    return refuse(
      400,
      'MALFORMED_ENVELOPE',
      'Malformed envelope',
      `The body is not a TAXII 2.1 envelope of STIX objects: ${issues.join('; ')}.`,
    );
  }
  if (env.data.objects.length > maxObjects)
    return refuse(
      413,
      'TOO_MANY_OBJECTS',
      'Too many objects',
      `An envelope may carry at most ${maxObjects} objects; this one has ${env.data.objects.length}. Send them in several POSTs.`,
    );
  return env.data.objects;
}

/**
 * Each object checked on its own (STIX 2.1 from the project's zod schemas, spec_version 2.1):
 * the valid ones go on, every invalid one becomes a failure with what is wrong.
 */
function validateObjects(objects: RawObject[]): { valid: StixObject[]; invalid: Map<RawObject, string> } {
  const valid: StixObject[] = [];
  const invalid = new Map<RawObject, string>();
  for (const o of objects) {
    const problems =
      o.spec_version === '2.1'
        ? stixObjectProblems(o)
        : ['spec_version: only STIX 2.1 objects are accepted (spec_version "2.1")'];
    const loose = problems.length ? undefined : StixObject.safeParse(o);
    if (loose?.success) valid.push(loose.data);
    else
      invalid.set(
        o,
        invalid.size < DETAILED_FAILURES
          ? `Not valid STIX 2.1, not stored: ${(problems.length ? problems : ['(object): not a STIX object']).join('; ')}`
          : `Not valid STIX 2.1, not stored (the problems are listed for the first ${DETAILED_FAILURES} invalid objects only).`,
      );
  }
  return { valid, invalid };
}

/** The member's registered key signed exactly these objects (as sent, before any parsing). */
function signatureOf(
  member: HubMember,
  rawObjects: unknown[],
  signatureHeader: string | undefined,
): BundleSignature | Refusal {
  const sig: BundleSignature | undefined = parseSignatureHeader(signatureHeader);
  if (!sig)
    return refuse(
      403,
      'SIGNATURE_REQUIRED',
      'Signature required',
      'Sign the objects with your registered ed25519 key and send X-DistillGuard-Signature.',
    );
  if (sig.member !== member.name || !member.signing_public_key || sig.key_id !== member.signing_key_id)
    return refuse(
      403,
      'BAD_SIGNATURE',
      'Signature key not registered',
      `The signature names ${sig.member}/${sig.key_id}, which is not the key registered for ${member.name}.`,
    );
  if (!verifyObjects(rawObjects, sig, Buffer.from(member.signing_public_key, 'hex')))
    return refuse(
      403,
      'BAD_SIGNATURE',
      'Bad signature',
      'The signature does not verify against your registered key: the objects were altered or signed with another key.',
    );
  return sig;
}

/** Sharing rules over the whole envelope: no commercial fields, no TLP leak outside the group. */
function policyRefusal(objects: StixObject[], access: CollectionAccess): Refusal | undefined {
  const commercial = commercialFieldsIn(objects);
  if (commercial.length)
    return refuse(
      422,
      'POLICY_REFUSED',
      'Commercial fields refused',
      'The hub carries defence data only; prices, customers, contracts and plans may not be shared (antitrust).',
      { fields: commercial.slice(0, 20) },
    );
  const outsiders = access.readerGroups.filter((g) => !access.memberGroups.includes(g));
  const restricted = objects.filter((o) => isGroupRestricted(tlpOf(o.object_marking_refs)));
  if (restricted.length && outsiders.length)
    return refuse(
      422,
      'TLP_LEAK',
      'TLP would leak',
      `TLP:RED and TLP:AMBER+STRICT objects cannot go to this collection: groups outside yours can read it (${outsiders.join(', ')}).`,
      { objects: restricted.slice(0, 20).map((o) => o.id) },
    );
  return undefined;
}

/**
 * Ownership: an id belongs to the member that first published it (in any collection); an object
 * naming another identity as its creator is not this member's to publish either. Returns the
 * refused ids (with why) and the shared reference objects found intact.
 */
async function ownershipChecks(
  db: Kysely<HubDatabase>,
  member: HubMember,
  objects: StixObject[],
): Promise<{ refused: Map<string, string>; common: Set<string> }> {
  const ownIdentity = identityIdFor(member.name);
  const otherIdentities = objects.some((o) => o.type === 'identity')
    ? new Set((await memberNames(db)).filter((n) => n !== member.name).map(identityIdFor))
    : new Set<string>();
  const refused = new Map<string, string>();
  const common = new Set<string>();
  for (const o of objects) {
    const reference = referenceCheck(o);
    if (reference === 'reference') common.add(o.id);
    else if (reference === 'altered-reference')
      refused.set(
        o.id,
        'This id is a shared reference object (TLP marking or ATLAS technique); it is accepted only exactly as defined.',
      );
    else if (typeof o.created_by_ref === 'string' && o.created_by_ref !== ownIdentity)
      refused.set(o.id, `created_by_ref ${o.created_by_ref} is not your identity (${ownIdentity}).`);
    else if (otherIdentities.has(o.id)) refused.set(o.id, 'This is another member’s identity.');
  }
  return { refused, common };
}

const versionKey = (o: StixObject): string =>
  `${o.id}@${normalizeVersion(o.modified ?? o.created ?? '1970-01-01T00:00:00.000Z')}`;

/**
 * One object per id and version: a second copy with other content is ambiguous (which one is
 * meant?) and would be silently dropped by storage, so every copy of that version is refused.
 */
function conflictingVersions(objects: StixObject[]): Map<string, string> {
  const refusedVersions = new Map<string, string>();
  const firstCopy = new Map<string, string>();
  for (const o of objects) {
    const k = versionKey(o);
    const body = canonicalJson(o);
    const seen = firstCopy.get(k);
    if (seen === undefined) firstCopy.set(k, body);
    else if (seen !== body)
      refusedVersions.set(
        k,
        'The envelope carries this id and version more than once with different content; send one object per id and version (a change needs a newer modified).',
      );
  }
  return refusedVersions;
}

interface ForeignSighting {
  o: StixObject;
  of: string;
  anonymous: boolean;
}

/** Splits accepted objects into those to store and sightings of other members' objects (counted). */
async function separateSightings(
  db: Kysely<HubDatabase>,
  member: HubMember,
  collectionId: string,
  access: CollectionAccess,
  accepted: StixObject[],
): Promise<{ toStore: StixObject[]; sightings: ForeignSighting[] }> {
  const toStore: StixObject[] = [];
  const sightings: ForeignSighting[] = [];
  for (const o of accepted) {
    if (o.type === 'sighting' && typeof o.sighting_of_ref === 'string') {
      // Only objects the sighter may read here count as another member's: a sighting of anything
      // else is stored as the sighter's own object, as for an id the hub has never seen, so
      // sightings cannot probe for objects outside the sighter's view.
      const publishers = await visiblePublishersOf(db, o.sighting_of_ref, collectionId, {
        readerGroups: access.memberGroups,
        restrictedTlps: RESTRICTED_TLPS,
      });
      if (publishers.length && !publishers.some((p) => p.publisher === member.name)) {
        const ext = readDgExtension(o);
        const anonymous =
          ext?.anonymous === true ||
          (!o.created_by_ref && !(o.where_sighted_refs as unknown[] | undefined)?.length);
        sightings.push({ o, of: o.sighting_of_ref, anonymous });
        continue;
      }
    }
    toStore.push(o);
  }
  return { toStore, sightings };
}

/**
 * Stores the member's objects, claiming new ids; ids another member owns and versions stored
 * with other content are added to the refusals. Returns what was newly added.
 */
async function storeOwned(
  db: Kysely<HubDatabase>,
  member: HubMember,
  collectionId: string,
  access: CollectionAccess,
  toStore: StixObject[],
  checks: { refused: Map<string, string>; refusedVersions: Map<string, string>; common: Set<string> },
  storedVersion: (o: StixObject) => string,
): Promise<{ object_id: string; version: string }[]> {
  const group = access.writeGroups[0]!;
  const stored = await insertOwnedHubObjects(
    db,
    toStore.map((o) => ({
      collection_id: collectionId,
      object_id: o.id,
      object_type: o.type,
      version: storedVersion(o),
      spec_version: '2.1',
      publisher: member.name,
      group_name: group,
      tlp: tlpOf(o.object_marking_refs) ?? null,
      body: JSON.stringify(o),
    })),
    { claimOwnership: true, common: checks.common },
  );
  for (const id of stored.notOwned)
    checks.refused.set(
      id,
      'This id was first published by another member; only that member may add versions of it.',
    );
  for (const d of stored.differing) {
    const mine = toStore.find(
      (o) => o.id === d.object_id && normalizeVersion(o.modified ?? o.created ?? '') === d.version,
    );
    if (mine && canonicalJson(JSON.parse(d.body)) !== canonicalJson(mine))
      checks.refusedVersions.set(
        versionKey(mine),
        'This version is already stored with other content; publish a change with a newer modified.',
      );
  }
  return stored.added;
}

const isTimestamp = (v: unknown): v is string => StixTimestamp.safeParse(v).success;

/**
 * The TAXII 2.1 status resource (§4.3.1) of one publish, in the order the objects came: each a
 * success or a failure, with `id`, `version` (`modified`, else `created`, else the request time)
 * and a message. A success is `added` only for the (id, version) this POST stored: success
 * messages `added` count exactly the rows stored; `already present` ones were stored before (or
 * earlier in this envelope); `sighting recorded` ones were counted as another member's sighting.
 */
function publishStatus(
  requestTimestamp: string,
  objects: RawObject[],
  outcome: (o: RawObject) => { ok: boolean; message: string },
): TaxiiStatus {
  const version = (o: RawObject): string =>
    isTimestamp(o.modified) ? o.modified : isTimestamp(o.created) ? o.created : requestTimestamp;
  const successes: { id: string; version: string; message: string }[] = [];
  const failures: { id: string; version: string; message: string }[] = [];
  for (const o of objects) {
    const r = outcome(o);
    (r.ok ? successes : failures).push({ id: o.id, version: version(o), message: r.message });
  }
  return {
    id: randomUUID(),
    status: 'complete',
    request_timestamp: requestTimestamp,
    total_count: objects.length,
    success_count: successes.length,
    ...(successes.length ? { successes } : {}),
    failure_count: failures.length,
    ...(failures.length ? { failures } : {}),
    pending_count: 0,
  };
}

/**
 * Checks a POSTed envelope completely before storing anything: shape, the member's signature,
 * commercial fields, and TLP (RED / AMBER+STRICT may only go where every reader shares the
 * publisher's group). Then each object on its own: invalid STIX 2.1 is a failure in the status
 * and never stored. Sightings of other members' objects are recorded for counting, not served.
 * Objects another member owns are refused one by one (failures in the status), or with a 403
 * when every object in the envelope is another member's.
 */
export async function publishEnvelope(
  db: Kysely<HubDatabase>,
  member: HubMember,
  collectionId: string,
  access: CollectionAccess,
  body: unknown,
  signatureHeader: string | undefined,
  maxObjects = DEFAULT_MAX_OBJECTS,
): Promise<PublishOutcome> {
  const requestTimestamp = new Date().toISOString();
  const raw = envelopeObjects(body, maxObjects);
  if (isRefusal(raw)) return raw;
  const sig = signatureOf(member, raw, signatureHeader);
  if (isRefusal(sig)) return sig;
  const { valid: objects, invalid } = validateObjects(raw);
  const policy = policyRefusal(objects, access);
  if (policy) return policy;

  const { refused, common } = await ownershipChecks(db, member, objects);
  const refusedVersions = conflictingVersions(objects);
  const isRefused = (o: StixObject): boolean => refused.has(o.id) || refusedVersions.has(versionKey(o));
  const { toStore, sightings } = await separateSightings(
    db,
    member,
    collectionId,
    access,
    objects.filter((o) => !isRefused(o)),
  );
  // Objects without modified or created (cyber-observables) are stored under the request time.
  const storedVersion = (o: StixObject): string =>
    normalizeVersion(o.modified ?? o.created ?? requestTimestamp);
  const added = await storeOwned(
    db,
    member,
    collectionId,
    access,
    toStore,
    { refused, refusedVersions, common },
    storedVersion,
  );
  if (objects.length && !invalid.size && objects.every((o) => refused.has(o.id))) return notOwner(refused);
  const sighted = new Set(sightings.map((s) => s.o));
  const newlyStored = new Set(added.map((a) => `${a.object_id}@${a.version}`));
  for (const s of sightings) await recordSighting(db, member, collectionId, s);
  const status = envelopeStatus(requestTimestamp, raw, objects, invalid, (o) => {
    if (isRefused(o)) return { ok: false, message: refused.get(o.id) ?? refusedVersions.get(versionKey(o))! };
    if (sighted.has(o)) return { ok: true, message: 'sighting recorded' };
    // The first copy of a version this POST stored is the one `added`; copies after it were present.
    if (newlyStored.delete(`${o.id}@${storedVersion(o)}`)) return { ok: true, message: 'added' };
    return { ok: true, message: 'already present' };
  });
  await saveStatus(db, status.id, member.name, status);
  await appendHubAudit(db, {
    actor: member.name,
    action: 'publish',
    detail: {
      collection: collectionId,
      objects: raw.length,
      stored: added.length,
      sightings: sightings.length,
      refused: status.failure_count,
      invalid: invalid.size,
      status: status.id,
      key_id: sig.key_id,
    },
  });
  return { ok: true, status };
}

/** The 403 for an envelope in which every object is another member's. */
function notOwner(refused: Map<string, string>): Refusal {
  return refuse(
    403,
    'NOT_OWNER',
    'Not your objects',
    'Nothing in the envelope is yours to publish: each id was first published by another member, names another identity as its creator, or alters a shared reference object. Only the original publisher may add versions.',
    {
      objects: [...refused.keys()].slice(0, 20),
      failures: [...refused].slice(0, 20).map(([id, message]) => ({ id, message })),
    },
  );
}

/** Records a sighting of another member's object, for counting (never served). */
async function recordSighting(
  db: Kysely<HubDatabase>,
  member: HubMember,
  collectionId: string,
  s: ForeignSighting,
): Promise<void> {
  await insertSighting(db, {
    collection_id: collectionId,
    sighting_id: s.o.id,
    sighting_of_ref: s.of,
    sighter: member.name,
    anonymous: s.anonymous,
    count: typeof s.o.count === 'number' ? s.o.count : 1,
  });
}

/** The envelope's status: invalid objects fail with their problems, valid ones as `outcome` says. */
function envelopeStatus(
  requestTimestamp: string,
  raw: RawObject[],
  objects: StixObject[],
  invalid: Map<RawObject, string>,
  outcome: (o: StixObject) => { ok: boolean; message: string },
): TaxiiStatus {
  // Valid objects by the raw object they came from (zod's loose parse copies them).
  const parsedOf = new Map<RawObject, StixObject>();
  let i = 0;
  for (const o of raw) if (!invalid.has(o)) parsedOf.set(o, objects[i++]!);
  return publishStatus(requestTimestamp, raw, (r) => {
    const bad = invalid.get(r);
    if (bad !== undefined) return { ok: false, message: bad };
    return outcome(parsedOf.get(r)!);
  });
}
