import { meanDistanceSquared } from '../kernel-features.js';
import { ATLAS, type Detector } from '../detector.js';

/**
 * Kernel two-sample test (MMD with random Fourier features) of an entity's prompts against the
 * benign reference traffic. The statistic's null distribution is taken from benign-versus-
 * reference comparisons of entities of similar size (see calibration), never from attack data.
 */
export const distributionShift: Detector = {
  id: 'distribution-shift',
  title: 'Distribution shift from benign traffic (MMD)',
  atlas: ATLAS.extractModel,
  family: 'content',
  measure(s, ctx) {
    if (s.kernelCount < 5 || ctx.referenceKernelCount < 50) return null;
    const mmd2 = meanDistanceSquared(
      s.kernelSum,
      s.kernelCount,
      ctx.referenceKernelSum,
      ctx.referenceKernelCount,
    );
    return {
      stats: [{ kind: 'value', key: 'logMmd', value: Math.log(mmd2 + 1e-9), n: s.kernelCount }],
      evidence: `prompt distribution differs from benign reference traffic: MMD² = ${mmd2.toFixed(4)} over ${s.kernelCount} prompts`,
      examples: s.samples.items.slice(0, 2).map((x) => x.id),
    };
  },
};
