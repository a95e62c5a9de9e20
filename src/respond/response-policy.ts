import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { DecisionAction, DegradeSettings, Level, UserError, mitigationsOf } from '../contracts/index.js';
import { readUserFile } from '../ingest/index.js';

const LevelActions = z.strictObject({
  none: DecisionAction.default('allow'),
  monitor: DecisionAction.default('monitor'),
  review: DecisionAction,
  act: DecisionAction,
});

export const Policy = z.strictObject({
  version: z.literal(1),
  accounts: LevelActions,
  clusters: LevelActions,
  detectors: z
    .array(
      z.strictObject({
        detector: z.string().min(1),
        min_score: z.number().min(0).max(1),
        action: DecisionAction,
      }),
    )
    .default([]),
  cases: z.strictObject({ actioned: DecisionAction, false_positive: DecisionAction.default('allow') }),
  watch_levels: z.array(Level).default([]),
  throttle: z.strictObject({ rate_per_minute: z.number().positive() }),
  degrade: DegradeSettings,
  manual_ttl_seconds: z.int().positive().nullable().default(null),
});
export type Policy = z.infer<typeof Policy>;

export interface LoadedPolicy {
  policy: Policy;
  /** The YAML as written, so `GET /v1/policy` shows exactly what is in force. */
  yaml: string;
  source: string;
}

export const defaultPolicyPath = (): string =>
  fileURLToPath(new URL('../../policy/default.yaml', import.meta.url));

/** Parses and validates policy YAML; a mistake names the field and what is allowed. */
export function parseResponsePolicy(yaml: string, source: string): LoadedPolicy {
  let raw: unknown;
  try {
    raw = parseYaml(yaml);
  } catch (err) {
    throw new UserError('INVALID_CONFIG', `Policy ${source} is not valid YAML: ${(err as Error).message}`);
  }
  const r = Policy.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : '(top level)';
    throw new UserError(
      'INVALID_CONFIG',
      `Policy ${source}: ${where}: ${issue?.message ?? 'invalid'}. Actions are ${DecisionAction.options.join(', ')}.`,
    );
  }
  return { policy: r.data, yaml, source };
}

export function loadResponsePolicy(path = defaultPolicyPath()): LoadedPolicy {
  return parseResponsePolicy(
    readUserFile(path, 'response policy', 'pass an existing YAML file with --policy'),
    path,
  );
}

/**
 * The MITRE ATLAS mitigation each action of a policy implements (contracts/atlas.ts): throttle
 * AML.M0004, degrade AML.M0002, block and step_up AML.M0019, monitor AML.M0024. Shown beside the
 * policy on GET /v1/policy and in each OCSF record's remediation.
 */
export function policyMitigations(policy: Policy): Record<string, { id: string; name: string }[]> {
  const used = new Set<DecisionAction>([
    ...Object.values(policy.accounts),
    ...Object.values(policy.clusters),
    ...policy.detectors.map((d) => d.action),
    policy.cases.actioned,
    policy.cases.false_positive,
  ]);
  return Object.fromEntries(
    DecisionAction.options
      .filter((a) => used.has(a))
      .map((a) => [a, mitigationsOf(a).map((m) => ({ id: m.id, name: m.name }))]),
  );
}
