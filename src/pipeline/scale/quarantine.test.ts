import { describe, expect, it } from 'vitest';
import { MAX_RECORD_DEPTH } from '../../ingest/index.js';
import { decodeMessage } from './quarantine.js';
import { minimalEvent } from '../../../test/full-event.js';

const event = minimalEvent();
/** An event message whose event has an unknown field `levels` objects deep (built as text). */
const message = (levels: number): Buffer => {
  const head = JSON.stringify(event).slice(0, -1);
  return Buffer.from(
    `{"kind":"event","event":${head},"meta":${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}}}`,
  );
};
const meta = { seq: 1, subject: 'dg.events.0', partition: 0, partitions: 1 };

describe('a stream message nested too deep', () => {
  it('is quarantined as too_deep, not applied; at the bound it is applied', () => {
    // Anything with publish rights can write to the stream: the worker holds ingest's bound too.
    const d = decodeMessage(message(5000), meta);
    expect(d.ok).toBe(false);
    expect(!d.ok && d.rejected.reason).toBe('too_deep');
    // The event is level 1 of its own nesting, its "meta" level 2.
    expect(decodeMessage(message(MAX_RECORD_DEPTH - 1), meta).ok).toBe(true);
    expect(decodeMessage(message(MAX_RECORD_DEPTH), meta).ok).toBe(false);
  });
});
