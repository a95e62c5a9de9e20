import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../contracts/index.js';
import { EngineThreadHost } from './engine-thread-host.js';
import type { EngineReply, EngineRequest, EventPortMessage } from './engine-thread-protocol.js';

const open: MessageChannel[] = [];
afterEach(() => {
  for (const c of open.splice(0)) {
    c.port1.close();
    c.port2.close();
  }
});

const channel = () => {
  const c = new MessageChannel();
  open.push(c);
  return c;
};

/** A host behind a real MessageChannel, and an event port to it as serve's ingest thread has one. */
function connect() {
  const main = channel();
  const host = new EngineThreadHost({}, (reply, transfer) => main.port2.postMessage(reply, transfer ?? []));
  main.port2.on('message', (m: EngineRequest) => host.handle(m));
  const replies: EngineReply[] = [];
  main.port1.on('message', (m: EngineReply) => replies.push(m));
  const events = channel();
  const send = (msg: EngineRequest) => main.port1.postMessage(msg, msg.type === 'port' ? [msg.port] : []);
  send({ type: 'port', port: events.port2 });
  return {
    send,
    replies,
    hand: (evs: ApiEvent[]) =>
      events.port1.postMessage({ type: 'events', events: evs } satisfies EventPortMessage),
    closePort: () => events.port1.close(),
  };
}

const event = (i: number): ApiEvent => ({
  id: `e${i}`,
  ts: new Date(Date.UTC(2026, 10, 22, 10, 0, i)).toISOString(),
  account_id: `acct-${i % 7}`,
  model: 'm-large',
  request: { messages: [{ role: 'user', content: `summarise section ${i % 13}` }] },
});

/** Waits until `n` replies came in. */
async function replies(t: { replies: EngineReply[] }, n: number): Promise<EngineReply[]> {
  while (t.replies.length < n) await new Promise((r) => setTimeout(r, 5));
  return t.replies;
}

describe('event ports to the engine thread (serve hands stored events over from its ingest thread)', () => {
  it('takes events from the port, reports each batch taken, and scores only once what was handed over has arrived', async () => {
    const t = connect();
    // Asked after 40 events were handed over on the port, before any of them arrived; the `has`
    // behind it on the same port is answered once the analyze was handled (and held back).
    t.send({ type: 'analyze', id: 1, rejectedLines: 0, handedOver: 40 });
    t.send({ type: 'has', id: 2, eventId: 'e1' });
    expect(await replies(t, 1)).toEqual([{ type: 'has', id: 2, has: false }]);
    t.hand(Array.from({ length: 25 }, (_, i) => event(i)));
    expect((await replies(t, 2))[1]).toEqual({ type: 'taken', events: 25, unusable: [] });
    t.send({ type: 'has', id: 3, eventId: 'e1' });
    expect((await replies(t, 3))[2]).toMatchObject({ type: 'has', id: 3 });
    t.hand(Array.from({ length: 15 }, (_, i) => event(25 + i)));
    const all = await replies(t, 5);
    expect(all.map((r) => r.type)).toEqual(['has', 'taken', 'has', 'taken', 'result']);
    const result = all[4]!;
    expect(result.type === 'result' && result.id === 1 && result.delta.header.input.events).toBe(40);
  });

  it('reports events the engine throws on, and stops waiting when the port closes', async () => {
    const t = connect();
    const bad = { id: 'bad', account_id: 'acct-1' } as unknown as ApiEvent;
    t.hand([event(1), bad]);
    expect(await replies(t, 1)).toMatchObject([
      { type: 'taken', events: 2, unusable: [{ kind: 'event', id: 'bad' }] },
    ]);
    // More was counted as handed over than ever arrives (its thread died): scoring goes on without.
    t.send({ type: 'analyze', id: 2, rejectedLines: 0, handedOver: 10 });
    t.send({ type: 'has', id: 3, eventId: 'e1' });
    expect((await replies(t, 2))[1]).toMatchObject({ type: 'has', id: 3 });
    t.closePort();
    expect((await replies(t, 3))[2]).toMatchObject({
      type: 'result',
      id: 2,
      delta: { header: { input: { events: 1 } } },
    });
  });
});
