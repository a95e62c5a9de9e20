import { createHmac } from 'node:crypto';
import type { CanaryBanks } from '../../contracts/index.js';
import { DEFAULT_CANARY_BANKS } from './banks.js';

export interface Canary {
  canary_id: string;
  subject: string;
  text: string;
  /** The coined name the sentence carries (normalised); its presence is the strongest evidence. */
  marker: string;
}

/** Canaries kept made (about 300 bytes each). */
const MAX_MADE = 50_000;

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
    private readonly banks: CanaryBanks = DEFAULT_CANARY_BANKS,
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

  /**
   * A subject's canaries are fixed by the secret, so each is made once: the gateway picks one per
   * watched exchange, and three HMACs plus Unicode normalisation each time were most of its cost.
   */
  private readonly made = new Map<string, Readonly<Canary>>();

  canary(subject: string, index: number): Canary {
    const key = `${index}|${subject}`;
    const hit = this.made.get(key);
    if (hit) return { ...hit };
    const made = this.make(subject, index);
    // Bounded: a gateway watching very many accounts starts over rather than grow without end.
    if (this.made.size >= MAX_MADE) this.made.clear();
    this.made.set(key, made);
    return { ...made };
  }

  private make(subject: string, index: number): Canary {
    const h = this.mac(`canary|${subject}|${index}`);
    // The words come from a second MAC so four bytes per choice keep modulo bias negligible for
    // banks of up to 10,000 entries, while the id stays what it always was for this subject/index.
    const words = this.mac(`canary-words|${subject}|${index}`);
    let at = 0;
    const choose = <T>(bank: readonly T[]): T => {
      const v = words.readUInt32BE(at);
      at += 4;
      return bank[v % bank.length] as T;
    };
    const b = this.banks;
    const surname = (): string => choose(b.surname_heads) + choose(b.surname_tails);
    const frames = [...b.person_frames, ...b.named_frames];
    const frame = choose(frames);
    const tip = choose(b.tips);
    let name: string;
    let text: string;
    if (frame.includes('{person}')) {
      name = `${choose(b.first_names)} ${surname()}`;
      text = frame.replace('{person}', name);
    } else {
      const first = surname();
      let second = surname();
      if (second === first) second = `${second}e`;
      name = `${first}–${second}`;
      text = frame.replace('{name}', name);
    }
    text = text.replace('{tip}', tip);
    return {
      canary_id: `cn-${h.subarray(24, 32).toString('hex')}`,
      subject,
      text: text.charAt(0).toUpperCase() + text.slice(1),
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
 * Prompts that invite a model to complete a canary frame ("... what is sometimes called the").
 * They name no canary, so they are fair to served and control canaries alike; a student that
 * absorbed the frames tends to complete them with a coined name it learned.
 */
export function frameElicitationPrompts(banks: CanaryBanks = DEFAULT_CANARY_BANKS): string[] {
  const stems = [...banks.person_frames, ...banks.named_frames].map((f) => {
    const at = Math.min(...['{name}', '{person}'].map((k) => (f.includes(k) ? f.indexOf(k) : f.length)));
    return f.slice(0, at).trim();
  });
  // A stem of a word or two ("In the words of" is four) invites anything; only longer ones point
  // at a canary.
  return [...new Set(stems)]
    .filter((stem) => stem.split(' ').length >= 3)
    .map(
      (stem) => `Complete this sentence in the way you were taught, naming the rule or person: "${stem} ..."`,
    );
}
