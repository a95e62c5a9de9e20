import { z } from 'zod';

/**
 * Ground truth the simulator writes beside its traffic. Ordinary users have role 'benign'
 * and no campaign; legitimate hard cases are role 'benign' with campaign 'trap:<name>';
 * attackers carry their actor and campaign. `clusters` lists attacker campaigns only.
 */
export const TruthAccount = z.object({
  role: z.enum(['benign', 'attacker']),
  actor: z.string().nullable(),
  campaign: z.string().nullable(),
});
export type TruthAccount = z.infer<typeof TruthAccount>;

export const Truth = z.object({
  accounts: z.record(z.string(), TruthAccount),
  clusters: z.record(z.string(), z.array(z.string())),
  /**
   * The parameters the simulator drew for each campaign this run (rates, shares, which links
   * exist, sizes), so an evaluation can explain a miss. Absent in truth written before they were.
   */
  parameters: z
    .record(z.string(), z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])))
    .optional(),
});
export type Truth = z.infer<typeof Truth>;

export const TRAP_PREFIX = 'trap:';
export const isTrap = (t: TruthAccount): boolean => t.campaign?.startsWith(TRAP_PREFIX) ?? false;
