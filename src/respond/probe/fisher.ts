/** log(n!) by summation, cached: tables here are at most a few thousand canaries. */
const logFactorials: number[] = [0];
function logFactorial(n: number): number {
  for (let i = logFactorials.length; i <= n; i++) logFactorials.push(logFactorials[i - 1]! + Math.log(i));
  return logFactorials[n]!;
}

function logChoose(n: number, k: number): number {
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

export interface TwoByTwo {
  /** served canaries that came back */
  servedHit: number;
  servedMiss: number;
  /** control canaries (never served) that came back */
  controlHit: number;
  controlMiss: number;
}

/**
 * One-sided Fisher exact test: the probability, if served and control canaries were equally likely
 * to come back, of at least this many served ones among all that came back. Small means the model
 * saw the served canaries, i.e. it was trained on answers the gateway gave.
 */
export function fisherOneSided(t: TwoByTwo): number {
  const served = t.servedHit + t.servedMiss;
  const controls = t.controlHit + t.controlMiss;
  const hits = t.servedHit + t.controlHit;
  const total = served + controls;
  if (hits === 0 || served === 0) return 1;
  const denominator = logChoose(total, hits);
  let p = 0;
  const upper = Math.min(served, hits);
  for (let x = t.servedHit; x <= upper; x++) {
    if (hits - x > controls) continue;
    p += Math.exp(logChoose(served, x) + logChoose(controls, hits - x) - denominator);
  }
  return Math.min(1, p);
}
