import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestService } from './server-harness.js';
import { call, createApiKey, ndjson, simulatedTraffic, startTestService } from './server-harness.js';

const traffic = simulatedTraffic(300);
const good = traffic.events.slice(0, 100);

type Role = 'admin' | 'analyst' | 'ingest' | 'enforcement' | 'none' | 'bogus';
interface Case {
  name: string;
  method: string;
  path: string;
  as: Role;
  json?: unknown;
  raw?: string | Buffer;
  type?: string;
  gzip?: boolean;
  headers?: Record<string, string>;
  status: number;
  code: string;
  message?: RegExp;
}

/** Every one must get a clear 4xx and leave the store exactly as it was. */
const CASES: Case[] = [
  {
    name: 'no key',
    method: 'GET',
    path: '/v1/overview',
    as: 'none',
    status: 401,
    code: 'UNAUTHENTICATED',
    message: /Bearer/,
  },
  {
    name: 'unknown key',
    method: 'GET',
    path: '/v1/overview',
    as: 'bogus',
    status: 401,
    code: 'UNAUTHENTICATED',
  },
  {
    name: 'basic auth',
    method: 'GET',
    path: '/v1/overview',
    as: 'none',
    headers: { authorization: 'Basic dXNlcjpwYXNz' },
    status: 401,
    code: 'UNAUTHENTICATED',
  },
  {
    name: 'ingest without a key',
    method: 'POST',
    path: '/v1/events',
    as: 'none',
    raw: ndjson(good),
    status: 401,
    code: 'UNAUTHENTICATED',
  },
  {
    name: 'ingest key reading findings',
    method: 'GET',
    path: '/v1/findings',
    as: 'ingest',
    status: 403,
    code: 'FORBIDDEN',
    message: /role ingest/,
  },
  {
    name: 'enforcement key ingesting',
    method: 'POST',
    path: '/v1/events',
    as: 'enforcement',
    raw: ndjson(good),
    status: 403,
    code: 'FORBIDDEN',
  },
  {
    name: 'analyst reading the audit log',
    method: 'GET',
    path: '/v1/audit',
    as: 'analyst',
    status: 403,
    code: 'FORBIDDEN',
  },
  {
    name: 'analyst creating a key',
    method: 'POST',
    path: '/v1/keys',
    as: 'analyst',
    json: { name: 'x', role: 'admin' },
    status: 403,
    code: 'FORBIDDEN',
  },
  {
    name: 'empty ingest body',
    method: 'POST',
    path: '/v1/events',
    as: 'ingest',
    raw: '',
    status: 400,
    code: 'INVALID_INPUT',
    message: /empty/,
  },
  {
    name: 'blank lines only',
    method: 'POST',
    path: '/v1/events',
    as: 'ingest',
    raw: '\n\n  \n',
    status: 400,
    code: 'INVALID_INPUT',
  },
  {
    name: 'broken JSON array',
    method: 'POST',
    path: '/v1/events',
    as: 'ingest',
    raw: '[{"id":1},',
    type: 'application/json',
    status: 400,
    code: 'INVALID_INPUT',
    message: /JSON array/,
  },
  {
    name: 'every line invalid',
    method: 'POST',
    path: '/v1/events',
    as: 'ingest',
    raw: 'nope\n{"id":"a"}\n[]',
    status: 400,
    code: 'INVALID_INPUT',
    message: /No valid record.*Nothing was stored/,
  },
  {
    name: 'a JSON object, not a batch',
    method: 'POST',
    path: '/v1/events',
    as: 'ingest',
    json: { events: good.slice(0, 2) },
    status: 400,
    code: 'INVALID_INPUT',
  },
  {
    name: 'CSV content type',
    method: 'POST',
    path: '/v1/events',
    as: 'ingest',
    raw: 'id,ts\n1,2',
    type: 'text/csv',
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'gzip header on plain text',
    method: 'POST',
    path: '/v1/events',
    as: 'ingest',
    raw: ndjson(good),
    headers: { 'content-encoding': 'gzip' },
    status: 400,
    code: 'INVALID_INPUT',
    message: /not valid gzip/,
  },
  {
    name: 'brotli',
    method: 'POST',
    path: '/v1/events',
    as: 'ingest',
    raw: ndjson(good),
    headers: { 'content-encoding': 'br' },
    status: 400,
    code: 'INVALID_INPUT',
    message: /gzip/,
  },
  {
    name: 'oversized body',
    method: 'POST',
    path: '/v1/events',
    as: 'ingest',
    raw: ndjson(traffic.events).repeat(3),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    name: 'gzip bomb',
    method: 'POST',
    path: '/v1/events',
    as: 'ingest',
    raw: gzipSync(Buffer.alloc(4 * 1024 * 1024, 0x20)),
    headers: { 'content-encoding': 'gzip' },
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    name: 'oversized JSON on cases',
    method: 'POST',
    path: '/v1/cases',
    as: 'analyst',
    json: { subject_type: 'account', subject_id: 'a', title: 'x'.repeat(20_000) },
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    name: 'case without a title',
    method: 'POST',
    path: '/v1/cases',
    as: 'analyst',
    json: { subject_type: 'account', subject_id: 'a' },
    status: 400,
    code: 'INVALID_INPUT',
    message: /title/,
  },
  {
    name: 'case with an unknown field',
    method: 'POST',
    path: '/v1/cases',
    as: 'analyst',
    json: { subject_type: 'account', subject_id: 'a', title: 't', priority: 1 },
    status: 400,
    code: 'INVALID_INPUT',
    message: /unknown field priority/,
  },
  {
    name: 'case on an unknown cluster',
    method: 'POST',
    path: '/v1/cases',
    as: 'analyst',
    json: { subject_type: 'cluster', subject_id: 'cl_nope', title: 't' },
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: 'case body not JSON',
    method: 'POST',
    path: '/v1/cases',
    as: 'analyst',
    raw: '{title:',
    type: 'application/json',
    status: 400,
    code: 'INVALID_INPUT',
  },
  {
    name: 'patch an unknown case',
    method: 'PATCH',
    path: '/v1/cases/case_nope',
    as: 'analyst',
    json: { status: 'closed' },
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: 'comment on an unknown case',
    method: 'POST',
    path: '/v1/cases/case_nope/comments',
    as: 'analyst',
    json: { body: 'x' },
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: 'decision with an unknown action',
    method: 'PUT',
    path: '/v1/decisions/acct_x',
    as: 'analyst',
    json: { action: 'nuke', reason: 'r' },
    status: 400,
    code: 'INVALID_INPUT',
    message: /action/,
  },
  {
    name: 'decision without a reason',
    method: 'PUT',
    path: '/v1/decisions/acct_x',
    as: 'analyst',
    json: { action: 'block' },
    status: 400,
    code: 'INVALID_INPUT',
    message: /reason/,
  },
  {
    name: 'cluster decision for an unclustered account',
    method: 'PUT',
    path: '/v1/decisions/acct_x',
    as: 'analyst',
    json: { action: 'block', reason: 'r', scope: 'cluster' },
    status: 409,
    code: 'CONFLICT',
  },
  {
    name: 'limit 0',
    method: 'GET',
    path: '/v1/clusters?limit=0',
    as: 'analyst',
    status: 400,
    code: 'INVALID_ARGUMENT',
    message: /limit/,
  },
  {
    name: 'forged cursor',
    method: 'GET',
    path: '/v1/accounts?cursor=garbage',
    as: 'analyst',
    status: 400,
    code: 'INVALID_ARGUMENT',
    message: /cursor/,
  },
  {
    name: 'unknown query parameter',
    method: 'GET',
    path: '/v1/accounts?levle=act',
    as: 'analyst',
    status: 400,
    code: 'INVALID_ARGUMENT',
    message: /levle/,
  },
  {
    name: 'unknown level',
    method: 'GET',
    path: '/v1/clusters?level=critical',
    as: 'analyst',
    status: 400,
    code: 'INVALID_ARGUMENT',
  },
  {
    name: 'unknown cluster',
    method: 'GET',
    path: '/v1/clusters/cl_nope',
    as: 'analyst',
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: 'unknown account',
    method: 'GET',
    path: '/v1/accounts/acct_nope',
    as: 'analyst',
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: 'webhook to ftp',
    method: 'POST',
    path: '/v1/webhooks',
    as: 'admin',
    json: { url: 'ftp://x/y', secret: '0123456789abcdef' },
    status: 400,
    code: 'INVALID_INPUT',
    message: /http/,
  },
  {
    name: 'webhook with a short secret',
    method: 'POST',
    path: '/v1/webhooks',
    as: 'admin',
    json: { url: 'http://127.0.0.1:9/x', secret: 'short' },
    status: 400,
    code: 'INVALID_INPUT',
  },
  {
    name: 'key with an unknown role',
    method: 'POST',
    path: '/v1/keys',
    as: 'admin',
    json: { name: 'x', role: 'root' },
    status: 400,
    code: 'INVALID_INPUT',
  },
  { name: 'no such route', method: 'GET', path: '/v1/nothing', as: 'admin', status: 404, code: 'NOT_FOUND' },
];

