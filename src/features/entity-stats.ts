import type { EntityStatsSnapshot, ModelUseSnapshot, PromptSample } from '../contracts/index.js';
import { TOPIC_NAMES } from '../text/index.js';
import { ActivitySlots } from './activity-slots.js';
import type { EventFeatures } from './event-features.js';
import { DistinctSample } from './distinct-sample.js';
import { Reservoir, TopK } from './top-k.js';

export type { PromptSample };
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
/** How long after a model's release its traffic counts as early adoption. */
export const EARLY_WINDOW_HOURS = 48;

// Sketch and reservoir sizes: fixed, so a restored snapshot behaves like the original.
const ELICIT_EXAMPLES = 4;
const HARVEST_EXAMPLES = 4;
const SAMPLES = 8;
const TEMPLATE_KEYS = 16;
// Distinct prompts sampled for re-use: ~16–32 kept, enough to tell a suite re-run from new work.
const PROMPT_SAMPLE_KEYS = 32;
const CONVERSATION_KEYS = 16;
const IP_KEYS = 8;
const SYSTEM_KEYS = 4;
const SMALL_KEYS = 4;
const FOCUSED_TOPICS = 3;
/**
 * `top_logprobs` at or near the API maximum (20 on OpenAI-compatible chat APIs): the distribution
 * over the vocabulary. An app scoring its own answer asks for a few alternatives, or none.
 */
export const NEAR_MAX_TOP_LOGPROBS = 15;
/**
 * Prompts remembered per account to recognise a resend: a tool loop resends its conversation
 * within seconds, so this covers an app interleaving a few dozen conversations at once.
 */
export const RECENT_TURNS = 32;
/**
 * A one-shot request this soon after another one-shot request is sent back to back: faster than
 * a person reads a reasoned answer and opens a new conversation, the pace of a script's batch.
 */
export const BACK_TO_BACK_MS = 120_000;

/** One entity's use of one model: first use, count, and requests per hour since first use. */
type ModelUse = ModelUseSnapshot;

function addModelUse(use: ModelUse, tsMs: number, count: number): void {
  const hour = Math.floor(tsMs / HOUR_MS);
  let firstHour = Math.floor(use.first / HOUR_MS);
  if (tsMs < use.first) {
    // Out-of-order event: re-align the buckets on the new first use. Buckets pushed past the
    // window can never count as early, because a release is never later than any first use.
    const shift = firstHour - hour;
    use.hours = [...new Array<number>(Math.min(shift, EARLY_WINDOW_HOURS)).fill(0), ...use.hours].slice(
      0,
      EARLY_WINDOW_HOURS,
    );
    use.first = tsMs;
    firstHour = hour;
  }
  use.count += count;
  const b = hour - firstHour;
  if (b < EARLY_WINDOW_HOURS) bump(use.hours, b, count);
}

/** The UTC hour of day of a timestamp, as new Date(ms).getUTCHours() gives it. */
function utcHour(ms: number): number {
  const h = Math.floor(ms / HOUR_MS) % 24;
  return h < 0 ? h + 24 : h;
}

/**
 * topicIndexes per mask, kept (prompts touch a few hundred combinations of domains): the BigInt
 * steps allocated on every event. Cleared when full, so at most 4,096 short arrays. Read only.
 */
const topicIndexMemo = new Map<bigint, readonly number[]>();
function topicIndexesOf(mask: bigint): readonly number[] {
  let out = topicIndexMemo.get(mask);
  if (out === undefined) {
    if (topicIndexMemo.size >= 1 << 12) topicIndexMemo.clear();
    topicIndexMemo.set(mask, (out = topicIndexes(mask)));
  }
  return out;
}

/** Indexes of the set bits of a topic mask, lowest first. */
function topicIndexes(mask: bigint): number[] {
  const out: number[] = [];
  // Masks fit in 64 bits (at most 64 domains): two 32-bit halves, then plain number bit tricks.
  const halves = [Number(mask & 0xffffffffn), Number(mask >> 32n)];
  for (let h = 0; h < 2; h++) {
    let m = halves[h]!;
    while (m !== 0) {
      const low = m & -m;
      out.push(h * 32 + 31 - Math.clz32(low));
      m ^= low;
    }
  }
  return out;
}

