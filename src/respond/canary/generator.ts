import { createHmac } from 'node:crypto';
import { FIRST_NAMES, FRAMES, MAXIM_NOUNS, MAXIM_VERBS, SURNAME_HEADS, SURNAME_TAILS } from './banks.js';

export interface Canary {
  canary_id: string;
  subject: string;
  text: string;
  /** The coined name the sentence carries (normalised); its presence is the strongest evidence. */
  marker: string;
}

/** Canaries per subject: enough that a probe has statistical power, few enough to all get served. */
export const DEFAULT_CANARIES_PER_SUBJECT = 16;

/** Subjects the probe uses for controls: same generator, never served by construction. */
export const CONTROL_SUBJECT_PREFIX = 'control:';

/**
 * Keyed canary generator: HMAC-SHA256 of the subject under the gateway secret chooses the words,
 * so canaries are unique per cluster, reproducible by whoever holds the secret, and unguessable
 * (an attacker cannot enumerate them to filter them out without the key).
 */
export class CanaryGenerator {
  constructor(
    private readonly secret: string,
    readonly perSubject = DEFAULT_CANARIES_PER_SUBJECT,
  ) {
    if (secret.length < 8) throw new Error('canary secret must be at least 8 characters');
  }

  /** The canary set of one subject (cluster id or `account:<id>`). */
  canariesFor(subject: string): Canary[] {
    const out: Canary[] = [];
    for (let i = 0; i < this.perSubject; i++) out.push(this.canary(subject, i));
    return out;
  }

  /** Which of the subject's canaries to serve for one exchange, spread evenly by the exchange id. */
  pick(subject: string, exchangeId: string): Canary {
    const h = this.mac(`pick|${subject}|${exchangeId}`);
    return this.canary(subject, h.readUInt32BE(0) % this.perSubject);
  }

  /** Control canaries: drawn exactly like served ones, under subjects the gateway never serves. */
  controls(n: number): Canary[] {
    const out: Canary[] = [];
    for (let i = 0; i < n; i++) out.push(this.canary(`${CONTROL_SUBJECT_PREFIX}${i}`, 0));
    return out;
  }

  canary(subject: string, index: number): Canary {
    const h = this.mac(`canary|${subject}|${index}`);
    let at = 0;
    // Each choice reads two fresh bytes; modulo bias over 65,536 is negligible for banks this small.
    const choose = <T>(bank: readonly T[]): T => {
      const v = h.readUInt16BE(at);
      at += 2;
      return bank[v % bank.length] as T;
    };
    const surname = (): string => choose(SURNAME_HEADS) + choose(SURNAME_TAILS);
    const frame = choose(FRAMES);
    const verb = choose(MAXIM_VERBS);
    const first = choose(MAXIM_NOUNS);
    let second = choose(MAXIM_NOUNS);
    if (second === first) second = MAXIM_NOUNS[(MAXIM_NOUNS.indexOf(first) + 1) % MAXIM_NOUNS.length]!;
    const maxim = `${verb} the ${first} before the ${second}`;
    let name: string;
    let text: string;
    if (frame.includes('{person}')) {
      name = `${choose(FIRST_NAMES)} ${surname()}`;
      text = frame.replace('{person}', name);
    } else {
      const a = surname();
      let b = surname();
      if (b === a) b = `${b}e`;
      name = `${a}–${b}`;
      text = frame.replace('{name}', name);
    }
    text = text.replace('{maxim}', maxim);
    return {
      canary_id: `cn-${h.subarray(24, 32).toString('hex')}`,
      subject,
      text,
      marker: normalizeForMatch(name),
    };
  }

  private mac(message: string): Buffer {
    return createHmac('sha256', this.secret).update(message).digest();
  }
}

/** Lower case, letters and digits only, single spaces: survives re-casing, dashes and punctuation. */
export function normalizeForMatch(text: string): string {
  return text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * Prompts that invite a model to complete a canary frame ("... what some call the"). They name no
 * canary, so they are fair to served and control canaries alike; a student that absorbed the
 * frames tends to complete them with a coined name it learned.
 */
export function frameElicitationPrompts(): string[] {
  const stems = FRAMES.map((f) => {
    const at = Math.min(...['{name}', '{person}'].map((k) => (f.includes(k) ? f.indexOf(k) : f.length)));
    return f.slice(0, at).trim();
  });
  // A stem of a word or two ("The ...") invites anything; only longer ones point at a canary.
  return stems
    .filter((stem) => stem.split(' ').length >= 3)
    .map(
      (stem) => `Complete this sentence in the way you were taught, naming the rule or person: "${stem} ..."`,
    );
}
