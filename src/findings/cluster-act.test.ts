import { describe, expect, it } from 'vitest';
import type { DetectorResult } from '../detect/index.js';
import type { Attribute } from '../link/index.js';
import { clusterActGate, institutionOf, withInstitutionHold, type Binding } from './cluster-act.js';

const domains = (list: readonly string[]): Map<string, Attribute[]> =>
  new Map(
    list.map((d, i) => [
      `a${i}`,
      [
        { kind: 'email_domain', value: d },
        { kind: 'asn', value: '7' },
      ],
    ]),
  );

describe('institutionOf: the academic institution a cluster belongs to', () => {
  it('names the academic domain a tenth or more of the members (two at least) signed up with', () => {
    const members = [...Array(20).keys()].map((i) => `a${i}`);
    const list = Array<string>(20).fill('gmail.com');
    list[3] = list[7] = 'cs.ox.ac.uk';
    expect(institutionOf(members, domains(list))).toEqual({ domain: 'cs.ox.ac.uk', accounts: 2 });
    list[9] = list[11] = list[12] = 'umich.edu';
    expect(institutionOf(members, domains(list))).toEqual({ domain: 'umich.edu', accounts: 3 });
    for (const d of ['unam.edu.mx', 'u-tokyo.ac.jp', 'Stanford.EDU'])
      expect(institutionOf(['a0', 'a1'], domains([d, d]))?.accounts).toBe(2);
    // Institutions on plain domains, and their departments, from the swot list.
    for (const d of ['ethz.ch', 'inf.ethz.ch', 'tum.de', 'uva.nl', 'sorbonne-universite.fr'])
      expect(institutionOf(['a0', 'a1'], domains([d, d]))?.domain).toBe(d);
  });
  it('holds nothing for one stray address, a small share, or domains that only look academic', () => {
    const members = [...Array(30).keys()].map((i) => `a${i}`);
    const list = Array<string>(30).fill('tuta.io');
    list[0] = 'mit.edu';
    expect(institutionOf(members, domains(list))).toBeNull();
    list[1] = 'mit.edu';
    expect(institutionOf(members, domains(list))).toBeNull(); // 2 of 30: under a tenth
    for (const fake of [
      'edu.com',
      'myedu',
      'mail.academy',
      'ac.example.io',
      'teach.education',
      'si.edu',
      'ethz.ch.example.io',
    ])
      expect(institutionOf(['a0', 'a1'], domains([fake, fake]))).toBeNull();
  });
});

describe('clusterActGate on two overwhelming lines across a campaign', () => {
  const thresholds = { monitor: 2, review: 3, act: 12, corroborate: 4 };
  const result = (id: string, family: 'extraction' | 'behaviour', k: number, n: number): DetectorResult =>
    ({
      detector: { id, family },
      measurement: { stats: [{ kind: 'count', key: id, k, n }], evidence: '', examples: [] },
      p: 1e-40,
      strength: 40,
    }) as unknown as DetectorResult;
  const support = new Map([
    ['reasoning-elicitation', 1],
    ['conversation-shape', 1],
  ]);
  const bound: Binding = { bound: 18, members: 18, kinds: ['template'] };
  const lines = (elicited: number) => [
    result('reasoning-elicitation', 'extraction', elicited, 1000),
    result('conversation-shape', 'behaviour', 1000, 1000),
  ];

  it('acts when the extraction line is behind a third or more of what the campaign sends', () => {
    const gate = clusterActGate(lines(900), support, 18, bound, thresholds, 1000);
    expect(gate.passed).toBe(true);
    expect(gate.detail).toContain('behind 900 of 1000 requests');
  });
  it('holds at review when the extraction is a minority of the traffic, however overwhelming pooled', () => {
    const gate = clusterActGate(lines(210), support, 18, bound, thresholds, 1000);
    expect(gate.passed).toBe(false);
    expect(gate.detail).toContain(
      'its extraction line is behind 210 of 1000 requests, under a third of what the campaign sends',
    );
    expect(clusterActGate(lines(334), support, 18, bound, thresholds, 1000).passed).toBe(true);
    expect(clusterActGate(lines(333), support, 18, bound, thresholds, 1000).passed).toBe(false);
  });
  it("leaves act to a person for an academic institution's group, naming the domain", () => {
    const atMit = (elicited: number) =>
      withInstitutionHold(
        clusterActGate(lines(elicited), support, 18, bound, thresholds, 1000),
        { domain: 'mit.edu', accounts: 7 },
        18,
      );
    const gate = atMit(900);
    expect(gate.passed).toBe(false);
    expect(gate.detail).toMatch(
      /^two overwhelming broad lines .*; but 7 of 18 members signed up with mit\.edu, an academic institution's mail domain/,
    );
    // At review anyway: the reviewer is told whom to contact.
    const held = atMit(210);
    expect(held.passed).toBe(false);
    expect(held.detail).toMatch(
      /under a third of what the campaign sends; 7 of 18 members signed up with mit\.edu/,
    );
  });
});
