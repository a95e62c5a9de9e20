import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { StixObject, UserError } from '../../contracts/index.js';
import { userFileError } from '../../ingest/index.js';
import { indicatorPatternProblem } from '../stix/object-check.js';
import type { TaxiiClient } from './taxii-client.js';

const StateFile = z.object({
  cursors: z.record(
    z.string(),
    z.object({ added_after: z.string().optional(), next: z.string().optional() }),
  ),
  objects: z.record(z.string(), z.object({ received_at: z.string(), object: StixObject })),
  /** Members that sighted each object, as the hub last reported. */
  sightings: z.record(z.string(), z.int().min(0)).default({}),
});
type StateFile = z.infer<typeof StateFile>;

/**
 * What a member received from the hub, kept locally: the newest version of each object and a
 * pull cursor per collection, written after every page so an interrupted pull resumes.
 */
export class ReceivedIntel {
  private state: StateFile;
  private constructor(
    private readonly file: string | undefined,
    state: StateFile,
  ) {
    this.state = state;
  }

  static inMemory(): ReceivedIntel {
    return new ReceivedIntel(undefined, { cursors: {}, objects: {}, sightings: {} });
  }

  /**
   * The state in `dir`, or an empty one when there is none yet (no file: ENOENT). A state that is
   * there but cannot be read (FILE_UNREADABLE) or is damaged (INVALID_INPUT) fails closed: an
   * empty state in its place would be saved over it by the next pull, losing cursors and objects.
   */
  static open(dir: string): ReceivedIntel {
    const file = path.join(dir, 'received.json');
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        return new ReceivedIntel(file, { cursors: {}, objects: {}, sightings: {} });
      throw userFileError(err, file, 'Intel state', 'check --state, or move it aside and pull again');
    }
    const damaged = (why: string): UserError =>
      new UserError(
        'INVALID_INPUT',
        `Intel state ${file} is damaged (${why}); move it aside and pull again from the start.`,
      );
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw damaged(`not JSON: ${(err as Error).message}`);
    }
    const parsed = StateFile.safeParse(json);
    if (!parsed.success) throw damaged('not the state intel pull writes');
    return new ReceivedIntel(file, parsed.data);
  }

  private save(): void {
    if (!this.file) return;
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state));
    renameSync(tmp, this.file);
  }

  cursor(collectionId: string): { added_after?: string; next?: string } {
    return this.state.cursors[collectionId] ?? {};
  }

  /** Keeps the newest version of each object (by `modified`). */
  add(objects: readonly StixObject[], now = new Date()): number {
    let n = 0;
    for (const o of objects) {
      const have = this.state.objects[o.id];
      if (have && (have.object.modified ?? '') >= (o.modified ?? '')) continue;
      this.state.objects[o.id] = { received_at: now.toISOString(), object: o };
      n++;
    }
    return n;
  }

  /** Members other than the publisher that sighted each object (from the hub). */
  sightingCounts(): Map<string, number> {
    return new Map(Object.entries(this.state.sightings));
  }

  objects(): StixObject[] {
    return Object.values(this.state.objects).map((e) => e.object);
  }

  /** Pulls every page after the cursor; resumes from `next` or the last date added. */
  async pull(
    client: TaxiiClient,
    collectionId: string,
    opts: { limit?: number } = {},
  ): Promise<{ received: number; pages: number; notes?: string[] }> {
    let received = 0;
    let pages = 0;
    // Another organisation's indicators: one whose STIX pattern is not the STIX 2.1 grammar (or
    // is over its bounds) is never kept, so nothing downstream reads it; the rest stand.
    let badPatterns = 0;
    let firstBad: string | undefined;
    const notes = (): string[] =>
      badPatterns
        ? [
            `skipped ${badPatterns} indicator${badPatterns === 1 ? '' : 's'} whose STIX pattern is not valid (first: ${firstBad})`,
          ]
        : [];
    for (;;) {
      const c = this.cursor(collectionId);
      const page = await client.page(collectionId, {
        ...(c.next ? { next: c.next } : c.added_after ? { addedAfter: c.added_after } : {}),
        ...(opts.limit ? { limit: opts.limit } : {}),
      });
      pages++;
      const usable = page.objects.filter((o) => {
        const problem = indicatorPatternProblem(o);
        if (problem) {
          badPatterns++;
          firstBad ??= `${o.id} ${problem}`;
        }
        return !problem;
      });
      received += this.add(usable);
      const addedAfter = page.dateAddedLast ?? c.added_after;
      this.state.cursors[collectionId] = {
        ...(page.more && page.next ? { next: page.next } : {}),
        ...(addedAfter ? { added_after: addedAfter } : {}),
      };
      this.save();
      if (!page.more) break;
      // "More" with neither a next token nor a later date added cannot be continued: asking
      // again would fetch the same page forever.
      if (!page.next && (!page.dateAddedLast || page.dateAddedLast === c.added_after))
        throw new UserError(
          'UPSTREAM_UNAVAILABLE',
          `The hub said collection ${collectionId} has more objects but gave no way to continue (no next token, no later X-TAXII-Date-Added-Last); stopped after ${pages} pages.`,
        );
    }
    // The sighting counts are a DistillGuard hub extension: a standard TAXII server lacks them,
    // and what was pulled stands without them.
    const counts = await client.sighterCounts(collectionId);
    if (!counts)
      return {
        received,
        pages,
        notes: [
          ...notes(),
          'the server offers no DistillGuard sighting counts (standard TAXII 2.1); skipped them',
        ],
      };
    for (const [id, n] of counts) this.state.sightings[id] = n;
    this.save();
    return { received, pages, ...(badPatterns ? { notes: notes() } : {}) };
  }
}
