import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoUpstream, startGateway } from '../src/gateway/index.js';
import { NdjsonFileSink } from '../src/pipeline/index.js';
import { readCanaryRegistry, renderProbeHtml, runProbe, type ProbeReport } from '../src/respond/index.js';
import { ApiEvent, type Message, type StaticDecision } from '../src/contracts/index.js';
import { simulationStream } from '../src/sim/index.js';

const SECRET = 'probe-test-gateway-secret';

interface Exchange {
  account: string;
  messages: Message[];
}

/**
 * Traffic from the simulator: the first 300 exchanges of its hydra cluster, 200 of a second
 * campaign (slow-and-low) and 100 of ordinary users, with the simulator's answers as the fake
 * upstream's answers.
 */
function simulatedTraffic() {
  const sim = simulationStream({ scale: 'small', seed: 11 });
  const hydra = new Set(sim.truth.clusters.hydra ?? []);
  const other = new Set(sim.truth.clusters['slow-and-low'] ?? []);
  const want = { hydra: 300, other: 200, benign: 100 };
  const got = { hydra: [] as Exchange[], other: [] as Exchange[], benign: [] as Exchange[] };
  const answers = new Map<string, string>();
  for (const e of sim.events()) {
    const group = hydra.has(e.account_id)
      ? 'hydra'
      : other.has(e.account_id)
        ? 'other'
        : sim.truth.accounts[e.account_id]?.campaign === null
          ? 'benign'
          : null;
    if (!group || got[group].length >= want[group]) continue;
    got[group].push({ account: e.account_id, messages: e.request.messages });
    const last = e.request.messages.at(-1)!;
    if (typeof last.content === 'string' && e.response?.text) answers.set(last.content, e.response.text);
    if (got.hydra.length + got.other.length + got.benign.length === 600) break;
  }
  return { hydra, other, traffic: got, answers };
}

/**
 * A fake "student": nearest-neighbour retrieval over (prompt, answer) pairs, i.e. a model that
 * memorised its distillation set. Prompts are compared as word sets (Jaccard).
 */
class RetrievalStudent {
  private readonly pairs: { words: Set<string>; answer: string }[];
  server: Server | null = null;

  constructor(pairs: { prompt: string; answer: string }[]) {
    this.pairs = pairs.map((p) => ({ words: words(p.prompt), answer: p.answer }));
  }

  answer(prompt: string): string {
    const q = words(prompt);
    let best = { score: -1, answer: "I don't know." };
    for (const p of this.pairs) {
      let inter = 0;
      for (const w of q) if (p.words.has(w)) inter++;
      const score = inter / (q.size + p.words.size - inter || 1);
      if (score > best.score) best = { score, answer: p.answer };
    }
    return best.answer;
  }

  async listen(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as { messages: { content: string }[] };
        const text = JSON.stringify({
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: this.answer(body.messages.at(-1)!.content) },
              finish_reason: 'stop',
            },
          ],
        });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(text);
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  close(): Promise<void> {
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/**
 * A fake n-gram "student": a greedy trigram model over the harvested answers. Asked a prompt, it
 * continues from the prompt's last two words (or the quoted stem a frame prompt gives it) until a
 * sentence ends. It never sees the prompts it was trained with, only the answers.
 */
class TrigramStudent extends RetrievalStudent {
  private readonly next = new Map<string, Map<string, number>>();

  constructor(answers: string[]) {
    super([]);
    for (const a of answers) {
      const t = a.split(/\s+/).filter(Boolean);
      for (let i = 0; i + 2 < t.length; i++) {
        const key = `${t[i]} ${t[i + 1]}`;
        const m = this.next.get(key) ?? new Map<string, number>();
        m.set(t[i + 2]!, (m.get(t[i + 2]!) ?? 0) + 1);
        this.next.set(key, m);
      }
    }
  }

  override answer(prompt: string): string {
    const stem = /"([^"]+?)\s*\.\.\."/.exec(prompt)?.[1] ?? prompt;
    const out = stem.split(/\s+/).filter(Boolean).slice(-2);
    for (let i = 0; i < 40 && out.length >= 2; i++) {
      const m = this.next.get(`${out.at(-2)} ${out.at(-1)}`);
      if (!m) break;
      const best = [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0];
      out.push(best);
      if (/[.!?]$/.test(best) && i > 4) break;
    }
    return out.join(' ');
  }
}

