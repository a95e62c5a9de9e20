import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { AccountRecord } from '../contracts/index.js';
import { EntityStats } from '../features/index.js';
import { TOPIC_NAMES } from '../text/index.js';
import { coordinatedGroups, coordinationResults } from './complementary-coverage.js';

type Row = [
  id: string,
  truth: string,
  n: number,
  topicEvents: number,
  followUps: number,
  withSystem: number,
  topicWeight: number[],
  userAgents: [string, number][],
  prefixAsns: [string, number][],
  createdAt: string | null,
  signupIp: string | null,
  community?: number | null,
  templates?: number[],
];

/**
 * A simulated population as the linkage step sees it: every account with 8 or more requests,
 * its topic mass, task style, clients, /24–AS pairs and sign-up record, recorded from
 * `distillguard simulate --scale small --seed N` and the features the engine built from it
 * (fixtures/, written by the session that added the test). Truth labels ride along.
 */
function population(seed: number): {
  accounts: Map<string, EntityStats>;
  records: Map<string, AccountRecord>;
  truth: Map<string, string>;
  communities: Map<string, number>;
  templates: Map<string, string[]>;
} {
  const url = new URL(`./fixtures/small-seed-${seed}.json.gz`, import.meta.url);
  const { rows } = JSON.parse(gunzipSync(readFileSync(url)).toString('utf8')) as { rows: Row[] };
  const accounts = new Map<string, EntityStats>();
  const records = new Map<string, AccountRecord>();
  const truth = new Map<string, string>();
  const communities = new Map<string, number>();
  const templates = new Map<string, string[]>();
  for (const [
    id,
    label,
    n,
    topicEvents,
    followUps,
    withSystem,
    tw,
    uas,
    pas,
    created,
    ip,
    community,
    tpl,
  ] of rows) {
    if (community !== undefined && community !== null) communities.set(id, community);
    if (tpl?.length)
      templates.set(
        id,
        tpl.map((t) => `template${t}`),
      );
    const s = new EntityStats(1);
    s.n = n;
    s.topicEvents = topicEvents;
    s.followUps = followUps;
    s.withSystem = withSystem;
    for (let i = 0; i < tw.length; i += 2) s.topicWeight[tw[i]!] = tw[i + 1]!;
    for (const [ua, c] of uas) for (let k = 0; k < c; k++) s.userAgents.add(ua);
    for (const [pa, c] of pas) for (let k = 0; k < c; k++) s.prefixAsns.add(pa);
    accounts.set(id, s);
    records.set(id, {
      account_id: id,
      ...(created ? { created_at: created } : {}),
      ...(ip ? { signup_ip: ip } : {}),
    });
    truth.set(id, label);
  }
  expect(TOPIC_NAMES.length).toBeGreaterThan(
    Math.max(...rows.flatMap((r) => r[6].filter((_, i) => i % 2 === 0))),
  );
  return { accounts, records, truth, communities, templates };
}

const CAMPAIGN = 'low-rate-coordinated';

