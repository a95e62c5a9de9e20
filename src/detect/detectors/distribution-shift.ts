import { meanDistanceSquared } from '../../features/index.js';
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
    const biased = meanDistanceSquared(
      s.kernelSum,
      s.kernelCount,
      ctx.referenceKernelSum,
      ctx.referenceKernelCount,
    );
    // Remove the finite-sample term: each random-Fourier feature vector has squared norm ≈ 1, so
    // a mean over n prompts sits (1 - ‖mean‖²)/(n - 1) from its expectation by chance alone.
    // Without this, small entities look shifted and large ones are judged against them.
    let meanNorm = 0;
    for (let d = 0; d < s.kernelSum.length; d++) meanNorm += (s.kernelSum[d]! / s.kernelCount) ** 2;
    const mmd2 = Math.max(1e-6, biased - (1 - meanNorm) / (s.kernelCount - 1));
    return {
      stats: [{ kind: 'value', key: 'logMmd', value: Math.log(mmd2 + 1e-9), n: s.kernelCount }],
      evidence: `${s.kernelCount} prompts differ from benign reference traffic by MMD² = ${mmd2.toFixed(4)}, on a scale from 0 (drawn like the reference) to about 2 (nothing alike); the p-value ranks it among benign accounts of similar size`,
      examples: s.samples.items.slice(0, 2).map((x) => x.id),
    };
  },
};
