import type { Message, RequestParams } from '../contracts/index.js';
import { sessionsOfDay, type Activity } from './activity.js';
import { HOUR } from './calendar.js';
import type { Caller } from './caller.js';
import { answer, type Exchange, type SimAccount } from './simulated-exchange.js';
import { drawStyle, applyStyle } from './human-style.js';
import { Rng, mixKeys } from './rng.js';
import {
  humanTurnTimes,
  scriptedTimes,
  type Behaviour,
  type Day,
  type Session,
} from './simulated-session.js';

/**
 * Legitimate heavy users that look like extraction on one axis or another: the hard cases a
 * detector must not act on.
 */

const SUPPORT_SYSTEM =
  "You are Pia, the customer support assistant for {company}. Be friendly and concise. Use the order data provided. Never promise refunds above the order value. If the customer is angry or asks for a human, offer to escalate. Reply in the customer's language.";
const SUPPORT_ISSUES = [
  'where is my order? it was supposed to arrive {day}',
  'I want to return the {item}, it does not fit',
  'the {item} arrived broken',
  'can I change the delivery address',
  'I was charged twice for the same order',
  'how do I cancel my subscription',
  'the discount code {code} is not working',
  'do you ship to {country}?',
  'i need an invoice with my company name on it',
  'my package says delivered but i never got it',
  'can i speak to a human please',
  'the app keeps logging me out',
];
const SUPPORT_FOLLOW = [
  'ok thanks',
  'how long will that take?',
  'that is not acceptable',
  'yes please escalate',
  'great, thank you!',
  'the order number is {order}',
];
const ITEMS = [
  'blue jacket',
  'running shoes',
  'coffee grinder',
  'desk lamp',
  'phone case',
  'backpack',
  'wool sweater',
  'blender',
];

/** A support bot: one account, heavy, fixed system prompt, user turns wrapped in a fixed template. */
export class SupportBot implements Behaviour {
  constructor(
    readonly account: SimAccount,
    private readonly caller: Caller,
    private readonly activity: Activity,
    private readonly company: string,
    private readonly rng: Rng,
  ) {}

  planDay(day: Day): Session[] {
    return sessionsOfDay(day, this.activity, this.rng, (start, rng) => this.session(start, rng));
  }

  private session(start: number, rng: Rng): Session {
    const turns = rng.weighted<number>([
      [1, 3],
      [2, 4],
      [3, 3],
      [4, 2],
      [6, 1],
    ]);
    const times = humanTurnTimes(start, turns, rng);
    const style = drawStyle(rng);
    const order = String(rng.int(1_000_000, 9_999_999));
    const customer = `cus_${rng.hex(10)}`;
    const fill = (s: string): string =>
      s
        .replace('{day}', rng.pick(['yesterday', 'monday', 'last week', 'on the 3rd']))
        .replace('{item}', rng.pick(ITEMS))
        .replace('{code}', `SAVE${rng.int(10, 30)}`)
        .replace('{country}', rng.pick(['Canada', 'Norway', 'Mexico', 'Australia']))
        .replace('{order}', order);
    const history: Message[] = [
      { role: 'system', content: SUPPORT_SYSTEM.replace('{company}', this.company) },
    ];
    return {
      times,
      exchange: (turn, ts): Exchange => {
        const env = this.caller.envelope(ts, rng);
        const said = applyStyle(
          fill(turn === 0 ? rng.pick(SUPPORT_ISSUES) : rng.pick(SUPPORT_FOLLOW)),
          style,
          rng,
        );
        const content =
          turn === 0
            ? `[Customer: ${customer}] [Order: #${order}] [Status: ${rng.pick(['shipped', 'processing', 'delivered', 'returned'])}] [Channel: ${rng.pick(['web', 'app', 'email'])}]\nCustomer message: ${said}`
            : `Customer message: ${said}`;
        history.push({ role: 'user', content });
        const messages = [...history];
        const params: RequestParams = { temperature: 0.3, max_tokens: 400 };
        const a = answer('casual', env.model, messages, params, rng);
        history.push({ role: 'assistant', content: a.response.text });
        return { ...env, endUserId: customer, messages, params, ...a };
      },
    };
  }
}

const SUBJECTS = [
  'abstract_algebra',
  'anatomy',
  'astronomy',
  'business_ethics',
  'clinical_knowledge',
  'college_biology',
  'college_chemistry',
  'college_computer_science',
  'college_mathematics',
  'college_physics',
  'computer_security',
  'econometrics',
  'electrical_engineering',
  'formal_logic',
  'high_school_geography',
  'high_school_us_history',
  'international_law',
  'jurisprudence',
  'machine_learning',
  'management',
  'marketing',
  'medical_genetics',
  'moral_scenarios',
  'nutrition',
  'philosophy',
  'prehistory',
  'professional_law',
  'professional_medicine',
  'virology',
  'world_religions',
];

