import {
  DetectConfig,
  type AccountRecord,
  type ApiEvent,
  type DetectConfigInput,
  type EngineState,
  type AccountState,
  type Signal,
} from '../contracts/index.js';
import { HashedNgramEmbedder, WordVectorEmbedder } from '../text/index.js';
import { DETECTORS, type Detector } from '../detect/index.js';
import {
  DAY_MS,
  EntityStats,
  extractFeatures,
  HOUR_MS,
  LineFeatures,
  RandomFourierFeatures,
  type EventFeatures,
} from '../features/index.js';
import type { EventLineView } from '../ingest/index.js';
import { scoreAccounts } from './account-scoring.js';
import { assembleFindings, type AnalysisDetail } from './assembly.js';
import { calibrate } from './calibration.js';
import { scoreClusters } from './cluster-scoring.js';
import { KERNEL_DIMENSIONS, type PopulationView } from './population-view.js';
import { switchedOff } from './switched-off.js';
import { linkPopulation } from '../link/index.js';

/**
 * Prompt representations for the kernel two-sample test. Gaussian kernel bandwidths over unit
 * vectors are the median heuristic on people's prompts (hh-rlhf human turns): the median
 * pairwise distance is 0.96 for hashed n-grams and 0.42 for the averaged word vectors.
 */
const REPRESENTATIONS = {
  'hashed-ngrams': { make: () => new HashedNgramEmbedder(1024), bandwidth: 1 },
  'word-vectors': { make: () => new WordVectorEmbedder(), bandwidth: 0.42 },
} as const;

/** An engine's state with its kernel sums packed (see exportPartition). */
export interface PartitionState {
  state: EngineState;
  kernels: Float64Array;
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
  private readonly detectors: readonly Detector[];
  /** Link types `disable` switched off (empty but for ablation runs). */
  private readonly linksOff: ReadonlySet<string>;
  events = 0;
  rejected = 0;

  /**
   * `sharedFeatures`: an engine of the same configuration whose feature caches (prompts, texts,
   * ids) this one uses too. A scale-out worker runs one engine per partition; separate caches
   * each saw a sixteenth of the traffic and missed the prompts repeated across partitions. The
   * caches are pure memos of the same functions, so the features are the same either way.
   */
  constructor(
    config: DetectConfigInput = {},
    detectors: readonly Detector[] = DETECTORS,
    sharedFeatures?: DetectionEngine,
  ) {
    this.config = DetectConfig.parse(config);
    const off = switchedOff(this.config.disable, detectors);
    this.detectors = detectors.filter((d) => !off.detectors.has(d.id));
    this.linksOff = off.links;
    const rep = REPRESENTATIONS[this.config.embedder];
    this.embedder = rep.make();
    this.rff = new RandomFourierFeatures(this.embedder.dimensions, KERNEL_DIMENSIONS, rep.bandwidth);
    this.lineFeatures =
      sharedFeatures && sharedFeatures.config.embedder === this.config.embedder
        ? sharedFeatures.lineFeatures
        : new LineFeatures((tokens) =>
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

  /**
   * Features → detection → linkage → findings: the accounts' features are complete, so mark early
   * adopters, link the population, calibrate on its benign reference, score accounts, re-score
   * linked groups as clusters, and assemble the findings.
   */
  analyze(input: { rejectedLines?: number } = {}): AnalysisDetail {
    const cfg = this.config;
    this.prepareFeatures();
    this.baseline?.prepareFeatures();
    const population = this.view();
    const link = linkPopulation(this.accounts, this.records, cfg.seed, cfg.minClusterSize, this.linksOff);
    const cal = calibrate(population, this.baseline?.view(), link.linked, this.detectors, cfg);
    const own = scoreAccounts(population, this.detectors, cal);
    const clusters = scoreClusters(population, link, own, this.detectors, cal);
    const summary = {
      events: this.events,
      rejectedLines: input.rejectedLines ?? this.rejected,
      dataStart: this.dataStart,
      dataEnd: this.dataEnd,
    };
    return assembleFindings(population, own, clusters, link, cal, summary, cfg.targetFpr);
  }

  /**
   * Accounts in id order, so partitions merged in any order score exactly alike, each with its
   * early adoption of the models released during the data.
   */
  private prepareFeatures(): void {
    this.sortAccounts();
    const releases = this.releases();
    for (const s of this.accounts.values()) s.earlyAdoption = s.earlyUse(releases);
  }

  /** This engine's state as the findings step reads it. */
  private view(): PopulationView {
    return {
      accounts: this.accounts,
      records: this.records,
      external: this.external,
      hourly: this.hourly,
      benignReference: this.benignReference,
      dataEnd: this.dataEnd,
    };
  }
}
