import { DETECTION_BAR } from '../findings/index.js';
import { barPassed, type BarVerdict } from './bar-verdict.js';
import type { SuiteResult, SuiteRun } from './evaluation-suite.js';
import type { Spread } from './suite-summary.js';

const pct = (x: number, digits = 1): string => (Number.isNaN(x) ? '-' : `${(x * 100).toFixed(digits)}%`);
const two = (x: number): string => (Number.isNaN(x) ? '-' : x.toFixed(2));
const mm = (s: Spread, f: (x: number) => string = pct): string => `${f(s.min)} / ${f(s.median)}`;

/** A plain text table: columns padded to their widest cell. */
function table(head: string[], rows: string[][]): string {
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(width[i]!))
      .join('  ')
      .trimEnd();
  return [line(head), line(width.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** One line per run as it finishes, judged by the bar. */
export function formatRun(r: SuiteRun): string {
  const e = r.evaluation;
  const misses = e.failures;
  const camp = e.campaigns
    .map(
      (c) =>
        `${c.campaign} ${Math.round(c.recall * 100)}%` +
        (c.accounts >= DETECTION_BAR.clusterMinAccounts && c.cluster
          ? ` (cluster p ${c.cluster.precision.toFixed(2)} r ${c.cluster.recall.toFixed(2)}, act ${Math.round((c.atAct / c.accounts) * 100)}%)`
          : ''),
    )
    .join(', ');
  const traps = Object.entries(e.traps)
    .map(([k, v]) => `${k.replace('trap:', '')}=${v}`)
    .join(' ');
  return (
    `${misses.length ? 'MISS' : 'MEET'} ${r.name}: ${r.events} events, analysed in ${r.seconds.toFixed(1)} s; ` +
    `attackers ${pct(e.attackerRecall)} at review+; benign ${pct(e.benignFpr, 3)} (${e.benignFlagged}/${e.benign}); ` +
    `traps at review+ ${e.trapsFlagged}/${e.trapAccounts} (${traps}); benign clusters at review+ ${e.benignClusters.length}; ${camp}` +
    (misses.length ? `\n     ${misses.join('\n     ')}` : '')
  );
}

export function formatBar(verdicts: readonly BarVerdict[], bar: 'full' | 'ci'): string {
  const rows = verdicts.map((v) => {
    const status = v.passed ? 'PASS' : bar === 'ci' && !v.ci ? 'not yet met' : 'FAIL';
    const runs = Object.keys(v.misses);
    const first = runs[0];
    const detail = first
      ? `${runs.length} run(s), e.g. ${first}: ${v.misses[first]!.slice(0, 3).join('; ')}`
      : '';
    return [status, v.ci ? 'yes' : 'no', v.text, detail];
  });
  const verdict = barPassed(verdicts, bar)
    ? `bar (${bar === 'ci' ? "CI's items" : 'every item'}): PASS`
    : `bar (${bar === 'ci' ? "CI's items" : 'every item'}): FAIL`;
  return `${table(['status', 'in CI gate', 'bar item', 'missed in'], rows)}\n${verdict}`;
}

export function formatSuite(result: SuiteResult, bar: 'full' | 'ci'): string {
  const out: string[] = [];
  for (const g of result.groups) out.push(...groupSection(g));
  if (result.leaveOneOut.rows.length) out.push(...leaveOneOutSection(result.leaveOneOut.rows));
  if (result.ablation) out.push(...ablationSection(result.ablation));
  out.push('', formatBar(result.bar, bar));
  out.push(
    `${result.runs.length} runs in ${(result.seconds / 60).toFixed(1)} min; load average ${result.load.start.join(' ')} at start, ${result.load.end.join(' ')} at end`,
  );
  return out.join('\n');
}

/** One group's recall, false-positive rates, campaigns and traps. */
function groupSection(g: SuiteResult['groups'][number]): string[] {
  return [
    '',
    `== ${g.group}: ${g.runs.length} run(s); min / median over runs ==`,
    `attackers at review+ ${mm(g.attackerRecall)}; ordinary benign at review+ max ${pct(g.benignFpr.max, 3)} median ${pct(g.benignFpr.median, 3)}; ` +
      `traps at review+ max ${pct(g.trapFpr.max)} median ${pct(g.trapFpr.median)}; no trap at act: ${g.noTrapAtAct ? 'yes' : 'NO'}; ` +
      `clusters at review+ mostly not attackers ${g.benignClusters.total} (max ${g.benignClusters.max} in a run)`,
    table(
      ['campaign', 'runs', 'accounts review+', 'share at act', 'cluster precision', 'cluster recall'],
      g.campaigns.map((c) => [
        c.campaign,
        String(c.runs),
        mm(c.recall),
        mm(c.actShare),
        mm(c.clusterPrecision, two),
        mm(c.clusterRecall, two),
      ]),
    ),
    table(
      ['trap (legitimate hard case)', 'worst level', 'most at review+', 'most at act'],
      g.traps.map((t) => [t.kind, t.worst, String(t.maxFlagged), String(t.maxAtAct)]),
    ),
  ];
}

/** Thresholds chosen without a corpus, scored on it. */
function leaveOneOutSection(loo: SuiteResult['leaveOneOut']['rows']): string[] {
  return [
    '',
    '== leave one corpus out: thresholds (target FPR, act strength) chosen on the other corpora, reported on the held-out one ==',
    table(
      [
        'held out',
        'chosen on',
        'chosen',
        'held-out attackers review+',
        'hydra at act',
        'benign review+',
        'traps at act',
        'own best',
        'own best attackers / hydra act',
      ],
      loo.map((r) => [
        r.heldOut,
        r.selectedOn.join(' + '),
        `${r.choice.targetFpr} / ${r.choice.actStrength}`,
        pct(r.heldOutScore.attackerRecall),
        pct(r.heldOutScore.hydraActShare),
        pct(r.heldOutEvaluation.benignFpr, 3),
        String(r.heldOutEvaluation.trapsAtAct.length),
        `${r.ownChoice.targetFpr} / ${r.ownChoice.actStrength}`,
        `${pct(r.ownScore.attackerRecall)} / ${pct(r.ownScore.hydraActShare)}`,
      ]),
    ),
  ];
}

/** Per campaign: what carries its recall, and what changes without one detector or link type. */
function ablationSection(ab: NonNullable<SuiteResult['ablation']>): string[] {
  const out = [
    '',
    `== ablation over ${ab.runs.join(', ')}: worst recall with one detector or link type switched off ==`,
  ];
  for (const row of ab.rows) {
    const carriers = [
      ...Object.entries(row.carriers.detectors).map(([k, v]) => `${k} ${pct(v, 0)}`),
      ...Object.entries(row.carriers.links).map(([k, v]) => `link ${k} ${pct(v, 0)}`),
    ];
    const changed = Object.entries(row.without).filter(
      ([, o]) =>
        o.recall !== row.base.recall ||
        o.clusterRecall !== row.base.clusterRecall ||
        o.clusterPrecision !== row.base.clusterPrecision,
    );
    out.push(
      `${row.campaign}: accounts review+ ${pct(row.base.recall)}, cluster p ${two(row.base.clusterPrecision)} r ${two(row.base.clusterRecall)}; carried by ${carriers.join(', ') || 'nothing steady'}` +
        (row.brittle.length ? `\n  BRITTLE: below the bar without ${row.brittle.join(' or ')}` : ''),
    );
    if (changed.length)
      out.push(
        table(
          ['  without', 'accounts review+', 'cluster precision', 'cluster recall', 'recovered'],
          changed.map(([off, o]) => [
            `  ${off}`,
            pct(o.recall),
            two(o.clusterPrecision),
            two(o.clusterRecall),
            o.recovered ? 'yes' : 'NO',
          ]),
        ),
      );
    else out.push('  (no single removal changes it)');
  }
  return out;
}
