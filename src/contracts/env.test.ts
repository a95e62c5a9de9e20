import { describe, expect, it, vi } from 'vitest';
import { ENV_VARS, readEnv } from './env.js';

describe('environment variables: one prefix, old names as deprecated aliases', () => {
  it('every variable starts with DISTILLGUARD_', () => {
    for (const name of Object.keys(ENV_VARS)) expect(name).toMatch(/^DISTILLGUARD_[A-Z_]+$/);
  });

  it('the new name wins; the old one still works once with a warning; empty is unset', () => {
    const warn = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const both = { DISTILLGUARD_HUB_API_KEY: 'new', DG_HUB_API_KEY: 'old' };
      expect(readEnv('DISTILLGUARD_HUB_API_KEY', both)).toBe('new');
      expect(warn).not.toHaveBeenCalled();
      expect(readEnv('DISTILLGUARD_PROBE_API_KEY', { PROBE_API_KEY: 'old' })).toBe('old');
      expect(readEnv('DISTILLGUARD_PROBE_API_KEY', { PROBE_API_KEY: 'old' })).toBe('old');
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(
        /^warning: PROBE_API_KEY is deprecated; set DISTILLGUARD_PROBE_API_KEY/,
      );
      expect(
        readEnv('DISTILLGUARD_DATABASE_URL', { DISTILLGUARD_DATABASE_URL: '', DATABASE_URL: '' }),
      ).toBeUndefined();
      expect(readEnv('DISTILLGUARD_LOG_LEVEL', { LOG_LEVEL: 'warn' })).toBe('warn');
    } finally {
      warn.mockRestore();
    }
  });
});
