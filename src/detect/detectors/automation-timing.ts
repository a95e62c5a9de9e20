import { entropy } from '../../features/index.js';
import { ATLAS, type Detector } from '../detector.js';

/**
 * Scheduler-driven traffic: no diurnal rhythm (requests spread evenly over the 24 hours) and
 * regular inter-arrival gaps. People sleep; cron jobs and worker pools do not.
 */
export const automationTiming: Detector = {
  id: 'automation-timing',
  title: 'Automation and timing',
  atlas: ATLAS.inferenceApi,
  family: 'behaviour',
  measure(s) {
    if (s.n < 12) return null;
    const hourEvenness = entropy(s.hours) / Math.log(24);
    const activeHours = s.hours.reduce((c, v) => c + (v > 0 ? 1 : 0), 0);
    const sd = s.gapLogSd;
    const stats: { kind: 'value'; key: string; value: number; n: number }[] = [
      { kind: 'value', key: 'hourEvenness', value: hourEvenness, n: s.n },
    ];
    if (Number.isFinite(sd)) stats.push({ kind: 'value', key: 'gapRegularity', value: -sd, n: s.n });
    return {
      stats,
      evidence: `active in ${activeHours} of 24 hours of the day (evenness ${hourEvenness.toFixed(2)}); log inter-arrival spread ${Number.isFinite(sd) ? sd.toFixed(2) : 'n/a'}; ${s.bursts} requests within 2 s of the previous`,
      examples: s.samples.items.slice(0, 2).map((x) => x.id),
    };
  },
};
