import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';

export const ROOT = path.resolve(import.meta.dirname, '..');
/** The built CLI: tests that spawn it call `ensureBuilt()` first. */
export const CLI = path.join(ROOT, 'dist/cli/main.js');

/** The newest modification time of a production source under `dir` (tests are not built). */
function newestSource(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newestSource(p));
    else if (!e.name.endsWith('.test.ts')) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

/**
 * Tests that run the built CLI or server (a child process, a worker thread) need dist/ to reflect
 * src/: `npm ci` builds it in CI; here it is rebuilt when a source is newer.
 */
export function ensureBuilt(): void {
  const built = existsSync(CLI) ? statSync(CLI).mtimeMs : 0;
  if (built >= newestSource(path.join(ROOT, 'src'))) return;
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'ignore' });
  } catch {
    // tsc still emits when another module has a type error; the callers fail loudly if not.
  }
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

const run = promisify(execFile);

/** Runs the built CLI to its end (60 s at most unless told); resolves with its exit code and output. */
export async function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {},
): Promise<CliRun> {
  try {
    const r = await run(process.execPath, [CLI, ...args], { timeout: 60_000, ...options });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    // A killed run (the timeout) has no numeric code.
    const e = err as { code?: unknown; stdout: string; stderr: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Runs the built CLI in `cwd` (3 minutes at most) and expects exit 0; resolves with its stdout. */
export const okIn =
  (cwd: string) =>
  async (args: readonly string[]): Promise<string> => {
    const r = await runCli(args, { cwd, timeout: 180_000 });
    expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
    return r.stdout;
  };

/**
 * A sharing member's files in `dir`, as the README has them: `simulate --scale small --seed N`,
 * `analyze` into findings.json, and a community key in key.yaml.
 */
export async function simulatedMember(dir: string, seed: number): Promise<void> {
  ensureBuilt();
  const ok = okIn(dir);
  await ok(['simulate', '--scale', 'small', '--seed', String(seed), '--out', '.']);
  await ok([
    'analyze',
    'traffic.ndjson',
    '--accounts',
    'accounts.ndjson',
    '--out',
    'findings.json',
    '--no-progress',
  ]);
  await ok(['intel', 'community-key', '--id', 'isac-1', '--out', 'key.yaml']);
}

/**
 * Received intel as `intel pull` keeps it, every object received at `receivedAt`, in `<dir>/state`,
 * and a community key of `secretByte` repeated in `<dir>/ck.yaml`: what `intel match` reads.
 */
export function receivedIntel(
  dir: string,
  objects: readonly { id: string }[],
  receivedAt: string,
  secretByte: string,
): { state: string; key: string } {
  const state = path.join(dir, 'state');
  mkdirSync(state);
  writeFileSync(
    path.join(state, 'received.json'),
    JSON.stringify({
      cursors: {},
      objects: Object.fromEntries(objects.map((o) => [o.id, { received_at: receivedAt, object: o }])),
      sightings: {},
    }),
  );
  const key = path.join(dir, 'ck.yaml');
  writeFileSync(key, `current: k1\nkeys:\n  - id: k1\n    secret: ${secretByte.repeat(32)}\n`);
  return { state, key };
}

/** `intel export` of that member's findings, traffic and accounts as org-a; add --out or --dry-run. */
export const MEMBER_EXPORT = [
  'intel',
  'export',
  '--findings',
  'findings.json',
  '--traffic',
  'traffic.ndjson',
  '--accounts',
  'accounts.ndjson',
  '--publisher',
  'org-a',
  '--key',
  'key.yaml',
] as const;
