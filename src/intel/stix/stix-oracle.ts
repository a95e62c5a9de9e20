import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv';

const BUNDLE_ID =
  'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/common/bundle.json';

export interface StixOracle {
  validateBundle(bundle: unknown): { valid: boolean; errors: string[] };
  /** One object against one schema file, e.g. `common/extension-definition.json`. */
  validateAgainst(schemaFile: string, object: unknown): { valid: boolean; errors: string[] };
}

function listJson(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory()
      ? listJson(path.join(dir, d.name))
      : d.name.endsWith('.json')
        ? [path.join(dir, d.name)]
        : [],
  );
}

/**
 * The OASIS schemas as a validator: every file registered by its `$id` so cross-file refs resolve.
 * They declare draft 2020-12; some patterns are not valid in unicode mode.
 */
export function loadStixOracle(dir: string): StixOracle {
  const Ajv = Ajv2020 as unknown as typeof Ajv2020.default;
  const ajv = new Ajv({ strict: false, unicodeRegExp: false, allErrors: false, validateFormats: false });
  for (const file of listJson(dir)) ajv.addSchema(JSON.parse(readFileSync(file, 'utf8')) as object);
  const validate = ajv.getSchema(BUNDLE_ID);
  if (!validate) throw new Error('bundle schema missing from the STIX schema directory');
  const run = (v: typeof validate, value: unknown): { valid: boolean; errors: string[] } => {
    const valid = v(value) as boolean;
    const errors = (v.errors ?? []).map(
      (e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? ''} (${e.schemaPath})`,
    );
    return { valid, errors: valid ? [] : errors };
  };
  return {
    validateBundle: (bundle) => run(validate, bundle),
    validateAgainst(schemaFile, object) {
      const v = ajv.getSchema(BUNDLE_ID.replace('common/bundle.json', schemaFile));
      if (!v) throw new Error(`no STIX schema ${schemaFile}`);
      return run(v, object);
    },
  };
}
