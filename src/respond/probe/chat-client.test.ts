import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askChat, MAX_CHAT_ANSWER_BYTES } from './chat-client.js';

// The suspect model's server is outside: its answer is bounded and checked, never trusted.
describe('askChat', () => {
  let server: Server;
  let url = '';
  const answers = new Map<string, string>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const prompt = (JSON.parse(body) as { messages: { content: string }[] }).messages[0]!.content;
        res.setHeader('content-type', 'application/json');
        res.end(answers.get(prompt) ?? '{}');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    answers.set('ok', JSON.stringify({ choices: [{ message: { content: 'hello' } }] }));
    answers.set('object', JSON.stringify({ choices: { 0: { message: { content: 'hello' } } } }));
    const big = 'x'.repeat(MAX_CHAT_ANSWER_BYTES);
    answers.set('big', JSON.stringify({ choices: [{ message: { content: big } }] }));
  });
  afterAll(() => server.close());

  it('returns the first choice of a well-formed answer', async () => {
    expect(await askChat({ url, model: 'm' }, 'ok')).toBe('hello');
    expect(await askChat({ url, model: 'm' }, 'none')).toBe('');
  });

  it('refuses an answer of another shape', async () => {
    await expect(askChat({ url, model: 'm' }, 'object')).rejects.toThrow(/not a chat-completions answer/);
  });

  it('stops reading an answer past its bound', async () => {
    await expect(askChat({ url, model: 'm' }, 'big')).rejects.toThrow(/larger than/);
  });
});
