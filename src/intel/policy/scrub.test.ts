import { describe, expect, it } from 'vitest';
import { scrub } from './scrub.js';

describe('scrub', () => {
  it('removes e-mail addresses, phone numbers, API keys and bearer tokens', () => {
    const input =
      'Contact ops.lead@example.org or +1 415-555-0199 / 020 7946 0958; key sk-proj-abcdEFGH1234ijklMNOP5678, ' +
      'header Bearer abc.def-ghi_jkl12345, AWS AKIAIOSFODNN7EXAMPLE, jwt eyJhbGciOi.eyJzdWIiOiIx.SflKxwRJSMeK';
    const r = scrub(input);
    expect(r.text).not.toMatch(/ops\.lead|415-555|7946|sk-proj|abc\.def|AKIA|eyJ/);
    expect(r.text).toContain('[email]');
    expect(r.text).toContain('[phone]');
    expect(r.text).toContain('[key]');
    expect(r.redactions).toBeGreaterThanOrEqual(6);
  });

  it('keeps counts, shares, dates and ordinary words', () => {
    const evidence =
      '388 of 412 prompts (94%) ask for step-by-step reasoning traces since 2026-11-02, 14 accounts';
    expect(scrub(evidence)).toEqual({ text: evidence, redactions: 0 });
  });
});