/** AS numbers as the sketch's keys, kept (a handful per account): not a new string per event. */
const asnKeys = new Map<number, string>();
function asnKey(asn: number): string {
  let key = asnKeys.get(asn);
  if (key === undefined) {
    if (asnKeys.size >= 1 << 14) asnKeys.clear();
    asnKeys.set(asn, (key = String(asn)));
  }
  return key;
}

/** Adds to a dense bucket array (no holes, so snapshots stay plain JSON numbers). */
function bump(hours: number[], b: number, count: number): void {
  while (hours.length <= b) hours.push(0);
  hours[b]! += count;
}

/**
 * Bounded running statistics of one entity (an account, or a cluster when pooled): counts,
 * heavy-hitter sketches, small reservoirs, running moments and a kernel mean embedding.
 * Memory does not grow with the entity's event count.
 */
export class EntityStats {
  n = 0;
  /**
   * Requests carrying a prompt the account had not sent among its last RECENT_TURNS prompts:
   * each step of a tool loop resends its conversation's prompt, and counts once. Elicitation
   * and template counts are of these.
   */
  prompts = 0;
  /** The last RECENT_TURNS distinct turn keys (EventFeatures.turnKey), a ring. */
  private recentTurns = new Int32Array(RECENT_TURNS);
  private recentCount = 0;
  firstTs = Infinity;
  lastTs = -Infinity;
  elicit = 0;
  /** Elicitation in a sentence the account has sent before: a wrapper, not a person's phrasing. */
  templatedElicit = 0;
  elicitSentences = new TopK(TEMPLATE_KEYS);
  /** First turns whose system prompt (not the user) asks for reasoning, and of those re-used. */
  systemElicit = 0;
  systemTemplatedElicit = 0;
  /** Eliciting messages (in the user's words) the user answered with a further message. */
  elicitFollowedUp = 0;
  /**
   * Conversation openers (a first user message, counted once as a prompt: a tool loop resends
   * it), those asking for reasoning in the user's words, and the user's replies to them (second
   * messages), those answering an eliciting opener.
   */
  openers = 0;
  elicitOpeners = 0;
  openerReplies = 0;
  elicitOpenerReplies = 0;
  elicitExamples = new Reservoir<string>(ELICIT_EXAMPLES, 7);
  prefixes = new TopK(TEMPLATE_KEYS);
  suffixes = new TopK(TEMPLATE_KEYS);
  /** One-shot prompts, sampled by fingerprint with every re-use counted: how much is sent again. */
  promptSample = new DistinctSample(PROMPT_SAMPLE_KEYS);
  readonly topicWeight = new Float64Array(TOPIC_NAMES.length);
  /** Domains of the focused prompts that ask for reasoning in their own words. */
  readonly elicitTopicWeight = new Float64Array(TOPIC_NAMES.length);
  elicitTopicEvents = 0;
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
  /**
   * Full harvests with `top_logprobs` at or near the API maximum (NEAR_MAX_TOP_LOGPROBS): the
   * distribution over the vocabulary, not an app's confidence score of its one answer.
   */
  distributionHarvest = 0;
  /** New prompts (not a resent turn) among them: how many distinct distributions were taken. */
  distributionPrompts = 0;
  harvestExamples = new Reservoir<string>(HARVEST_EXAMPLES, 13);
  followUps = 0;
  withSystem = 0;
  systemPrompts = new TopK(SYSTEM_KEYS);
  conversations = new TopK(CONVERSATION_KEYS);
  readonly hours = new Float64Array(24);
  gaps = 0;
  gapLogMean = 0;
  gapLogM2 = 0;
  bursts = 0;
  private prevTs = -Infinity;
  /**
   * One-shot requests (no earlier turns) split by whether they ask for reasoning, and of each
   * how many were sent back to back after another one-shot request: the account's own control
   * for how its reasoning requests are paced.
   */
  oneShotElicit = 0;
  pacedElicit = 0;
  oneShotOther = 0;
  pacedOther = 0;
  pacedElicitExamples = new Reservoir<string>(ELICIT_EXAMPLES, 17);
  private prevOneShot = false;
  readonly days = new Set<number>();
  /** Active 5-minute slots, for linking accounts that one client drives together. */
  activity = new ActivitySlots();
  /** Model use with hourly buckets, so early adoption is judged once every partition is known. */
  readonly models = new Map<string, ModelUse>();
  /** Requests on a model within 48 h of its release; set by the engine from `models` before scoring. */
  earlyAdoption = 0;
  ipPrefixes = new TopK(IP_KEYS);
  asns = new TopK(SMALL_KEYS);
  /**
   * "/24 AS" pairs seen together on a request: the population's own map from an address block
   * to the network announcing it, so a sign-up address can be placed on its provider's network.
   */
  prefixAsns = new TopK(IP_KEYS);
  private lastPrefix = '';
  private lastAsn = NaN;
  private lastPrefixAsn = '';
  userAgents = new TopK(SMALL_KEYS);
  apiKeys = new TopK(IP_KEYS);
  requestShapes = new TopK(SMALL_KEYS);
  readonly kernelSum: Float64Array;
  kernelCount = 0;
  samples = new Reservoir<PromptSample>(SAMPLES, 3);
  /** Accounts pooled into this entity (1 for an account). */
  members = 1;

