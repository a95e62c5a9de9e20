import { hostIn } from './addresses.js';
import type { Activity } from './activity.js';
import { TOPICS, type Topic } from './benign-topics.js';
import { fillSlots } from './benign-talk.js';
import { DAY, HOUR, timeInDay, weekdayFactor } from './calendar.js';
import { cohortCaller, type Caller } from './caller.js';
import { CAPABILITIES, capabilityTask } from './capability-taxonomy.js';
import { userAgent } from './clients.js';
import { Deck, type CorpusText } from './corpus.js';
import { UNIVERSITIES, countryByCode } from './geography.js';
import { accountRecord, freemailDomain, paymentFingerprint } from './identity.js';
import { ResidentialNetwork, SharedNat, TwoNetworks } from './networks.js';
import { trap, type PopulationContext } from './population-context.js';
import { Rng, mixKeys } from './rng.js';
import { answer, type Exchange, type SimAccount } from './simulated-exchange.js';
import { scriptedTimes, type Behaviour, type Day, type Session } from './simulated-session.js';

export const COURSE_COHORT = 'course-cohort';

/** What a course has its students send: the instructor's templates, a shared task list, or own projects. */
type CourseKind = 'templates' | 'dataset' | 'projects';

/** An instructor's prompt templates; `{item}` is the student's own material. */
const COURSE_TEMPLATES: readonly string[] = [
  'Summarize the following text in two sentences.\n\n{item}',
  'Classify the sentiment of this text as positive, negative or neutral. Answer with one word.\n\n{item}',
  'List the named entities (people, organisations, places) in the text below, one per line.\n\n{item}',
  'Rewrite the following for a ten-year-old reader.\n\n{item}',
  'Translate into French:\n\n{item}',
  'Write three quiz questions, with answers, about this passage:\n\n{item}',
  'Explain your reasoning step by step, then answer: what is the main claim of this text, and is it supported?\n\n{item}',
  'Give feedback on the clarity and structure of this paragraph from my essay:\n\n{item}',
  'Extract the key terms from this text and define each in one line.\n\n{item}',
  'Q: {item}\nA:',
];

/**
 * Hard case: one course's students running the instructor's notebook. Most sign up in one lab
 * session from the campus network, call the API with the notebook's SDK, and send only one-shot
 * prompts — the course's few templates around their own material, shares of one task list the
 * class splits between them, or a project topic each, so that together they cover a space with
 * little overlap. At a student's pace, on the days before each weekly deadline, often a notebook
 * cell run over a handful of items at once. The shape of a low-rate coordinated campaign (a
 * sign-up cohort on one network, one client, task-style prompts, complementary coverage) with no
 * harvest behind it. Its drawn parameters are in truth.json `parameters`.
 *
 * Added after every other account, so every other account's id and draws stay as they were.
 */
export function addCourseCohort(ctx: PopulationContext): void {
  const { o } = ctx;
  const { period } = o;
  const p = ctx.campaignParameters(COURSE_COHORT);
  const [lo, hi] = o.spec.courseAccounts;
  const students = p.int('accounts', lo, hi);
  const r0 = p.fork();
  const uni = UNIVERSITIES[p.int('university', 0, UNIVERSITIES.length - 1)]!;
  const country = countryByCode(uni.country);
  const campus = new SharedNat(
    [hostIn(uni.asn, r0), hostIn(uni.asn, r0), hostIn(uni.asn, r0)],
    uni.asn,
    uni.country,
  );
  const kind = r0.pick<CourseKind>(['templates', 'dataset', 'projects']);
  p.values.courseKind = kind;
  const labShare = p.range('labSignupShare', 0.4, 0.95);
  const campusTraffic = p.range('campusTrafficShare', 0.1, 0.7);
  const uniMail = p.range('universityMailShare', 0.3, 0.95);
  const sdkShare = p.range('notebookSdkShare', 0.6, 1);
  const lab =
    period.start + Math.round(p.range('labDayOffset', -60, period.days - 3)) * DAY + (14 - country.tz) * HOUR;
  const deadlineWeekday = p.int('deadlineWeekday', 0, 6);
  const templates = r0.shuffle([...COURSE_TEMPLATES]).slice(0, p.int('templates', 2, 5));
  const cellRun = p.range('cellRunShare', 0, 0.5);
  const sdk = userAgent(r0.pick(['openai-python', 'openai-python', 'openai-node'] as const), r0);
  p.values.sdkUserAgent = sdk;
  const topics = r0.shuffle([...TOPICS]);
  const corpus = o.corpus;
  const sharedList =
    kind !== 'dataset'
      ? undefined
      : corpus && corpus.attackerPrompts.length >= students * 4
        ? corpus.attackerPrompts
        : courseTaskList(students, Rng.derive(mixKeys(o.seed, [o.accountPrefix, 'course-list'])));
  for (let i = 0; i < students; i++) {
    const r = Rng.derive(mixKeys(o.seed, [o.accountPrefix, 'course', i]));
    const home = new ResidentialNetwork(country, r);
    const inLab = r.chance(labShare);
    const network = new TwoNetworks(home, campus, campusTraffic, inLab);
    const createdAt = inLab ? lab + r.int(0, 2 * HOUR) : lab + r.int(0, 14 * DAY);
    const paid = r.chance(0.1);
    const record = accountRecord(
      {
        id: ctx.newId(),
        createdAt,
        tier: paid ? 'paid' : 'free',
        ...(paid ? { payment: paymentFingerprint(r) } : {}),
        emailDomain: r.chance(uniMail) ? uni.domain : freemailDomain(r),
        declaredCountry: uni.country,
        signup: network.signup(r),
        verified: r.chance(0.5),
      },
      r,
    );
    const caller = cohortCaller(network, sdk, sdkShare, period, r);
    const from = Math.max(period.start, createdAt + r.int(1, 72) * HOUR);
    const activity: Activity = {
      rhythm: 'student',
      tz: country.tz,
      activeDayProb: r.range(0.1, 0.45),
      sessionsPerActiveDay: r.range(1, 4),
      from,
      to: r.chance(0.85) ? period.end : from + r.range(3, 10) * DAY,
    };
    const material = studentMaterial(
      kind,
      i,
      students,
      { templates, topic: topics[i % topics.length]!, sharedList },
      r,
    );
    ctx.out.push(
      new CourseStudent(
        { record, truth: trap(COURSE_COHORT) },
        caller,
        material,
        activity,
        deadlineWeekday,
        cellRun,
        r.fork(),
      ),
    );
  }
}

