// What the benches say about the machine they ran on (its load makes timings comparable or not).
import { cpus, loadavg } from 'node:os';

/** The 1, 5 and 15 minute load averages, e.g. "1.52 0.98 0.40". */
export const load = (digits = 2) =>
  loadavg()
    .map((x) => x.toFixed(digits))
    .join(' ');

/** The line a bench starts with: cores and load. */
export const machineLine = (digits = 2) => `machine: ${cpus().length} cores, load ${load(digits)}\n`;
