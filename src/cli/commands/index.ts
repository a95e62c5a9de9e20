import type { Command } from 'commander';
import { finishHelp } from '../help.js';
import { registerAnalyze } from './analyze.js';
import { registerDemo } from './demo.js';
import { registerEval } from './evaluate.js';
import { registerFindings } from './findings.js';
import { registerGateway } from './gateway.js';
import { registerHub } from './hub.js';
import { registerIngest } from './ingest.js';
import { registerIntel } from './intel.js';
import { registerProbe } from './probe.js';
import { registerScale } from './scale.js';
import { registerServe } from './serve.js';
import { registerSimulate } from './simulate.js';
import { registerValidate } from './validate.js';
import { registerWorker } from './worker.js';

/** Each command lives in its own file and registers itself here. */
export function registerCommands(program: Command): void {
  void program;
  registerValidate(program);
  registerSimulate(program);
  registerAnalyze(program);
  registerFindings(program);
  registerEval(program);
  registerGateway(program);
  registerProbe(program);
  registerServe(program);
  registerDemo(program);
  registerIntel(program);
  registerHub(program);
  registerIngest(program);
  registerWorker(program);
  registerScale(program);
  finishHelp(program);
}
