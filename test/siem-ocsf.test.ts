import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ATLAS,
  ATLAS_TECHNIQUES,
  atlasFullName,
  OcsfDetectionFinding,
  levelRank,
  type Findings,
} from '../src/contracts/index.js';
import { analyzeFiles } from '../src/pipeline/index.js';
import { simulate } from '../src/sim/index.js';
import { ensureBuilt, runCli } from './cli-harness.js';
import { call, startTestService } from './server-harness.js';

/*
 * Attributes OCSF 1.5.0 marks `requirement: required` for Detection Finding (class_uid 2004),
 * from ocsf-schema v1.5.0 (schema.ocsf.io/1.5.0/classes/detection_finding): the base event's
 * activity_id, category_uid, class_uid, metadata, severity_id, time, type_uid; the Findings
 * category's finding_info; in finding_info, uid and title (title is required up to 1.5 and
 * recommended later; we always write it); in metadata, product and version. In `attack`, at least
 * one of tactic, technique, sub_technique, each a uid and name.
 */
const REQUIRED: readonly string[] = [
  'activity_id',
  'category_uid',
  'class_uid',
  'finding_info',
  'finding_info.uid',
  'finding_info.title',
  'metadata',
  'metadata.product',
  'metadata.version',
  'severity_id',
  'time',
  'type_uid',
];

const at = (o: unknown, path: string): unknown =>
  path
    .split('.')
    .reduce<unknown>(
      (x, k) => (x && typeof x === 'object' ? (x as Record<string, unknown>)[k] : undefined),
      o,
    );

let dir: string;
let findingsFile: string;
let findings: Findings;
let records: OcsfDetectionFinding[];
let raw: Record<string, unknown>[];

/** `distillguard findings export` of a findings file to `out`, in OCSF unless told otherwise. */
const exportFindings = (findings: string, out: string, format = 'ocsf') =>
  runCli(['findings', 'export', '--format', format, '--findings', findings, '--out', out]);

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'dg-ocsf-'));
  const sim = await simulate({ scale: 'small', seed: 1, out: dir, gzip: false, corpus: [] });
  ({
    detail: { findings },
  } = await analyzeFiles([sim.files.traffic], { accounts: [sim.files.accounts] }));
  findingsFile = join(dir, 'findings.json');
  writeFileSync(findingsFile, JSON.stringify(findings));
  const out = join(dir, 'findings.ocsf.ndjson');
  const r = await exportFindings(findingsFile, out);
  expect(r.code, r.stderr).toBe(0);
  raw = readFileSync(out, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  records = raw.map((x) => OcsfDetectionFinding.parse(x));
}, 600_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const dg = (r: OcsfDetectionFinding) => r.unmapped.distillguard;

