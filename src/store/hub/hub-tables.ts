import type { Generated } from 'kysely';

/** Hub tables. Times are epoch ms plus ISO text where TAXII shows them; JSON bodies as text. */
export interface HubMembersTable {
  name: string;
  /** scrypt$<salt hex>$<hash hex>, for HTTP Basic. */
  password_hash: string | null;
  /** sha256 hex of the API key. */
  api_key_hash: string | null;
  signing_key_id: string | null;
  /** ed25519 public key, hex. */
  signing_public_key: string | null;
  /** 1 when the member lets publishers see its name on sightings. */
  disclose_sightings: number;
  created_at: number;
}

export interface HubGroupsTable {
  name: string;
  /** 1 when members of the group may list each other. */
  members_visible: number;
  created_at: number;
}

export interface HubGroupMembersTable {
  group_name: string;
  member_name: string;
}

export interface HubCollectionsTable {
  id: string;
  title: string;
  description: string | null;
  created_at: number;
}

export interface HubCollectionGrantsTable {
  collection_id: string;
  group_name: string;
  can_read: number;
  can_write: number;
}

export interface HubObjectsTable {
  seq: Generated<number>;
  collection_id: string;
  object_id: string;
  object_type: string;
  /** Normalised ISO (ms, Z) of `modified`, else `created`, else date_added. */
  version: string;
  spec_version: string;
  date_added: string;
  date_added_ms: number;
  publisher: string;
  /** The group the publisher wrote through; TLP:RED / AMBER+STRICT stay inside it. */
  group_name: string;
  tlp: string | null;
  body: string;
}

/** The member that first published an object id; only it may add versions, in any collection. */
export interface HubObjectOwnersTable {
  object_id: string;
  owner: string;
  /** Where it was first published. */
  collection_id: string;
  created_at: number;
}
export interface HubStatusTable {
  id: string;
  member: string;
  body: string;
  created_at: number;
}

export interface HubSightingsTable {
  seq: Generated<number>;
  collection_id: string;
  sighting_id: string;
  sighting_of_ref: string;
  sighter: string;
  anonymous: number;
  count: number;
  created_at: number;
}

export interface HubAuditTable {
  seq: Generated<number>;
  at: string;
  actor: string;
  action: string;
  detail: string;
  prev_hash: string;
  hash: string;
}

export interface HubDatabase {
  hub_members: HubMembersTable;
  hub_groups: HubGroupsTable;
  hub_group_members: HubGroupMembersTable;
  hub_collections: HubCollectionsTable;
  hub_collection_grants: HubCollectionGrantsTable;
  hub_objects: HubObjectsTable;
  hub_object_owners: HubObjectOwnersTable;
  hub_status: HubStatusTable;
  hub_sightings: HubSightingsTable;
  hub_audit: HubAuditTable;
}
