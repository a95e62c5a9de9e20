import {
  DetectConfig,
  type AccountFinding,
  type AccountRecord,
  type ApiEvent,
  type ClusterFinding,
  type DetectConfigInput,
  type EngineState,
  type AccountState,
  type Findings,
  type Level,
  type Signal,
} from '../contracts/index.js';
import { fingerprint64, HashedNgramEmbedder, WordVectorEmbedder } from '../text/index.js';
import type { DetectionContext, Detector, Stat } from '../detect/index.js';
import { DETECTORS } from '../detect/index.js';
import { DAY_MS, EntityStats, HOUR_MS, type PromptSample } from '../features/index.js';
import type { EventLineView } from '../ingest/index.js';
import { extractFeatures, type EventFeatures } from '../features/index.js';
import { LineFeatures } from '../features/index.js';
import {
  combinedStrength,
  corroborated,
  genomicControl,
  levelOf,
  runDetectors,
  scoreOfStrength,
  toSignals,
  type DetectorResult,
  type LevelThresholds,
} from '../detect/index.js';
import { RandomFourierFeatures } from '../features/index.js';
import { clusterLinks, linkPopulation } from '../link/index.js';
import { fitNullModels, type NullModels } from '../detect/index.js';
import { quantile } from '../features/index.js';

const KERNEL_DIMENSIONS = 96;
/**
 * Prompt representations for the kernel two-sample test. Gaussian kernel bandwidths over unit
 * vectors are the median heuristic on people's prompts (hh-rlhf human turns): the median
 * pairwise distance is 0.96 for hashed n-grams and 0.42 for the averaged word vectors.
 */
const REPRESENTATIONS = {
  'hashed-ngrams': { make: () => new HashedNgramEmbedder(1024), bandwidth: 1 },
  'word-vectors': { make: () => new WordVectorEmbedder(), bandwidth: 0.42 },
} as const;
const MEMBER_SUPPORT_P = 0.05;
const CAMPAIGN_MIN_ACCOUNTS = 5;
const MEMBER_SUPPORT_SHARE = 0.5;
// Extraction evidence (elicitation, harvesting, sweeps) must corroborate review and act.
const isExtraction = (r: DetectorResult): boolean => r.detector.family === 'extraction';

export interface Calibration {
  method: 'baseline' | 'population';
  reference_accounts: number;
  /** Genomic-control factor applied to the combined statistic (1 = detectors independent on benign traffic). */
  lambda: number;
  target_fpr: number;
  thresholds: { monitor: number; review: number; act: number };
}

/** An engine's state with its kernel sums packed (see exportPartition). */
export interface PartitionState {
  state: EngineState;
  kernels: Float64Array;
}

export interface AnalysisDetail {
  findings: Findings;
  calibration: Calibration;
  /** Per-cluster pooled results and samples, for reports and the dashboard. */
  clusters: Map<string, { samples: PromptSample[]; hourly: Map<number, number> }>;
  edges: { source: string; target: string; weight: number; kinds: string[] }[];
}

/**
 * The one detection engine: `analyze` feeds it from files, the server and workers from live
 * traffic. Adding events is cheap and bounded per account; `analyze()` fits the benign nulls,
 * scores accounts, links them into clusters and re-scores at cluster level.
 */
export class DetectionEngine {
  readonly config: DetectConfig;
  private readonly accounts = new Map<string, EntityStats>();
  private readonly records = new Map<string, AccountRecord>();
  private readonly external = new Map<string, Signal[]>();
  private readonly benignReference = new Set<string>();
  private readonly hourly = new Map<string, Map<number, number>>();
  private dataStart = Infinity;
  private dataEnd = -Infinity;
  private readonly embedder: HashedNgramEmbedder | WordVectorEmbedder;
  private readonly rff: RandomFourierFeatures;
  private readonly scratch = new Float64Array(KERNEL_DIMENSIONS);
  /**
   * φ of a prompt's tokens, keyed by the token array itself: extractFeatures hands out one shared
   * array per distinct prompt while it stays in its cache, so a repeated prompt skips the
   * embedding and projection (the costliest per-event work), and entries go when the array does.
   */
  private readonly kernelFeatures = new WeakMap<readonly string[], Float64Array>();
  private readonly lineFeatures: LineFeatures;
  private baseline: DetectionEngine | undefined;
  events = 0;
  rejected = 0;

