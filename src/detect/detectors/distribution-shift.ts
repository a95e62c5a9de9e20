import { meanDistanceSquared } from '../../features/index.js';
import { ATLAS, type Detector } from '../detector.js';

/**
 * Kernel two-sample test (MMD with random Fourier features) of an entity's prompts against the
 * benign reference traffic. The statistic's null distribution is taken from benign-versus-
 * reference comparisons of entities of similar size (see calibration), never from attack data.
 */
/**
 * MMD² in words: the number, what the scale runs between, and (once calibrated) the benign median
 * for accounts of the same size, without which 0.35 says nothing to an analyst.
 */
export function mmdEvidence(prompts: number, mmd2: number, benignMedian: number | undefined): string {
  const head = `${prompts} prompts differ from benign reference traffic by MMD² = ${mmd2.toFixed(4)}`;
  const scale = 'on a scale from 0 (drawn like the reference) to about 2 (nothing alike)';
  if (benignMedian === undefined)
    return `${head}, ${scale}; the p-value ranks it among benign accounts of similar size`;
  const ratio = benignMedian > 0 ? mmd2 / benignMedian : Infinity;
  const times =
    Number.isFinite(ratio) && ratio >= 1.05 ? ` (${ratio.toFixed(ratio < 10 ? 1 : 0)}× the median)` : '';
  return `${head}, where benign accounts of similar size have a median of ${benignMedian.toFixed(4)}${times}, ${scale}; the p-value ranks it among those benign accounts`;
}

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
    const n = s.kernelCount;
    return {
      stats: [{ kind: 'value', key: 'logMmd', value: Math.log(mmd2 + 1e-9), n }],
      evidence: mmdEvidence(n, mmd2, undefined),
      evidenceWithMedians: ([logMedian]) =>
        mmdEvidence(n, mmd2, logMedian === undefined ? undefined : Math.max(0, Math.exp(logMedian) - 1e-9)),
      examples: s.samples.items.slice(0, 2).map((x) => x.id),
    };
  },
};
