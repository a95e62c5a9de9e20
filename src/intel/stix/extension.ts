import type { StixObject } from '../../contracts/index.js';
import { TLP_IDS } from './tlp.js';

/**
 * Distillation-specific properties ride in one STIX 2.1 property-extension, never as ad-hoc
 * top-level fields. Its id is fixed (a v4 UUID minted once) so every member recognises it.
 */
export const DG_EXTENSION_ID = 'extension-definition--0f5c2c7e-8d4b-4e7a-9b7e-5d3c2a1f0e9d';
export const DG_IDENTITY_ID = 'identity--0f5c2c7e-8d4b-4e7a-9b7e-5d3c2a1f0e9e';

export function distillGuardIdentity(): StixObject {
  return {
    type: 'identity',
    spec_version: '2.1',
    id: DG_IDENTITY_ID,
    created_by_ref: DG_IDENTITY_ID,
    created: '2026-11-01T00:00:00.000Z',
    // Bumped when created_by_ref and the marking were added: a change is a new version.
    modified: '2026-12-01T00:00:00.000Z',
    object_marking_refs: [TLP_IDS.clear],
    name: 'DistillGuard project',
    identity_class: 'organization',
  };
}

export function distillGuardExtensionDefinition(): StixObject {
  return {
    type: 'extension-definition',
    spec_version: '2.1',
    id: DG_EXTENSION_ID,
    created_by_ref: DG_IDENTITY_ID,
    created: '2026-11-01T00:00:00.000Z',
    modified: '2026-11-01T00:00:00.000Z',
    name: 'DistillGuard distillation-campaign properties',
    description:
      'Properties for adversarial-distillation campaigns: cluster size, detector evidence, keyed hashes ' +
      '(HMAC-SHA256 under a community key with key id), prompt-template MinHash signatures with LSH band keys, ' +
      'elicitation phrasings. See docs/sharing.md.',
    schema: 'https://github.com/distillguard/distillguard/blob/main/docs/sharing.md',
    version: '1.0.0',
    extension_types: ['property-extension'],
  };
}

/** The extension block to put under `extensions` of an object. */
export const dgExtension = (props: Record<string, unknown>): Record<string, Record<string, unknown>> => ({
  [DG_EXTENSION_ID]: { extension_type: 'property-extension', ...props },
});

export function readDgExtension(o: {
  extensions?: Record<string, unknown>;
}): Record<string, unknown> | undefined {
  const e = o.extensions?.[DG_EXTENSION_ID];
  return e && typeof e === 'object' ? (e as Record<string, unknown>) : undefined;
}
