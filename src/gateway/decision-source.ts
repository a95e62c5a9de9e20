import { request } from 'undici';
import { z } from 'zod';
import { Decision, StaticDecision, UserError } from '../contracts/index.js';
import { readUserYaml } from '../ingest/index.js';

/**
 * Where the gateway's decisions come from: the server over HTTP, or a static file (tests,
 * air-gapped setups). A server's decision is also a valid static one, so both answer that shape.
 */
export interface DecisionSource {
  /** The account's decision, or null when there is none (treated as allow). */
  lookup(accountId: string): Promise<StaticDecision | null>;
  /** Every decision known up front, to prime the cache; sources that cannot list return []. */
  snapshot(): StaticDecision[];
  /**
   * Every decision other than the default allow, fetched now, page by page. Where a source can do
   * this, the cache keeps one authoritative copy refreshed in the background instead of asking per
   * account. Pages keep each slice of parsing short, so a big list never stalls the hot path.
   */
  list?(): AsyncIterable<StaticDecision[]>;
}

/** Small pages: each is parsed in well under a millisecond between network waits. */
const LIST_PAGE = 250;

// The server's answers are checked against the contract it writes (src/contracts/decision.ts):
// anything else is refused like an unreachable server, so the last known decision stays in force.
const DecisionPage = z.looseObject({ items: z.array(Decision), next: z.string().nullable() });

const DecisionList = z.array(StaticDecision);
const DecisionsFile = z.looseObject({ decisions: DecisionList });

/** The first problem in a refused answer, naming the field. */
function problem(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  return issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}

/** A server answer parsed against the contract, or an error that says what is wrong with it. */
function serverAnswer<T>(schema: z.ZodType<T>, text: string, what: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`${what}: invalid answer: not JSON: ${text.slice(0, 200)}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new Error(`${what}: invalid answer: ${problem(parsed.error)}`);
  return parsed.data;
}

/**
 * Decisions from a JSON or YAML file: a list of decisions, or `{decisions: [...]}`. Read once at
 * start; restart the gateway (or use the server) for live changes.
 */
export class StaticDecisionSource implements DecisionSource {
  private readonly byAccount = new Map<string, StaticDecision>();

  constructor(decisions: StaticDecision[]) {
    for (const d of decisions) this.byAccount.set(d.account_id, d);
  }

  static fromFile(path: string): StaticDecisionSource {
    const raw = readUserYaml(path, 'decisions file', 'check the --decisions path');
    // Two schemas rather than a union, so a mistake is reported at its field, not as "no match".
    const parsed = Array.isArray(raw)
      ? DecisionList.safeParse(raw)
      : DecisionsFile.transform((f) => f.decisions).safeParse(raw);
    if (!parsed.success) {
      throw new UserError(
        'INVALID_CONFIG',
        `decisions file ${path}: ${problem(parsed.error)}; expected a list of {account_id, action, cluster_id?, watch?}`,
      );
    }
    return new StaticDecisionSource(parsed.data);
  }

  lookup(accountId: string): Promise<StaticDecision | null> {
    return Promise.resolve(this.byAccount.get(accountId) ?? null);
  }

  snapshot(): StaticDecision[] {
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

  async lookup(accountId: string): Promise<Decision | null> {
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
    return serverAnswer(Decision, text, `decision lookup for ${accountId}`);
  }

  snapshot(): StaticDecision[] {
    return [];
  }

  /** `GET /v1/decisions` page by page: the accounts with a decision other than the default. */
  async *list(): AsyncGenerator<Decision[]> {
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
      const page = serverAnswer(DecisionPage, text, 'decision list');
      yield page.items;
      cursor = page.next;
      if (!cursor) return;
    }
    throw new Error('decision list: too many pages');
  }
}
