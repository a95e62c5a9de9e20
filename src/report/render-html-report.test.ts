import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DetectionEngine, type AnalysisDetail } from '../findings/index.js';
import type { ApiEvent } from '../contracts/index.js';
import { renderHtmlReport } from './index.js';

const START = Date.parse('2026-11-01T00:00:00Z');
const HOUR = 3_600_000;
const XSS = '<script>alert("owned")</script><img src=x onerror=alert(1)>';

/** Deterministic pseudo-random numbers so the synthetic traffic is the same every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

const TOPICS = [
  'how do I centre a div in CSS',
  'suggest a name for my bakery',
  'summarise the causes of the French revolution',
  'what is a good stretching routine for runners',
  'translate "good morning" into Italian',
  'write a haiku about autumn rain',
  'explain what a mortgage offset account is',
  'fix this python error: KeyError when reading a dict',
  'plan a three day trip to Lisbon',
  'what wine goes with mushroom risotto',
  'draft a polite email asking for a deadline extension',
  'how many grams of protein are in an egg',
];
const SUBJECTS = [
  'algebra',
  'geometry',
  'probability',
  'organic chemistry',
  'thermodynamics',
  'number theory',
];

/**
 * Benign users with their own payment instruments, networks and varied chat, plus one
 * campaign: eight accounts on one card and one /24 sending templated reasoning-trace
 * requests with output-harvesting parameters, each prompt carrying an XSS payload.
 */
function syntheticTraffic(): { events: ApiEvent[]; campaign: string[] } {
  const rand = rng(7);
  const events: ApiEvent[] = [];
  const campaign: string[] = [];
  let id = 0;
  for (let a = 0; a < 60; a++) {
    const account_id = `acct_benign_${a}`;
    const n = 8 + Math.floor(rand() * 20);
    for (let i = 0; i < n; i++) {
      const topic = TOPICS[Math.floor(rand() * TOPICS.length)]!;
      events.push({
        id: `ev_${id++}`,
        ts: new Date(START + Math.floor(rand() * 72 * HOUR)).toISOString(),
        account_id,
        model: 'gpt-demo',
        client: { ip: `10.${a}.${Math.floor(rand() * 200)}.${1 + (i % 9)}`, user_agent: `app/${a % 7}` },
        request: {
          messages: [{ role: 'user', content: `${topic}${rand() < 0.5 ? ' please' : ''} (${i})` }],
          params: { temperature: 0.7, max_tokens: 400 },
        },
        account: {
          created_at: '2025-06-01T00:00:00Z',
          tier: 'free',
          payment_fingerprint: `card_${a}`,
          signup_ip: `10.${a}.0.1`,
        },
      });
    }
  }
  for (let a = 0; a < 8; a++) {
    const account_id = a === 0 ? 'acct_"<b>bold</b>' : `acct_hydra_${a}`;
    campaign.push(account_id);
    for (let i = 0; i < 40; i++) {
      const subject = SUBJECTS[i % SUBJECTS.length]!;
      events.push({
        id: `ev_${id++}`,
        ts: new Date(START + 24 * HOUR + a * 60_000 + i * 15 * 60_000).toISOString(),
        account_id,
        model: 'gpt-demo',
        client: { ip: `203.0.113.${10 + a}`, user_agent: 'python-requests/2.31' },
        request: {
          messages: [
            {
              role: 'user',
              content: `You are an expert tutor. Solve the following ${subject} problem number ${a * 100 + i}. Show your full reasoning step by step before the final answer. ${XSS}`,
            },
          ],
          params: { temperature: 1, max_tokens: 4096, logprobs: true, top_logprobs: 5, n: 4 },
        },
        account: {
          created_at: '2026-10-31T12:00:00Z',
          tier: 'free',
          payment_fingerprint: 'card_shared_hydra',
          signup_ip: `198.51.100.${a + 1}`,
        },
      });
    }
  }
  return { events, campaign };
}

function analyse(): { detail: AnalysisDetail; campaign: string[] } {
  const { events, campaign } = syntheticTraffic();
  const engine = new DetectionEngine();
  for (const e of events) engine.addEvent(e);
  return { detail: engine.analyze({ rejectedLines: 3 }), campaign };
}

