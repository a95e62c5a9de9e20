import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { appendHubAudit, type HubDatabase, type HubMember } from '../store/index.js';
import { collectionAccess, type CollectionAccess } from './access.js';
import { taxiiError } from './taxii-media.js';

/** Everything a hub route needs, built once by createHubServer. */
export interface HubContext {
  db: Kysely<HubDatabase>;
  /** The API root's path segment, e.g. `api1`. */
  root: string;
  title: string;
  /** Largest page a client may ask for. */
  maxPage: number;
  maxContentLength: number;
  /** Objects one POST may carry. */
  maxObjectsPerPost: number;
  /** The member the onRequest hook authenticated (every route runs after it). */
  memberOf(req: FastifyRequest): HubMember;
  /**
   * Checks the member's access to a collection; answers 404/403 (audited) and returns undefined
   * when it is missing.
   */
  guard(
    req: FastifyRequest,
    reply: FastifyReply,
    collectionId: string,
    need: 'read' | 'write' | 'see',
  ): Promise<CollectionAccess | undefined>;
}

export const objectNotFound = (reply: FastifyReply, objectId: string | undefined): FastifyReply =>
  taxiiError(reply, 404, 'Object not found', `No visible object ${objectId}.`, 'NOT_FOUND');

export function collectionGuard(
  db: Kysely<HubDatabase>,
  root: string,
  memberOf: (req: FastifyRequest) => HubMember,
): HubContext['guard'] {
  return async (req, reply, collectionId, need) => {
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
      taxiiError(
        reply,
        404,
        'Collection not found',
        `No collection ${collectionId} under /${root}/.`,
        'NOT_FOUND',
      );
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
  };
}
