import { createHash } from 'node:crypto';
import type { AccountFinding, ClusterFinding, Findings } from '../../contracts/index.js';
import type { EngineResult, LinkEdge } from './findings-engine.js';

/**
 * A scoring round's findings as the engine's thread hands them to serve's main thread: only the
 * findings that changed since the round the main thread already holds. Handing the whole document
 * over every round (2.4 MB of JSON for small seed 1's 2,037 accounts) blocked the main thread for ~100 ms
 * while it was deserialised and, a little later, collected — the tail an enforcement lookup or a
 * guardrail hook arriving then waited out (bench/live-rounds.js). Unchanged findings stay the
 * objects the main thread already has, so they are neither copied nor turned into garbage.
 */
export interface FindingsDelta {
  /** This round's number in the handing thread. */
  round: number;
  /** The round it is relative to; 0: none, every finding is given whole. */
  base: number;
  /** Everything else of the document (format, input, calibration, …), whole: it is small. */
  header: Pick<Findings, 'format' | 'generated_at' | 'input'> & Record<string, unknown>;
  /** In the findings' order: a finding that changed since `base`, or the id of one that did not. */
  accounts: (AccountFinding | string)[];
  clusters: (ClusterFinding | string)[];
  edges: PackedEdges;
}

/**
 * Linkage edges as columns of numbers beside a table of strings. Most of them change in most rounds
 * (their weights follow the population), so a delta would carry them anyway, and as objects — ~8,800
 * on small seed 1 after 60,000 events, about six heap objects each — they were half of what serve's
 * main thread collected after a round (bench/live-rounds.js). Packed, they move between threads without copying and become objects
 * only for the cluster an analyst opens (`FindingsView.edgesOf`).
 */
export interface PackedEdges {
  /** Account ids, each once. */
  ids: string[];
  /** Per edge: its ends (indexes into `ids`), its weight, and its kinds (an index into `kindSets`). */
  source: Uint32Array;
  target: Uint32Array;
  weight: Float64Array;
  kinds: Uint32Array;
  /** Distinct kind lists, as JSON arrays. */
  kindSets: string[];
}

export function packEdges(edges: readonly LinkEdge[]): PackedEdges {
  const ids: string[] = [];
  const index = new Map<string, number>();
  const idOf = (id: string): number => {
    let i = index.get(id);
    if (i === undefined) {
      i = ids.push(id) - 1;
      index.set(id, i);
    }
    return i;
  };
  const kindSets: string[] = [];
  const kindIndex = new Map<string, number>();
  const packed: PackedEdges = {
    ids,
    source: new Uint32Array(edges.length),
    target: new Uint32Array(edges.length),
    weight: new Float64Array(edges.length),
    kinds: new Uint32Array(edges.length),
    kindSets,
  };
  edges.forEach((e, i) => {
    packed.source[i] = idOf(e.source);
    packed.target[i] = idOf(e.target);
    packed.weight[i] = e.weight;
    const key = JSON.stringify(e.kinds);
    let k = kindIndex.get(key);
    if (k === undefined) {
      k = kindSets.push(key) - 1;
      kindIndex.set(key, k);
    }
    packed.kinds[i] = k;
  });
  return packed;
}

/** The edges `keep` accepts (by their ends' ids), as objects; all of them without `keep`. */
export function unpackEdges(p: PackedEdges, keep?: (source: string, target: string) => boolean): LinkEdge[] {
  const out: LinkEdge[] = [];
  for (let i = 0; i < p.source.length; i++) {
    const source = p.ids[p.source[i]!]!;
    const target = p.ids[p.target[i]!]!;
    if (keep && !keep(source, target)) continue;
    out.push({
      source,
      target,
      weight: p.weight[i]!,
      kinds: JSON.parse(p.kindSets[p.kinds[i]!]!) as string[],
    });
  }
  return out;
}

/** The buffers of packed edges, moved (not copied) to the receiving thread. */
export const packedEdgesTransfer = (p: PackedEdges): ArrayBuffer[] =>
  [p.source, p.target, p.weight, p.kinds].map((a) => a.buffer as ArrayBuffer);

/**
 * The handing thread's side: remembers a digest of each finding it handed over, to tell what
 * changed. A digest, not the JSON: at 200,000 accounts the JSON would be another ~250 MB beside the
 * engine, the digest ~60 bytes each.
 */
export class FindingsDeltaEncoder {
  private round = 0;
  private accounts = new Map<string, string>();
  private clusters = new Map<string, string>();

  /**
   * The delta of `result` against round `base` when that is the round this encoder handed over
   * last (what the receiver says it holds); otherwise everything whole.
   */
  encode(result: EngineResult, base: number): FindingsDelta {
    const incremental = base !== 0 && base === this.round;
    const { accounts, clusters, ...header } = result.findings;
    const a = changedOnly(accounts, (f) => f.account_id, incremental ? this.accounts : null);
    const c = changedOnly(clusters, (f) => f.cluster_id, incremental ? this.clusters : null);
    this.accounts = a.digests;
    this.clusters = c.digests;
    this.round++;
    return {
      round: this.round,
      base: incremental ? base : 0,
      header,
      accounts: a.items,
      clusters: c.items,
      edges: packEdges(result.edges ?? []),
    };
  }
}

function changedOnly<T>(
  items: readonly T[],
  idOf: (x: T) => string,
  before: ReadonlyMap<string, string> | null,
): { items: (T | string)[]; digests: Map<string, string> } {
  const digests = new Map<string, string>();
  const out: (T | string)[] = [];
  for (const x of items) {
    const id = idOf(x);
    const digest = createHash('sha256').update(JSON.stringify(x)).digest('base64url');
    digests.set(id, digest);
    out.push(before?.get(id) === digest ? id : x);
  }
  return { items: out, digests };
}

/** The main thread's side: the findings of the newest round, rebuilt from deltas. */
export class FindingsDeltaDecoder {
  /** The round held (0: none); the engine's thread is asked for a delta against it. */
  round = 0;
  private accounts = new Map<string, AccountFinding>();
  private clusters = new Map<string, ClusterFinding>();

  /**
   * The round's whole findings. A delta against a round this side does not hold is refused (and
   * the next request asks for everything whole), never patched onto the wrong findings.
   */
  decode(d: FindingsDelta): EngineResult {
    try {
      if (d.base !== 0 && d.base !== this.round)
        throw new Error(`findings delta against round ${d.base}, but round ${this.round} is held`);
      const accounts = resolve(d.accounts, d.base ? this.accounts : null, 'account');
      const clusters = resolve(d.clusters, d.base ? this.clusters : null, 'cluster');
      this.accounts = new Map(accounts.map((a) => [a.account_id, a]));
      this.clusters = new Map(clusters.map((c) => [c.cluster_id, c]));
      this.round = d.round;
      return { findings: { ...d.header, accounts, clusters }, packedEdges: d.edges };
    } catch (err) {
      this.round = 0;
      throw err;
    }
  }
}

function resolve<T>(items: readonly (T | string)[], held: ReadonlyMap<string, T> | null, kind: string): T[] {
  return items.map((x) => {
    if (typeof x !== 'string') return x;
    const f = held?.get(x);
    if (!f)
      throw new Error(`findings delta names an unchanged ${kind} ${JSON.stringify(x)} that is not held`);
    return f;
  });
}
