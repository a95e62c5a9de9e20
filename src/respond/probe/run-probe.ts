import {
  CanaryGenerator,
  frameElicitationPrompts,
  matchCanary,
  normalizeForMatch,
  type Canary,
} from '../canary/index.js';
import { UserError, type CanaryBanks, type CanaryServing } from '../../contracts/index.js';
import { askChat, type ChatTarget } from './chat-client.js';
import { fisherOneSided } from './fisher.js';

export interface ProbeOptions {
  target: ChatTarget;
  servings: CanaryServing[];
  /** The gateway's canary secret: needed to draw control canaries from the same generator. */
  secret: string;
  /** The canary banks the gateway ran with (default DEFAULT_CANARY_BANKS). */
  banks?: CanaryBanks;
  controls?: number;
  /** Distinct served prompts asked per canary. */
  promptsPerCanary?: number;
  /** More prompts to ask (e.g. the cluster's known templates), checked for every canary. */
  extraPrompts?: string[];
  /** Also ask the model to complete the canary frames (default true). */
  framePrompts?: boolean;
  concurrency?: number;
  alpha?: number;
  now?: () => Date;
}

export interface CanaryEvidence {
  canary_id: string;
  subject: string;
  text: string;
  served: number;
  accounts: string[];
  first_served: string;
  last_served: string;
  returned: boolean;
  matched_by: 'marker' | 'shingles' | null;
  /** Prompt and answer excerpts where the canary came back. */
  matches: { prompt: string; answer: string }[];
}

export interface SubjectResult {
  subject: string;
  served_canaries: number;
  returned: number;
  p_value: number;
  /** p_value times the number of subjects tested (Bonferroni), capped at 1: what attribution uses. */
  p_adjusted: number;
  canaries: CanaryEvidence[];
}

export interface ProbeReport {
  format: 'probe.v1';
  generated_at: string;
  target: string;
  model: string;
  alpha: number;
  queries: { asked: number; answered: number; failed: number; errors: string[] };
  controls: { drawn: number; returned: number; returned_ids: string[] };
  overall: { served_canaries: number; returned: number; p_value: number };
  subjects: SubjectResult[];
  attributed_to: string | null;
  verdict: string;
}

interface ServedCanary {
  canary: Canary;
  servings: CanaryServing[];
}

interface Answer {
  prompt: string;
  answer: string;
  normalized: string;
}

interface Evidence {
  returned: boolean;
  by: 'marker' | 'shingles' | null;
  matches: { prompt: string; answer: string }[];
}

/**
 * Ask a suspect model the prompts that earned canaries (plus any extra prompts), look for every
 * served and control canary in every answer, and test per subject whether served canaries come
 * back more than never-served controls (one-sided Fisher exact test).
 */
export async function runProbe(opts: ProbeOptions): Promise<ProbeReport> {
  const alpha = opts.alpha ?? 0.01;
  if (opts.servings.length === 0) {
    throw new UserError(
      'NO_EVENTS',
      'the canary registry holds no servings; run the gateway with --canary-secret on watched accounts first',
    );
  }
  const generator = new CanaryGenerator(opts.secret, undefined, opts.banks);
  const served = groupServings(opts.servings, generator);
  const controls = generator.controls(opts.controls ?? 64).filter((c) => !served.has(c.canary_id));
  const prompts = probePrompts(served, opts);
  const { answers, errors } = await askAll(opts, prompts);
  const controlReturned = controls.filter((c) => evidenceIn(answers, c).returned);
  const test = (list: CanaryEvidence[]): number => {
    const hit = list.filter((c) => c.returned).length;
    return fisherOneSided({
      servedHit: hit,
      servedMiss: list.length - hit,
      controlHit: controlReturned.length,
      controlMiss: controls.length - controlReturned.length,
    });
  };
  const subjects = subjectResults(evidenceBySubject(served, answers), test);
  const all = subjects.flatMap((s) => s.canaries);
  const best = subjects[0];
  // Every subject is a hypothesis: correct for testing them all so many clusters cannot make a
  // chance attribution likely.
  const attributed = best && best.p_adjusted < alpha ? best.subject : null;
  return {
    format: 'probe.v1',
    generated_at: (opts.now?.() ?? new Date()).toISOString(),
    target: opts.target.url,
    model: opts.target.model,
    alpha,
    queries: {
      asked: prompts.size,
      answered: answers.length,
      failed: errors.length,
      errors: errors.slice(0, 10),
    },
    controls: {
      drawn: controls.length,
      returned: controlReturned.length,
      returned_ids: controlReturned.map((c) => c.canary_id),
    },
    overall: {
      served_canaries: all.length,
      returned: all.filter((c) => c.returned).length,
      p_value: test(all),
    },
    subjects,
    attributed_to: attributed,
    verdict: attributed
      ? `${best!.returned} of ${best!.served_canaries} canaries served to ${attributed} came back against ${controlReturned.length} of ${controls.length} never-served controls (one-sided Fisher exact p = ${best!.p_value.toExponential(2)}, ${subjects.length} subjects tested, adjusted p = ${best!.p_adjusted.toExponential(2)} < ${alpha}): the model was very likely trained on answers served to ${attributed}.`
      : `no subject's canaries came back significantly more often than never-served controls (smallest p = ${(best?.p_value ?? 1).toPrecision(3)}, adjusted for ${subjects.length} subjects ${(best?.p_adjusted ?? 1).toPrecision(3)} ≥ ${alpha}): no evidence this model was trained on answers the gateway served.`,
  };
}

