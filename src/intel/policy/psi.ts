import { randomBytes } from 'node:crypto';
import { ristretto255, ristretto255_hasher } from '@noble/curves/ed25519.js';
import { z } from 'zod';
import { UserError } from '../../contracts/index.js';

/**
 * Private set intersection by commutative blinding (Diffie-Hellman PSI) over ristretto255:
 * each item is hashed to a group element H(x) and raised to a secret scalar. H(x)^ab = H(x)^ba,
 * so double-blinded values match exactly for shared items, while a single- or double-blinded
 * value reveals nothing about an item the other side does not hold (DDH assumption).
 * Each side learns the overlap and the other side's set size, nothing else.
 *
 *   A -> B : start    = shuffled H(a)^α
 *   B -> A : response = (H(a)^α)^β in A's order, and shuffled H(b)^β
 *   A      : overlap  = A's items whose H(a)^αβ is among (H(b)^β)^α
 *   A -> B : finish   = (H(b)^β)^α in B's order, so B learns the overlap too
 */
const Point = ristretto255.Point;
const ORDER = Point.Fn.ORDER;
const DST = new TextEncoder().encode('distillguard-psi-v1_ristretto255_XMD:SHA-512_R255MAP_RO_');

const Hex32 = z.string().regex(/^[0-9a-f]{64}$/);
export const PsiStart = z.object({ psi: z.literal('start'), session: z.string(), blinded: z.array(Hex32) });
export const PsiResponse = z.object({
  psi: z.literal('response'),
  session: z.string(),
  double_blinded: z.array(Hex32),
  blinded: z.array(Hex32),
});
export const PsiFinish = z.object({
  psi: z.literal('finish'),
  session: z.string(),
  double_blinded: z.array(Hex32),
});
export type PsiStart = z.infer<typeof PsiStart>;
export type PsiResponse = z.infer<typeof PsiResponse>;
export type PsiFinish = z.infer<typeof PsiFinish>;

/** What a party keeps locally between steps (its secret scalar never leaves). */
export const PsiState = z.object({
  role: z.enum(['initiator', 'responder']),
  session: z.string(),
  secret: z.string().regex(/^[0-9a-f]+$/),
  items: z.array(z.string()),
  /** Position in the sent (shuffled) list of each item, by index in `items`. */
  order: z.array(z.int()),
  /** Responder only: double-blinded values of the initiator's items, to match against at finish. */
  peer_double: z.array(Hex32).optional(),
});
export type PsiState = z.infer<typeof PsiState>;

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function randomScalar(): bigint {
  for (;;) {
    const s = BigInt(`0x${randomBytes(64).toString('hex')}`) % ORDER;
    if (s !== 0n) return s;
  }
}

const hashToPoint = (item: string): InstanceType<typeof Point> =>
  ristretto255_hasher.hashToCurve(new TextEncoder().encode(item.trim()), { DST });

/** H(x) unblinded, as anyone could compute it from a guessed item (tests check it never travels). */
export const psiElementOf = (item: string): string => hex(hashToPoint(item).toBytes());

function raise(encoded: string, scalar: bigint): string {
  let p: InstanceType<typeof Point>;
  try {
    p = Point.fromHex(encoded);
  } catch {
    throw new UserError(
      'INVALID_INPUT',
      'PSI message holds a value that is not a ristretto255 element; the peer sent a corrupt message.',
    );
  }
  if (p.is0()) throw new UserError('INVALID_INPUT', 'PSI message holds the identity element; refusing it.');
  return hex(p.multiply(scalar).toBytes());
}

function shuffledOrder(n: number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = randomBytes(4).readUInt32BE() % (i + 1);
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  // order[k] = position of item k in the sent list
  const order = new Array<number>(n);
  idx.forEach((item, pos) => (order[item] = pos));
  return order;
}

function blindAll(items: string[], secret: bigint, order: number[]): string[] {
  const out = new Array<string>(items.length);
  items.forEach((item, k) => (out[order[k]!] = hex(hashToPoint(item).multiply(secret).toBytes())));
  return out;
}

const unique = (items: string[]): string[] => [...new Set(items.map((s) => s.trim()).filter(Boolean))];

export function psiStart(items: string[]): { state: PsiState; message: PsiStart } {
  const its = unique(items);
  const secret = randomScalar();
  const order = shuffledOrder(its.length);
  const session = randomBytes(8).toString('hex');
  return {
    state: { role: 'initiator', session, secret: secret.toString(16), items: its, order },
    message: { psi: 'start', session, blinded: blindAll(its, secret, order) },
  };
}

export function psiRespond(items: string[], start: PsiStart): { state: PsiState; message: PsiResponse } {
  const its = unique(items);
  const secret = randomScalar();
  const order = shuffledOrder(its.length);
  const double = start.blinded.map((b) => raise(b, secret));
  return {
    state: {
      role: 'responder',
      session: start.session,
      secret: secret.toString(16),
      items: its,
      order,
      peer_double: double,
    },
    message: {
      psi: 'response',
      session: start.session,
      double_blinded: double,
      blinded: blindAll(its, secret, order),
    },
  };
}

function checkSession(state: PsiState, session: string): void {
  if (state.session !== session)
    throw new UserError(
      'INVALID_INPUT',
      `PSI message is for session ${session}, but this state is for ${state.session}.`,
    );
}

/** Initiator: learns the overlap, and produces the message that lets the responder learn it too. */
export function psiInitiatorFinish(
  state: PsiState,
  response: PsiResponse,
): { overlap: string[]; message: PsiFinish } {
  checkSession(state, response.session);
  if (state.role !== 'initiator')
    throw new UserError('INVALID_ARGUMENT', 'This PSI state belongs to the responder.');
  if (response.double_blinded.length !== state.items.length)
    throw new UserError('INVALID_INPUT', 'PSI response does not answer every item that was sent.');
  const secret = BigInt(`0x${state.secret}`);
  const theirs = response.blinded.map((b) => raise(b, secret));
  const theirSet = new Set(theirs);
  const overlap = state.items.filter((_, k) => theirSet.has(response.double_blinded[state.order[k]!]!));
  return { overlap, message: { psi: 'finish', session: state.session, double_blinded: theirs } };
}

/** Responder: learns the overlap from the initiator's finish message. */
export function psiResponderFinish(state: PsiState, finish: PsiFinish): string[] {
  checkSession(state, finish.session);
  if (state.role !== 'responder' || !state.peer_double)
    throw new UserError('INVALID_ARGUMENT', 'This PSI state belongs to the initiator.');
  const theirSet = new Set(state.peer_double);
  return state.items.filter((_, k) => theirSet.has(finish.double_blinded[state.order[k]!] ?? ''));
}
