import type { AccountRecord } from '../contracts/index.js';
import type { EntityStats } from '../features/index.js';
import {
  accountAttributes,
  accountValuesUsed,
  attrKey,
  linkAccounts,
  recordAttributes,
  type Attribute,
  type LinkageResult,
} from './linkage.js';
import { synchronisedPairs, type SyncLink } from './synchronised-activity.js';
import { coordinatedGroups, type CoordinationEvidence } from './complementary-coverage.js';

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
  /**
   * Groups found through coordination (jointly rare weak attributes, a task list shared out),
   * keyed by their first member: also in `groups`, with the evidence that formed them.
   */
  coordination: Map<string, CoordinationEvidence>;
  /**
   * Holders among accounts with a record but no traffic (not linked, so not in linkage's
   * `holders`), for linked values only: added to the population holder count cluster links carry.
   */
  recordOnlyHolders: Map<string, number>;
}

/**
 * Links the accounts of one population: their sign-up and traffic attributes and their
 * synchronised activity feed one linkage graph, whose large enough communities are the groups.
 * `off` leaves link types out (attribute kinds, `sync_activity`): only ablation runs pass it.
 */
export function linkPopulation(
  accounts: ReadonlyMap<string, EntityStats>,
  records: ReadonlyMap<string, AccountRecord>,
  seed: number,
  minClusterSize: number,
  off: ReadonlySet<string> = new Set(),
): PopulationLinkage {
  const attributes = new Map<string, Attribute[]>();
  const used = new Map<string, Attribute[]>();
  const kept = (a: Attribute): boolean => !off.has(a.kind);
  for (const [id, s] of accounts) {
    attributes.set(id, accountAttributes(records.get(id), s).filter(kept));
    used.set(id, accountValuesUsed(s).filter(kept));
  }
  const synchronised = off.has('sync_activity')
    ? []
    : synchronisedPairs(new Map([...accounts].map(([id, s]) => [id, s.activity])), seed);
  const linkage = linkAccounts(attributes, seed, synchronised, used);
  const byCommunity = new Map<number, string[]>();
  for (const [id, c] of linkage.community) {
    const list = byCommunity.get(c) ?? [];
    list.push(id);
    byCommunity.set(c, list);
  }
  const linkedGroups = [...byCommunity.values()].filter((members) => members.length >= minClusterSize);
  for (const members of linkedGroups) members.sort();
  // A coordinated group is one operator's: its members leave any community they were linked into.
  const communityOf = new Map(linkedGroups.flatMap((members, k) => members.map((id) => [id, k] as const)));
  const templates = new Map(
    [...attributes].map(([id, attrs]) => [
      id,
      attrs.filter((a) => a.kind === 'template').map((a) => a.value),
    ]),
  );
  const coordinated = coordinatedGroups(accounts, records, seed, minClusterSize, communityOf, templates);
  const claimed = new Set(coordinated.flatMap((c) => c.members));
  const groups = [
    ...linkedGroups
      .map((members) => members.filter((id) => !claimed.has(id)))
      .filter((members) => members.length >= minClusterSize),
    ...coordinated.map((c) => c.members),
  ];
  const coordination = new Map(coordinated.map((c) => [c.members[0]!, c]));
  const recordOnlyHolders = new Map<string, number>();
  for (const [id, record] of records)
    if (!accounts.has(id))
      for (const key of new Set(recordAttributes(record).map(attrKey)))
        if (linkage.holders.has(key)) recordOnlyHolders.set(key, (recordOnlyHolders.get(key) ?? 0) + 1);
  return {
    attributes,
    synchronised,
    linkage,
    groups,
    linked: new Set(groups.flat()),
    coordination,
    recordOnlyHolders,
  };
}
