import {
  ATLAS_VERSION,
  MAX_PRINCIPAL_ACCOUNTS,
  OCSF_VERSION,
  PRODUCT_VERSION,
  atlasTechnique,
  atlasUrl,
  findingTechniques,
  levelRank,
  mitigationsOf,
  type AccountFinding,
  type AtlasTechnique,
  type ClusterFinding,
  type Findings,
  type Level,
  type OcsfAttack,
  type OcsfDetectionFinding,
} from '../../contracts/index.js';

/** The response policy's action per level, for accounts and clusters (respond/response-policy.ts). */
export interface LevelActionMap {
  accounts: Partial<Record<Level, string>>;
  clusters: Partial<Record<Level, string>>;
}

export interface OcsfOptions {
  /** Lowest level written: review (default) or act. */
  minLevel?: 'review' | 'act';
  /** What the response policy does at each level, named in `remediation` with its mitigations. */
  actions?: LevelActionMap;
}

const ms = (iso: string | null | undefined): number | undefined => {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isFinite(t) && t >= 0 ? t : undefined;
};

function attackOf(t: AtlasTechnique): OcsfAttack {
  const own = { uid: t.id, name: t.name, src_url: atlasUrl(t.id) };
  return {
    tactic: { uid: t.tactic.id, name: t.tactic.name, src_url: atlasUrl(t.tactic.id) },
    // A sub-technique sits under its parent, as OCSF places ATT&CK sub-techniques.
    ...(t.parent
      ? {
          technique: { uid: t.parent.id, name: t.parent.name, src_url: atlasUrl(t.parent.id) },
          sub_technique: own,
        }
      : { technique: own }),
    version: `MITRE ATLAS ${ATLAS_VERSION}`,
  };
}

type Kind = 'account' | 'cluster';

interface Subject {
  kind: Kind;
  finding: AccountFinding | ClusterFinding;
  level: 'review' | 'act';
  links: ClusterFinding['links'];
  techniques: string[];
}

function remediation(
  s: Subject,
  actions: LevelActionMap | undefined,
): OcsfDetectionFinding['remediation'] & {
  response: { action: string; mitigations: string[] }[];
} {
  const action = actions?.[s.kind === 'account' ? 'accounts' : 'clusters'][s.level];
  const response = action ? [{ action, mitigations: mitigationsOf(action).map((m) => m.id) }] : [];
  // The mitigations the techniques name, the response's first.
  const named = new Map<string, string>();
  for (const m of action ? mitigationsOf(action) : []) named.set(m.id, m.name);
  for (const id of s.techniques)
    for (const m of atlasTechnique(id)?.mitigations ?? []) if (!named.has(m.id)) named.set(m.id, m.name);
  const list = [...named].map(([id, name]) => `${id} ${name}`).join('; ');
  const desc = action
    ? `The response policy answers ${s.level} with ${action} (${
        mitigationsOf(action)
          .map((m) => `${m.id} ${m.name}`)
          .join(', ') || 'no ATLAS mitigation'
      }). ATLAS mitigations for the techniques: ${list}.`
    : `ATLAS mitigations for the techniques: ${list}.`;
  return { desc, references: [...named.keys()].map(atlasUrl), response };
}

function record(s: Subject, f: Findings, opts: OcsfOptions): OcsfDetectionFinding {
  const { finding, kind, level } = s;
  const id =
    kind === 'account' ? (finding as AccountFinding).account_id : (finding as ClusterFinding).cluster_id;
  const accountIds = kind === 'cluster' ? (finding as ClusterFinding).account_ids : [id];
  const clusterId =
    kind === 'cluster'
      ? id
      : ((finding as AccountFinding).cluster_id ?? finding.basis?.cluster?.cluster_id ?? null);
  const generated = ms(f.generated_at) ?? Date.now();
  const from = ms(f.input.from);
  const to = ms(f.input.to);
  const requests = finding.events;
  const title =
    kind === 'account'
      ? `Model extraction suspected: account ${id} at ${level}`
      : `Distillation campaign suspected: ${accountIds.length} linked accounts (${id}) at ${level}`;
  const explanation = finding.basis?.explanation;
  const { response, ...rem } = remediation(s, opts.actions);
  return {
    activity_id: 1,
    activity_name: 'Create',
    category_uid: 2,
    category_name: 'Findings',
    class_uid: 2004,
    class_name: 'Detection Finding',
    type_uid: 200401,
    type_name: 'Detection Finding: Create',
    severity_id: level === 'act' ? 4 : 3,
    severity: level === 'act' ? 'High' : 'Medium',
    status_id: 1,
    status: 'New',
    time: generated,
    ...(from !== undefined ? { start_time: from } : {}),
    ...(to !== undefined ? { end_time: to } : {}),
    message: explanation ?? title,
    is_alert: true,
    confidence_score: Math.round(finding.score * 100),
    count: requests,
    metadata: {
      version: OCSF_VERSION,
      product: { name: 'DistillGuard', vendor_name: 'DistillGuard project', version: PRODUCT_VERSION },
      ...(clusterId ? { correlation_uid: clusterId } : {}),
    },
    ...(kind === 'account' ? { actor: { user: { uid: id, type: 'API account' } } } : {}),
    finding_info: findingInfo(s, id, title, generated),
    evidences: evidencesOf(finding),
    remediation: rem,
    unmapped: {
      distillguard: {
        kind,
        level,
        score: finding.score,
        strength: finding.strength ?? 0,
        principal: {
          type: kind,
          uid: id,
          cluster_id: clusterId,
          ...(kind === 'cluster' ? { account_ids: accountIds.slice(0, MAX_PRINCIPAL_ACCOUNTS) } : {}),
          accounts: accountIds.length,
        },
        query_volume: { requests, window_from: f.input.from, window_to: f.input.to },
        input_distribution: inputDistribution(finding),
        ...(kind === 'cluster'
          ? { links: s.links.map((l) => ({ kind: l.kind, value: l.value, accounts: l.accounts })) }
          : {}),
        ...(explanation ? { explanation } : {}),
        response,
      },
    },
  };
}

