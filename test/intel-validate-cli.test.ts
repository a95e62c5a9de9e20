import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from './cli-harness.js';
import { requiredStixSchemaDir } from './stix-schemas.js';

// `intel validate` must work from an installed package, where ../shared is not: by default it
// checks with the schemas built into the package; --schemas adds the OASIS ones.
const example = path.resolve(requiredStixSchemaDir(), '..', 'examples', 'indicator-for-c2-ip-address.json');

describe('intel validate', () => {
  let dir: string;
  const write = (name: string, value: unknown): string => {
    const file = path.join(dir, name);
    writeFileSync(file, JSON.stringify(value));
    return file;
  };
  const bundle = () => JSON.parse(readFileSync(example, 'utf8')) as { objects: Record<string, unknown>[] };

  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(path.join(tmpdir(), 'dg-validate-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes the OASIS example without --schemas, run where no ../shared is beside it', async () => {
    const file = write('ok.json', bundle());
    const r = await runCli(['intel', 'validate', file], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('valid STIX 2.1');
  });

  it.each([
    [
      'an indicator without pattern_type',
      (o: Record<string, unknown>) => delete o.pattern_type,
      'pattern_type',
    ],
    ['an empty list', (o: Record<string, unknown>) => (o.indicator_types = []), 'indicator_types'],
    [
      'a reference to an object not in the bundle',
      (o: Record<string, unknown>) => (o.created_by_ref = 'identity--0c3fc1a1-2d3d-4a6c-9e16-8d0e1b8d6f33'),
      'not in the bundle',
    ],
    [
      'valid_until before valid_from',
      (o: Record<string, unknown>) => (o.valid_until = '2010-01-01T00:00:00.000Z'),
      'valid_until',
    ],
  ])('refuses %s with exit 2 and one clear line, with and without --schemas', async (_name, spoil, word) => {
    const b = bundle();
    spoil(b.objects[0]!);
    const file = write(`bad-${word.replace(/\W/g, '')}.json`, b);
    for (const extra of [[], ['--schemas', requiredStixSchemaDir()]]) {
      const r = await runCli(['intel', 'validate', file, ...extra], { cwd: dir });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^error\[INVALID_INPUT\]: .*does not validate/);
      expect(r.stderr).toContain(word);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it.each([
    [
      'an unknown operator',
      "[ipv4-addr:value =~ '198.51.100.1']",
      /unexpected character "~" at character 19/,
    ],
    ['lower-case keywords', "[ipv4-addr:value = '198.51.100.1'] within 5 seconds", /found "within"/],
    [
      '10,000 nested parentheses',
      `${'('.repeat(10_000)}[ipv4-addr:value = '198.51.100.1']${')'.repeat(10_000)}`,
      /nested deeper than 64/,
    ],
    [
      'more than 65,536 characters',
      `[ipv4-addr:value = '${'1'.repeat(70_000)}']`,
      /longer than 65536 characters \(70022\)/,
    ],
    [
      '1,001 observation expressions (1,001 comparisons)',
      Array.from({ length: 1001 }, (_, i) => `[autonomous-system:number = ${i}]`).join(' AND '),
      /more than 1000 comparisons/,
    ],
    [
      'a MATCHES expression that backtracks exponentially',
      "[ipv4-addr:value MATCHES '^(\\\\d+\\\\.?)+$']",
      /MATCHES expression at character 26: nested quantifier at character 10/,
    ],
    [
      'a property ipv4-addr does not have',
      "[ipv4-addr:address = '198.51.100.1']",
      /"address" at character 12 is not a property of ipv4-addr objects in STIX 2\.1 \(custom properties start with x_\)/,
    ],
  ])(
    'refuses an indicator pattern with %s: INVALID_STIX_PATTERN, exit 2, with and without --schemas',
    async (_name, pattern, why) => {
      const b = bundle();
      const ind = b.objects.find((o) => o.type === 'indicator')!;
      ind.pattern = pattern;
      const file = write(`bad-pattern-${pattern.length}.json`, b);
      for (const extra of [[], ['--schemas', requiredStixSchemaDir()]]) {
        const r = await runCli(['intel', 'validate', file, ...extra], { cwd: dir });
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toMatch(
          new RegExp(
            `^error\\[INVALID_STIX_PATTERN\\]: .*does not validate: ${String(ind.id)} pattern: not a STIX 2\\.1 pattern`,
          ),
        );
        expect(r.stderr).toMatch(why);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
      }
    },
  );

  it('calls a bundle with a bad pattern and another problem INVALID_INPUT, listing both', async () => {
    const b = bundle();
    const ind = b.objects.find((o) => o.type === 'indicator')!;
    ind.pattern = '[ipv4-addr:value]';
    ind.indicator_types = [];
    const r = await runCli(['intel', 'validate', write('bad-both.json', b)], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error\[INVALID_INPUT\]: .*does not validate/);
    expect(r.stderr).toContain('INVALID_STIX_PATTERN');
    expect(r.stderr).toContain('indicator_types');
  });

  it('names the folder when --schemas does not hold the OASIS schemas', async () => {
    const r = await runCli(['intel', 'validate', write('ok2.json', bundle()), '--schemas', dir], {
      cwd: dir,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--schemas ${dir} does not hold the OASIS STIX 2.1 JSON schemas`);
  });
});
