import type { ApiEvent, Message } from '../contracts/index.js';
import {
  fingerprint64,
  ipPrefix,
  normalizeText,
  templateKeys,
  TextCache,
  tokenizeNormalized,
  topicMask,
  type TemplateKeys,
} from '../text/index.js';
import { asksForReasoningTrace, elicitationSentenceKey } from '../text/index.js';

/** Everything the detectors need from one event, computed once on the hot path. */
export interface EventFeatures {
  id: string;
  accountId: string;
  tsMs: number;
  model: string;
  /** The last user message: what this exchange asks. */
  prompt: string;
  tokens: string[];
  elicits: boolean;
  /** The eliciting sentence's fingerprint (see elicitationSentenceKey), when the request elicits. */
  elicitKey: string | null;
  /** The request elicits only through its system prompt (on a first turn). */
  elicitsBySystem: boolean;
  template: TemplateKeys;
  /** Fingerprint of the whole normalised prompt: exact re-use. */
  promptKey: string;
  topics: bigint;
  systemHash: string | null;
  /** The request carries earlier turns (assistant or several user messages). */
  followUp: boolean;
  /**
   * The user message before the last one asked, in the user's own words, for reasoning: the
   * person answered a reasoning trace with a further message of their own (a learner's
   * conversation), which a harvester collecting traces does not do.
   */
  followsElicit: boolean;
  /**
   * The request ends with a user message. Not what prompts are counted by: a made-up tool
   * message appended to a new prompt would hide it (turnKey is).
   */
  newMessage: boolean;
  /** User messages in the request (the last one is the newest). */
  userTurns: number;
  /**
   * Which prompt of which conversation this request carries: its last user message, the one
   * before it and how many there are (turnKeyOf). A tool loop's steps resend the conversation
   * and carry the same key, whatever follows the user message.
   */
  turnKey: number;
  conversationId: string | null;
  logprobs: boolean;
  topLogprobs: number;
  n: number;
  maxTokens: number | null;
  temperature: number | null;
  ipPrefix: string | null;
  asn: number | null;
  userAgent: string | null;
  apiKey: string | null;
  /** The client's parameter combination, a fingerprint of how its requests are configured. */
  requestShape: string;
  /** The prompt's random Fourier features when the reader has them already (else from `tokens`). */
  kernel: Float64Array | null;
}

export const MAX_PROMPT_CHARS = 4000;

export function messageText(m: Message): string {
  if (typeof m.content === 'string') return m.content;
  return m.content
    .map((p) => (typeof p.text === 'string' ? p.text : ''))
    .filter(Boolean)
    .join('\n');
}

/** What the detectors need from the text of a prompt alone (shared between events: read only). */
export interface PromptText {
  tokens: string[];
  elicits: boolean;
  elicitKey: string | null;
  template: TemplateKeys;
  promptKey: string;
  /** The first 32 bits of promptKey, as a number (for turnKeyOf). */
  promptHash: number;
  topics: bigint;
}

/**
 * The key of a request's prompt within its conversation: the last user message's hash, the
 * previous user message's (0 for none) and the count of user messages, mixed into 32 bits. One
 * rule for both feature builders. Arithmetic only: it is computed on every event.
 */
export function turnKeyOf(promptHash: number, previousHash: number, userTurns: number): number {
  let h = Math.imul(promptHash ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ previousHash, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ userTurns, 0x27d4eb2f);
  return (h ^ (h >>> 15)) | 0;
}

/** What the detectors need from a system prompt (all system and developer messages). */
export interface SystemText {
  elicits: boolean;
  elicitKey: string | null;
  hash: string;
}

/**
 * What asks for reasoning in a request: the user's message, else its system prompt, or null.
 * A system prompt asking for reasoning inside a running conversation is a product setting (a
 * tutor, a study helper); on one-shot requests it may be a harvesting wrapper, which the
 * account's conversation shape decides (see reasoning-elicitation). One rule for both feature
 * builders (this file's and LineFeatures).
 */
