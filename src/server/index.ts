export { startService, type StartServiceOptions, type RunningService } from './service.js';

export type { IngestThread } from './ingest-thread-client.js';
