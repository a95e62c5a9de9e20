import { LEVELS, levelRank, type AccountFinding } from '../contracts/index.js';
import { clusterAnchor } from './cluster-section.js';
import { formatCount, formatScore } from './report-format.js';
import { html, type SafeHtml } from './html.js';
import { atlasTag, levelBadge, scoreCell } from './level-badge.js';

const SIGNALS_PER_ROW = 3;

export interface AccountSelection {
  rows: AccountFinding[];
  /** Accounts not listed (below review and beyond the top `others`). */
  omitted: number;
}

/** Every account at review or act, plus the `others` strongest of the rest; strongest first within a level. */
export function selectAccounts(accounts: readonly AccountFinding[], others = 500): AccountSelection {
  const sorted = [...accounts].sort(
    (a, b) =>
      levelRank(b.level) - levelRank(a.level) ||
      (b.strength ?? 0) - (a.strength ?? 0) ||
      (a.account_id < b.account_id ? -1 : 1),
  );
  const flagged = sorted.filter((a) => a.level === 'review' || a.level === 'act');
  const rest = sorted.filter((a) => a.level !== 'review' && a.level !== 'act');
  const kept = rest.slice(0, others);
  return { rows: [...flagged, ...kept], omitted: rest.length - kept.length };
}

/** The per-account table, sortable and filterable by the inline script. */
export function accountTable(
  accounts: readonly AccountFinding[],
  topClusterIds: ReadonlySet<string>,
  others = 500,
): SafeHtml {
  const { rows, omitted } = selectAccounts(accounts, others);
  const body = rows.map((a) => accountRow(a, topClusterIds));
  return html`<section class="card" id="accounts">
    <h2>Accounts</h2>
    <p class="muted">
      ${
        omitted > 0
          ? html`${formatCount(rows.length)} of ${formatCount(accounts.length)} accounts listed: every account
              at review or act, then the ${formatCount(others)} strongest others.
              <strong>${formatCount(omitted)} weaker accounts are left out</strong> (all are in the JSON
              findings).`
          : html`All ${formatCount(accounts.length)} accounts listed.`
      }
      Click a column to sort; open “evidence” for what each signal measured.
    </p>
    <div class="filters">
      <input
        type="search"
        id="account-filter"
        placeholder="Filter by account, cluster or signal…"
        aria-label="Filter accounts"
      />
      <select id="level-filter" aria-label="Level">
        <option value="">all levels</option>
        ${[...LEVELS].reverse().map((l) => html`<option value="${l}">${l}</option>`)}
      </select>
      <span id="account-count" class="muted"></span>
    </div>
    <table class="accounts sortable">
      <thead>
        <tr>
          <th data-sort="text">account</th>
          <th data-sort="num">level</th>
          <th data-sort="num">score</th>
          <th data-sort="num" class="num" title="evidence strength, −log₁₀ p: ranks where scores saturate">
            strength
          </th>
          <th data-sort="text">cluster</th>
          <th data-sort="num" class="num">events</th>
          <th>why this level</th>
          <th>top signals</th>
        </tr>
      </thead>
      <tbody>
        ${body}
      </tbody>
    </table>
  </section>`;
}

/** One account's row: level, score, strength, cluster link, explanation and top signals. */
function accountRow(a: AccountFinding, topClusterIds: ReadonlySet<string>): SafeHtml {
  const cluster = a.cluster_id
    ? topClusterIds.has(a.cluster_id)
      ? html`<a href="#${clusterAnchor(a.cluster_id)}"><code>${a.cluster_id}</code></a>`
      : html`<code>${a.cluster_id}</code>`
    : html`<span class="muted">—</span>`;
  // Chips keep rows scannable; the evidence behind every signal is one click away.
  const chips = a.signals
    .slice(0, SIGNALS_PER_ROW)
    .map((s) => html`<span class="chip">${s.detector} <b>${formatScore(s.score)}</b></span>`);
  const more =
    a.signals.length > SIGNALS_PER_ROW
      ? html`<span class="muted">+${a.signals.length - SIGNALS_PER_ROW}</span>`
      : '';
  const evidence = signalEvidence(a);
  return html`<tr data-level="${a.level}">
    <td><code>${a.account_id}</code></td>
    <td data-v="${levelRank(a.level)}">${levelBadge(a.level)}</td>
    <td data-v="${a.score}">${scoreCell(a.score)}</td>
    <td class="num" data-v="${a.strength ?? 0}">${(a.strength ?? 0).toFixed(1)}</td>
    <td>${cluster}</td>
    <td class="num" data-v="${a.events}">${formatCount(a.events)}</td>
    <td class="why">${a.basis?.explanation ?? html`<span class="muted">—</span>`}</td>
    <td class="sigs">${chips}${more}${evidence}</td>
  </tr>`;
}

/** Every signal's score, evidence and example events, folded behind "evidence". */
function signalEvidence(a: AccountFinding): SafeHtml {
  return a.signals.length
    ? html`<details>
        <summary>evidence</summary>
        <ul class="sig-list">
          ${a.signals.map(
            (s) =>
              html`<li>
                <strong>${s.detector}</strong> ${formatScore(s.score)} ${atlasTag(s.atlas)}
                <div class="ev">${s.evidence}</div>
                ${
                  s.examples?.length
                    ? html`<div>${s.examples.map((e) => html`<code class="event-id">${e}</code>`)}</div>`
                    : ''
                }
              </li>`,
          )}
        </ul>
      </details>`
    : html`<span class="muted">—</span>`;
}
