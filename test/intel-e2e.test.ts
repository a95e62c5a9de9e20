import { requiredStixSchemaDir, stixSchemaDir } from './stix-schemas.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DetectionEngine } from '../src/findings/index.js';
import { verifyHubAudit } from '../src/store/index.js';
import {
  IntelMatcher,
  ReceivedIntel,
  TaxiiClient,
  exportBundle,
  identityIdFor,
  keyRingFrom,
  loadStixOracle,
  policyFrom,
} from '../src/intel/index.js';
import type { ApiEvent, ClusterFinding, Findings } from '../src/contracts/index.js';
import { simulationStream, type SimulationStream } from '../src/sim/index.js';
import { fingerprint64 } from '../src/text/index.js';
import { useSharingHub } from './hub-harness.js';

// Two providers hit by one actor: same actor seed (infrastructure, templates, cards), different
// populations and account ids.
const ACTOR_SEED = 7;
const ring = keyRingFrom({ current: 'isac-2026', keys: [{ id: 'isac-2026', secret: '5a'.repeat(32) }] });
const policy = policyFrom({ default_tlp: 'amber', min_cluster_size: 5, min_confidence: 50 });

/** One pass over the simulated traffic (a stream reads once): into the engine, and kept for later steps. */
function analyse(
  sim: SimulationStream,
  keep: (e: ApiEvent) => boolean = () => true,
): { engine: DetectionEngine; findings: Findings; events: ApiEvent[] } {
  const engine = new DetectionEngine();
  const events: ApiEvent[] = [];
  for (const a of sim.accounts) engine.addAccount(a.record);
  for (const e of sim.events()) {
    if (!keep(e)) continue;
    engine.addEvent(e);
    events.push(e);
  }
  return { engine, events, findings: engine.analyze().findings };
}

const hydraAccounts = (sim: SimulationStream): Set<string> =>
  new Set(Object.entries(sim.truth.accounts).flatMap(([id, t]) => (t.campaign === 'hydra' ? [id] : [])));

function bestCluster(findings: Findings, members: Set<string>): ClusterFinding | undefined {
  return [...findings.clusters].sort(
    (a, b) =>
      b.account_ids.filter((x) => members.has(x)).length - a.account_ids.filter((x) => members.has(x)).length,
  )[0];
}

const meanScore = (findings: Findings, members: Set<string>): number => {
  const s = findings.accounts.filter((a) => members.has(a.account_id)).map((a) => a.score);
  return s.reduce((x, y) => x + y, 0) / Math.max(1, s.length);
};

