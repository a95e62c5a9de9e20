import type { AnalysisDetail } from '../findings/index.js';
import type { AccountFinding } from '../contracts/index.js';
import { accountTable } from './account-table.js';
import { REPORT_CSS, REPORT_SCRIPT } from './assets.js';
import { clusterAnchor, clusterSection } from './cluster-section.js';
import { formatCount } from './format.js';
import { headerSection } from './header-section.js';
import { html, raw } from './html.js';
import { levelBadge } from './level-badge.js';

const TOP_CLUSTERS = 20;

export interface HtmlReportOptions {
  title?: string;
  /** Input files, listed in the header. */
  generatedFrom?: string[];
  /** How many accounts below review the account table lists (default 500). */
  otherAccounts?: number;
}

/**
 * The analysis as one self-contained HTML page (inline CSS, server-rendered SVG charts, a
 * little inline script for the account table): it opens offline and fetches nothing.
 */
export function renderHtmlReport(detail: AnalysisDetail, opts: HtmlReportOptions = {}): string {
  const title = opts.title ?? 'Distillation analysis report';
  const { findings } = detail;
  const top = findings.clusters.slice(0, TOP_CLUSTERS);
  const topIds = top.map((c) => c.cluster_id);
  const accountsById = new Map<string, AccountFinding>(findings.accounts.map((a) => [a.account_id, a]));

  const index = top.length
    ? html`<section class="card" id="clusters">
          <h2>Top clusters</h2>
          <p class="muted">
            ${top.length < findings.clusters.length ? `${top.length} strongest of ${formatCount(findings.clusters.length)} clusters` : `${top.length} clusters`}
            of linked accounts, scored on their pooled traffic.
          </p>
          <table class="clusters-index">
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
              ${top.map(
                (c, i) =>
                  html`<tr>
                    <td>${i + 1}</td>
                    <td>
                      <a href="#${clusterAnchor(c.cluster_id)}"><code>${c.cluster_id}</code></a>
                    </td>
                    <td>${levelBadge(c.level)}</td>
                    <td class="num">${c.score.toFixed(3)}</td>
                    <td class="num">${(c.strength ?? 0).toFixed(1)}</td>
                    <td class="num">${formatCount(c.account_ids.length)}</td>
                    <td class="num">${formatCount(c.events)}</td>
                    <td>
                      ${c.signals[0] ? html`<strong>${c.signals[0].detector}</strong> <span class="muted">${c.signals[0].score.toFixed(2)}</span>` : html`<span class="muted">—</span>`}
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>
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
