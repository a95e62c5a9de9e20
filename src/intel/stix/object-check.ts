import { STIX_OBJECT_TYPES, StixCustomObject } from '../../contracts/index.js';
import { checkStixPattern } from './stix-pattern.js';

/** Problems reported per object; more say nothing new and would only grow a hostile poster's status. */
const MAX_PROBLEMS = 5;
/** Longest problem text kept (a hostile property name is echoed in it; a pattern's reason needs ~200). */
const MAX_PROBLEM_CHARS = 240;

const clip = (s: string): string => (s.length > MAX_PROBLEM_CHARS ? `${s.slice(0, MAX_PROBLEM_CHARS)}…` : s);

/** How a pattern problem starts, so callers can tell it from schema problems (and name its code). */
export const PATTERN_PROBLEM_PREFIX = 'pattern: not a STIX 2.1 pattern';

/**
 * The grammar of an indicator's `pattern` when `pattern_type` is `stix` (STIX 2.1 §9), as one
 * problem `pattern: …`; undefined for valid patterns, other pattern types and other objects.
 */
export function indicatorPatternProblem(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const o = value as { type?: unknown; pattern?: unknown; pattern_type?: unknown };
  if (o.type !== 'indicator' || o.pattern_type !== 'stix' || typeof o.pattern !== 'string') return undefined;
  const v = checkStixPattern(o.pattern);
  return v.ok ? undefined : clip(`${PATTERN_PROBLEM_PREFIX} (INVALID_STIX_PATTERN): ${v.message}`);
}

/**
 * What is wrong with one STIX 2.1 object, checked from the installed package alone (the zod
 * schemas in contracts/stix-objects.ts, which follow the OASIS JSON schemas): at most five
 * problems as `<property path>: <what is wrong>`; empty when the object is valid. An indicator's
 * STIX pattern is checked against the patterning grammar too.
 */
export function stixObjectProblems(value: unknown): string[] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return ['(object): not a JSON object'];
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') return ['type: required, a string'];
  const schema = Object.hasOwn(STIX_OBJECT_TYPES, type) ? STIX_OBJECT_TYPES[type]! : StixCustomObject;
  const r = schema.safeParse(value);
  const pattern = indicatorPatternProblem(value);
  const problems = r.success
    ? []
    : r.error.issues.map((i) => clip(`${i.path.map(String).join('.') || '(object)'}: ${i.message}`));
  return (pattern ? [pattern, ...problems] : problems).slice(0, MAX_PROBLEMS);
}
