import { Command, CommanderError } from 'commander';
import { EXIT, reportError } from './errors.js';
import { catalogCommand } from './catalog.js';
import { planCommand } from './plan.js';
import { diffCommand, renderCommand } from './render.js';
import { schemaCommand } from './schema.js';
import { backupCommands } from './backup.js';
import { verifyCommand } from './verify.js';
import { loadCommand } from './load.js';

const program = new Command();
program
  .name('otelstack')
  .description('One typed definition of an OpenTelemetry observability stack: plan, render, verify, operate.')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

/** Runs a command body and sets the exit code: 0 ok, 1 findings / failed verification, 2 bad input. */
async function run(fn: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await fn();
  } catch (e) {
    process.exitCode = reportError(e);
  }
}

planCommand(program, run);
schemaCommand(program, run);
catalogCommand(program, run);
renderCommand(program, run);
diffCommand(program, run);
backupCommands(program, run);
verifyCommand(program, run);
loadCommand(program, run);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? EXIT.ok : EXIT.usage;
  } else {
    process.exitCode = reportError(e);
  }
}
