#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { isUserError } from '../contracts/index.js';
import { registerCommands } from './commands/index.js';
import { exitStatusOf } from './exit-status.js';

const program = new Command()
  .name('distillguard')
  .description('Detect, attribute, stop and share intelligence on adversarial distillation of model APIs')
  .version('0.1.0')
  .showHelpAfterError()
  // Commander's own usage errors come back here (subcommands inherit this) so that one place,
  // exitStatusOf, decides every exit status.
  .exitOverride();

registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Errors a user can cause get one line and a stable code; anything else is a bug worth a stack.
  if (isUserError(err)) process.stderr.write(`error[${err.code}]: ${err.message}\n`);
  else if (!(err instanceof CommanderError))
    process.stderr.write(
      `internal error (a bug; please report it with this output):\n${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
  process.exit(exitStatusOf(err));
}
