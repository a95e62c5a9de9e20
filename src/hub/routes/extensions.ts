import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import {
  appendHubAudit,
  getGroup,
  getMember,
  membersOf,
  sightingsOfPublisher,
  sighterCountsIn,
  type HubDatabase,
} from '../../store/index.js';
import type { HubSighting } from '../../contracts/index.js';
import { RESTRICTED_TLPS } from '../access.js';
import type { HubContext } from '../hub-context.js';
import { sendTaxii, taxiiError } from '../taxii-media.js';

/** Sightings of what `publisher` published, per object; sighters named only where they allow it. */
async function sightingsFor(db: Kysely<HubDatabase>, publisher: string): Promise<HubSighting[]> {
  const rows = await sightingsOfPublisher(db, publisher);
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
  return [...by.entries()].map(([ref, e]) => ({
    sighting_of_ref: ref,
    members: e.members.size,
    sightings: e.sightings,
    count: e.count,
    ...([...e.members].some((m) => disclosing.has(m))
      ? { disclosed_by: [...e.members].filter((m) => disclosing.has(m)).sort() }
      : {}),
  }));
}

/** DistillGuard additions, outside the TAXII resource tree's required set. */
export function extensionRoutes(ctx: HubContext) {
  return (app: FastifyInstance, _opts: unknown, done: (err?: Error) => void): void => {
    const { db, root } = ctx;
    app.get(`/${root}/distillguard/sightings/`, async (req, reply) => {
      const member = ctx.memberOf(req);
      const sightings = await sightingsFor(db, member.name);
      await appendHubAudit(db, {
        actor: member.name,
        action: 'read.sightings',
        detail: { objects: sightings.length },
      });
      return sendTaxii(reply, { sightings });
    });

    // Readers learn how many members sighted what they read (never who): it raises confidence.
    app.get<{ Params: { cid: string } }>(
      `/${root}/collections/:cid/distillguard/sighting-counts/`,
      async (req, reply) => {
        const access = await ctx.guard(req, reply, req.params.cid, 'read');
        if (!access) return reply;
        const counts = await sighterCountsIn(db, req.params.cid, {
          readerGroups: access.memberGroups,
          restrictedTlps: RESTRICTED_TLPS,
        });
        await appendHubAudit(db, {
          actor: ctx.memberOf(req).name,
          action: 'read.sighting-counts',
          detail: { collection: req.params.cid, objects: counts.length },
        });
        return sendTaxii(reply, { counts });
      },
    );

    app.get<{ Params: { group: string } }>(
      `/${root}/distillguard/groups/:group/members/`,
      async (req, reply) => {
        const member = ctx.memberOf(req);
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
        return sendTaxii(reply, { group: group.name, members: await membersOf(db, group.name) });
      },
    );
    done();
  };
}
