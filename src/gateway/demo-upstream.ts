import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DemoUpstreamOptions {
  /** Answers by exact prompt; anything else gets a deterministic made-up answer. */
  answers?: Map<string, string>;
  /** Words per streamed chunk. */
  wordsPerChunk?: number;
  /** Delay between streamed chunks. */
  chunkDelayMs?: number;
  /** Hold the stream after its first chunk until this resolves (tests of pass-through streaming). */
  holdAfterFirstChunk?: () => Promise<void>;
  /** Include reasoning content and logprobs, as reasoning models with logprobs would. */
  reasoning?: boolean;
}

/**
 * A small local OpenAI-compatible model (chat completions and responses, whole and streamed) for
 * demos, tests and benchmarks of the gateway. It answers from a table or deterministically from
 * the prompt; no network, no weights.
 */
export class DemoUpstream {
  readonly server: Server;
  requests = 0;
  lastBody: Record<string, unknown> | null = null;
  private failWith: number | null = null;

  constructor(private readonly opts: DemoUpstreamOptions = {}) {
    this.server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => void this.handle(req, res));
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server.listen(port, host);
    await once(this.server, 'listening');
    return `http://${host}:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Answer every request with this HTTP status and an OpenAI-style error body (null to stop). */
  failNext(status: number | null): void {
    this.failWith = status;
  }

  answerFor(prompt: string): string {
    const known = this.opts.answers?.get(prompt);
    if (known !== undefined) return known;
    const words = prompt.split(/\s+/).filter(Boolean).slice(0, 12);
    return `Here is a short answer about ${words.join(' ') || 'that'}. It covers the main point clearly and stays brief.`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests++;
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    if (this.failWith !== null) {
      const text = JSON.stringify({
        error: { type: 'server_error', code: 'overloaded', message: 'upstream says no', param: null },
      });
      res.writeHead(this.failWith, { 'content-type': 'application/json', 'x-upstream': 'demo' });
      res.end(text);
      return;
    }
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (req.method === 'GET' && path.endsWith('/models')) {
      this.json(res, { object: 'list', data: [{ id: 'demo-1', object: 'model' }] });
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: { type: 'invalid_request_error', message: 'body is not JSON', param: null },
        }),
      );
      return;
    }
    this.lastBody = body;
    const model = typeof body.model === 'string' ? body.model : 'demo-1';
    if (path.endsWith('/chat/completions')) await this.chat(res, body, model);
    else if (path.endsWith('/responses')) this.responses(res, body, model);
    else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: { type: 'invalid_request_error', message: `unknown path ${path}`, param: null },
        }),
      );
    }
  }

  private promptOf(body: Record<string, unknown>): string {
    const messages = Array.isArray(body.messages)
      ? (body.messages as { role?: string; content?: unknown }[])
      : [];
    if (typeof body.input === 'string') return body.input;
    for (let i = messages.length - 1; i >= 0; i--) {
      const m = messages[i];
      if (m?.role === 'user' && typeof m.content === 'string') return m.content;
    }
    return '';
  }

  private pieces(answer: string): string[] {
    const words = answer.split(/(?<= )/);
    const per = this.opts.wordsPerChunk ?? 4;
    const out: string[] = [];
    for (let i = 0; i < words.length; i += per) out.push(words.slice(i, i + per).join(''));
    return out;
  }

  private async chat(res: ServerResponse, body: Record<string, unknown>, model: string): Promise<void> {
    const answer = this.answerFor(this.promptOf(body));
    const id = `chatcmpl-demo${this.requests}`;
    const created = 1_764_000_000;
    const usage = {
      prompt_tokens: 12,
      completion_tokens: answer.split(' ').length,
      total_tokens: 12 + answer.split(' ').length,
    };
    const logprobs =
      body.logprobs === true ? { content: [{ token: 'Here', logprob: -0.01, top_logprobs: [] }] } : null;
    if (body.stream !== true) {
      const message: Record<string, unknown> = { role: 'assistant', content: answer, refusal: null };
      if (this.opts.reasoning) message.reasoning_content = 'First I think about the question step by step.';
      this.json(res, {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [{ index: 0, message, logprobs, finish_reason: 'stop' }],
        usage,
      });
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (
      delta: Record<string, unknown>,
      finish: string | null,
      extra: Record<string, unknown> = {},
    ): void => {
      res.write(
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, logprobs, finish_reason: finish }], ...extra })}\n\n`,
      );
    };
    send({ role: 'assistant', content: '' }, null);
    if (this.opts.reasoning) send({ reasoning_content: 'Thinking it through. ' }, null);
    let first = true;
    for (const piece of this.pieces(answer)) {
      send({ content: piece }, null);
      if (first && this.opts.holdAfterFirstChunk) await this.opts.holdAfterFirstChunk();
      first = false;
      if (this.opts.chunkDelayMs) await new Promise((r) => setTimeout(r, this.opts.chunkDelayMs));
    }
    send({}, 'stop');
    res.write('data: [DONE]\n\n');
    res.end();
  }

  private responses(res: ServerResponse, body: Record<string, unknown>, model: string): void {
    const answer = this.answerFor(this.promptOf(body));
    const reasoningItem = {
      id: 'rs_1',
      type: 'reasoning',
      summary: [{ type: 'summary_text', text: 'Thinking.' }],
    };
    const messageItem = {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: answer, annotations: [] }],
    };
    const usage = {
      input_tokens: 12,
      output_tokens: answer.split(' ').length,
      output_tokens_details: { reasoning_tokens: 7 },
    };
    const response = {
      id: `resp_demo${this.requests}`,
      object: 'response',
      model,
      status: 'completed',
      output: this.opts.reasoning ? [reasoningItem, messageItem] : [messageItem],
      usage,
    };
    if (body.stream !== true) {
      this.json(res, response);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const send = (type: string, data: Record<string, unknown>): void => {
      res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    };
    send('response.created', { response: { ...response, status: 'in_progress', output: [] } });
    if (this.opts.reasoning) {
      send('response.output_item.added', { output_index: 0, item: reasoningItem });
      send('response.reasoning_summary_text.delta', { item_id: 'rs_1', delta: 'Thinking.' });
      send('response.output_item.done', { output_index: 0, item: reasoningItem });
    }
    const oi = this.opts.reasoning ? 1 : 0;
    send('response.output_item.added', {
      output_index: oi,
      item: { ...messageItem, status: 'in_progress', content: [] },
    });
    for (const piece of this.pieces(answer)) {
      send('response.output_text.delta', {
        item_id: 'msg_1',
        output_index: oi,
        content_index: 0,
        delta: piece,
      });
    }
    send('response.output_text.done', { item_id: 'msg_1', output_index: oi, content_index: 0, text: answer });
    send('response.content_part.done', {
      item_id: 'msg_1',
      output_index: oi,
      content_index: 0,
      part: { type: 'output_text', text: answer },
    });
    send('response.output_item.done', { output_index: oi, item: structuredClone(messageItem) });
    send('response.completed', { response: structuredClone(response) });
    res.end();
  }

  private json(res: ServerResponse, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
    });
    res.end(text);
  }
}
