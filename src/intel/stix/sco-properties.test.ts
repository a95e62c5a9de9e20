import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { requiredStixSchemaDir, scoShapeFromSchemas, stixSchemaDir } from '../../../test/stix-schemas.js';
import { STIX_NON_SCO_TYPES, STIX_SCO_PROPERTIES, STIX_SCO_SHAPES, type ScoShape } from './sco-properties.js';

const dir = stixSchemaDir();

/** Every property name a schema declares at its top level: in `properties` of the schema, its allOf / oneOf / anyOf branches and the files they $ref. */
function topLevelProperties(file: string, out = new Set<string>()): Set<string> {
  const walk = (node: unknown, from: string): void => {
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      if (k === 'definitions' || k === '$defs') continue;
      if (k === 'properties') for (const p of Object.keys(v as object)) out.add(p);
      else if (k === '$ref' && typeof v === 'string' && !v.startsWith('#'))
        topLevelProperties(path.resolve(path.dirname(from), v), out);
      else if (k === 'allOf' || k === 'oneOf' || k === 'anyOf') walk(v, from);
      else if (Array.isArray(node)) walk(v, from);
    }
  };
  walk(JSON.parse(readFileSync(file, 'utf8')), file);
  return out;
}

/** The table's shape with reference targets left out (the schemas do not say them). */
const withoutTargets = (s: ScoShape): ScoShape =>
  s.kind === 'ref'
    ? { kind: 'ref', to: [] }
    : s.kind === 'list' || s.kind === 'dict'
      ? { kind: s.kind, of: withoutTargets(s.of) }
      : s.kind === 'object' || s.kind === 'extensions'
        ? {
            kind: s.kind,
            props: Object.fromEntries(Object.entries(s.props).map(([k, v]) => [k, withoutTargets(v)])),
          }
        : s;

/** Every reference in a shape with the path to it. */
function* references(s: ScoShape, at: string): Generator<[string, readonly string[]]> {
  if (s.kind === 'ref') yield [at, s.to];
  else if (s.kind === 'list' || s.kind === 'dict') yield* references(s.of, `${at}[*]`);
  else if (s.kind === 'object' || s.kind === 'extensions')
    for (const [k, v] of Object.entries(s.props)) yield* references(v, `${at}.${k}`);
}

const schemaTitles = (sub: string): string[] =>
  readdirSync(path.join(requiredStixSchemaDir(), sub)).map(
    (f) =>
      (JSON.parse(readFileSync(path.join(requiredStixSchemaDir(), sub, f), 'utf8')) as { title: string })
        .title,
  );

if (!dir && !process.env.CI)
  console.log('skipping the SCO table check: ../shared/stix2-json-schemas is absent');

describe.skipIf(!dir && !process.env.CI)('the SCO property table, against the OASIS schemas', () => {
  it('names every SCO type the schemas define, and no other', () => {
    expect([...STIX_SCO_PROPERTIES.keys()].sort()).toEqual(schemaTitles('observables').sort());
  });

  it.each([...STIX_SCO_PROPERTIES.keys()])('lists exactly the top-level properties of %s', (type) => {
    const schema = path.join(requiredStixSchemaDir(), 'observables', `${type}.json`);
    expect([...STIX_SCO_PROPERTIES.get(type)!].sort()).toEqual([...topLevelProperties(schema)].sort());
  });

  it.each([...STIX_SCO_SHAPES.keys()])(
    'gives every nested property of %s the shape the schema gives it',
    (type) => {
      expect(withoutTargets(STIX_SCO_SHAPES.get(type)!)).toEqual(scoShapeFromSchemas(type));
    },
  );

  it('points every reference at observable types (or none: marking definitions)', () => {
    const refs = [...STIX_SCO_SHAPES].flatMap(([type, shape]) => [...references(shape, type)]);
    expect(refs.length).toBeGreaterThan(30);
    for (const [at, to] of refs) {
      for (const t of to) expect(t === '*' || STIX_SCO_SHAPES.has(t), `${at} → ${t}`).toBe(true);
      // Only the marking references point outside observed data.
      expect(to.length === 0, at).toBe(/(object_marking_refs|marking_ref)(\[\*\])?$/.test(at));
    }
  });

  it('names every domain and relationship object type as not an SCO', () => {
    for (const t of [...schemaTitles('sdos'), ...schemaTitles('sros')])
      expect(STIX_NON_SCO_TYPES.has(t)).toBe(true);
  });
});
