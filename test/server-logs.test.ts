import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, ndjson, simulatedTraffic, startTestService, type TestService } from './server-harness.js';

describe('server logs', () => {
  const lines: string[] = [];
  const traffic = simulatedTraffic(400, 5);
  let ts: TestService;
  beforeAll(async () => {
    ts = await startTestService('sqlite', {
      logger: { level: 'debug', stream: { write: (l: string) => void lines.push(l) } },
    });
  });
  afterAll(async () => ts.dispose());

  it('carry counts and route patterns, never prompt text, account ids, addresses or keys', async () => {
    await call(`${ts.url}/v1/accounts`, 'POST', ts.admin, { raw: ndjson(traffic.accounts.slice(0, 50)) });
    const bad = `{"id":"broken","prompt":"SECRET-PROMPT-TEXT"`;
    const r = await call(`${ts.url}/v1/events`, 'POST', ts.admin, {
      raw: `${ndjson(traffic.events)}\n${bad}`,
    });
    expect(r.status).toBe(202);
    await ts.service.ctx.live.refresh();
    const e = traffic.events[0]!;
    await call(`${ts.url}/v1/accounts/${e.account_id}`, 'GET', ts.admin);
    await call(`${ts.url}/v1/decisions/${e.account_id}`, 'GET', ts.admin);
    await call(`${ts.url}/v1/cases/${e.account_id}`, 'PATCH', ts.admin, {
      raw: 'not json',
      type: 'application/json',
    });
    await call(`${ts.url}/v1/nowhere/${e.account_id}`, 'GET', null);

    const log = lines.join('');
    expect(log).toContain('"accepted":400');
    expect(log).toContain('/v1/accounts/:id');
    const forbidden = [
      ts.admin,
      'SECRET-PROMPT-TEXT',
      ...new Set(traffic.events.map((x) => x.account_id)),
      ...traffic.events.flatMap((x) => (x.client?.ip ? [x.client.ip] : [])),
      ...traffic.events.slice(0, 50).map((x) => {
        const m = x.request.messages.at(-1)!;
        return typeof m.content === 'string' ? m.content.slice(0, 40) : '';
      }),
    ].filter((s) => s.length >= 6);
    expect(forbidden.filter((s) => log.includes(s))).toEqual([]);
  });
});