/**
 * The course's own task list when no corpus gives one: a fixed list of a few items per student
 * over the handful of capabilities the course is about, written once for the class (not an
 * endless draw from the whole taxonomy, which is an extraction operator's task space).
 */
function courseTaskList(students: number, rng: Rng): CorpusText[] {
  const subjects = rng.shuffle(CAPABILITIES.filter((c) => c !== 'tool-use')).slice(0, rng.int(3, 8));
  return Array.from({ length: students * rng.int(4, 8) }, () => ({
    prompt: capabilityTask(rng.pick(subjects), rng),
  }));
}

/** One prompt of a student's coursework. */
type Material = (rng: Rng) => string;

function studentMaterial(
  kind: CourseKind,
  i: number,
  students: number,
  course: { templates: readonly string[]; topic: Topic; sharedList: readonly CorpusText[] | undefined },
  r: Rng,
): Material {
  if (kind === 'templates') {
    // The student's own material: their texts on subjects of their own, in the course's templates.
    const subject = course.topic;
    return (rng) =>
      rng
        .pick(course.templates)
        .replace('{item}', () =>
          rng.chance(0.5)
            ? fillSlots('{longtext}', undefined, rng)
            : fillSlots(rng.pick(subject.openers), subject, rng),
        );
  }
  if (kind === 'dataset' && course.sharedList) {
    // The class splits one task list: every student-th item, from a place of the student's own.
    const mine = course.sharedList.filter((_, j) => j % students === i);
    const deck = new Deck(mine, r.fork());
    return () => deck.draw().prompt;
  }
  // A project each: one topic, asked about in task form.
  const topic = course.topic;
  return (rng) => fillSlots(rng.pick(topic.openers), topic, rng);
}

/** One student: sessions on the days before the weekly deadline, sometimes a cell run over several items. */
export class CourseStudent implements Behaviour {
  constructor(
    readonly account: SimAccount,
    private readonly caller: Caller,
    private readonly material: Material,
    private readonly activity: Activity,
    private readonly deadlineWeekday: number,
    private readonly cellRunShare: number,
    private readonly rng: Rng,
  ) {}

  planDay(day: Day): Session[] {
    const a = this.activity;
    if (day.end <= a.from || day.start >= a.to) return [];
    const weekday = new Date(day.start + a.tz * HOUR).getUTCDay();
    const toDeadline = (this.deadlineWeekday - weekday + 7) % 7;
    // Coursework piles up in the two days before the deadline.
    const pull = toDeadline <= 1 ? 2.2 : toDeadline === 2 ? 1.3 : 0.6;
    const active = Math.min(1, a.activeDayProb * pull * weekdayFactor('student', day.start, a.tz));
    if (!this.rng.chance(active)) return [];
    const count = Math.max(1, this.rng.poisson(a.sessionsPerActiveDay));
    const sessions: Session[] = [];
    for (let k = 0; k < count; k++) {
      const t = timeInDay('student', day.start, a.tz, this.rng);
      if (t < a.from || t >= a.to) continue;
      const rng = this.rng.fork();
      const items = rng.chance(this.cellRunShare) ? rng.int(2, 12) : 1;
      sessions.push({
        times: items === 1 ? [t] : scriptedTimes(t, items, 4000, 0.6, rng),
        exchange: (_i, ts): Exchange => this.exchange(ts, rng),
      });
    }
    return sessions;
  }

  private exchange(ts: number, rng: Rng): Exchange {
    const env = this.caller.envelope(ts, rng);
    const text = this.material(rng);
    const messages = [{ role: 'user' as const, content: text }];
    const a = answer(/step by step/i.test(text) ? 'reasoning' : 'long', env.model, messages, {}, rng);
    return { ...env, messages, params: {}, ...a };
  }
}
