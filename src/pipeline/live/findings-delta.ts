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
  edges: readonly LinkEdge[];
}

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
      edges: result.edges ?? [],
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
      return { findings: { ...d.header, accounts, clusters }, edges: d.edges };
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
