import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingsToOcsf } from '../src/intel/index.js';
import { verifyWebhookSignature } from '../src/respond/index.js';
import type { z } from 'zod';
import {
  AccountDetail,
  AccountFinding,
  AuditEntry,
  ClusterDetail,
  ClusterSummary,
  Findings,
  OcsfDetectionFinding,
  Overview,
  SignalItem,
  page,
  type ApiEvent,
  type ClusterFinding,
  type Page,
} from '../src/contracts/index.js';
import { storeTestBackends } from './store-harness.js';
import type { TestService } from './server-harness.js';
import { call, createApiKey, ndjson, simulatedTraffic, startTestService } from './server-harness.js';

const backends = await storeTestBackends();
const traffic = simulatedTraffic(5000);

describe.each(backends)('the service end to end on %s', (dialect) => {
  let ts: TestService;
  const keys: Record<string, string> = {};
  const get = async <T>(path: string, key = keys.analyst ?? null) => {
    const r = await call(`${ts.url}${path}`, 'GET', key);
    expect(r.status, `${path}: ${r.text}`).toBe(200);
    return r.body as T;
  };
  // Reads a view and checks it against its contract (src/contracts/api-views.ts): the strict
  // views fail on a field missing, mistyped or not in the contract.
  const view = async <S extends z.ZodType>(path: string, schema: S, key = keys.analyst ?? null) =>
    schema.parse(await get<unknown>(path, key));

  beforeAll(async () => {
    // The test's webhook receiver is on loopback, which webhooks may reach only when allow-listed.
    ts = await startTestService(dialect, { webhookOptions: { allowPrivate: ['127.0.0.1/32'] } });
    for (const role of ['analyst', 'ingest', 'enforcement']) keys[role] = await createApiKey(ts, role);
  });
  afterAll(async () => ts.dispose());

  it('ingests NDJSON, gzip and JSON arrays; 202 with per-line reasons; idempotent by event id', async () => {
    const acc = await call(`${ts.url}/v1/accounts`, 'POST', keys.ingest!, { raw: ndjson(traffic.accounts) });
    expect(acc.status).toBe(202);
    expect(acc.body).toMatchObject({ accepted: traffic.accounts.length, rejected: 0 });

    const [a, b, c] = [
      traffic.events.slice(0, 2000),
      traffic.events.slice(2000, 4000),
      traffic.events.slice(4000),
    ];
    const r1 = await call(`${ts.url}/v1/events`, 'POST', keys.ingest!, { raw: ndjson(a), gzip: true });
    expect(r1.status).toBe(202);
    expect(r1.body).toEqual({ accepted: 2000, duplicates: 0, rejected: 0, errors: [] });

    const r2 = await call(`${ts.url}/v1/events`, 'POST', keys.ingest!, { json: b });
    expect(r2.body).toMatchObject({ accepted: 2000, duplicates: 0, rejected: 0 });

    // Line 2 is broken JSON, line 4 lacks a model, and the last line repeats the first event.
    const lines = [
      JSON.stringify(c[0]),
      '{"id": "x",',
      ...c.slice(1).map((e) => JSON.stringify(e)),
      JSON.stringify(c[0]),
    ];
    lines.splice(3, 0, JSON.stringify({ ...c[1], id: 'no-model', model: undefined }));
    const r3 = await call(`${ts.url}/v1/events`, 'POST', keys.ingest!, { raw: lines.join('\n') });
    expect(r3.status).toBe(202);
    const body3 = r3.body as {
      accepted: number;
      duplicates: number;
      rejected: number;
      errors: { line: number; reason: string }[];
    };
    expect(body3).toMatchObject({ accepted: c.length, duplicates: 1, rejected: 2 });
    expect(body3.errors.map((e) => [e.line, e.reason])).toEqual([
      [2, 'invalid_json'],
      [4, 'missing_field'],
    ]);

    const again = await call(`${ts.url}/v1/events`, 'POST', keys.ingest!, { raw: ndjson(a), gzip: true });
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 2000, rejected: 0 });
  });

  it('answers queries from the same findings the engine computed', async () => {
    await ts.service.ctx.live.refresh();
    const findings = await view('/v1/findings', Findings);
    expect(findings.format).toBe('findings.v1');
    expect(findings.input.rejected_lines).toBe(2);
    expect(findings.clusters.length).toBeGreaterThan(0);

    const overview = await view('/v1/overview', Overview);
    expect(overview.events).toBe(traffic.events.length);
    expect(overview.timeline.reduce((s, b) => s + b.events, 0)).toBe(traffic.events.length);
    expect(overview.from).toBe(traffic.events[0]!.ts);
    expect(overview.to).toBe(traffic.events.at(-1)!.ts);
    expect(Object.values(overview.levels).reduce((s, n) => s + n, 0)).toBe(findings.accounts.length);

    // Keyset pagination visits every cluster once, highest score first.
    const seen: ClusterSummary[] = [];
    let cursor: string | null = null;
    do {
      const clusters: Page<ClusterSummary> = await view(
        `/v1/clusters?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        page(ClusterSummary),
      );
      expect(clusters.items.length).toBeLessThanOrEqual(2);
      // Every page says how long the whole list is, so a client can say "2 of 9".
      expect(clusters.total).toBe(findings.clusters.length);
      seen.push(...clusters.items);
      cursor = clusters.next;
    } while (cursor);
    expect(seen.map((c) => c.cluster_id).sort()).toEqual(findings.clusters.map((c) => c.cluster_id).sort());
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.score).toBeLessThanOrEqual(seen[i - 1]!.score);
    expect(seen.every((c) => !('account_ids' in c))).toBe(true);
    // min_level leaves out the linked groups at level none, and counts what is left.
    const flagged = await view('/v1/clusters?min_level=monitor&limit=1000', page(ClusterSummary));
    const expected = findings.clusters.filter((c) => c.level !== 'none');
    expect(flagged.items.map((c) => c.cluster_id).sort()).toEqual(expected.map((c) => c.cluster_id).sort());
    expect(flagged.total).toBe(expected.length);
    const top = findings.clusters.find((c) => c.cluster_id === seen[0]!.cluster_id)!;
    expect(seen[0]!.size).toBe(top.account_ids.length);

    const detail = await view(`/v1/clusters/${top.cluster_id}`, ClusterDetail);
    expect(detail.graph.nodes.map((n) => n.id).sort()).toEqual([...top.account_ids].sort().slice(0, 400));
    const nodeIds = new Set(detail.graph.nodes.map((n) => n.id));
    expect(detail.graph.edges.every((e) => nodeIds.has(e.source) && nodeIds.has(e.target))).toBe(true);
    const members = new Set(top.account_ids);
    const memberEvents = traffic.events.filter((e) => members.has(e.account_id)).length;
    expect(detail.timeline.reduce((s, b) => s + b.events, 0)).toBe(memberEvents);

    const inCluster = await view(
      `/v1/accounts?cluster_id=${top.cluster_id}&limit=1000`,
      page(AccountFinding),
    );
    expect(inCluster.items.map((a) => a.account_id).sort()).toEqual([...top.account_ids].sort());
    const acting = await view('/v1/accounts?level=act&limit=1000', page(AccountFinding));
    expect(acting.items.every((a) => a.level === 'act')).toBe(true);

    const account = top.account_ids[0]!;
    const acct = await view(`/v1/accounts/${account}`, AccountDetail);
    const own: ApiEvent[] = traffic.events.filter((e) => e.account_id === account);
    expect(acct.record?.account_id).toBe(account);
    expect(acct.samples.length).toBe(Math.min(20, own.length));
    const ownIds = new Set(own.map((e) => e.id));
    expect(acct.samples.every((s) => ownIds.has(s.id))).toBe(true);
    expect(acct.samples[0]!.ts).toBe(own.at(-1)!.ts);

    const detector = findings.accounts.flatMap((a) => a.signals)[0]?.detector;
    if (detector) {
      const signals = await view(`/v1/signals?detector=${detector}&limit=1000`, page(SignalItem));
      expect(signals.items.length).toBeGreaterThan(0);
      expect(signals.items.every((s) => s.detector === detector && s.evidence.length > 0)).toBe(true);
    }
  });

  it('streams the findings as OCSF Detection Findings (NDJSON), authenticated and bounded', async () => {
    const findings = await view('/v1/findings', Findings);
    const want = findingsToOcsf(findings, { actions: ts.service.ctx.decisions.policy.policy });
    const r = await call(`${ts.url}/v1/findings/ocsf.ndjson`, 'GET', keys.analyst!);
    expect(r.status, r.text).toBe(200);
    const lines = r.text.split('\n').filter(Boolean);
    expect(lines.map((l) => OcsfDetectionFinding.parse(JSON.parse(l)))).toEqual(want);
    const one = await fetch(`${ts.url}/v1/findings/ocsf.ndjson?limit=1`, {
      headers: { authorization: `Bearer ${keys.analyst!}` },
    });
    expect(one.headers.get('content-type')).toMatch(/^application\/x-ndjson/u);
    expect(one.headers.get('x-total-count')).toBe(String(want.length));
    expect((await one.text()).split('\n').filter(Boolean).length).toBe(Math.min(1, want.length));
    expect((await call(`${ts.url}/v1/findings/ocsf.ndjson`, 'GET', null)).status).toBe(401);
    for (const q of ['limit=0', 'limit=10001', 'min_level=monitor', 'format=cef'])
      expect((await call(`${ts.url}/v1/findings/ocsf.ndjson?${q}`, 'GET', keys.analyst!)).status, q).toBe(
        400,
      );
  });

  it('runs a case to actioned, blocks the cluster, and audits every step', async () => {
    const top = (await get<Page<{ cluster_id: string }>>('/v1/clusters?limit=1')).items[0]!;
    const created = await call(`${ts.url}/v1/cases`, 'POST', keys.analyst!, {
      json: { subject_type: 'cluster', subject_id: top.cluster_id, title: 'Hydra on the flagship' },
    });
    expect(created.status).toBe(201);
    const id = (created.body as { id: string }).id;
    expect(
      (await call(`${ts.url}/v1/cases/${id}`, 'PATCH', keys.analyst!, { json: { assignee: 'dana' } })).status,
    ).toBe(200);
    expect(
      (
        await call(`${ts.url}/v1/cases/${id}/comments`, 'POST', keys.analyst!, {
          json: { body: 'shared card' },
        })
      ).status,
    ).toBe(201);
    expect(
      (await call(`${ts.url}/v1/cases/${id}`, 'PATCH', keys.analyst!, { json: { status: 'actioned' } }))
        .status,
    ).toBe(200);

    const kase = await get<{ status: string; assignee: string; comments: { body: string }[] }>(
      `/v1/cases/${id}`,
    );
    expect(kase).toMatchObject({ status: 'actioned', assignee: 'dana', comments: [{ body: 'shared card' }] });
    const members = (await get<{ cluster: ClusterFinding }>(`/v1/clusters/${top.cluster_id}`)).cluster
      .account_ids;
    for (const m of members.slice(0, 5)) {
      const d = await get<{ action: string; source: string; scope: string }>(
        `/v1/decisions/${m}`,
        keys.enforcement,
      );
      expect(d).toMatchObject({ action: 'block', source: 'manual', scope: 'cluster' });
    }
    const audit = await view('/v1/audit?limit=50', page(AuditEntry), ts.admin);
    const mine = audit.items.filter((e) => e.subject_id === id).map((e) => e.action);
    expect(mine.sort()).toEqual(
      ['case.comment', 'case.create', 'case.outcome.actioned', 'case.update', 'case.update'].sort(),
    );
    const listed = await get<Page<{ id: string }>>('/v1/cases?status=actioned');
    expect(listed.items.map((c) => c.id)).toContain(id);
  });

  it('sets a manual decision for a whole cluster and audits it', async () => {
    const clusters = (await get<Page<{ cluster_id: string; size: number }>>('/v1/clusters?limit=1000')).items;
    const target = clusters.find((c) => c.size >= 2) ?? clusters[0]!;
    const members = (await get<{ cluster: ClusterFinding }>(`/v1/clusters/${target.cluster_id}`)).cluster
      .account_ids;
    const r = await call(`${ts.url}/v1/decisions/${members[0]}`, 'PUT', keys.analyst!, {
      json: { action: 'step_up', reason: 'verify the operator', scope: 'cluster' },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ action: 'step_up', scope: 'cluster', accounts: members.length });
    for (const m of members)
      expect(await get(`/v1/decisions/${m}`, keys.enforcement)).toMatchObject({
        action: 'step_up',
        source: 'manual',
        cluster_id: target.cluster_id,
      });
    const listed = await get<Page<{ account_id: string }>>(
      '/v1/decisions?action=step_up&limit=1000',
      keys.enforcement,
    );
    expect(listed.items.map((d) => d.account_id).sort()).toEqual([...members].sort());
    const audit = await view('/v1/audit?limit=5', page(AuditEntry), ts.admin);
    expect(audit.items[0]).toMatchObject({
      action: 'decision.set',
      subject_id: target.cluster_id,
      details: { accounts: members.length },
    });
  });

  it('signs webhooks on decision changes and keeps manual decisions across a restart', async () => {
    const got: { headers: Record<string, unknown>; body: string }[] = [];
    const receiver: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        got.push({ headers: req.headers, body });
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
      const reg = await call(`${ts.url}/v1/webhooks`, 'POST', ts.admin, {
        json: { url: hookUrl, secret: 'whsec-0123456789abcdef', events: ['decision.changed'] },
      });
      expect(reg.status).toBe(201);
      expect(JSON.stringify(reg.body)).not.toContain('whsec');

      const account = traffic.events[0]!.account_id;
      const put = await call(`${ts.url}/v1/decisions/${account}`, 'PUT', keys.analyst!, {
        json: { action: 'degrade', reason: 'harvests reasoning traces', scope: 'account', ttl_seconds: 3600 },
      });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ action: 'degrade', source: 'manual', degrade: { logprobs: false } });
      const forbidden = await call(`${ts.url}/v1/decisions/${account}`, 'PUT', keys.enforcement!, {
        json: { action: 'allow', reason: 'x' },
      });
      expect(forbidden.status).toBe(403);

      for (let i = 0; i < 50 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(got.length).toBeGreaterThan(0);
      const h = got[0]!;
      const ok = verifyWebhookSignature(
        'whsec-0123456789abcdef',
        Number(h.headers['x-distillguard-timestamp']),
        h.body,
        String(h.headers['x-distillguard-signature']),
      );
      expect(ok).toBe(true);
      expect(JSON.parse(h.body)).toMatchObject({
        type: 'decision.changed',
        data: { changes: [{ account_id: account, action: 'degrade' }] },
      });

      const before = await get<Findings>('/v1/findings');
      await ts.restart();
      expect((await ts.service.ready).events).toBe(traffic.events.length);
      const d = await get<{ action: string; source: string }>(`/v1/decisions/${account}`, keys.enforcement);
      expect(d).toMatchObject({ action: 'degrade', source: 'manual' });
      const after = await get<Findings>('/v1/findings');
      expect(after.clusters.length).toBe(before.clusters.length);
      expect(after.input.events).toBe(before.input.events);
    } finally {
      await new Promise((r) => receiver.close(r));
    }
  });
});
