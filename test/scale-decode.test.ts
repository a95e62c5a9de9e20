import { describe, expect, it } from 'vitest';
import type { ApiEvent } from '../src/contracts/index.js';
import { DetectionEngine } from '../src/findings/index.js';
import { decodeMessage, partitionOf, ScannedEvents } from '../src/pipeline/index.js';
import { simulatedTraffic } from './server-harness.js';

// The worker decodes event messages with the fast scanner `analyze` uses and applies them with
// addLine. It must accept exactly what the ordinary path (JSON.parse + the ScaleMessage schema)
// accepts, and the state it builds must be the state addEvent builds.
const PARTITIONS = 4;
const published = (event: unknown): Buffer => Buffer.from(JSON.stringify({ kind: 'event', event }));
const metaOf = (accountId: string, seq: number) => ({
  seq,
  subject: `dg.events.${partitionOf(accountId, PARTITIONS)}`,
  partition: partitionOf(accountId, PARTITIONS),
  partitions: PARTITIONS,
});

describe('fast decode of event messages', () => {
  for (const seed of [3, 101]) {
    it(`builds the same account state as the ordinary path (simulation seed ${seed})`, () => {
      const { accounts, events } = simulatedTraffic(4000, seed, 14);
      // As in a worker: the engine uses feature caches shared with (and warmed by) another engine.
      const caches = new DetectionEngine();
      const other = new DetectionEngine({}, undefined, caches);
      const warm = new ScannedEvents();
      const otherEvents = simulatedTraffic(1000, seed + 1000, 14).events;
      warm.reset(otherEvents.length);
      otherEvents.forEach((e, i) => {
        const d = decodeMessage(published(e), metaOf(e.account_id, i), warm);
        if (d.ok && d.msg.kind === 'scanned') other.addLine(warm.line(d.msg));
      });
      const fast = new DetectionEngine({}, undefined, caches);
      const slow = new DetectionEngine();
      for (const a of accounts) {
        fast.addAccount(a);
        slow.addAccount(a);
      }
      const scanned = new ScannedEvents();
      let viaScanner = 0;
      // Batches of 100, as the worker decodes a batch before applying it.
      for (let at = 0; at < events.length; at += 100) {
        const batch = events.slice(at, at + 100);
        scanned.reset(batch.length);
        const decoded = batch.map((e, i) =>
          decodeMessage(published(e), metaOf(e.account_id, at + i), scanned),
        );
        batch.forEach((e, i) => {
          const d = decoded[i]!;
          const ordinary = decodeMessage(published(e), metaOf(e.account_id, at + i));
          expect(d.ok && ordinary.ok).toBe(true);
          if (!d.ok || !ordinary.ok || ordinary.msg.kind !== 'event') throw new Error('not an event');
          if (d.msg.kind === 'scanned') {
            viaScanner++;
            expect([d.msg.id, d.msg.accountId]).toEqual([
              ordinary.msg.event.id,
              ordinary.msg.event.account_id,
            ]);
            fast.addLine(scanned.line(d.msg));
          } else if (d.msg.kind === 'event') fast.addEvent(d.msg.event);
          slow.addEvent(ordinary.msg.event);
        });
      }
      // Nearly every simulated event takes the fast path (else this test would prove nothing).
      expect(viaScanner).toBeGreaterThan(events.length * 0.9);
      const ids = [...slow.accountIds()].sort();
      expect([...fast.accountIds()].sort()).toEqual(ids);
      for (const id of ids) expect(fast.accountState(id)).toEqual(slow.accountState(id));
    });
  }

  const event: ApiEvent = simulatedTraffic(1, 3, 14).events[0]!;
  const variants: [string, unknown][] = [
    ['missing request', { ...event, request: undefined }],
    ['wrong type of ts', { ...event, ts: 12 }],
    ['bad timestamp', { ...event, ts: '2026-02-30T00:00:00Z' }],
    ['NUL in the id', { ...event, id: 'a\u0000b' }],
    ['empty account id', { ...event, account_id: '' }],
  ];
  for (const [what, bad] of variants)
    it(`quarantines an invalid event (${what}) with the ordinary path's reason`, () => {
      const scanned = new ScannedEvents();
      scanned.reset(1);
      const meta = metaOf(event.account_id, 1);
      const d = decodeMessage(published(bad), meta, scanned);
      const ordinary = decodeMessage(published(bad), meta);
      expect(d.ok).toBe(false);
      expect(d).toEqual(ordinary);
    });

  it('quarantines a misrouted event as misrouted', () => {
    const scanned = new ScannedEvents();
    scanned.reset(1);
    const home = partitionOf(event.account_id, PARTITIONS);
    const d = decodeMessage(
      published(event),
      { ...metaOf(event.account_id, 1), partition: (home + 1) % PARTITIONS },
      scanned,
    );
    expect(!d.ok && d.rejected.reason).toBe('misrouted');
  });

  it('takes the ordinary path for an envelope written another way, and accepts it', () => {
    const scanned = new ScannedEvents();
    scanned.reset(2);
    const meta = metaOf(event.account_id, 1);
    const spaced = Buffer.from(`{ "kind": "event", "event": ${JSON.stringify(event)} }`);
    const reordered = Buffer.from(`{"event":${JSON.stringify(event)},"kind":"event"}`);
    for (const m of [spaced, reordered]) {
      const d = decodeMessage(m, meta, scanned);
      expect(d.ok && d.msg.kind).toBe('event');
    }
    // Trailing bytes after the envelope are not JSON: refused like any bad message.
    const trailing = Buffer.concat([published(event), Buffer.from('}')]);
    expect(decodeMessage(trailing, meta, scanned)).toEqual(decodeMessage(trailing, meta));
    expect(decodeMessage(trailing, meta).ok).toBe(false);
  });
});
