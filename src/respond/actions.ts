import { z } from 'zod';

/** Enforcement actions, weakest first; the order is how rules combine (the strongest wins). */
export const DecisionAction = z.enum(['allow', 'monitor', 'step_up', 'throttle', 'degrade', 'block']);
export type DecisionAction = z.infer<typeof DecisionAction>;

export const DecisionSource = z.enum(['policy', 'manual', 'cluster']);
export type DecisionSource = z.infer<typeof DecisionSource>;

export const DecisionScope = z.enum(['account', 'cluster']);
export type DecisionScope = z.infer<typeof DecisionScope>;

const RANK: Record<DecisionAction, number> = {
  allow: 0,
  monitor: 1,
  step_up: 2,
  throttle: 3,
  degrade: 4,
  block: 5,
};

export const actionRank = (a: DecisionAction): number => RANK[a];
export const strongerAction = (a: DecisionAction, b: DecisionAction): boolean => RANK[a] > RANK[b];
