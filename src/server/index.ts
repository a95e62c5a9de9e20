export { startService } from './service.js';
export type { StartServiceOptions, RunningService } from './service.js';

export { Role } from './api-keys.js';