/** OCSF finding_info: what was found, with the ATLAS techniques as attacks. */
function findingInfo(
  s: Subject,
  id: string,
  title: string,
  generated: number,
): OcsfDetectionFinding['finding_info'] {
  const { finding, kind } = s;
  return {
    uid: `distillguard:${kind}:${id}`,
    title,
    desc:
      finding.signals
        .slice(0, 5)
        .map((x) => `${x.detector}: ${x.evidence}`)
        .join('; ') || title,
    types: ['Adversarial distillation', kind === 'account' ? 'Model extraction' : 'Distillation campaign'],
    analytic: { name: 'DistillGuard detection engine', type_id: 99, type: 'Other' },
    attacks: s.techniques.flatMap((t) => {
      const tech = atlasTechnique(t);
      return tech ? [attackOf(tech)] : [];
    }),
    created_time: generated,
    related_events_count: finding.events,
  };
}

/** One OCSF evidence per signal, its examples bounded. */
function evidencesOf(finding: AccountFinding | ClusterFinding): OcsfDetectionFinding['evidences'] {
  return finding.signals.map((x) => ({
    data: {
      detector: x.detector,
      score: x.score,
      evidence: x.evidence,
      ...(x.atlas ? { atlas: x.atlas } : {}),
      ...(typeof x['p_value'] === 'number' ? { p_value: x['p_value'] } : {}),
      ...(x.examples ? { examples: x.examples.slice(0, 10) } : {}),
    },
  }));
}

/** The share of the subject's requests each evidence line rests on. */
function inputDistribution(finding: AccountFinding | ClusterFinding) {
  const requests = finding.events;
  return (finding.basis?.lines ?? []).map((l) => ({
    detector: l.detector,
    family: l.family,
    requests: l.requests,
    share: requests > 0 ? Math.min(1, Number((l.requests / requests).toFixed(4))) : 0,
    strength: l.strength,
  }));
}

/**
 * findings.v1 -> OCSF 1.5 Detection Findings: one per account and one per cluster at `minLevel`
 * or above, clusters first, each in findings order (strongest evidence first). An account's
 * techniques include those its cluster's links name (proxy networks, sign-up waves); a cluster's
 * include the campaign techniques (AML.T0048.004 among them).
 */
export function findingsToOcsf(f: Findings, opts: OcsfOptions = {}): OcsfDetectionFinding[] {
  const floor = levelRank(opts.minLevel ?? 'review');
  const at = (l: Level): l is 'review' | 'act' => levelRank(l) >= floor && (l === 'review' || l === 'act');
  const clusters = new Map(f.clusters.map((c) => [c.cluster_id, c]));
  const out: OcsfDetectionFinding[] = [];
  for (const c of f.clusters) {
    if (!at(c.level)) continue;
    const techniques = findingTechniques(c, { campaign: true });
    out.push(record({ kind: 'cluster', finding: c, level: c.level, links: c.links, techniques }, f, opts));
  }
  for (const a of f.accounts) {
    if (!at(a.level)) continue;
    const cluster = a.cluster_id ? clusters.get(a.cluster_id) : undefined;
    const links = cluster?.links ?? [];
    const techniques = findingTechniques({ signals: a.signals, links }, { campaign: false });
    out.push(record({ kind: 'account', finding: a, level: a.level, links, techniques }, f, opts));
  }
  return out;
}

/** One record per line: the NDJSON a SIEM, a webhook relay or syslog forwarder reads. */
export const ocsfNdjson = (records: readonly OcsfDetectionFinding[]): string =>
  records.map((r) => `${JSON.stringify(r)}\n`).join('');
