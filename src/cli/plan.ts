import type { Command } from 'commander';
import { loadStack } from '../model/load.js';
import { sizingBasisFor } from '../plan/calibration.js';
import { buildPlan } from '../plan/index.js';
import { renderPlan, type Format } from '../plan/report.js';
import { EXIT, UsageError } from './errors.js';

export function planCommand(program: Command, run: (fn: () => Promise<number>) => Promise<void>): void {
  program
    .command('plan')
    .description('resources per environment, quota fit and quota-increase request, HA and policy findings')
    .argument('<definition>', 'stack definition: a .ts / .yaml file, or a directory holding stack.ts / stack.yaml')
    .option('--env <name>', 'only this environment')
    .option('--format <format>', 'table | markdown | json', 'table')
    .option('--json', 'same as --format json')
    .option('--calibration <file>', 'events/s per core measured by npm run bench:pipeline, for sizing pools from a load (default: calibration.json next to the definition, else seed 002\'s tables)')
    .action((definition: string, opts: { env?: string; format: string; json?: boolean; calibration?: string }) =>
      run(async () => {
        const format = (opts.json ? 'json' : opts.format) as Format;
        if (!['table', 'markdown', 'json'].includes(format)) throw new UsageError(`unknown format "${opts.format}"`, 'use --format table, markdown or json');
        const { file, stack } = await loadStack(definition);
        if (opts.env && !stack.environments.some((e) => e.name === opts.env)) {
          throw new UsageError(`${file} has no environment "${opts.env}"`, `use one of: ${stack.environments.map((e) => e.name).join(', ')}`);
        }
        const report = buildPlan(stack, file, opts.env, sizingBasisFor(file, opts.calibration));
        process.stdout.write(renderPlan(report, format, format === 'table' && process.stdout.isTTY === true));
        return report.summary.errors > 0 ? EXIT.findings : EXIT.ok;
      }),
    );
}
