import type { AnalysisDetail } from '../findings/index.js';
import { requestShapeText, type PromptSample } from '../features/index.js';
import {
  LEVEL_COLOURS,
  type AccountFinding,
  type ClusterFinding,
  type Level,
  type Signal,
} from '../contracts/index.js';
import { linkageGraph } from './charts/linkage-graph.js';
import { hourRangeOf, trafficChart } from './charts/traffic-chart.js';
import { formatCount, formatP, formatScore, formatTime, truncate } from './report-format.js';
import { html, type SafeHtml } from './html.js';
import { atlasTag, levelBadge, scoreCell } from './level-badge.js';

const PROMPT_CHARS = 600;
const SAMPLES_SHOWN = 6;
const MEMBERS_LISTED = 40;

export const clusterAnchor = (id: string): string => `cluster-${id}`;

/** Signals with their checkable evidence, p-value, ATLAS technique and example event ids. */
export function signalsTable(signals: readonly Signal[]): SafeHtml {
  if (signals.length === 0) return html`<p class="muted">No detector fired above the monitor threshold.</p>`;
  return html`<table class="signals">
    <thead>
      <tr>
        <th>detector</th>
        <th>score</th>
        <th>p-value</th>
        <th>evidence</th>
        <th>ATLAS</th>
        <th>example events</th>
      </tr>
    </thead>
    <tbody>
      ${signals.map(
        (s) =>
          html`<tr>
            <td class="nowrap"><strong>${s.detector}</strong></td>
            <td>${scoreCell(s.score)}</td>
            <td class="num nowrap">${formatP(s.p_value)}</td>
            <td class="evidence">${s.evidence}</td>
            <td>${atlasTag(s.atlas)}</td>
            <td>
              ${
                s.examples?.length
                  ? s.examples.map((e) => html`<code class="event-id">${e}</code> `)
                  : html`<span class="muted">—</span>`
              }
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

// What a fingerprinted value is, for links whose text is not kept (or older findings).
const FINGERPRINT_LEGEND: Record<string, string> = {
  template: 'fingerprint of a shared template edge (its words were not in the sample prompts kept)',
  elicitation_wrapper:
    'fingerprint of a shared reasoning-request sentence (its words were not in the sample prompts kept)',
  system_prompt: 'fingerprint of a shared system prompt (its text is not kept)',
  email_hash: 'fingerprint of one e-mail address',
  payment_fingerprint: 'one payment instrument',
};

/** A link's value as a reader takes it in: the words where known, else what the fingerprint is of. */
export function linkValueCell(l: ClusterFinding['links'][number]): SafeHtml {
  const text = l.text ?? (l.kind === 'request_shape' ? requestShapeText(l.value) : undefined);
  if (l.kind === 'template' || l.kind === 'elicitation_wrapper') {
    if (text)
      return html`<span class="template">${truncate(text, 200)}</span>
        <span class="muted small"
          >${l.kind === 'template' ? (l.value.startsWith('prefix:') ? 'opening' : 'closing') + ' words, {…} the part that varies' : 'the sentence re-used around tasks'}</span
        >`;
  } else if (text && text !== l.value) {
    return html`${truncate(text, 200)} <code class="value muted small">${truncate(l.value, 60)}</code>`;
  }
  const legend = FINGERPRINT_LEGEND[l.kind];
  return html`<code class="value">${truncate(l.value, 160)}</code
    >${legend ? html` <span class="muted small">${legend}</span>` : ''}`;
}

function linksTable(links: ClusterFinding['links']): SafeHtml {
  if (links.length === 0) return html`<p class="muted">No shared attributes recorded.</p>`;
  return html`<table class="links">
    <thead>
      <tr>
        <th>kind</th>
        <th>shared value</th>
        <th class="num">accounts</th>
      </tr>
    </thead>
    <tbody>
      ${links.map(
        (l) =>
          html`<tr>
            <td class="nowrap">${l.kind.replaceAll('_', ' ')}</td>
            <td>${linkValueCell(l)}</td>
            <td class="num">${formatCount(l.accounts)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

const LINK_GROUPS = 6;

/**
 * The cluster's structure in words a graph of many accounts cannot give: the groups of members
 * that share one value, largest first, each as a share of the cluster.
 */
function linkGroups(cluster: ClusterFinding): SafeHtml {
  const size = cluster.account_ids.length;
  const groups = [...cluster.links].sort((a, b) => b.accounts - a.accounts).slice(0, LINK_GROUPS);
  if (groups.length === 0 || size === 0) return html``;
  return html`<div class="link-groups" aria-label="Members grouped by shared value">
    <div class="muted small">Members grouped by what they share (largest groups of ${formatCount(size)})</div>
    ${groups.map((l) => {
      const share = Math.min(1, l.accounts / size);
      const text = l.text ?? (l.kind === 'request_shape' ? requestShapeText(l.value) : l.value);
      return html`<div class="link-group">
        <div class="lg-bar"><i style="width:${(share * 100).toFixed(1)}%"></i></div>
        <span class="lg-count">${formatCount(l.accounts)} of ${formatCount(size)}</span>
        <span class="lg-what">${l.kind.replaceAll('_', ' ')}: ${truncate(text, 70)}</span>
      </div>`;
    })}
  </div>`;
}

function samplesList(samples: readonly PromptSample[]): SafeHtml {
  if (samples.length === 0) return html`<p class="muted">No sample prompts kept.</p>`;
  const shown = [...samples].sort((a, b) => a.ts - b.ts).slice(0, SAMPLES_SHOWN);
  return html`<ol class="samples">
    ${shown.map(
      (s) =>
        html`<li>
          <div class="sample-meta">
            <code class="event-id">${s.id}</code> · ${formatTime(s.ts)} ·
            ${s.model}${
              s.prompt.length > PROMPT_CHARS
                ? html` · <span class="muted">truncated from ${formatCount(s.prompt.length)} chars</span>`
                : ''
            }
          </div>
          <pre class="prompt">${truncate(s.prompt, PROMPT_CHARS)}</pre>
        </li>`,
    )}
  </ol>`;
}

function membersList(ids: readonly string[], accountsById: ReadonlyMap<string, AccountFinding>): SafeHtml {
  const sorted = [...ids].sort(
    (a, b) => (accountsById.get(b)?.strength ?? 0) - (accountsById.get(a)?.strength ?? 0) || (a < b ? -1 : 1),
  );
  const listed = sorted.slice(0, MEMBERS_LISTED);
  return html`<p class="members">
    ${listed.map((id) => {
      const a = accountsById.get(id);
      const level: Level = a?.level ?? 'none';
      return html`<span
        class="member"
        title="${level}${a ? `, score ${formatScore(a.score)}, ${a.events} events` : ''}"
        ><i style="background:${LEVEL_COLOURS[level]}"></i>${id}</span
      > `;
    })}${sorted.length > listed.length ? html`<span class="muted">and ${formatCount(sorted.length - listed.length)} more (see the account table)</span>` : ''}
  </p>`;
}

/** One top cluster: headline numbers, links, signals, samples, traffic and linkage picture. */
export function clusterSection(
  cluster: ClusterFinding,
  rank: number,
  detail: AnalysisDetail,
  accountsById: ReadonlyMap<string, AccountFinding>,
): SafeHtml {
  const extra = detail.clusters.get(cluster.cluster_id);
  const members = cluster.account_ids.map((id) => ({ id, level: accountsById.get(id)?.level ?? 'none' }));
  const strength = typeof cluster.strength === 'number' ? cluster.strength : undefined;
  return html`<section class="card cluster" id="${clusterAnchor(cluster.cluster_id)}">
    <div class="cluster-head">
      <span class="rank">#${rank}</span>
      <h3><code>${cluster.cluster_id}</code></h3>
      ${levelBadge(cluster.level)}
      <span class="kv"><b>score</b> ${formatScore(cluster.score)}</span
      >${strength !== undefined ? html`<span class="kv"><b>evidence</b> −log₁₀p = ${strength.toFixed(1)}</span>` : ''}
      <span class="kv"><b>accounts</b> ${formatCount(cluster.account_ids.length)}</span
      ><span class="kv"><b>events</b> ${formatCount(cluster.events)}</span>
    </div>
    ${cluster.basis ? html`<p class="why"><b>Why ${cluster.level}:</b> ${cluster.basis.explanation}</p>` : ''}
    <div class="grid-cluster">
      <div>
        <h4>Signals (pooled over the cluster)</h4>
        ${signalsTable(cluster.signals)}
        <h4>What links these accounts</h4>
        ${linksTable(cluster.links)}
      </div>
      <div>
        <h4>Linkage</h4>
        ${linkageGraph(members, detail.edges)} ${linkGroups(cluster)}
      </div>
    </div>
    <h4>Hourly traffic</h4>
    ${
      extra
        ? trafficChart(
            [{ label: cluster.cluster_id, colour: LEVEL_COLOURS[cluster.level], hourly: extra.hourly }],
            {
              width: 1040,
              height: 170,
              title: `Events per hour of ${cluster.cluster_id}`,
              range: hourRangeOf(detail.findings.input.from, detail.findings.input.to),
            },
          )
        : html`<p class="muted">No traffic detail.</p>`
    }
    <h4>Sample prompts <span class="muted">(untrusted text, shown escaped)</span></h4>
    ${samplesList(extra?.samples ?? [])}
    <h4>Member accounts</h4>
    ${membersList(cluster.account_ids, accountsById)}
  </section>`;
}