describe('findings export --format ocsf on simulated findings', () => {
  it('writes one record per account and per cluster at review or above, and no other', () => {
    const review = levelRank('review');
    const want = [
      ...findings.clusters.filter((c) => levelRank(c.level) >= review).map((c) => `cluster:${c.cluster_id}`),
      ...findings.accounts.filter((a) => levelRank(a.level) >= review).map((a) => `account:${a.account_id}`),
    ];
    expect(want.length).toBeGreaterThan(10);
    expect(records.map((r) => `${dg(r).kind}:${dg(r).principal.uid}`)).toEqual(want);
    expect(new Set(records.map((r) => r.finding_info.uid)).size).toBe(records.length);
  });

  it('every record has every attribute OCSF 1.5 requires of class 2004, with the right types', () => {
    for (const r of raw) {
      for (const path of REQUIRED) expect(at(r, path), path).not.toBeUndefined();
      expect(r['class_uid']).toBe(2004);
      expect(r['category_uid']).toBe(2);
      expect(r['type_uid']).toBe(2004 * 100 + (r['activity_id'] as number));
      expect(Number.isInteger(r['time'])).toBe(true);
      expect([3, 4]).toContain(r['severity_id']);
      expect(typeof at(r, 'finding_info.uid')).toBe('string');
      expect(at(r, 'metadata.version')).toBe('1.5.0');
      const attacks = at(r, 'finding_info.attacks') as Record<string, { uid: string; name: string }>[];
      expect(attacks.length).toBeGreaterThan(0);
      for (const a of attacks) {
        expect(a['tactic']?.uid).toMatch(/^AML\.TA\d{4}$/u);
        expect(a['technique']?.uid).toMatch(/^AML\.T\d{4}$/u);
        expect(typeof a['technique']?.name).toBe('string');
      }
    }
  });

  it('carries the level, the evidence and MITRE ATLAS techniques from the one table', () => {
    const known = new Set<string>(ATLAS_TECHNIQUES.map((t) => t.id));
    for (const r of records) {
      const finding =
        dg(r).kind === 'cluster'
          ? findings.clusters.find((c) => c.cluster_id === dg(r).principal.uid)
          : findings.accounts.find((a) => a.account_id === dg(r).principal.uid);
      expect(dg(r).level).toBe(finding?.level);
      expect(r.severity_id).toBe(finding?.level === 'act' ? 4 : 3);
      expect(r.evidences.map((e) => e.data.detector)).toEqual(finding?.signals.map((s) => s.detector));
      for (const a of r.finding_info.attacks) {
        const id = a.sub_technique?.uid ?? a.technique.uid;
        expect(known.has(id), id).toBe(true);
        expect(a.sub_technique?.src_url ?? a.technique.src_url).toBe(
          `https://atlas.mitre.org/techniques/${id}`,
        );
      }
    }
  });

  it('names IP theft on campaigns, AI service proxies on network links, accounts on sign-up waves, prompt crafting on reasoning wrappers', () => {
    const ids = (r: OcsfDetectionFinding) =>
      r.finding_info.attacks.map((a) => a.sub_technique?.uid ?? a.technique.uid);
    const clusters = records.filter((r) => dg(r).kind === 'cluster');
    expect(clusters.length).toBeGreaterThan(0);
    for (const c of clusters) {
      expect(ids(c)).toContain(ATLAS.ipTheft);
      const kinds = new Set(dg(c).links?.map((l) => l.kind));
      expect(ids(c).includes(ATLAS.serviceProxies)).toBe(kinds.has('asn') || kinds.has('ip_prefix'));
      if (kinds.has('signup_window')) expect(ids(c)).toContain(ATLAS.establishAccounts);
    }
    expect(clusters.some((c) => ids(c).includes(ATLAS.serviceProxies))).toBe(true);
    expect(clusters.some((c) => ids(c).includes(ATLAS.establishAccounts))).toBe(true);
    const accounts = records.filter((r) => dg(r).kind === 'account');
    for (const a of accounts) {
      expect(ids(a)).not.toContain(ATLAS.ipTheft);
      const reasoning = a.evidences.some((e) => e.data.detector === 'reasoning-elicitation');
      if (reasoning) expect(ids(a)).toContain(ATLAS.promptCrafting);
    }
    expect(accounts.some((a) => ids(a).includes(ATLAS.promptCrafting))).toBe(true);
  });

  it('alerts carry what AISVS C11.5.2 asks: the principal, the query volume, input-distribution statistics', () => {
    for (const r of records) {
      const d = dg(r);
      const finding =
        d.kind === 'cluster'
          ? findings.clusters.find((c) => c.cluster_id === d.principal.uid)
          : findings.accounts.find((a) => a.account_id === d.principal.uid);
      expect(d.query_volume.requests).toBe(finding?.events);
      expect(r.count).toBe(finding?.events);
      if (d.kind === 'account') expect(r.actor?.user.uid).toBe(d.principal.uid);
      else
        expect(d.principal.accounts).toBe(
          findings.clusters.find((c) => c.cluster_id === d.principal.uid)?.account_ids.length,
        );
      expect(d.input_distribution.length).toBeGreaterThan(0);
      for (const x of d.input_distribution) expect(x.share).toBeLessThanOrEqual(1);
    }
  });

  it('names the response the default policy takes and the ATLAS mitigation it implements', () => {
    const act = records.find((r) => dg(r).kind === 'cluster' && dg(r).level === 'act');
    expect(dg(act!).response).toEqual([{ action: 'block', mitigations: ['AML.M0019'] }]);
    expect(act!.remediation.references).toContain('https://atlas.mitre.org/mitigations/AML.M0019');
  });

  it('refuses a missing file, a file that is not findings.v1 and an unknown format with one coded line', async () => {
    const out = join(dir, 'x.ndjson');
    const missing = await exportFindings(join(dir, 'nope.json'), out);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/error\[FILE_NOT_FOUND\]/u);
    expect(missing.stderr).not.toMatch(/\n\s+at /u);

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ format: 'findings.v1', accounts: 'many' }));
    const invalid = await exportFindings(bad, out);
    expect(invalid.stderr).toMatch(/error\[INVALID_INPUT\]/u);

    const format = await exportFindings(findingsFile, out, 'cef');
    expect(format.code).not.toBe(0);
    expect(format.stderr).toMatch(/ocsf/u);
  });
});

