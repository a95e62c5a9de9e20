import type { Detector } from '../detector.js';
import { automationTiming } from './automation-timing.js';
import { conversationShape } from './conversation-shape.js';
import { distributionShift } from './distribution-shift.js';
import { elicitationPacing } from './elicitation-pacing.js';
import { elicitationSweep } from './elicitation-sweep.js';
import { elicitationUnanswered } from './elicitation-unanswered.js';
import { harvestVolume } from './harvest-volume.js';
import { outputHarvesting } from './output-harvesting.js';
import { reasoningElicitation } from './reasoning-elicitation.js';
import { templating } from './templating.js';
import { topicSweep } from './topic-sweep.js';
import { volumeRamp } from './volume-ramp.js';

/** The detector registry: one file per detector, listed once here. */
export const DETECTORS: readonly Detector[] = [
  reasoningElicitation,
  templating,
  topicSweep,
  elicitationSweep,
  elicitationPacing,
  elicitationUnanswered,
  distributionShift,
  outputHarvesting,
  harvestVolume,
  conversationShape,
  automationTiming,
  volumeRamp,
];
