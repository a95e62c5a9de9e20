import type { ProbeReport } from './run-probe.js';

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const pFmt = (p: number): string => (p < 1e-3 ? p.toExponential(2) : p.toPrecision(3));

/** A self-contained evidence page: verdict, the test, and per canary where and when it was served. */
export function renderProbeHtml(r: ProbeReport): string {
  const subjects = r.subjects
    .map((s) => {
      const rows = s.canaries
        .map(
          (c) => `<tr class="${c.returned ? 'hit' : ''}"><td><code>${escapeHtml(c.canary_id)}</code></td>
<td>${c.returned ? `yes (${c.matched_by ?? ''})` : 'no'}</td><td>${escapeHtml(c.text)}</td><td>${c.served}</td>
<td>${escapeHtml(c.accounts.slice(0, 5).join(', '))}${c.accounts.length > 5 ? ` +${c.accounts.length - 5}` : ''}</td>
<td>${escapeHtml(c.first_served)}<br>${escapeHtml(c.last_served)}</td>
<td>${c.matches.map((m) => `<details><summary>${escapeHtml(m.prompt.slice(0, 80))}</summary><p>${escapeHtml(m.answer)}</p></details>`).join('')}</td></tr>`,
        )
        .join('\n');
      return `<section><h2>${escapeHtml(s.subject)}</h2>
<p>${s.returned} of ${s.served_canaries} served canaries came back; one-sided Fisher exact p = <strong>${pFmt(s.p_value)}</strong> (adjusted for ${r.subjects.length} subjects: ${pFmt(s.p_adjusted)})</p>
<table><thead><tr><th>canary</th><th>came back</th><th>text</th><th>times served</th><th>accounts</th><th>first / last served</th><th>where it came back</th></tr></thead>
<tbody>${rows}</tbody></table></section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>DistillGuard probe: ${escapeHtml(r.model)}</title>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:2rem;max-width:80rem}table{border-collapse:collapse;width:100%}
td,th{border:1px solid #ccc;padding:.3rem .5rem;vertical-align:top;text-align:left}tr.hit{background:#fff1d6}
.verdict{font-size:1.1rem;padding:1rem;border-left:4px solid ${r.attributed_to ? '#c62828' : '#2e7d32'};background:#f7f7f7}</style></head>
<body><h1>Suspect-model probe</h1>
<p>Target <code>${escapeHtml(r.target)}</code>, model <code>${escapeHtml(r.model)}</code>, generated ${escapeHtml(r.generated_at)}.</p>
<p class="verdict">${escapeHtml(r.verdict)}</p>
<h2>Test</h2>
<ul><li>Prompts asked: ${r.queries.asked}; answered ${r.queries.answered}; failed ${r.queries.failed}.</li>
<li>Control canaries (drawn from the same keyed generator, never served): ${r.controls.drawn}; came back: ${r.controls.returned}.</li>
<li>All served canaries: ${r.overall.returned} of ${r.overall.served_canaries} came back; p = ${pFmt(r.overall.p_value)}.</li>
<li>Significance level: ${r.alpha}, applied to p-values adjusted (Bonferroni) for the number of subjects tested. The p-value is the chance of at least this many served canaries among those that came back if served and control canaries were equally likely to appear.</li></ul>
${subjects}
</body></html>
`;
}
