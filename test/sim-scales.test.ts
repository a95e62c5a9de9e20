import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { AccountRecord } from '../src/contracts/index.js';
import { simulationStream } from '../src/sim/index.js';

const schemaPath = resolve(process.cwd(), '../shared/spec/api-event.schema.json');
const haveShared = existsSync(schemaPath);
if (!haveShared && process.env.CI)
  throw new Error(`../shared is required when CI is set (looked for ${schemaPath})`);
if (!haveShared) console.log(`skipping scale schema checks: ${schemaPath} is absent`);

// Whole medium and large runs take minutes (bench/ measures them); here every account record and
// the first day's worth of events of each scale go through the independent JSON Schema oracle.
describe.skipIf(!haveShared)('every scale validates against the shared JSON Schema', () => {
  const cases = [
    { scale: 'medium', hydra: 1_500, accounts: [18_000, 23_000], events: 30_000 },
    { scale: 'large', hydra: 5_000, accounts: [90_000, 115_000], events: 10_000 },
  ] as const;
  for (const c of cases) {
    it(`${c.scale}: accounts, truth and the first ${c.events} events`, () => {
      const ajv = new Ajv2020({ strict: false });
      addFormats.default(ajv);
      const validate = ajv.compile(JSON.parse(readFileSync(join(schemaPath), 'utf8')) as object);
      const sim = simulationStream({ scale: c.scale, seed: 2 });
      expect(sim.accounts.length).toBeGreaterThanOrEqual(c.accounts[0]);
      expect(sim.accounts.length).toBeLessThanOrEqual(c.accounts[1]);
      // The hydra's size is drawn per seed within 0.7-1.3x the scale's nominal size, and recorded.
      expect(sim.truth.clusters.hydra).toHaveLength(sim.truth.parameters!.hydra!.accounts as number);
      expect(sim.truth.clusters.hydra!.length).toBeGreaterThanOrEqual(0.7 * c.hydra);
      expect(sim.truth.clusters.hydra!.length).toBeLessThanOrEqual(1.3 * c.hydra);
      for (const a of sim.accounts) expect(AccountRecord.safeParse(a.record).success).toBe(true);
      let n = 0;
      let invalid = 0;
      const campaigns = new Set<string>();
      for (const e of sim.events()) {
        if (!validate(e)) invalid++;
        campaigns.add(e.labels?.campaign ?? 'benign');
        if (++n >= c.events) break;
      }
      expect(n).toBe(c.events);
      expect(invalid).toBe(0);
      expect(campaigns.has('benign') && campaigns.has('hydra')).toBe(true);
    }, 600_000);
  }
});
