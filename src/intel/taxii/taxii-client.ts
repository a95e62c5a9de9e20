import type { StixObject } from '../../contracts/index.js';
import {
  TaxiiEnvelope,
  TaxiiError,
  UserError,
  type TaxiiStatus,
  type UserErrorCode,
} from '../../contracts/index.js';
import { signObjects, signatureHeader, type MemberSigningKey } from '../stix/signing.js';

export const TAXII_MEDIA = 'application/taxii+json;version=2.1';

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

/** A TAXII 2.1 client for one API root (e.g. `http://hub:8443/api1/`). */
export class TaxiiClient {
  private readonly root: string;
  constructor(
    apiRootUrl: string,
    private readonly credentials: HubCredentials,
  ) {
    this.root = apiRootUrl.endsWith('/') ? apiRootUrl : `${apiRootUrl}/`;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const auth =
      'apiKey' in this.credentials
        ? `Bearer ${this.credentials.apiKey}`
        : `Basic ${Buffer.from(`${this.credentials.user}:${this.credentials.password}`).toString('base64')}`;
    return { accept: TAXII_MEDIA, authorization: auth, ...extra };
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
    const text = await res.text();
    let parsed: TaxiiError | undefined;
    try {
      const r = TaxiiError.safeParse(JSON.parse(text));
      parsed = r.success ? r.data : undefined;
    } catch {
      parsed = undefined;
    }
    throw new UserError(
      codeFor(res.status, parsed?.error_code),
      `hub answered ${res.status} ${parsed?.title ?? res.statusText}: ${parsed?.description ?? text.slice(0, 200)}`,
      parsed,
    );
  }

  async collections(): Promise<{ id: string; title: string; can_read: boolean; can_write: boolean }[]> {
    const res = await this.request('collections/');
    const body = (await res.json()) as {
      collections?: { id: string; title: string; can_read: boolean; can_write: boolean }[];
    };
    return body.collections ?? [];
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
    return (await res.json()) as TaxiiStatus;
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
    const parsed = TaxiiEnvelope.safeParse(await res.json());
    if (!parsed.success)
      throw new UserError('INVALID_INPUT', 'The hub sent an envelope that is not valid TAXII 2.1.');
    const last = res.headers.get('x-taxii-date-added-last') ?? undefined;
    return {
      objects: parsed.data.objects ?? [],
      more: parsed.data.more ?? false,
      ...(parsed.data.next ? { next: parsed.data.next } : {}),
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
    const body = (await res.json()) as { counts?: { sighting_of_ref: string; members: number }[] };
    return new Map((body.counts ?? []).map((c) => [c.sighting_of_ref, c.members]));
  }

  /** How many members sighted each object this member published (names only where they allow it). */
  async sightingCounts(): Promise<
    { sighting_of_ref: string; members: number; sightings: number; count: number; disclosed_by?: string[] }[]
  > {
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
    return ((await res.json()) as { sightings: [] }).sightings;
  }
}
