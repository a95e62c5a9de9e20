/**
 * Two communities whose cut carries this share of the smaller one's link weight are one operator
 * that modularity split (a large homogeneous campaign has no natural sub-structure).
 */
export const MERGE_CUT_SHARE = 0.1;

interface WeightedEdge {
  source: string;
  target: string;
  weight: number;
}

/**
 * Re-joins communities that Louvain over-split, in place. Merges are made one at a time, the
 * most tightly bound pair first, and every later decision is taken on the groups as merged so
 * far: judged on the original communities instead, a small bridge community that is bound to
 * both a tight campaign and a big NAT community by a link or two would chain them into one.
 */
export function mergeOverSplit(community: Map<string, number>, edges: readonly WeightedEdge[]): void {
  const volume = new Map<number, number>();
  const cut = new Map<number, Map<number, number>>();
  const neighbours = (c: number): Map<number, number> => {
    let m = cut.get(c);
    if (!m) cut.set(c, (m = new Map<number, number>()));
    return m;
  };
  for (const e of edges) {
    const a = community.get(e.source)!;
    const b = community.get(e.target)!;
    volume.set(a, (volume.get(a) ?? 0) + e.weight);
    volume.set(b, (volume.get(b) ?? 0) + e.weight);
    if (a === b) continue;
    neighbours(a).set(b, (neighbours(a).get(b) ?? 0) + e.weight);
    neighbours(b).set(a, (neighbours(b).get(a) ?? 0) + e.weight);
  }
  const into = new Map<number, number>();
  for (;;) {
    const candidates: [share: number, a: number, b: number][] = [];
    for (const [a, m] of cut)
      for (const [b, w] of m) {
        if (a >= b) continue;
        const share = w / Math.min(volume.get(a)!, volume.get(b)!);
        if (share >= MERGE_CUT_SHARE) candidates.push([share, a, b]);
      }
    if (!candidates.length) break;
    candidates.sort((x, y) => y[0] - x[0] || x[1] - y[1] || x[2] - y[2]);
    // Disjoint pairs only in one pass: a group that has just grown is judged again next pass.
    const changed = new Set<number>();
    for (const [, x, y] of candidates) {
      if (changed.has(x) || changed.has(y)) continue;
      // The smaller group joins the larger (ties: the lower id joins the higher), which keeps
      // the neighbour maps to rewrite short.
      const [from, to] = volume.get(x)! > volume.get(y)! ? [y, x] : [x, y];
      volume.set(to, volume.get(to)! + volume.get(from)!);
      volume.delete(from);
      const toMap = neighbours(to);
      toMap.delete(from);
      for (const [c, w] of cut.get(from)!) {
        if (c === to) continue;
        toMap.set(c, (toMap.get(c) ?? 0) + w);
        const cMap = cut.get(c)!;
        cMap.delete(from);
        cMap.set(to, (cMap.get(to) ?? 0) + w);
      }
      cut.delete(from);
      into.set(from, to);
      changed.add(from);
      changed.add(to);
    }
  }
  const root = (c: number): number => {
    while (into.has(c)) c = into.get(c)!;
    return c;
  };
  for (const [node, c] of community) community.set(node, root(c));
}
