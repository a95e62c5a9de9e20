import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  exportToFile,
  loadSharingPolicy,
  psiStep,
  writeCommunityKey,
  writeMemberKey,
} from '../src/intel/index.js';
import { UserError } from '../src/contracts/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'dg-intel-wf-'));
const f = (name: string): string => path.join(dir, name);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function userErrorCode(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return e instanceof UserError ? `${e.code}: ${e.message}` : `unexpected: ${String(e)}`;
  }
}

describe('intel command workflows', () => {
  it('runs a two-party PSI through message files; each side prints only the overlap', () => {
    writeFileSync(f('a.txt'), 'hmac-sha256:k:1\nhmac-sha256:k:2\nhmac-sha256:k:3\n');
    writeFileSync(f('b.txt'), 'hmac-sha256:k:3\nhmac-sha256:k:9\nhmac-sha256:k:1\n');
    psiStep('start', { items: f('a.txt'), state: f('a.psi'), out: f('m1.json') });
    psiStep('respond', { items: f('b.txt'), state: f('b.psi'), in: f('m1.json'), out: f('m2.json') });
    const a = psiStep('finish', { state: f('a.psi'), in: f('m2.json'), out: f('m3.json') });
    const b = psiStep('finish', { state: f('b.psi'), in: f('m3.json') });
    expect(a?.sort()).toEqual(['hmac-sha256:k:1', 'hmac-sha256:k:3']);
    expect(b?.sort()).toEqual(['hmac-sha256:k:1', 'hmac-sha256:k:3']);
    for (const m of ['m1.json', 'm2.json', 'm3.json'])
      expect(readFileSync(f(m), 'utf8')).not.toContain('hmac-sha256');
    expect(userErrorCode(() => psiStep('finish', { state: f('a.psi'), in: f('a.txt') }))).toMatch(
      /^INVALID_INPUT/,
    );
  });

  it('refuses a findings file that is not findings.v1 and a bad policy, with clear messages', async () => {
    writeCommunityKey('isac-1', f('ck.yaml'));
    writeFileSync(f('bad-findings.json'), JSON.stringify({ format: 'findings.v0' }));
    await expect(
      exportToFile({
        findings: f('bad-findings.json'),
        publisher: 'org-a',
        communityKey: f('ck.yaml'),
        dryRun: true,
      }),
    ).rejects.toThrow(/is not findings\.v1/);
    writeFileSync(f('policy.yaml'), 'default_tlp: purple\nmin_cluster_size: 0\n');
    expect(userErrorCode(() => loadSharingPolicy(f('policy.yaml')))).toMatch(
      /^INVALID_CONFIG: .*default_tlp/,
    );
  });

  it('writes a signed bundle that needs --out unless it is a dry run', async () => {
    writeCommunityKey('isac-1', f('ck2.yaml'));
    const pub = writeMemberKey('org-a', f('key.yaml'));
    expect(pub).toMatch(/^[0-9a-f]{64}$/);
    const findings = {
      format: 'findings.v1',
      generated_at: '2026-11-21T00:00:00Z',
      input: { events: 0, accounts: 3, rejected_lines: 0, from: null, to: null },
      accounts: [],
      clusters: [
        {
          cluster_id: 'c1',
          account_ids: ['x1', 'x2', 'x3'],
          score: 0.9,
          level: 'act',
          events: 30,
          links: [{ kind: 'asn', value: '64512', accounts: 3 }],
          signals: [],
        },
      ],
    };
    writeFileSync(f('findings.json'), JSON.stringify(findings));
    const flags = { findings: f('findings.json'), publisher: 'org-a', communityKey: f('ck2.yaml') };
    await expect(exportToFile(flags)).rejects.toThrow(/--out/);
    const dry = await exportToFile({ ...flags, dryRun: true });
    // Findings alone cannot say how rare AS64512 is in the publisher's other traffic: it stays home.
    expect(dry.report).not.toContain('[autonomous-system:number = 64512]');
    expect(dry.report).toContain('how rare it is in your other traffic is unknown');
    await exportToFile({ ...flags, out: f('bundle.json'), sign: f('key.yaml') });
    expect(JSON.parse(readFileSync(f('bundle.json.sig'), 'utf8'))).toMatchObject({
      alg: 'ed25519',
      member: 'org-a',
    });
  });
});
