import { addOrdinaryCustomers, addTraps } from './benignPopulation.js';
import { addCampaigns } from './campaignPopulation.js';
import { PopulationContext, type PopulationOptions } from './populationContext.js';
import type { Behaviour } from './session.js';

export type { PopulationOptions } from './populationContext.js';

export { ACTORS } from './populationContext.js';

/** Builds every account of a simulation and the behaviour that drives it (ids are drawn in this order). */
export function buildPopulation(o: PopulationOptions): Behaviour[] {
  const ctx = new PopulationContext(o);
  addOrdinaryCustomers(ctx);
  addTraps(ctx);
  addCampaigns(ctx);
  return ctx.out;
}
