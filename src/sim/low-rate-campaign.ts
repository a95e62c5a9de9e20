import type { Activity } from './activity.js';
import { actorKit } from './actor-kit.js';
import { TOPICS } from './benign-topics.js';
import { DAY, HOUR, timeInDay, weekdayFactor } from './calendar.js';
import { cohortCaller, type Caller } from './caller.js';
import { extractionExchange, type TaskSource } from './campaign-behaviours.js';
import { CAPABILITIES, capabilityTask, type Capability } from './capability-taxonomy.js';
import { userAgent } from './clients.js';
import { Deck, type CorpusText } from './corpus.js';
import { COUNTRIES, type Country } from './geography.js';
import { freemailAccount } from './identity.js';
import { ResidentialNetwork, type NetworkProfile } from './networks.js';
import { ACTORS, attacker, type PopulationContext } from './population-context.js';
import { Rng, mixKeys } from './rng.js';
import type { Exchange, SimAccount } from './simulated-exchange.js';
import type { Behaviour, Day, Session } from './simulated-session.js';
import { PartlyVpnNetwork, VPN_PROVIDERS, VpnNetwork } from './vpn.js';

export const LOW_RATE_CAMPAIGN = 'low-rate-coordinated';

/**
 * Campaign: a low-rate coordinated harvest. The operator either splits its task space (a
 * capability taxonomy, or a categorised task list) into slices and gives each of a few dozen
 * accounts its own slice, so no two accounts overlap much while together they cover the space, or
 * deals its task list out to them as it comes, so each account sends a sample of the same list
 * (`dealtTasks` in truth.json `parameters`; what a generator drawing each account's prompts from
 * one corpus produces). Each account behaves like one person: a few task-style prompts on a
 * working day, at office hours, rarely asking for reasoning. What ties them together is weak: a VPN provider's network at sign-up, a
 * common SDK version, a sign-up cohort. Every one of these, and the content source, is drawn
 * per seed (see truth.json `parameters`).
 */
export function addLowRateCoordinated(ctx: PopulationContext): void {
  const { o } = ctx;
  const { period } = o;
  const p = ctx.campaignParameters(LOW_RATE_CAMPAIGN);
  const [lo, hi] = o.spec.lowRateAccounts;
  const accounts = p.int('accounts', lo, hi);
  const rateLo = p.range('promptsPerActiveDayLow', 2, 4);
  const rateHi = p.range('promptsPerActiveDayHigh', 5, 9);
  const activeDays = p.range('activeDayProbability', 0.5, 0.9);
  const elicitShare = p.chance('anyElicitation', 0.4) ? p.range('elicitationShare', 0.01, 0.06) : 0;
  const vpnSignupShare = p.link('vpnSignupShare', 0.9, 0.6, 1);
  const vpnTrafficShare = vpnSignupShare > 0 ? p.range('vpnTrafficShare', 0, 0.8) : 0;
  const provider = VPN_PROVIDERS[p.int('vpnProvider', 0, VPN_PROVIDERS.length - 1)]!;
  const sdkShare = p.link('sdkShare', 0.9, 0.5, 1);
  const cohortStart = period.start - p.int('cohortDaysBeforeWindow', 2, 120) * DAY;
  const cohortSpan = p.range('cohortSpanDays', 0.5, 21);
  const sharedClock = p.chance('operatorClock', 0.5);
  const offSlice = p.range('offSliceShare', 0, 0.12);
  const paidShare = p.range('paidShare', 0.2, 0.8);
  const kit = actorKit(o.actorSeed, ACTORS.lowRate, 0);
  const r0 = p.fork();
  const sdk = userAgent(r0.pick(['openai-python', 'openai-python', 'openai-node'] as const), r0);
  p.values.sdkUserAgent = sdk;
  const corpusTasks = o.corpus?.attackerPrompts ?? [];
  const useCorpus = corpusTasks.length >= 200 && p.chance('corpusWhenGiven', 0.85);
  p.values.contentSource = useCorpus ? 'corpus' : 'generator';
  // Drawn after every other parameter, so those stay what they were for a seed.
  const dealt = p.chance('dealtTasks', 0.5);
  const slices = dealt
    ? dealtTasks(useCorpus ? corpusTasks : null, r0)
    : useCorpus
      ? corpusSlices(corpusTasks, accounts, r0)
      : capabilitySlices(accounts, r0);
  p.values.slices = slices.count;
  for (let i = 0; i < accounts; i++) {
    const r = Rng.derive(mixKeys(o.seed, [o.accountPrefix, 'low-rate', i]));
    const country: Country = r.weighted(COUNTRIES.map((c) => [c, c.weight] as const));
    const home = new ResidentialNetwork(country, r);
    const viaVpn = r.chance(vpnSignupShare);
    const network: NetworkProfile = viaVpn
      ? new PartlyVpnNetwork(home, new VpnNetwork(provider), vpnTrafficShare)
      : home;
    const paid = r.chance(paidShare);
    const record = freemailAccount(
      {
        id: ctx.newId(),
        createdAt: cohortStart + Math.floor(r.float() * cohortSpan * DAY),
        paid,
        declaredCountry: country.code,
        verifiedShare: 0.3,
      },
      network,
      r,
    );
    const caller = cohortCaller(network, sdk, sdkShare, period, r);
    const from = Math.max(period.start, Date.parse(record.created_at!) + r.int(1, 48) * HOUR);
    const activity: Activity = {
      rhythm: 'office',
      tz: sharedClock ? kit.tz : country.tz,
      activeDayProb: activeDays,
      sessionsPerActiveDay: r.range(rateLo, rateHi),
      from,
      to: r.chance(0.8) ? period.end : from + r.range(5, 12) * DAY,
    };
    ctx.out.push(
      new LowRateMember(
        { record, truth: attacker(ACTORS.lowRate, LOW_RATE_CAMPAIGN) },
        caller,
        slices.source(i, offSlice),
        activity,
        elicitShare,
        kit.elicitation,
        r.chance(0.3) ? { max_tokens: r.pick([512, 1024, 2048]) } : {},
        r.fork(),
      ),
    );
  }
}

