// Dev-only stand-in for the server's API so the UI can be worked on before the server lands.
// Registered with `apply: 'serve'`: it never exists in `vite build` output.
import type { Plugin } from 'vite';

type Level = 'none' | 'monitor' | 'review' | 'act';

function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function levelOf(score: number): Level {
  return score >= 0.85 ? 'act' : score >= 0.6 ? 'review' : score >= 0.35 ? 'monitor' : 'none';
}

function buildData() {
  const rnd = prng(7);
  const start = Date.parse('2026-11-20T00:00:00Z');
  const kinds = ['payment_fingerprint', 'signup_ip_prefix', 'user_agent', 'template', 'system_prompt', 'asn'];
  const clusters = Array.from({ length: 9 }, (_, c) => {
    const size = 6 + Math.floor(rnd() * 40);
    const score = Math.max(0.2, 0.98 - c * 0.09 - rnd() * 0.05);
    const ids = Array.from({ length: size }, (_, i) => `acct_c${c}_${String(i).padStart(3, '0')}`);
    return {
      cluster_id: `cl_${c + 1}`,
      account_ids: ids,
      score,
      level: levelOf(score),
      events: 0,
      links: kinds.slice(0, 2 + (c % 4)).map((kind, k) => ({
        kind,
        value: `${kind.slice(0, 3)}:${(c * 977 + k * 131).toString(16)}`,
        accounts: Math.max(2, size - k * 3),
      })),
      signals: [
        {
          detector: 'templating',
          score: Math.min(1, score + 0.02),
          evidence: `${Math.round(score * 100)}% of prompts across ${size} accounts fill one template`,
          atlas: 'AML.T0024.002',
          examples: ids.slice(0, 3).map((a) => `${a}_ev1`),
        },
        {
          detector: 'reasoning-elicitation',
          score: score * 0.9,
          evidence: `${Math.round(score * 400)} of 420 sampled prompts ask for step-by-step reasoning`,
          atlas: 'AML.T0024.002',
        },
      ],
    };
  });
  const accounts = clusters.flatMap((c) =>
    c.account_ids.map((id) => {
      const score = Math.max(0, Math.min(1, c.score - 0.3 + rnd() * 0.35));
      const events = 20 + Math.floor(rnd() * 300);
      c.events += events;
      return {
        account_id: id,
        score,
        level: levelOf(score),
        cluster_id: c.cluster_id,
        events,
        signals: [
          {
            detector: 'timing',
            score: score * 0.8,
            evidence: `inter-request gaps have coefficient of variation 0.0${Math.floor(rnd() * 9)}`,
            examples: [`${id}_ev1`, `${id}_ev2`],
          },
        ],
      };
    }),
  );
  for (let i = 0; i < 400; i++) {
    accounts.push({
      account_id: `acct_b${String(i).padStart(4, '0')}`,
      score: rnd() * 0.3,
      level: 'none',
      cluster_id: null as unknown as string,
      events: 1 + Math.floor(rnd() * 80),
      signals: [],
    });
  }
  const timeline = Array.from({ length: 72 }, (_, h) => {
    const events = Math.floor(400 + 300 * Math.sin((h / 24) * 2 * Math.PI) + rnd() * 120);
    return {
      t: new Date(start + h * 3_600_000).toISOString(),
      events,
      flagged: Math.floor(events * (0.1 + rnd() * 0.1)),
    };
  });
  return { clusters, accounts, timeline, start };
}

const data = buildData();
const cases: Record<string, unknown>[] = [];
const decisions = new Map<string, Record<string, unknown>>();

function count(levels: Level[]) {
  const out: Record<Level, number> = { none: 0, monitor: 0, review: 0, act: 0 };
  for (const l of levels) out[l] += 1;
  return out;
}

function page<T>(items: T[], url: URL) {
  const limit = Number(url.searchParams.get('limit') ?? 50);
  const from = Number(url.searchParams.get('cursor') ?? 0);
  const next = from + limit < items.length ? String(from + limit) : null;
  return { items: items.slice(from, from + limit), next };
}

type MockCluster = (typeof data.clusters)[number];

function clusterDetail(c: MockCluster) {
  const members = data.accounts.filter((a) => a.cluster_id === c.cluster_id);
  const edges = members.flatMap((a, i) =>
    members.slice(i + 1, i + 4).map((b, k) => ({
      source: a.account_id,
      target: b.account_id,
      kind: c.links[k % c.links.length]!.kind,
      weight: 0.3 + ((i * 7 + k) % 10) / 10,
    })),
  );
  return {
    cluster: c,
    graph: {
      nodes: members.map((a) => ({ id: a.account_id, level: a.level, score: a.score, events: a.events })),
      edges,
    },
    timeline: data.timeline.map((b) => ({
      t: b.t,
      events: Math.floor(b.flagged / (1 + Number(c.cluster_id.slice(3)))),
    })),
  };
}

type MockAccount = (typeof data.accounts)[number];

