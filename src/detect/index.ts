export { DETECTORS } from './detectors/index.js';
export type { Detector, Stat } from './detector.js';
export { fitNullModels, pValue } from './null-models.js';
export type { DetectionContext } from './detector.js';
export {
  combinedStrength,
  corroborated,
  genomicControl,
  levelOf,
  runDetectors,
  scoreOfStrength,
  toSignals,
} from './fusion.js';
export type { DetectorResult, LevelThresholds } from './fusion.js';
export type { NullModels } from './null-models.js';
