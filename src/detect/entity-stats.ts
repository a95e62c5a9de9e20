import { TOPIC_NAMES } from '../text/index.js';
import type { EventFeatures } from './event-features.js';
import { Reservoir, TopK } from './top-k.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export interface PromptSample {
  id: string;
  ts: number;
  model: string;
  prompt: string;
  prefix: string | null;
  suffix: string | null;
}

/**
 * Bounded running statistics of one entity (an account, or a cluster when pooled): counts,
 * heavy-hitter sketches, small reservoirs, running moments and a kernel mean embedding.
 * Memory does not grow with the entity's event count.
 */
export class EntityStats {
  n = 0;
  firstTs = Infinity;
  lastTs = -Infinity;
  elicit = 0;
  /** Elicitation through a wrapper the account has used before: a script, not a person's phrasing. */
  templatedElicit = 0;
  readonly elicitExamples = new Reservoir<string>(4, 7);
  readonly prefixes = new TopK(16);
  readonly suffixes = new TopK(16);
  readonly wholes = new TopK(24);
  repeats = 0;
  readonly topicWeight = new Float64Array(TOPIC_NAMES.length);
  topicEvents = 0;
  logprobs = 0;
  topLogprobs = 0;
  multiSample = 0;
  longOutput = 0;
  greedy = 0;
  /** Token probabilities requested on outputs long enough to train on (not one-token scoring). */
  softLabels = 0;
  /** Several samples per prompt at non-zero temperature: the output distribution, not an answer. */
  multiSamples = 0;
  /** Both at once: the full output distribution with its token probabilities. */
  fullHarvest = 0;
  harvestExamples = new Reservoir<string>(4, 13);
  followUps = 0;
  withSystem = 0;
  readonly systemPrompts = new TopK(4);
  readonly conversations = new TopK(16);
  readonly hours = new Float64Array(24);
  gaps = 0;
  gapLogMean = 0;
  gapLogM2 = 0;
  bursts = 0;
  private prevTs = -Infinity;
  readonly days = new Set<number>();
  readonly models = new Map<string, number>();
  earlyAdoption = 0;
  readonly ipPrefixes = new TopK(8);
  readonly asns = new TopK(4);
  readonly userAgents = new TopK(4);
  readonly apiKeys = new TopK(8);
  readonly requestShapes = new TopK(4);
  readonly kernelSum: Float64Array;
  kernelCount = 0;
  readonly samples = new Reservoir<PromptSample>(8, 3);
  /** Accounts pooled into this entity (1 for an account). */
  members = 1;

  constructor(kernelDimensions: number) {
    this.kernelSum = new Float64Array(kernelDimensions);
  }

  add(f: EventFeatures, earlyAdopter: boolean): void {
    this.n++;
    if (f.tsMs < this.firstTs) this.firstTs = f.tsMs;
    if (f.tsMs > this.lastTs) this.lastTs = f.tsMs;
    if (f.elicits) {
      this.elicit++;
      this.elicitExamples.add(f.id);
    }
    const t = f.template;
    if (
      f.elicits &&
      ((t.prefix && this.prefixes.count(t.prefix) > 0) || (t.suffix && this.suffixes.count(t.suffix) > 0))
    )
      this.templatedElicit++;
    if (t.prefix) this.prefixes.add(t.prefix);
    if (t.suffix) this.suffixes.add(t.suffix);
    // Exact re-use is checked against the heavy hitters only: a bounded, conservative count.
    if (this.wholes.count(t.whole) > 0) this.repeats++;
    this.wholes.add(t.whole);
    if (f.topics !== 0n) {
      this.topicEvents++;
      let bits = 0;
      for (let m = f.topics; m; m &= m - 1n) bits++;
      for (let i = 0; i < this.topicWeight.length; i++)
        if ((f.topics >> BigInt(i)) & 1n) this.topicWeight[i]! += 1 / bits;
    }
    const harvest = f.logprobs || f.topLogprobs > 0 || f.n > 1;
    if (f.logprobs || f.topLogprobs > 0) this.logprobs++;
    if (f.topLogprobs >= 5) this.topLogprobs++;
    if (f.n > 1) this.multiSample++;
    if (f.maxTokens !== null && f.maxTokens >= 4000) this.longOutput++;
    if (f.temperature === 0) this.greedy++;
    const soft = (f.logprobs || f.topLogprobs > 0) && (f.maxTokens === null || f.maxTokens >= 64);
    const multi = f.n > 1 && f.temperature !== 0;
    if (soft) this.softLabels++;
    if (multi) this.multiSamples++;
    if (soft && multi) this.fullHarvest++;
    if (harvest && (soft || multi)) this.harvestExamples.add(f.id);
    if (f.followUp) this.followUps++;
    if (f.systemHash) {
      this.withSystem++;
      this.systemPrompts.add(f.systemHash);
    }
    if (f.conversationId) this.conversations.add(f.conversationId);
    this.hours[new Date(f.tsMs).getUTCHours()]! += 1;
    this.days.add(Math.floor(f.tsMs / DAY_MS));
    if (Number.isFinite(this.prevTs) && f.tsMs >= this.prevTs) {
      const gap = (f.tsMs - this.prevTs) / 1000;
      if (gap < 2) this.bursts++;
      const x = Math.log(gap + 1);
      this.gaps++;
      const delta = x - this.gapLogMean;
      this.gapLogMean += delta / this.gaps;
      this.gapLogM2 += delta * (x - this.gapLogMean);
    }
    this.prevTs = Math.max(this.prevTs, f.tsMs);
    this.models.set(f.model, (this.models.get(f.model) ?? 0) + 1);
    if (earlyAdopter) this.earlyAdoption++;
    if (f.ipPrefix) this.ipPrefixes.add(f.ipPrefix);
    if (f.asn !== null) this.asns.add(String(f.asn));
    if (f.userAgent) this.userAgents.add(f.userAgent);
    if (f.apiKey) this.apiKeys.add(f.apiKey);
    this.requestShapes.add(f.requestShape);
    this.samples.add({
      id: f.id,
      ts: f.tsMs,
      model: f.model,
      prompt: f.prompt.slice(0, 600),
      prefix: t.prefix,
      suffix: t.suffix,
    });
  }