  constructor(
    config: DetectConfigInput = {},
    private readonly detectors: readonly Detector[] = DETECTORS,
  ) {
    this.config = DetectConfig.parse(config);
    const rep = REPRESENTATIONS[this.config.embedder];
    this.embedder = rep.make();
    this.rff = new RandomFourierFeatures(this.embedder.dimensions, KERNEL_DIMENSIONS, rep.bandwidth);
    this.lineFeatures = new LineFeatures((tokens) =>
      this.rff.features(this.embedder.sparseFromTokens(tokens), this.scratch),
    );
  }

  addAccount(record: AccountRecord): void {
    this.records.set(record.account_id, { ...this.records.get(record.account_id), ...record });
  }

  addEvent(event: ApiEvent): void {
    if (event.account) this.addAccount({ ...event.account, account_id: event.account_id });
    this.addFeatures(extractFeatures(event));
  }

  /** addEvent for a line the reader scanned (see LineFeatures): the same features, from its bytes. */
  addLine(line: EventLineView): void {
    this.addFeatures(this.lineFeatures.build(line));
  }

  addFeatures(f: EventFeatures): void {
    this.events++;
    if (f.tsMs < this.dataStart) this.dataStart = f.tsMs;
    if (f.tsMs > this.dataEnd) this.dataEnd = f.tsMs;
    let s = this.accounts.get(f.accountId);
    if (!s) {
      s = new EntityStats(KERNEL_DIMENSIONS);
      this.accounts.set(f.accountId, s);
    }
    s.add(f);
    let phi = f.kernel ?? this.kernelFeatures.get(f.tokens);
    if (!phi) {
      phi = this.rff.features(this.embedder.sparseFromTokens(f.tokens), this.scratch);
      this.kernelFeatures.set(f.tokens, phi);
    }
    const sum = s.kernelSum;
    for (let d = 0; d < KERNEL_DIMENSIONS; d++) sum[d]! += phi[d]!;
    s.kernelCount++;
    let h = this.hourly.get(f.accountId);
    if (!h) this.hourly.set(f.accountId, (h = new Map<number, number>()));
    const hour = Math.floor(f.tsMs / HOUR_MS);
    h.set(hour, (h.get(hour) ?? 0) + 1);
  }

  addExternalSignals(accountId: string, signals: Signal[]): void {
    this.external.set(accountId, [...(this.external.get(accountId) ?? []), ...signals]);
  }

  /** An analyst's false-positive verdict: the account joins the benign reference. */
  addBenignReference(accountId: string): void {
    this.benignReference.add(accountId);
  }

  /** Benign traffic to fit the nulls on, instead of the population itself. */
  useBaseline(baseline: DetectionEngine): void {
    this.baseline = baseline;
  }

  /** Ids of the accounts that sent events. */
  accountIds(): IterableIterator<string> {
    return this.accounts.keys();
  }

  get accountCount(): number {
    return this.accounts.size;
  }

  statsOf(accountId: string): EntityStats | undefined {
    return this.accounts.get(accountId);
  }

  private context(accountId: string | null, ref: { sum: Float64Array; count: number }): DetectionContext {
    return {
      record: accountId ? this.records.get(accountId) : undefined,
      referenceKernelSum: ref.sum,
      referenceKernelCount: ref.count,
      nowMs: this.dataEnd,
    };
  }

  /** Reference entities: the baseline's accounts, or the whole population (robust fits), plus verdicts. */
  private reference(exclude: ReadonlySet<string>): {
    entities: [string, EntityStats, DetectionEngine][];
    method: Calibration['method'];
  } {
    const own = [...this.benignReference].sort().flatMap((id): [string, EntityStats, DetectionEngine][] => {
      const s = this.accounts.get(id);
      return s ? [[id, s, this]] : [];
    });
    if (this.baseline) {
      const base = [...this.baseline.accounts].map(([id, s]): [string, EntityStats, DetectionEngine] => [
        id,
        s,
        this.baseline!,
      ]);
      return { entities: [...base, ...own], method: 'baseline' };
    }
    // Linked groups are campaign candidates, so the population reference is the unlinked
    // accounts (plus verdicts); a robust fit tolerates the few lone attackers left among them.
    const population = [...this.accounts]
      .filter(([id]) => !exclude.has(id) || this.benignReference.has(id))
      .map(([id, s]): [string, EntityStats, DetectionEngine] => [id, s, this]);
    return { entities: population, method: 'population' };
  }

  /**
   * Models released during the data: first seen anywhere a day or more after the data starts.
   * Computed from every account's first use, so it does not depend on arrival order.
   */
  private releases(): Map<string, number> {
    const first = new Map<string, number>();
    for (const s of this.accounts.values())
      for (const [m, use] of s.models) first.set(m, Math.min(first.get(m) ?? Infinity, use.first));
    for (const [m, ts] of first) if (ts <= this.dataStart + DAY_MS) first.delete(m);
    return first;
  }

