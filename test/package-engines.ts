import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const semver = require('semver') as {
  subset(sub: string, dom: string, opts?: { includePrerelease?: boolean }): boolean;
  satisfies(version: string, range: string): boolean;
};

/**
 * Every package of the locked tree (what `npm ci` installs, and what an installed tarball resolves
 * to) whose `engines.node` does not admit every Node version our `engines` claims.
 */
export function enginesNotCovering(
  ours: string,
  packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>,
): string[] {
  return Object.entries(packages).flatMap(([where, p]) => {
    const node = p.engines && !Array.isArray(p.engines) ? p.engines.node : undefined;
    if (!where || !node) return [];
    return semver.subset(ours, node) ? [] : [`${where}@${p.version ?? '?'} wants node ${node}`];
  });
}
