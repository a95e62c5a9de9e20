import { DetectionEngine } from '../findings/index.js';
import { latestFindingsSnapshot, type CoreDb } from '../store/index.js';
import type { EngineResult, FindingsEngine } from '../pipeline/index.js';

/**
 * The server's engine when scale-out workers do detection (`serve --nats`): events go to the
 * stream, not into this process, and "analyzing" reads the newest findings snapshot the
 * workers' global stage stored in the shared PostgreSQL.
 */
export class StoredFindingsEngine implements FindingsEngine {
  constructor(private readonly db: CoreDb) {}

  addAccount(): void {}
  addEvent(): void {}
  addBenignReference(): void {}

  async analyze(): Promise<EngineResult> {
    const findings = await latestFindingsSnapshot(this.db);
    return { findings: findings ?? new DetectionEngine().analyze().findings };
  }
}
