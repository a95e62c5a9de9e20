export { DETECTORS } from './detectors/index.js';
export type { Detector, Stat } from './detector.js';
export { fitNullModels, type NullModels } from './null-models.js';
export type { DetectionContext } from './detector.js';
export {
  accountStrength,
  combinedStrength,
  corroboration,
  CORROBORATION_RULE,
  CORROBORATION_STRENGTH,
  evidenceLines,
  genomicControl,
  levelOf,
  MIN_EXTRACTION_REQUESTS,
  pText,
  requestsBehind,
  restated,
  runDetectors,
  scoreOfStrength,
  toSignals,
  type DetectorResult,
  type LevelDecision,
  type LevelThresholds,
} from './fusion.js';
