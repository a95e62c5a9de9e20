import type { z } from 'zod';
import {
  HubSighterCounts,
  HubSightings,
  TAXII_MEDIA,
  TaxiiCollections,
  TaxiiEnvelope,
  TaxiiError,
  TaxiiStatus,
  UserError,
  isRfc3339,
  type HubSighting,
  type StixObject,
  type TaxiiCollection,
  type UserErrorCode,
} from '../../contracts/index.js';
import { signObjects, signatureHeader, type MemberSigningKey } from '../stix/signing.js';

/** Largest answer read from a hub by default: pages of 1000 objects fit many times over. */
export const DEFAULT_MAX_ANSWER_BYTES = 64 * 1024 * 1024;
/** Error bodies are only shown in a message: a few kilobytes are plenty. */
const MAX_ERROR_BYTES = 16 * 1024;

export type HubCredentials = { apiKey: string } | { user: string; password: string };

export interface TaxiiPage {
  objects: StixObject[];
  more: boolean;
  next?: string;
  /** X-TAXII-Date-Added-Last: where the next pull resumes. */
  dateAddedLast?: string;
}

function codeFor(status: number, errorCode: string | undefined): UserErrorCode {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403)
    return errorCode === 'BAD_SIGNATURE' || errorCode === 'SIGNATURE_REQUIRED'
      ? 'BAD_SIGNATURE'
      : 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 422) return 'POLICY_REFUSED';
  if (status >= 500) return 'UPSTREAM_UNAVAILABLE';
  return 'INVALID_INPUT';
}

/** Reads a body up to `limit` bytes; undefined when it is longer (the rest is not read). */
async function readBounded(res: Response, limit: number): Promise<Buffer | undefined> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await res.body?.cancel();
    return undefined;
  }
  if (!res.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks);
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
}

const firstIssue = (error: z.ZodError): string => {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || 'the body'}: ${issue.message}` : 'unexpected shape';
};

export interface TaxiiClientOptions {
  /** Largest answer body accepted, in bytes (default 64 MiB). */
  maxAnswerBytes?: number;
}

/**
 * A TAXII 2.1 client for one API root (e.g. `http://hub:8443/api1/`). The hub is another party's
 * server: every answer is size-bounded and checked against the TAXII contracts, and anything else
 * is one UPSTREAM_UNAVAILABLE error naming what was wrong.
 */
export class TaxiiClient {
  private readonly root: string;
  private readonly maxAnswerBytes: number;
  constructor(
    apiRootUrl: string,
    private readonly credentials: HubCredentials,
    opts: TaxiiClientOptions = {},
  ) {
    this.root = apiRootUrl.endsWith('/') ? apiRootUrl : `${apiRootUrl}/`;
    this.maxAnswerBytes = opts.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const auth =
      'apiKey' in this.credentials
        ? `Bearer ${this.credentials.apiKey}`
        : `Basic ${Buffer.from(`${this.credentials.user}:${this.credentials.password}`).toString('base64')}`;
    return { accept: TAXII_MEDIA, authorization: auth, ...extra };
  }

  private invalid(what: string, why: string): UserError {
    return new UserError(
      'UPSTREAM_UNAVAILABLE',
      `The hub at ${this.root} sent ${what} that is not a valid TAXII 2.1 answer (${why}); check --hub names a TAXII 2.1 API root.`,
    );
  }