  constructor(kernelDimensions: number) {
    this.kernelSum = new Float64Array(kernelDimensions);
  }

  add(f: EventFeatures): void {
    this.n++;
    if (f.tsMs < this.firstTs) this.firstTs = f.tsMs;
    if (f.tsMs > this.lastTs) this.lastTs = f.tsMs;
    const fresh = this.freshTurn(f.turnKey);
    if (fresh) this.prompts++;
    this.addElicitation(f, fresh);
    this.addTemplate(f, fresh);
    this.addTopics(f);
    this.addHarvesting(f, fresh);
    if (f.followUp) this.followUps++;
    if (f.systemHash) {
      this.withSystem++;
      this.systemPrompts.add(f.systemHash);
    }
    if (f.conversationId) this.conversations.add(f.conversationId);
    this.hours[utcHour(f.tsMs)]! += 1;
    this.days.add(Math.floor(f.tsMs / DAY_MS));
    this.addPacing(f);
    const use = this.models.get(f.model);
    if (use) addModelUse(use, f.tsMs, 1);
    else this.models.set(f.model, { first: f.tsMs, count: 1, hours: [1] });
    this.activity.add(f.tsMs);
    if (f.ipPrefix) this.ipPrefixes.add(f.ipPrefix);
    if (f.asn !== null) {
      this.asns.add(asnKey(f.asn));
      if (f.ipPrefix) this.prefixAsns.add(this.prefixAsnKey(f.ipPrefix, f.asn));
    }
    if (f.userAgent) this.userAgents.add(f.userAgent);
    if (f.apiKey) this.apiKeys.add(f.apiKey);
    this.requestShapes.add(f.requestShape);
    this.addSample(f);
  }

  /**
   * The "/24 AS" key, the last one kept: an account's requests mostly come from one network, and
   * building the string anew cost an allocation and a hash per event.
   */
  private prefixAsnKey(prefix: string, asn: number): string {
    if (prefix !== this.lastPrefix || asn !== this.lastAsn) {
      this.lastPrefix = prefix;
      this.lastAsn = asn;
      this.lastPrefixAsn = `${prefix} ${asnKey(asn)}`;
    }
    return this.lastPrefixAsn;
  }

  /**
   * Whether the request carries a prompt other than the account's last RECENT_TURNS ones (and
   * remembers it). Recognised by the prompt and its place in the conversation, not by what
   * follows it, so a made-up tool message appended to a new prompt does not hide it.
   */
  private freshTurn(key: number): boolean {
    const ring = this.recentTurns;
    const filled = Math.min(this.recentCount, RECENT_TURNS);
    for (let i = 0; i < filled; i++) if (ring[i] === key) return false;
    ring[this.recentCount % RECENT_TURNS] = key;
    this.recentCount++;
    return true;
  }

  /**
   * Reasoning-elicitation counts, and how often the same elicitation sentence comes back: of
   * fresh prompts only (a tool loop's resends are the one prompt they carry).
   */
  private addElicitation(f: EventFeatures, fresh: boolean): void {
    if (fresh) {
      if (f.elicits) {
        if (f.elicitsBySystem) this.systemElicit++;
        else this.elicit++;
        this.elicitExamples.add(f.id);
      }
      if (f.followsElicit) this.elicitFollowedUp++;
      if (f.elicitKey) {
        if (this.elicitSentences.count(f.elicitKey) > 0) {
          if (f.elicitsBySystem) this.systemTemplatedElicit++;
          else this.templatedElicit++;
        }
        this.elicitSentences.add(f.elicitKey);
      }
    }
    // By the prompt, not by the last message's role: a made-up tool message appended to a new
    // opener does not hide it.
    if (fresh && f.userTurns === 1) {
      this.openers++;
      if (f.elicits && !f.elicitsBySystem) this.elicitOpeners++;
    } else if (fresh && f.userTurns === 2) {
      this.openerReplies++;
      if (f.followsElicit) this.elicitOpenerReplies++;
    }
  }