/** Benchmark item `i`: the same text every run, as a fixed evaluation set is. */
function benchmarkItem(suite: number, i: number): { text: string; kind: 'mc' | 'math' } {
  const rng = Rng.derive(mixKeys(suite, ['bench', i]));
  if (i % 4 === 3) {
    const a = rng.int(3, 60);
    const b = rng.int(2, 25);
    return {
      kind: 'math',
      text: `Question: A shop sells ${a} apples on Monday and ${b} more on Tuesday than on Monday. Each apple costs $${rng.int(1, 4)}. How much money did the shop make over the two days?\nLet's think step by step.`,
    };
  }
  const subject = rng.pick(SUBJECTS).replace(/_/g, ' ');
  const options = ['A', 'B', 'C', 'D'].map(
    (l) =>
      `${l}. ${rng.pick(['It increases', 'It decreases', 'It stays the same', 'None of the above', 'Only in some cases', 'Both I and II', 'I only', 'II only', rng.int(2, 99).toString()])}`,
  );
  return {
    kind: 'mc',
    text: `The following is a multiple choice question about ${subject}.\n\nQuestion ${rng.int(1, 400)}: Which of the following best describes the effect observed in case ${rng.int(1, 40)}?\n${options.join('\n')}\nAnswer:`,
  };
}

/** An evaluation harness: fixed benchmark prompts, temperature 0, logprobs, run in bursts. */
export class EvalHarness implements Behaviour {
  private readonly runDays: Set<number>;

  constructor(
    readonly account: SimAccount,
    private readonly caller: Caller,
    private readonly itemsPerRun: number,
    days: number,
    private readonly suite: number,
    private readonly rng: Rng,
  ) {
    const runs = Math.max(2, Math.round(days / 3.5));
    this.runDays = new Set(
      rng.sample(
        Array.from({ length: days }, (_, i) => i),
        runs,
      ),
    );
  }

  planDay(day: Day): Session[] {
    if (!this.runDays.has(day.index)) return [];
    const rng = this.rng.fork();
    const start = day.start + rng.int(8, 20) * HOUR + rng.int(0, 3_599_999);
    const count = Math.round(this.itemsPerRun * rng.range(0.9, 1.0));
    // A harness with a few concurrent workers: short, slightly irregular gaps.
    const times = scriptedTimes(start, count, rng.range(700, 2200), 0.6, rng);
    return [
      {
        times,
        exchange: (i, ts): Exchange => {
          const env = this.caller.envelope(ts, rng);
          const item = benchmarkItem(this.suite, i);
          const messages: Message[] = [{ role: 'user', content: item.text }];
          const params: RequestParams =
            item.kind === 'mc'
              ? { temperature: 0, max_tokens: 1, logprobs: true, top_logprobs: 5 }
              : { temperature: 0, max_tokens: 512, logprobs: true, top_logprobs: 1 };
          const a = answer(
            item.kind === 'mc' ? 'label' : 'reasoning',
            env.model,
            messages,
            params,
            rng,
            rng.pick(['A', 'B', 'C', 'D']),
          );
          return { ...env, messages, params, ...a };
        },
      },
    ];
  }
}

const REVIEW_BITS = [
  'Arrived on time and works as described.',
  'The color is different from the picture.',
  'Customer service was slow to respond.',
  'Great value for the price, would buy again.',
  'Stopped working after a week.',
  'Packaging was damaged but the product was fine.',
  'Too small, had to return it.',
  'Exactly what I needed for my kitchen.',
  'Battery life is disappointing.',
  'Easy to assemble, sturdy.',
  'The instructions were confusing.',
  'Five stars, my kids love it.',
];

/** A nightly labelling job: one template, many items, temperature 0, tiny answers. */
export class BatchLabelling implements Behaviour {
  constructor(
    readonly account: SimAccount,
    private readonly caller: Caller,
    private readonly itemsPerNight: number,
    private readonly cronHourUtc: number,
    private readonly rng: Rng,
  ) {}

  planDay(day: Day): Session[] {
    const rng = this.rng.fork();
    if (rng.chance(0.1)) return []; // skipped nights happen
    const start = day.start + this.cronHourUtc * HOUR + rng.int(0, 120_000);
    const count = Math.round(this.itemsPerNight * rng.range(0.6, 1.3));
    const times = scriptedTimes(start, count, rng.range(250, 600), 0.4, rng);
    return [
      {
        times,
        exchange: (_i, ts): Exchange => {
          const env = this.caller.envelope(ts, rng);
          const review = rng.sample(REVIEW_BITS, rng.int(1, 3)).join(' ');
          const messages: Message[] = [
            { role: 'system', content: 'You are a data labelling assistant. Answer with exactly one label.' },
            {
              role: 'user',
              content: `Label the sentiment of this product review as positive, negative or mixed.\n\nReview ID: ${rng.int(100000, 999999)}\nReview: ${review}\n\nLabel:`,
            },
          ];
          const params: RequestParams = { temperature: 0, max_tokens: 3 };
          const a = answer(
            'label',
            env.model,
            messages,
            params,
            rng,
            rng.pick(['positive', 'negative', 'mixed']),
          );
          return { ...env, messages, params, ...a };
        },
      },
    ];
  }
}
