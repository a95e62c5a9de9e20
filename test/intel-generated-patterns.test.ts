import { describe, expect, it } from 'vitest';
import type { ApiEvent } from '../src/contracts/index.js';
import { DetectionEngine } from '../src/findings/index.js';
import {
  checkStixPattern,
  exportBundle,
  keyRingFrom,
  policyFrom,
  readDgExtension,
} from '../src/intel/index.js';
import { simulationStream } from '../src/sim/index.js';

/*
 * Every STIX pattern DistillGuard writes must pass the grammar check the hub and other members
 * apply: the simulated traffic analysed and exported as `intel export` does, under the default
 * policy and under one that shares every kind in clear.
 */

const ring = keyRingFrom({ current: 'isac-1', keys: [{ id: 'isac-1', secret: '3c'.repeat(32) }] });

describe('the patterns DistillGuard exports', () => {
  it(
    'are all valid STIX 2.1 patterns, for every indicator kind the simulation yields',
    { timeout: 600_000 },
    async () => {
      const sim = simulationStream({ scale: 'small', seed: 11 });
      const engine = new DetectionEngine();
      const events: ApiEvent[] = [];
      for (const a of sim.accounts) engine.addAccount(a.record);
      for (const e of sim.events()) {
        engine.addEvent(e);
        events.push(e);
      }
      const findings = engine.analyze().findings;
      const kinds = new Set<string>();
      let checked = 0;
      for (const policy of [
        policyFrom({}),
        policyFrom({
          min_confidence: 0,
          share_ip_in_clear: true,
          share_prompts_verbatim: true,
          share_elicitation_phrasings: true,
        }),
      ]) {
        const { bundle } = await exportBundle({
          findings,
          events,
          accounts: sim.accounts.map((a) => a.record),
          publisher: { name: 'org-a' },
          keyRing: ring,
          policy,
        });
        for (const o of bundle.objects ?? []) {
          if (o.type !== 'indicator') continue;
          expect(o.pattern_type).toBe('stix');
          expect(checkStixPattern(String(o.pattern)), String(o.pattern)).toMatchObject({ ok: true });
          kinds.add(String(readDgExtension(o)?.kind));
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(10);
      // Clear and keyed networks, clients, keyed identities, templates and phrasings all occur.
      for (const k of ['ip_prefix', 'ip_prefix_hmac', 'asn', 'user_agent', 'template', 'elicitation_phrase'])
        expect([...kinds]).toContain(k);
    },
  );
});
