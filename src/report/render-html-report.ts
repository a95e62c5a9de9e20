import type { AnalysisDetail } from '../findings/index.js';
import type { AccountFinding, ClusterFinding } from '../contracts/index.js';
import { accountTable } from './account-table.js';
import { REPORT_CSS, REPORT_SCRIPT } from './assets.js';
import { clusterAnchor, clusterSection } from './cluster-section.js';
import { formatCount, formatScore } from './report-format.js';
import { headerSection } from './header-section.js';
import { html, raw, type SafeHtml } from './html.js';
import { levelBadge } from './level-badge.js';

const TOP_CLUSTERS = 20;

export interface HtmlReportOptions {
  title?: string;
  /** Input files, listed in the header. */
  generatedFrom?: string[];
  /** How many accounts below review the account table lists (default 500). */
  otherAccounts?: number;
}

/** The cluster index table; `linked` rows link to their sections below. */
function clusterIndex(clusters: readonly ClusterFinding[], linked: boolean): SafeHtml {
  return html`<table class="clusters-index">
    <thead>
      <tr>
        <th>#</th>
        <th>cluster</th>
        <th>level</th>
        <th class="num">score</th>
        <th class="num">strength</th>
        <th class="num">accounts</th>
        <th class="num">events</th>
        <th>strongest signal</th>
      </tr>
    </thead>
    <tbody>
      ${clusters.map(
        (c, i) =>
          html`<tr>
            <td>${i + 1}</td>
            <td>
              ${linked ? html`<a href="#${clusterAnchor(c.cluster_id)}"><code>${c.cluster_id}</code></a>` : html`<code>${c.cluster_id}</code>`}
            </td>
            <td>${levelBadge(c.level)}</td>
            <td class="num">${formatScore(c.score)}</td>
            <td class="num">${(c.strength ?? 0).toFixed(1)}</td>
            <td class="num">${formatCount(c.account_ids.length)}</td>
            <td class="num">${formatCount(c.events)}</td>
            <td>
              ${c.signals[0] ? html`<strong>${c.signals[0].detector}</strong> <span class="muted">${formatScore(c.signals[0].score)}</span>` : html`<span class="muted">—</span>`}
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/**
 * The analysis as one self-contained HTML page (inline CSS, server-rendered SVG charts, a
 * little inline script for the account table): it opens offline and fetches nothing.
 */
export function renderHtmlReport(detail: AnalysisDetail, opts: HtmlReportOptions = {}): string {
  const title = opts.title ?? 'Distillation analysis report';
  const { findings } = detail;
  // Clusters at level none are groups of linked accounts with no evidence: listed behind a
  // filter, never given a section among the ones that matter.
  const flagged = findings.clusters.filter((c) => c.level !== 'none');
  const quiet = findings.clusters.filter((c) => c.level === 'none');
  const top = flagged.slice(0, TOP_CLUSTERS);
  const topIds = top.map((c) => c.cluster_id);
  const accountsById = new Map<string, AccountFinding>(findings.accounts.map((a) => [a.account_id, a]));

  const quietList = quiet.length
    ? html`<details class="quiet-clusters" id="quiet-clusters">
        <summary>
          ${formatCount(quiet.length)} more ${quiet.length === 1 ? 'group' : 'groups'} of linked accounts at
          level none (linked, but their pooled traffic shows no evidence)
        </summary>
        ${clusterIndex(quiet, false)}
      </details>`
    : '';
  const lead = top.length
    ? `${top.length < flagged.length ? `${top.length} strongest of ${formatCount(flagged.length)}` : `${top.length}`} ${flagged.length === 1 ? 'cluster' : 'clusters'} at monitor or above`
    : 'No cluster reached monitor';
  const index = findings.clusters.length
    ? html`<section class="card" id="clusters">
          <h2>Top clusters</h2>
          <p class="muted">
            ${lead} (of ${formatCount(findings.clusters.length)} groups of linked accounts), scored on their
            pooled traffic.
          </p>
          ${top.length ? clusterIndex(top, true) : ''} ${quietList}
        </section>
        ${top.map((c, i) => clusterSection(c, i + 1, detail, accountsById))}`
    : html`<section class="card" id="clusters">
        <h2>Top clusters</h2>
        <p class="muted">No group of linked accounts reached the minimum cluster size.</p>
      </section>`;

  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta
          http-equiv="Content-Security-Policy"
          content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
        />
        <title>${title}</title>
        <style>
          ${raw(REPORT_CSS)}
        </style>
      </head>
      <body>
        <main>
          ${headerSection(detail, { title, generatedFrom: opts.generatedFrom ?? [], topClusterIds: topIds })}
          ${index} ${accountTable(findings.accounts, new Set(topIds), opts.otherAccounts)}
          <footer>
            Findings format findings.v1. Scores are in [0, 1] and saturate; strength (−log₁₀ p) ranks. Levels
            come from strength thresholds calibrated on benign traffic and the gates above; each finding's
            <code>basis</code> says which it passed. Every signal names its evidence and MITRE ATLAS
            technique; example event ids can be looked up in the input files.
          </footer>
        </main>
        <script>
          ${raw(REPORT_SCRIPT)};
        </script>
      </body>
    </html> `;
  return page.value;
}