function accountDetail(a: MockAccount) {
  return {
    account: a,
    record: {
      account_id: a.account_id,
      created_at: '2026-11-18T09:00:00Z',
      tier: 'free',
      email_domain: 'mail.example',
      payment_fingerprint: 'pf_9a8b7c',
      signup_ip: '203.0.113.7',
      verified: false,
    },
    samples: [1, 2, 3].map((n) => ({
      id: `${a.account_id}_ev${n}`,
      ts: new Date(data.start + n * 3_600_000).toISOString(),
      model: 'frontier-1',
      prompt: `Solve the following problem. Think step by step and show every intermediate step of your reasoning.\n\nProblem ${n}: a train leaves at ${n} pm…`,
      params: { temperature: 0.7, max_tokens: 4096, logprobs: true },
    })),
  };
}

/** The routes that write: cases, their comments, and manual decisions. */
function caseOrDecisionRoute(
  method: string,
  p: string,
  url: URL,
  body: Record<string, unknown>,
  now: string,
): [number, unknown] | undefined {
  let m: RegExpMatchArray | null;
  if (p === '/v1/cases' && method === 'GET') return [200, { items: cases, next: null }];
  if (p === '/v1/cases' && method === 'POST') {
    const c = {
      id: `case_${cases.length + 1}`,
      ...body,
      status: 'open',
      assignee: null,
      created_at: now,
      updated_at: now,
      comments: [],
    };
    cases.push(c);
    return [201, c];
  }
  if ((m = p.match(/^\/v1\/cases\/([^/]+)(\/comments)?$/))) {
    const c = cases.find((x) => x.id === m![1]);
    if (!c) return [404, { error: { code: 'NOT_FOUND', message: 'no such case' } }];
    if (method === 'PATCH') Object.assign(c, body, { updated_at: now });
    if (m[2] && method === 'POST')
      (c.comments as unknown[]).push({ author: 'analyst', body: body.body, created_at: now });
    return [200, c];
  }
  if (p === '/v1/decisions') return [200, page([...decisions.values()], url)];
  if ((m = p.match(/^\/v1\/decisions\/([^/]+)$/))) {
    const id = decodeURIComponent(m[1]!);
    if (method === 'PUT') {
      const d = {
        account_id: id,
        action: body.action,
        reason: body.reason,
        source: 'manual',
        expires_at: null,
        updated_at: now,
      };
      decisions.set(id, d);
      return [200, d];
    }
    const d = decisions.get(id);
    return d ? [200, d] : [404, { error: { code: 'NOT_FOUND', message: 'no decision' } }];
  }
  return undefined;
}

function route(method: string, url: URL, body: Record<string, unknown>): [number, unknown] {
  const p = url.pathname;
  const now = new Date().toISOString();
  const level = url.searchParams.get('level');
  let m: RegExpMatchArray | null;
  if (p === '/v1/overview')
    return [
      200,
      {
        events: data.timeline.reduce((s, b) => s + b.events, 0),
        accounts: data.accounts.length,
        from: data.timeline[0]?.t,
        to: data.timeline.at(-1)?.t,
        levels: count(data.accounts.map((a) => a.level)),
        clusters: { total: data.clusters.length, byLevel: count(data.clusters.map((c) => c.level)) },
        timeline: data.timeline,
      },
    ];
  if (p === '/v1/clusters') {
    const items = data.clusters
      .filter((c) => !level || c.level === level)
      .map(({ account_ids, ...c }) => ({ ...c, size: account_ids.length }));
    return [200, page(items, url)];
  }
  if ((m = p.match(/^\/v1\/clusters\/([^/]+)$/))) {
    const c = data.clusters.find((x) => x.cluster_id === decodeURIComponent(m![1]!));
    if (!c) return [404, { error: { code: 'NOT_FOUND', message: 'no such cluster' } }];
    return [200, clusterDetail(c)];
  }
  if (p === '/v1/accounts') {
    const q = url.searchParams.get('q');
    const cl = url.searchParams.get('cluster_id');
    const items = data.accounts
      .filter(
        (a) =>
          (!level || a.level === level) && (!q || a.account_id.includes(q)) && (!cl || a.cluster_id === cl),
      )
      .sort((a, b) => b.score - a.score);
    return [200, page(items, url)];
  }
  if ((m = p.match(/^\/v1\/accounts\/([^/]+)$/))) {
    const a = data.accounts.find((x) => x.account_id === decodeURIComponent(m![1]!));
    if (!a) return [404, { error: { code: 'NOT_FOUND', message: 'no such account' } }];
    return [200, accountDetail(a)];
  }
  const written = caseOrDecisionRoute(method, p, url, body, now);
  if (written) return written;
  if (p === '/v1/policy')
    return [
      200,
      {
        yaml: 'levels:\n  act: throttle\n  review: monitor\n',
        policy: { levels: { act: 'throttle', review: 'monitor' } },
      },
    ];
  if (p === '/v1/audit')
    return [
      200,
      {
        items: [
          {
            id: 1,
            at: now,
            actor: 'dev',
            action: 'mock.start',
            subject_type: 'server',
            subject_id: 'dev',
            details: {},
          },
        ],
        next: null,
      },
    ];
  return [404, { error: { code: 'NOT_FOUND', message: `mock has no ${method} ${p}` } }];
}

export function devMockApi(): Plugin {
  return {
    name: 'distillguard-dev-mock-api',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if (!req.url?.startsWith('/v1/')) return next();
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
          const [status, out] = route(req.method ?? 'GET', new URL(req.url ?? '/', 'http://dev'), body);
          res.statusCode = status;
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify(out));
        });
      });
    },
  };
}
