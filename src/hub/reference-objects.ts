import { ATLAS_TECHNIQUES } from '../contracts/index.js';
import {
  TLP_LEVELS,
  atlasAttackPattern,
  canonicalJson,
  distillGuardIdentity,
  tlpMarkingDefinition,
} from '../intel/index.js';

/**
 * Objects every member's bundle carries with the same id and the same content: the official TLP
 * 2.0 marking definitions, DistillGuard's MITRE ATLAS attack-patterns and the DistillGuard project
 * identity that creates them. They belong to no
 * member, so anyone may publish them, but only exactly as written here (canonical JSON).
 */
const REFERENCE = new Map<string, string>(
  [
    ...TLP_LEVELS.map(tlpMarkingDefinition),
    ...ATLAS_TECHNIQUES.map((t) => atlasAttackPattern(t.id)),
    distillGuardIdentity(),
  ].map((o) => [o.id, canonicalJson(o)]),
);

export type ReferenceCheck = 'not-reference' | 'reference' | 'altered-reference';

export function referenceCheck(o: { id: string }): ReferenceCheck {
  const canonical = REFERENCE.get(o.id);
  if (canonical === undefined) return 'not-reference';
  return canonicalJson(o) === canonical ? 'reference' : 'altered-reference';
}
