import { STIX_OBJECT_TYPES, StixCustomObject } from '../../contracts/index.js';

/** Problems reported per object; more say nothing new and would only grow a hostile poster's status. */
const MAX_PROBLEMS = 5;
/** Longest problem text kept (a hostile property name is echoed in it). */
const MAX_PROBLEM_CHARS = 200;

const clip = (s: string): string => (s.length > MAX_PROBLEM_CHARS ? `${s.slice(0, MAX_PROBLEM_CHARS)}…` : s);

/**
 * What is wrong with one STIX 2.1 object, checked from the installed package alone (the zod
 * schemas in contracts/stix-objects.ts, which follow the OASIS JSON schemas): at most five
 * problems as `<property path>: <what is wrong>`; empty when the object is valid.
 */
export function stixObjectProblems(value: unknown): string[] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return ['(object): not a JSON object'];
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') return ['type: required, a string'];
  const schema = Object.hasOwn(STIX_OBJECT_TYPES, type) ? STIX_OBJECT_TYPES[type]! : StixCustomObject;
  const r = schema.safeParse(value);
  if (r.success) return [];
  return r.error.issues
    .slice(0, MAX_PROBLEMS)
    .map((i) => clip(`${i.path.map(String).join('.') || '(object)'}: ${i.message}`));
}
