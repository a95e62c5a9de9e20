import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { enginesNotCovering, semver } from './package-engines.js';

const root = path.resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  engines: { node: string };
};
const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
};

describe('the Node version in engines', () => {
  it('is admitted by every locked dependency, run-time and development alike', () => {
    expect(enginesNotCovering(pkg.engines.node, lock.packages)).toEqual([]);
  });

  it('holds for the Node running the tests (CI runs the oldest line we claim)', () => {
    expect(semver.satisfies(process.version, pkg.engines.node)).toBe(true);
  });

  it('catches a dependency that wants a newer Node than we claim', () => {
    // The two packages `npm install` once warned about (content-disposition@3, cookie@2).
    const packages = {
      'node_modules/cookie': { version: '2.0.2', engines: { node: '>=22' } },
      'node_modules/ok': { version: '1.0.0', engines: { node: '>=18' } },
    };
    expect(enginesNotCovering(pkg.engines.node, packages)).toEqual([
      'node_modules/cookie@2.0.2 wants node >=22',
    ]);
  });
});
