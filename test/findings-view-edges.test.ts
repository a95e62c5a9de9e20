import { describe, expect, it } from 'vitest';
import { DetectionEngine } from '../src/findings/index.js';
import { FindingsView, packEdges, unpackEdges } from '../src/pipeline/index.js';
import { simulatedTraffic } from './server-harness.js';

describe("a cluster's linkage edges in serve", () => {
  it('are the same whether the engine gave them as objects or packed, as its thread hands them over', () => {
    const traffic = simulatedTraffic(6000, 3);
    const engine = new DetectionEngine();
    for (const a of traffic.accounts) engine.addAccount(a);
    for (const e of traffic.events) engine.addEvent(e);
    const { findings, edges = [] } = engine.analyze();
    expect(edges.length).toBeGreaterThan(0);
    const packed = packEdges(edges);
    expect(unpackEdges(packed)).toEqual(edges);
    const plain = new FindingsView(findings, edges);
    const fromPacked = new FindingsView(findings, packed);
    expect(findings.clusters.filter((c) => plain.edgesOf(c.cluster_id)).length).toBeGreaterThan(0);
    for (const c of findings.clusters)
      expect(fromPacked.edgesOf(c.cluster_id)).toEqual(plain.edgesOf(c.cluster_id));
    expect(fromPacked.edgesOf('cl_none')).toBeUndefined();
  });
});
