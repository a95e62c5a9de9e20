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
    if (findings) return { findings };
    // None scored yet: empty findings dated as never made (the Unix epoch, as an empty view is),
    // so neither the API nor the findings-age metric presents them as fresh.
    const empty = new DetectionEngine().analyze().findings;
    return { findings: { ...empty, generated_at: new Date(0).toISOString() } };
  }
}
