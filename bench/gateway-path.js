// CPU of the gateway's own per-exchange JavaScript without sockets: the request's parse, the answer
// (a whole JSON body parsed and shaped, or a 5-event SSE stream framed and observed), the event's
// build and serialisation, for the bench's request and the demo upstream's answers.
// Usage: node bench/gateway-path.js [DIST] (another build's dist/ to compare).
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
const dist = resolve(process.argv[2] ?? new URL('../dist', import.meta.url).pathname);
const { SseFramer } = await import(`${dist}/gateway/sse.js`);
const { ResponseShaper } = await import(`${dist}/gateway/shaper.js`);
const ex = await import(`${dist}/gateway/exchange.js`);
const { fitEvent } = await import(`${dist}/gateway/event-size.js`);
const N = 50000;
const chunk = (delta, finish = 'null') =>
  `data: {"id":"chatcmpl-demo1","object":"chat.completion.chunk","created":1764000000,"model":"demo-1","choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish}}]}\n\n`;
const sse = [
  chunk('{"role":"assistant","content":""}'),
  chunk('{"content":"Here is a short answer about Explain item "}'),
  chunk('{"content":"7 of the catalogue in two sentences.. It "}'),
  chunk('{"content":"covers the main point clearly and stays brief."}'),
  chunk('{}', '"stop"'),
  'data: [DONE]\n\n',
].map((s) => Buffer.from(s));
const answer = Buffer.from(
  '{"id":"chatcmpl-demo2","object":"chat.completion","created":1764000000,"model":"demo-1","choices":[{"index":0,"message":{"role":"assistant","content":"Here is a short answer about Explain item 7 of the catalogue in two sentences.. It covers the main point clearly and stays brief.","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":24,"total_tokens":36}}',
);
const request = (i, stream) =>
  Buffer.from(
    JSON.stringify({
      model: 'demo-1',
      stream,
      messages: [
        { role: 'system', content: 'You are a helpful assistant.' },
        { role: 'user', content: `Explain item ${i % 500} of the catalogue in two sentences.` },
      ],
    }),
  );
let sink = 0;
function exchange(i, stream) {
  const body = ex.parseJsonObject(request(i, stream).toString('utf8'));
  const shaper = new ResponseShaper('chat.completions', { degrade: false, canary: null });
  if (stream) {
    const framer = new SseFramer();
    for (const c of sse)
      for (const ev of framer.push(c)) {
        shaper.observe(ev);
        sink += ev.raw.length;
      }
    framer.end();
  } else {
    const text = answer.toString('utf8');
    shaper.shapeJson(ex.parseJsonObject(text));
    sink += text.length;
  }
  const event = ex.buildEvent({
    id: `gw-${randomUUID()}`,
    ts: new Date().toISOString(),
    caller: { account_id: `acct-${i % 100}`, api_key_id: 'kh:0123456789abcdef' },
    endpoint: 'chat.completions',
    body,
    messages: ex.requestMessages('chat.completions', body),
    clientIp: '127.0.0.1',
    summary: shaper.summary(),
    gateway: { action: 'allow', status: 200, latency_ms: 1.23 },
  });
  sink += fitEvent(event, 1 << 20).line.length;
}
for (const stream of [false, true, false, true]) {
  const t = process.cpuUsage();
  for (let i = 0; i < N; i++) exchange(i, stream);
  const c = process.cpuUsage(t);
  console.log(
    `${stream ? 'streamed' : 'whole   '} ${((c.user + c.system) / N).toFixed(2)} µs CPU per exchange`,
  );
}
if (sink === 0) console.log('');
