import { describe, expect, it } from 'vitest';
import type { AccountRecord } from '../contracts/index.js';
import { ipPrefix, seededRandom } from '../text/index.js';
import { signupCohorts } from './complementary-coverage.js';

const DAY = 86_400_000;
const WINDOW_START = Date.parse('2026-06-01T00:00:00Z');

/**
 * An ordinary population: 2,000 people who signed up over about two years (most long ago, a
 * steady trickle of newcomers), 35 % of them through one big ISP from its many /24s, 5 % through
 * commercial VPNs, and a launch week in which 300 of them signed up at once (the ISP's share
 * of it as usual).
 */
function population(seed: number): {
  ids: string[];
  records: Map<string, AccountRecord>;
  networks: Map<string, string>;
} {
  const random = seededRandom(seed);
  const ids: string[] = [];
  const records = new Map<string, AccountRecord>();
  const networks = new Map<string, string>();
  const launch = WINDOW_START - 40 * DAY;
  const add = (id: string, t: number, asn: number, prefixes: number): void => {
    const prefix = `${asn % 200}.${(asn >> 3) % 250}.${Math.floor(random() * prefixes)}`;
    networks.set(ipPrefix(`${prefix}.1`)!, `AS${asn}`);
    ids.push(id);
    records.set(id, {
      account_id: id,
      created_at: new Date(t).toISOString(),
      signup_ip: `${prefix}.${1 + Math.floor(random() * 250)}`,
    });
  };
  for (let i = 0; i < 2000; i++) {
    const t =
      i < 300 ? launch + random() * 7 * DAY : WINDOW_START - DAY - -Math.log(1 - random()) * 260 * DAY;
    const u = random();
    // The big ISP; one of six VPN providers; else one of 400 smaller networks.
    if (u < 0.35) add(`user${i}`, t, 7922, 200);
    else if (u < 0.4) add(`user${i}`, t, 9009 + Math.floor(random() * 6), 5);
    else add(`user${i}`, t, 20_000 + Math.floor(random() * 400), 4);
  }
  return { ids, records, networks };
}

describe('sign-up cohorts', () => {
  it('forms no cohort of ordinary people, however many sign up through one big ISP or VPN in the same weeks', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { ids, records, networks } = population(seed);
      // The ISP alone has dozens of sign-ups in the launch week: a count without its own rate
      // beside it would call them a cohort.
      const launch = WINDOW_START - 40 * DAY;
      const isp = ids.filter((id) => {
        const r = records.get(id)!;
        const t = Date.parse(r.created_at!);
        return networks.get(ipPrefix(r.signup_ip!)!) === 'AS7922' && t >= launch && t < launch + 7 * DAY;
      });
      expect(isp.length).toBeGreaterThan(80);
      expect(signupCohorts(ids, records, networks)).toEqual([]);
    }
  });

  it('finds an operator creating accounts over two weeks through one VPN network, from its several /24s', () => {
    for (const seed of [1, 2, 3]) {
      const { ids, records, networks } = population(seed);
      const random = seededRandom(seed + 100);
      const start = WINDOW_START - 30 * DAY;
      const operator: string[] = [];
      for (let i = 0; i < 30; i++) {
        const id = `op${i}`;
        // The provider's five exit /24s, one at random for each sign-up.
        const prefix = `${9009 % 200}.${(9009 >> 3) % 250}.${Math.floor(random() * 5)}`;
        networks.set(ipPrefix(`${prefix}.1`)!, 'AS9009');
        operator.push(id);
        ids.push(id);
        records.set(id, {
          account_id: id,
          created_at: new Date(start + random() * 14 * DAY).toISOString(),
          signup_ip: `${prefix}.${1 + Math.floor(random() * 250)}`,
        });
      }
      const cohorts = signupCohorts(ids, records, networks);
      expect(cohorts).toHaveLength(1);
      const [cohort] = cohorts;
      expect(cohort!.log10p).toBeLessThan(-10);
      const found = cohort!.holders.filter((id) => id.startsWith('op')).length;
      expect(found).toBeGreaterThanOrEqual(27);
      // Ordinary VPN customers who happened to sign up in those weeks are few beside it.
      expect(cohort!.holders.length - found).toBeLessThanOrEqual(2);
    }
  });

  it('keeps an operator whose sign-ups trickle for weeks before a burst in one cohort', () => {
    // Seed 101 of the simulator: the best window held the burst, and the six accounts created in
    // the days before it were left out of the campaign's cluster.
    for (const seed of [1, 2, 3]) {
      const { ids, records, networks } = population(seed);
      const random = seededRandom(seed + 200);
      // Clear of the launch week, whose crowd raises every network's expectation.
      const start = WINDOW_START - 100 * DAY;
      for (let i = 0; i < 30; i++) {
        const id = `op${i}`;
        const prefix = `${9010 % 200}.${(9010 >> 3) % 250}.${Math.floor(random() * 5)}`;
        networks.set(ipPrefix(`${prefix}.1`)!, 'AS9010');
        ids.push(id);
        // Ten over the first three weeks, then twenty within three days.
        const t = i < 10 ? start + random() * 21 * DAY : start + 21 * DAY + random() * 3 * DAY;
        records.set(id, {
          account_id: id,
          created_at: new Date(t).toISOString(),
          signup_ip: `${prefix}.${1 + Math.floor(random() * 250)}`,
        });
      }
      const [cohort, ...others] = signupCohorts(ids, records, networks);
      expect(others).toEqual([]);
      const all = [...cohort!.holders, ...(cohort!.alsoIn ?? [])];
      const found = all.filter((id) => id.startsWith('op')).length;
      expect(found, `seed ${seed}`).toBeGreaterThanOrEqual(28);
      expect(all.length - found).toBeLessThanOrEqual(3);
    }
  });
});
