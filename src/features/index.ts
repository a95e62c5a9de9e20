export { ActivitySlots, SLOTS_PER_DAY } from './activity-slots.js';
export {
  BACK_TO_BACK_MS,
  DAY_MS,
  EntityStats,
  HOUR_MS,
  NEAR_MAX_TOP_LOGPROBS,
  type PromptSample,
} from './entity-stats.js';
export { extractFeatures, requestShapeText, type EventFeatures } from './event-features.js';
export { RandomFourierFeatures, meanDistanceSquared } from './kernel-features.js';
export { LineFeatures } from './line-features.js';
export {
  betaBinomialFromMoments,
  betaBinomialSumSurvival,
  betaBinomialSurvival,
  binomialSurvival,
  chiSquareEvenSurvivalLog10,
  chiSquareMedian,
  countBelow,
  entropy,
  fisherStatistic,
  mad,
  median,
  normalSurvival,
  poissonSurvivalLog10,
  quantile,
  twoProportionSurvival,
  type BetaBinomial,
} from './statistics.js';
