import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { DetectionEngine } from '../src/findings/index.js';
import { CallbackSink } from '../src/pipeline/index.js';
import { DemoUpstream, startGateway } from '../src/gateway/index.js';

describe('gateway feeding the detection engine in the same process', () => {
  it('every exchange reaches engine.addEvent and shows up in the findings', async () => {
    const engine = new DetectionEngine();
    const upstream = new DemoUpstream();
    const gw = await startGateway({
      upstream: await upstream.listen(),
      port: 0,
      trustAccountHeader: true,
      spool: join(mkdtempSync(join(tmpdir(), 'dg-gw-inproc-')), 'spool.ndjson'),
      sink: new CallbackSink((batch) => batch.forEach((e) => engine.addEvent(e))),
    });
    try {
      for (let i = 0; i < 12; i++) {
        const res = await request(`${gw.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-account-id': `acct-${i % 3}` },
          body: JSON.stringify({
            model: 'demo-1',
            messages: [{ role: 'user', content: `Summarise topic ${i}.` }],
          }),
        });
        expect(res.statusCode).toBe(200);
        await res.body.text();
      }
    } finally {
      await gw.close();
      await upstream.close();
    }
    const { findings } = engine.analyze();
    expect(findings.input.events).toBe(12);
    expect(findings.accounts.map((a) => a.account_id).sort()).toEqual(['acct-0', 'acct-1', 'acct-2']);
    expect(findings.accounts.every((a) => a.events === 4)).toBe(true);
  });
});
