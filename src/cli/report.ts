import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadStack } from '../model/load.js';
import type { Stack } from '../model/schema.js';
import { buildPlan, verdict } from '../plan/index.js';
import { REPORT_MARKER, reportHtml, type DiffSection } from '../report/html.js';
import { expand } from '../topology/expand.js';
import { environmentDiffs } from './env-diff.js';
import { EXIT, UsageError } from './errors.js';
import { sizingBasisFor } from '../plan/calibration.js';

/** dev → test → prod: the rendered differences between each environment and the one before it. */
function differences(stack: Stack, file: string, envs: readonly string[]): DiffSection[] {
  const pairs = envs.slice(1).map((to, i) => ({ from: envs[i]!, to }));
  if (pairs.length === 0) return [];
  const v = verdict(stack, file);
  if (!v.ok) return pairs.map((p) => ({ ...p, skipped: `the definition has ${v.errors.length} error finding(s), so render refuses it (see Findings)`, files: [] }));
  return pairs.map(({ from, to }) => {
    const { guard, diffs } = environmentDiffs(stack, from, to);
    if (guard.length) return { from, to, skipped: `a renderer refused what the plan accepted (${guard.map((g) => g.message).join('; ')})`, files: [] };
    return {
      from,
      to,
      files: diffs.map((d) => ({
        file: d.file,
        change: d.change,
        text: d.patch !== undefined,
        keys: (d.values ?? []).map((k) => ({ change: k.change, path: k.path, ...(k.change !== 'added' ? { from: k.from } : {}), ...(k.change !== 'removed' ? { to: k.to } : {}) })),
      })),
    };
  });
}

/** The report is the only file written: refused when something else is in the way (a file the report did not write). */
function checkTarget(out: string, force: boolean): void {
  if (!existsSync(out)) {
    if (!existsSync(dirname(out))) throw new UsageError(`--out ${out}: directory ${dirname(out)} does not exist`, 'create it first, or give another path');
    return;
  }
  if (statSync(out).isDirectory()) throw new UsageError(`--out ${out} is a directory`, 'give a file name, e.g. --out report.html');
  if (force) return;
  const head = readFileSync(out, 'utf8').slice(0, REPORT_MARKER.length);
  if (head !== REPORT_MARKER) throw new UsageError(`--out ${out} exists and was not written by otelstack report (its first line is not the report's marker)`, 'give another path, or --force to overwrite it');
}

export function reportCommand(program: Command, run: (fn: () => Promise<number>) => Promise<void>): void {
  program
    .command('report')
    .description('one self-contained HTML page: per environment the drawn topology, plan tables, quota request and buckets; every finding; the differences between environments')
    .argument('<definition>', 'stack definition (.ts / .yaml file or directory)')
    .requiredOption('--out <file>', 'the HTML file to write (only this file; an existing one only if a report wrote it)')
    .option('--env <name>', 'only this environment')
    .option('--calibration <file>', 'events/s per core from npm run bench:pipeline, as for plan (default: calibration.json next to the definition)')
    .option('--force', 'overwrite --out even if otelstack report did not write it')
    .action((definition: string, opts: { out: string; env?: string; force?: boolean; calibration?: string }) =>
      run(async () => {
        const { file, stack } = await loadStack(definition);
        if (opts.env && !stack.environments.some((e) => e.name === opts.env)) throw new UsageError(`${file} has no environment "${opts.env}"`, `use one of: ${stack.environments.map((e) => e.name).join(', ')}`);
        const out = resolve(opts.out);
        checkTarget(out, opts.force === true);
        const plan = buildPlan(stack, file, opts.env, sizingBasisFor(file, opts.calibration));
        const envs = plan.environments.map((e) => e.name);
        const html = reportHtml({
          plan,
          topologies: envs.map((e) => expand(stack, e)),
          definition: relative(process.cwd(), file) || file,
          diffs: differences(stack, file, envs),
        });
        writeFileSync(out, html); // the one file written (no temporary beside it)
        const s = plan.summary;
        process.stdout.write(`wrote ${opts.out}: ${envs.length} environment(s) (${envs.join(', ')}), ${s.errors} error(s), ${s.warnings} warning(s), ${s.infos} info\n`);
        // the report shows error findings rather than refusing: it is how one looks at them
        return EXIT.ok;
      }),
    );
}
