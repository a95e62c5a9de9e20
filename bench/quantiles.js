// Latency quantiles shared by the benches.

/** p50, p99 and max of latency samples (ms). */
export function quantiles(samples) {
  const s = Float64Array.from(samples).sort();
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, p50: q(0.5), p99: q(0.99), max: s[s.length - 1] };
}