  private async request(path: string, init: RequestInit = {}): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.root), {
        ...init,
        headers: this.headers(init.headers as Record<string, string>),
      });
    } catch (err) {
      throw new UserError(
        'UPSTREAM_UNAVAILABLE',
        `The hub at ${this.root} cannot be reached (${(err as Error).message}); check --hub.`,
      );
    }
    if (res.ok) return res;
    const text = (await readBounded(res, MAX_ERROR_BYTES).catch(() => undefined))?.toString('utf8') ?? '';
    let parsed: TaxiiError | undefined;
    try {
      const r = TaxiiError.safeParse(JSON.parse(text));
      parsed = r.success ? r.data : undefined;
    } catch {
      parsed = undefined;
    }
    throw new UserError(
      codeFor(res.status, parsed?.error_code),
      `hub answered ${res.status} ${(parsed?.title ?? res.statusText).slice(0, 200)}: ${(parsed?.description ?? text).slice(0, 200)}`,
      parsed,
    );
  }

  /** The body of a successful answer, bounded, parsed and checked against `schema`. */
  private async answer<S extends z.ZodType>(res: Response, schema: S, what: string): Promise<z.infer<S>> {
    let body: Buffer | undefined;
    try {
      body = await readBounded(res, this.maxAnswerBytes);
    } catch (err) {
      throw new UserError(
        'UPSTREAM_UNAVAILABLE',
        `The hub at ${this.root} broke off its answer (${(err as Error).message}); try again.`,
      );
    }
    if (!body)
      throw new UserError(
        'UPSTREAM_UNAVAILABLE',
        `The hub at ${this.root} sent ${what} larger than ${this.maxAnswerBytes} bytes; refusing to read it.`,
      );
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw this.invalid(what, 'the body is not JSON');
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw this.invalid(what, firstIssue(parsed.error));
    return parsed.data;
  }

  async collections(): Promise<TaxiiCollection[]> {
    const res = await this.request('collections/');
    return (await this.answer(res, TaxiiCollections, 'a collection list')).collections ?? [];
  }

  /** Signs the objects with the member key and POSTs them as one envelope. */
  async push(
    collectionId: string,
    objects: readonly StixObject[],
    key: MemberSigningKey,
  ): Promise<TaxiiStatus> {
    const sig = signObjects(objects, key);
    const res = await this.request(`collections/${encodeURIComponent(collectionId)}/objects/`, {
      method: 'POST',
      headers: { 'content-type': TAXII_MEDIA, 'x-distillguard-signature': signatureHeader(sig) },
      body: JSON.stringify({ objects }),
    });
    return this.answer(res, TaxiiStatus, 'a status');
  }

  async page(
    collectionId: string,
    opts: { addedAfter?: string; next?: string; limit?: number } = {},
  ): Promise<TaxiiPage> {
    const q = new URLSearchParams();
    if (opts.next) q.set('next', opts.next);
    else if (opts.addedAfter) q.set('added_after', opts.addedAfter);
    if (opts.limit) q.set('limit', String(opts.limit));
    const res = await this.request(
      `collections/${encodeURIComponent(collectionId)}/objects/?${q.toString()}`,
    );
    const envelope = await this.answer(res, TaxiiEnvelope, 'an envelope');
    // The header becomes the next pull's added_after: only a timestamp may get that far.
    const last = res.headers.get('x-taxii-date-added-last') ?? undefined;
    if (last !== undefined && !isRfc3339(last))
      throw this.invalid(
        'an X-TAXII-Date-Added-Last header',
        `${JSON.stringify(last.slice(0, 40))} is not a timestamp`,
      );
    return {
      objects: envelope.objects ?? [],
      more: envelope.more ?? false,
      ...(envelope.next ? { next: envelope.next } : {}),
      ...(last ? { dateAddedLast: last } : {}),
    };
  }

  /**
   * Distinct members that sighted objects of a collection (counts only). A DistillGuard hub
   * extension: undefined when the server does not offer it (a standard TAXII 2.1 server answers 404).
   */
  async sighterCounts(collectionId: string): Promise<Map<string, number> | undefined> {
    let res: Response;
    try {
      res = await this.request(
        `collections/${encodeURIComponent(collectionId)}/distillguard/sighting-counts/`,
      );
    } catch (err) {
      if (err instanceof UserError && err.code === 'NOT_FOUND') return undefined;
      throw err;
    }
    const body = await this.answer(res, HubSighterCounts, 'sighting counts');
    return new Map(body.counts.map((c) => [c.sighting_of_ref, c.members]));
  }

  /** How many members sighted each object this member published (names only where they allow it). */
  async sightingCounts(): Promise<HubSighting[]> {
    let res: Response;
    try {
      res = await this.request('distillguard/sightings/');
    } catch (err) {
      if (err instanceof UserError && err.code === 'NOT_FOUND')
        throw new UserError(
          'NOT_FOUND',
          `The server at ${this.root} does not offer DistillGuard sighting counts (a standard TAXII 2.1 server has no such extension); ask a DistillGuard hub.`,
        );
      throw err;
    }
    return (await this.answer(res, HubSightings, 'sightings')).sightings;
  }
}
