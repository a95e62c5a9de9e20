import { UserError, type AccountRecord } from '../contracts/index.js';
import type { Detector } from '../detect/index.js';
import type { EntityStats } from '../features/index.js';
import {
  accountAttributes,
  LINK_WEIGHTS,
  linkAccounts,
  linkPopulation,
  synchronisedPairs,
  type PopulationLinkage,
} from '../link/index.js';

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

/**
 * linkPopulation with some link types left out: the same steps (see link/population-linkage.ts)
 * over attributes without those kinds, and no synchronised pairs when `sync_activity` is off.
 * Only ablation runs take this path; with nothing off it is linkPopulation itself.
 */
export function linkPopulationWithout(
  accounts: ReadonlyMap<string, EntityStats>,
  records: ReadonlyMap<string, AccountRecord>,
  seed: number,
  minClusterSize: number,
  off: ReadonlySet<string>,
): PopulationLinkage {
  if (off.size === 0) return linkPopulation(accounts, records, seed, minClusterSize);
  const attributes = new Map(
    [...accounts].map(([id, s]) => [
      id,
      accountAttributes(records.get(id), s).filter((a) => !off.has(a.kind)),
    ]),
  );
  const synchronised = off.has('sync_activity')
    ? []
    : synchronisedPairs(new Map([...accounts].map(([id, s]) => [id, s.activity])), seed);
  const linkage = linkAccounts(attributes, seed, synchronised);
  const byCommunity = new Map<number, string[]>();
  for (const [id, c] of linkage.community) {
    const list = byCommunity.get(c) ?? [];
    list.push(id);
    byCommunity.set(c, list);
  }
  const groups = [...byCommunity.values()].filter((members) => members.length >= minClusterSize);
  for (const members of groups) members.sort();
  return { attributes, synchronised, linkage, groups, linked: new Set(groups.flat()) };
}
