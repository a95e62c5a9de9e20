/*
 * The STIX 2.1 cyber-observable (SCO) types and the shape of every property a pattern's object
 * path can name (STIX 2.1 §9.3): which properties an object has, which are lists, dictionaries
 * (any key), embedded objects, references to other observables, and the predefined extensions
 * with their own properties. Derived from the OASIS JSON schemas (schemas/observables/*.json and
 * common/*.json); the installed package carries this table, not the schemas, and
 * sco-properties.test.ts walks the schemas and checks the table agrees. What a reference points
 * to is in the spec's text, not the schemas (they say "string"); it is from STIX 2.1 §6.
 */

export type ScoShape =
  /** A string, number, boolean, timestamp, hex or binary: the path ends here. */
  | { readonly kind: 'value' }
  /** Content STIX leaves open (a custom property or extension, a free dictionary value): any further steps. */
  | { readonly kind: 'any' }
  /** A reference: the next step is a property of the object it points to; `*` is any observable, none is not an observable (a marking definition). */
  | { readonly kind: 'ref'; readonly to: readonly string[] }
  | { readonly kind: 'list'; readonly of: ScoShape }
  /** A dictionary: any key (STIX key syntax), each value of this shape. */
  | { readonly kind: 'dict'; readonly of: ScoShape }
  /** An embedded object with these properties (custom ones start with x_). */
  | { readonly kind: 'object'; readonly props: Readonly<Record<string, ScoShape>> }
  /** An `extensions` dictionary: these predefined extensions (custom ones start with x- or are extension-definition--<UUID>). */
  | { readonly kind: 'extensions'; readonly props: Readonly<Record<string, ScoShape>> };

const V: ScoShape = { kind: 'value' };
const ANY: ScoShape = { kind: 'any' };
const ref = (...to: string[]): ScoShape => ({ kind: 'ref', to });
const list = (of: ScoShape): ScoShape => ({ kind: 'list', of });
const dict = (of: ScoShape): ScoShape => ({ kind: 'dict', of });
const object = (props: Record<string, ScoShape>): ScoShape => ({ kind: 'object', props });
const extensions = (props: Record<string, ScoShape>): ScoShape => ({ kind: 'extensions', props });

/** Properties every SCO has (common/cyber-observable-core.json); marking refs point to marking definitions. */
const COMMON: Record<string, ScoShape> = {
  type: V,
  id: V,
  spec_version: V,
  object_marking_refs: list(ref()),
  granular_markings: list(object({ selectors: list(V), lang: V, marking_ref: ref() })),
  defanged: V,
  extensions: extensions({}),
};
const sco = (own: Record<string, ScoShape>): ScoShape => object({ ...COMMON, ...own });

