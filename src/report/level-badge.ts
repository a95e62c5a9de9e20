import type { Level } from '../contracts/index.js';
import { atlasName, formatScore } from './report-format.js';
import { html, type SafeHtml } from './html.js';

export const levelBadge = (level: Level): SafeHtml => html`<span class="badge lv-${level}">${level}</span>`;

export const atlasTag = (id: string | undefined): SafeHtml =>
  id ? html`<span class="atlas" title="${atlasName(id)}">${id}</span>` : html`<span class="muted">—</span>`;

/** A score in [0, 1] as a number with a thin bar behind it. */
export const scoreCell = (score: number): SafeHtml =>
  html`<span class="score"
    ><span class="score-bar" style="width:${Math.round(score * 100)}%"></span
    ><span class="score-num">${formatScore(score)}</span></span
  >`;