function elicitingText<P extends { elicits: boolean }>(
  prompt: P,
  system: SystemText | null,
  followUp: boolean,
): P | SystemText | null {
  if (prompt.elicits) return prompt;
  return system !== null && !followUp && system.elicits ? system : null;
}

/** What a request's prompt and system prompt say: the part of EventFeatures both builders share. */
type SaidFeatures = Pick<
  EventFeatures,
  | 'elicits'
  | 'elicitsBySystem'
  | 'elicitKey'
  | 'template'
  | 'promptKey'
  | 'topics'
  | 'systemHash'
  | 'followUp'
  | 'followsElicit'
>;

/**
 * SaidFeatures, in EventFeatures' field order, for extractFeatures and LineFeatures alike: from
 * the last user message's text, the system prompt's, whether the request follows up, and the
 * previous user message's text (null on a first message).
 */
export function saidFeatures(
  text: Pick<PromptText, 'elicits' | 'elicitKey' | 'template' | 'promptKey' | 'topics'>,
  sys: SystemText | null,
  followUp: boolean,
  before: { elicits: boolean } | null,
): SaidFeatures {
  const eliciting = elicitingText(text, sys, followUp);
  return {
    elicits: eliciting !== null,
    elicitsBySystem: eliciting !== null && eliciting === sys,
    elicitKey: eliciting === null ? null : eliciting.elicitKey,
    template: text.template,
    promptKey: text.promptKey,
    topics: text.topics,
    systemHash: sys === null ? null : sys.hash,
    followUp,
    followsElicit: before !== null && before.elicits,
  };
}

// Entries per generation (see TextCache): ~50% of the simulated medium run's prompts hit at
// 16k, and the two generations hold at most ~32k prompts of at most MAX_PROMPT_CHARS.
const promptTexts = new TextCache<PromptText>(16_384, promptTextOf);
const systemTexts = new TextCache<SystemText>(1024, systemTextOf);

/** The text features of a prompt (at most MAX_PROMPT_CHARS). */
export function promptTextOf(prompt: string): PromptText {
  const normalised = normalizeText(prompt);
  const tokens = tokenizeNormalized(normalised);
  const elicits = asksForReasoningTrace(normalised);
  const promptKey = fingerprint64(normalised);
  return {
    tokens,
    elicits,
    elicitKey: elicits ? elicitationSentenceKey(normalised) : null,
    template: templateKeys(prompt),
    promptKey,
    promptHash: parseInt(promptKey.slice(0, 8), 16) | 0,
    topics: topicMask(tokens),
  };
}

/** The features of a system prompt (all system and developer messages, concatenated). */
export function systemTextOf(system: string): SystemText {
  const normalised = normalizeText(system);
  const elicits = asksForReasoningTrace(normalised);
  return {
    elicits,
    elicitKey: elicits ? elicitationSentenceKey(normalised) : null,
    hash: fingerprint64(normalised),
  };
}

/** The parameter combination as extractFeatures records it (undefined: not given). */
export function requestShapeOf(
  temperature: number | undefined,
  maxTokens: number | undefined,
  n: number | undefined,
  logprobs: boolean | undefined,
  topLogprobs: number | undefined,
  stream: boolean | undefined,
): string {
  return [
    temperature ?? '-',
    maxTokens === undefined ? '-' : `2^${Math.round(Math.log2(maxTokens + 1))}`,
    n === undefined ? '-' : n > 1 ? 'n>1' : 'n=1',
    logprobs === undefined ? '-' : logprobs ? 'lp' : 'nolp',
    topLogprobs ?? '-',
    stream === undefined ? '-' : stream ? 'stream' : 'nostream',
  ].join('|');
}

