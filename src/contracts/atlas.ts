/**
 * The one table of MITRE ATLAS techniques and mitigations DistillGuard names (ATLAS v5.6.0,
 * May 2026; atlas.mitre.org). Detectors, the HTML report, STIX export and OCSF export all read
 * it, so an id, a name or a mapping changes here and nowhere else. docs/siem.md prints it.
 *
 * Case study AML.CS0056 (model distillation campaigns against Anthropic Claude, 2026) walks the
 * same chain: AI service proxies and crafted prompts (resource development), inference API
 * access over ~24,000 accounts, model extraction, IP theft.
 */

export const ATLAS_VERSION = '5.6.0';

export interface AtlasTactic {
  id: string;
  name: string;
}

export const ATLAS_TACTICS = {
  modelAccess: { id: 'AML.TA0000', name: 'AI Model Access' },
  attackStaging: { id: 'AML.TA0001', name: 'AI Attack Staging' },
  resourceDevelopment: { id: 'AML.TA0003', name: 'Resource Development' },
  exfiltration: { id: 'AML.TA0010', name: 'Exfiltration' },
  impact: { id: 'AML.TA0011', name: 'Impact' },
} as const satisfies Record<string, AtlasTactic>;

export interface AtlasMitigation {
  id: string;
  name: string;
  /** What DistillGuard does that implements it. */
  by: string;
}

/** ATLAS mitigations, each with the DistillGuard response that implements it. */
export const ATLAS_MITIGATIONS = {
  restrictQueries: {
    id: 'AML.M0004',
    name: 'Restrict Number of AI Model Queries',
    by: 'throttle (per-account request rate cap at the gateway or the guardrail)',
  },
  outputObfuscation: {
    id: 'AML.M0002',
    name: 'Passive AI Output Obfuscation',
    by: 'degrade (reasoning traces and log-probabilities withheld, output fidelity lowered)',
  },
  controlAccess: {
    id: 'AML.M0019',
    name: 'Control Access to AI Models and Data in Production',
    by: 'block and step_up (the account is refused, or must verify its identity again)',
  },
  telemetryLogging: {
    id: 'AML.M0024',
    name: 'AI Telemetry Logging',
    by: "the gateway's recording of every exchange (and ingest), which detection runs on",
  },
} as const satisfies Record<string, AtlasMitigation>;

export type AtlasMitigationId = (typeof ATLAS_MITIGATIONS)[keyof typeof ATLAS_MITIGATIONS]['id'];

/** Which mitigation each response action (contracts/decision.ts DecisionAction) implements. */
export const ACTION_MITIGATIONS: Readonly<Record<string, readonly AtlasMitigation[]>> = {
  allow: [],
  monitor: [ATLAS_MITIGATIONS.telemetryLogging],
  step_up: [ATLAS_MITIGATIONS.controlAccess],
  throttle: [ATLAS_MITIGATIONS.restrictQueries],
  degrade: [ATLAS_MITIGATIONS.outputObfuscation],
  block: [ATLAS_MITIGATIONS.controlAccess],
};

/** The ATLAS mitigations a response action implements (none for an unknown action). */
export const mitigationsOf = (action: string): readonly AtlasMitigation[] => ACTION_MITIGATIONS[action] ?? [];

export interface AtlasTechnique {
  id: string;
  name: string;
  /** The parent technique's name for a sub-technique (ATLAS prints "Parent: Child"). */
  parent?: { id: string; name: string };
  description: string;
  tactic: AtlasTactic;
  mitigations: readonly AtlasMitigation[];
  /** What in a finding names it besides a detector's own `atlas` (docs/siem.md). */
  evidence: string;
}

const M = ATLAS_MITIGATIONS;
const T = ATLAS_TACTICS;

/** Technique ids by role; detectors name their technique from here. */
export const ATLAS = {
  extractModel: 'AML.T0024.002',
  replicate: 'AML.T0005.001',
  inferenceApi: 'AML.T0040',
  serviceProxies: 'AML.T0008.005',
  establishAccounts: 'AML.T0021',
  promptCrafting: 'AML.T0065',
  ipTheft: 'AML.T0048.004',
} as const;

export type AtlasId = (typeof ATLAS)[keyof typeof ATLAS];