describe('complementary coverage on simulated populations', () => {
  // Seed 102: 28 accounts through one VPN provider, signed up within 3 days, each on one slice of
  // a capability taxonomy. The sign-up cohort proposed all 28, but only 14 % of their pairs were
  // fully disjoint in topics (every slice's tasks touch writing and data a little) against 14 %
  // in random groups: the old test rejected the group (p 0.49). Their topic mixes lie far apart.
  it('finds a VPN sign-up cohort that splits a task space, and nothing else (seed 102)', () => {
    const { accounts, records, truth } = population(102);
    const groups = coordinatedGroups(accounts, records, 102, 5);
    expect(groups).toHaveLength(1);
    const [g] = groups;
    const campaign = [...truth].filter(([, t]) => t === CAMPAIGN).map(([id]) => id);
    expect(g!.members.every((id) => truth.get(id) === CAMPAIGN)).toBe(true);
    expect(g!.members.length).toBeGreaterThanOrEqual(0.9 * campaign.length);
    expect(g!.coverage.p).toBeLessThan(1e-3);
    expect(g!.coverage.spread).toBeGreaterThan(g!.coverage.nullSpread);
  });

  // Seed 108: 43 accounts signed up over 16 days from their own home networks (no VPN), 63 % on
  // one SDK build. Client × calendar week split them into cells; only 14 were proposed, too few
  // for the coverage test (p 0.007). A client cohort over a sliding window proposes them together.
  it('finds a campaign bound only by one SDK build and a sign-up cohort on home networks (seed 108)', () => {
    const { accounts, records, truth } = population(108);
    const groups = coordinatedGroups(accounts, records, 108, 5);
    expect(groups).toHaveLength(1);
    const [g] = groups;
    expect(g!.members.every((id) => truth.get(id) === CAMPAIGN)).toBe(true);
    expect(g!.members.length).toBeGreaterThanOrEqual(20);
    expect(g!.joint.description).toMatch(/^a client, /);
  });

  // Seed 104: 46 accounts signed up within two days from their own home networks, 55 % on one SDK
  // build. The client cohort proposed only those 26 (57 % of the campaign at review); the other 20
  // share no weak attribute, only the sign-up days and the one-shot task style.
  it('takes in the cohort-mates that share no weak attribute but signed up with the members (seed 104)', () => {
    const { accounts, records, truth } = population(104);
    const campaign = [...truth].filter(([, t]) => t === CAMPAIGN).map(([id]) => id);
    const groups = coordinatedGroups(accounts, records, 104, 5);
    expect(groups).toHaveLength(1);
    const [g] = groups;
    expect(g!.members.every((id) => truth.get(id) === CAMPAIGN)).toBe(true);
    expect(g!.members.length).toBeGreaterThanOrEqual(0.9 * campaign.length);
    expect(g!.cohort!.added.length).toBeGreaterThanOrEqual(10);
    expect(g!.cohort!.expected).toBeLessThan(0.1 * g!.cohort!.taskStyle);
    // Accounts another community holds are that cluster's, not cohort-mates: here one linked with
    // twice as many ordinary people who hold conversations (most of it is nothing like the group).
    // A community made of the cohort-mates alone would be the operator's own and go with the group.
    const talkers = [...truth]
      .filter(([id, t]) => t === 'benign' && accounts.get(id)!.followUps > 0.5 * accounts.get(id)!.n)
      .slice(0, 2 * g!.cohort!.added.length)
      .map(([id]) => id);
    const elsewhere = new Map([...g!.cohort!.added, ...talkers].map((id) => [id, 1] as const));
    const [held] = coordinatedGroups(accounts, records, 104, 5, elsewhere);
    expect(held!.members.filter((id) => elsewhere.has(id))).toEqual([]);
    const alone = new Map(g!.cohort!.added.map((id) => [id, 1] as const));
    const [own] = coordinatedGroups(accounts, records, 104, 5, alone);
    expect(own!.members.filter((id) => alone.has(id)).length).toBe(g!.cohort!.added.length);
  });

  // Seed 137256: 42 accounts, 63 % on one SDK build, no VPN, signed up over 19.5 days. The client
  // cohort proposed the 24 on the build; 13 task-style accounts that signed up in their span were
  // all the operator's, but the expectation was taken from a share of task-style accounts those 13
  // made up most of themselves (18 in the population): 1.44 expected, over a tenth of 13, so none
  // was taken in and the campaign stayed at 57 % at review. The expectation comes from outside the
  // span now (5 of 1,177 sign-ups elsewhere are task-style).
  it('judges cohort-mates against sign-ups outside the span, which the operator does not inflate (seed 137256)', () => {
    const { accounts, records, truth } = population(137256);
    const campaign = [...truth].filter(([, t]) => t === CAMPAIGN).map(([id]) => id);
    const groups = coordinatedGroups(accounts, records, 137256, 5);
    const members = groups.flatMap((g) => g.members);
    expect(members.filter((id) => truth.get(id) !== CAMPAIGN)).toEqual([]);
    const [g] = groups;
    expect(g!.cohort!.added.length).toBeGreaterThanOrEqual(10);
    expect(g!.members.length).toBeGreaterThanOrEqual(0.8 * campaign.length);
  });

  // Seeds 5 and 107: the client cohort proposed most of the operator's accounts; the rest signed
  // up in the members' span from their own networks with another client. Counted among all
  // task-style sign-ups they fell short — on 5, 3 against 0.30 expected (over a tenth by chance);
  // on 107, 2 against 0.24 (p 0.024) — and the campaign stayed under 90 % at review. What ties them
  // to the operator is what each of its accounts is: one narrow slice of the members' task space.
  // Counted as such, they stand out (3 against 0.21, 2 against 0.08).
  it("takes in the sign-ups that keep to one slice of the members' task space when task style alone falls short (seeds 5, 107)", () => {
    for (const seed of [5, 107]) {
      const { accounts, records, truth } = population(seed);
      const campaign = [...truth].filter(([, t]) => t === CAMPAIGN).map(([id]) => id);
      const groups = coordinatedGroups(accounts, records, seed, 5);
      expect(groups, `seed ${seed}`).toHaveLength(1);
      const [g] = groups;
      expect(g!.members.filter((id) => truth.get(id) !== CAMPAIGN)).toEqual([]);
      expect(g!.cohort?.added.length ?? 0, `seed ${seed}`).toBeGreaterThanOrEqual(2);
      expect(g!.cohort!.narrow).toBe(true);
      expect(g!.cohort!.expected).toBeLessThan(0.1 * g!.cohort!.taskStyle);
      expect(g!.members.length).toBeGreaterThanOrEqual(0.9 * campaign.length);
    }
  });

  it('takes no narrow sign-up in where ordinary people keep to one topic as often as the operator does', () => {
    // Every third ordinary account made task-style and put on its main topic alone: narrow
    // one-shot users are then common outside the span too, and nobody is taken in.
    for (const seed of [5, 107]) {
      const { accounts, truth, records } = population(seed);
      [...truth]
        .filter(([, t]) => t === 'benign')
        .forEach(([id], i) => {
          if (i % 3 !== 0) return;
          const s = accounts.get(id)!;
          const top = s.topicWeight.indexOf(Math.max(...s.topicWeight));
          s.followUps = 0;
          s.withSystem = 0;
          s.topicWeight.forEach((_, k) => {
            if (k !== top) s.topicWeight[k] = 0;
          });
        });
      const groups = coordinatedGroups(accounts, records, seed, 5);
      expect(groups.flatMap((g) => g.members).filter((id) => truth.get(id) !== CAMPAIGN)).toEqual([]);
      expect(groups.every((g) => g.cohort === undefined)).toBe(true);
    }
  });

  it('leaves a group as proposed where ordinary people send one-shot prompts as often as the operator', () => {
    // Every third ordinary account made task-style: the sign-up days then hold task-style people
    // too, so nobody is taken in on sign-up time and style alone.
    const { accounts, records, truth } = population(104);
    const ordinary = [...truth].filter(([, t]) => t === 'benign').map(([id]) => id);
    const saved = ordinary.map(
      (id) => [accounts.get(id)!, accounts.get(id)!.followUps, accounts.get(id)!.withSystem] as const,
    );
    ordinary.forEach((id, i) => {
      if (i % 3 !== 0) return;
      accounts.get(id)!.followUps = 0;
      accounts.get(id)!.withSystem = 0;
    });
    try {
      const groups = coordinatedGroups(accounts, records, 104, 5);
      expect(groups.flatMap((g) => g.members).filter((id) => truth.get(id) !== CAMPAIGN)).toEqual([]);
      expect(groups.every((g) => g.cohort === undefined)).toBe(true);
    } finally {
      for (const [s, f, w] of saved) {
        s.followUps = f;
        s.withSystem = w;
      }
    }
  });

  it('rejects campus users and ordinary sign-up weeks proposed as a cohort, and accepts the campaign so proposed', () => {
    // Proposals are the weak-attribute step's; the coverage test must still reject groups of
    // people who are proposed. Each group below is given one sign-up /24 and day (a cohort far
    // beyond chance) and made task-style (only task-style members are tested), then tested.
    for (const seed of [102, 108]) {
      const { accounts, records, truth } = population(seed);
      const of = (pred: (t: string, id: string) => boolean): string[] =>
        [...truth].filter(([id, t]) => pred(t, id)).map(([id]) => id);
      const weeks = new Map<number, string[]>();
      for (const id of of((t) => t === 'benign')) {
        const created = records.get(id)?.created_at;
        if (!created) continue;
        const w = Math.floor(Date.parse(created) / (7 * 86_400_000));
        weeks.set(w, [...(weeks.get(w) ?? []), id]);
      }
      const people = [
        of((t) => t === 'trap:university-nat'),
        // The three largest weeks of ordinary sign-ups.
        ...[...weeks.values()].sort((a, b) => b.length - a.length).slice(0, 3),
      ];
      const asProposed = (members: string[]): number => {
        const recs = new Map(records);
        const saved = members.map(
          (id) => [accounts.get(id)!, accounts.get(id)!.followUps, accounts.get(id)!.withSystem] as const,
        );
        members.forEach((id, i) => {
          recs.set(id, {
            account_id: id,
            created_at: new Date(Date.parse('2025-03-03T09:00:00Z') + i * 60_000).toISOString(),
            signup_ip: `192.0.2.${1 + (i % 250)}`,
          });
          accounts.get(id)!.followUps = 0;
          accounts.get(id)!.withSystem = 0;
        });
        try {
          return coordinatedGroups(accounts, recs, seed, 5).filter((g) =>
            g.members.some((id) => members.includes(id)),
          ).length;
        } finally {
          for (const [s, f, w] of saved) {
            s.followUps = f;
            s.withSystem = w;
          }
        }
      };
      expect(asProposed(of((t) => t === CAMPAIGN))).toBe(1);
      expect(people.length).toBe(4);
      expect(people.every((g) => g.length >= 15)).toBe(true);
      for (const members of people)
        expect(asProposed(members), `seed ${seed}: ${members.length} ${truth.get(members[0]!)}`).toBe(0);
    }
  });

  // Seeds 137256 and 18, with the linked communities the linkage step passed in (recorded). On
  // 137256 three of the operator's accounts on one slice (programming) share task templates and
  // form a community of their own that no proposed member is in: as "another cluster's" they were
  // never cohort-mates (36 of 42 found). On 18 five accounts of a 119-account hydra fleet share
  // the campaign's SDK build and sign-up days, so the client cohort proposed them as members
  // (cluster precision 0.86), and two campaign accounts that signed up outside the members' span
  // were left though linked into communities of members. A community goes with the group that
  // holds (or could hold, as cohort-mates) more than half of it.
  it("takes in small communities of the operator's own accounts and leaves another fleet's accounts to it (seeds 137256, 18)", () => {
    for (const [seed, least] of [
      [137256, 39],
      [18, 33],
    ] as const) {
      const { accounts, records, truth, communities } = population(seed);
      expect(communities.size, `seed ${seed}`).toBeGreaterThan(100);
      const groups = coordinatedGroups(accounts, records, seed, 5, communities);
      expect(groups, `seed ${seed}`).toHaveLength(1);
      const [g] = groups;
      expect(
        g!.members.filter((id) => truth.get(id) !== CAMPAIGN),
        `seed ${seed}`,
      ).toEqual([]);
      expect(g!.members.length, `seed ${seed}`).toBeGreaterThanOrEqual(least);
    }
    // The template-linked three on 137256 are members, and so is every account of their community.
    const { accounts, records, communities } = population(137256);
    const [g] = coordinatedGroups(accounts, records, 137256, 5, communities);
    const trio = ['acct_07vho1h35jqj9el3', 'acct_barra2klfmunt0p3', 'acct_db50zjlrb4eyosf0'];
    expect(new Set(trio.map((id) => communities.get(id))).size).toBe(1);
    expect(trio.filter((id) => !g!.members.includes(id))).toEqual([]);
  });
});

