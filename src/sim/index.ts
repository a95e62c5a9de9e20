/** The traffic simulator: benign population, false-positive traps and extraction campaigns. */
export {
  simulate,
  simulationStream,
  type SimulateOptions,
  type SimulationStream,
  type SimulationSummary,
} from './simulation.js';
export type { SimAccount } from './simulated-exchange.js';
export { SCALES, type Scale, type ScaleSpec } from './scales.js';
export { CorpusBank, Deck, type CorpusFile, type CorpusRole, type CorpusText } from './corpus.js';
export { Rng, mixKeys } from './rng.js';
export { periodFor, type Period } from './calendar.js';
export { MODEL_FLAGSHIP, MODEL_NEW, MODEL_SMALL } from './models.js';
export { CAPABILITIES, capabilityTask, type Capability } from './capability-taxonomy.js';
export {
  ELICITATION_PREFIXES,
  ELICITATION_SUFFIXES,
  drawElicitationStyle,
  wrapWithElicitation,
  type ElicitationStyle,
} from './elicitation-wrappers.js';
export { casualAnswer, reasoningAnswer } from './answers.js';
export { actorKit, TaskQueue, type ActorKit } from './actor-kit.js';
export { ACTORS } from './population.js';
export { TOPICS } from './benign-topics.js';
export { COUNTRIES, CLOUDS, UNIVERSITIES, type Country } from './geography.js';
