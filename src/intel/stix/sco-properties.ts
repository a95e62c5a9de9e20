/*
 * The STIX 2.1 cyber-observable (SCO) types and their top-level properties, which the first
 * step of a pattern's object path must name (STIX 2.1 §9.3). Derived from the OASIS JSON
 * schemas (schemas/observables/*.json and common/cyber-observable-core.json); the installed
 * package carries this table, not the schemas, and sco-properties.test.ts keeps it in step
 * with them.
 */

/** Properties every SCO has (common/cyber-observable-core.json). */
const COMMON = 'type id spec_version object_marking_refs granular_markings defanged extensions';

/** Each SCO type's own top-level properties, space-separated. */
const OWN: Record<string, string> = {
  artifact: 'mime_type payload_bin url hashes encryption_algorithm decryption_key',
  'autonomous-system': 'number name rir',
  directory: 'path path_enc ctime mtime atime contains_refs',
  'domain-name': 'value resolves_to_refs',
  'email-addr': 'value display_name belongs_to_ref',
  'email-message':
    'date content_type from_ref sender_ref to_refs cc_refs bcc_refs message_id subject received_lines additional_header_fields raw_email_ref is_multipart body body_multipart',
  file: 'hashes size name name_enc magic_number_hex mime_type ctime mtime atime parent_directory_ref contains_refs content_ref',
  'ipv4-addr': 'value resolves_to_refs belongs_to_refs',
  'ipv6-addr': 'value resolves_to_refs belongs_to_refs',
  'mac-addr': 'value',
  mutex: 'name',
  'network-traffic':
    'start end src_ref dst_ref src_port dst_port protocols src_byte_count dst_byte_count src_packets dst_packets ipfix src_payload_ref dst_payload_ref encapsulates_refs encapsulated_by_ref is_active',
  process:
    'is_hidden pid created_time cwd command_line environment_variables opened_connection_refs creator_user_ref image_ref parent_ref child_refs',
  software: 'name cpe swid languages vendor version',
  url: 'value',
  'user-account':
    'user_id credential account_login account_type display_name is_service_account is_privileged can_escalate_privs is_disabled account_created account_expires credential_last_changed account_first_login account_last_login',
  'windows-registry-key': 'key values modified_time creator_user_ref number_of_subkeys',
  'x509-certificate':
    'is_self_signed hashes version serial_number signature_algorithm issuer validity_not_before validity_not_after subject subject_public_key_algorithm subject_public_key_modulus subject_public_key_exponent x509_v3_extensions',
};

/** Known SCO type → its top-level properties (own and common). */
export const STIX_SCO_PROPERTIES: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  Object.entries(OWN).map(([type, own]) => [type, new Set(`${COMMON} ${own}`.split(' '))]),
);

/**
 * STIX 2.1 types that are not cyber-observables (domain and relationship objects, and the
 * meta objects): a pattern that names one is a mistake worth naming.
 */
export const STIX_NON_SCO_TYPES: ReadonlySet<string> = new Set(
  (
    'attack-pattern campaign course-of-action grouping identity incident indicator infrastructure ' +
    'intrusion-set location malware-analysis malware note observed-data opinion report threat-actor ' +
    'tool vulnerability relationship sighting marking-definition language-content extension-definition bundle'
  ).split(' '),
);
