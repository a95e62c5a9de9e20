import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  AccountDetail,
  AccountFinding,
  ClusterDetail,
  ClusterSummary,
  Findings,
  Level,
  levelRank,
  Overview,
  SignalItem,
  UserError,
  page,
  type ApiEvent,
  type ClusterFinding,
  type Page,
  type TimelineBucket,
} from '../../contracts/index.js';
import { findingsToOcsf, ocsfNdjson } from '../../intel/index.js';
import { getAccountRecord, getAccountRecords, hourlyEventCounts, recentEventsOf } from '../../store/index.js';
import { clusterGraph } from '../cluster-graph.js';
import type { ServiceContext } from '../context.js';
import { Limit, pageByOffset, pageByScore } from '../pagination.js';
import { parseQuery, requestSchema, responseSchema } from '../validation.js';

const ClustersQuery = z.strictObject({
  level: Level.optional(),
  /** At this level or above (`monitor`: the clusters that matter, without linked groups at none). */
  min_level: Level.optional(),
  min_score: z.coerce.number().min(0).max(1).optional(),
  limit: Limit,
  cursor: z.string().max(500).optional(),
});
const AccountsQuery = z.strictObject({
  level: Level.optional(),
  cluster_id: z.string().max(200).optional(),
  q: z.string().max(200).optional(),
  limit: Limit,
  cursor: z.string().max(500).optional(),
});
const SignalsQuery = z.strictObject({
  detector: z.string().max(200).optional(),
  account_id: z.string().max(200).optional(),
  cluster_id: z.string().max(200).optional(),
  limit: Limit,
  cursor: z.string().max(500).optional(),
});
const OcsfQuery = z.strictObject({
  min_level: z.enum(['review', 'act']).default('review'),
  /** Clusters first, then accounts, strongest first: the first `limit` are the ones to read. */
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});
const IdParam = z.strictObject({ id: z.string().min(1).max(200) });

const SAMPLE_COUNT = 20;
const PROMPT_CHARS = 2000;
const OVERVIEW_TTL_MS = 3000;

const summary = (c: ClusterFinding): ClusterSummary => {
  const { account_ids, ...rest } = c;
  return { ...rest, size: account_ids.length };
};

function lastUserText(e: ApiEvent): string {
  const msgs = e.request.messages;
  const m = [...msgs].reverse().find((x) => x.role === 'user') ?? msgs[msgs.length - 1];
  if (!m) return '';
  const text = typeof m.content === 'string' ? m.content : m.content.map((p) => p.text ?? '').join('');
  return text.length > PROMPT_CHARS ? `${text.slice(0, PROMPT_CHARS)}…` : text;
}

const timeline = (counts: Map<number, number>, flagged?: Map<number, number>): TimelineBucket[] =>
  [...counts.keys()]
    .sort((a, b) => a - b)
    .map((t) => ({
      t: new Date(t).toISOString(),
      events: counts.get(t) ?? 0,
      ...(flagged ? { flagged: flagged.get(t) ?? 0 } : {}),
    }));

const READ = { config: { roles: ['analyst'] as const } };

/** A JSON read route's options, documented under `findings`: its answer and, for lists, its query. */
const readRoute = (summary: string, response: z.ZodType, querystring?: z.ZodType) => ({
  ...READ,
  schema: {
    tags: ['findings'],
    summary,
    ...(querystring ? { querystring: requestSchema(querystring) } : {}),
    response: { 200: responseSchema(response) },
  },
});

interface OverviewCache {
  key: string;
  at: number;
  value: Overview | null;
}

/** Read side: overview, clusters, accounts, signals, findings — from the in-memory findings view. */
export function findingsRoutes(ctx: ServiceContext) {
  const overviewCache: OverviewCache = { key: '', at: 0, value: null };
  return (app: FastifyInstance, _opts: unknown, done: (err?: Error) => void): void => {
    overviewRoutes(app, ctx, overviewCache);
    clusterRoutes(app, ctx);
    accountRoutes(app, ctx);
    signalAndFindingsRoutes(app, ctx);
    done();
  };
}

/** GET /v1/overview. */
function overviewRoutes(app: FastifyInstance, ctx: ServiceContext, overviewCache: OverviewCache): void {
  app.get(
    '/v1/overview',
    readRoute('Counts, levels and hourly timeline', Overview),
    async (): Promise<Overview> => {
      const view = ctx.live.view;
      const key = `${ctx.live.version}:${ctx.live.stats.events}`;
      if (overviewCache.value && overviewCache.key === key && Date.now() - overviewCache.at < OVERVIEW_TTL_MS)
        return overviewCache.value;
      const total = await hourlyEventCounts(ctx.db);
      const flaggedIds = view.flaggedAccountIds();
      const flagged = flaggedIds.length
        ? await hourlyEventCounts(ctx.db, flaggedIds)
        : new Map<number, number>();
      const value: Overview = {
        events: ctx.live.stats.events,
        accounts: Math.max(view.findings.input.accounts, view.accounts.length),
        from: ctx.live.stats.from,
        to: ctx.live.stats.to,
        levels: view.levelCounts(),
        clusters: { total: view.clusters.length, byLevel: view.clusterLevelCounts() },
        generated_at: view.findings.generated_at,
        timeline: timeline(total, flagged),
      };
      Object.assign(overviewCache, { key, at: Date.now(), value });
      return value;
    },
  );
}

