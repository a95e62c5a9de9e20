// What the intel benches share: the small simulation (seed 11) analysed, and how org-a exports it.
// The modules are those of the build under test (benches compare builds, so they are passed in).

/** The small simulation's events, account records and findings. */
export function analyzedSimulation(simMod, findingsMod) {
  const sim = simMod.simulationStream({ scale: 'small', seed: 11, actorSeed: 7, accountPrefix: 'a_' });
  const events = [];
  const engine = new findingsMod.DetectionEngine();
  for (const a of sim.accounts) engine.addAccount(a.record);
  for (const e of sim.events()) {
    engine.addEvent(e);
    events.push(e);
  }
  return { events, accounts: sim.accounts.map((a) => a.record), findings: engine.analyze().findings };
}

/** org-a's export settings: its community key and a policy that shares clusters of 5 and more. */
export const exportSettings = (intel) => ({
  publisher: { name: 'org-a' },
  keyRing: intel.keyRingFrom({ current: 'k', keys: [{ id: 'k', secret: '5a'.repeat(32) }] }),
  policy: intel.policyFrom({ min_cluster_size: 5, min_confidence: 50 }),
});

/** A foreign indicator of a STIX pattern, the n-th (its id), as the matcher benches feed them. */
export const stixIndicator = (n, pattern) => ({
  type: 'indicator',
  spec_version: '2.1',
  id: `indicator--6a1f0c2e-8d4b-4f3a-9c7e-${String(n).padStart(12, '0')}`,
  created: '2026-11-20T00:00:00.000Z',
  modified: '2026-11-20T00:00:00.000Z',
  pattern,
  pattern_type: 'stix',
  valid_from: '2026-11-20T00:00:00Z',
  confidence: 70,
});