describe('docs/siem.md', () => {
  it('prints the one technique table as src/contracts/atlas.ts holds it, and cites AML.CS0056', () => {
    const doc = readFileSync(path.resolve(import.meta.dirname, '../docs/siem.md'), 'utf8');
    const rows = new Map(
      doc
        .split('\n')
        .filter((l) => /^\| `AML\.T/u.test(l))
        .map((l) => {
          const cells = l
            .split('|')
            .slice(1, -1)
            .map((c) => c.trim());
          return [cells[0]!.replaceAll('`', ''), cells.slice(1)] as const;
        }),
    );
    expect([...rows.keys()]).toEqual(ATLAS_TECHNIQUES.map((t) => t.id));
    for (const t of ATLAS_TECHNIQUES)
      expect(rows.get(t.id)).toEqual([
        atlasFullName(t),
        `${t.tactic.name} (${t.tactic.id})`,
        t.evidence,
        t.mitigations.map((m) => m.id).join(', '),
      ]);
    expect(doc).toContain('AML.CS0056');
  });
});

describe('GET /v1/findings/ocsf.ndjson on the same findings', () => {
  it('streams the records findings export writes, clusters first, bounded by limit', async () => {
    // The service scoring nothing itself and serving stored findings, as under `serve --nats`.
    const ts = await startTestService('sqlite', {
      engine: () => ({
        addAccount: () => undefined,
        addEvent: () => undefined,
        addBenignReference: () => undefined,
        analyze: () => ({ findings }),
      }),
    });
    try {
      await ts.service.ctx.live.refresh();
      const k = await call(`${ts.url}/v1/keys`, 'POST', ts.admin, {
        json: { name: 'siem', role: 'analyst' },
      });
      const key = (k.body as { key: string }).key;
      const all = await call(`${ts.url}/v1/findings/ocsf.ndjson?limit=10000`, 'GET', key);
      expect(all.status, all.text).toBe(200);
      const lines = all.text.split('\n').filter(Boolean);
      // The default policy, so the same response and mitigations as the CLI's records.
      expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual(raw.map((r) => ({ ...r })));
      const act = await call(`${ts.url}/v1/findings/ocsf.ndjson?min_level=act&limit=3`, 'GET', key);
      const actLines = act.text
        .split('\n')
        .filter(Boolean)
        .map((l) => OcsfDetectionFinding.parse(JSON.parse(l)));
      expect(actLines).toEqual(records.filter((r) => r.unmapped.distillguard.level === 'act').slice(0, 3));
      expect((await call(`${ts.url}/v1/findings/ocsf.ndjson`, 'GET', null)).status).toBe(401);
    } finally {
      await ts.dispose();
    }
  }, 120_000);
});
