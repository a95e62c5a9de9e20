import { addOrdinaryCustomers, addTraps } from './benign-population.js';
import { addCampaigns } from './campaign-population.js';
import { addCourseCohort } from './course-cohort.js';
import { PopulationContext, type PopulationOptions } from './population-context.js';
import type { Behaviour } from './simulated-session.js';
import type { ParameterValue } from './campaign-parameters.js';

export type { PopulationOptions } from './population-context.js';

export { ACTORS } from './population-context.js';

/** Builds every account of a simulation and the behaviour that drives it (ids are drawn in this order). */
export function buildPopulation(o: PopulationOptions): Behaviour[] {
  return buildPopulationWithParameters(o).behaviours;
}

/** buildPopulation, with the parameters each campaign drew (truth.json `parameters`). */
export function buildPopulationWithParameters(o: PopulationOptions): {
  behaviours: Behaviour[];
  parameters: Record<string, Record<string, ParameterValue>>;
} {
  const ctx = new PopulationContext(o);
  addOrdinaryCustomers(ctx);
  addTraps(ctx);
  addCampaigns(ctx);
  // Last, so that adding it changed no other account's id or draws.
  addCourseCohort(ctx);
  return { behaviours: ctx.out, parameters: ctx.parameters };
}
