import type { Command } from 'commander';
import { registerGateway } from './gateway.js';
import { registerProbe } from './probe.js';
import { registerSimulate } from './simulate.js';
import { registerValidate } from './validate.js';

/** Each command lives in its own file and registers itself here. */
export function registerCommands(program: Command): void {
  void program;
  registerValidate(program);
  registerSimulate(program);
  registerGateway(program);
  registerProbe(program);
}
