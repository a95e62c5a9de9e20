import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  appendHubAudit,
  queryHubObjects,
  type HubObjectPageRow,
  type HubPageColumn,
} from '../../store/index.js';
import { RESTRICTED_TLPS } from '../access.js';
import type { HubContext } from '../hub-context.js';
import {
  decodeNext,
  encodeNext,
  isEmptyFilter,
  parseObjectQuery,
  sameFilters,
  versionMode,
  type ObjectFilters,
} from '../object-filters.js';
import { taxiiError } from '../taxii-media.js';

export type ObjectRequest = FastifyRequest<{
  Params: { cid: string; oid?: string };
  Querystring: Record<string, unknown>;
}>;

export interface ObjectPage<C extends HubPageColumn> {
  rows: (Pick<HubObjectPageRow, C | 'date_added'> & { seq: number })[];
  more: boolean;
  next?: string;
}

/** The filters to apply and where to resume: from the query, or from a next token (same filters). */
function continuation(
  req: ObjectRequest,
  reply: FastifyReply,
  filters: ObjectFilters,
  next: string | undefined,
): { filters: ObjectFilters; afterSeq?: number } | undefined {
  if (!next) return { filters };
  const token = decodeNext(next, req.params.cid);
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
  return { filters: token.filters, afterSeq: token.seq };
}

/**
 * Shared by objects, manifest, object and versions: access, filters, keyset paging, visibility,
 * the X-TAXII-Date-Added headers and the audit record. Undefined when it already answered.
 */
export async function objectPage<C extends HubPageColumn>(
  ctx: HubContext,
  req: ObjectRequest,
  reply: FastifyReply,
  columns: readonly C[],
  forceAllVersions = false,
): Promise<ObjectPage<C> | undefined> {
  const access = await ctx.guard(req, reply, req.params.cid, 'read');
  if (!access) return undefined;
  const parsed = parseObjectQuery(req.query, ctx.maxPage);
  if (!parsed.ok) {
    taxiiError(reply, 400, 'Bad filter', parsed.message, 'BAD_FILTER');
    return undefined;
  }
  const cont = continuation(req, reply, parsed.filters, parsed.next);
  if (!cont) return undefined;
  const { filters, afterSeq } = cont;
  const result = await queryHubObjects(
    ctx.db,
    {
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
    },
    // date_added for the X-TAXII-Date-Added headers, and what the route serves.
    ['date_added', ...columns],
  );
  const last = result.rows.at(-1);
  const first = result.rows[0];
  if (first && last) {
    reply.header('X-TAXII-Date-Added-First', first.date_added);
    reply.header('X-TAXII-Date-Added-Last', last.date_added);
  }
  await appendHubAudit(ctx.db, {
    actor: ctx.memberOf(req).name,
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

/** `more` and `next` of a TAXII envelope-like answer. */
export const paging = (
  p: Pick<ObjectPage<HubPageColumn>, 'more' | 'next'>,
): { more: boolean; next?: string } => ({
  more: p.more,
  ...(p.next ? { next: p.next } : {}),
});
