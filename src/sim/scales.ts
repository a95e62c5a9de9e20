/** Population and volume per scale. Event totals come out near 100k, 1M and 10M. */
export type Scale = 'small' | 'medium' | 'large';

export interface ScaleSpec {
  benignAccounts: number;
  benignEvents: number;
  universityAccounts: number;
  cloudAccounts: number;
  /** Multiplies the single heavy trap accounts' volume. */
  trapVolume: number;
  hydraAccounts: number;
  noisyPerDay: number;
  mixedAccounts: number;
  logprobAccounts: number;
  slowAccounts: number;
  /** Accounts one load-balanced client drives (linked by nothing but their timing). */
  pooledAccounts: number;
  /** Range the low-rate coordinated campaign's account count is drawn from. */
  lowRateAccounts: readonly [number, number];
  /** Range one course's cohort of students (a legitimate lookalike of the low-rate campaign) is drawn from. */
  courseAccounts: readonly [number, number];
}

export const SCALES: Readonly<Record<Scale, ScaleSpec>> = {
  small: {
    benignAccounts: 1720,
    benignEvents: 60_000,
    universityAccounts: 40,
    cloudAccounts: 50,
    trapVolume: 1,
    hydraAccounts: 150,
    noisyPerDay: 220,
    mixedAccounts: 2,
    logprobAccounts: 3,
    slowAccounts: 12,
    pooledAccounts: 16,
    lowRateAccounts: [20, 60],
    courseAccounts: [15, 50],
  },
  medium: {
    benignAccounts: 17_600,
    benignEvents: 700_000,
    universityAccounts: 150,
    cloudAccounts: 300,
    trapVolume: 6,
    hydraAccounts: 1_500,
    noisyPerDay: 900,
    mixedAccounts: 6,
    logprobAccounts: 10,
    slowAccounts: 60,
    pooledAccounts: 80,
    lowRateAccounts: [40, 150],
    courseAccounts: [30, 120],
  },
  large: {
    benignAccounts: 93_000,
    benignEvents: 9_250_000,
    universityAccounts: 400,
    cloudAccounts: 1_000,
    trapVolume: 25,
    hydraAccounts: 5_000,
    noisyPerDay: 3_000,
    mixedAccounts: 20,
    logprobAccounts: 30,
    slowAccounts: 200,
    pooledAccounts: 300,
    lowRateAccounts: [100, 400],
    courseAccounts: [60, 300],
  },
};
