import type { AccountRecord, ApiEvent, Findings } from '../../contracts/index.js';
import type { LinkEdge, UnusableRecord } from './findings-engine.js';

/** Messages to the engine worker; FIFO, so events always arrive before the analyze that follows them. */
export type EngineRequest =
  | { type: 'events'; id: number; events: ApiEvent[] }
  | { type: 'accounts'; records: AccountRecord[] }
  | { type: 'benign'; accountIds: string[] }
  | { type: 'analyze'; id: number; rejectedLines: number };

export type EngineReply =
  /** An event batch taken in (frees its in-flight slot), with the events the engine threw on. */
  | { type: 'ack'; id: number; unusable: UnusableRecord[] }
  /** Account records the engine threw on (skipped; the others were taken in). */
  | { type: 'unusable'; unusable: UnusableRecord[] }
  | { type: 'result'; id: number; findings: Findings; edges: LinkEdge[] }
  | { type: 'error'; id: number; message: string };
