import { statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { CanaryBanks, UserError } from '../../contracts/index.js';
import { readUserFile } from '../../ingest/index.js';

const MAX_BANKS_BYTES = 4_000_000;

/**
 * An operator's own canary banks (YAML or JSON, the shape of DEFAULT_CANARY_BANKS). The gateway and
 * the probe must load the same file: the probe redraws served and control canaries from it.
 */
export function readCanaryBanks(path: string): CanaryBanks {
  const text = readUserFile(path, 'canary banks', 'check the --canary-banks path');
  // Checked after the read so a missing file gets readUserFile's message; banks are small lists.
  if (statSync(path).size > MAX_BANKS_BYTES) {
    throw new UserError(
      'INVALID_CONFIG',
      `Canary banks ${path} are larger than ${MAX_BANKS_BYTES / 1e6} MB.`,
    );
  }
  let raw: unknown;
  try {
    // maxAliasCount bounds YAML alias expansion (a billion-laughs file).
    raw = parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new UserError(
      'INVALID_CONFIG',
      `Canary banks ${path} are not valid YAML or JSON: ${(err as Error).message}`,
    );
  }
  const parsed = CanaryBanks.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new UserError('INVALID_CONFIG', `Canary banks ${path} are not valid: ${problems}.`);
  }
  return parsed.data;
}
