import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import {
  allCollections,
  appendHubAudit,
  deleteHubObjects,
  getGroup,
  getMember,
  getStatus,
  membersOf,
  queryHubObjects,
  sightingsOfPublisher,
  sighterCountsIn,
  type HubDatabase,
  type HubMember,
  type HubObjectRow,
} from '../store/index.js';
import { RESTRICTED_TLPS, collectionAccess, type CollectionAccess } from './access.js';
import { HubAuthenticator } from './authenticate.js';
import {
  decodeNext,
  encodeNext,
  isEmptyFilter,
  parseObjectQuery,
  sameFilters,
  versionMode,
  type ObjectFilters,
} from './object-filters.js';
import { publishEnvelope } from './publish.js';
import {
  STIX_MEDIA,
  TAXII_MEDIA,
  acceptsTaxii,
  isTaxiiContentType,
  sendTaxii,
  taxiiError,
} from './taxii-media.js';

export interface HubServerOptions {
  db: Kysely<HubDatabase>;
  apiRoot?: string;
  title?: string;
  /** Largest page a client may ask for. */
  maxPage?: number;
  maxContentLength?: number;
  logger?: boolean;
  /** Failed password checks one client address may cause per minute before 429 (default 10). */
  authFailuresPerMinute?: number;
  /** Verified passwords remembered at once (default 10 000). */
  passwordCacheSize?: number;
  /** How long a verified password is trusted without scrypt, ms (default 60 000). */
  passwordCacheTtlMs?: number;
}

/** Password-check figures, for operators and tests. */
export interface HubAuthStats {
  passwordVerifications(): number;
  cachedCredentials(): number;
}

declare module 'fastify' {
  interface FastifyInstance {
    hubAuth: HubAuthStats;
  }
}

/**
 * The TAXII 2.1 hub: discovery, one API root, collections, objects (GET/POST), object, manifest,
 * versions, delete, status; plus counts of sightings for publishers and group member lists.
 * Every request is authenticated; every publish and read lands in the hash-chained audit log.
 */
