import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DemoUpstream, startGateway } from '../src/gateway/index.js';
import {
  CanaryGenerator,
  DEFAULT_CANARY_BANKS,
  formatProbeSummary,
  runProbeToFiles,
} from '../src/respond/index.js';
import { stringify as stringifyYaml } from 'yaml';
import { ensureBuilt, runCli } from './cli-harness.js';
import { isUserError } from '../src/contracts/index.js';

const dir = mkdtempSync(join(tmpdir(), 'dg-gw-cli-'));

async function userError(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    if (isUserError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a UserError');
}

/**
 * A target "model" that learned the answer it was served for `prompt`, canary included, and a
 * gateway registry (file `name`, then `extraLines`) saying that canary was served for `subject`.
 */
async function learnedCanary(
  canary: { canary_id: string; text: string },
  subject: string,
  [prompt, answer]: [string, string],
  name: string,
  extraLines = '',
): Promise<{ target: DemoUpstream; url: string; registry: string }> {
  const target = new DemoUpstream({ answers: new Map([[prompt, `${answer} ${canary.text}`]]) });
  const url = await target.listen();
  const registry = join(dir, name);
  const served = {
    canary_id: canary.canary_id,
    subject,
    text: canary.text,
    account_id: 'acct-9',
    event_id: 'gw-1',
    served_at: '2026-11-20T10:00:00Z',
    prompt,
  };
  writeFileSync(registry, `${JSON.stringify(served)}\n${extraLines}`);
  return { target, url, registry };
}

describe('gateway configuration errors are user errors with one clear message', () => {
  it('needs somewhere to record events', async () => {
    const e = await userError(startGateway({ upstream: 'http://127.0.0.1:1', port: 0 }));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toContain('--server URL, --nats URL or --events-out FILE');
  });

  it('rejects an upstream that is not a URL and a canary rate outside (0, 1]', async () => {
    expect(
      (
        await userError(
          startGateway({ upstream: 'api.openai.com', port: 0, eventsOut: join(dir, 'e.ndjson') }),
        )
      ).code,
    ).toBe('INVALID_ARGUMENT');
    const e = await userError(
      startGateway({
        upstream: 'http://127.0.0.1:1',
        port: 0,
        eventsOut: join(dir, 'e.ndjson'),
        canaryRate: 1.5,
      }),
    );
    expect(e.message).toContain('--canary-rate');
  });

  it('names the file and the problem for a bad decisions or keys file', async () => {
    const decisions = join(dir, 'decisions.yaml');
    writeFileSync(decisions, 'decisions:\n  - { account_id: a, action: nuke }\n');
    const d = await userError(
      startGateway({
        upstream: 'http://127.0.0.1:1',
        port: 0,
        eventsOut: join(dir, 'e.ndjson'),
        decisionsFile: decisions,
      }),
    );
    expect(d.code).toBe('INVALID_CONFIG');
    expect(d.message).toContain(decisions);
    expect(d.message).toContain('action');
    const keys = join(dir, 'keys.json');
    writeFileSync(keys, JSON.stringify({ 'sk-live-plaintext': 'acct-1' }));
    const k = await userError(
      startGateway({
        upstream: 'http://127.0.0.1:1',
        port: 0,
        eventsOut: join(dir, 'e.ndjson'),
        keysFile: keys,
      }),
    );
    expect(k.code).toBe('INVALID_CONFIG');
    expect(k.message).toContain('is not a SHA-256 hex digest');
    expect(k.message).not.toContain('sk-live-plaintext');
  });
});

describe('probe to files (what distillguard probe runs)', () => {
  it('writes the JSON and HTML reports and prints the verdict', async () => {
    const secret = 'cli-probe-secret-1';
    const canary = new CanaryGenerator(secret).canariesFor('cluster-x')[3]!;
    // A "model" that learned the served answer, canary included.
    const { target, url, registry } = await learnedCanary(
      canary,
      'cluster-x',
      ['What is a fjord?', 'A drowned glacial valley.'],
      'canaries.ndjson',
      'not json\n',
    );
    const out = join(dir, 'report');
    try {
      const result = await runProbeToFiles({
        target: { url, model: 'm' },
        registryPath: registry,
        secret,
        outDir: out,
      });
      const printed = formatProbeSummary(result);
      expect(printed).toContain('cluster-x: 1/1 canaries back');
      expect(printed).toContain('1 unreadable registry lines were not used: line 2 (not valid JSON)');
    } finally {
      await target.close();
    }
    const report = JSON.parse(readFileSync(join(out, 'probe-report.json'), 'utf8')) as {
      subjects: { subject: string; returned: number }[];
    };
    expect(report.subjects).toEqual([expect.objectContaining({ subject: 'cluster-x', returned: 1 })]);
    expect(existsSync(join(out, 'probe-report.html'))).toBe(true);
  });
});

describe('own canary banks (--canary-banks)', () => {
  const banksFile = join(dir, 'banks.yaml');
  const own = {
    ...DEFAULT_CANARY_BANKS,
    tips: DEFAULT_CANARY_BANKS.tips.map((t) => `${t}, as our style guide says`),
    person_frames: [
      'Per {person}, {tip}.',
      '{person} says: {tip}.',
      'From {person}: {tip}.',
      'Ask {person}: {tip}.',
    ],
  };
  writeFileSync(banksFile, stringifyYaml(own));

  it('probe redraws the served canaries from the same banks and finds the one that came back', async () => {
    ensureBuilt();
    const secret = 'cli-probe-secret-2';
    const canary = new CanaryGenerator(secret, undefined, own).canariesFor('cluster-y')[5]!;
    expect(canary.text).toContain('as our style guide says');
    const { target, url, registry } = await learnedCanary(
      canary,
      'cluster-y',
      ['Name a prime.', 'Seven.'],
      'own-canaries.ndjson',
    );
    try {
      const base = [
        'probe',
        '--target',
        url,
        '--model',
        'm',
        '--registry',
        registry,
        '--canary-secret',
        secret,
      ];
      const run = await runCli([
        ...base,
        '--canary-banks',
        banksFile,
        '--out',
        join(dir, 'own-report'),
        '--json',
      ]);
      expect(run.stderr).toBe('');
      const report = JSON.parse(run.stdout) as {
        subjects: { subject: string; canaries: { matched_by: string }[] }[];
      };
      // Matched by the coined name, which only the same banks and secret reproduce.
      expect(report.subjects[0]!.canaries[0]!.matched_by).toBe('marker');
      const broken = join(dir, 'broken-banks.yaml');
      writeFileSync(
        broken,
        stringifyYaml({ ...own, person_frames: ['No name: {tip}.', ...own.person_frames] }),
      );
      const refused = await runCli([...base, '--canary-banks', broken, '--out', join(dir, 'x')]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('INVALID_CONFIG');
      expect(refused.stderr).toContain('person_frames.0');
      expect(refused.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await target.close();
    }
  });
});
