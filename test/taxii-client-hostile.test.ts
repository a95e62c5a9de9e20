import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError, type StixObject } from '../src/contracts/index.js';
import { ReceivedIntel, TaxiiClient, generateMemberKey } from '../src/intel/index.js';

/**
 * A hostile or broken TAXII server: every answer the client reads is one the test chose. The
 * client must turn each into one UserError with the stable code UPSTREAM_UNAVAILABLE (the hub
 * did not answer usably; exit status 1), never a TypeError, a silent cast or a hang.
 */
type Answer = (req: IncomingMessage, res: ServerResponse) => void;

const MEDIA = 'application/taxii+json;version=2.1';
const json =
  (body: unknown, status = 200, headers: Record<string, string> = {}): Answer =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': MEDIA, ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
/** Streams megabytes until the client hangs up. */
const endless: Answer = (_req, res) => {
  res.writeHead(200, { 'content-type': MEDIA });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const pump = (): void => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once('drain', pump);
  };
  res.write('{"objects":[');
  pump();
};
const oversizedError: Answer = (_req, res) => {
  res.writeHead(500, { 'content-type': MEDIA });
  res.end(`{"title":"${'x'.repeat(300_000)}"}`);
};

const MAX_ANSWER = 128 * 1024;
const collectionId = '91a7b528-80eb-42ed-a74d-c6fbd5a26116';
const key = generateMemberKey('org-a');
const indicator: StixObject = {
  type: 'indicator',
  spec_version: '2.1',
  id: 'indicator--00000000-0000-4000-8000-000000000001',
  created: '2026-11-20T00:00:00.000Z',
  modified: '2026-11-20T00:00:00.000Z',
  pattern: '[autonomous-system:number = 64501]',
  pattern_type: 'stix',
  valid_from: '2026-11-20T00:00:00.000Z',
};

let answer: Answer = json({});
let server: Server;
let root: string;
const client = (): TaxiiClient => new TaxiiClient(root, { apiKey: 'k' }, { maxAnswerBytes: MAX_ANSWER });

