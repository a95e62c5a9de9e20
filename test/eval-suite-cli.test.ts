import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli as run } from './cli-harness.js';

// Starting the CLI is a second or two of CPU; on a loaded machine it can take a minute of clock.
const runCli = (args: string[]) => run(args, { timeout: 300_000 });

// The eval-suite flags come from EvalSuiteConfig: a bad value is one coded line before any run.
beforeAll(() => ensureBuilt(), 300_000);

describe('eval-suite flags', () => {
  it('refuses seeds that are not whole numbers', async () => {
    const r = await runCli(['eval-suite', '--scales', 'small', '--seeds', '1,x', '--no-corpora']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/INVALID_ARGUMENT.*--seeds: must be comma-separated whole numbers/);
    expect(r.stdout).toBe('');
  }, 900_000);
  it('refuses an unknown scale and a --commit that is not a commit id', async () => {
    const scale = await runCli(['eval-suite', '--scales', 'small,huge', '--no-corpora']);
    expect(scale.code).toBe(2);
    expect(scale.stderr).toMatch(/--scales: must be a comma-separated list of small, medium and large/);
    const commit = await runCli(['eval-suite', '--commit', 'HEAD', '--no-corpora']);
    expect(commit.code).toBe(2);
    expect(commit.stderr).toMatch(/--commit: must be a commit id/);
  }, 900_000);
  it('refuses a corpora folder that is not there', async () => {
    const r = await runCli([
      'eval-suite',
      '--scales',
      'small',
      '--seeds',
      '1',
      '--corpora',
      '/nonexistent/corpora',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/FILE_NOT_FOUND.*--corpora: no folder \/nonexistent\/corpora/);
  }, 900_000);
});
