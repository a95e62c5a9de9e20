import type { StixObject } from '../../contracts/index.js';
import type { ClusterEvidence } from '../match/cluster-evidence.js';
import { randomId, stableId, stixNow } from './ids.js';
import type { Stamp } from './stamp.js';

/** A `uses` or `indicates` SRO; its id follows from its ends, so repeats are one object. */
export function relationship(
  source: string,
  type: 'uses' | 'indicates',
  target: string,
  { ts, marked }: Stamp,
): StixObject {
  return {
    type: 'relationship',
    spec_version: '2.1',
    id: stableId('relationship', source, type, target),
    created: ts,
    modified: ts,
    ...marked,
    relationship_type: type,
    source_ref: source,
    target_ref: target,
  };
}

/** The publisher's own sighting of its campaign: how many requests, when. */
export function ownSighting(
  campaignId: string,
  identityId: string,
  events: number,
  seen: Pick<ClusterEvidence, 'firstSeen' | 'lastSeen'> | undefined,
  { ts, marked }: Stamp,
): StixObject {
  return {
    type: 'sighting',
    spec_version: '2.1',
    id: randomId('sighting'),
    created: ts,
    modified: ts,
    ...marked,
    sighting_of_ref: campaignId,
    where_sighted_refs: [identityId],
    count: Math.min(events, 999_999_999),
    ...(seen?.firstSeen ? { first_seen: stixNow(new Date(seen.firstSeen)) } : {}),
    ...(seen?.lastSeen ? { last_seen: stixNow(new Date(seen.lastSeen)) } : {}),
  };
}