/** GET /v1/clusters and /v1/clusters/:id. */
function clusterRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get(
    '/v1/clusters',
    readRoute('Clusters of linked accounts, strongest evidence first', page(ClusterSummary), ClustersQuery),
    (req): Page<ClusterSummary> => {
      const q = parseQuery(ClustersQuery, req.query);
      const list = ctx.live.view.clusters.filter(
        (c) =>
          (!q.level || c.level === q.level) &&
          (!q.min_level || levelRank(c.level) >= levelRank(q.min_level)) &&
          (q.min_score === undefined || c.score >= q.min_score),
      );
      const page = pageByScore(list, (c) => [c.strength ?? c.score, c.cluster_id], q.limit, q.cursor);
      return { items: page.items.map(summary), next: page.next, total: page.total };
    },
  );

  app.get(
    '/v1/clusters/:id',
    readRoute('One cluster with its linkage graph and timeline', ClusterDetail),
    async (req): Promise<ClusterDetail> => {
      const { id } = parseQuery(IdParam, req.params);
      const view = ctx.live.view;
      const cluster = view.cluster(id);
      if (!cluster)
        throw new UserError(
          'NOT_FOUND',
          `No cluster ${id} in the current findings; list them with GET /v1/clusters.`,
        );
      const records = await getAccountRecords(ctx.db, cluster.account_ids);
      const graph = clusterGraph(
        cluster,
        (a) => view.account(a),
        (a) => records.get(a),
        view.edgesOf(id),
      );
      const counts = await hourlyEventCounts(ctx.db, cluster.account_ids);
      return { cluster, graph, timeline: timeline(counts) };
    },
  );
}

/** GET /v1/accounts and /v1/accounts/:id. */
function accountRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get(
    '/v1/accounts',
    readRoute('Account findings, strongest evidence first', page(AccountFinding), AccountsQuery),
    (req): Page<AccountFinding> => {
      const q = parseQuery(AccountsQuery, req.query);
      const view = ctx.live.view;
      const needle = q.q?.toLowerCase();
      const list = view.accounts.filter(
        (a) =>
          (!q.level || a.level === q.level) &&
          (!q.cluster_id || view.clusterOf(a.account_id) === q.cluster_id) &&
          (!needle || a.account_id.toLowerCase().includes(needle)),
      );
      return pageByScore(list, (a) => [a.strength ?? a.score, a.account_id], q.limit, q.cursor);
    },
  );

  app.get(
    '/v1/accounts/:id',
    readRoute('One account: finding, record and recent sample events', AccountDetail),
    async (req): Promise<AccountDetail> => {
      const { id } = parseQuery(IdParam, req.params);
      const finding = ctx.live.view.account(id);
      const [record, events] = await Promise.all([
        getAccountRecord(ctx.db, id),
        recentEventsOf(ctx.db, id, SAMPLE_COUNT),
      ]);
      if (!finding && !record && events.length === 0)
        throw new UserError('NOT_FOUND', `No account ${id}: no finding, record or event names it.`);
      return {
        account: finding ?? {
          account_id: id,
          score: 0,
          level: 'none',
          cluster_id: ctx.live.view.clusterOf(id),
          events: events.length,
          signals: [],
        },
        record,
        samples: events.map((e) => ({
          id: e.id,
          ts: e.ts,
          model: e.model,
          prompt: lastUserText(e),
          params: e.request.params ?? null,
        })),
      };
    },
  );
}

/** GET /v1/signals and /v1/findings. */
function signalAndFindingsRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get(
    '/v1/signals',
    readRoute('Signals with evidence, strongest first', page(SignalItem), SignalsQuery),
    (req): Page<SignalItem> => {
      const q = parseQuery(SignalsQuery, req.query);
      const list = ctx.live.view.signals.filter(
        (s) =>
          (!q.detector || s.detector === q.detector) &&
          (!q.account_id || (s.subject_type === 'account' && s.subject_id === q.account_id)) &&
          (!q.cluster_id || (s.subject_type === 'cluster' && s.subject_id === q.cluster_id)),
      );
      return pageByOffset(list, q.limit, q.cursor);
    },
  );

  app.get(
    '/v1/findings',
    readRoute('The whole findings.v1 document', Findings),
    (): Findings => ctx.live.view.findings,
  );

  // The same OCSF Detection Findings `findings export --format ocsf` writes, one per line, for a
  // SIEM, a syslog forwarder or a webhook relay to poll (docs/siem.md). Bounded by `limit`.
  app.get(
    '/v1/findings/ocsf.ndjson',
    {
      ...READ,
      schema: {
        tags: ['findings'],
        summary: 'OCSF 1.5 Detection Findings (class 2004) at review or above, as NDJSON',
        querystring: requestSchema(OcsfQuery),
        produces: ['application/x-ndjson'],
      },
    },
    (req, reply) => {
      const q = parseQuery(OcsfQuery, req.query);
      const records = findingsToOcsf(ctx.live.view.findings, {
        minLevel: q.min_level,
        actions: ctx.decisions.policy.policy,
      });
      const shown = records.slice(0, q.limit);
      return reply
        .type('application/x-ndjson; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('x-total-count', String(records.length))
        .send(ocsfNdjson(shown));
    },
  );
}
