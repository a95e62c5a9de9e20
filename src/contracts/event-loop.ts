/**
 * Lets the event loop run timers and I/O before the caller goes on. Long synchronous work on a
 * server's request path (parsing a batch, inserting it into SQLite) is sliced with this so other
 * requests — an enforcement point's decision lookup — are not held behind a whole batch: promise
 * continuations alone run as microtasks and never let the loop poll sockets.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
