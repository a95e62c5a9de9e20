import { describe, expect, it } from 'vitest';
import { tickLabel } from './axis.js';
import { linkageGraph } from './linkage-graph.js';
import { scoreBins, scoreHistogram } from './score-histogram.js';
import { binHourly, hourRangeOf, trafficChart } from './traffic-chart.js';

const H0 = Math.floor(Date.parse('2026-11-01T00:00:00Z') / 3_600_000);

describe('tickLabel', () => {
  it('labels thousands and millions briefly', () => {
    expect(tickLabel(1500)).toBe('1.5k');
    expect(tickLabel(2_000_000)).toBe('2M');
    expect(tickLabel(20)).toBe('20');
  });
});

describe('binHourly', () => {
  it('fills empty hours with zeros on one shared axis', () => {
    const bins = binHourly([
      {
        label: 'a',
        colour: '#000',
        hourly: new Map([
          [H0, 2],
          [H0 + 3, 5],
        ]),
      },
      { label: 'b', colour: '#000', hourly: new Map([[H0 + 1, 7]]) },
    ])!;
    expect(bins.hoursPerBin).toBe(1);
    expect(bins.start).toBe(H0);
    expect(bins.counts).toEqual([
      [2, 0, 0, 5],
      [0, 7, 0, 0],
    ]);
  });

  it('merges hours into day bins over long spans and keeps every event', () => {
    const hourly = new Map<number, number>();
    for (let h = 0; h < 24 * 90; h += 5) hourly.set(H0 + h, 1);
    const bins = binHourly([{ label: 'a', colour: '#000', hourly }], 120)!;
    expect(bins.hoursPerBin).toBe(24);
    expect(bins.counts[0]!.length).toBe(90);
    expect(bins.counts[0]!.reduce((a, b) => a + b, 0)).toBe(hourly.size);
  });

  it('stretches the axis to the requested range and is empty without data', () => {
    const bins = binHourly([{ label: 'a', colour: '#000', hourly: new Map([[H0 + 5, 1]]) }], 360, {
      from: H0,
      to: H0 + 9,
    })!;
    expect(bins.counts[0]).toEqual([0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
    expect(binHourly([{ label: 'a', colour: '#000', hourly: new Map() }])).toBeNull();
  });

  it('reads the input span as hour indices', () => {
    expect(hourRangeOf('2026-11-01T00:30:00Z', '2026-11-01T05:10:00Z')).toEqual({ from: H0, to: H0 + 5 });
    expect(hourRangeOf(null, '2026-11-01T05:10:00Z')).toBeUndefined();
  });
});

describe('trafficChart', () => {
  it('draws an area for one series and a legend for several', () => {
    const hourly = new Map([
      [H0, 3],
      [H0 + 2, 9],
    ]);
    const one = trafficChart([{ label: 'cl_1', colour: '#c00', hourly }], { title: 't' }).value;
    expect(one).toContain('<svg');
    expect(one).toContain('fill-opacity="0.18"');
    expect(one).toContain('cl_1: 12 events');
    const two = trafficChart(
      [
        { label: 'cl_1', colour: '#c00', hourly },
        { label: 'cl_<2>', colour: '#00c', hourly },
      ],
      { title: 't' },
    ).value;
    expect(two).toContain('class="legend"');
    expect(two).toContain('cl_&lt;2&gt;');
    expect(two).not.toContain('fill-opacity="0.18"');
  });
});

describe('scoreHistogram', () => {
  const accounts = [
    { score: 0, level: 'none' as const },
    { score: 0.01, level: 'none' as const },
    { score: 0.55, level: 'review' as const },
    { score: 0.98, level: 'act' as const },
    { score: 1, level: 'act' as const },
  ];
  it('bins scores by level, with 1.0 in the last bin', () => {
    const bins = scoreBins(accounts, 10);
    expect(bins[0]!.byLevel.none).toBe(2);
    expect(bins[5]!.byLevel.review).toBe(1);
    expect(bins[9]!.byLevel.act).toBe(2);
    expect(bins.reduce((a, b) => a + b.total, 0)).toBe(accounts.length);
  });
  it('marks the calibrated thresholds', () => {
    const svg = scoreHistogram(accounts, { monitor: 0.4, review: 0.5, act: 0.8 }).value;
    expect(svg).toContain('monitor ≥ 0.400');
    expect(svg).toContain('review ≥ 0.500');
    expect(svg).toContain('act ≥ 0.800');
    expect(svg).toContain('2 act');
  });
});

describe('linkageGraph', () => {
  it('draws members and only the edges inside the cluster', () => {
    const members = ['a', 'b', 'c'].map((id) => ({ id, level: 'review' as const }));
    const svg = linkageGraph(members, [
      { source: 'a', target: 'b', weight: 1.6, kinds: ['payment_fingerprint'] },
      { source: 'b', target: 'c', weight: 1.1, kinds: ['ip_prefix', 'template'] },
      { source: 'c', target: 'zz', weight: 2, kinds: ['asn'] },
    ]).value;
    expect(svg.match(/<circle/g)).toHaveLength(3);
    expect(svg.match(/<line/g)).toHaveLength(2);
    expect(svg).toContain('b – c: ip_prefix, template');
    expect(svg).not.toContain('zz');
  });
  it('keeps the best-connected members of a large cluster and says so', () => {
    const members = Array.from({ length: 100 }, (_, i) => ({ id: `m${i}`, level: 'act' as const }));
    const edges = Array.from({ length: 99 }, (_, i) => ({
      source: 'm0',
      target: `m${i + 1}`,
      weight: 1,
      kinds: ['asn'],
    }));
    const svg = linkageGraph(members, edges, { maxNodes: 10 }).value;
    expect(svg.match(/<circle/g)).toHaveLength(10);
    expect(svg).toContain('m0 (act, 99 links)');
    expect(svg).toContain('10 best-connected of 100 accounts, 9 links shown');
  });
});