  private sortAccounts(): void {
    const sorted = [...this.accounts].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    this.accounts.clear();
    for (const [id, s] of sorted) this.accounts.set(id, s);
  }

  /** One account's whole state, as plain JSON (for a durable store or another thread). */
  accountState(accountId: string, withKernel = true): AccountState | undefined {
    const s = this.accounts.get(accountId);
    const record = this.records.get(accountId);
    if (!s && !record) return undefined;
    return {
      account_id: accountId,
      stats: s ? s.toSnapshot(withKernel) : null,
      hourly: [...(this.hourly.get(accountId) ?? [])],
      record: record ?? null,
      external: this.external.get(accountId) ?? [],
      benign_reference: this.benignReference.has(accountId),
    };
  }

  /**
   * Loads an account's state. An account already here is replaced, not merged: each account
   * lives in exactly one partition, and a resumed worker restores what it last made durable.
   */
  restoreAccount(state: AccountState, kernel?: ArrayLike<number>): void {
    const id = state.account_id;
    const had = this.accounts.get(id);
    if (had) this.events -= had.n;
    if (state.stats) {
      const s = EntityStats.fromSnapshot(state.stats, kernel);
      this.accounts.set(id, s);
      this.events += s.n;
      if (s.firstTs < this.dataStart) this.dataStart = s.firstTs;
      if (s.lastTs > this.dataEnd) this.dataEnd = s.lastTs;
    } else this.accounts.delete(id);
    this.hourly.set(id, new Map(state.hourly));
    if (state.record) this.records.set(id, state.record);
    if (state.external.length) this.external.set(id, state.external);
    if (state.benign_reference) this.benignReference.add(id);
  }

  /** Everything this engine has seen; `importState` on another engine adds it there. */
  exportState(): EngineState {
    return this.stateWith(true);
  }

  /**
   * exportState for another thread of this process: the accounts' kernel sums packed in one
   * array (cloned as one block; as JSON number arrays they were a third of the state and most of
   * its cloning time), account i's at i × dimensions.
   */
  exportPartition(): PartitionState {
    const state = this.stateWith(false);
    const kernels = new Float64Array(state.accounts.length * KERNEL_DIMENSIONS);
    state.accounts.forEach((a, i) => {
      const s = this.accounts.get(a.account_id);
      if (s) kernels.set(s.kernelSum, i * KERNEL_DIMENSIONS);
    });
    return { state, kernels };
  }

  private stateWith(kernels: boolean): EngineState {
    const ids = new Set([...this.accounts.keys(), ...this.records.keys()]);
    return {
      format: 'distillguard.engine-state.v1',
      events: this.events,
      rejected: this.rejected,
      accounts: [...ids].map((id) => this.accountState(id, kernels)!),
    };
  }

  /**
   * Adds the state of engines that saw other partitions of the traffic (disjoint accounts);
   * `kernels` holds their kernel sums when it comes from exportPartition.
   */
  importState(state: EngineState, kernels?: Float64Array): void {
    state.accounts.forEach((a, i) =>
      this.restoreAccount(a, kernels?.subarray(i * KERNEL_DIMENSIONS, (i + 1) * KERNEL_DIMENSIONS)),
    );
    this.rejected += state.rejected;
  }

