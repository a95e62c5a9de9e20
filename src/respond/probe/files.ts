import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readUserFile } from '../../ingest/index.js';
import { readCanaryRegistry, type RegistryRejection } from '../canary/index.js';
import { runProbe, type ProbeOptions, type ProbeReport } from './run-probe.js';
import { renderProbeHtml } from './report.js';

export interface ProbeRunOptions extends Omit<ProbeOptions, 'servings' | 'extraPrompts'> {
  registryPath: string;
  /** Text file with one extra prompt per line, or NDJSON lines with a `prompt` field. */
  promptsPath?: string;
  outDir: string;
}

export interface ProbeRunResult {
  report: ProbeReport;
  jsonPath: string;
  htmlPath: string;
  /** Registry lines that could not be read (reported with line numbers, not used). */
  rejectedRegistryLines: RegistryRejection[];
}

/** Read the registry (and extra prompts), run the probe, write probe-report.json and .html. */
export async function runProbeToFiles(o: ProbeRunOptions): Promise<ProbeRunResult> {
  const { servings, rejected } = readCanaryRegistry(o.registryPath);
  const extraPrompts = o.promptsPath ? readPrompts(o.promptsPath) : [];
  const report = await runProbe({ ...o, servings, extraPrompts });
  mkdirSync(o.outDir, { recursive: true });
  const jsonPath = join(o.outDir, 'probe-report.json');
  const htmlPath = join(o.outDir, 'probe-report.html');
  writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(htmlPath, renderProbeHtml(report));
  return { report, jsonPath, htmlPath, rejectedRegistryLines: rejected };
}

function readPrompts(path: string): string[] {
  return readUserFile(path, 'prompts file', 'check --prompts')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      if (!l.startsWith('{')) return l;
      try {
        const v = JSON.parse(l) as { prompt?: unknown };
        return typeof v.prompt === 'string' ? v.prompt : l;
      } catch {
        return l;
      }
    });
}

const fmt = (p: number): string => (p < 1e-3 ? p.toExponential(2) : p.toPrecision(3));

/** One-paragraph summary for the terminal. */
export function formatProbeSummary(r: ProbeRunResult): string {
  const lines = [
    r.report.verdict,
    `asked ${r.report.queries.asked} prompts (${r.report.queries.failed} failed); controls back ${r.report.controls.returned}/${r.report.controls.drawn}`,
    ...r.report.subjects.map(
      (s) =>
        `  ${s.subject}: ${s.returned}/${s.served_canaries} canaries back, p = ${fmt(s.p_value)} (adjusted ${fmt(s.p_adjusted)})`,
    ),
    `report: ${r.jsonPath} and ${r.htmlPath}`,
  ];
  const bad = r.rejectedRegistryLines;
  if (bad.length > 0) {
    const listed = bad.slice(0, 5).map((b) => `line ${b.line} (${b.message})`);
    lines.push(
      `warning: ${bad.length} unreadable registry lines were not used: ${listed.join(', ')}${bad.length > 5 ? ', ...' : ''}`,
    );
  }
  return lines.join('\n');
}
