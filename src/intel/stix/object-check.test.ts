import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { requiredStixSchemaDir, stixSchemaDir } from '../../../test/stix-schemas.js';
import { atlasAttackPattern } from './attack-pattern-converter.js';
import { distillGuardExtensionDefinition, distillGuardIdentity } from './extension.js';
import { stixObjectProblems } from './object-check.js';
import { loadStixOracle, type StixOracle } from './stix-oracle.js';
import { TLP_LEVELS, tlpMarkingDefinition } from './tlp.js';

const dir = stixSchemaDir();
type Obj = Record<string, unknown>;

/** Types the pinned OASIS bundle schema does not list: checked against their own schema file. */
const OWN_SCHEMA: Record<string, string> = {
  grouping: 'sdos/grouping.json',
  incident: 'sdos/incident.json',
  location: 'sdos/location.json',
  note: 'sdos/note.json',
  opinion: 'sdos/opinion.json',
  'extension-definition': 'common/extension-definition.json',
};
const KNOWN_SCO = new Set(
  'artifact autonomous-system directory domain-name email-addr email-message file ipv4-addr ipv6-addr mac-addr mutex network-traffic process software url user-account windows-registry-key x509-certificate'.split(
    ' ',
  ),
);
const KNOWN_OTHER = new Set(
  'attack-pattern campaign course-of-action identity indicator infrastructure intrusion-set malware malware-analysis observed-data relationship report sighting threat-actor tool vulnerability language-content marking-definition'.split(
    ' ',
  ),
);

/**
 * The OASIS verdict on one object. The pinned bundle schema rejects every custom object that has
 * SDO properties (it matches both core schemas of a oneOf) and omits five STIX 2.1 SDOs, so those
 * are judged by their own schema, and custom objects by the core schema they claim.
 */
function oracleValid(oracle: StixOracle, o: Obj): boolean {
  const t = typeof o.type === 'string' ? o.type : '';
  if (OWN_SCHEMA[t]) return oracle.validateAgainst(OWN_SCHEMA[t], o).valid;
  if (KNOWN_SCO.has(t) || KNOWN_OTHER.has(t))
    return oracle.validateBundle({ type: 'bundle', id: `bundle--${U}`, objects: [o] }).valid;
  const core = 'created' in o || 'modified' in o ? 'common/core.json' : 'common/cyber-observable-core.json';
  return oracle.validateAgainst(core, o).valid;
}

const U = '6ba7b810-9dad-41d1-80b4-00c04fd430c8';
const T = '2026-11-20T10:00:00.000Z';
const T2 = '2026-11-21T10:00:00.000Z';
const sdo = (type: string, extra: Obj): Obj => ({
  type,
  spec_version: '2.1',
  id: `${type}--${U}`,
  created: T,
  modified: T,
  ...extra,
});
const sco = (type: string, extra: Obj): Obj => ({ type, spec_version: '2.1', id: `${type}--${U}`, ...extra });
const ref = (type: string): string => `${type}--${U}`;

/** One valid object of every STIX 2.1 type, with most optional properties present. */
const SEEDS: Obj[] = [
  sdo('attack-pattern', {
    name: 'a',
    aliases: ['b'],
    kill_chain_phases: [{ kill_chain_name: 'k', phase_name: 'p' }],
    external_references: [{ source_name: 'capec', external_id: 'CAPEC-163' }],
  }),
  sdo('campaign', { name: 'c', first_seen: T, last_seen: T2, objective: 'o', labels: ['l'], confidence: 80 }),
  sdo('course-of-action', { name: 'c' }),
  sdo('grouping', { context: 'suspicious-activity', object_refs: [ref('indicator')] }),
  sdo('identity', { name: 'i', identity_class: 'organization', sectors: ['technology'], roles: ['r'] }),
  sdo('incident', { name: 'i' }),
  sdo('indicator', {
    name: 'n',
    description: 'd',
    indicator_types: ['malicious-activity'],
    pattern: "[ipv4-addr:value = '198.51.100.1']",
    pattern_type: 'stix',
    pattern_version: '2.1',
    valid_from: T,
    valid_until: T2,
    object_marking_refs: [ref('marking-definition')],
    created_by_ref: ref('identity'),
    granular_markings: [{ selectors: ['description'], marking_ref: ref('marking-definition') }],
  }),
  sdo('infrastructure', { name: 'i', infrastructure_types: ['botnet'], first_seen: T }),
  sdo('intrusion-set', { name: 'i', goals: ['g'], resource_level: 'team' }),
  sdo('location', { region: 'europe', latitude: 48.8, longitude: 2.3, precision: 10 }),
  sdo('malware-analysis', { product: 'p', result: 'malicious', sample_ref: ref('file') }),
  sdo('malware', { name: 'm', is_family: true, malware_types: ['bot'] }),
  sdo('note', { content: 'c', object_refs: [ref('campaign')], authors: ['a'] }),
  sdo('observed-data', {
    first_observed: T,
    last_observed: T2,
    number_observed: 3,
    object_refs: [ref('ipv4-addr')],
  }),
  sdo('opinion', { opinion: 'agree', object_refs: [ref('campaign')] }),
  sdo('report', { name: 'r', published: T, object_refs: [ref('campaign')], report_types: ['campaign'] }),
  sdo('threat-actor', { name: 't', threat_actor_types: ['crime-syndicate'] }),
  sdo('tool', { name: 't', tool_version: '1' }),
  sdo('vulnerability', {
    name: 'v',
    external_references: [{ source_name: 'cve', external_id: 'CVE-2024-1234' }],
  }),
  sdo('relationship', {
    relationship_type: 'uses',
    source_ref: ref('campaign'),
    target_ref: ref('attack-pattern'),
  }),
  sdo('sighting', {
    sighting_of_ref: ref('campaign'),
    count: 4,
    first_seen: T,
    last_seen: T2,
    where_sighted_refs: [ref('identity')],
    observed_data_refs: [ref('observed-data')],
  }),
  sdo('language-content', { object_ref: ref('campaign'), contents: { de: { name: 'n' } } }),
  sdo('x-acme-widget', { colour: 'teal' }),
  sco('x-acme-thing', { colour: 'teal' }),
  sco('ipv4-addr', { value: '198.51.100.0/24' }),
  sco('ipv6-addr', { value: '2001:db8::/48' }),
  sco('domain-name', { value: 'example.com' }),
  sco('url', { value: 'https://example.com/a' }),
  sco('email-addr', { value: 'a@example.com' }),
  sco('autonomous-system', { number: 64500, name: 'x' }),
  sco('mac-addr', { value: '00:00:5e:00:53:af' }),
  sco('mutex', { name: 'm' }),
  sco('directory', { path: '/tmp' }),
  sco('software', { name: 's', vendor: 'v' }),
  sco('user-account', { user_id: 'u', account_login: 'l' }),
  sco('x509-certificate', { serial_number: '1' }),
  sco('file', { name: 'f.txt', hashes: { 'SHA-256': 'a'.repeat(64) }, size: 3 }),
  sco('artifact', { payload_bin: 'aGk=' }),
  sco('network-traffic', { protocols: ['tcp'], src_ref: ref('ipv4-addr'), is_active: false }),
  sco('process', { pid: 1 }),
  sco('email-message', { is_multipart: false, body: 'b' }),
  {
    type: 'marking-definition',
    spec_version: '2.1',
    id: ref('marking-definition'),
    created: T,
    definition_type: 'statement',
    definition: { statement: 'Copyright' },
  },
  ...TLP_LEVELS.map(tlpMarkingDefinition),
  distillGuardIdentity(),
  distillGuardExtensionDefinition(),
  atlasAttackPattern('AML.T0024.002'),
];

