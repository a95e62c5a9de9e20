import { UserError } from '../contracts/index.js';
import { readUserFile } from '../ingest/index.js';
import type { Rng } from './rng.js';

/**
 * Real prompt corpora in the shape of shared/corpora/*.jsonl. Files of `{"turns": [...]}`
 * (human conversations) feed ordinary users; `{"prompt", "response"}` files feed ordinary
 * users too, unless they are a distillation set (role 'attacker', or 'auto' and the file name
 * or `source` says "distill"), in which case they feed the extraction campaigns' task prompts.
 */
export type CorpusRole = 'auto' | 'benign' | 'attacker';

export interface CorpusFile {
  path: string;
  role?: CorpusRole;
}

export interface CorpusText {
  prompt: string;
  response?: string;
}

export class CorpusBank {
  readonly conversations: string[][] = [];
  readonly benignPrompts: CorpusText[] = [];
  readonly attackerPrompts: CorpusText[] = [];

  static load(files: readonly (string | CorpusFile)[]): CorpusBank {
    const bank = new CorpusBank();
    for (const f of files) bank.add(typeof f === 'string' ? { path: f } : f);
    return bank;
  }

  get empty(): boolean {
    return this.conversations.length + this.benignPrompts.length + this.attackerPrompts.length === 0;
  }

  private add(file: CorpusFile): void {
    const raw = readUserFile(
      file.path,
      'corpus file',
      'pass a JSONL file of {"turns": [...]} or {"prompt", "response"} lines',
    );
    const role = file.role ?? 'auto';
    let used = 0;
    let lineNo = 0;
    for (const line of raw.split('\n')) {
      lineNo++;
      if (!line.trim()) continue;
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch {
        continue; // a corpus line we cannot parse is skipped; the count check below reports empty files
      }
      if (typeof row !== 'object' || row === null) continue;
      const r = row as { turns?: unknown; prompt?: unknown; response?: unknown; source?: unknown };
      if (Array.isArray(r.turns)) {
        const turns = r.turns.filter((t): t is string => typeof t === 'string' && t.trim() !== '');
        if (turns.length === 0) continue;
        if (role === 'attacker') this.attackerPrompts.push({ prompt: turns[0] as string });
        else this.conversations.push(turns);
        used++;
      } else if (typeof r.prompt === 'string' && r.prompt.trim() !== '') {
        const text: CorpusText = { prompt: r.prompt };
        if (typeof r.response === 'string') text.response = r.response;
        const distill =
          role === 'attacker' ||
          (role === 'auto' &&
            (/distill/i.test(file.path.split('/').pop() ?? '') ||
              (typeof r.source === 'string' && /distill/i.test(r.source))));
        (distill ? this.attackerPrompts : this.benignPrompts).push(text);
        used++;
      }
    }
    if (used === 0) {
      throw new UserError(
        'INVALID_INPUT',
        `corpus file ${file.path} has no usable lines (read ${lineNo}); each line must be {"turns": [...]} or {"prompt": "...", "response": "..."}`,
      );
    }
  }
}

/** Draws without replacement, reshuffling when a pass is complete, so texts repeat evenly. */
export class Deck<T> {
  private order: number[] = [];
  private pos = 0;

  constructor(
    private readonly items: readonly T[],
    private readonly rng: Rng,
  ) {}

  get size(): number {
    return this.items.length;
  }

  draw(): T {
    if (this.pos >= this.order.length) {
      this.order = this.rng.shuffle(Array.from({ length: this.items.length }, (_, i) => i));
      this.pos = 0;
    }
    return this.items[this.order[this.pos++] as number] as T;
  }
}
