import type { Message } from '../contracts/index.js';
import { sessionsOfDay, type Activity } from './activity.js';
import { conversationTurns, drawTurnCount, type BenignKind, type HumanCorpus } from './benign-talk.js';
import type { Topic } from './benign-topics.js';
import { paramsFrom, type Caller } from './caller.js';
import { asksForSteps } from './answers.js';
import { answer, type Exchange, type SimAccount } from './simulated-exchange.js';
import type { Language } from './geography.js';
import { drawStyle, type HumanStyle } from './human-style.js';
import type { Rng } from './rng.js';
import { humanTurnTimes, type Behaviour, type Day, type Session } from './simulated-session.js';
import { toolTrace } from './tool-use-traces.js';

export interface PersonSpec {
  kind: BenignKind;
  language: Language;
  interests: readonly Topic[];
  style: HumanStyle;
  /** A product's fixed system prompt, sent with every request. */
  systemPrompt?: string;
  /** End users of a product; each session belongs to one of them. */
  endUsers?: readonly string[];
  /** A product's fixed wrapper around what its end users type. */
  template?: (said: string, ts: number, rng: Rng) => string;
  /** Share of sessions that are agent loops with tools. */
  toolShare: number;
  conversationIds: boolean;
  corpus?: HumanCorpus;
}

/**
 * An ordinary customer: a person chatting through their own integration, or a product whose
 * end users chat through it. Multi-turn conversations carry the earlier turns.
 */
export class ConversationalCustomer implements Behaviour {
  constructor(
    readonly account: SimAccount,
    readonly caller: Caller,
    private readonly activity: Activity,
    private readonly person: PersonSpec,
    private readonly rng: Rng,
  ) {}

  planDay(day: Day): Session[] {
    return sessionsOfDay(day, this.activity, this.rng, (start, rng) => this.session(start, rng));
  }

  private session(start: number, rng: Rng): Session {
    if (this.person.toolShare > 0 && rng.chance(this.person.toolShare)) return this.toolSession(start, rng);
    const p = this.person;
    const endUser = p.endUsers ? rng.pick(p.endUsers) : undefined;
    // Corpus conversations fix the number of turns now; generated text waits for the first turn,
    // so a day's pending sessions hold little memory.
    const fromCorpus = p.corpus
      ? conversationTurns(p.kind, p.language, p.interests, p.style, 14, p.corpus, rng)
      : undefined;
    const times = humanTurnTimes(start, fromCorpus?.length ?? drawTurnCount(p.kind, rng), rng);
    let texts = fromCorpus;
    let conversationId: string | undefined;
    const history: Message[] = p.systemPrompt ? [{ role: 'system', content: p.systemPrompt }] : [];
    return {
      times,
      exchange: (turn, ts): Exchange => {
        if (!texts) {
          const style = endUser ? drawStyle(rng) : p.style;
          texts = conversationTurns(p.kind, p.language, p.interests, style, times.length, undefined, rng);
          if (p.conversationIds && times.length > 1) conversationId = `conv_${rng.hex(20)}`;
        } else if (turn === 0 && p.conversationIds && times.length > 1) {
          conversationId = `conv_${rng.hex(20)}`;
        }
        const env = this.caller.envelope(ts, rng);
        const said = texts[turn] ?? '';
        history.push({ role: 'user', content: p.template ? p.template(said, ts, rng) : said });
        const messages = [...history];
        const params = paramsFrom(this.caller.habits, rng);
        const kind = asksForSteps(said) ? 'reasoning' : rng.chance(0.2) ? 'long' : 'casual';
        const a = answer(kind, env.model, messages, params, rng);
        history.push({ role: 'assistant', content: a.response.text });
        return {
          ...env,
          ...(endUser ? { endUserId: endUser } : {}),
          messages,
          ...(conversationId ? { conversationId } : {}),
          ...(params ? { params } : {}),
          ...a,
        };
      },
    };
  }

  private toolSession(start: number, rng: Rng): Session {
    const p = this.person;
    const [text] = conversationTurns(p.kind, p.language, p.interests, p.style, 1, p.corpus, rng);
    const trace = toolTrace(p.systemPrompt, text ?? 'help', rng);
    const times = [start];
    for (let i = 1; i < trace.steps; i++) times.push((times[i - 1] ?? start) + rng.int(800, 9000));
    const endUser = p.endUsers ? rng.pick(p.endUsers) : undefined;
    return {
      times,
      exchange: (step, ts): Exchange => {
        const env = this.caller.envelope(ts, rng);
        const messages = trace.messages(step);
        const params = { ...(paramsFrom(this.caller.habits, rng) ?? {}), tools: trace.toolCount };
        const last = step === trace.steps - 1;
        const a = answer(last ? 'casual' : 'tool', env.model, messages, params, rng);
        return { ...env, ...(endUser ? { endUserId: endUser } : {}), messages, params, ...a };
      },
    };
  }
}
