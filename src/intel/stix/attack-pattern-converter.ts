import type { StixObject } from '../../contracts/index.js';
import { ATLAS_TECHNIQUES, DG_IDENTITY_ID } from './extension.js';
import { TLP_IDS } from './tlp.js';
import { stableId } from './ids.js';

/** What every exported campaign uses, whatever its detectors name. */
export const BASE_TECHNIQUES = ['AML.T0024.002', 'AML.T0005.001', 'AML.T0040'];

/**
 * The MITRE ATLAS technique as every member writes it: same id, dates and text, so the hub can
 * accept it from anyone (it belongs to no member) and refuse any other content under its id.
 */
export function atlasAttackPattern(atlas: string): StixObject {
  const t = ATLAS_TECHNIQUES[atlas];
  return {
    type: 'attack-pattern',
    spec_version: '2.1',
    id: stableId('attack-pattern', 'mitre-atlas', atlas),
    // Written by the DistillGuard project identity (in every bundle beside it) and TLP:CLEAR:
    // public ATLAS text, the same for every member and every TLP, so the hub can hold one copy.
    created_by_ref: DG_IDENTITY_ID,
    created: '2026-11-01T00:00:00.000Z',
    modified: '2026-12-01T00:00:00.000Z',
    object_marking_refs: [TLP_IDS.clear],
    name: t?.name ?? atlas,
    ...(t ? { description: t.description } : {}),
    external_references: [
      { source_name: 'mitre-atlas', external_id: atlas, url: `https://atlas.mitre.org/techniques/${atlas}` },
    ],
  };
}