/** Ways a member's tool gets an object wrong: every property removed, nulled, emptied or mistyped, and more. */
function* mutants(seed: Obj): Generator<[string, Obj]> {
  for (const k of Object.keys(seed)) {
    const { [k]: _dropped, ...rest } = seed;
    yield [`without ${k}`, rest];
    for (const [what, v] of [
      ['null', null],
      ['[]', []],
      ['{}', {}],
      ['number', 123],
      ['fraction', 1.5],
      ['string', 'x'],
      ['boolean', true],
      ['[1]', [1]],
      ['timestamp without ms', '2026-11-20T10:00:00Z'],
      ['earlier timestamp', '2020-01-01T00:00:00.000Z'],
      ['id of another type', `relationship--${U}`],
    ] as const)
      yield [`${k} = ${what}`, { ...seed, [k]: v }];
  }
  for (const k of ['X', 'ab', 'a-b', 'severity', 'username', 'x_ok_hex', 'x_ok_bin', 'x_list'])
    yield [`plus ${k}`, { ...seed, [k]: k === 'x_list' ? [] : 'not hex nor base64!' }];
  yield ['extensions with a bad key', { ...seed, extensions: { 'bad key': { a: 1 } } }];
  yield [
    'extension without extension_type',
    { ...seed, extensions: { [`extension-definition--${U}`]: { a: 1 } } },
  ];
  yield ['empty extension', { ...seed, extensions: { 'x-ext': {} } }];
}

describe.skipIf(!dir && !process.env.CI)(
  'STIX 2.1 object check (contracts zod) against the OASIS schemas',
  () => {
    const oracle = loadStixOracle(requiredStixSchemaDir());

    it('accepts one valid object of every STIX 2.1 type (and the OASIS agrees they are valid)', () => {
      for (const s of SEEDS) {
        expect(oracleValid(oracle, s), `${String(s.type)} oracle`).toBe(true);
        expect(stixObjectProblems(s), String(s.type)).toEqual([]);
      }
    });

    it('never accepts an object the OASIS schemas reject (thousands of mutants of every type)', () => {
      let mutantCount = 0;
      let oracleInvalid = 0;
      const unsound: string[] = [];
      for (const seed of SEEDS)
        for (const [how, m] of mutants(seed)) {
          mutantCount++;
          const oasis = oracleValid(oracle, m);
          if (!oasis) oracleInvalid++;
          if (!oasis && stixObjectProblems(m).length === 0) unsound.push(`${String(seed.type)}: ${how}`);
        }
      expect(unsound).toEqual([]);
      expect(mutantCount).toBeGreaterThan(3000);
      expect(oracleInvalid).toBeGreaterThan(1000);
    });

    it('accepts the OASIS example objects', () => {
      const examples = path.resolve(dir!, '../examples');
      for (const f of readdirSync(examples)) {
        const bundle = JSON.parse(readFileSync(path.join(examples, f), 'utf8')) as { objects: Obj[] };
        for (const o of bundle.objects) expect(stixObjectProblems(o), f).toEqual([]);
      }
    });

    it('says what is wrong, briefly, and at most five times per object', () => {
      const bad = { ...SEEDS[6], pattern: undefined, created: 'yesterday', [`x_${'a'.repeat(400)}`]: null };
      const problems = stixObjectProblems(JSON.parse(JSON.stringify(bad)));
      expect(problems.length).toBeGreaterThan(0);
      expect(problems.length).toBeLessThanOrEqual(5);
      expect(problems.join('\n')).toMatch(/pattern|created/);
      for (const p of problems) expect(p.length).toBeLessThanOrEqual(201);
      expect(stixObjectProblems('nope')).toEqual(['(object): not a JSON object']);
    });
  },
);
