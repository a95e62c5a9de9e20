import type { AccountRecord, ApiEvent, Findings } from '../schema/index.js';
import type { LinkEdge } from './engine.js';

/** Messages to the engine worker; FIFO, so events always arrive before the analyze that follows them. */
export type EngineRequest =
  | { type: 'events'; id: number; events: ApiEvent[] }
  | { type: 'accounts'; records: AccountRecord[] }
  | { type: 'benign'; accountIds: string[] }
  | { type: 'analyze'; id: number; rejectedLines: number };

export type EngineReply =
  | { type: 'ack'; id: number }
  | { type: 'result'; id: number; findings: Findings; edges: LinkEdge[] }
  | { type: 'error'; id: number; message: string };
