import { Command, CommanderError } from 'commander';
import { EXIT, reportError, wantsJson, writeJsonError } from './errors.js';

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

type Register = (program: Command, run: (fn: () => Promise<number>) => Promise<void>) => void;

/**
 * Each command's module is imported only when that command runs (all of them for top-level help): the renderers,
 * the OTLP/gRPC stack and the AWS SDK cost a second of start-up that `otelstack plan` should not pay.
 */
const COMMANDS: Record<string, () => Promise<Register[]>> = {
  plan: async () => [(await import('./plan.js')).planCommand],
  schema: async () => [(await import('./schema.js')).schemaCommand],
  catalog: async () => [(await import('./catalog.js')).catalogCommand],
  render: async () => {
    const m = await import('./render.js');
    return [m.renderCommand, m.diffCommand];
  },
  backup: async () => [(await import('./backup.js')).backupCommands],
  verify: async () => [(await import('./verify.js')).verifyCommand],
  canary: async () => [(await import('./canary.js')).canaryCommand],
  load: async () => [(await import('./load.js')).loadCommand],
  report: async () => [(await import('./report.js')).reportCommand],
  deploy: async () => [(await import('./deploy.js')).deployCommand],
  migrate: async () => [(await import('./migrate.js')).migrateCommand],
  tenant: async () => [(await import('./tenant.js')).tenantCommand],
};
const ALIASES: Record<string, string> = { diff: 'render', restore: 'backup' };

/** The whole CLI: registers the requested command (all of them for help) and runs it; sets process.exitCode. */
export async function main(): Promise<void> {
  const requested = process.argv.slice(2).find((a) => !a.startsWith('-'));
  const key = requested === undefined ? undefined : (ALIASES[requested] ?? requested);
  const versionOnly = key === undefined && process.argv.slice(2).some((a) => a === '--version' || a === '-V');
  const chosen = versionOnly ? [] : key !== undefined && COMMANDS[key] && requested !== 'help' ? [COMMANDS[key]] : Object.values(COMMANDS);
  for (const load of chosen) for (const register of await load()) register(program, run);

  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      const ok = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help';
      // commander has printed the message to stderr; --json gets the same error as every other bad input
      if (!ok && wantsJson()) writeJsonError({ kind: 'usage', message: e.message.replace(/^error: /, '') });
      process.exitCode = ok ? EXIT.ok : EXIT.usage;
    } else {
      process.exitCode = reportError(e);
    }
  }
}

void main();
