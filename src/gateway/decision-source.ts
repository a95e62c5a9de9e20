import { readFileSync } from 'node:fs';
import { request } from 'undici';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UserError } from '../contracts/index.js';
import { GatewayDecision } from './decision.js';

/** Where decisions come from: the server over HTTP, or a static file (tests, air-gapped setups). */
export interface DecisionSource {
  /** The account's decision, or null when there is none (treated as allow). */
  lookup(accountId: string): Promise<GatewayDecision | null>;
  /** Every decision known up front, to prime the cache; sources that cannot list return []. */
  snapshot(): GatewayDecision[];
  /**
   * Every decision other than the default allow, fetched now, page by page. Where a source can do
   * this, the cache keeps one authoritative copy refreshed in the background instead of asking per
   * account. Pages keep each slice of parsing short, so a big list never stalls the hot path.
   */
  list?(): AsyncIterable<GatewayDecision[]>;
}

/** Small pages: each is parsed in well under a millisecond between network waits. */
const LIST_PAGE = 250;

const DecisionPage = z.looseObject({ items: z.array(GatewayDecision), next: z.string().nullable() });

const DecisionsFile = z.union([
  z.array(GatewayDecision),
  z.looseObject({ decisions: z.array(GatewayDecision) }),
]);

/**
 * Decisions from a JSON or YAML file: a list of decisions, or `{decisions: [...]}`. Read once at
 * start; restart the gateway (or use the server) for live changes.
 */
export class StaticDecisionSource implements DecisionSource {
  private readonly byAccount = new Map<string, GatewayDecision>();

  constructor(decisions: GatewayDecision[]) {
    for (const d of decisions) this.byAccount.set(d.account_id, d);
  }

  static fromFile(path: string): StaticDecisionSource {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      throw new UserError(
        'FILE_NOT_FOUND',
        `decisions file ${path} cannot be read; check the --decisions path`,
      );
    }
    let raw: unknown;
    try {
      raw = parseYaml(text);
    } catch (err) {
      throw new UserError(
        'INVALID_CONFIG',
        `decisions file ${path} is not valid JSON or YAML: ${(err as Error).message}`,
      );
    }
    const parsed = DecisionsFile.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UserError(
        'INVALID_CONFIG',
        `decisions file ${path}: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}; expected a list of {account_id, action, cluster_id?, watch?}`,
      );
    }
    return new StaticDecisionSource(Array.isArray(parsed.data) ? parsed.data : parsed.data.decisions);
  }

  lookup(accountId: string): Promise<GatewayDecision | null> {
    return Promise.resolve(this.byAccount.get(accountId) ?? null);
  }

  snapshot(): GatewayDecision[] {
    return [...this.byAccount.values()];
  }
}

/** Decisions from the DistillGuard server: `GET /v1/decisions/:account_id` with an enforcement key. */
export class HttpDecisionSource implements DecisionSource {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string | undefined,
    private readonly timeoutMs = 2000,
  ) {}

  async lookup(accountId: string): Promise<GatewayDecision | null> {
    const url = `${this.baseUrl.replace(/\/+$/, '')}/v1/decisions/${encodeURIComponent(accountId)}`;
    const res = await request(url, {
      headers: this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {},
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
    const text = await res.body.text();
    if (res.statusCode === 404) return null;
    if (res.statusCode >= 400)
      throw new Error(`decision lookup for ${accountId}: HTTP ${res.statusCode} ${text.slice(0, 200)}`);
    const parsed = GatewayDecision.safeParse(JSON.parse(text));
    if (!parsed.success)
      throw new Error(`decision lookup for ${accountId}: unexpected body ${text.slice(0, 200)}`);
    return parsed.data;
  }

  snapshot(): GatewayDecision[] {
    return [];
  }

  /** `GET /v1/decisions` page by page: the accounts with a decision other than the default. */
  async *list(): AsyncGenerator<GatewayDecision[]> {
    let cursor: string | null = null;
    for (let page = 0; page < 1_000_000; page++) {
      const qs: string = `limit=${LIST_PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await request(`${this.baseUrl.replace(/\/+$/, '')}/v1/decisions?${qs}`, {
        headers: this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {},
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      const text = await res.body.text();
      if (res.statusCode >= 400)
        throw new Error(`decision list: HTTP ${res.statusCode} ${text.slice(0, 200)}`);
      const parsed = DecisionPage.safeParse(JSON.parse(text));
      if (!parsed.success) throw new Error(`decision list: unexpected body ${text.slice(0, 200)}`);
      yield parsed.data.items;
      cursor = parsed.data.next;
      if (!cursor) return;
    }
    throw new Error('decision list: too many pages');
  }
}