export function createHubServer(opts: HubServerOptions): FastifyInstance {
  const { db } = opts;
  const root = opts.apiRoot ?? 'api1';
  const maxPage = opts.maxPage ?? 1000;
  const maxContentLength = opts.maxContentLength ?? 10 * 1024 * 1024;
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit: maxContentLength });

  app.addContentTypeParser(/^application\/(taxii|stix)\+json/i, { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch {
      const err = new Error('The body is not JSON.') as Error & { statusCode: number };
      err.statusCode = 400;
      done(err, undefined);
    }
  });

  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    const status = err.statusCode ?? 500;
    if (status === 413)
      return taxiiError(
        reply,
        413,
        'Too large',
        `The body exceeds max_content_length ${maxContentLength}.`,
        'TOO_LARGE',
      );
    if (status === 415)
      return taxiiError(
        reply,
        415,
        'Unsupported media type',
        `Send ${TAXII_MEDIA}.`,
        'UNSUPPORTED_MEDIA_TYPE',
      );
    if (status < 500) return taxiiError(reply, status, 'Bad request', err.message, 'BAD_REQUEST');
    app.log.error(err);
    return taxiiError(reply, 500, 'Internal error', 'The hub failed to handle the request.', 'INTERNAL');
  });
  app.setNotFoundHandler((req, reply) =>
    taxiiError(reply, 404, 'Not found', `No resource at ${req.url}.`, 'NOT_FOUND'),
  );

  const hubAuth = new HubAuthenticator(db, {
    passwordCache: {
      ...(opts.passwordCacheSize !== undefined ? { maxEntries: opts.passwordCacheSize } : {}),
      ...(opts.passwordCacheTtlMs !== undefined ? { ttlMs: opts.passwordCacheTtlMs } : {}),
    },
    failureLimit: {
      ...(opts.authFailuresPerMinute !== undefined ? { failuresPerWindow: opts.authFailuresPerMinute } : {}),
    },
  });
  app.decorate('hubAuth', {
    passwordVerifications: () => hubAuth.passwordVerifications(),
    cachedCredentials: () => hubAuth.cachedCredentials(),
  });

  const members = new WeakMap<FastifyRequest, HubMember>();
  app.addHook('onRequest', async (req, reply) => {
    if (!acceptsTaxii(req.headers.accept))
      return taxiiError(
        reply,
        406,
        'Not acceptable',
        `This server answers ${TAXII_MEDIA}.`,
        'NOT_ACCEPTABLE',
      );
    const auth = await hubAuth.authenticate(req);
    if (!auth.ok) {
      if (auth.status === 401 || auth.audit)
        await appendHubAudit(db, {
          actor: 'anonymous',
          action: auth.status === 401 ? 'auth.failed' : 'auth.throttled',
          detail: { url: req.url, method: req.method },
        });
      if (auth.status === 401)
        return taxiiError(reply, 401, 'Unauthenticated', auth.reason, 'UNAUTHENTICATED');
      reply.header('retry-after', String(auth.retryAfterSeconds));
      return taxiiError(
        reply,
        auth.status,
        auth.status === 429 ? 'Too many failed logins' : 'Busy',
        auth.reason,
        auth.code,
      );
    }
    members.set(req, auth.member);
  });
  const memberOf = (req: FastifyRequest): HubMember => members.get(req)!;
  const collectionNotFound = (reply: FastifyReply, collectionId: string): FastifyReply =>
    taxiiError(
      reply,
      404,
      'Collection not found',
      `No collection ${collectionId} under /${root}/.`,
      'NOT_FOUND',
    );
  const send = sendTaxii;

  async function guard(
    req: FastifyRequest,
    reply: FastifyReply,
    collectionId: string,
    need: 'read' | 'write' | 'see',
  ): Promise<CollectionAccess | undefined> {
    const member = memberOf(req);
    const access = await collectionAccess(db, collectionId, member.name);
    if (!access.exists || (!access.canRead && !access.canWrite)) {
      // A collection the member has no grant on answers exactly like one that does not exist
      // (and costs the same audit write), so members cannot map other groups' collections.
      await appendHubAudit(db, {
        actor: member.name,
        action: access.exists ? `${need}.forbidden` : `${need}.not_found`,
        detail: { collection: collectionId },
      });
      collectionNotFound(reply, collectionId);
      return undefined;
    }
    if ((need === 'read' && !access.canRead) || (need === 'write' && !access.canWrite)) {
      await appendHubAudit(db, {
        actor: member.name,
        action: `${need}.forbidden`,
        detail: { collection: collectionId },
      });
      taxiiError(
        reply,
        403,
        'Forbidden',
        `Member ${member.name} has no ${need} access to collection ${collectionId}; ask the hub operator for a grant to one of your groups.`,
        'FORBIDDEN',
      );
      return undefined;
    }
    return access;
  }

  app.get('/taxii2/', async (req, reply) => {
    const base = `${req.protocol}://${req.host}`;
    return send(reply, {
      title: opts.title ?? 'DistillGuard sharing hub',
      description: 'TAXII 2.1 hub for adversarial-distillation intelligence',
      default: `${base}/${root}/`,
      api_roots: [`${base}/${root}/`],
    });
  });

  app.get(`/${root}/`, async (_req, reply) =>
    send(reply, {
      title: opts.title ?? 'DistillGuard sharing hub',
      versions: [TAXII_MEDIA],
      max_content_length: maxContentLength,
    }),
  );

  app.get(`/${root}/collections/`, async (req, reply) => {
    const member = memberOf(req);
    const out = [];
    for (const c of await allCollections(db)) {
      const a = await collectionAccess(db, c.id, member.name);
      if (!a.canRead && !a.canWrite) continue;
      out.push({
        id: c.id,
        title: c.title,
        ...(c.description ? { description: c.description } : {}),
        can_read: a.canRead,
        can_write: a.canWrite,
        media_types: [STIX_MEDIA],
      });
    }
    return send(reply, out.length ? { collections: out } : {});
  });

  app.get<{ Params: { cid: string } }>(`/${root}/collections/:cid/`, async (req, reply) => {
    const a = await guard(req, reply, req.params.cid, 'see');
    if (!a) return reply;
    const c = (await allCollections(db)).find((x) => x.id === req.params.cid)!;
    return send(reply, {
      id: c.id,
      title: c.title,
      ...(c.description ? { description: c.description } : {}),
      can_read: a.canRead,
      can_write: a.canWrite,
      media_types: [STIX_MEDIA],
    });
  });

  /** Shared by objects, manifest, object and versions: filters, keyset paging, visibility. */
  async function page(
    req: FastifyRequest<{ Params: { cid: string; oid?: string }; Querystring: Record<string, unknown> }>,
    reply: FastifyReply,
    forceAllVersions = false,
  ): Promise<{ rows: HubObjectRow[]; more: boolean; next?: string } | undefined> {
    const access = await guard(req, reply, req.params.cid, 'read');
    if (!access) return undefined;
    const parsed = parseObjectQuery(req.query, maxPage);
    if (!parsed.ok) {
      taxiiError(reply, 400, 'Bad filter', parsed.message, 'BAD_FILTER');
      return undefined;
    }
    let filters: ObjectFilters = parsed.filters;
    let afterSeq: number | undefined;
    if (parsed.next) {
      const token = decodeNext(parsed.next, req.params.cid);
      if (!token) {
        taxiiError(
          reply,
          400,
          'Bad next',
          'The next token is not one this hub issued for this collection.',
          'BAD_NEXT',
        );
        return undefined;
      }
      if (!isEmptyFilter(filters) && !sameFilters(filters, token.filters)) {
        taxiiError(
          reply,
          400,
          'Filters changed',
          'A next token continues the filters it was issued for; repeat them unchanged or omit them.',
          'BAD_NEXT',
        );
        return undefined;
      }
      filters = token.filters;
      afterSeq = token.seq;
    }
    const result = await queryHubObjects(db, {
      collectionId: req.params.cid,
      readerGroups: access.memberGroups,
      restrictedTlps: RESTRICTED_TLPS,
      ...(afterSeq !== undefined ? { afterSeq } : {}),
      ...(filters.addedAfter ? { addedAfterMs: Date.parse(filters.addedAfter) } : {}),
      ...(req.params.oid ? { objectId: req.params.oid } : {}),
      ids: filters.ids,
      types: filters.types,
      specVersions: filters.specVersions,
      versions: forceAllVersions ? { mode: 'all' } : versionMode(filters.versions),
      limit: parsed.limit,
    });
    const last = result.rows.at(-1);
    const first = result.rows[0];
    if (first && last) {
      reply.header('X-TAXII-Date-Added-First', first.date_added);
      reply.header('X-TAXII-Date-Added-Last', last.date_added);
    }
    await appendHubAudit(db, {
      actor: memberOf(req).name,
      action: 'read',
      detail: {
        collection: req.params.cid,
        url: req.url.split('?')[0],
        returned: result.rows.length,
        ...(first && last ? { first_seq: first.seq, last_seq: last.seq } : {}),
      },
    });
    return {
      rows: result.rows,
      more: result.more,
      ...(result.more && last ? { next: encodeNext(req.params.cid, last.seq, filters) } : {}),
    };
  }

  type ObjReq = FastifyRequest<{
    Params: { cid: string; oid?: string };
    Querystring: Record<string, unknown>;
  }>;

  app.get(`/${root}/collections/:cid/objects/`, async (req: ObjReq, reply) => {
    const p = await page(req, reply);
    if (!p) return reply;
    return send(reply, {
      more: p.more,
      ...(p.next ? { next: p.next } : {}),
      ...(p.rows.length ? { objects: p.rows.map((r) => JSON.parse(r.body) as unknown) } : {}),
    });
  });

  app.get(`/${root}/collections/:cid/manifest/`, async (req: ObjReq, reply) => {
    const p = await page(req, reply);
    if (!p) return reply;
    return send(reply, {
      more: p.more,
      ...(p.next ? { next: p.next } : {}),
      ...(p.rows.length
        ? {
            objects: p.rows.map((r) => ({
              id: r.object_id,
              date_added: r.date_added,
              version: r.version,
              media_type: STIX_MEDIA,
            })),
          }
        : {}),
    });
  });

  app.get(`/${root}/collections/:cid/objects/:oid/`, async (req: ObjReq, reply) => {
    const p = await page(req, reply);
    if (!p) return reply;
    if (!p.rows.length)
      return taxiiError(reply, 404, 'Object not found', `No visible object ${req.params.oid}.`, 'NOT_FOUND');
    return send(reply, {
      more: p.more,
      ...(p.next ? { next: p.next } : {}),
      objects: p.rows.map((r) => JSON.parse(r.body) as unknown),
    });
  });

  app.get(`/${root}/collections/:cid/objects/:oid/versions/`, async (req: ObjReq, reply) => {
    const p = await page(req, reply, true);
    if (!p) return reply;
    if (!p.rows.length)
      return taxiiError(reply, 404, 'Object not found', `No visible object ${req.params.oid}.`, 'NOT_FOUND');
    return send(reply, {
      more: p.more,
      ...(p.next ? { next: p.next } : {}),
      versions: p.rows.map((r) => r.version),
    });
  });

  app.delete(`/${root}/collections/:cid/objects/:oid/`, async (req: ObjReq, reply) => {
    const access = await guard(req, reply, req.params.cid, 'write');
    if (!access) return reply;
    const member = memberOf(req);
    const parsed = parseObjectQuery(req.query, maxPage);
    if (!parsed.ok) return taxiiError(reply, 400, 'Bad filter', parsed.message, 'BAD_FILTER');
    const mode = versionMode(parsed.filters.versions);
    const found = await queryHubObjects(db, {
      collectionId: req.params.cid,
      readerGroups: access.memberGroups,
      restrictedTlps: RESTRICTED_TLPS,
      objectId: req.params.oid!,
      versions: parsed.filters.versions.length ? mode : { mode: 'all' },
      limit: 10_000,
    });
    if (!found.rows.length)
      return taxiiError(reply, 404, 'Object not found', `No visible object ${req.params.oid}.`, 'NOT_FOUND');
    if (found.rows.some((r) => r.publisher !== member.name))
      return taxiiError(
        reply,
        403,
        'Forbidden',
        'Only the member that published an object may delete it.',
        'FORBIDDEN',
      );
    const n = await deleteHubObjects(
      db,
      req.params.cid,
      req.params.oid!,
      found.rows.map((r) => r.version),
    );
    await appendHubAudit(db, {
      actor: member.name,
      action: 'delete',
      detail: { collection: req.params.cid, object: req.params.oid, versions: n },
    });
    return reply.code(200).header('content-type', TAXII_MEDIA).send();
  });

  app.post<{ Params: { cid: string } }>(`/${root}/collections/:cid/objects/`, async (req, reply) => {
    if (!isTaxiiContentType(req.headers['content-type']))
      return taxiiError(
        reply,
        415,
        'Unsupported media type',
        `POST objects as ${TAXII_MEDIA}.`,
        'UNSUPPORTED_MEDIA_TYPE',
      );
    const access = await guard(req, reply, req.params.cid, 'write');
    if (!access) return reply;
    const member = memberOf(req);
    const sig = req.headers['x-distillguard-signature'];
    const r = await publishEnvelope(
      db,
      member,
      req.params.cid,
      access,
      req.body,
      Array.isArray(sig) ? sig[0] : sig,
    );
    if (!r.ok) {
      await appendHubAudit(db, {
        actor: member.name,
        action: 'publish.refused',
        detail: { collection: req.params.cid, code: r.code },
      });
      return taxiiError(reply, r.http, r.title, r.description, r.code, r.details);
    }
    return sendTaxii(reply.code(202), r.status);
  });

  app.get<{ Params: { sid: string } }>(`/${root}/status/:sid/`, async (req, reply) => {
    const s = await getStatus(db, req.params.sid);
    if (!s || s.member !== memberOf(req).name)
      return taxiiError(reply, 404, 'Status not found', `No status ${req.params.sid} for you.`, 'NOT_FOUND');
    return send(reply, JSON.parse(s.body) as unknown);
  });

  // DistillGuard additions (outside the TAXII resource tree's required set).
  app.get(`/${root}/distillguard/sightings/`, async (req, reply) => {
    const member = memberOf(req);
    const rows = await sightingsOfPublisher(db, member.name);
    const disclosing = new Set<string>();
    for (const r of rows) {
      const m = await getMember(db, r.sighter);
      if (m?.disclose_sightings === 1 && r.anonymous === 0) disclosing.add(r.sighter);
    }
    const by = new Map<string, { members: Set<string>; sightings: number; count: number }>();
    for (const r of rows) {
      const e = by.get(r.sighting_of_ref) ?? { members: new Set<string>(), sightings: 0, count: 0 };
      e.members.add(r.sighter);
      e.sightings++;
      e.count += Number(r.count);
      by.set(r.sighting_of_ref, e);
    }
    await appendHubAudit(db, { actor: member.name, action: 'read.sightings', detail: { objects: by.size } });
    return send(reply, {
      sightings: [...by.entries()].map(([ref, e]) => ({
        sighting_of_ref: ref,
        members: e.members.size,
        sightings: e.sightings,
        count: e.count,
        ...([...e.members].some((m) => disclosing.has(m))
          ? { disclosed_by: [...e.members].filter((m) => disclosing.has(m)).sort() }
          : {}),
      })),
    });
  });

  // Readers learn how many members sighted what they read (never who): it raises confidence.
  app.get<{ Params: { cid: string } }>(
    `/${root}/collections/:cid/distillguard/sighting-counts/`,
    async (req, reply) => {
      const access = await guard(req, reply, req.params.cid, 'read');
      if (!access) return reply;
      const counts = await sighterCountsIn(db, req.params.cid, {
        readerGroups: access.memberGroups,
        restrictedTlps: RESTRICTED_TLPS,
      });
      await appendHubAudit(db, {
        actor: memberOf(req).name,
        action: 'read.sighting-counts',
        detail: { collection: req.params.cid, objects: counts.length },
      });
      return send(reply, { counts });
    },
  );

  app.get<{ Params: { group: string } }>(
    `/${root}/distillguard/groups/:group/members/`,
    async (req, reply) => {
      const member = memberOf(req);
      const group = await getGroup(db, req.params.group);
      const inGroup = group ? (await membersOf(db, req.params.group)).includes(member.name) : false;
      if (!group || !inGroup)
        return taxiiError(
          reply,
          404,
          'Group not found',
          `No group ${req.params.group} that you belong to.`,
          'NOT_FOUND',
        );
      if (group.members_visible !== 1)
        return taxiiError(
          reply,
          403,
          'Forbidden',
          `Group ${group.name} does not let its members list each other.`,
          'FORBIDDEN',
        );
      return send(reply, { group: group.name, members: await membersOf(db, group.name) });
    },
  );

  return app;
}