/** The served prompts (a few distinct ones per canary), the extra ones, and the frame prompts. */
function probePrompts(served: Map<string, ServedCanary>, opts: ProbeOptions): Set<string> {
  const perCanary = opts.promptsPerCanary ?? 2;
  const prompts = new Set<string>();
  for (const { servings } of served.values()) {
    const distinct = [...new Set(servings.map((s) => s.prompt).filter((p): p is string => !!p))];
    for (const p of distinct.slice(0, perCanary)) prompts.add(p);
  }
  for (const p of opts.extraPrompts ?? []) prompts.add(p);
  if (opts.framePrompts ?? true) for (const p of frameElicitationPrompts(opts.banks)) prompts.add(p);
  if (prompts.size === 0) {
    throw new UserError(
      'INVALID_INPUT',
      'no prompts to ask: the registry has no recorded prompts; pass --prompts FILE',
    );
  }
  return prompts;
}

/** Every prompt asked of the target, `concurrency` at a time; fails when none is answered. */
async function askAll(
  opts: ProbeOptions,
  prompts: Set<string>,
): Promise<{ answers: Answer[]; errors: string[] }> {
  const answers: Answer[] = [];
  const errors: string[] = [];
  const queue = [...prompts];
  const worker = async (): Promise<void> => {
    for (let prompt = queue.shift(); prompt !== undefined; prompt = queue.shift()) {
      try {
        const answer = await askChat(opts.target, prompt);
        answers.push({ prompt, answer, normalized: normalizeForMatch(answer) });
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 4) }, worker));
  if (answers.length === 0) {
    throw new UserError(
      'UPSTREAM_UNAVAILABLE',
      `the target ${opts.target.url} answered none of ${prompts.size} prompts (first error: ${errors[0] ?? 'none'}); check --target and --model`,
    );
  }
  return { answers, errors };
}

/** Whether a canary came back in any answer, how it was matched, and up to three excerpts. */
function evidenceIn(answers: readonly Answer[], c: Canary): Evidence {
  const matches: { prompt: string; answer: string }[] = [];
  let by: 'marker' | 'shingles' | null = null;
  for (const a of answers) {
    const m = matchCanary(c, a.answer, a.normalized);
    if (m.found) {
      by ??= m.by;
      if (matches.length < 3) matches.push({ prompt: excerpt(a.prompt), answer: excerptAround(a.answer, c) });
    }
  }
  return { returned: matches.length > 0, by, matches };
}

/** Each served canary's evidence, grouped by the subject it was unique to. */
function evidenceBySubject(
  served: Map<string, ServedCanary>,
  answers: readonly Answer[],
): Map<string, CanaryEvidence[]> {
  const bySubject = new Map<string, CanaryEvidence[]>();
  for (const { canary, servings } of served.values()) {
    const ev = evidenceIn(answers, canary);
    const times = servings.map((s) => s.served_at).sort();
    const item: CanaryEvidence = {
      canary_id: canary.canary_id,
      subject: canary.subject,
      text: canary.text,
      served: servings.length,
      accounts: [...new Set(servings.map((s) => s.account_id))].sort(),
      first_served: times[0]!,
      last_served: times[times.length - 1]!,
      returned: ev.returned,
      matched_by: ev.by,
      matches: ev.matches,
    };
    const list = bySubject.get(canary.subject) ?? [];
    list.push(item);
    bySubject.set(canary.subject, list);
  }
  return bySubject;
}

/** One test per subject, most significant first. */
function subjectResults(
  bySubject: Map<string, CanaryEvidence[]>,
  test: (list: CanaryEvidence[]) => number,
): SubjectResult[] {
  return [...bySubject.entries()]
    .map(([subject, canaries]) => ({
      subject,
      served_canaries: canaries.length,
      returned: canaries.filter((c) => c.returned).length,
      p_value: test(canaries),
      p_adjusted: Math.min(1, test(canaries) * bySubject.size),
      canaries: canaries.sort(
        (a, b) => Number(b.returned) - Number(a.returned) || a.canary_id.localeCompare(b.canary_id),
      ),
    }))
    .sort((a, b) => a.p_value - b.p_value || b.returned - a.returned);
}

/**
 * Group servings by canary, taking each canary's marker from the generator (the registry holds only
 * the text). A canary the secret does not reproduce is matched on its whole sentence instead.
 */
function groupServings(servings: CanaryServing[], generator: CanaryGenerator): Map<string, ServedCanary> {
  const known = new Map<string, Canary>();
  const out = new Map<string, ServedCanary>();
  for (const s of servings) {
    const entry = out.get(s.canary_id);
    if (entry) {
      entry.servings.push(s);
      continue;
    }
    if (!known.has(s.canary_id)) for (const c of generator.canariesFor(s.subject)) known.set(c.canary_id, c);
    const canary = known.get(s.canary_id) ?? {
      canary_id: s.canary_id,
      subject: s.subject,
      text: s.text,
      marker: normalizeForMatch(s.text),
    };
    out.set(s.canary_id, { canary, servings: [s] });
  }
  return out;
}

function excerpt(s: string): string {
  return s.length > 300 ? `${s.slice(0, 297)}...` : s;
}

/** The part of a long answer around the canary (found by the first word of its coined name). */
function excerptAround(answer: string, c: Canary): string {
  if (answer.length <= 400) return answer;
  const firstWord = c.marker.split(' ')[0] ?? '';
  const at = firstWord === '' ? -1 : answer.toLowerCase().indexOf(firstWord);
  if (at === -1) return excerpt(answer);
  const from = Math.max(0, at - 150);
  const to = Math.min(answer.length, at + c.text.length + 100);
  return `${from > 0 ? '...' : ''}${answer.slice(from, to)}${to < answer.length ? '...' : ''}`;
}
