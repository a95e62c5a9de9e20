import { UserError } from '../contracts/index.js';
import type { Detector } from '../detect/index.js';
import { LINK_WEIGHTS } from '../link/index.js';

/** Every link type linkage knows, in its own order. */
export const LINK_TYPES: readonly string[] = Object.keys(LINK_WEIGHTS);

/**
 * Splits `DetectConfig.disable` into detector ids and link types, refusing a name that is
 * neither (a typo would otherwise silently measure nothing).
 */
export function switchedOff(
  disable: readonly string[],
  detectors: readonly Detector[],
): { detectors: Set<string>; links: Set<string> } {
  const ids = new Set(detectors.map((d) => d.id));
  const links = new Set(LINK_TYPES);
  const out = { detectors: new Set<string>(), links: new Set<string>() };
  for (const name of disable) {
    if (ids.has(name)) out.detectors.add(name);
    else if (links.has(name)) out.links.add(name);
    else
      throw new UserError(
        'INVALID_CONFIG',
        `disable: "${name}" is neither a detector nor a link type (detectors: ${[...ids].join(', ')}; link types: ${LINK_TYPES.join(', ')})`,
      );
  }
  return out;
}