  /** Template parts (of fresh prompts) and exact re-use of whole prompts. */
  private addTemplate(f: EventFeatures, fresh: boolean): void {
    const t = f.template;
    if (fresh) {
      if (t.prefix) this.prefixes.add(t.prefix);
      if (t.suffix) this.suffixes.add(t.suffix);
    }
    // Re-running means re-sending whole requests: the same follow-up ("harder ones") in another
    // conversation is another request.
    if (!f.followUp) this.promptSample.add(f.promptKey);
  }

  /** Topic breadth of focused prompts. */
  private addTopics(f: EventFeatures): void {
    // Breadth is counted over focused prompts only: one pasted passage or transcript touching
    // many domains says nothing about how widely an account's requests range; a sweep is many
    // focused prompts, each on its own domain.
    if (f.topics !== 0n) {
      // Hot path: the set domains, lowest first, with one BigInt step each (not one per domain).
      const domains = topicIndexesOf(f.topics);
      const bits = domains.length;
      if (bits <= FOCUSED_TOPICS) {
        this.topicEvents++;
        const ownWords = f.elicits && !f.elicitsBySystem;
        for (const i of domains) {
          this.topicWeight[i]! += 1 / bits;
          if (ownWords) this.elicitTopicWeight[i]! += 1 / bits;
        }
        if (ownWords) this.elicitTopicEvents++;
      }
    }
  }

  /** Output-harvesting request parameters: log-probabilities, several samples, long or greedy output. */
  private addHarvesting(f: EventFeatures, fresh: boolean): void {
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
    if (soft && multi && f.topLogprobs >= NEAR_MAX_TOP_LOGPROBS) {
      this.distributionHarvest++;
      if (fresh) this.distributionPrompts++;
    }
    if (harvest && (soft || multi)) this.harvestExamples.add(f.id);
  }

  /** One-shot pacing and inter-arrival gaps (reads the previous request's time before moving it). */
  private addPacing(f: EventFeatures): void {
    if (!f.followUp) {
      const paced = this.prevOneShot && f.tsMs >= this.prevTs && f.tsMs - this.prevTs < BACK_TO_BACK_MS;
      if (f.elicits) {
        this.oneShotElicit++;
        if (paced) {
          this.pacedElicit++;
          this.pacedElicitExamples.add(f.id);
        }
      } else {
        this.oneShotOther++;
        if (paced) this.pacedOther++;
      }
    }
    // A late event does not move the account's latest request.
    if (f.tsMs >= this.prevTs) this.prevOneShot = !f.followUp;
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
  }

  /** Offers the event to the reservoir of example prompts. */
  private addSample(f: EventFeatures): void {
    const t = f.template;
    // The sample is built only when the reservoir keeps it (rarely, once it is full).
    const slot = this.samples.offer();
    if (slot >= 0) {
      this.samples.put(slot, {
        id: f.id,
        ts: f.tsMs,
        model: f.model,
        prompt: f.prompt.slice(0, 600),
        prefix: t.prefix,
        suffix: t.suffix,
      });
    }
  }

  /** The remembered turn keys, oldest first. */
  private recentTurnList(): number[] {
    const filled = Math.min(this.recentCount, RECENT_TURNS);
    const start = this.recentCount - filled;
    const out: number[] = [];
    for (let i = start; i < this.recentCount; i++) out.push(this.recentTurns[i % RECENT_TURNS]!);
    return out;
  }

  /** Standard deviation of log inter-arrival gaps: low when a scheduler sends the requests. */
  get gapLogSd(): number {
    return this.gaps > 1 ? Math.sqrt(this.gapLogM2 / (this.gaps - 1)) : NaN;
  }