/**
 * A request shape (requestShapeOf) in words, e.g. "temperature 0.6, max_tokens about 4k; n,
 * logprobs, top_logprobs, stream not set". Text that is not a shape comes back as it is.
 */
export function requestShapeText(shape: string): string {
  const parts = shape.split('|');
  if (parts.length !== 6) return shape;
  const [temperature, maxTokens, n, logprobs, topLogprobs, stream] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const set: string[] = [];
  const unset: string[] = [];
  const field = (name: string, value: string, words: string): void => {
    if (value === '-') unset.push(name);
    else set.push(words);
  };
  field('temperature', temperature, `temperature ${temperature}`);
  const exp = /^2\^(\d+)$/.exec(maxTokens);
  const tokens = exp ? 2 ** Number(exp[1]) : NaN;
  field(
    'max_tokens',
    maxTokens,
    `max_tokens about ${tokens >= 1024 ? `${Math.round(tokens / 1024)}k` : Number.isFinite(tokens) ? tokens : maxTokens}`,
  );
  field('n', n, n === 'n>1' ? 'several completions (n > 1)' : 'one completion (n = 1)');
  field('logprobs', logprobs, logprobs === 'lp' ? 'logprobs on' : 'logprobs off');
  field('top_logprobs', topLogprobs, `top_logprobs ${topLogprobs}`);
  field('stream', stream, stream === 'stream' ? 'streamed' : 'not streamed');
  const unsetText = unset.length ? `${unset.join(', ')} not set` : '';
  return [set.join(', '), unsetText].filter(Boolean).join('; ');
}

// Accounts come back from the same addresses: most events skip the split and the new string.
const ipPrefixes = new TextCache<string | null>(16_384, ipPrefix);

export function extractFeatures(e: ApiEvent): EventFeatures {
  const msgs = e.request.messages;
  let prompt = '';
  let previous: string | null = null;
  let system: string | null = null;
  let userTurns = 0;
  let assistantTurns = 0;
  let newMessage = false;
  for (const m of msgs) {
    newMessage = m.role === 'user';
    if (m.role === 'user') {
      userTurns++;
      if (userTurns > 1) previous = prompt;
      prompt = messageText(m);
    } else if (m.role === 'system' || m.role === 'developer') system = (system ?? '') + messageText(m);
    else if (m.role === 'assistant') assistantTurns++;
  }
  if (prompt.length > MAX_PROMPT_CHARS) prompt = prompt.slice(0, MAX_PROMPT_CHARS);
  const text = promptTexts.get(prompt);
  // The previous message was the last one of the conversation's previous request: cached.
  const before = previous === null ? null : promptTexts.get(previous.slice(0, MAX_PROMPT_CHARS));
  const followUp = assistantTurns > 0 || userTurns > 1;
  const p = e.request.params;
  const sys = system === null ? null : systemTexts.get(system);
  return {
    id: e.id,
    accountId: e.account_id,
    tsMs: Date.parse(e.ts),
    model: e.model,
    prompt,
    tokens: text.tokens,
    ...saidFeatures(text, sys, followUp, before),
    newMessage,
    userTurns,
    turnKey: turnKeyOf(text.promptHash, before === null ? 0 : before.promptHash, userTurns),
    conversationId: e.request.conversation_id ?? null,
    logprobs: p?.logprobs === true,
    topLogprobs: p?.top_logprobs ?? 0,
    n: p?.n ?? 1,
    maxTokens: p?.max_tokens ?? null,
    temperature: p?.temperature ?? null,
    ipPrefix: e.client?.ip ? ipPrefixes.get(e.client.ip) : null,
    asn: e.client?.asn ?? null,
    userAgent: e.client?.user_agent ?? null,
    apiKey: e.api_key_id ?? null,
    requestShape: requestShapeOf(
      p?.temperature,
      p?.max_tokens,
      p?.n,
      p?.logprobs,
      p?.top_logprobs,
      p?.stream,
    ),
    kernel: null,
  };
}
