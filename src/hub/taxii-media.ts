import type { FastifyReply } from 'fastify';
import { TAXII_MEDIA } from '../contracts/index.js';

/** TAXII accepts our media type with or without the version, and clients that accept anything. */
export function acceptsTaxii(accept: string | undefined): boolean {
  if (!accept) return true;
  return accept.split(',').some((part) => {
    const [type, ...params] = part
      .trim()
      .toLowerCase()
      .split(';')
      .map((s) => s.trim());
    if (type === '*/*' || type === 'application/*') return true;
    if (type !== 'application/taxii+json') return false;
    const version = params.find((p) => p.startsWith('version='));
    return !version || version === 'version=2.1';
  });
}

export function isTaxiiContentType(ct: string | undefined): boolean {
  if (!ct) return false;
  const [type, ...params] = ct
    .toLowerCase()
    .split(';')
    .map((s) => s.trim());
  const version = params.find((p) => p.startsWith('version='));
  return type === 'application/taxii+json' && (!version || version === 'version=2.1');
}

/** TAXII 2.1 error message resource, with the status mirrored in http_status. */
export function taxiiError(
  reply: FastifyReply,
  status: number,
  title: string,
  description: string,
  errorCode: string,
  details?: Record<string, unknown>,
): FastifyReply {
  if (status === 401) reply.header('WWW-Authenticate', 'Basic realm="DistillGuard hub", charset="UTF-8"');
  return sendTaxii(reply.code(status), {
    title,
    description,
    error_id: crypto.randomUUID(),
    error_code: errorCode,
    http_status: String(status),
    ...(details ? { details } : {}),
  });
}

/** JSON as bytes, so Fastify keeps the media type exactly as TAXII writes it (no added charset). */
export const sendTaxii = (reply: FastifyReply, body: unknown): FastifyReply =>
  reply.header('content-type', TAXII_MEDIA).send(Buffer.from(JSON.stringify(body)));

/**
 * An envelope whose objects are stored STIX bodies, spliced in as stored instead of parsed and
 * re-serialised: the hub wrote each body with JSON.stringify, so parsing and stringifying it again
 * would give the same bytes at several times the cost. `head` becomes the envelope's other members.
 */
export function sendTaxiiObjects(
  reply: FastifyReply,
  head: Record<string, unknown>,
  key: string,
  bodies: readonly string[],
): FastifyReply {
  const text = JSON.stringify(head);
  if (!bodies.length) return reply.header('content-type', TAXII_MEDIA).send(Buffer.from(text));
  const open = text.length > 2 ? `${text.slice(0, -1)},` : '{';
  return reply
    .header('content-type', TAXII_MEDIA)
    .send(Buffer.from(`${open}${JSON.stringify(key)}:[${bodies.join(',')}]}`));
}