  /** Standard deviation of log inter-arrival gaps: low when a scheduler sends the requests. */
  get gapLogSd(): number {
    return this.gaps > 1 ? Math.sqrt(this.gapLogM2 / (this.gaps - 1)) : NaN;
  }

  /** Pools another entity into this one, for cluster-level re-scoring. */
  merge(o: EntityStats): void {
    this.n += o.n;
    this.firstTs = Math.min(this.firstTs, o.firstTs);
    this.lastTs = Math.max(this.lastTs, o.lastTs);
    this.elicit += o.elicit;
    this.templatedElicit += o.templatedElicit;
    for (const id of o.elicitExamples.items) this.elicitExamples.add(id);
    this.prefixes.mergeFrom(o.prefixes);
    this.suffixes.mergeFrom(o.suffixes);
    this.wholes.mergeFrom(o.wholes);
    this.repeats += o.repeats;
    for (let i = 0; i < this.topicWeight.length; i++) this.topicWeight[i]! += o.topicWeight[i]!;
    this.topicEvents += o.topicEvents;
    this.logprobs += o.logprobs;
    this.topLogprobs += o.topLogprobs;
    this.multiSample += o.multiSample;
    this.longOutput += o.longOutput;
    this.greedy += o.greedy;
    this.softLabels += o.softLabels;
    this.multiSamples += o.multiSamples;
    this.fullHarvest += o.fullHarvest;
    for (const id of o.harvestExamples.items) this.harvestExamples.add(id);
    this.followUps += o.followUps;
    this.withSystem += o.withSystem;
    this.systemPrompts.mergeFrom(o.systemPrompts);
    for (let h = 0; h < 24; h++) this.hours[h]! += o.hours[h]!;
    // Pooled gap moments (Chan et al.), so regularity of the whole cluster is measured.
    if (o.gaps > 0) {
      const nTot = this.gaps + o.gaps;
      const delta = o.gapLogMean - this.gapLogMean;
      this.gapLogM2 += o.gapLogM2 + (delta * delta * this.gaps * o.gaps) / nTot;
      this.gapLogMean += (delta * o.gaps) / nTot;
      this.gaps = nTot;
    }
    this.bursts += o.bursts;
    for (const d of o.days) this.days.add(d);
    for (const [m, c] of o.models) this.models.set(m, (this.models.get(m) ?? 0) + c);
    this.earlyAdoption += o.earlyAdoption;
    this.ipPrefixes.mergeFrom(o.ipPrefixes);
    this.asns.mergeFrom(o.asns);
    this.userAgents.mergeFrom(o.userAgents);
    this.apiKeys.mergeFrom(o.apiKeys);
    this.requestShapes.mergeFrom(o.requestShapes);
    for (let d = 0; d < this.kernelSum.length; d++) this.kernelSum[d]! += o.kernelSum[d]!;
    this.kernelCount += o.kernelCount;
    for (const s of o.samples.items) this.samples.add(s);
    this.members += o.members;
  }
}
