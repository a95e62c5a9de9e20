import { LEVEL_RULES, type AnalysisDetail } from '../findings/index.js';
import { countLevels, LEVELS, type Findings } from '../contracts/index.js';
import { levelBars } from './charts/level-bars.js';
import { scoreHistogram } from './charts/score-histogram.js';
import { hourRangeOf, trafficChart } from './charts/traffic-chart.js';
import { formatCount, formatTime } from './report-format.js';
import { html, type SafeHtml } from './html.js';
import { levelBadge } from './level-badge.js';

const SERIES_COLOURS = ['#c8322c', '#2f6fd0', '#d08a00', '#3b8f5a', '#7a4fb3', '#1f8a96'];

/** Input summary, calibration, counts per level and the population-wide charts. */
export function headerSection(
  detail: AnalysisDetail,
  opts: { title: string; generatedFrom: readonly string[]; topClusterIds: readonly string[] },
): SafeHtml {
  const { findings, calibration } = detail;
  const accountLevels = countLevels(findings.accounts);
  const clusterLevels = countLevels(findings.clusters);
  return html`${pageHead(findings, opts)}
    <nav class="toc">
      <a href="#summary">Summary</a><a href="#clusters">Top clusters</a><a href="#accounts">Accounts</a>
    </nav>
    <section id="summary" class="card">
      <h2>Input and calibration</h2>
      ${inputStats(findings)}
      <dl class="calibration">
        <dt>Calibration</dt>
        <dd>${calibrationText(calibration)}</dd>
        <dt>How levels are decided</dt>
        <dd class="level-rules">${levelRules(findings)}</dd>
        <dt>Accounts per level</dt>
        <dd>${LEVELS.map((l) => html`${levelBadge(l)} ${formatCount(accountLevels[l])} `)}</dd>
        <dt>Clusters per level</dt>
        <dd>${LEVELS.map((l) => html`${levelBadge(l)} ${formatCount(clusterLevels[l])} `)}</dd>
      </dl>
      <div class="grid-2">
        <div>
          <h3>Account scores</h3>
          ${scoreHistogram(findings.accounts, calibration.thresholds)}
        </div>
        <div class="level-bars">
          <h3>Levels</h3>
          ${levelBars(accountLevels, { label: 'accounts' })}${levelBars(clusterLevels, { label: 'clusters' })}
        </div>
      </div>
      ${topClusterTraffic(detail, opts.topClusterIds)}
    </section>`;
}

/** The report's title and what it was generated from. */
function pageHead(findings: Findings, opts: { title: string; generatedFrom: readonly string[] }): SafeHtml {
  return html`<header class="page-head">
    <div class="brand">DistillGuard</div>
    <h1>${opts.title}</h1>
    <p class="muted">
      Generated
      ${formatTime(findings.generated_at)}${
        opts.generatedFrom.length
          ? html` from ${opts.generatedFrom.map((f, i) => html`${i ? ', ' : ''}<code>${f}</code>`)}`
          : ''
      }.
    </p>
  </header>`;
}

/** Events, accounts, clusters, rejected lines and the time span of the input. */
function inputStats(findings: Findings): SafeHtml {
  const input = findings.input;
  return html`<div class="stats">
    <div class="stat">
      <div class="stat-num">${formatCount(input.events)}</div>
      <div class="stat-label">events</div>
    </div>
    <div class="stat">
      <div class="stat-num">${formatCount(input.accounts)}</div>
      <div class="stat-label">accounts</div>
    </div>
    <div class="stat">
      <div class="stat-num">${formatCount(findings.clusters.length)}</div>
      <div class="stat-label">clusters of linked accounts</div>
    </div>
    <div class="stat">
      <div class="stat-num${input.rejected_lines ? ' warn' : ''}">${formatCount(input.rejected_lines)}</div>
      <div class="stat-label">rejected lines (quarantined)</div>
    </div>
    <div class="stat wide">
      <div class="stat-num small">${formatTime(input.from)}<br />${formatTime(input.to)}</div>
      <div class="stat-label">first / last event</div>
    </div>
  </div>`;
}

/** How the thresholds were calibrated, and for which false-positive rate. */
function calibrationText(calibration: AnalysisDetail['calibration']): SafeHtml {
  const fpr = `${(calibration.target_fpr * 100).toPrecision(2)} %`;
  const method =
    calibration.method === 'baseline'
      ? `fitted on ${formatCount(calibration.reference_accounts)} benign baseline accounts`
      : `fitted robustly on the analysed population itself (${formatCount(calibration.reference_accounts)} accounts); pass a benign baseline for a tighter calibration`;
  return html`${calibration.method}: ${method}. Target false-positive rate ${fpr} of benign accounts at review
  or above.`;
}

/** The hourly traffic of the top clusters, one series each (none when no cluster has traffic detail). */
function topClusterTraffic(detail: AnalysisDetail, topClusterIds: readonly string[]): SafeHtml | string {
  const input = detail.findings.input;
  const overview = topClusterIds.slice(0, SERIES_COLOURS.length).flatMap((id, i) => {
    const hourly = detail.clusters.get(id)?.hourly;
    return hourly ? [{ label: id, colour: SERIES_COLOURS[i]!, hourly }] : [];
  });
  return overview.length
    ? html`<h3>Traffic of the top clusters</h3>
        ${trafficChart(overview, {
          width: 1040,
          height: 220,
          title: 'Events over time of the top clusters',
          range: hourRangeOf(input.from, input.to),
        })}`
    : '';
}

/**
 * The real rule: a strength threshold per level plus the gates review and act need. The score
 * thresholds alone would mislead (a score at act's can sit at review for want of a gate).
 */
function levelRules(findings: Findings): SafeHtml {
  const t = findings.accounts.find((a) => a.basis)?.basis?.thresholds;
  const p = (s: number): string => (s >= 3 ? `1e-${Math.round(s)}` : `${Number((10 ** -s).toPrecision(1))}`);
  return html`<ul class="rules">
      <li>
        ${levelBadge('monitor')} evidence at p ≤ ${t ? p(t.monitor) : '—'} (strength −log₁₀p ≥
        ${t?.monitor.toFixed(1) ?? '—'})
      </li>
      <li>
        ${levelBadge('review')} p ≤ ${t ? p(t.review) : '—'} (strength ≥ ${t?.review.toFixed(1) ?? '—'}), and
        ${LEVEL_RULES.review.replace(/^review needs /, '')}
      </li>
      <li>
        ${levelBadge('act')} p ≤ ${t ? p(t.act) : '—'} (strength ≥ ${t?.act.toFixed(1) ?? '—'}), what review
        needs, and for an account: ${LEVEL_RULES.accountAct.replace(/^act needs the act strength and /, '')};
        for a cluster:
        ${LEVEL_RULES.clusterAct.replace(/^a cluster reaches act at the act strength with /, '')}
      </li>
    </ul>
    <span class="muted"
      >Each account and cluster says in one sentence which gates set its level and which stopped it going
      higher (“why” below, <code>basis</code> in the JSON findings).</span
    >`;
}
