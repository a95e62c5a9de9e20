import type { Period } from './calendar.js';
import { DAY, HOUR } from './calendar.js';
import type { Rng } from './rng.js';

/** The provider's model line-up: a flagship, a small model, and a new flagship released mid-period. */
export const MODEL_FLAGSHIP = 'helix-3';
export const MODEL_SMALL = 'helix-3-mini';
export const MODEL_NEW = 'helix-3.5';

/**
 * Which model an account calls over time. Ordinary customers move to a new release over days or
 * weeks (many not at all within two weeks); an operator who wants the newest teacher switches
 * within hours.
 */
export class ModelChoice {
  constructor(
    private readonly smallShare: number,
    private readonly adoptAt: number,
    private readonly keepOldShare: number,
  ) {}

  static benign(period: Period, rng: Rng): ModelChoice {
    const smallShare = rng.weighted<number>([
      [0, 4],
      [0.3, 2],
      [1, 3],
    ]);
    let adoptAt = Number.POSITIVE_INFINITY;
    if (rng.chance(0.04))
      adoptAt = period.release + rng.range(0.2, 6) * HOUR; // early adopters exist
    else if (rng.chance(0.45)) adoptAt = period.release + rng.logNormal(3, 0.9) * DAY;
    return new ModelChoice(smallShare, adoptAt, rng.range(0, 0.3));
  }

  static eager(period: Period, rng: Rng, smallShare = 0): ModelChoice {
    return new ModelChoice(smallShare, period.release + rng.range(0.3, 5) * HOUR, 0);
  }

  static fixed(model: 'flagship' | 'small'): ModelChoice {
    return new ModelChoice(model === 'small' ? 1 : 0, Number.POSITIVE_INFINITY, 1);
  }

  at(ts: number, rng: Rng): string {
    if (rng.chance(this.smallShare)) return MODEL_SMALL;
    if (ts >= this.adoptAt && !rng.chance(this.keepOldShare)) return MODEL_NEW;
    return MODEL_FLAGSHIP;
  }
}
