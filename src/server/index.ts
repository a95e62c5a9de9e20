export { startService, type StartServiceOptions, type RunningService } from './service.js';
export type { EventIngest, StoredEvents } from './event-ingest.js';
export type { IngestThread, IngestThreadOptions } from './ingest-thread-client.js';

export { Role } from './api-keys.js';
