import { request } from 'undici';

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

interface ChatResponse {
  choices?: { message?: { content?: unknown } }[];
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
  const text = await res.body.text();
  if (res.statusCode >= 400) throw new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
  const json = JSON.parse(text) as ChatResponse;
  const content = json.choices?.[0]?.message?.content;
  return typeof content === 'string' ? content : '';
}
