// Answer latency of serve's guardrail webhooks (the Portkey contract): the time from POST to the
// whole answer, over HTTP with keep-alive, for a before-request hook (decision from memory) and an
// after-request hook (the exchange queued for recording), one client then 16 in parallel, over a
// decision book of N accounts. Run after `npm run build`:
//   node bench/guardrails.js [accounts]
import { loadavg } from 'node:os';
import { benchFindings, quantiles, startBenchService } from './decision-book.js';

const N = Number(process.argv[2] ?? 50_000);
const KEY = 'dg_benchGuardrailsAdminKey_0123456789';

const fmt = (x) =>
  `n=${x.n} p50 ${x.p50.toFixed(3)} ms p99 ${x.p99.toFixed(3)} ms max ${x.max.toFixed(2)} ms`;

// Findings for N accounts: 1 in 10 at review, 1 in 100 at act (blocked or stepped up by policy).
const findings = benchFindings(N);
const { accounts } = findings;

/** Portkey's webhook body (test/fixtures/guardrails/portkey-*.json) for one account. */
const hookBody = (account, eventType) =>
  JSON.stringify({
    request: {
      json: {
        model: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: 'You are a helpful assistant.' },
          { role: 'user', content: `Question ${account}: explain your reasoning step by step for 17 * 23.` },
        ],
        max_tokens: 1024,
      },
      text: 'explain',
      isStreamingRequest: false,
      isTransformed: false,
    },
    response:
      eventType === 'afterRequestHook'
        ? {
            json: {
              choices: [
                { index: 0, message: { role: 'assistant', content: '17 * 23 = 391' }, finish_reason: 'stop' },
              ],
              usage: { prompt_tokens: 30, completion_tokens: 8 },
            },
            statusCode: 200,
          }
        : { json: {}, text: '', statusCode: null },
    provider: 'openai',
    requestType: 'chatComplete',
    metadata: { _user: account },
    eventType,
  });

const { service, stop } = await startBenchService('guardrails', KEY);
try {
  await service.ready;
  const changes = await service.ctx.decisions.applyFindings(findings);
  // Live detection re-derives policy decisions from the recorded exchanges; manual blocks stay.
  await service.ctx.decisions.setManual({
    account_ids: accounts.filter((_, i) => i % 100 === 0).map((a) => a.account_id),
    action: 'block',
    reason: 'bench',
    scope: 'account',
    cluster_id: null,
    actor: 'bench',
  });
  console.log(`decision book: ${N} accounts, ${changes.length} non-default, 1 in 100 blocked by hand`);
  const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
  const ids = Array.from({ length: 20_000 }, (_, i) => `acct_${(i * 7919) % N}`);
  let refused = 0;
  const one = async (id, eventType) => {
    const body = hookBody(id, eventType);
    const t0 = performance.now();
    const r = await fetch(`${service.url}/v1/guardrails/portkey`, { method: 'POST', headers, body });
    const answer = await r.json();
    const ms = performance.now() - t0;
    if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
    if (answer.verdict === false) refused++;
    return ms;
  };
  for (let i = 0; i < 500; i++) await one(ids[i], 'beforeRequestHook');

  // Side by side with GET /v1/decisions/:id (what DistillGuard's own gateway asks), interleaved
  // so both see the same machine load: the webhook's extra cost is parsing Portkey's body.
  const lookup = async (id) => {
    const t0 = performance.now();
    const r = await fetch(`${service.url}/v1/decisions/${id}`, { headers });
    await r.arrayBuffer();
    return performance.now() - t0;
  };
  const base = [];
  const hook = [];
  for (let i = 0; i < 3000; i++) {
    base.push(await lookup(ids[i]));
    hook.push(await one(ids[i], 'beforeRequestHook'));
  }
  const qb = quantiles(base);
  const qh = quantiles(hook);
  console.log(`GET /v1/decisions/:id, 1 client (interleaved): ${fmt(qb)}`);
  console.log(`beforeRequestHook, 1 client (interleaved):     ${fmt(qh)}`);
  console.log(
    `  ratio webhook / lookup: p50 ${(qh.p50 / qb.p50).toFixed(2)}, p99 ${(qh.p99 / qb.p99).toFixed(2)}`,
  );

  // The answer inside serve alone (routing, key check, rate limit, parse, decision, answer) through
  // Fastify's inject: no sockets and no client in the same event loop, whose share of a 2-core
  // machine under load is most of the tail above.
  for (const eventType of ['beforeRequestHook', 'afterRequestHook']) {
    const inj = [];
    for (let i = 0; i < 5000; i++) {
      const payload = hookBody(ids[i], eventType);
      const t0 = performance.now();
      const r = await service.app.inject({ method: 'POST', url: '/v1/guardrails/portkey', headers, payload });
      inj.push(performance.now() - t0);
      if (r.statusCode !== 200) throw new Error(`HTTP ${r.statusCode}`);
    }
    console.log(`${eventType}, in serve (inject): ${fmt(quantiles(inj))}`);
  }

  for (const eventType of ['beforeRequestHook', 'afterRequestHook']) {
    const count = eventType === 'beforeRequestHook' ? 5000 : 2000;
    refused = 0;
    const seq = [];
    for (let i = 0; i < count; i++) seq.push(await one(ids[i], eventType));
    console.log(`${eventType}, 1 client:   ${fmt(quantiles(seq))} (${refused} refused)`);
    const par = [];
    let next = 0;
    const t = performance.now();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < count * 2) par.push(await one(ids[next++ % ids.length], eventType));
      }),
    );
    const secs = (performance.now() - t) / 1000;
    console.log(
      `${eventType}, 16 clients: ${fmt(quantiles(par))}, ${Math.round(par.length / secs)} requests/s`,
    );
  }
  await service.ctx.guardrails.recorder.flush();
  console.log(`recorded: ${JSON.stringify(service.ctx.guardrails.recorder.stats)}`);
  console.log(
    `load average: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
} finally {
  await stop();
}
