import {
  StixAttackPattern,
  StixBundle,
  StixCampaign,
  StixIdentity,
  StixIndicator,
  StixMarkingDefinition,
  StixRelationship,
  StixSighting,
} from '../../contracts/index.js';
import { indicatorPatternProblem } from './object-check.js';
import { TLP_IDS } from './tlp.js';

/**
 * What `intel export` checks before it writes a bundle, from the installed package alone (the
 * OASIS JSON schemas are the tests' oracle, not a run-time dependency): the project's zod STIX
 * schemas for every type it writes, STIX's "no empty lists" rule, every extension carrying its
 * `extension_type`, every `*_ref` / `*_refs` pointing at an object in the bundle (or a
 * well-known TLP marking), one object per (id, version), and every indicator's STIX pattern
 * against the patterning grammar.
 */

const BY_TYPE: Record<
  string,
  {
    safeParse(v: unknown): {
      success: boolean;
      error?: { issues: { path: PropertyKey[]; message: string }[] };
    };
  }
> = {
  identity: StixIdentity,
  campaign: StixCampaign,
  'attack-pattern': StixAttackPattern,
  indicator: StixIndicator,
  relationship: StixRelationship,
  sighting: StixSighting,
  'marking-definition': StixMarkingDefinition,
};

/** The TLP marking definitions every STIX consumer knows by id: 2.0 (OASIS) and 1.0 (STIX 2.1 §7.2.1.4). */
const WELL_KNOWN_MARKINGS = new Set([
  ...Object.values(TLP_IDS),
  'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9',
  'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da',
  'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82',
  'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed',
]);

/** Our own objects are shallow; deeper than this is a defect, not data. */
const MAX_DEPTH = 32;
const MAX_ERRORS = 50;

const issuesOf = (r: { error?: { issues: { path: PropertyKey[]; message: string }[] } }): string[] =>
  (r.error?.issues ?? []).map((i) => `${i.path.map(String).join('.') || '(object)'}: ${i.message}`);

/** Every problem found, as `<object id> <property path>: <what is wrong>`; empty when valid. */
export function checkBundle(bundle: unknown): string[] {
  const errors: string[] = [];
  const add = (e: string): void => {
    if (errors.length < MAX_ERRORS) errors.push(e);
  };
  const parsed = StixBundle.safeParse(bundle);
  if (!parsed.success) {
    for (const e of issuesOf(parsed)) add(`bundle ${e}`);
    return errors;
  }
  const objects = parsed.data.objects ?? [];
  if (parsed.data.objects && objects.length === 0) add('bundle objects: empty list (omit it instead)');
  const ids = new Set(objects.map((o) => o.id));
  const versions = new Set<string>();
  const known = (ref: string): boolean => ids.has(ref) || WELL_KNOWN_MARKINGS.has(ref);

  const walk = (value: unknown, where: string, key: string, depth: number): void => {
    if (depth > MAX_DEPTH) return add(`${where}: nested deeper than ${MAX_DEPTH}`);
    if (Array.isArray(value)) {
      if (value.length === 0) add(`${where}: empty list (STIX 2.1 forbids empty lists; omit the property)`);
      if (key.endsWith('_refs'))
        for (const r of value)
          if (typeof r === 'string' && !known(r)) add(`${where}: refers to ${r}, which is not in the bundle`);
      value.forEach((v, i) => walk(v, `${where}[${i}]`, '', depth + 1));
      return;
    }
    if (key.endsWith('_ref') && typeof value === 'string' && !known(value))
      add(`${where}: refers to ${value}, which is not in the bundle`);
    if (value && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) walk(v, `${where}.${k}`, k, depth + 1);
  };

  for (const o of objects) {
    const version = `${o.id}@${o.modified ?? o.created ?? ''}`;
    if (versions.has(version))
      add(
        `${o.id} version ${o.modified ?? o.created ?? '(none)'}: appears more than once (one object per id and version)`,
      );
    versions.add(version);
    const schema = BY_TYPE[o.type];
    if (schema) for (const e of issuesOf(schema.safeParse(o))) add(`${o.id} ${e}`);
    const pattern = indicatorPatternProblem(o);
    if (pattern) add(`${o.id} ${pattern}`);
    for (const [extId, ext] of Object.entries(o.extensions ?? {})) {
      if (Object.keys(ext).length === 0) add(`${o.id} extensions.${extId}: empty extension`);
      else if (extId.startsWith('extension-definition--') && typeof ext.extension_type !== 'string')
        add(`${o.id} extensions.${extId}: extension_type is required`);
    }
    if (o.extensions && Object.keys(o.extensions).length === 0) add(`${o.id} extensions: empty dictionary`);
    for (const [k, v] of Object.entries(o)) walk(v, `${o.id} ${k}`, k, 1);
  }
  return errors;
}
