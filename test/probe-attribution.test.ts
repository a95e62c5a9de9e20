import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoUpstream, NdjsonFileSink, startGateway, type GatewayDecision } from '../src/gateway/index.js';
import { readCanaryRegistry, renderProbeHtml, runProbe, type ProbeReport } from '../src/respond/index.js';
import { ApiEvent } from '../src/schema/index.js';

const CORPUS = resolve(process.cwd(), '../shared/corpora/distill-alpaca-5000.jsonl');
const haveCorpus = existsSync(CORPUS);
if (!haveCorpus && !process.env.CI) console.warn(`skipping probe attribution: ${CORPUS} is absent`);

const SECRET = 'probe-test-gateway-secret';
const HYDRA = Array.from({ length: 6 }, (_, i) => `acct-hydra-${i}`);
const OTHER = Array.from({ length: 4 }, (_, i) => `acct-other-${i}`);
const BENIGN = Array.from({ length: 5 }, (_, i) => `acct-user-${i}`);

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

const words = (s: string): Set<string> => new Set(s.toLowerCase().match(/[a-z0-9]+/g) ?? []);

describe.skipIf(!haveCorpus)('probe attributes a distilled student to the cluster it harvested', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dg-probe-'));
  const registryPath = join(dir, 'canaries.ndjson');
  const eventsPath = join(dir, 'events.ndjson');
  let student: RetrievalStudent;
  let clean: RetrievalStudent;
  let hydraPrompts: string[] = [];

  beforeAll(async () => {
    const rows = readFileSync(CORPUS, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { prompt: string; response: string });
    const answers = new Map(rows.map((r) => [r.prompt, r.response]));
    const upstreamWithAnswers = new DemoUpstream({ answers });
    const upstreamUrl = await upstreamWithAnswers.listen();
    const decisions: GatewayDecision[] = [
      ...HYDRA.map((a) => ({
        account_id: a,
        action: 'monitor' as const,
        watch: true,
        cluster_id: 'cluster-hydra',
      })),
      ...OTHER.map((a) => ({ account_id: a, action: 'watch' as const, cluster_id: 'cluster-other' })),
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
    hydraPrompts = rows.slice(0, 300).map((r) => r.prompt);
    const traffic: [string, string][] = [
      ...hydraPrompts.map((p, i): [string, string] => [HYDRA[i % HYDRA.length]!, p]),
      ...rows.slice(1000, 1200).map((r, i): [string, string] => [OTHER[i % OTHER.length]!, r.prompt]),
      ...rows.slice(2000, 2100).map((r, i): [string, string] => [BENIGN[i % BENIGN.length]!, r.prompt]),
    ];
    for (let i = 0; i < traffic.length; i += 20) {
      await Promise.all(
        traffic.slice(i, i + 20).map(async ([account, prompt]) => {
          const res = await request(`${gw.url}/v1/chat/completions`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-account-id': account,
              authorization: `Bearer sk-${account}`,
            },
            body: JSON.stringify({ model: 'demo-1', messages: [{ role: 'user', content: prompt }] }),
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
      .filter((e) => HYDRA.includes(e.account_id))
      .map((e) => ({ prompt: e.request.messages.at(-1)!.content as string, answer: e.response!.text! }));
    expect(harvested).toHaveLength(300);
    student = new RetrievalStudent(harvested);
    // A clean model learned the same questions from the upstream directly: no canaries.
    clean = new RetrievalStudent(
      hydraPrompts.map((p) => ({ prompt: p, answer: upstreamWithAnswers.answerFor(p) })),
    );
  });

  afterAll(async () => {
    await student?.close();
    await clean?.close();
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
    expect(servings.every((s) => !BENIGN.includes(s.account_id))).toBe(true);
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
    expect(studentReport.attributed_to).toBe('cluster-hydra');
    const hydra = studentReport.subjects.find((s) => s.subject === 'cluster-hydra')!;
    const other = studentReport.subjects.find((s) => s.subject === 'cluster-other')!;
    expect(hydra.p_value).toBeLessThan(0.01);
    expect(hydra.returned).toBeGreaterThanOrEqual(12);
    expect(other.p_value).toBeGreaterThan(0.05);
    expect(studentReport.controls.returned).toBe(0);
    const returned = hydra.canaries.find((c) => c.returned)!;
    expect(returned.accounts.every((a) => HYDRA.includes(a))).toBe(true);
    expect(Date.parse(returned.first_served)).toBeLessThanOrEqual(Date.parse(returned.last_served));
    expect(returned.matches[0]!.answer).toContain(returned.text.slice(0, 20));
    const html = renderProbeHtml(studentReport);
    expect(html).toContain('cluster-hydra');
    expect(html).toContain(returned.canary_id);
  });

  it('finds no evidence in a clean model trained on the same questions (p > 0.05)', async () => {
    const url = await clean.listen();
    const { servings } = readCanaryRegistry(registryPath);
    const report = await runProbe({ target: { url, model: 'clean-1' }, servings, secret: SECRET });
    expect(report.attributed_to).toBeNull();
    expect(report.overall.p_value).toBeGreaterThan(0.05);
    for (const s of report.subjects) expect(s.p_value).toBeGreaterThan(0.05);
    expect(report.queries.answered).toBe(report.queries.asked);
  });
});