  analyze(input: { rejectedLines?: number } = {}): AnalysisDetail {
    const cfg = this.config;
    // Iterate in account-id order, so partitions merged in any order score exactly alike.
    this.sortAccounts();
    this.baseline?.sortAccounts();
    const releases = this.releases();
    for (const s of this.accounts.values()) s.earlyAdoption = s.earlyUse(releases);
    if (this.baseline) {
      const base = this.baseline.releases();
      for (const s of this.baseline.accounts.values()) s.earlyAdoption = s.earlyUse(base);
    }
    const { attributes, synchronised, linkage, groups, linked } = linkPopulation(
      this.accounts,
      this.records,
      cfg.seed,
      cfg.minClusterSize,
    );

    const { entities: refEntities, method } = this.reference(linked);
    const refSum = new Float64Array(KERNEL_DIMENSIONS);
    let refCount = 0;
    for (const [, s] of refEntities) {
      for (let d = 0; d < KERNEL_DIMENSIONS; d++) refSum[d]! += s.kernelSum[d]!;
      refCount += s.kernelCount;
    }
    const ref = { sum: refSum, count: refCount };
    // Count statistics (shares of eliciting or harvesting requests) are fitted on the reference,
    // where a campaign's thousands of identical heads would otherwise define "normal". Value
    // statistics (timing, prompt distribution, breadth) are fitted on every account in
    // population mode: empirical quantiles tolerate a minority of attackers, and linked benign
    // teams with their own language or app stay inside the range they define.
    const measureAll = (entities: [string, EntityStats, DetectionEngine][]): Stat[][] =>
      entities.map(([id, s, owner]) =>
        this.detectors.flatMap((d) => d.measure(s, owner.context(id, ref))?.stats ?? []),
      );
    const countNulls = fitNullModels(measureAll(refEntities));
    const valueNulls =
      method === 'population'
        ? fitNullModels(
            measureAll(
              [...this.accounts].map(([id, s]): [string, EntityStats, DetectionEngine] => [id, s, this]),
            ),
          )
        : countNulls;
    const nulls: NullModels = { counts: countNulls.counts, values: valueNulls.values };

    const thresholds: LevelThresholds = {
      monitor: -Math.log10(cfg.monitorFpr),
      review: -Math.log10(cfg.targetFpr),
      act: cfg.actStrength,
      corroborate: cfg.corroborateStrength,
    };
    const refResults = refEntities.map(([id, s, owner]) =>
      runDetectors(this.detectors, s, owner.context(id, ref), nulls),
    );
    const lambda = genomicControl(refResults);
    if (method === 'baseline') {
      // Empirical guard: no more than the target share of baseline accounts may reach review.
      const strengths = refResults.map((r) => combinedStrength(r, [], lambda));
      if (strengths.length >= 50) {
        thresholds.review = Math.max(thresholds.review, quantile(strengths, 1 - cfg.targetFpr));
        thresholds.monitor = Math.max(thresholds.monitor, quantile(strengths, 1 - cfg.monitorFpr));
        thresholds.act = Math.max(thresholds.act, thresholds.review + 1);
      }
    }

    // Account-level scoring.
    const own = new Map<string, { results: DetectorResult[]; strength: number }>();
    for (const [id, s] of this.accounts) {
      const results = runDetectors(this.detectors, s, this.context(id, ref), nulls);
      const extra = (this.external.get(id) ?? []).map((sig) => Math.max(1e-30, 1 - sig.score));
      own.set(id, { results, strength: combinedStrength(results, extra, lambda) });
    }

    // Clusters, re-scored on their pooled traffic.
    const clusterOf = new Map<string, string>();
    const clusterSizes = new Map<string, number>();
    const clusters: ClusterFinding[] = [];
    const clusterDetail: AnalysisDetail['clusters'] = new Map();
    const clusterState = new Map<
      string,
      { strength: number; actAllowed: boolean; level: Level; signals: Signal[] }
    >();
    for (const members of groups) {
      const clusterId = `cl_${fingerprint64(members[0]!).slice(0, 10)}`;
      clusterSizes.set(clusterId, members.length);
      const pooled = new EntityStats(KERNEL_DIMENSIONS);
      pooled.members = 0;
      const hourly = new Map<number, number>();
      for (const id of members) {
        pooled.merge(this.accounts.get(id)!);
        for (const [h, c] of this.hourly.get(id) ?? []) hourly.set(h, (hourly.get(h) ?? 0) + c);
        clusterOf.set(id, clusterId);
      }
      const sizes = members.map((id) => this.accounts.get(id)!.n);
      // A pooled signal counts only when it is broad: most members show it on their own. Pooling
      // otherwise turns a few members' quirks (or a slightly different benign base rate) into
      // cluster-wide confidence.
      const results = runDetectors(this.detectors, pooled, this.context(null, ref), nulls, sizes).filter(
        (r) => {
          const support = members.filter((id) =>
            own.get(id)!.results.some((x) => x.detector.id === r.detector.id && x.p <= MEMBER_SUPPORT_P),
          ).length;
          return support >= MEMBER_SUPPORT_SHARE * members.length;
        },
      );
      const strength = combinedStrength(results, [], lambda);
      // Act needs extraction content that most members show, corroborated by two more broad signals.
      const strong = results.filter((r) => r.strength >= thresholds.corroborate);
      const actAllowed = strong.length >= 3 && strong.some(isExtraction);
      const level = levelOf(strength, thresholds, actAllowed, corroborated(results));
      const links = clusterLinks(members, attributes, linkage.holders, synchronised);
      const signals = toSignals(results, thresholds.monitor);
      clusterState.set(clusterId, { strength, actAllowed, level, signals });
      clusters.push({
        cluster_id: clusterId,
        account_ids: members,
        score: scoreOfStrength(strength),
        level,
        events: pooled.n,
        links,
        signals,
        strength: round(strength),
      });
      clusterDetail.set(clusterId, { samples: pooled.samples.items, hourly });
    }
    clusters.sort((a, b) => b.score - a.score || b.account_ids.length - a.account_ids.length);

    const accounts: AccountFinding[] = [];
    for (const [id, s] of this.accounts) {
      const { results, strength: ownStrength } = own.get(id)!;
      const cid = clusterOf.get(id) ?? null;
      const cluster = cid ? clusterState.get(cid) : undefined;
      const content = results.filter(
        (r) => r.detector.family !== 'behaviour' && r.strength >= thresholds.corroborate,
      );
      const regression = isRegressionTesting(s);
      let actAllowed = !regression && content.length >= 2 && content.some(isExtraction);
      let strength = ownStrength;
      const intel = (this.external.get(id) ?? []).filter((sig) => sig.score >= 0.5).length;
      let reviewAllowed = corroborated(results, intel);
      const signals = toSignals(results, thresholds.monitor);
      for (const sig of this.external.get(id) ?? []) signals.push(sig);
      // A handful of linked accounts (a family, a small team) is judged account by account; a
      // campaign's heads inherit its level once the group is large enough to be an operation.
      const clusterSize = cid ? (clusterSizes.get(cid) ?? 0) : 0;
      if (
        cluster &&
        clusterSize >= CAMPAIGN_MIN_ACCOUNTS &&
        cluster.level !== 'none' &&
        cluster.level !== 'monitor'
      ) {
        strength = Math.max(strength, cluster.strength);
        actAllowed ||= cluster.actAllowed;
        reviewAllowed = true;
        signals.unshift({
          detector: 'linkage',
          score: scoreOfStrength(cluster.strength),
          evidence: `member of cluster ${cid} (${clusters.find((c) => c.cluster_id === cid)?.account_ids.length ?? 0} linked accounts) whose pooled traffic scores ${cluster.level}`,
          atlas: 'AML.T0040',
        });
      }
      if (regression && ownStrength >= thresholds.review) {
        signals.push({
          detector: 'regression-pattern',
          score: 0,
          evidence: `${s.repeats} of ${s.n} prompts repeat earlier ones and ${s.greedy} run at temperature 0: an evaluation or regression-testing pattern, so act is withheld`,
        });
      }
      accounts.push({
        account_id: id,
        score: scoreOfStrength(strength),
        level: levelOf(strength, thresholds, actAllowed, reviewAllowed),
        cluster_id: cid,
        events: s.n,
        signals,
        strength: round(strength),
      });
    }
    accounts.sort((a, b) => b.score - a.score || (a.account_id < b.account_id ? -1 : 1));

    // Accounts that appear only in the accounts file still belong in the findings.
    for (const id of [...this.records.keys()].sort()) {
      if (!this.accounts.has(id))
        accounts.push({ account_id: id, score: 0, level: 'none', cluster_id: null, events: 0, signals: [] });
    }

    const findings: Findings = {
      format: 'findings.v1',
      generated_at: new Date().toISOString(),
      input: {
        events: this.events,
        accounts: accounts.length,
        rejected_lines: input.rejectedLines ?? this.rejected,
        from: Number.isFinite(this.dataStart) ? new Date(this.dataStart).toISOString() : null,
        to: Number.isFinite(this.dataEnd) ? new Date(this.dataEnd).toISOString() : null,
      },
      accounts,
      clusters,
      calibration: undefined,
    };
    const calibration: Calibration = {
      method,
      reference_accounts: refEntities.length,
      lambda: round(lambda),
      target_fpr: cfg.targetFpr,
      thresholds: {
        monitor: scoreOfStrength(thresholds.monitor),
        review: scoreOfStrength(thresholds.review),
        act: scoreOfStrength(thresholds.act),
      },
    };
    findings.calibration = calibration;
    return {
      findings,
      calibration,
      clusters: clusterDetail,
      edges: linkage.edges.filter((e) => clusterOf.has(e.source)),
    };
  }
}

/** Re-sending the same prompts at temperature 0 measures a model; it harvests nothing new. */
function isRegressionTesting(s: EntityStats): boolean {
  return s.n >= 20 && s.repeats / s.n >= 0.3 && s.greedy / s.n >= 0.8;
}

const round = (x: number): number => Math.round(x * 100) / 100;