beforeAll(async () => {
  server = createServer((req, res) => answer(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  root = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api1/`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function failure(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof UserError) return e;
    throw new Error(`expected a UserError, got ${String(e)}`);
  }
  throw new Error('expected the call to fail');
}

const calls: Record<string, () => Promise<unknown>> = {
  collections: () => client().collections(),
  push: () => client().push(collectionId, [indicator], key),
  page: () => client().page(collectionId),
  sighterCounts: () => client().sighterCounts(collectionId),
  sightingCounts: () => client().sightingCounts(),
};

// Shapes no endpoint accepts.
const malformedEverywhere: [string, Answer][] = [
  ['a body that is not JSON', json('{"objects": [')],
  ['an empty body', json('')],
  ['JSON null', json('null')],
  ['a JSON array', json([1, 2, 3])],
  ['a JSON string', json('"hello"')],
  ['a JSON number', json('42')],
];

// Shapes that are JSON objects but wrong for the endpoint in question.
const wrongTypes: Record<string, [string, Answer][]> = {
  collections: [
    ['collections as a string', json({ collections: 'all of them' })],
    [
      'can_read as a string',
      json({ collections: [{ id: 'c', title: 't', can_read: 'yes', can_write: false }] }),
    ],
    ['a collection without an id', json({ collections: [{ title: 't', can_read: true, can_write: true }] })],
    ['a null collection', json({ collections: [null] })],
  ],
  push: [
    ['an empty object', json({})],
    [
      'counts as strings',
      json({
        id: 's',
        status: 'complete',
        total_count: '1',
        success_count: '1',
        failure_count: 0,
        pending_count: 0,
      }),
    ],
    [
      'an unknown status',
      json({ id: 's', status: 'done', total_count: 1, success_count: 1, failure_count: 0, pending_count: 0 }),
    ],
  ],
  page: [
    ['objects as an object', json({ more: false, objects: { id: 'x' } })],
    ['more as a string', json({ more: 'false', objects: [] })],
    ['next as a number', json({ more: true, next: 7, objects: [] })],
    [
      'an object with a bad id',
      json({ more: false, objects: [{ type: 'indicator', id: 'indicator--nope' }] }),
    ],
    ['a null object', json({ more: false, objects: [null] })],
    [
      'a date-added header that is no timestamp',
      json({ more: false, objects: [indicator] }, 200, { 'x-taxii-date-added-last': 'yesterday' }),
    ],
  ],
  sighterCounts: [
    ['counts as an object', json({ counts: { a: 1 } })],
    ['members as a string', json({ counts: [{ sighting_of_ref: indicator.id, members: 'three' }] })],
    ['negative members', json({ counts: [{ sighting_of_ref: indicator.id, members: -1 }] })],
    ['a reference that is no STIX id', json({ counts: [{ sighting_of_ref: '../../etc', members: 1 }] })],
  ],
  sightingCounts: [
    ['no sightings property', json({})],
    ['sightings as a string', json({ sightings: 'many' })],
    [
      'disclosed_by as a string',
      json({
        sightings: [
          { sighting_of_ref: indicator.id, members: 1, sightings: 1, count: 1, disclosed_by: 'org-b' },
        ],
      }),
    ],
    ['count missing', json({ sightings: [{ sighting_of_ref: indicator.id, members: 1, sightings: 1 }] })],
  ],
};

describe('TAXII client against a hostile server', () => {
  for (const [call, run] of Object.entries(calls)) {
    describe(call, () => {
      for (const [what, a] of [...malformedEverywhere, ...(wrongTypes[call] ?? [])])
        it(`refuses ${what} with one clear error`, async () => {
          answer = a;
          const e = await failure(run());
          expect(e.code).toBe('UPSTREAM_UNAVAILABLE');
          expect(e.message).toMatch(
            /^The hub at http:\/\/127\.0\.0\.1:\d+\/api1\/ sent .*not a valid TAXII 2\.1 answer/,
          );
        });

      it('stops reading an oversized answer', async () => {
        answer = endless;
        const e = await failure(run());
        expect(e.code).toBe('UPSTREAM_UNAVAILABLE');
        expect(e.message).toMatch(new RegExp(`larger than ${MAX_ANSWER} bytes`));
      });

      it('refuses an answer whose declared length is over the limit, unread', async () => {
        answer = (_req, res) => {
          res.writeHead(200, { 'content-type': MEDIA, 'content-length': String(MAX_ANSWER + 1) });
          res.write('{');
          // Never finishes: the client must decide from the header alone.
        };
        const e = await failure(run());
        expect(e.code).toBe('UPSTREAM_UNAVAILABLE');
        expect(e.message).toMatch(new RegExp(`larger than ${MAX_ANSWER} bytes`));
      });

      it('bounds an oversized error body and still reports the status', async () => {
        answer = oversizedError;
        const e = await failure(run());
        expect(e.code).toBe('UPSTREAM_UNAVAILABLE');
        expect(e.message).toMatch(/500/);
        expect(e.message.length).toBeLessThan(1000);
      });
    });
  }

  it('a malformed error body still gives the status-derived code', async () => {
    answer = json({ title: 42, error_code: ['x'] }, 403);
    const e = await failure(client().page(collectionId));
    expect(e.code).toBe('FORBIDDEN');
    expect(e.message).toMatch(/^hub answered 403/);
  });

  it('accepts well-formed answers (the checks are not refusing everything)', async () => {
    answer = json({ more: false, objects: [indicator] }, 200, {
      'x-taxii-date-added-last': '2026-11-20T00:00:00.000Z',
    });
    const page = await client().page(collectionId);
    expect(page.objects.map((o) => o.id)).toEqual([indicator.id]);
    expect(page.dateAddedLast).toBe('2026-11-20T00:00:00.000Z');
    answer = json({ collections: [{ id: collectionId, title: 't', can_read: true, can_write: false }] });
    expect((await client().collections()).map((c) => c.id)).toEqual([collectionId]);
    answer = json({ counts: [{ sighting_of_ref: indicator.id, members: 2 }] });
    expect(await client().sighterCounts(collectionId)).toEqual(new Map([[indicator.id, 2]]));
    answer = json({ sightings: [{ sighting_of_ref: indicator.id, members: 1, sightings: 2, count: 9 }] });
    expect(await client().sightingCounts()).toEqual([
      { sighting_of_ref: indicator.id, members: 1, sightings: 2, count: 9 },
    ]);
  });

  it('a pull against a server that always says "more" without moving on ends with an error, not a loop', async () => {
    answer = json({ more: true, objects: [] });
    const dir = mkdtempSync(path.join(tmpdir(), 'dg-hostile-'));
    try {
      const e = await failure(ReceivedIntel.open(dir).pull(client(), collectionId));
      expect(e.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(e.message).toMatch(/more objects but gave no way to continue/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a pull of indicators whose STIX pattern is garbage or hostile', () => {
  const withPattern = (n: number, pattern: string, extra: Partial<StixObject> = {}): StixObject => ({
    ...indicator,
    id: `indicator--00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    pattern,
    ...extra,
  });

  it('keeps the valid ones, never keeps the others, and says how many it skipped', async () => {
    const deep = withPattern(2, `${'('.repeat(10_000)}[autonomous-system:number = 1]${')'.repeat(10_000)}`);
    const unknownOperator = withPattern(3, "[autonomous-system:number CONTAINS '1']");
    // Would hang a backtracking engine that later evaluates it; and a property STIX 2.1 does not define.
    const redos = withPattern(5, "[autonomous-system:name MATCHES '^(a|aa)*$']");
    const unknownProperty = withPattern(6, '[autonomous-system:asn = 64501]');
    // Another pattern language is not judged by the STIX grammar.
    const sigma = withPattern(4, 'title: anything', { pattern_type: 'sigma' });
    const objects = [indicator, deep, unknownOperator, sigma, redos, unknownProperty];
    answer = (req, res) =>
      (req.url?.includes('/objects/')
        ? json({ more: false, objects }, 200, { 'x-taxii-date-added-last': '2026-11-20T00:00:00.000Z' })
        : json({ counts: [] }))(req, res);
    const dir = mkdtempSync(path.join(tmpdir(), 'dg-hostile-'));
    try {
      const received = ReceivedIntel.open(dir);
      const r = await received.pull(client(), collectionId);
      expect(r.received).toBe(2);
      expect(r.notes).toEqual([
        expect.stringMatching(
          /^skipped 4 indicators whose STIX pattern is not valid \(first: indicator--0+-0+-4000-8000-0+2 pattern: not a STIX 2\.1 pattern \(INVALID_STIX_PATTERN\): nested deeper than 64 /,
        ),
      ]);
      expect(
        ReceivedIntel.open(dir)
          .objects()
          .map((o) => o.id),
      ).toEqual([indicator.id, sigma.id]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
