import { endianness } from 'node:os';
import { AccountState } from '../../contracts/index.js';
import { KERNEL_DIMENSIONS, type DetectionEngine } from '../../findings/index.js';
import type { StoredAccountState } from '../../store/index.js';

const KERNEL_BYTES = KERNEL_DIMENSIONS * 8;
/** The stored kernel is little-endian; on such a machine (nearly all) its bytes are copied whole. */
const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * An account's durable form: its AccountState as JSON without the kernel sum, and the kernel sum
 * as little-endian float64 bytes. Why: the 96 kernel numbers were a third of the JSON and most of
 * what JSON.stringify, JSON.parse and the schema spend on it (number formatting and parsing), paid
 * for every changed account of every batch and every account of every scoring round.
 */
export function encodeAccountState(
  engine: DetectionEngine,
  accountId: string,
): ({ account_id: string } & StoredAccountState) | undefined {
  const state = engine.accountState(accountId, false);
  if (!state) return undefined;
  const sum = engine.statsOf(accountId)?.kernelSum;
  let kernel: Buffer | null = null;
  if (state.stats && sum) {
    kernel = Buffer.allocUnsafe(sum.length * 8);
    if (LITTLE_ENDIAN) kernel.set(new Uint8Array(sum.buffer, sum.byteOffset, sum.byteLength));
    else for (let d = 0; d < sum.length; d++) kernel.writeDoubleLE(sum[d]!, d * 8);
  }
  return { account_id: accountId, state: JSON.stringify(state), kernel };
}

/**
 * Restores one stored account into `engine`, validating it at the edge: the JSON through the
 * AccountState schema (as before), and a binary kernel sum for its length and finite values and
 * only beside stats whose own kernel sum is empty. A row written before the kernel column (kernel
 * null) keeps its kernel sum in the JSON and restores as it always did. Anything else throws.
 */
export function restoreStoredAccount(engine: DetectionEngine, row: StoredAccountState): void {
  const state = AccountState.parse(JSON.parse(row.state));
  if (row.kernel === null) {
    engine.restoreAccount(state);
    return;
  }
  if (!state.stats || state.stats.kernelSum.length !== 0 || row.kernel.length !== KERNEL_BYTES)
    throw new Error(
      `stored state of account ${JSON.stringify(state.account_id)} is inconsistent: a ${row.kernel.length}-byte kernel beside ${state.stats ? `a kernel sum of ${state.stats.kernelSum.length}` : 'no statistics'}`,
    );
  const kernel = new Float64Array(KERNEL_DIMENSIONS);
  if (LITTLE_ENDIAN) new Uint8Array(kernel.buffer).set(row.kernel);
  else for (let d = 0; d < KERNEL_DIMENSIONS; d++) kernel[d] = row.kernel.readDoubleLE(d * 8);
  for (let d = 0; d < KERNEL_DIMENSIONS; d++) {
    const x = kernel[d]!;
    if (!Number.isFinite(x))
      throw new Error(
        `stored kernel of account ${JSON.stringify(state.account_id)} holds a non-finite value`,
      );
  }
  engine.restoreAccount(state, kernel);
}
