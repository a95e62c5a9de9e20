import { Rng, mixKeys } from './rng.js';

export type ParameterValue = number | string | boolean;

/**
 * One campaign's parameters for one simulation, drawn from wide ranges on a stream of their own
 * (keyed by seed, account prefix and campaign, so adding a campaign or a draw elsewhere moves no
 * other campaign's draws). Every value drawn is recorded under its name, and the simulation
 * writes the record into truth.json: an evaluation that misses a campaign can say what it was.
 */
export class CampaignParameters {
  readonly values: Record<string, ParameterValue> = {};
  private readonly rng: Rng;

  constructor(seed: number, prefix: string, campaign: string) {
    this.rng = Rng.derive(mixKeys(seed, [prefix, 'campaign-parameters', campaign]));
  }

  range(name: string, lo: number, hi: number): number {
    return this.record(name, Math.round(this.rng.range(lo, hi) * 1000) / 1000);
  }

  int(name: string, lo: number, hi: number): number {
    return this.record(name, this.rng.int(lo, hi));
  }

  chance(name: string, p: number): boolean {
    return this.record(name, this.rng.chance(p));
  }

  pick<T extends string | number>(name: string, items: readonly T[]): T {
    return this.record(name, this.rng.pick(items));
  }

  /**
   * A link between the campaign's accounts that exists with probability `exists`: the share of
   * accounts that carry it, from [lo, hi], or 0 when the operator did without it this time.
   */
  link(name: string, exists: number, lo: number, hi: number): number {
    const v = this.rng.chance(exists) ? Math.round(this.rng.range(lo, hi) * 1000) / 1000 : 0;
    return this.record(name, v);
  }

  /** A stream for the campaign's own further draws (after the recorded ones). */
  fork(): Rng {
    return this.rng.fork();
  }

  private record<T extends ParameterValue>(name: string, v: T): T {
    this.values[name] = v;
    return v;
  }
}
