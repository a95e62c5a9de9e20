import { describe, expect, it } from 'vitest';
import { checkStixPattern, policyFrom, readDgExtension } from '../src/intel/index.js';
import { analysedStream, exportAnalysed } from './simulated-analysis.js';

/*
 * Every STIX pattern DistillGuard writes must pass the grammar check the hub and other members
 * apply: the simulated traffic analysed and exported as `intel export` does, under the default
 * policy and under one that shares every kind in clear.
 */

describe('the patterns DistillGuard exports', () => {
  it(
    'are all valid STIX 2.1 patterns, for every indicator kind the simulation yields',
    { timeout: 600_000 },
    async () => {
      const analysed = analysedStream(11);
      const kinds = new Set<string>();
      let checked = 0;
      for (const policy of [
        policyFrom({}),
        policyFrom({
          min_confidence: 0,
          min_level: 'none',
          share_ip_in_clear: true,
          share_prompts_verbatim: true,
          share_elicitation_phrasings: true,
        }),
      ]) {
        const { bundle } = await exportAnalysed(analysed, policy);
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
