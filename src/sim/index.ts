/** The traffic simulator: benign population, false-positive traps and extraction campaigns. */
export { simulate, simulationStream, type SimulationStream, type SimulationSummary } from './simulation.js';

export { type Scale } from './scales.js';
export { CorpusBank, type CorpusFile } from './corpus.js';

export { ELICITATION_PREFIXES, ELICITATION_SUFFIXES } from './elicitation-wrappers.js';

export { COUNTRIES } from './geography.js';
