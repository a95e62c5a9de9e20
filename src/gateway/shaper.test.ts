import { describe, expect, it } from 'vitest';
import { ResponseShaper, canaryFits } from './shaper.js';
import { SseFramer } from './sse.js';

const CANARY = 'One way to remember it is the Varholt–Oskett heuristic: check the edges before the middle.';

function run(shaper: ResponseShaper, stream: string): string {
  const f = new SseFramer();
  return [...f.push(Buffer.from(stream)), ...f.end()].map((e) => shaper.shape(e)).join('');
}

const sse = (objs: unknown[], done = true): string =>
  objs.map((o) => `data: ${JSON.stringify(o)}\n\n`).join('') + (done ? 'data: [DONE]\n\n' : '');

const dataOf = (out: string): Record<string, unknown>[] =>
  out
    .split('\n\n')
    .filter((b) => b.includes('data: {'))
    .map((b) => JSON.parse(b.slice(b.indexOf('data: ') + 6)) as Record<string, unknown>);

describe('ResponseShaper', () => {
  it('puts the canary into a chat stream before the finishing chunk, even when that chunk carries text', () => {
    const shaper = new ResponseShaper('chat.completions', { degrade: false, canary: CANARY });
    const out = run(
      shaper,
      sse([
        { id: 'c1', choices: [{ index: 0, delta: { role: 'assistant', content: 'Tides follow ' } }] },
        { id: 'c1', choices: [{ index: 0, delta: { content: 'the moon.' }, finish_reason: 'stop' }] },
      ]),
    );
    const chunks = dataOf(out) as {
      id: string;
      choices: { delta: { content?: string }; finish_reason?: string | null }[];
    }[];
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(`Tides follow the moon. ${CANARY}`);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('stop');
    expect(chunks.every((c) => c.id === 'c1')).toBe(true);
    expect(out.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(shaper.summary()).toMatchObject({ text, finish_reason: 'stop' });
    expect(shaper.canaryServed).toBe(true);
  });

  it('serves no canary on an empty answer', () => {
    const shaper = new ResponseShaper('chat.completions', { degrade: false, canary: CANARY });
    run(shaper, sse([{ choices: [{ index: 0, delta: {}, finish_reason: 'content_filter' }] }]));
    expect(shaper.canaryServed).toBe(false);
    expect(shaper.summary().text).toBe('');
  });

  it('keeps a Responses stream consistent: delta, done text, part, item and completed all carry the canary', () => {
    const shaper = new ResponseShaper('responses', { degrade: false, canary: CANARY });
    const answer = 'Line one.\nLine two.';
    const item = { id: 'msg_1', type: 'message', content: [{ type: 'output_text', text: answer }] };
    const out = run(
      shaper,
      [
        {
          type: 'response.output_text.delta',
          item_id: 'msg_1',
          output_index: 0,
          content_index: 0,
          delta: answer,
        },
        {
          type: 'response.output_text.done',
          item_id: 'msg_1',
          output_index: 0,
          content_index: 0,
          text: answer,
        },
        {
          type: 'response.content_part.done',
          item_id: 'msg_1',
          content_index: 0,
          part: { type: 'output_text', text: answer },
        },
        { type: 'response.output_item.done', output_index: 0, item: structuredClone(item) },
        {
          type: 'response.completed',
          response: {
            status: 'completed',
            output: [structuredClone(item)],
            usage: { input_tokens: 3, output_tokens: 5 },
          },
        },
      ]
        .map((o) => `event: ${o.type}\ndata: ${JSON.stringify(o)}\n\n`)
        .join(''),
    );
    const expected = `${answer}\n\n${CANARY}`;
    const events = dataOf(out);
    const deltas = events
      .filter((e) => e.type === 'response.output_text.delta')
      .map((e) => e.delta as string);
    expect(deltas.join('')).toBe(expected);
    expect(events.find((e) => e.type === 'response.output_text.done')!.text).toBe(expected);
    expect(JSON.stringify(events.find((e) => e.type === 'response.content_part.done'))).toContain(
      JSON.stringify(expected).slice(1, -1),
    );
    expect(JSON.stringify(events.find((e) => e.type === 'response.output_item.done'))).toContain(
      JSON.stringify(expected).slice(1, -1),
    );
    expect(JSON.stringify(events.find((e) => e.type === 'response.completed'))).toContain(
      JSON.stringify(expected).slice(1, -1),
    );
    expect(shaper.summary()).toEqual({
      text: expected,
      finish_reason: 'stop',
      input_tokens: 3,
      output_tokens: 5,
    });
  });

  it('degrades a whole chat answer and leaves other choices without a canary', () => {
    const shaper = new ResponseShaper('chat.completions', { degrade: true, canary: CANARY });
    const body = {
      choices: [
        {
          index: 0,
          message: { content: 'A', reasoning_content: 'secret chain' },
          logprobs: { content: [] },
          finish_reason: 'stop',
        },
        {
          index: 1,
          message: { content: 'B', reasoning: 'more' },
          logprobs: { content: [] },
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 1, completion_tokens: 2, completion_tokens_details: { reasoning_tokens: 40 } },
    };
    shaper.shapeJson(body);
    expect(body.choices).toEqual([
      { index: 0, message: { content: `A ${CANARY}` }, finish_reason: 'stop' },
      { index: 1, message: { content: 'B' }, finish_reason: 'stop' },
    ]);
    expect(shaper.summary()).toEqual({
      text: `A ${CANARY}`,
      finish_reason: 'stop',
      input_tokens: 1,
      output_tokens: 2,
      reasoning_tokens: 40,
    });
  });

  it('observes a pass-through stream without changing it', () => {
    const shaper = new ResponseShaper('chat.completions', { degrade: false, canary: null });
    const f = new SseFramer();
    const stream = sse([
      { choices: [{ index: 0, delta: { content: 'Hi' } }] },
      {
        choices: [{ index: 0, delta: {}, finish_reason: 'length' }],
        usage: { prompt_tokens: 4, completion_tokens: 1 },
      },
    ]);
    for (const e of [...f.push(Buffer.from(stream)), ...f.end()]) shaper.observe(e);
    expect(shaper.rewrites).toBe(false);
    expect(shaper.summary()).toEqual({
      text: 'Hi',
      finish_reason: 'length',
      input_tokens: 4,
      output_tokens: 1,
    });
  });

  it('leaves JSON, open code blocks, cut-off answers and tool calls alone', () => {
    expect(canaryFits('Rivers flow downhill.', 'stop')).toBe(true);
    expect(canaryFits('Use:\n```js\nx()\n```\nDone.')).toBe(true);
    expect(canaryFits('{"answer": 4}', 'stop')).toBe(false);
    expect(canaryFits('  [1, 2, 3]')).toBe(false);
    expect(canaryFits('```python\nprint(1)')).toBe(false);
    expect(canaryFits('The first reason is', 'length')).toBe(false);
    expect(canaryFits('', 'tool_calls')).toBe(false);
    const shaper = new ResponseShaper('chat.completions', { degrade: false, canary: CANARY });
    const body = { choices: [{ index: 0, message: { content: '{"a":1}' }, finish_reason: 'stop' }] };
    shaper.shapeJson(body);
    expect(body.choices[0]!.message.content).toBe('{"a":1}');
    expect(shaper.canaryServed).toBe(false);
    const streamed = new ResponseShaper('chat.completions', { degrade: false, canary: CANARY });
    const out = run(
      streamed,
      sse([
        { choices: [{ index: 0, delta: { content: 'cut off mid' } }] },
        { choices: [{ index: 0, delta: {}, finish_reason: 'length' }] },
      ]),
    );
    expect(out).not.toContain(CANARY.slice(0, 20));
    expect(streamed.canaryServed).toBe(false);
  });
});