/** Each SCO type as an object of its properties (common and own). */
export const STIX_SCO_SHAPES: ReadonlyMap<string, Extract<ScoShape, { kind: 'object' }>> = new Map(
  Object.entries({
    artifact: sco({
      mime_type: V,
      payload_bin: V,
      url: V,
      hashes: dict(V),
      encryption_algorithm: V,
      decryption_key: V,
    }),
    'autonomous-system': sco({ number: V, name: V, rir: V }),
    directory: sco({
      path: V,
      path_enc: V,
      ctime: V,
      mtime: V,
      atime: V,
      contains_refs: list(ref('file', 'directory')),
    }),
    'domain-name': sco({ value: V, resolves_to_refs: list(ref('ipv4-addr', 'ipv6-addr', 'domain-name')) }),
    'email-addr': sco({ value: V, display_name: V, belongs_to_ref: ref('user-account') }),
    'email-message': sco({
      date: V,
      content_type: V,
      from_ref: ref('email-addr'),
      sender_ref: ref('email-addr'),
      to_refs: list(ref('email-addr')),
      cc_refs: list(ref('email-addr')),
      bcc_refs: list(ref('email-addr')),
      message_id: V,
      subject: V,
      received_lines: list(V),
      additional_header_fields: dict(ANY),
      raw_email_ref: ref('artifact'),
      is_multipart: V,
      body: V,
      body_multipart: list(
        object({ body: V, body_raw_ref: ref('artifact', 'file'), content_type: V, content_disposition: V }),
      ),
    }),
    file: sco({
      extensions: extensions({
        'ntfs-ext': object({
          sid: V,
          alternate_data_streams: list(object({ name: V, hashes: dict(V), size: V })),
        }),
        'raster-image-ext': object({
          image_height: V,
          image_width: V,
          bits_per_pixel: V,
          exif_tags: dict(V),
        }),
        'pdf-ext': object({ version: V, is_optimized: V, document_info_dict: dict(V), pdfid0: V, pdfid1: V }),
        'archive-ext': object({ contains_refs: list(ref('file', 'directory')), comment: V }),
        'windows-pebinary-ext': object({
          pe_type: V,
          imphash: V,
          machine_hex: V,
          number_of_sections: V,
          time_date_stamp: V,
          pointer_to_symbol_table_hex: V,
          number_of_symbols: V,
          size_of_optional_header: V,
          characteristics_hex: V,
          file_header_hashes: dict(V),
          optional_header: object({
            magic_hex: V,
            major_linker_version: V,
            minor_linker_version: V,
            size_of_code: V,
            size_of_initialized_data: V,
            size_of_uninitialized_data: V,
            address_of_entry_point: V,
            base_of_code: V,
            base_of_data: V,
            image_base: V,
            section_alignment: V,
            file_alignment: V,
            major_os_version: V,
            minor_os_version: V,
            major_image_version: V,
            minor_image_version: V,
            major_subsystem_version: V,
            minor_subsystem_version: V,
            win32_version_value_hex: V,
            size_of_image: V,
            size_of_headers: V,
            checksum_hex: V,
            subsystem_hex: V,
            dll_characteristics_hex: V,
            size_of_stack_reserve: V,
            size_of_stack_commit: V,
            size_of_heap_reserve: V,
            size_of_heap_commit: V,
            loader_flags_hex: V,
            number_of_rva_and_sizes: V,
            hashes: dict(V),
          }),
          sections: list(object({ name: V, size: V, entropy: V, hashes: dict(V) })),
        }),
      }),
      hashes: dict(V),
      size: V,
      name: V,
      name_enc: V,
      magic_number_hex: V,
      mime_type: V,
      ctime: V,
      mtime: V,
      atime: V,
      parent_directory_ref: ref('directory'),
      contains_refs: list(ref('*')),
      content_ref: ref('artifact'),
    }),
    'ipv4-addr': sco({
      value: V,
      resolves_to_refs: list(ref('mac-addr')),
      belongs_to_refs: list(ref('autonomous-system')),
    }),
    'ipv6-addr': sco({
      value: V,
      resolves_to_refs: list(ref('mac-addr')),
      belongs_to_refs: list(ref('autonomous-system')),
    }),
    'mac-addr': sco({ value: V }),
    mutex: sco({ name: V }),
    'network-traffic': sco({
      extensions: extensions({
        'http-request-ext': object({
          request_method: V,
          request_value: V,
          request_version: V,
          request_header: dict(list(V)),
          message_body_length: V,
          message_body_data_ref: ref('artifact'),
        }),
        'icmp-ext': object({ icmp_type_hex: V, icmp_code_hex: V }),
        'socket-ext': object({
          address_family: V,
          is_blocking: V,
          is_listening: V,
          options: dict(V),
          socket_type: V,
          socket_descriptor: V,
          socket_handle: V,
        }),
        'tcp-ext': object({ src_flags_hex: V, dst_flags_hex: V }),
      }),
      start: V,
      end: V,
      src_ref: ref('ipv4-addr', 'ipv6-addr', 'mac-addr', 'domain-name'),
      dst_ref: ref('ipv4-addr', 'ipv6-addr', 'mac-addr', 'domain-name'),
      src_port: V,
      dst_port: V,
      protocols: list(V),
      src_byte_count: V,
      dst_byte_count: V,
      src_packets: V,
      dst_packets: V,
      ipfix: dict(V),
      src_payload_ref: ref('artifact'),
      dst_payload_ref: ref('artifact'),
      encapsulates_refs: list(ref('network-traffic')),
      encapsulated_by_ref: ref('network-traffic'),
      is_active: V,
    }),
    process: sco({
      extensions: extensions({
        'windows-process-ext': object({
          aslr_enabled: V,
          dep_enabled: V,
          priority: V,
          owner_sid: V,
          window_title: V,
          startup_info: dict(V),
          integrity_level: V,
        }),
        'windows-service-ext': object({
          service_name: V,
          descriptions: list(V),
          display_name: V,
          group_name: V,
          start_type: V,
          service_dll_refs: list(ref('file')),
          service_type: V,
          service_status: V,
        }),
      }),
      is_hidden: V,
      pid: V,
      created_time: V,
      cwd: V,
      command_line: V,
      environment_variables: dict(ANY),
      opened_connection_refs: list(ref('network-traffic')),
      creator_user_ref: ref('user-account'),
      image_ref: ref('file'),
      parent_ref: ref('process'),
      child_refs: list(ref('process')),
    }),
    software: sco({ name: V, cpe: V, swid: V, languages: list(V), vendor: V, version: V }),
    url: sco({ value: V }),
    'user-account': sco({
      extensions: extensions({
        'unix-account-ext': object({ gid: V, groups: list(V), home_dir: V, shell: V }),
      }),
      user_id: V,
      credential: V,
      account_login: V,
      account_type: V,
      display_name: V,
      is_service_account: V,
      is_privileged: V,
      can_escalate_privs: V,
      is_disabled: V,
      account_created: V,
      account_expires: V,
      credential_last_changed: V,
      account_first_login: V,
      account_last_login: V,
    }),
    'windows-registry-key': sco({
      key: V,
      values: list(object({ name: V, data: V, data_type: V })),
      modified_time: V,
      creator_user_ref: ref('user-account'),
      number_of_subkeys: V,
    }),
    'x509-certificate': sco({
      is_self_signed: V,
      hashes: dict(V),
      version: V,
      serial_number: V,
      signature_algorithm: V,
      issuer: V,
      validity_not_before: V,
      validity_not_after: V,
      subject: V,
      subject_public_key_algorithm: V,
      subject_public_key_modulus: V,
      subject_public_key_exponent: V,
      x509_v3_extensions: object({
        basic_constraints: V,
        name_constraints: V,
        policy_constraints: V,
        key_usage: V,
        extended_key_usage: V,
        subject_key_identifier: V,
        authority_key_identifier: V,
        subject_alternative_name: V,
        issuer_alternative_name: V,
        subject_directory_attributes: V,
        crl_distribution_points: V,
        inhibit_any_policy: V,
        private_key_usage_period_not_before: V,
        private_key_usage_period_not_after: V,
        certificate_policies: V,
        policy_mappings: V,
      }),
    }),
  }) as [string, Extract<ScoShape, { kind: 'object' }>][],
);

/** Known SCO type → its top-level properties (common and own). */
export const STIX_SCO_PROPERTIES: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  [...STIX_SCO_SHAPES].map(([type, shape]) => [type, new Set(Object.keys(shape.props))]),
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