describe('a linked community takes a proposed member away only when it is a cluster of its own', () => {
  // Medium seed 1: a campaign account shared a sign-up IP and a template prefix with two ordinary
  // accounts; the three were one linked community, two thirds of it not like the group, and the
  // account left the group (low-rate 67 -> 66 of 69). Two or three ordinary-looking accounts are
  // no evidence of another cluster, and an operator could link every account to a couple of them.
  const talkersOf = (accounts: Map<string, EntityStats>, truth: Map<string, string>): string[] =>
    [...truth]
      .filter(([id, t]) => t === 'benign' && accounts.get(id)!.followUps > 0.5 * accounts.get(id)!.n)
      .map(([id]) => id);

  it('keeps a member linked into a small community with two ordinary accounts, one member or all of them (seed 18)', () => {
    const { accounts, records, truth, communities } = population(18);
    const [g] = coordinatedGroups(accounts, records, 18, 5, communities);
    const talkers = talkersOf(accounts, truth).filter((id) => !communities.has(id));
    // The proposed members in no linked community (cohort-mates and community fellows join only
    // through a community that goes with the group; those of the operator's template communities
    // stay in them), each linked into one with two ordinary accounts, as on medium seed 1.
    const joined = new Set([...(g!.cohort?.added ?? []), ...(g!.fellows ?? [])]);
    const members = g!.members.filter((id) => !joined.has(id) && !communities.has(id));
    expect(members.length).toBeGreaterThanOrEqual(10);
    expect(talkers.length).toBeGreaterThanOrEqual(2 * members.length);
    const one = new Map(communities);
    for (const id of [members[0]!, talkers[0]!, talkers[1]!]) one.set(id, 1000);
    const [withOne] = coordinatedGroups(accounts, records, 18, 5, one);
    expect(withOne?.members).toEqual(g!.members);
    // Every such member in a community of its own with two ordinary accounts: the group stays whole.
    const each = new Map(communities);
    members.forEach((id, k) => {
      for (const m of [id, talkers[2 * k]!, talkers[2 * k + 1]!]) each.set(m, 1000 + k);
    });
    const groups = coordinatedGroups(accounts, records, 18, 5, each);
    expect(groups).toHaveLength(1);
    expect(groups[0]!.members).toEqual(g!.members);
  });

  it("drops a member whose community is another fleet's, or holds a cluster's worth of accounts unlike the group (seed 18)", () => {
    const { accounts, records, truth, communities } = population(18);
    const [g] = coordinatedGroups(accounts, records, 18, 5, communities);
    const joined = new Set([...(g!.cohort?.added ?? []), ...(g!.fellows ?? [])]);
    const member = g!.members.find((id) => !communities.has(id) && !joined.has(id))!;
    // Into the 119-account hydra fleet's community.
    const hydra = communities.get([...truth].find(([, t]) => t === 'hydra')![0])!;
    const fleet = new Map(communities).set(member, hydra);
    const [inFleet] = coordinatedGroups(accounts, records, 18, 5, fleet);
    expect(inFleet!.members).not.toContain(member);
    expect(inFleet!.members.length).toBe(g!.members.length - 1);
    // Into a community with six ordinary accounts linked together: a cluster without the member.
    const six = talkersOf(accounts, truth)
      .filter((id) => !communities.has(id))
      .slice(0, 6);
    const crowd = new Map(communities);
    for (const id of [member, ...six]) crowd.set(id, 1000);
    const [inCrowd] = coordinatedGroups(accounts, records, 18, 5, crowd);
    expect(inCrowd!.members).not.toContain(member);
  });
});