describe('malformed, oversized and unauthenticated requests', () => {
  let ts: TestService;
  const keys: Partial<Record<Role, string>> = {};

  const snapshot = async () => {
    const db = ts.service.ctx.db;
    const count = async (
      t: 'events' | 'cases' | 'audit_log' | 'decisions' | 'webhooks' | 'api_keys' | 'accounts',
    ) =>
      Number(
        (
          await db
            .selectFrom(t)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      events: await count('events'),
      accounts: await count('accounts'),
      cases: await count('cases'),
      audit: await count('audit_log'),
      decisions: await count('decisions'),
      webhooks: await count('webhooks'),
      keys: await count('api_keys'),
      live: ts.service.ctx.live.stats.events,
      rejected: ts.service.ctx.live.stats.rejected_lines,
    };
  };

  beforeAll(async () => {
    ts = await startTestService('sqlite', {
      limits: { ingestBytes: 256 * 1024, ingestDecodedBytes: 1024 * 1024, jsonBytes: 8 * 1024 },
    });
    keys.admin = ts.admin;
    keys.bogus = 'dg_thisKeyWasNeverIssuedByTheServer0000000';
    for (const role of ['analyst', 'ingest', 'enforcement'] as const)
      keys[role] = await createApiKey(ts, role, role);
    const r = await call(`${ts.url}/v1/events`, 'POST', keys.ingest!, { raw: ndjson(good) });
    expect(r.status).toBe(202);
  });
  afterAll(async () => ts.dispose());

  it.each(CASES)('$name → $status $code, nothing changes', async (c) => {
    const before = await snapshot();
    const r = await call(`${ts.url}${c.path}`, c.method, c.as === 'none' ? null : (keys[c.as] ?? null), {
      ...(c.json !== undefined ? { json: c.json } : {}),
      ...(c.raw !== undefined ? { raw: c.raw } : {}),
      ...(c.type ? { type: c.type } : {}),
      ...(c.headers ? { headers: c.headers } : {}),
    });
    expect(r.status, r.text).toBe(c.status);
    const err = (r.body as { error?: { code: string; message: string } }).error;
    expect(err?.code).toBe(c.code);
    expect(err?.message.length).toBeGreaterThan(10);
    if (c.message) expect(err?.message).toMatch(c.message);
    expect(r.text).not.toMatch(/\n\s+at /); // no stack trace
    expect(await snapshot()).toEqual(before);
  });

  it('serves an OpenAPI document covering the API, without a key', async () => {
    const r = await call(`${ts.url}/openapi.json`, 'GET', null);
    expect(r.status).toBe(200);
    const doc = r.body as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\./);
    for (const [p, m] of [
      ['/v1/events', 'post'],
      ['/v1/overview', 'get'],
      ['/v1/clusters', 'get'],
      ['/v1/clusters/{id}', 'get'],
      ['/v1/accounts/{id}', 'get'],
      ['/v1/signals', 'get'],
      ['/v1/findings', 'get'],
      ['/v1/findings/ocsf.ndjson', 'get'],
      ['/v1/cases/{id}', 'patch'],
      ['/v1/decisions/{account_id}', 'put'],
      ['/v1/policy', 'get'],
      ['/v1/audit', 'get'],
      ['/v1/webhooks', 'post'],
    ] as const)
      expect(doc.paths[p]?.[m], `${m} ${p}`).toBeDefined();
    // The views the dashboard reads are documented from their contracts (src/contracts/api-views.ts).
    const answer = (p: string) =>
      (
        doc.paths[p]?.get as
          { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> } | undefined
      )?.responses?.['200']?.content?.['application/json']?.schema as
        { properties?: Record<string, unknown>; required?: string[] } | undefined;
    expect(answer('/v1/overview')?.required).toEqual(expect.arrayContaining(['levels', 'timeline']));
    expect(Object.keys(answer('/v1/clusters/{id}')?.properties ?? {})).toEqual([
      'cluster',
      'graph',
      'timeline',
    ]);
    expect(Object.keys(answer('/v1/clusters')?.properties ?? {})).toEqual(['items', 'next', 'total']);
  });

  it('refuses a key once it is revoked, and never shows keys again', async () => {
    const created = await call(`${ts.url}/v1/keys`, 'POST', ts.admin, {
      json: { name: 'temp', role: 'analyst' },
    });
    const { key, key_id } = created.body as { key: string; key_id: string };
    expect((await call(`${ts.url}/v1/overview`, 'GET', key)).status).toBe(200);
    const listed = await call(`${ts.url}/v1/keys`, 'GET', ts.admin);
    expect(listed.text).not.toContain(key);
    expect((await call(`${ts.url}/v1/keys/${key_id}`, 'DELETE', ts.admin)).status).toBe(204);
    expect((await call(`${ts.url}/v1/overview`, 'GET', key)).body).toMatchObject({
      error: { code: 'UNAUTHENTICATED' },
    });
    expect((await call(`${ts.url}/v1/keys/${key_id}`, 'DELETE', ts.admin)).status).toBe(404);
    const stored = await ts.service.ctx.db.selectFrom('api_keys').select('hash').execute();
    expect(stored.some((k) => k.hash.includes(key) || key.includes(k.hash))).toBe(false);
  });

  it('rate-limits a key that sends too much, with a clear 429', async () => {
    const limited = await startTestService('sqlite', { limits: { ratePerMinute: 5 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++)
        statuses.push((await call(`${limited.url}/v1/overview`, 'GET', limited.admin)).status);
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(statuses.slice(5)).toEqual([429, 429]);
      const r = await call(`${limited.url}/v1/overview`, 'GET', limited.admin);
      expect(r.body).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    } finally {
      await limited.dispose();
    }
  });
});
