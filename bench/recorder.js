// CPU of the gateway's recording path alone: 40,000 events shaped like bench/gateway.js's, built, recorded
// (EventRecorder) and written (NdjsonFileSink). Usage: node bench/recorder.js [DIST] (another build's dist/ to compare).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const dist = (process.argv[2] ?? new URL('../dist', import.meta.url).pathname).replace(/\/$/, '');
const N = 40000;
const { EventRecorder } = await import(`${dist}/gateway/recorder.js`);
const { buildEvent, requestMessages } = await import(`${dist}/gateway/exchange.js`);
const { NdjsonFileSink } = await import(`${dist}/pipeline/index.js`);
const dir = mkdtempSync(join(tmpdir(), 'dg-recbench-'));
const r = new EventRecorder({
  sink: new NdjsonFileSink(join(dir, 'e.ndjson')),
  spoolPath: join(dir, 's.ndjson'),
  flushIntervalMs: 250,
});
const body = {
  model: 'demo-1',
  stream: false,
  messages: [
    { role: 'system', content: 'You are a helpful assistant.' },
    { role: 'user', content: 'Explain item 42 of the catalogue in two sentences.' },
  ],
};
const ev = (i) =>
  buildEvent({
    id: `gw-${i}-0f7c8a3e-1111-2222-3333-444455556666`,
    ts: new Date().toISOString(),
    caller: { account_id: `acct-${i % 100}`, api_key_id: 'kh:0123456789abcdef' },
    endpoint: 'chat.completions',
    body,
    messages: requestMessages('chat.completions', body),
    clientIp: '127.0.0.1',
    userAgent: 'undici',
    summary: {
      text: `Here is a short answer about Explain item ${i % 500} of the catalogue in two sentences. It covers the main point clearly and stays brief.`,
      finish_reason: 'stop',
      input_tokens: 20,
      output_tokens: 30,
    },
    gateway: { action: 'allow', status: 200, latency_ms: 1.23 },
  });
// Paced like the bench (1,000/s in 10 ms steps) so flushes interleave with recording as in the gateway.
const t0 = process.cpuUsage();
let i = 0;
while (i < N) {
  for (let k = 0; k < 10; k++) r.record(ev(i++));
  await new Promise((res) => setImmediate(res));
}
await r.close();
const c = process.cpuUsage(t0);
console.log(dist, ((c.user + c.system) / N).toFixed(2), 'µs CPU per event (build + record + write)');
