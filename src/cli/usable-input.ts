import { UserError } from '../contracts/index.js';

/**
 * Input of which nothing could be used (an empty or binary file, every line rejected) is an
 * error, not an empty success: findings and reports of zero accounts would look like a clean bill.
 */
export function requireUsableEvents(
  inputs: readonly string[],
  counts: { events: number; rejectedLines: number },
  quarantine: { path: string; lines: number },
): void {
  if (counts.events > 0) return;
  const what =
    counts.rejectedLines === 0
      ? 'no events in it (empty?)'
      : `all ${counts.rejectedLines.toLocaleString('en')} non-empty lines rejected; reasons and line numbers in ${quarantine.path}`;
  throw new UserError(
    'NO_EVENTS',
    `nothing usable read from ${inputs.join(', ')}: ${what} (quarantine file: ${quarantine.path}, ${quarantine.lines.toLocaleString('en')} lines)`,
  );
}

/** "1 line", "3 lines". */
export const lines = (n: number): string => `${n.toLocaleString('en')} line${n === 1 ? '' : 's'}`;
