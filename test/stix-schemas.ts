import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ScoShape } from '../src/intel/index.js';

/** The OASIS STIX 2.1 JSON schemas in ../shared beside the project (tests only; never shipped). */
export function stixSchemaDir(): string | undefined {
  const dir = path.resolve(import.meta.dirname, '../../shared/stix2-json-schemas/schemas');
  return existsSync(dir) ? dir : undefined;
}

/** The schemas folder, or a clear failure when ../shared is absent (the tests' reference oracle). */
export function requiredStixSchemaDir(): string {
  const dir = stixSchemaDir();
  if (!dir) throw new Error('../shared/stix2-json-schemas/schemas is absent');
  return dir;
}

type Schema = Record<string, unknown>;
const loaded = new Map<string, Schema>();
const load = (file: string): Schema => {
  if (!loaded.has(file)) loaded.set(file, JSON.parse(readFileSync(file, 'utf8')) as Schema);
  return loaded.get(file)!;
};
/** Files whose content is one string (an id, a timestamp, hex or base64). */
const STRING_FILES = new Set(['timestamp.json', 'hex.json', 'binary.json', 'identifier.json']);
const SCALARS = new Set(['string', 'integer', 'number', 'boolean', 'null']);

/** What a schema node says, gathered through $ref, allOf, anyOf and oneOf. */
interface Gathered {
  props: Map<string, ScoShape | undefined>;
  /** patternProperties: [key pattern, value schema, its file, whether it came from common/dictionary.json]. */
  patterns: [string, unknown, string, boolean][];
  items?: [unknown, string];
  types: Set<string>;
}

function gather(node: unknown, file: string, g: Gathered, viaDictionary = false): void {
  if (!node || typeof node !== 'object') return;
  const n = node as Schema;
  if (typeof n.$ref === 'string') {
    const [rel, fragment] = n.$ref.split('#');
    const target = rel ? path.resolve(path.dirname(file), rel) : file;
    const base = path.basename(target);
    // properties.json is the rule for custom properties (x_ in the table), not a property.
    if (STRING_FILES.has(base)) g.types.add('string');
    else if (base !== 'properties.json') {
      let t: unknown = load(target);
      for (const step of (fragment ?? '').split('/').filter(Boolean)) t = (t as Schema)[step];
      gather(t, target, g, viaDictionary || base === 'dictionary.json');
    }
  }
  if (typeof n.type === 'string') g.types.add(n.type);
  if (n.enum && !n.type) g.types.add('string');
  for (const [k, v] of Object.entries((n.properties ?? {}) as Schema))
    g.props.set(k, merged(g.props.get(k), propertyShape(k, v, file)));
  for (const [k, v] of Object.entries((n.patternProperties ?? {}) as Schema))
    g.patterns.push([k, v, file, viaDictionary]);
  if (n.items) g.items = [n.items, file];
  for (const key of ['allOf', 'anyOf', 'oneOf'])
    if (Array.isArray(n[key])) for (const b of n[key] as unknown[]) gather(b, file, g, viaDictionary);
}

function merged(a: ScoShape | undefined, b: ScoShape | undefined): ScoShape | undefined {
  if (!a || !b) return a ?? b;
  if ((a.kind === 'object' || a.kind === 'extensions') && a.kind === b.kind)
    return { kind: a.kind, props: { ...a.props, ...b.props } };
  return JSON.stringify(a) === JSON.stringify(b) ? a : { kind: 'any' };
}

/** `^name$`: one exact key (a predefined extension), as opposed to a key rule. */
const exactKey = (k: string): string | undefined => /^\^([a-z0-9-]+)\$$/.exec(k)?.[1];

/** The shape a schema node gives a value, as the table writes it; undefined when it says nothing (`{ "pattern": … }`). */
function schemaShape(node: unknown, file: string, isExtensions = false): ScoShape | undefined {
  const g: Gathered = { props: new Map(), patterns: [], types: new Set() };
  gather(node, file, g);
  const own = g.patterns.filter((p) => !p[3]);
  const patterns = own.length ? own : g.patterns;
  const named = (list: typeof patterns): Record<string, ScoShape> =>
    Object.fromEntries(
      list.flatMap(([k, v, f]) =>
        exactKey(k) ? [[exactKey(k)!, schemaShape(v, f) ?? { kind: 'any' }]] : [],
      ),
    );
  if (isExtensions) return { kind: 'extensions', props: named(patterns) };
  if (g.props.size || (own.length && own.every(([k]) => exactKey(k))))
    return {
      kind: 'object',
      props: {
        ...Object.fromEntries([...g.props].map(([k, v]) => [k, v ?? { kind: 'any' }])),
        ...named(own),
      },
    };
  if (patterns.length)
    return {
      kind: 'dict',
      of: patterns.reduce<ScoShape | undefined>(
        (s, [, v, f]) => merged(s, schemaShape(v, f) ?? { kind: 'any' }),
        undefined,
      )!,
    };
  const types = [...g.types];
  if (types.length === 1 && types[0] === 'array')
    return { kind: 'list', of: (g.items && schemaShape(...g.items)) ?? { kind: 'any' } };
  if (types.length && types.every((t) => SCALARS.has(t))) return { kind: 'value' };
  return types.length ? { kind: 'any' } : undefined;
}

/** References are strings to the schemas; STIX names them *_ref and *_refs (§3.1). */
function propertyShape(name: string, node: unknown, file: string): ScoShape | undefined {
  if (name === 'extensions') return schemaShape(node, file, true);
  if (name.endsWith('_refs')) return { kind: 'list', of: { kind: 'ref', to: [] } };
  if (name.endsWith('_ref')) return { kind: 'ref', to: [] };
  return schemaShape(node, file);
}

/**
 * An SCO type's shape as the OASIS schemas give it (observables/<type>.json), in the terms of
 * src/intel/stix/sco-properties.ts; references have no targets (the schemas say "string").
 */
export function scoShapeFromSchemas(type: string): ScoShape | undefined {
  const file = path.join(requiredStixSchemaDir(), 'observables', `${type}.json`);
  return schemaShape(load(file), file);
}
