import type { AccountRecord } from '../contracts/index.js';
import type { EntityStats } from '../features/index.js';
import {
  accountAttributes,
  accountValuesUsed,
  linkAccounts,
  type Attribute,
  type LinkageResult,
} from './linkage.js';
import { synchronisedPairs, type SyncLink } from './synchronised-activity.js';

/** The whole population linked: what each account holds, who acts in step, and the resulting groups. */
export interface PopulationLinkage {
  attributes: Map<string, Attribute[]>;
  synchronised: SyncLink[];
  linkage: LinkageResult;
  /**
   * Communities of at least the minimum cluster size, members in id order, communities in the
   * order linkage found them: the candidate clusters the findings step re-scores.
   */
  groups: string[][];
  /** Every account in one of `groups`. */
  linked: Set<string>;
}

/**
 * Links the accounts of one population: their sign-up and traffic attributes and their
 * synchronised activity feed one linkage graph, whose large enough communities are the groups.
 */
export function linkPopulation(
  accounts: ReadonlyMap<string, EntityStats>,
  records: ReadonlyMap<string, AccountRecord>,
  seed: number,
  minClusterSize: number,
): PopulationLinkage {
  const attributes = new Map<string, Attribute[]>();
  const used = new Map<string, Attribute[]>();
  for (const [id, s] of accounts) {
    attributes.set(id, accountAttributes(records.get(id), s));
    used.set(id, accountValuesUsed(s));
  }
  const synchronised = synchronisedPairs(new Map([...accounts].map(([id, s]) => [id, s.activity])), seed);
  const linkage = linkAccounts(attributes, seed, synchronised, used);
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