  /** Pools another entity into this one, for cluster-level re-scoring. */
  merge(o: EntityStats): void {
    this.n += o.n;
    // The ring stays this entity's: a pooled entity takes no events.
    this.prompts += o.prompts;
    this.firstTs = Math.min(this.firstTs, o.firstTs);
    this.lastTs = Math.max(this.lastTs, o.lastTs);
    this.elicit += o.elicit;
    this.templatedElicit += o.templatedElicit;
    this.elicitSentences.mergeFrom(o.elicitSentences);
    this.systemElicit += o.systemElicit;
    this.systemTemplatedElicit += o.systemTemplatedElicit;
    this.elicitFollowedUp += o.elicitFollowedUp;
    this.openers += o.openers;
    this.elicitOpeners += o.elicitOpeners;
    this.openerReplies += o.openerReplies;
    this.elicitOpenerReplies += o.elicitOpenerReplies;
    for (const id of o.elicitExamples.items) this.elicitExamples.add(id);
    this.prefixes.mergeFrom(o.prefixes);
    this.suffixes.mergeFrom(o.suffixes);
    this.promptSample.mergeFrom(o.promptSample);
    for (let i = 0; i < this.topicWeight.length; i++) {
      this.topicWeight[i]! += o.topicWeight[i]!;
      this.elicitTopicWeight[i]! += o.elicitTopicWeight[i]!;
    }
    this.elicitTopicEvents += o.elicitTopicEvents;
    this.topicEvents += o.topicEvents;
    this.logprobs += o.logprobs;
    this.topLogprobs += o.topLogprobs;
    this.multiSample += o.multiSample;
    this.longOutput += o.longOutput;
    this.greedy += o.greedy;
    this.softLabels += o.softLabels;
    this.multiSamples += o.multiSamples;
    this.fullHarvest += o.fullHarvest;
    this.distributionHarvest += o.distributionHarvest;
    this.distributionPrompts += o.distributionPrompts;
    for (const id of o.harvestExamples.items) this.harvestExamples.add(id);
    this.followUps += o.followUps;
    this.withSystem += o.withSystem;
    this.systemPrompts.mergeFrom(o.systemPrompts);
    for (let h = 0; h < 24; h++) this.hours[h]! += o.hours[h]!;
    this.mergeGapMoments(o);
    this.bursts += o.bursts;
    this.oneShotElicit += o.oneShotElicit;
    this.pacedElicit += o.pacedElicit;
    this.oneShotOther += o.oneShotOther;
    this.pacedOther += o.pacedOther;
    for (const id of o.pacedElicitExamples.items) this.pacedElicitExamples.add(id);
    for (const d of o.days) this.days.add(d);
    this.activity.merge(o.activity);
    this.mergeModels(o);
    this.earlyAdoption += o.earlyAdoption;
    this.ipPrefixes.mergeFrom(o.ipPrefixes);
    this.asns.mergeFrom(o.asns);
    this.prefixAsns.mergeFrom(o.prefixAsns);
    this.userAgents.mergeFrom(o.userAgents);
    this.apiKeys.mergeFrom(o.apiKeys);
    this.requestShapes.mergeFrom(o.requestShapes);
    for (let d = 0; d < this.kernelSum.length; d++) this.kernelSum[d]! += o.kernelSum[d]!;
    this.kernelCount += o.kernelCount;
    for (const s of o.samples.items) this.samples.add(s);
    this.members += o.members;
  }

  /** Pooled gap moments (Chan et al.), so regularity of the whole cluster is measured. */
  private mergeGapMoments(o: EntityStats): void {
    if (o.gaps > 0) {
      const nTot = this.gaps + o.gaps;
      const delta = o.gapLogMean - this.gapLogMean;
      this.gapLogM2 += o.gapLogM2 + (delta * delta * this.gaps * o.gaps) / nTot;
      this.gapLogMean += (delta * o.gaps) / nTot;
      this.gaps = nTot;
    }
  }

  /** Per-model use: both entities' early-window hours, re-aligned on the earlier first use. */
  private mergeModels(o: EntityStats): void {
    for (const [m, u] of o.models) {
      const mine = this.models.get(m);
      if (!mine) {
        this.models.set(m, { first: u.first, count: u.count, hours: [...u.hours] });
        continue;
      }
      const firstHour = Math.floor(u.first / HOUR_MS);
      addModelUse(mine, u.first, 0);
      const offset = firstHour - Math.floor(mine.first / HOUR_MS);
      mine.count += u.count;
      u.hours.forEach((c, b) => {
        if (offset + b < EARLY_WINDOW_HOURS) bump(mine.hours, offset + b, c);
      });
    }
  }