interface Slices {
  count: number;
  /** Account i's task source: its own slice, with a small share from anywhere in the space. */
  source(i: number, offSlice: number): TaskSource;
}

/** The capability taxonomy cut into slices, dealt to the accounts in turn. */
function capabilitySlices(accounts: number, rng: Rng): Slices {
  // Tool-use tasks come as multi-step traces, not a person's one-off prompt.
  const caps = rng.shuffle(CAPABILITIES.filter((c) => c !== 'tool-use'));
  const task = (c: Capability, r: Rng): ReturnType<TaskSource['next']> => ({
    task: capabilityTask(c, r),
    capability: c,
  });
  return {
    count: Math.min(accounts, caps.length),
    source: (i, offSlice) => {
      const own = caps[i % caps.length]!;
      return { next: (r) => task(r.chance(offSlice) ? r.pick(caps) : own, r) };
    },
  };
}

/**
 * The task list dealt out as it comes: every account's next task is the list's next one (drawn
 * without replacement across the campaign), so no task repeats while each account's share is a
 * sample of the whole list. Without a corpus, the capability taxonomy's domains at random.
 */
function dealtTasks(tasks: readonly CorpusText[] | null, rng: Rng): Slices {
  if (tasks === null) {
    const caps = CAPABILITIES.filter((c) => c !== 'tool-use');
    return {
      count: 1,
      source: () => ({
        next: (r) => {
          const c = r.pick(caps);
          return { task: capabilityTask(c, r), capability: c };
        },
      }),
    };
  }
  const deck = new Deck(tasks, rng.fork());
  return {
    count: 1,
    source: () => ({
      next: () => {
        const t = deck.draw();
        return { task: t.prompt, capability: 'corpus', ...(t.response ? { reference: t.response } : {}) };
      },
    }),
  };
}

const WORD = /[a-z]{5,}/g;
/** Words of instructions, not of topics: they sort nothing. */
const GENERIC = new Set(
  'about after again always another answer because before being could describe different doing explain example examples following frequently given going great happen having helps ideas important information another little maybe might needs never other people please quick really reason should simple something start still tell thing things think those three through today trying under using versus what when where which while would write better write without words short sentence sentences simple'.split(
    ' ',
  ),
);

