import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountRecord, ApiEvent, Truth } from '../src/contracts/index.js';
import {
  COUNTRIES,
  ELICITATION_PREFIXES,
  ELICITATION_SUFFIXES,
  simulate,
  simulationStream,
  type SimulationSummary,
} from '../src/sim/index.js';

const shared = resolve(process.cwd(), '../shared');
const haveShared = existsSync(join(shared, 'spec/api-event.schema.json'));
if (!haveShared && process.env.CI)
  throw new Error(`../shared is required when CI is set (looked in ${shared})`);
if (!haveShared) console.log(`skipping JSON Schema checks: ${shared}/spec/api-event.schema.json is absent`);

function eventValidator(): (e: unknown) => boolean {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(ajv);
  const schema = JSON.parse(readFileSync(join(shared, 'spec/api-event.schema.json'), 'utf8')) as object;
  const validate = ajv.compile(schema);
  return (e: unknown) => {
    const ok = validate(e);
    if (!ok) console.error(JSON.stringify(validate.errors).slice(0, 1000));
    return ok;
  };
}

const dir = mkdtempSync(join(tmpdir(), 'sim-small-'));
let summary: SimulationSummary;
let events: ApiEvent[];
let truth: Truth;
let accounts: AccountRecord[];

beforeAll(async () => {
  summary = await simulate({ scale: 'small', seed: 7, out: dir });
  events = readFileSync(summary.files.traffic, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as ApiEvent);
  truth = Truth.parse(JSON.parse(readFileSync(summary.files.truth, 'utf8')));
  accounts = readFileSync(summary.files.accounts, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => AccountRecord.parse(JSON.parse(l)));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('simulate --scale small', () => {
  it('writes about 2,000 accounts and 100,000 events', () => {
    expect(summary.accounts).toBeGreaterThan(1_800);
    expect(summary.accounts).toBeLessThan(2_200);
    expect(summary.events).toBe(events.length);
    expect(events.length).toBeGreaterThan(80_000);
    expect(events.length).toBeLessThan(130_000);
  });

  it.skipIf(!haveShared)('every event validates against the shared JSON Schema (ajv oracle)', () => {
    const valid = eventValidator();
    const bad = events.filter((e) => !valid(e));
    expect(bad.length).toBe(0);
  });

  it('every event and account record satisfies the zod schemas', () => {
    for (const e of events) expect(ApiEvent.safeParse(e).success).toBe(true);
    expect(accounts.length).toBe(summary.accounts);
  });

  it('is globally time-ordered, with unique ids, inside the window', () => {
    const from = Date.parse(summary.period.from);
    const to = Date.parse(summary.period.to);
    const ids = new Set<string>();
    let prev = 0;
    for (const e of events) {
      const t = Date.parse(e.ts);
      expect(t).toBeGreaterThanOrEqual(prev);
      expect(t).toBeGreaterThanOrEqual(from);
      expect(t).toBeLessThan(to);
      prev = t;
      ids.add(e.id);
    }
    expect(ids.size).toBe(events.length);
  });

  it('truth covers every account in the traffic and the accounts file, and labels agree with it', () => {
    const fileIds = new Set(accounts.map((a) => a.account_id));
    expect(new Set(Object.keys(truth.accounts))).toEqual(fileIds);
    for (const e of events) {
      const t = truth.accounts[e.account_id];
      expect(t, e.account_id).toBeDefined();
      expect(e.labels?.role).toBe(t?.role);
      expect(e.labels?.campaign ?? null).toBe(t?.campaign);
    }
  });

  it('names every trap and attacker campaign, with clusters listing attacker accounts only', () => {
    const campaigns = new Set(Object.values(truth.accounts).map((t) => t.campaign));
    for (const trap of ['support-bot', 'eval-harness', 'batch-labelling', 'university-nat', 'cloud-asn']) {
      expect(campaigns.has(`trap:${trap}`), trap).toBe(true);
    }
    expect(Object.keys(truth.clusters).sort()).toEqual([
      'hydra',
      'logprob-harvest',
      'low-rate-coordinated',
      'mixed-account',
      'noisy-sweep',
      'pooled-client',
      'slow-and-low',
    ]);
    for (const [campaign, ids] of Object.entries(truth.clusters)) {
      for (const id of ids) expect(truth.accounts[id]).toMatchObject({ role: 'attacker', campaign });
    }
    // Sizes are drawn per seed (hydra 0.7-1.3 times the scale's 150) and recorded in truth.json.
    expect(truth.clusters.hydra).toHaveLength(truth.parameters!.hydra!.accounts as number);
    expect(truth.clusters.hydra!.length).toBeGreaterThanOrEqual(105);
    expect(truth.clusters.hydra!.length).toBeLessThanOrEqual(195);
    for (const campaign of Object.keys(truth.clusters))
      expect(Object.keys(truth.parameters![campaign] ?? {}).length, campaign).toBeGreaterThan(0);
    for (const t of Object.values(truth.accounts)) {
      if (t.role === 'benign' && t.campaign === null) expect(t.actor).toBeNull();
    }
  });

  it('keeps each hydra account under 60 requests a day', () => {
    const perDay = new Map<string, number>();
    for (const e of events) {
      if (e.labels?.campaign !== 'hydra') continue;
      const key = `${e.account_id} ${e.ts.slice(0, 10)}`;
      perDay.set(key, (perDay.get(key) ?? 0) + 1);
    }
    expect(perDay.size).toBeGreaterThan(300);
    expect(Math.max(...perDay.values())).toBeLessThan(60);
  });

  it('gives the hydra shared infrastructure only partly: a few cards, a few proxy /24s, a shared system prompt', () => {
    const hydra = new Set(truth.clusters.hydra);
    const members = accounts.filter((a) => hydra.has(a.account_id));
    const cards = new Map<string, number>();
    for (const a of members)
      if (a.payment_fingerprint)
        cards.set(a.payment_fingerprint, (cards.get(a.payment_fingerprint) ?? 0) + 1);
    const shared = [...cards.values()].filter((n) => n > 1).length;
    // Whether the operator shares cards at all is drawn per seed (operatorCardShare 0 when not).
    if (truth.parameters!.hydra!.operatorCardShare) {
      expect(shared).toBeGreaterThanOrEqual(5);
      expect(shared).toBeLessThanOrEqual(8);
    } else expect(shared).toBe(0);
    expect([...cards.values()].filter((n) => n === 1).length).toBeGreaterThan(0);
    expect(members.filter((a) => !a.payment_fingerprint).length).toBeGreaterThan(20);
    const prefixes = new Set<string>();
    const systems = new Map<string, number>();
    let hydraEvents = 0;
    for (const e of events) {
      if (!hydra.has(e.account_id)) continue;
      hydraEvents++;
      prefixes.add((e.client?.ip ?? '').split('.').slice(0, 3).join('.'));
      const sys = e.request.messages.find((m) => m.role === 'system');
      if (typeof sys?.content === 'string') systems.set(sys.content, (systems.get(sys.content) ?? 0) + 1);
    }
    expect(prefixes.size).toBeLessThanOrEqual(12);
    expect(systems.size).toBeLessThanOrEqual(3);
    // The share of requests under the operator's system prompt is drawn per seed.
    const systemShare = truth.parameters!.hydra!.systemPromptShare as number;
    const withSystem = [...systems.values()].reduce((a, b) => a + b, 0) / hydraEvents;
    expect(Math.abs(withSystem - systemShare)).toBeLessThan(0.1);
  });

  it('moves attackers to the new model within hours while most ordinary customers stay', () => {
    const release = Date.parse(summary.period.release);
    const newModel = (campaign: string | null): number => {
      const after = events.filter(
        (e) =>
          (e.labels?.campaign ?? null) === campaign &&
          Date.parse(e.ts) > release + 12 * 3_600_000 &&
          e.model !== 'helix-3-mini',
      );
      return after.filter((e) => e.model === 'helix-3.5').length / Math.max(1, after.length);
    };
    expect(newModel('hydra')).toBeGreaterThan(0.95);
    expect(newModel(null)).toBeLessThan(0.6);
    expect(newModel(null)).toBeGreaterThan(0.02);
  });

  it('has benign users who ask for step-by-step explanations, use logprobs, fixed system prompts and clouds', () => {
    const benign = events.filter((e) => e.labels?.role === 'benign');
    const text = (e: ApiEvent): string =>
      e.request.messages.map((m) => (typeof m.content === 'string' ? m.content : '')).join('\n');
    expect(benign.filter((e) => /step by step|step-by-step/i.test(text(e))).length).toBeGreaterThan(200);
    expect(
      new Set(benign.filter((e) => e.request.params?.logprobs).map((e) => e.account_id)).size,
    ).toBeGreaterThan(20);
    expect(
      new Set(benign.filter((e) => e.request.messages[0]?.role === 'system').map((e) => e.account_id)).size,
    ).toBeGreaterThan(100);
    expect(
      new Set(
        benign
          .filter((e) => [16509, 8075, 15169, 396982].includes(e.client?.asn ?? 0))
          .map((e) => e.account_id),
      ).size,
    ).toBeGreaterThan(100);
    expect(
      new Set(benign.filter((e) => (e.request.params?.tools ?? 0) > 0).map((e) => e.account_id)).size,
    ).toBeGreaterThan(10);
  });

  it('leaves no attacker-only tells: clients, models, endpoints, parameters and id formats all occur in benign traffic', () => {
    const family = (ua: string | undefined): string => (ua ?? '').split(/[/ ]/)[0] ?? '';
    const seen = (role: 'benign' | 'attacker') => {
      const s = {
        family: new Set<string>(),
        model: new Set<string>(),
        endpoint: new Set<string>(),
        param: new Set<string>(),
      };
      for (const e of events) {
        if (e.labels?.role !== role) continue;
        s.family.add(family(e.client?.user_agent));
        s.model.add(e.model);
        s.endpoint.add(e.endpoint ?? '');
        for (const k of Object.keys(e.request.params ?? {})) s.param.add(k);
      }
      return s;
    };
    const benign = seen('benign');
    const bad = seen('attacker');
    for (const k of ['family', 'model', 'endpoint', 'param'] as const) {
      expect(
        [...bad[k]].filter((v) => !benign[k].has(v)),
        k,
      ).toEqual([]);
    }
    for (const e of events) {
      expect(e.id).toMatch(/^req_[0-9a-f]{24}$/);
      expect(e.account_id).toMatch(/^acct_[0-9a-z]{16}$/);
      if (e.request.params) expect(Object.keys(e.request.params).length).toBeGreaterThan(0);
    }
  });

  it('makes logprob harvesters ask for top_logprobs 20 with several samples', () => {
    const harvest = events.filter((e) => e.labels?.campaign === 'logprob-harvest');
    expect(harvest.length).toBeGreaterThan(200);
    for (const e of harvest) {
      expect(e.request.params).toMatchObject({ logprobs: true, top_logprobs: 20 });
      expect(e.request.params?.n ?? 1).toBeGreaterThan(1);
    }
  });

  it('blends the drawn 10-30 % extraction into the mixed accounts', () => {
    const mixed = events.filter((e) => e.labels?.campaign === 'mixed-account');
    const drawn = truth.parameters!['mixed-account']!;
    const shares = String(drawn.extractionShares).split(',').map(Number);
    for (const x of shares) {
      expect(x).toBeGreaterThanOrEqual(0.1);
      expect(x).toBeLessThanOrEqual(0.3);
    }
    const wrapped = (shares.reduce((a, b) => a + b, 0) / shares.length) * (drawn.elicitationShare as number);
    const phrases = [...ELICITATION_PREFIXES, ...ELICITATION_SUFFIXES];
    const elicited = mixed.filter((e) => {
      const text = e.request.messages.map((m) => (typeof m.content === 'string' ? m.content : '')).join('\n');
      return phrases.some((p) => text.includes(p));
    });
    expect(mixed.length).toBeGreaterThan(300);
    // The drawn share of the traffic is extraction, the drawn share of which carries a wrapper
    // phrase (volumes are Poisson and lognormal, so within a factor).
    expect(elicited.length / mixed.length).toBeGreaterThan(0.6 * wrapped);
    expect(elicited.length / mixed.length).toBeLessThan(1.6 * wrapped);
  });

  it("runs the low-rate coordinated accounts at a person's pace, task prompts only, tied by weak attributes", () => {
    const ids = new Set(truth.clusters['low-rate-coordinated']);
    const drawn = truth.parameters!['low-rate-coordinated']!;
    expect(ids.size).toBe(drawn.accounts);
    expect(ids.size).toBeGreaterThanOrEqual(20);
    expect(ids.size).toBeLessThanOrEqual(60);
    const mine = events.filter((e) => ids.has(e.account_id));
    const perDay = new Map<string, number>();
    for (const e of mine) {
      const key = `${e.account_id} ${e.ts.slice(0, 10)}`;
      perDay.set(key, (perDay.get(key) ?? 0) + 1);
      // One-shot task prompts: one user message, no conversation.
      expect(e.request.messages.filter((m) => m.role === 'user')).toHaveLength(1);
    }
    const days = [...perDay.values()].sort((a, b) => a - b);
    expect(days[Math.floor(days.length / 2)]!).toBeLessThanOrEqual(9);
    expect(days[days.length - 1]!).toBeLessThan(30);
    const sdk = mine.filter((e) => e.client?.user_agent === drawn.sdkUserAgent).length;
    if ((drawn.sdkShare as number) > 0) expect(sdk / mine.length).toBeGreaterThan(0.3);
  });

  it('follows a daily rhythm in local time and quieter weekends for office work', () => {
    const tz = new Map(COUNTRIES.map((c) => [c.code, c.tz]));
    let night = 0;
    let day = 0;
    for (const e of events) {
      if (e.labels?.role !== 'benign' || e.labels.campaign) continue;
      const offset = tz.get(e.client?.country ?? '');
      if (offset === undefined || [16509, 14618, 15169, 396982, 8075].includes(e.client?.asn ?? 0)) continue;
      const hour = (((new Date(e.ts).getUTCHours() + Math.floor(offset)) % 24) + 24) % 24;
      if (hour >= 2 && hour < 6) night++;
      if (hour >= 14 && hour < 18) day++;
    }
    // Same width of window: afternoons are several times busier than the small hours.
    expect(day / night).toBeGreaterThan(3);
  });

  it('spreads benign activity Zipf-like: a few heavy accounts, a long tail of light ones', () => {
    const counts = new Map<string, number>();
    for (const e of events)
      if (e.labels?.role === 'benign' && !e.labels.campaign)
        counts.set(e.account_id, (counts.get(e.account_id) ?? 0) + 1);
    const sorted = [...counts.values()].sort((a, b) => b - a);
    const total = sorted.reduce((a, b) => a + b, 0);
    const top1pc = sorted.slice(0, Math.ceil(sorted.length / 100)).reduce((a, b) => a + b, 0);
    expect(top1pc / total).toBeGreaterThan(0.08);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThan(40);
  });
});

describe('determinism and options', () => {
  const base = mkdtempSync(join(tmpdir(), 'sim-det-'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));
  const digest = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

  it('writes identical bytes for the same seed and different bytes for another seed', async () => {
    const a = await simulate({ scale: 'small', seed: 3, days: 2, out: join(base, 'a') });
    const b = await simulate({ scale: 'small', seed: 3, days: 2, out: join(base, 'b') });
    const c = await simulate({ scale: 'small', seed: 4, days: 2, out: join(base, 'c') });
    for (const f of ['traffic.ndjson', 'accounts.ndjson', 'truth.json']) {
      expect(digest(join(base, 'a', f))).toBe(digest(join(base, 'b', f)));
      expect(digest(join(base, 'a', f))).not.toBe(digest(join(base, 'c', f)));
    }
    expect(a.events).toBe(b.events);
    expect(c.period.to).not.toBe(a.period.to);
  });

  it('writes the same traffic gzipped with --gzip', async () => {
    const g = await simulate({ scale: 'small', seed: 3, days: 2, out: join(base, 'g'), gzip: true });
    expect(g.files.traffic.endsWith('traffic.ndjson.gz')).toBe(true);
    expect(
      gunzipSync(readFileSync(g.files.traffic)).equals(readFileSync(join(base, 'a', 'traffic.ndjson'))),
    ).toBe(true);
  });

  it('lets two organisations share one actor: same proxies, cards and prompts, different account ids', () => {
    const hydraOf = (seed: number, prefix: string) => {
      const sim = simulationStream({ scale: 'small', seed, actorSeed: 99, accountPrefix: prefix, days: 2 });
      const ids = new Set(sim.truth.clusters.hydra);
      const cards = new Set(
        sim.accounts.filter((a) => ids.has(a.record.account_id)).map((a) => a.record.payment_fingerprint),
      );
      const prefixes = new Set<string>();
      const systems = new Set<string>();
      for (const e of sim.events()) {
        if (!ids.has(e.account_id)) continue;
        prefixes.add((e.client?.ip ?? '').split('.').slice(0, 3).join('.'));
        const s = e.request.messages.find((m) => m.role === 'system');
        if (typeof s?.content === 'string') systems.add(s.content);
      }
      const cardShare = sim.truth.parameters!.hydra!.operatorCardShare as number;
      return { ids, cards, cardShare, prefixes, systems, all: new Set(Object.keys(sim.truth.accounts)) };
    };
    const a = hydraOf(1, 'orgA_');
    const b = hydraOf(2, 'orgB_');
    expect([...a.all].filter((id) => b.all.has(id))).toEqual([]);
    expect([...b.ids].every((id) => id.startsWith('orgB_'))).toBe(true);
    expect(b.prefixes).toEqual(a.prefixes);
    expect(b.systems).toEqual(a.systems);
    // Whether the operator pays with its shared cards at a provider is drawn per provider.
    const common = [...a.cards].filter((c) => c && b.cards.has(c)).length;
    if (a.cardShare && b.cardShare) expect(common).toBeGreaterThanOrEqual(5);
    else expect(common).toBe(0);
  });

  it('refuses bad options with a user error', () => {
    expect(() => simulationStream({ scale: 'huge' as 'small', seed: 1 })).toThrow(/unknown scale/);
    expect(() => simulationStream({ scale: 'small', seed: -1 })).toThrow(/seed/);
    expect(() => simulationStream({ scale: 'small', seed: 1, corpus: ['/nonexistent.jsonl'] })).toThrow(
      /^corpus file \/nonexistent\.jsonl does not exist; pass a JSONL file/,
    );
  });
});
