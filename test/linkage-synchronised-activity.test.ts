import { beforeAll, describe, expect, it } from 'vitest';
import { DetectionEngine, type AnalysisDetail } from '../src/findings/index.js';
import { synchronisedPairs, type SyncLink } from '../src/link/index.js';
import { corporaMissing, distillationTasks, peopleTraffic, HOUR, START } from './real-corpora.js';

// One job runner load-balancing a harvest over accounts that share nothing else (own cards, no
// common phrasing, tasks bare), beside people and scripts that keep the same hours without any
// link: office hours, an hourly cron job at :00, a daily 09:00 digest, a weekly lab class. Real
// text: people's conversations (hh-rlhf), a real distillation query set (Alpaca).
const missing = corporaMissing('synchronised-activity tests');

const POOL = Array.from({ length: 8 }, (_, i) => `pool${i}`);
const MINUTE = 60_000;
const DAY = 24 * HOUR;

let detail: AnalysisDetail;
let links: SyncLink[];

beforeAll(() => {
  if (missing) return;
  const tasks = distillationTasks();
  const { events, event, r, conversation, dayTime } = peopleTraffic(41);
  const engine = new DetectionEngine();
  const created = new Date(START - 400 * DAY).toISOString();
  const account = (id: string): void =>
    engine.addAccount({ account_id: id, created_at: created, payment_fingerprint: `card-${id}` });
  let t = 0;
  const task = (): string => tasks[(t++ * 7) % tasks.length]!;

  // 300 people at waking hours, 2-8 conversations each over two weeks.
  for (let u = 0; u < 300; u++) {
    account(`user${u}`);
    for (let k = 0, n = 2 + Math.floor(r() * 7); k < n; k++)
      conversation(`user${u}`, dayTime(Math.floor(r() * 14)));
  }
  // Five companies' hourly jobs, each at minute 0 of every hour (a few seconds' jitter).
  for (let j = 0; j < 5; j++) {
    account(`cron${j}`);
    for (let h = 0; h < 14 * 24; h++)
      events.push(event(`cron${j}`, START + h * HOUR + r() * 20_000, [{ role: 'user', content: task() }]));
  }
  // Six daily digests at 09:00, each a short burst.
  for (let j = 0; j < 6; j++) {
    account(`digest${j}`);
    for (let d = 0; d < 14; d++)
      for (let i = 0; i < 5; i++)
        events.push(
          event(`digest${j}`, START + d * DAY + 9 * HOUR + i * 15_000 + r() * 5_000, [
            { role: 'user', content: task() },
          ]),
        );
  }
  // A class of 30 students in a lab session every Tuesday and Thursday at 14:00.
  for (let s = 0; s < 30; s++) {
    account(`student${s}`);
    for (const d of [1, 3, 8, 10])
      conversation(`student${s}`, START + d * DAY + 14 * HOUR + r() * 40 * MINUTE);
  }
  // The runner: four jobs a day at any hour, 20 requests a few seconds apart, round-robin.
  POOL.forEach(account);
  for (let d = 0; d < 14; d++) {
    for (let j = 0; j < 4; j++) {
      let ts = START + d * DAY + r() * DAY;
      const first = Math.floor(r() * POOL.length);
      for (let i = 0; i < 20; i++) {
        events.push(event(POOL[(first + i) % POOL.length]!, ts, [{ role: 'user', content: task() }]));
        ts += (3 + r() * 5) * 1000;
      }
    }
  }
  events.sort((x, y) => Date.parse(x.ts) - Date.parse(y.ts));
  for (const e of events) engine.addEvent(e);
  links = synchronisedPairs(
    new Map([...engine.accountIds()].map((id) => [id, engine.statsOf(id)!.activity])),
  );
  detail = engine.analyze();
}, 120_000);

describe.skipIf(missing)('linkage by synchronised activity', () => {
  it('links the accounts one client drives, and nobody else', () => {
    const pool = new Set(POOL);
    expect(links.filter((l) => !pool.has(l.a) || !pool.has(l.b))).toEqual([]);
    expect(new Set(links.flatMap((l) => [l.a, l.b]))).toEqual(pool);
  });
  it('finds the pool as one cluster whose evidence is its synchronised activity', () => {
    const cluster = detail.findings.clusters.find((cl) => cl.account_ids.includes('pool0'));
    expect(cluster).toBeDefined();
    expect([...cluster!.account_ids].sort()).toEqual(POOL);
    const sync = cluster!.links.find((l) => l.kind === 'sync_activity');
    expect(sync?.accounts).toBe(POOL.length);
    expect(sync?.value).toMatch(/what their own daily routines predict/);
  });
  it('does not link people or scripts that merely keep the same hours', () => {
    for (const cl of detail.findings.clusters)
      expect(cl.account_ids.filter((id) => !id.startsWith('pool'))).toEqual([]);
  });
});
