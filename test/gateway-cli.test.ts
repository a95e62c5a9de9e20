import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DemoUpstream, startGateway } from '../src/gateway/index.js';
import { CanaryGenerator, formatProbeSummary, runProbeToFiles } from '../src/respond/index.js';
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
    const target = new DemoUpstream({
      answers: new Map([['What is a fjord?', `A drowned glacial valley. ${canary.text}`]]),
    });
    const url = await target.listen();
    const registry = join(dir, 'canaries.ndjson');
    writeFileSync(
      registry,
      `${JSON.stringify({
        canary_id: canary.canary_id,
        subject: 'cluster-x',
        text: canary.text,
        account_id: 'acct-9',
        event_id: 'gw-1',
        served_at: '2026-11-20T10:00:00Z',
        prompt: 'What is a fjord?',
      })}\nnot json\n`,
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