describe('renderHtmlReport', () => {
  const { detail, campaign } = analyse();
  const page = renderHtmlReport(detail, { title: 'Synthetic run', generatedFrom: ['traffic.ndjson'] });
  // For a look in a browser: REPORT_HTML_OUT=/tmp/r.html npx vitest run src/pipeline/report
  if (process.env.REPORT_HTML_OUT) writeFileSync(process.env.REPORT_HTML_OUT, page);

  it('finds the campaign as a cluster in the synthetic input', () => {
    const cluster = detail.findings.clusters.find((c) => c.account_ids.includes(campaign[1]!));
    expect(cluster).toBeDefined();
    expect(cluster!.account_ids).toHaveLength(campaign.length);
    expect(['review', 'act']).toContain(cluster!.level);
  });

  it('is one self-contained file that loads nothing from the network', () => {
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).not.toMatch(/(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(page).not.toMatch(/<link\b/i);
    expect(page).not.toMatch(/NaN|Infinity|undefined|\[object /);
    expect(page).not.toMatch(/@import|url\(/i);
    expect(page.match(/<script>/g)).toHaveLength(1);
  });

  it('shows each top cluster with its links, evidence, ATLAS ids and example events', () => {
    for (const c of detail.findings.clusters.slice(0, 20)) {
      expect(page).toContain(`id="cluster-${c.cluster_id}"`);
      for (const l of c.links) expect(page).toContain(l.kind.replaceAll('_', ' '));
      for (const s of c.signals) {
        // Evidence is emitted escaped; compare against the escaped form.
        expect(page).toContain(
          s.evidence
            .replaceAll('&', '&amp;')
            .replaceAll('"', '&quot;')
            .replaceAll('<', '&lt;')
            .replaceAll('>', '&gt;')
            .replaceAll("'", '&#39;'),
        );
        if (s.atlas) expect(page).toContain(`>${s.atlas}</span>`);
        for (const e of s.examples ?? []) expect(page).toContain(`<code class="event-id">${e}</code>`);
      }
    }
    expect(page).toContain('AML.T0024.002');
    expect(page).toContain('card_shared_hydra');
  });

  it('escapes untrusted prompts and account ids', () => {
    expect(page).not.toContain('<script>alert');
    expect(page).not.toContain('<img src=x');
    expect(page).not.toContain('<b>bold</b>');
    expect(page).toContain('&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;');
    expect(page).toContain('acct_&quot;&lt;b&gt;bold&lt;/b&gt;');
  });

  it('draws the traffic, score, level and linkage charts as inline SVG', () => {
    expect(page).toContain('aria-label="Events over time of the top clusters"');
    expect(page).toContain('aria-label="Distribution of account scores"');
    expect(page).toContain('aria-label="accounts per level"');
    expect(page).toContain('aria-label="Linkage among cluster members"');
    const top = detail.findings.clusters[0]!;
    expect(page).toContain(`aria-label="Events per hour of ${top.cluster_id}"`);
    expect(page.match(/<svg\b/g)!.length).toBeGreaterThanOrEqual(
      4 + 2 * Math.min(20, detail.findings.clusters.length),
    );
  });

  it('groups the members of a cluster by the values they share, as counts of the cluster', () => {
    const cluster = detail.findings.clusters.find((c) => c.account_ids.includes(campaign[1]!))!;
    const section = page.slice(page.indexOf(`id="cluster-${cluster.cluster_id}"`));
    const groups = section.slice(section.indexOf('class="link-groups"'), section.indexOf('</figure>') + 4000);
    const card = cluster.links.find((l) => l.value === 'card_shared_hydra')!;
    expect(card.accounts).toBe(campaign.length);
    expect(groups).toContain(`<span class="lg-count">${campaign.length} of ${campaign.length}</span>`);
    expect(groups).toContain('payment fingerprint: card_shared_hydra');
  });

  it('states input summary, calibration and counts per level', () => {
    const { input } = detail.findings;
    expect(page).toMatch(
      new RegExp(`>${input.events.toLocaleString('en-US')}</div>\\s*<div class="stat-label">events<`),
    );
    expect(page).toContain('rejected lines');
    expect(page).toContain(detail.calibration.thresholds.review.toFixed(3));
    expect(page).toContain(detail.calibration.method);
  });

  it('says in one sentence why each cluster and each listed account is at its level, and states the gated rule', () => {
    const esc = (t: string): string =>
      t
        .replaceAll('&', '&amp;')
        .replaceAll('"', '&quot;')
        .replaceAll('<', '&lt;')
        .replaceAll('>', '&gt;')
        .replaceAll("'", '&#39;');
    for (const c of detail.findings.clusters.slice(0, 20)) {
      expect(c.basis!.explanation.startsWith(`${c.level}:`)).toBe(true);
      expect(page).toContain(`<b>Why ${c.level}:</b> ${esc(c.basis!.explanation)}`);
    }
    for (const a of detail.findings.accounts.filter((x) => x.level === 'review' || x.level === 'act'))
      expect(page).toContain(`<td class="why">${esc(a.basis!.explanation)}</td>`);
    // The rule is the gates, not score thresholds alone.
    expect(page).toContain('How levels are decided');
    expect(page).not.toContain('Thresholds (score)');
    expect(page).toContain('one of them extraction');
  });

  it('renders an empty analysis without charts it cannot draw', () => {
    const empty = renderHtmlReport(new DetectionEngine().analyze());
    expect(empty).toContain('No group of linked accounts reached the minimum cluster size.');
    expect(empty).toContain('All 0 accounts listed.');
    expect(empty).not.toContain('Events over time of the top clusters');
    expect(empty).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('lists every account at review or act, the top others, and says how many were left out', () => {
    const small = renderHtmlReport(detail, { otherAccounts: 5 });
    const flagged = detail.findings.accounts.filter((a) => a.level === 'review' || a.level === 'act');
    const rows = small.match(/<tr data-level=/g)!.length;
    expect(rows).toBe(flagged.length + 5);
    const omitted = detail.findings.accounts.length - flagged.length - 5;
    expect(small).toContain(`${omitted} weaker accounts are left out`);
    expect(page.match(/<tr data-level=/g)!.length).toBe(detail.findings.accounts.length);
    expect(page).toContain(`All ${detail.findings.accounts.length} accounts listed.`);
  });
});
