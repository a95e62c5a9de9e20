import { request } from 'undici';
import { z } from 'zod';

export interface ChatTarget {
  /** Base URL of an OpenAI-compatible API, with or without the trailing `/v1`. */
  url: string;
  model: string;
  apiKey?: string;
  timeoutMs?: number;
  maxTokens?: number;
}

export function chatCompletionsUrl(base: string): string {
  const trimmed = base.replace(/\/+$/, '');
  return /\/v\d+$/.test(trimmed) ? `${trimmed}/chat/completions` : `${trimmed}/v1/chat/completions`;
}

/** The part of a chat-completions answer the probe reads (other fields are dropped unread). */
const ChatAnswer = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.unknown() }).optional() })).optional(),
});

/** Largest answer read: a suspect model's server is not trusted to end its body. */
export const MAX_CHAT_ANSWER_BYTES = 4 * 1024 * 1024;

async function boundedText(body: AsyncIterable<Uint8Array>, limit: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    // Leaving the loop destroys the stream: the rest is never read.
    if (size > limit) throw new Error(`answer larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Ask the suspect model one question, deterministically (temperature 0), and return its answer. */
export async function askChat(target: ChatTarget, prompt: string): Promise<string> {
  const res = await request(chatCompletionsUrl(target.url), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {}),
    },
    body: JSON.stringify({
      model: target.model,
      messages: [{ role: 'user', content: prompt }],
      temperature: 0,
      max_tokens: target.maxTokens ?? 1024,
    }),
    headersTimeout: target.timeoutMs ?? 60_000,
    bodyTimeout: target.timeoutMs ?? 60_000,
  });
  const text = await boundedText(res.body, MAX_CHAT_ANSWER_BYTES);
  if (res.statusCode >= 400) throw new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
  const parsed = ChatAnswer.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new Error(`not a chat-completions answer: ${parsed.error.issues[0]?.message ?? 'wrong shape'}`);
  const content = parsed.data.choices?.[0]?.message?.content;
  return typeof content === 'string' ? content : '';
}
