import { atlasFullName, atlasTechnique, atlasUrl, type StixObject } from '../../contracts/index.js';
import { DG_IDENTITY_ID } from './extension.js';
import { TLP_IDS } from './tlp.js';
import { stableId } from './ids.js';

/**
 * The MITRE ATLAS technique as every member writes it: same id, dates and text (from the one
 * table, contracts/atlas.ts), so the hub can accept it from anyone (it belongs to no member) and
 * refuse any other content under its id.
 */
export function atlasAttackPattern(atlas: string): StixObject {
  const t = atlasTechnique(atlas);
  return {
    type: 'attack-pattern',
    spec_version: '2.1',
    id: stableId('attack-pattern', 'mitre-atlas', atlas),
    // Written by the DistillGuard project identity (in every bundle beside it) and TLP:CLEAR:
    // public ATLAS text, the same for every member and every TLP, so the hub can hold one copy.
    created_by_ref: DG_IDENTITY_ID,
    created: '2026-11-01T00:00:00.000Z',
    // Bumped when the text moved to ATLAS 5.6 names: a change is a new version. No tactic here:
    // the sharing policy's allow-list strips kill_chain_phases, and the hub takes only the exact text.
    modified: '2026-12-03T00:00:00.000Z',
    object_marking_refs: [TLP_IDS.clear],
    name: t ? atlasFullName(t) : atlas,
    ...(t ? { description: t.description } : {}),
    external_references: [{ source_name: 'mitre-atlas', external_id: atlas, url: atlasUrl(atlas) }],
  };
}
