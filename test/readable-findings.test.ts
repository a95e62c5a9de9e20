import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountRecord, type Findings, type Signal } from '../src/contracts/index.js';
import type { AnalysisDetail } from '../src/findings/index.js';
import { analyzeFiles } from '../src/pipeline/index.js';
import { renderHtmlReport } from '../src/report/index.js';
import { simulate } from '../src/sim/index.js';

// Issue 19 item 15 on the traffic it was filed from (small scale, seed 5, with the accounts
// file): evidence sentences, link values and the report as an analyst reads them.
let dir: string;
let detail: AnalysisDetail;
let findings: Findings;
let records: Map<string, AccountRecord>;
let page: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dg-readable-'));
  const sim = await simulate({ scale: 'small', seed: 5, out: dir, gzip: false, corpus: [] });
  records = new Map(
    readFileSync(sim.files.accounts, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => AccountRecord.parse(JSON.parse(l)))
      .map((r) => [r.account_id, r]),
  );
  ({ detail } = await analyzeFiles([sim.files.traffic], { accounts: [sim.files.accounts] }));
  findings = detail.findings;
  page = renderHtmlReport(detail);
}, 600_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const everySignal = (): { owner: string; members: number; signal: Signal }[] => [
  ...findings.accounts.flatMap((a) =>
    a.signals.map((signal) => ({ owner: a.account_id, members: 1, signal })),
  ),
  ...findings.clusters.flatMap((c) =>
    c.signals.map((signal) => ({ owner: c.cluster_id, members: c.account_ids.length, signal })),
  ),
];
const CJK = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}';

describe('evidence an analyst can read (simulated seed 5)', () => {
  it('names who sent the volume: the tier of a recorded account, the members of a pooled cluster', () => {
    const ramps = everySignal().filter((s) => s.signal.detector === 'volume-ramp');
    expect(ramps.some((s) => s.members > 1)).toBe(true);
    for (const { owner, members, signal } of ramps) {
      expect(signal.evidence).not.toMatch(/\ba unknown\b|\ba [aeiou]/i);
      if (members > 1) expect(signal.evidence).toContain(`pooled over ${members} accounts`);
      else {
        const r = records.get(owner)!;
        expect(signal.evidence).toMatch(new RegExp(`from an? ${r.tier} account \\d+\\.\\d days old`));
      }
    }
  });
  it('starts no evidence sentence mid-phrase, and says what an MMD² is measured against', () => {
    const all = everySignal();
    for (const { signal } of all) expect(signal.evidence).not.toMatch(/^of /);
    const harvest = all.filter((s) => s.signal.detector === 'output-harvesting');
    expect(harvest.length).toBeGreaterThan(0);
    for (const { signal } of harvest)
      expect(signal.evidence).toMatch(/^\d+ % of \d+ requests harvest-shaped: /);
    const shift = all.filter((s) => s.signal.detector === 'distribution-shift');
    expect(shift.length).toBeGreaterThan(0);
    for (const { signal } of shift) {
      // The number means something only next to what benign accounts of the same size show.
      const m =
        /^\d+ prompts differ from benign reference traffic by MMD² = ([\d.]+), where benign accounts of similar size have a median of ([\d.]+)(?: \(([\d.]+)× the median\))?, on a scale from 0 \(drawn like the reference\) to about 2/.exec(
          signal.evidence,
        );
      expect(m, signal.evidence).not.toBeNull();
      const [mmd, median] = [Number(m![1]), Number(m![2])];
      expect(median).toBeGreaterThan(0);
      expect(mmd).toBeGreaterThan(median);
      if (m![3]) expect(Number(m![3])).toBeCloseTo(mmd / median, 0);
    }
  });
  it('carries shared templates and request shapes as words, CJK written without spaces', () => {
    const links = findings.clusters.flatMap((c) => c.links);
    const shapes = links.filter((l) => l.kind === 'request_shape');
    expect(shapes.length).toBeGreaterThan(0);
    for (const l of shapes) {
      expect(l.text).toMatch(/temperature|max_tokens/);
      expect(l.text).not.toMatch(/[|^]/);
    }
    const templates = links.filter((l) => l.kind === 'template' || l.kind === 'elicitation_wrapper');
    const read = templates.filter((l) => l.text);
    // Most keys are recovered from a member's kept sample prompts; the rest stay fingerprints.
    expect(read.length).toBeGreaterThan(0.7 * templates.length);
    for (const l of read.filter((x) => x.kind === 'template')) expect(l.text).toContain('{…}');
    expect(read.some((l) => /your reasoning step by step/.test(l.text!))).toBe(true);
    const cjk = read.filter((l) => new RegExp(`[${CJK}]`, 'u').test(l.text!));
    expect(cjk.length).toBeGreaterThan(0);
    for (const l of cjk) expect(l.text).not.toMatch(new RegExp(`[${CJK}] [${CJK}]`, 'u'));
  });
});

describe('the HTML report of seed 5', () => {
  it('gives sections only to clusters that matter; groups at level none wait behind a filter', () => {
    const flagged = findings.clusters.filter((c) => c.level !== 'none');
    const quiet = findings.clusters.filter((c) => c.level === 'none');
    expect(quiet.length).toBeGreaterThan(5);
    for (const c of flagged.slice(0, 20)) expect(page).toContain(`id="cluster-${c.cluster_id}"`);
    for (const c of quiet) expect(page).not.toContain(`id="cluster-${c.cluster_id}"`);
    const details = page.slice(page.indexOf('<details class="quiet-clusters"'));
    // Whitespace as a browser shows it (the template's line breaks are formatting).
    expect(details.replace(/\s+/g, ' ')).toContain(`${quiet.length} more groups of linked accounts at level`);
    for (const c of quiet) expect(details.slice(0, details.indexOf('</details>'))).toContain(c.cluster_id);
  });
  it('shows template words and request shapes in the links tables, not bare fingerprints', () => {
    const shown = findings.clusters
      .filter((c) => c.level !== 'none')
      .flatMap((c) => c.links)
      .filter((l) => l.kind === 'template' && l.text);
    expect(shown.length).toBeGreaterThan(0);
    for (const l of shown) {
      const escaped = l.text!.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
      expect(page).toContain(`<span class="template">${escaped}</span>`);
      expect(page).not.toContain(`<code class="value">${l.value}</code>`);
    }
    expect(page).not.toMatch(/<code class="value">[^<]*\|2\^\d+\|/);
    expect(page).toContain('temperature 0.6, max_tokens about 4k');
  });
});
