import { slotText, type EventLineView } from '../ingest/index.js';
import { ipPrefix, TextCache } from '../text/index.js';
import {
  MAX_PROMPT_CHARS,
  promptTextOf,
  type PromptText,
  requestShapeOf,
  saidFeatures,
  systemTextOf,
  turnKeyOf,
  type EventFeatures,
  type SystemText,
} from './event-features.js';
import { ByteMemo } from './byte-memo.js';

/**
 * extractFeatures for a scanned event line (see ingest's EventLineScanner): the same features
 * from the line's bytes, without the event object. Repeated values are looked up by their raw
 * bytes, so a repeated prompt, system prompt, account id, model or client string is neither
 * decoded nor hashed as a string again, and repeated keys come back as the same string (cheap
 * to count in the entity sketches). line-features.test.ts compares the two on every kind of line.
 */

/** A prompt's features, its random Fourier features (the engine's representation) in place of its tokens. */
interface PromptEntry extends Omit<PromptText, 'tokens'> {
  prompt: string;
  kernel: Float64Array;
}

const identity = (text: string): string => text;
const opt = (x: number): number | undefined => (Number.isNaN(x) ? undefined : x);
const flag = (x: boolean | null): number => (x === null ? 0 : x ? 1 : 2);
const NO_TOKENS: string[] = [];

/** Builds EventFeatures from scanned lines; one per engine (the kernel is the engine's). */
export class LineFeatures {
  // Prompt entries per generation: ~60% of the simulated medium run's prompts hit (a new prompt
  // costs ~50 µs of text work); at most ~2 × 32k prompts of at most MAX_PROMPT_CHARS are kept.
  private readonly prompts: ByteMemo<PromptEntry>;
  private readonly systems = new ByteMemo<SystemText>(1024, systemTextOf);
  private readonly systemsByText = new TextCache<SystemText>(1024, systemTextOf);
  private readonly accounts = new ByteMemo<string>(1 << 16, identity);
  private readonly models = new ByteMemo<string>(1024, identity);
  private readonly apiKeys = new ByteMemo<string>(1 << 16, identity);
  private readonly userAgents = new ByteMemo<string>(4096, identity);
  private readonly conversations = new ByteMemo<string>(1 << 14, identity);
  private readonly ipPrefixes = new ByteMemo<string | null>(1 << 14, ipPrefix);
  private readonly shapes = new Map<number, Map<number, string>>();
  private readonly entry: (text: string) => PromptEntry;
  /**
   * The empty prompt's entry, made on first use: making it loads the word-vector table (~40 MB
   * and most of a CPU-second), which an engine that only merges partitions never needs.
   */
  private emptyEntry: PromptEntry | null = null;

  constructor(kernel: (tokens: readonly string[]) => Float64Array, promptCapacity = 1 << 15) {
    const entry = (text: string): PromptEntry => {
      const prompt = text.length > MAX_PROMPT_CHARS ? text.slice(0, MAX_PROMPT_CHARS) : text;
      const t = promptTextOf(prompt);
      return {
        prompt,
        elicits: t.elicits,
        elicitKey: t.elicitKey,
        template: t.template,
        promptKey: t.promptKey,
        promptHash: t.promptHash,
        topics: t.topics,
        kernel: kernel(t.tokens),
      };
    };
    this.prompts = new ByteMemo(promptCapacity, entry);
    this.entry = entry;
  }

  private get empty(): PromptEntry {
    return (this.emptyEntry ??= this.entry(''));
  }

  build(v: EventLineView): EventFeatures {
    const b = v.bytes;
    const text = v.lastUser.start < 0 ? this.empty : this.prompts.get(b, v.lastUser);
    const followUp = v.assistantTurns > 0 || v.userTurns > 1;
    const sys = v.systemCount === 0 ? null : this.system(v);
    const before = v.previousUser.start < 0 ? null : this.prompts.get(b, v.previousUser);
    const ip = v.ip;
    return {
      id: slotText(b, v.id),
      accountId: this.accounts.get(b, v.accountId),
      tsMs: v.tsMs,
      model: this.models.get(b, v.model),
      prompt: text.prompt,
      tokens: NO_TOKENS,
      ...saidFeatures(text, sys, followUp, before),
      newMessage: v.endsWithUser,
      userTurns: v.userTurns,
      turnKey: turnKeyOf(text.promptHash, before === null ? 0 : before.promptHash, v.userTurns),
      conversationId: v.conversationId.start < 0 ? null : this.conversations.get(b, v.conversationId),
      logprobs: v.logprobs === true,
      topLogprobs: Number.isNaN(v.topLogprobs) ? 0 : v.topLogprobs,
      n: Number.isNaN(v.n) ? 1 : v.n,
      maxTokens: Number.isNaN(v.maxTokens) ? null : v.maxTokens,
      temperature: Number.isNaN(v.temperature) ? null : v.temperature,
      // An empty address is no address (as `e.client?.ip ? … : null`).
      ipPrefix: ip.start < 0 || ip.end === ip.start ? null : this.ipPrefixes.get(b, ip),
      asn: Number.isNaN(v.asn) ? null : v.asn,
      userAgent: v.userAgent.start < 0 ? null : this.userAgents.get(b, v.userAgent),
      apiKey: v.apiKeyId.start < 0 ? null : this.apiKeys.get(b, v.apiKeyId),
      requestShape: this.requestShape(v),
      kernel: text.kernel,
    };
  }

  /** The system prompt: all system and developer messages' texts, concatenated. */
  private system(v: EventLineView): SystemText {
    if (v.systemCount === 1) return this.systems.get(v.bytes, v.systems[0]!);
    let text = '';
    for (let k = 0; k < v.systemCount; k++) text += slotText(v.bytes, v.systems[k]!);
    return this.systemsByText.get(text);
  }

  /** requestShapeOf, kept per combination (a handful per client), keyed by the numbers. */
  private requestShape(v: EventLineView): string {
    const topLogprobs = v.topLogprobs;
    const maxTokens = v.maxTokens;
    // Keyed by what the shape depends on, in a small integer; unusual values are formatted each time.
    if (topLogprobs >= 1 << 16 || maxTokens >= 1 << 20) return this.shapeOf(v);
    const bucket = Number.isNaN(maxTokens) ? 0 : Math.round(Math.log2(maxTokens + 1)) + 1;
    const code =
      ((bucket * (1 << 17) + (Number.isNaN(topLogprobs) ? 0 : topLogprobs + 1)) << 6) +
      (Number.isNaN(v.n) ? 0 : v.n > 1 ? 1 : 2) * 16 +
      flag(v.logprobs) * 4 +
      flag(v.stream);
    let byTemperature = this.shapes.get(v.temperature);
    if (!byTemperature) {
      if (this.shapes.size >= 4096) this.shapes.clear();
      this.shapes.set(v.temperature, (byTemperature = new Map<number, string>()));
    }
    let shape = byTemperature.get(code);
    if (shape === undefined) {
      if (byTemperature.size >= 4096) byTemperature.clear();
      shape = this.shapeOf(v);
      byTemperature.set(code, shape);
    }
    return shape;
  }

  private shapeOf(v: EventLineView): string {
    return requestShapeOf(
      opt(v.temperature),
      opt(v.maxTokens),
      opt(v.n),
      v.logprobs ?? undefined,
      opt(v.topLogprobs),
      v.stream ?? undefined,
    );
  }
}
