import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DetectConfigInput, Findings } from '../../contracts/index.js';

/**
 * The scoring thread (scoring-thread.ts) runs a worker's scoring rounds (scorer.ts) with a
 * database connection of its own, so the worker's event loop keeps applying batches while a round
 * loads the changed account states and analyzes them. The thread keeps its engine between rounds. Both ends are this build: not validated.
 */
export interface ScoringThreadData {
  /** The workers' PostgreSQL (the thread opens its own pool; scoring uses two connections). */
  store: { url: string; schema?: string | undefined };
  config?: DetectConfigInput | undefined;
  /** Send the whole findings back with each round (only when someone reads them: `onScored`). */
  withFindings: boolean;
}

export type ScoringRequest =
  | { type: 'score'; id: number; force: boolean }
  /** Open the pool now (the modules are loaded by then), so the first round does not pay for it. */
  | { type: 'warm' };

/** What one round wrote (null: another worker was scoring, or nothing changed since the last). */
export interface ScoredRound {
  accounts: number;
  clusters: number;
  /** Account state rows the round read from PostgreSQL (only those written since the last round). */
  rowsLoaded: number;
  findings?: Findings;
}

export type ScoringReply =
  | { type: 'scored'; id: number; round: ScoredRound | null }
  /** The round failed (say PostgreSQL away); the thread goes on. */
  | { type: 'error'; id: number; message: string };

/** The compiled thread entry, for `new Worker`. */
export const SCORING_THREAD_URL = new URL('./scoring-thread.js', import.meta.url);

/** True in the built CLI; sources run under tests have no compiled entry and score in process. */
export const scoringThreadAvailable = (): boolean => existsSync(fileURLToPath(SCORING_THREAD_URL));