  /**
   * Requests on models released during the data (first seen anywhere at `releases`), within the
   * early window after release. Order- and partition-independent: uses this entity's buckets.
   */
  earlyUse(releases: ReadonlyMap<string, number>): number {
    let early = 0;
    for (const [m, use] of this.models) {
      const release = releases.get(m);
      if (release === undefined) continue;
      const lag = Math.floor(use.first / HOUR_MS) - Math.floor(release / HOUR_MS);
      for (let b = 0; b < EARLY_WINDOW_HOURS - lag && b < use.hours.length; b++) early += use.hours[b] ?? 0;
    }
    return early;
  }

  /**
   * Plain-JSON state, restorable with `fromSnapshot` (durable worker state, thread hand-off).
   * `withKernel` false leaves kernelSum empty, for a caller that hands it over packed.
   */
  toSnapshot(withKernel = true): EntityStatsSnapshot {
    const ts = (x: number): number | null => (Number.isFinite(x) ? x : null);
    return {
      n: this.n,
      prompts: this.prompts,
      recentTurns: this.recentTurnList(),
      firstTs: ts(this.firstTs),
      lastTs: ts(this.lastTs),
      elicit: this.elicit,
      templatedElicit: this.templatedElicit,
      elicitSentences: this.elicitSentences.entries(),
      systemElicit: this.systemElicit,
      systemTemplatedElicit: this.systemTemplatedElicit,
      elicitFollowedUp: this.elicitFollowedUp,
      openers: this.openers,
      elicitOpeners: this.elicitOpeners,
      openerReplies: this.openerReplies,
      elicitOpenerReplies: this.elicitOpenerReplies,
      elicitExamples: this.elicitExamples.snapshot(),
      prefixes: this.prefixes.entries(),
      suffixes: this.suffixes.entries(),
      promptSample: this.promptSample.snapshot(),
      topicWeight: [...this.topicWeight],
      elicitTopicWeight: [...this.elicitTopicWeight],
      elicitTopicEvents: this.elicitTopicEvents,
      topicEvents: this.topicEvents,
      logprobs: this.logprobs,
      topLogprobs: this.topLogprobs,
      multiSample: this.multiSample,
      longOutput: this.longOutput,
      greedy: this.greedy,
      softLabels: this.softLabels,
      multiSamples: this.multiSamples,
      fullHarvest: this.fullHarvest,
      distributionHarvest: this.distributionHarvest,
      distributionPrompts: this.distributionPrompts,
      harvestExamples: this.harvestExamples.snapshot(),
      followUps: this.followUps,
      withSystem: this.withSystem,
      systemPrompts: this.systemPrompts.entries(),
      conversations: this.conversations.entries(),
      hours: [...this.hours],
      gaps: this.gaps,
      gapLogMean: this.gapLogMean,
      gapLogM2: this.gapLogM2,
      bursts: this.bursts,
      prevTs: ts(this.prevTs),
      oneShotElicit: this.oneShotElicit,
      pacedElicit: this.pacedElicit,
      oneShotOther: this.oneShotOther,
      pacedOther: this.pacedOther,
      pacedElicitExamples: this.pacedElicitExamples.snapshot(),
      prevOneShot: this.prevOneShot,
      days: [...this.days],
      activity: this.activity.snapshot(),
      models: [...this.models].map(([m, u]) => [m, { first: u.first, count: u.count, hours: [...u.hours] }]),
      ipPrefixes: this.ipPrefixes.entries(),
      asns: this.asns.entries(),
      prefixAsns: this.prefixAsns.entries(),
      userAgents: this.userAgents.entries(),
      apiKeys: this.apiKeys.entries(),
      requestShapes: this.requestShapes.entries(),
      kernelSum: withKernel ? [...this.kernelSum] : [],
      kernelCount: this.kernelCount,
      samples: this.samples.snapshot(),
      members: this.members,
    };
  }