describe('sharing between two member organisations over a TAXII hub', () => {
  const h = useSharingHub('sqlite', {
    members: ['org-a', 'org-b'],
    group: 'model-providers',
    collectionTitle: 'Distillation campaigns',
  });
  const stateDir = mkdtempSync(path.join(tmpdir(), 'dg-intel-'));
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it(
    'A publishes its hydra cluster; B pulls, matches, scores the campaign higher, and A sees B’s sighting as a count',
    { timeout: 900_000 },
    async () => {
      // Member A: detect, export, sign, publish.
      const simA = simulationStream({ scale: 'small', seed: 11, actorSeed: ACTOR_SEED, accountPrefix: 'a_' });
      const a = analyse(simA);
      const hydraA = hydraAccounts(simA);
      const clusterA = bestCluster(a.findings, hydraA)!;
      expect(clusterA.account_ids.filter((x) => hydraA.has(x)).length).toBeGreaterThan(hydraA.size / 2);
      const exported = await exportBundle({
        findings: { ...a.findings, clusters: [clusterA] },
        events: a.events,
        accounts: simA.accounts.map((x) => x.record),
        publisher: { name: 'org-a' },
        keyRing: ring,
        policy,
      });
      if (stixSchemaDir() || process.env.CI)
        expect(loadStixOracle(requiredStixSchemaDir()).validateBundle(exported.bundle).errors).toEqual([]);
      const objects = exported.bundle.objects ?? [];
      const campaignId = objects.find((o) => o.type === 'campaign')!.id;
      expect(objects.filter((o) => o.type === 'indicator').length).toBeGreaterThan(3);
      expect(JSON.stringify(objects)).not.toMatch(/"a_\w+"/); // no account ids leave
      const clientA = new TaxiiClient(h.apiRoot, { apiKey: h.creds['org-a']!.apiKey });
      expect((await clientA.push(h.collection, objects, h.keys['org-a']!)).status).toBe('complete');

      // Member B: same actor, other accounts. Without intel, then with.
      const simB = simulationStream({ scale: 'small', seed: 22, actorSeed: ACTOR_SEED, accountPrefix: 'b_' });
      const hydraB = hydraAccounts(simB);
      // The actor has only just started on B: B sees a fifth of its requests, so B's own evidence
      // is thin, which is when shared intelligence matters.
      const b = analyse(
        simB,
        (e) =>
          !hydraB.has(e.account_id) ||
          fingerprint64(e.id).endsWith('0') ||
          fingerprint64(e.id).endsWith('5') ||
          fingerprint64(e.id).endsWith('a'),
      );
      // Legitimate accounts (ordinary users and the hard-case traps) must not be pulled up.
      const isBenign = (id: string): boolean => simB.truth.accounts[id]?.role === 'benign';
      const reviewed = (f: Findings, who: (id: string) => boolean): number =>
        f.accounts.filter((x) => who(x.account_id) && (x.level === 'review' || x.level === 'act')).length;
      const inHydra = (id: string): boolean => hydraB.has(id);
      const before = bestCluster(b.findings, hydraB);
      const beforeMean = meanScore(b.findings, hydraB);

      const clientB = new TaxiiClient(h.apiRoot, { apiKey: h.creds['org-b']!.apiKey });
      const received = ReceivedIntel.open(stateDir);
      const pulled = await received.pull(clientB, h.collection, { limit: 7 });
      expect(pulled.received).toBe(objects.length);
      expect(pulled.pages).toBeGreaterThan(1);
      // Resuming from the cursor fetches nothing new.
      expect((await ReceivedIntel.open(stateDir).pull(clientB, h.collection)).received).toBe(0);

      const matcher = new IntelMatcher(received.objects(), ring);
      for (const acc of simB.accounts) matcher.addAccount(acc.record);
      for (const e of b.events) matcher.addEvent(e);
      const signals = matcher.signals();
      const matchedHydra = [...signals.keys()].filter((x) => hydraB.has(x)).length;
      const matchedBenign = [...signals.entries()].filter(
        ([x, s]) => isBenign(x) && s.some((g) => g.score >= 0.5),
      ).length;
      expect(matchedHydra).toBeGreaterThan(hydraB.size / 2);
      expect(matchedBenign).toBeLessThanOrEqual(3);

      // The same engine, re-scored with the shared-intel signals added.
      for (const [account, s] of signals) b.engine.addExternalSignals(account, s);
      const afterFindings = b.engine.analyze().findings;
      const after = bestCluster(afterFindings, hydraB)!;
      const afterMean = meanScore(afterFindings, hydraB);
      console.log(
        `[intel e2e] hydra B: ${hydraB.size} accounts, ${matchedHydra} matched by shared intel, ${matchedBenign} benign >= 0.5; ` +
          `best cluster score ${before?.score ?? 0} -> ${after.score}; mean hydra account score ${beforeMean.toFixed(3)} -> ${afterMean.toFixed(3)}; ` +
          `hydra at review+ ${reviewed(b.findings, inHydra)} -> ${reviewed(afterFindings, inHydra)}; benign at review+ ${reviewed(b.findings, isBenign)} -> ${reviewed(afterFindings, isBenign)}`,
      );
      const otherKinds = new Map<string, number>();
      for (const [acct, list] of matcher.matches())
        if (isBenign(acct))
          for (const k of new Set(list.flatMap((m) => m.hits.map((h) => h.ind.kind))))
            otherKinds.set(k, (otherKinds.get(k) ?? 0) + 1);
      console.log(
        `[intel e2e] benign accounts with a shared-intel signal, by indicator kind: ${JSON.stringify(Object.fromEntries(otherKinds))}`,
      );
      expect(reviewed(afterFindings, isBenign)).toBeLessThanOrEqual(reviewed(b.findings, isBenign) + 2);
      expect(reviewed(afterFindings, inHydra)).toBeGreaterThanOrEqual(reviewed(b.findings, inHydra));
      expect(afterMean).toBeGreaterThan(beforeMean);
      expect(after.score).toBeGreaterThanOrEqual(before?.score ?? 0);
      expect(
        after.signals.some((s) => s.detector === 'shared-intel') ||
          afterFindings.accounts.some((x) => x.signals.some((s) => s.detector === 'shared-intel')),
      ).toBe(true);

      // B reports back anonymously; A sees a count, not a name.
      const sightings = matcher.sightings({ anonymous: true, identityId: identityIdFor('org-b') });
      expect(sightings.map((s) => s.sighting_of_ref)).toContain(campaignId);
      await clientB.push(h.collection, sightings, h.keys['org-b']!);
      const counts = await clientA.sightingCounts();
      const mine = counts.find((c) => c.sighting_of_ref === campaignId)!;
      expect(mine.members).toBe(1);
      expect(mine.count).toBeGreaterThan(0);
      expect(JSON.stringify(counts)).not.toContain('org-b');

      expect((await verifyHubAudit(h.t.db)).ok).toBe(true);
    },
  );
});