const summary = (r: ProbeReport): string =>
  `${r.model}: ${r.queries.asked} prompts; controls back ${r.controls.returned}/${r.controls.drawn}; ` +
  r.subjects
    .map((x) => `${x.subject} ${x.returned}/${x.served_canaries} p=${x.p_value.toExponential(2)}`)
    .join('; ');

const lastUser = (messages: Message[]): string => {
  const m = [...messages].reverse().find((x) => x.role === 'user');
  return typeof m?.content === 'string' ? m.content : '';
};

const words = (s: string): Set<string> => new Set(s.toLowerCase().match(/[a-z0-9]+/g) ?? []);

describe('probe attributes a distilled student to the cluster it harvested', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dg-probe-'));
  const registryPath = join(dir, 'canaries.ndjson');
  const eventsPath = join(dir, 'events.ndjson');
  let student: RetrievalStudent;
  let clean: RetrievalStudent;
  let trigram: TrigramStudent;
  let hydraPrompts: string[] = [];
  let HYDRA: Set<string>;

  beforeAll(async () => {
    const sim = simulatedTraffic();
    HYDRA = sim.hydra;
    expect(sim.traffic.hydra).toHaveLength(300);
    expect(sim.traffic.other).toHaveLength(200);
    const upstreamWithAnswers = new DemoUpstream({ answers: sim.answers });
    const upstreamUrl = await upstreamWithAnswers.listen();
    const decisions: StaticDecision[] = [
      ...[...sim.hydra].map((a) => ({
        account_id: a,
        action: 'monitor' as const,
        watch: true,
        cluster_id: 'cluster-hydra',
      })),
      ...[...sim.other].map((a) => ({
        account_id: a,
        action: 'watch' as const,
        cluster_id: 'cluster-other',
      })),
    ];
    const decisionsFile = join(dir, 'decisions.json');
    writeFileSync(decisionsFile, JSON.stringify({ decisions }));
    const gw = await startGateway({
      upstream: upstreamUrl,
      port: 0,
      decisionsFile,
      trustAccountHeader: true,
      sink: new NdjsonFileSink(eventsPath),
      spool: join(dir, 'spool.ndjson'),
      canarySecret: SECRET,
      canaryRegistry: registryPath,
      canaryRate: 0.5,
    });
    hydraPrompts = sim.traffic.hydra.map((x) => lastUser(x.messages));
    const traffic = [...sim.traffic.hydra, ...sim.traffic.other, ...sim.traffic.benign];
    for (let i = 0; i < traffic.length; i += 20) {
      await Promise.all(
        traffic.slice(i, i + 20).map(async ({ account, messages }) => {
          const res = await request(`${gw.url}/v1/chat/completions`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-account-id': account,
              authorization: `Bearer sk-${account}`,
            },
            body: JSON.stringify({ model: 'helix-3', messages }),
          });
          expect(res.statusCode).toBe(200);
          await res.body.text();
        }),
      );
    }
    await gw.close();
    await upstreamWithAnswers.close();

    // The attacker's distillation set is exactly what the hydra accounts received: the gateway log.
    const harvested = readFileSync(eventsPath, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => ApiEvent.parse(JSON.parse(l)))
      .filter((e) => HYDRA.has(e.account_id))
      .map((e) => ({ prompt: lastUser(e.request.messages), answer: e.response!.text! }));
    expect(harvested).toHaveLength(300);
    student = new RetrievalStudent(harvested);
    trigram = new TrigramStudent(harvested.map((h) => h.answer));
    // A clean model learned the same questions from the upstream directly: no canaries.
    clean = new RetrievalStudent(
      hydraPrompts.map((p) => ({ prompt: p, answer: upstreamWithAnswers.answerFor(p) })),
    );
  });

  afterAll(async () => {
    await student?.close();
    await clean?.close();
    await trigram?.close();
  });

  it('records every serving with its cluster, account, time and prompt', () => {
    const { servings, rejected } = readCanaryRegistry(registryPath);
    expect(rejected).toEqual([]);
    const bySubject = new Map<string, number>();
    for (const s of servings) bySubject.set(s.subject, (bySubject.get(s.subject) ?? 0) + 1);
    // Rate 0.5 over 300 and 200 watched exchanges; benign accounts are never watched.
    expect(bySubject.get('cluster-hydra')).toBeGreaterThan(110);
    expect(bySubject.get('cluster-hydra')).toBeLessThan(190);
    expect(bySubject.get('cluster-other')).toBeGreaterThan(70);
    expect([...bySubject.keys()].sort()).toEqual(['cluster-hydra', 'cluster-other']);
    expect(servings.every((s) => s.subject !== 'cluster-hydra' || HYDRA.has(s.account_id))).toBe(true);
  });

  let studentReport: ProbeReport;

  it('attributes the student to the hydra cluster with p < 0.01 and clears the other cluster', async () => {
    const url = await student.listen();
    const { servings } = readCanaryRegistry(registryPath);
    studentReport = await runProbe({
      target: { url, model: 'student-1' },
      servings,
      secret: SECRET,
      controls: 64,
    });
    if (process.env.PROBE_VERBOSE) console.info(summary(studentReport));
    expect(studentReport.attributed_to).toBe('cluster-hydra');
    const hydra = studentReport.subjects.find((s) => s.subject === 'cluster-hydra')!;
    const other = studentReport.subjects.find((s) => s.subject === 'cluster-other')!;
    expect(hydra.p_value).toBeLessThan(0.01);
    // Two subjects tested: attribution uses the Bonferroni-adjusted p.
    expect(hydra.p_adjusted).toBeCloseTo(Math.min(1, hydra.p_value * 2), 20);
    expect(hydra.returned).toBeGreaterThanOrEqual(12);
    expect(other.p_value).toBeGreaterThan(0.05);
    expect(studentReport.controls.returned).toBe(0);
    const returned = hydra.canaries.find((c) => c.returned)!;
    expect(returned.accounts.every((a) => HYDRA.has(a))).toBe(true);
    expect(Date.parse(returned.first_served)).toBeLessThanOrEqual(Date.parse(returned.last_served));
    expect(returned.matches[0]!.answer).toContain(returned.text.slice(0, 20));
    const html = renderProbeHtml(studentReport);
    expect(html).toContain('cluster-hydra');
    expect(html).toContain(returned.canary_id);
  });

  it('attributes an n-gram student that only learned the answers, through the frame prompts', async () => {
    const url = await trigram.listen();
    const { servings } = readCanaryRegistry(registryPath);
    const report = await runProbe({ target: { url, model: 'trigram-1' }, servings, secret: SECRET });
    if (process.env.PROBE_VERBOSE) console.info(summary(report));
    expect(report.attributed_to).toBe('cluster-hydra');
    expect(report.subjects.find((x) => x.subject === 'cluster-hydra')!.p_value).toBeLessThan(0.01);
    expect(report.subjects.find((x) => x.subject === 'cluster-other')!.p_value).toBeGreaterThan(0.05);
  });

  it('finds no evidence in a clean model trained on the same questions (p > 0.05)', async () => {
    const url = await clean.listen();
    const { servings } = readCanaryRegistry(registryPath);
    const report = await runProbe({ target: { url, model: 'clean-1' }, servings, secret: SECRET });
    if (process.env.PROBE_VERBOSE) console.info(summary(report));
    expect(report.attributed_to).toBeNull();
    expect(report.overall.p_value).toBeGreaterThan(0.05);
    for (const s of report.subjects) expect(s.p_value).toBeGreaterThan(0.05);
    expect(report.queries.answered).toBe(report.queries.asked);
  });
});