  /** A snapshot's entity; `kernel` holds its kernelSum when the snapshot's is left empty. */
  static fromSnapshot(s: EntityStatsSnapshot, kernel?: ArrayLike<number>): EntityStats {
    const e = new EntityStats(kernel ? kernel.length : s.kernelSum.length);
    e.restore(s);
    if (kernel) e.kernelSum.set(kernel);
    return e;
  }

  private restore(s: EntityStatsSnapshot): this {
    this.n = s.n;
    // State written before prompts were told apart counted every request as one.
    this.prompts = s.prompts ?? s.n;
    for (const key of s.recentTurns.slice(-RECENT_TURNS)) this.freshTurn(key);
    this.firstTs = s.firstTs ?? Infinity;
    this.lastTs = s.lastTs ?? -Infinity;
    this.elicit = s.elicit;
    this.templatedElicit = s.templatedElicit;
    this.elicitSentences = TopK.from(TEMPLATE_KEYS, s.elicitSentences);
    this.systemElicit = s.systemElicit;
    this.systemTemplatedElicit = s.systemTemplatedElicit;
    this.elicitFollowedUp = s.elicitFollowedUp;
    this.openers = s.openers;
    this.elicitOpeners = s.elicitOpeners;
    this.openerReplies = s.openerReplies;
    this.elicitOpenerReplies = s.elicitOpenerReplies;
    this.elicitExamples = Reservoir.from(ELICIT_EXAMPLES, s.elicitExamples);
    this.prefixes = TopK.from(TEMPLATE_KEYS, s.prefixes);
    this.suffixes = TopK.from(TEMPLATE_KEYS, s.suffixes);
    this.promptSample = DistinctSample.from(PROMPT_SAMPLE_KEYS, s.promptSample);
    this.topicWeight.set(s.topicWeight.slice(0, this.topicWeight.length));
    this.elicitTopicWeight.set(s.elicitTopicWeight.slice(0, this.elicitTopicWeight.length));
    this.elicitTopicEvents = s.elicitTopicEvents;
    this.topicEvents = s.topicEvents;
    this.logprobs = s.logprobs;
    this.topLogprobs = s.topLogprobs;
    this.multiSample = s.multiSample;
    this.longOutput = s.longOutput;
    this.greedy = s.greedy;
    this.softLabels = s.softLabels;
    this.multiSamples = s.multiSamples;
    this.fullHarvest = s.fullHarvest;
    this.distributionHarvest = s.distributionHarvest;
    this.distributionPrompts = s.distributionPrompts;
    this.harvestExamples = Reservoir.from(HARVEST_EXAMPLES, s.harvestExamples);
    this.followUps = s.followUps;
    this.withSystem = s.withSystem;
    this.systemPrompts = TopK.from(SYSTEM_KEYS, s.systemPrompts);
    this.conversations = TopK.from(CONVERSATION_KEYS, s.conversations);
    this.hours.set(s.hours);
    this.gaps = s.gaps;
    this.gapLogMean = s.gapLogMean;
    this.gapLogM2 = s.gapLogM2;
    this.bursts = s.bursts;
    this.prevTs = s.prevTs ?? -Infinity;
    this.oneShotElicit = s.oneShotElicit;
    this.pacedElicit = s.pacedElicit;
    this.oneShotOther = s.oneShotOther;
    this.pacedOther = s.pacedOther;
    this.pacedElicitExamples = Reservoir.from(ELICIT_EXAMPLES, s.pacedElicitExamples);
    this.prevOneShot = s.prevOneShot;
    for (const d of s.days) this.days.add(d);
    this.activity = ActivitySlots.from(s.activity);
    for (const [m, u] of s.models)
      this.models.set(m, { first: u.first, count: u.count, hours: [...u.hours] });
    this.ipPrefixes = TopK.from(IP_KEYS, s.ipPrefixes);
    this.asns = TopK.from(SMALL_KEYS, s.asns);
    this.prefixAsns = TopK.from(IP_KEYS, s.prefixAsns);
    this.userAgents = TopK.from(SMALL_KEYS, s.userAgents);
    this.apiKeys = TopK.from(IP_KEYS, s.apiKeys);
    this.requestShapes = TopK.from(SMALL_KEYS, s.requestShapes);
    this.kernelSum.set(s.kernelSum);
    this.kernelCount = s.kernelCount;
    this.samples = Reservoir.from(SAMPLES, s.samples);
    this.members = s.members;
    return this;
  }
}