describe("low-rate accounts that re-use the members' prompt templates", () => {
  // Seed 608219: 28 low-rate accounts; 23 were found (82 %). Four of the five left sent only task
  // prompts, signed up the same night as the members or within an hour after the last, and each
  // re-used two to four of the members' prompt templates; none shared a weak attribute with them,
  // and none was as narrow in topic as every member, so neither cohort-mates nor community fellows
  // took them in. Nobody that signed up outside that window re-used two of the members' templates.
  const MISSED = [
    'acct_513gcp4nd51crkv9',
    'acct_p4q34l6h1zyqrpqm',
    'acct_q25sy926odmi0y6t',
    'acct_rzd449yzsk699gfq',
  ];
  const run = (p: ReturnType<typeof population>, templates = p.templates) =>
    coordinatedGroups(p.accounts, p.records, 1, 3, p.communities, templates);

  it('takes them in, and says which templates, which window and how improbable (seed 608219)', () => {
    const p = population(608219);
    const campaign = [...p.truth].filter(([, t]) => t === CAMPAIGN).map(([id]) => id);
    const before = run(p, new Map());
    expect(before).toHaveLength(1);
    expect(MISSED.filter((id) => before[0]!.members.includes(id))).toEqual([]);
    const groups = run(p);
    expect(groups).toHaveLength(1);
    const [g] = groups;
    expect(g!.members.filter((id) => p.truth.get(id) !== CAMPAIGN)).toEqual([]);
    expect(g!.recipe!.added.map((a) => a.id).sort()).toEqual(MISSED);
    expect(g!.members.length).toBeGreaterThanOrEqual(0.95 * campaign.length);
    expect(g!.recipe!.log10p).toBeLessThanOrEqual(-2);
    expect(g!.recipe!.expected).toBeLessThan(0.1 * g!.recipe!.found);
    for (const a of g!.recipe!.added) {
      expect(a.templates.length).toBeGreaterThanOrEqual(2);
      expect(a.with.every((id) => before[0]!.members.includes(id))).toBe(true);
    }
    // The evidence names each joined account with the templates it re-uses and whose they are.
    const text = coordinationResults(g!)
      .map((r) => r.measurement.evidence)
      .join('\n');
    for (const a of g!.recipe!.added) {
      expect(text).toContain(a.id);
      for (const t of a.templates) expect(text).toContain(t);
      expect(text).toContain(a.with[0]!);
    }
    expect(text).toContain(`Between ${g!.recipe!.from} and ${g!.recipe!.to}`);
    expect(text).toMatch(/Poisson p = \d\.\de-\d+/);
    // The joint count's expectation is how many members may be there by chance (1.2 here); the
    // reviewer is told so when it rounds to one or more, and not when it does not.
    expect(Math.round(g!.joint.expected)).toBe(1);
    expect(text).toContain(
      'so about 1 of them may hold it by chance: each member is checked on its own before any action',
    );
    const rare = { ...g!, joint: { ...g!.joint, expected: 0.3 } };
    expect(coordinationResults(rare)[1]!.measurement.evidence).not.toContain('by chance');
  });

  // The adversary's view: an operator that wants an innocent account swept in can only use a
  // recipe; the appeals team's: an ordinary account that re-uses two popular templates (a public
  // prompt recipe) and happened to sign up that night. It joins only when the population says two
  // of those templates are rare outside the window.
  it('leaves out an ordinary account that re-uses two popular templates of the members and signed up in the window (seed 608219)', () => {
    const p = population(608219);
    const [g] = run(p);
    const members = new Set(g!.members);
    const donor = g!.members.find((id) => (p.templates.get(id)?.length ?? 0) >= 2 && !MISSED.includes(id))!;
    const pair = p.templates.get(donor)!.slice(0, 2);
    const night = p.records.get(donor)!.created_at!;
    const ordinary = [...p.truth]
      .filter(([id, t]) => t === 'benign' && !p.communities.has(id) && !members.has(id))
      .map(([id]) => id);
    const [person, ...others] = ordinary;
    // The ordinary account: task-style, signed up beside a member, re-using two of its templates.
    p.records.set(person!, { ...p.records.get(person!)!, account_id: person!, created_at: night });
    p.accounts.get(person!)!.followUps = 0;
    p.accounts.get(person!)!.withSystem = 0;
    p.templates.set(person!, [...pair]);
    // Held by members only, the pair is the operator's: the account joins like any recipe-mate.
    const rare = run(p)[0]!;
    expect(rare.recipe!.added.map((a) => a.id)).toContain(person);
    // Re-used by 2 % of the ordinary accounts that signed up on other days, the pair is popular:
    // the window's share of them is well over a tenth of an account, and the account stays out,
    // while the operator's accounts (rare templates) still join beside it.
    const window = [Date.parse(rare.recipe!.from), Date.parse(rare.recipe!.to) + 60_000];
    const outside = others.filter((id) => {
      const t = Date.parse(p.records.get(id)?.created_at ?? '');
      return Number.isFinite(t) && (t < window[0]! || t > window[1]!);
    });
    for (const id of outside.slice(0, Math.ceil(0.02 * outside.length)))
      p.templates.set(id, [...(p.templates.get(id) ?? []), ...pair]);
    const [popular] = run(p);
    expect(popular!.members).not.toContain(person);
    expect(popular!.recipe!.added.map((a) => a.id).sort()).toEqual(MISSED);
  });

  // Small seed 684435: a low-rate account's linked community was itself and two members; once
  // they left it for the group, it was no cluster, yet the account was counted as in one.
  it('looks at an account whose linked community the group took all but it of, and not at one still in a cluster (seed 608219)', () => {
    const p = population(608219);
    const [g] = run(p);
    // One broader in topic than every member, so not a community fellow once linked to two of them.
    const mate = 'acct_rzd449yzsk699gfq';
    const two = g!.members.filter((id) => !MISSED.includes(id) && !p.communities.has(id)).slice(0, 2);
    const dissolved = new Map(p.communities);
    for (const id of [mate, ...two]) dissolved.set(id, 10_000);
    const [left] = coordinatedGroups(p.accounts, p.records, 1, 3, dissolved, p.templates);
    expect(left!.recipe!.added.map((a) => a.id)).toContain(mate);
    // With three ordinary accounts the community is still a cluster after the members leave it.
    const ordinary = [...p.truth]
      .filter(([id, t]) => t === 'benign' && !p.communities.has(id) && !g!.members.includes(id))
      .slice(0, 3)
      .map(([id]) => id);
    const cluster = new Map(dissolved);
    for (const id of ordinary) cluster.set(id, 10_000);
    const [kept] = coordinatedGroups(p.accounts, p.records, 1, 3, cluster, p.templates);
    expect(kept!.members).not.toContain(mate);
  });

  it('takes nobody in where ordinary people outside the window re-use the recipe as often (seed 608219)', () => {
    // Every third ordinary account that signed up outside the window made task-style and given
    // two of a member's templates: the window's four are then what the rate outside predicts.
    const p = population(608219);
    const [g] = run(p);
    const window = [Date.parse(g!.recipe!.from), Date.parse(g!.recipe!.to) + 60_000];
    const donors = g!.members.filter((id) => (p.templates.get(id)?.length ?? 0) >= 2);
    [...p.truth]
      .filter(([id, t]) => {
        const at = Date.parse(p.records.get(id)?.created_at ?? '');
        return t === 'benign' && !p.communities.has(id) && (at < window[0]! || at > window[1]!);
      })
      .forEach(([id], i) => {
        if (i % 3 !== 0) return;
        const s = p.accounts.get(id)!;
        s.followUps = 0;
        s.withSystem = 0;
        p.templates.set(id, p.templates.get(donors[i % donors.length]!)!.slice(0, 2));
      });
    const [held] = run(p);
    expect(held!.recipe).toBeUndefined();
    expect(MISSED.filter((id) => held!.members.includes(id))).toEqual([]);
  });
});
