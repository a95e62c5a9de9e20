import { existsSync } from 'node:fs';
import path from 'node:path';

/** The OASIS STIX 2.1 JSON schemas in ../shared beside the project (tests only; never shipped). */
export function stixSchemaDir(): string | undefined {
  const dir = path.resolve(import.meta.dirname, '../../shared/stix2-json-schemas/schemas');
  return existsSync(dir) ? dir : undefined;
}

/** The schemas folder, or a clear failure when ../shared is absent (the tests' reference oracle). */
export function requiredStixSchemaDir(): string {
  const dir = stixSchemaDir();
  if (!dir) throw new Error('../shared/stix2-json-schemas/schemas is absent');
  return dir;
}
