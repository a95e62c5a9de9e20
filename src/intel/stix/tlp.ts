import type { StixObject } from '../../contracts/index.js';

/** TLP 2.0 in STIX 2.1: the official marking-definition objects published by OASIS (created 2022-10-01). */
export const TLP_EXTENSION_ID = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';

export const TLP_LEVELS = ['clear', 'green', 'amber', 'amber+strict', 'red'] as const;
export type TlpLevel = (typeof TLP_LEVELS)[number];

export const TLP_IDS: Record<TlpLevel, string> = {
  clear: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  green: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  amber: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'amber+strict': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  red: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
};

export function tlpMarkingDefinition(level: TlpLevel): StixObject {
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id: TLP_IDS[level],
    created: '2022-10-01T00:00:00.000Z',
    name: `TLP:${level.toUpperCase()}`,
    extensions: { [TLP_EXTENSION_ID]: { extension_type: 'property-extension', tlp_2_0: level } },
  };
}

export function parseTlp(text: string): TlpLevel | undefined {
  const t = text.trim().toLowerCase().replace(/^tlp:/, '');
  return (TLP_LEVELS as readonly string[]).includes(t) ? (t as TlpLevel) : undefined;
}

/** The most restrictive TLP level among an object's marking refs, or undefined when unmarked. */
export function tlpOf(markingRefs: readonly string[] | undefined): TlpLevel | undefined {
  let worst: TlpLevel | undefined;
  for (const ref of markingRefs ?? []) {
    const level = TLP_LEVELS.find((l) => TLP_IDS[l] === ref);
    if (level && (worst === undefined || TLP_LEVELS.indexOf(level) > TLP_LEVELS.indexOf(worst)))
      worst = level;
  }
  return worst;
}

/** RED and AMBER+STRICT must never reach anyone outside the sharing group that received them. */
export const isGroupRestricted = (level: TlpLevel | undefined): boolean =>
  level === 'red' || level === 'amber+strict';
