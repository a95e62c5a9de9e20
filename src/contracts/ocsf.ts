import { z } from 'zod';

/**
 * The OCSF 1.5 Detection Finding (class 2004) records DistillGuard writes for SIEMs: `findings
 * export --format ocsf` and `GET /v1/findings/ocsf.ndjson` (docs/siem.md). One record per account
 * and per cluster at review or above. Only the attributes we fill are declared; OCSF allows the
 * rest to be absent. DistillGuard's own values (and what OWASP AISVS C11.5.2 asks of an
 * extraction alert) ride in `unmapped.distillguard`, the place OCSF gives to source fields.
 */

export const OCSF_VERSION = '1.5.0';
export const PRODUCT_VERSION = '0.1.0';

/** OCSF `timestamp_t`: milliseconds since the epoch. */
const Timestamp = z.int().min(0);

const Named = z.strictObject({ uid: z.string().min(1), name: z.string().min(1), src_url: z.url() });

/** OCSF `attack`: one MITRE ATLAS technique (or sub-technique under its parent) with its tactic. */
export const OcsfAttack = z.strictObject({
  tactic: Named,
  technique: Named,
  sub_technique: Named.optional(),
  /** The matrix and version the ids come from. */
  version: z.string(),
});
export type OcsfAttack = z.infer<typeof OcsfAttack>;

/** OCSF `evidences` item: one detector's checkable evidence in `data` (JSON). */
export const OcsfEvidence = z.strictObject({
  data: z.strictObject({
    detector: z.string(),
    score: z.number().min(0).max(1),
    evidence: z.string(),
    atlas: z.string().optional(),
    p_value: z.number().min(0).max(1).optional(),
    examples: z.array(z.string()).optional(),
  }),
});

/** AISVS C11.5.2: who (the principal), how much (the query volume), what (input statistics). */
export const OcsfDistillGuardFields = z.strictObject({
  kind: z.enum(['account', 'cluster']),
  level: z.enum(['review', 'act']),
  score: z.number().min(0).max(1),
  /** -log10 p of the combined evidence. */
  strength: z.number().min(0),
  principal: z.strictObject({
    type: z.enum(['account', 'cluster']),
    /** The account id as findings.json carries it (pseudonymised there if the input was). */
    uid: z.string(),
    cluster_id: z.string().nullable(),
    /** Member accounts of a cluster (at most MAX_PRINCIPAL_ACCOUNTS; `accounts` counts all). */
    account_ids: z.array(z.string()).optional(),
    accounts: z.int().min(0),
  }),
  query_volume: z.strictObject({
    requests: z.int().min(0),
    window_from: z.string().nullable(),
    window_to: z.string().nullable(),
  }),
  /**
   * The principal's input distribution as the detectors measured it: per line of evidence the
   * requests it rests on and their share of all the principal's requests.
   */
  input_distribution: z.array(
    z.strictObject({
      detector: z.string(),
      family: z.string(),
      requests: z.int().min(0),
      share: z.number().min(0).max(1),
      strength: z.number().min(0),
    }),
  ),
  links: z
    .array(z.strictObject({ kind: z.string(), value: z.string(), accounts: z.int().min(0) }))
    .optional(),
  explanation: z.string().optional(),
  response: z.array(z.strictObject({ action: z.string(), mitigations: z.array(z.string()) })),
});

export const OcsfDetectionFinding = z.strictObject({
  activity_id: z.literal(1),
  activity_name: z.literal('Create'),
  category_uid: z.literal(2),
  category_name: z.literal('Findings'),
  class_uid: z.literal(2004),
  class_name: z.literal('Detection Finding'),
  type_uid: z.literal(200401),
  type_name: z.literal('Detection Finding: Create'),
  /** 3 Medium (review), 4 High (act). */
  severity_id: z.union([z.literal(3), z.literal(4)]),
  severity: z.enum(['Medium', 'High']),
  status_id: z.literal(1),
  status: z.literal('New'),
  time: Timestamp,
  /** The analysed window (findings.v1 input.from/to), not the principal's own first and last request. */
  start_time: Timestamp.optional(),
  end_time: Timestamp.optional(),
  message: z.string(),
  is_alert: z.literal(true),
  confidence_score: z.int().min(0).max(100),
  count: z.int().min(0),
  metadata: z.strictObject({
    version: z.literal(OCSF_VERSION),
    product: z.strictObject({
      name: z.literal('DistillGuard'),
      vendor_name: z.string(),
      version: z.string(),
    }),
    correlation_uid: z.string().optional(),
  }),
  actor: z.strictObject({ user: z.strictObject({ uid: z.string(), type: z.string() }) }).optional(),
  finding_info: z.strictObject({
    uid: z.string().min(1),
    title: z.string().min(1),
    desc: z.string(),
    types: z.array(z.string()),
    analytic: z.strictObject({ name: z.string(), type_id: z.literal(99), type: z.literal('Other') }),
    attacks: z.array(OcsfAttack),
    created_time: Timestamp,
    related_events_count: z.int().min(0),
  }),
  evidences: z.array(OcsfEvidence),
  remediation: z.strictObject({ desc: z.string(), references: z.array(z.url()) }),
  unmapped: z.strictObject({ distillguard: OcsfDistillGuardFields }),
});
export type OcsfDetectionFinding = z.infer<typeof OcsfDetectionFinding>;

/** Most member ids one cluster record names (the rest are in findings.json). */
export const MAX_PRINCIPAL_ACCOUNTS = 1000;