/** Every technique DistillGuard names, in kill-chain order. */
export const ATLAS_TECHNIQUES: readonly (AtlasTechnique & { id: AtlasId })[] = [
  {
    id: ATLAS.serviceProxies,
    name: 'AI Service Proxies',
    parent: { id: 'AML.T0008', name: 'Acquire Infrastructure' },
    description:
      'Use of commercial proxy services that resell access to AI services such as frontier model APIs, ' +
      'to run large-scale campaigns from many accounts behind shared networks.',
    tactic: T.resourceDevelopment,
    mitigations: [M.controlAccess, M.telemetryLogging],
    evidence: 'accounts linked by a shared network: ASN or IP prefix links',
  },
  {
    id: ATLAS.establishAccounts,
    name: 'Establish Accounts',
    description: 'Creation of accounts with a service to gain the access an attack needs.',
    tactic: T.resourceDevelopment,
    mitigations: [M.controlAccess],
    evidence:
      'accounts linked by how they were created: sign-up waves (window, IP, IP prefix), shared payment instruments or e-mail domains',
  },
  {
    id: ATLAS.promptCrafting,
    name: 'LLM Prompt Crafting',
    description:
      'Crafting prompts designed to draw out the target model’s capabilities, here wrappers that elicit ' +
      'step-by-step reasoning traces to train on.',
    tactic: T.resourceDevelopment,
    mitigations: [M.outputObfuscation, M.telemetryLogging],
    evidence: 'reasoning-elicitation signals, or accounts linked by a shared elicitation wrapper',
  },
  {
    id: ATLAS.inferenceApi,
    name: 'AI Model Inference API Access',
    description: 'Use of the model inference API.',
    tactic: T.modelAccess,
    mitigations: [M.restrictQueries, M.controlAccess, M.telemetryLogging],
    evidence: 'behaviour detectors (volume, timing, conversation shape) and cluster membership',
  },
  {
    id: ATLAS.replicate,
    name: 'Train Proxy via Replication',
    parent: { id: 'AML.T0005', name: 'Create Proxy AI Model' },
    description: 'Create a proxy AI model by training on outputs harvested from the victim model.',
    tactic: T.attackStaging,
    mitigations: [M.restrictQueries, M.outputObfuscation],
    evidence:
      'capability sweeps: topic sweep, elicitation sweep, complementary coverage or one task source across members',
  },
  {
    id: ATLAS.extractModel,
    name: 'Extract AI Model',
    parent: { id: 'AML.T0024', name: 'Exfiltration via AI Inference API' },
    description: 'Exfiltration via the AI inference API: harvesting model outputs to reproduce the model.',
    tactic: T.exfiltration,
    mitigations: [M.restrictQueries, M.outputObfuscation, M.controlAccess],
    evidence:
      'extraction detectors (reasoning elicitation, output harvesting, templating, distribution shift) and shared intel',
  },
  {
    id: ATLAS.ipTheft,
    name: 'AI Intellectual Property Theft',
    parent: { id: 'AML.T0048', name: 'External Harms' },
    description:
      'Theft of AI artifacts, here a model’s capabilities distilled from its outputs, causing economic harm to its owner.',
    tactic: T.impact,
    mitigations: [M.restrictQueries, M.outputObfuscation, M.controlAccess],
    evidence: 'every campaign (cluster of linked accounts) and every STIX campaign object',
  },
];

const BY_ID = new Map<string, AtlasTechnique>(ATLAS_TECHNIQUES.map((t) => [t.id, t]));

export const atlasTechnique = (id: string): AtlasTechnique | undefined => BY_ID.get(id);
export const isAtlasId = (id: string): id is AtlasId => BY_ID.has(id);

export const atlasUrl = (id: string): string =>
  `https://atlas.mitre.org/${id.startsWith('AML.M') ? 'mitigations' : id.startsWith('AML.TA') ? 'tactics' : id.startsWith('AML.CS') ? 'studies' : 'techniques'}/${id}`;

/** The name as ATLAS prints it: "Parent: Child" for a sub-technique. */
export const atlasFullName = (t: AtlasTechnique): string =>
  t.parent ? `${t.parent.name}: ${t.name}` : t.name;

/** Techniques every distillation campaign uses, whatever its detectors name. */
export const CAMPAIGN_TECHNIQUES: readonly AtlasId[] = [
  ATLAS.extractModel,
  ATLAS.replicate,
  ATLAS.inferenceApi,
  ATLAS.ipTheft,
];

/** Cluster link kinds (link/linkage.ts) that name a technique. */
export const LINK_TECHNIQUES: Readonly<Record<string, AtlasId>> = {
  asn: ATLAS.serviceProxies,
  ip_prefix: ATLAS.serviceProxies,
  signup_window: ATLAS.establishAccounts,
  signup_ip: ATLAS.establishAccounts,
  signup_ip_prefix: ATLAS.establishAccounts,
  payment_fingerprint: ATLAS.establishAccounts,
  email_domain: ATLAS.establishAccounts,
  email_hash: ATLAS.establishAccounts,
  elicitation_wrapper: ATLAS.promptCrafting,
};

/** Detectors that name a second technique besides their own `atlas`. */
export const DETECTOR_TECHNIQUES: Readonly<Record<string, readonly AtlasId[]>> = {
  'reasoning-elicitation': [ATLAS.promptCrafting],
};

/**
 * The techniques a finding's evidence names, in table order: each signal's technique and its
 * detector's second one, each link kind's, and for a campaign the campaign techniques.
 */
export function findingTechniques(
  f: {
    signals: readonly { detector: string; atlas?: string | undefined }[];
    links?: readonly { kind: string }[];
  },
  opts: { campaign: boolean },
): AtlasId[] {
  const ids = new Set<string>(opts.campaign ? CAMPAIGN_TECHNIQUES : []);
  for (const s of f.signals) {
    if (s.atlas) ids.add(s.atlas);
    for (const id of DETECTOR_TECHNIQUES[s.detector] ?? []) ids.add(id);
  }
  for (const l of f.links ?? []) {
    const id = LINK_TECHNIQUES[l.kind];
    if (id) ids.add(id);
  }
  return ATLAS_TECHNIQUES.filter((t) => ids.has(t.id)).map((t) => t.id);
}