/**
 * A task list sorted into topics, as an operator categorises it: each task goes to the everyday
 * topic whose phrasing shares most words with it (the simulator's own topic openers, not any
 * detector's vocabulary). Tasks matching no topic are left out of the plan; topics are dealt to
 * the accounts in turn, and accounts sharing a topic split its tasks.
 */
function corpusSlices(tasks: readonly CorpusText[], accounts: number, rng: Rng): Slices {
  const owners = new Map<string, Set<number>>();
  TOPICS.forEach((t, k) => {
    for (const opener of t.openers)
      for (const w of opener.toLowerCase().match(WORD) ?? []) {
        if (GENERIC.has(w)) continue;
        const set = owners.get(w) ?? new Set<number>();
        set.add(k);
        owners.set(w, set);
      }
  });
  const byTopic: CorpusText[][] = TOPICS.map(() => []);
  for (const t of tasks) {
    const votes = new Map<number, number>();
    for (const w of new Set(t.prompt.toLowerCase().match(WORD) ?? [])) {
      const set = owners.get(w);
      if (!set || set.size > 1) continue;
      for (const k of set) votes.set(k, (votes.get(k) ?? 0) + 1 / set.size);
    }
    let best = -1;
    let bestVotes = 0;
    for (const [k, v] of votes)
      if (v > bestVotes || (v === bestVotes && k < best)) [best, bestVotes] = [k, v];
    if (best >= 0) byTopic[best]!.push(t);
  }
  const topics = rng.shuffle(byTopic.map((list, k) => k).filter((k) => byTopic[k]!.length >= 8));
  if (topics.length < 4) return capabilitySlices(accounts, rng);
  const decks = new Map<number, Deck<CorpusText>>();
  const sharing = (k: number): number =>
    Math.ceil((accounts - (topics.indexOf(k) % accounts)) / topics.length);
  const all = new Deck(
    topics.flatMap((k) => byTopic[k]!),
    rng.fork(),
  );
  return {
    count: Math.min(accounts, topics.length),
    source: (i, offSlice) => {
      const k = topics[i % topics.length]!;
      // Accounts that share a topic take alternate tasks of it, so they still do not overlap.
      const list = byTopic[k]!;
      const share = Math.max(1, sharing(k));
      const part = Math.floor(i / topics.length) % share;
      const mine = list.filter((_, j) => j % share === part);
      const deck = new Deck(mine.length ? mine : list, Rng.derive(mixKeys(k, ['slice', i])));
      decks.set(i, deck);
      return {
        next: (r) => {
          const t = r.chance(offSlice) ? all.draw() : deck.draw();
          return { task: t.prompt, capability: 'corpus', ...(t.response ? { reference: t.response } : {}) };
        },
      };
    },
  };
}

/** One account of the campaign: a person's pace and hours, one task-style prompt at a time. */
export class LowRateMember implements Behaviour {
  constructor(
    readonly account: SimAccount,
    private readonly caller: Caller,
    private readonly tasks: TaskSource,
    private readonly activity: Activity,
    private readonly elicitShare: number,
    private readonly elicitation: ReturnType<typeof actorKit>['elicitation'],
    private readonly params: { max_tokens?: number },
    private readonly rng: Rng,
  ) {}

  planDay(day: Day): Session[] {
    const a = this.activity;
    if (day.end <= a.from || day.start >= a.to) return [];
    // Weekday-ish: a working day is far likelier to be an active one.
    const active = Math.min(1, a.activeDayProb * weekdayFactor('office', day.start, a.tz));
    if (!this.rng.chance(active)) return [];
    const count = Math.max(1, this.rng.poisson(a.sessionsPerActiveDay));
    const sessions: Session[] = [];
    for (let k = 0; k < count; k++) {
      const t = timeInDay('office', day.start, a.tz, this.rng);
      if (t < a.from || t >= a.to) continue;
      const rng = this.rng.fork();
      sessions.push({
        times: [t],
        exchange: (_i, ts): Exchange =>
          extractionExchange(this.caller, ts, rng, this.tasks, {
            elicitation: this.elicitation,
            elicitShare: this.elicitShare,
            params: { ...this.params },
          }),
      });
    }
    return sessions;
  }
}
