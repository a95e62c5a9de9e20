#!/usr/bin/env node
import { Command } from 'commander';
import { isUserError } from '../schema/index.js';
import { registerCommands } from './commands/index.js';

const program = new Command()
  .name('distillguard')
  .description('Detect, attribute, stop and share intelligence on adversarial distillation of model APIs')
  .version('0.1.0')
  .showHelpAfterError();

registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Errors a user can cause get one line and a stable code; anything else is a bug worth a stack.
  if (isUserError(err)) {
    process.stderr.write(`error[${err.code}]: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
