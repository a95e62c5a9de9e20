import {
  Findings,
  UserError,
  type AccountRecord,
  type ApiEvent,
  type StixBundle,
} from '../../contracts/index.js';
import { readUserJson } from '../../ingest/index.js';
import { checkBundle } from './bundle-check.js';
import { ClusterEvidenceCollector, findingsRarity } from '../match/cluster-evidence.js';
import type { CommunityKeyRing } from '../match/community-key.js';
import { campaignRefusal } from './campaign-converter.js';
import { findingsToStix, type Publisher } from './findings-to-stix.js';
import { randomId } from './ids.js';
import { applyPolicy, type SharingPolicy, type Withheld } from '../policy/sharing-policy.js';

export interface ExportInput {
  findings: Findings;
  events?: AsyncIterable<ApiEvent> | Iterable<ApiEvent>;
  accounts?: Iterable<AccountRecord>;
  publisher: Publisher;
  keyRing: CommunityKeyRing;
  policy: SharingPolicy;
  now?: Date;
}

export interface ExportResult {
  bundle: StixBundle;
  withheld: Withheld[];
}

export function readFindingsFile(file: string): Findings {
  const json = readUserJson(file, 'findings file', 'pass the JSON that analyze --format json wrote');
  const parsed = Findings.safeParse(json);
  if (!parsed.success)
    throw new UserError(
      'INVALID_INPUT',
      `Findings file ${file} is not findings.v1: ${parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; ')}.`,
    );
  return parsed.data;
}

/** Findings (+ traffic and accounts for indicator details) -> a policy-filtered STIX bundle. */
export async function exportBundle(input: ExportInput): Promise<ExportResult> {
  // Rarity is counted outside the campaigns that will be shared, so their own accounts do not
  // make their infrastructure look common.
  const shared = new Set(
    input.findings.clusters
      .filter((c) => !campaignRefusal(c, c.cluster_id, Math.round(c.score * 100), input.policy))
      .map((c) => c.cluster_id),
  );
  const collector = new ClusterEvidenceCollector(input.findings, shared);
  let counted = input.events !== undefined;
  for (const a of input.accounts ?? []) {
    collector.addAccount(a);
    counted = true;
  }
  if (input.events) for await (const e of input.events) collector.addEvent(e);
  const built = findingsToStix({
    findings: input.findings,
    evidence: collector.clusters,
    background: { counts: collector.background, events: collector.backgroundEvents },
    // Traffic or accounts given: counting them is authoritative; else the findings' link holders.
    rarity: counted ? collector.rarity : findingsRarity(input.findings, shared),
    publisher: input.publisher,
    keyRing: input.keyRing,
    policy: input.policy,
    ...(input.now ? { now: input.now } : {}),
  });
  const filtered = applyPolicy(built.objects, input.policy);
  const bundle: StixBundle = {
    type: 'bundle',
    id: randomId('bundle'),
    ...(filtered.objects.length ? { objects: filtered.objects } : {}),
  };
  // Fail closed: a bundle other members' tools would reject never leaves, whatever the policy.
  const problems = checkBundle(bundle);
  if (problems.length)
    throw new UserError(
      'INVALID_INPUT',
      `Refusing to write a bundle that is not valid STIX 2.1 (${problems.length} problem${problems.length === 1 ? '' : 's'}): ` +
        `${problems.slice(0, 5).join('; ')}${problems.length > 5 ? '; …' : ''}. Check the sharing policy and the findings.`,
      { problems },
    );
  return { bundle, withheld: [...built.withheld, ...filtered.withheld] };
}

/** What `intel export --dry-run` prints: every object that would leave, and everything withheld with why. */
export function dryRunReport(result: ExportResult): string {
  const lines: string[] = [];
  const objects = result.bundle.objects ?? [];
  lines.push(`Would send ${objects.length} objects in ${result.bundle.id}:`);
  for (const o of objects) {
    const label = [o.name, o.pattern].filter((x): x is string => typeof x === 'string').join('  ');
    lines.push(`  + ${o.id}${label ? `  ${label}` : ''}`);
  }
  lines.push(`Withheld ${result.withheld.length}:`);
  for (const w of result.withheld)
    lines.push(`  - ${w.object}${w.property ? ` .${w.property}` : ''} (${w.type}): ${w.reason}`);
  return lines.join('\n');
}
