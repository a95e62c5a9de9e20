/** A consumer's acknowledgement state, as reported by its info when a batch is checked. */
export interface AckState {
  /** Messages delivered and not acknowledged (`num_ack_pending`). */
  ackPending: number;
  /** Every stream sequence at or below it is acknowledged (`ack_floor.stream_seq`). */
  ackFloorSeq: number;
}

export interface BatchCheck {
  /** Copies removed from the batch: of messages already acknowledged, or twice in it. */
  copies: number;
  /** Messages left in the batch, one per stream sequence. */
  distinct: number;
  /** Unacknowledged messages not in the batch; anything but 0 means the batch must be held back. */
  outstanding: number;
}

/**
 * Prepares a batch for applying and says whether it continues the stream: sorts it by stream
 * sequence (redeliveries come in the order their ack waits ran out, not in publish order), keeps
 * one message per sequence, and removes the messages at or below the acknowledgement floor. Those are redelivered copies: a
 * message whose ack wait ran out while its batch was applied is sent again to the open pull
 * request, and when the copy arrives after the worker read the consumer's state it joins the next
 * batch, by when the original is acknowledged. Counted, a copy made the batch look one message
 * off the consumer's unacknowledged count and held it back a whole ack wait for nothing.
 * Every acknowledged message was committed first, so dropping a copy loses nothing.
 */
export function checkBatch<M extends { seq: number }>(msgs: M[], state: AckState): BatchCheck {
  // A message redelivered while its first delivery is in the same batch comes twice: one copy is
  // kept (an acknowledgement or in-progress mark of either counts for the stream sequence).
  const seen = new Set<number>();
  const kept = msgs
    .filter((m) => m.seq > state.ackFloorSeq && !seen.has(m.seq) && seen.add(m.seq))
    .sort((a, b) => a.seq - b.seq);
  const copies = msgs.length - kept.length;
  msgs.splice(0, msgs.length, ...kept);
  return { copies, distinct: kept.length, outstanding: state.ackPending - kept.length };
}
