import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HashedNgramEmbedder, WordVectorEmbedder, type Embedder } from '../text/index.js';

/**
 * Which text representation tells extraction traffic from people's better, measured on real
 * corpora the project did not write: accounts of people (hh-rlhf human turns, and human-written
 * seed tasks as the hard case) and accounts sending a real distillation query set (Alpaca),
 * each scored by its MMD² against held-out human traffic, the distribution-shift statistic.
 */
export interface EmbedderScore {
  embedder: string;
  /** Probability a distillation account scores above a people's account (ROC AUC). */
  auc: number;
  /** Share of distillation accounts above the 99th percentile of people's accounts. */
  tprAt1PctFpr: number;
  /** The same, against the human-written seed-task accounts only (the hard case). */
  aucVsSeedTasks: number;
  seconds: number;
}

export interface EmbedderComparison {
  promptsPerAccount: number;
  accounts: { people: number; seedTasks: number; distillation: number };
  referencePrompts: number;
  scores: EmbedderScore[];
  /** The representation with the higher AUC. */
  best: string;
}

const PROMPTS_PER_ACCOUNT = 10;
const REFERENCE_PROMPTS = 600;

const jsonl = async <T>(path: string): Promise<T[]> =>
  (await readFile(path, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as T);

const chunk = <T>(xs: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i + size <= xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
};

/** Unbiased MMD² with a Gaussian kernel over unit vectors, bandwidth given. */
function mmd2(x: readonly Float32Array[], y: readonly Float32Array[], ySelf: number, gamma: number): number {
  const k = (a: Float32Array, b: Float32Array): number => {
    let dot = 0;
    for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
    return Math.exp(-gamma * Math.max(0, 2 - 2 * dot));
  };
  let xx = 0;
  for (let i = 0; i < x.length; i++) for (let j = i + 1; j < x.length; j++) xx += 2 * k(x[i]!, x[j]!);
  xx /= x.length * (x.length - 1);
  let xy = 0;
  for (const a of x) for (const b of y) xy += k(a, b);
  xy /= x.length * y.length;
  return xx + ySelf - 2 * xy;
}

function meanSelfKernel(y: readonly Float32Array[], gamma: number): number {
  let s = 0;
  for (let i = 0; i < y.length; i++)
    for (let j = i + 1; j < y.length; j++) {
      let dot = 0;
      for (let d = 0; d < y[i]!.length; d++) dot += y[i]![d]! * y[j]![d]!;
      s += 2 * Math.exp(-gamma * Math.max(0, 2 - 2 * dot));
    }
  return s / (y.length * (y.length - 1));
}

/** Median heuristic: the bandwidth each representation would be given in practice. */
function medianGamma(vs: readonly Float32Array[]): number {
  const d2: number[] = [];
  for (let i = 0; i + 1 < vs.length && d2.length < 4000; i += 2) {
    let dot = 0;
    for (let d = 0; d < vs[i]!.length; d++) dot += vs[i]![d]! * vs[i + 1]![d]!;
    d2.push(Math.max(1e-6, 2 - 2 * dot));
  }
  d2.sort((a, b) => a - b);
  return 1 / (2 * d2[d2.length >> 1]!);
}

const auc = (pos: readonly number[], neg: readonly number[]): number => {
  let wins = 0;
  for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
  return wins / (pos.length * neg.length);
};

export async function compareEmbedders(
  corporaDir: string,
  embedders: readonly Embedder[] = [new HashedNgramEmbedder(1024), new WordVectorEmbedder()],
): Promise<EmbedderComparison> {
  const convs = await jsonl<{ turns: string[] }>(join(corporaDir, 'human-hh-harmless.jsonl'));
  const seeds = (await jsonl<{ prompt: string }>(join(corporaDir, 'human-seed-tasks.jsonl'))).map(
    (t) => t.prompt,
  );
  const alpaca = (await jsonl<{ prompt: string }>(join(corporaDir, 'distill-alpaca-5000.jsonl'))).map(
    (t) => t.prompt,
  );
  // People keep their conversations together: an account is consecutive conversations' turns.
  // The first half of the conversations is the reference; accounts come from the second half.
  const half = convs.length >> 1;
  const reference = convs
    .slice(0, half)
    .flatMap((c) => c.turns)
    .filter((_, i) => i % 3 === 0)
    .slice(0, REFERENCE_PROMPTS);
  const people = chunk(
    convs.slice(half).flatMap((c) => c.turns),
    PROMPTS_PER_ACCOUNT,
  );
  const seedTasks = chunk(seeds, PROMPTS_PER_ACCOUNT);
  const distillation = chunk(alpaca, PROMPTS_PER_ACCOUNT).slice(0, 150);

  const scores: EmbedderScore[] = [];
  for (const embedder of embedders) {
    const started = Date.now();
    const embed = (texts: readonly string[]) => embedder.embed(texts);
    const ref = await embed(reference);
    const gamma = medianGamma(ref);
    const refSelf = meanSelfKernel(ref, gamma);
    const score = async (accounts: string[][]): Promise<number[]> => {
      const out: number[] = [];
      for (const a of accounts) out.push(mmd2(await embed(a), ref, refSelf, gamma));
      return out;
    };
    const p = await score(people);
    const s = await score(seedTasks);
    const d = await score(distillation);
    const negatives = [...p, ...s];
    const cut = [...negatives].sort((a, b) => a - b)[Math.floor(0.99 * (negatives.length - 1))]!;
    scores.push({
      embedder: embedder.name,
      auc: auc(d, negatives),
      tprAt1PctFpr: d.filter((x) => x > cut).length / d.length,
      aucVsSeedTasks: auc(d, s),
      seconds: (Date.now() - started) / 1000,
    });
  }
  const best = [...scores].sort((a, b) => b.auc - a.auc)[0]!.embedder;
  return {
    promptsPerAccount: PROMPTS_PER_ACCOUNT,
    accounts: { people: people.length, seedTasks: seedTasks.length, distillation: distillation.length },
    referencePrompts: reference.length,
    scores,
    best,
  };
}

export function formatEmbedderComparison(c: EmbedderComparison): string {
  const rows = c.scores.map(
    (s) =>
      `  ${s.embedder.padEnd(16)} AUC ${s.auc.toFixed(3)}  TPR at 1 % FPR ${(100 * s.tprAt1PctFpr).toFixed(1)} %  AUC vs seed tasks ${s.aucVsSeedTasks.toFixed(3)}  (${s.seconds.toFixed(1)} s)`,
  );
  return [
    `embedders on the shared corpora (${c.accounts.distillation} distillation accounts vs ${c.accounts.people} people and ${c.accounts.seedTasks} seed-task accounts, ${c.promptsPerAccount} prompts each, MMD² against ${c.referencePrompts} held-out human prompts):`,
    ...rows,
    `  better: ${c.best}`,
  ].join('\n');
}
