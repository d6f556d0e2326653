import type { Command } from 'commander';
import pc from 'picocolors';
import { loadStack } from '../model/load.js';
import { TARGETS, type Target } from '../model/schema.js';
import { diffFileSets, readFileSet, writeFileSetAtomically, lineDiff, type FileSet } from '../render/fileset.js';
import { renderStack } from '../render/index.js';
import { verdict } from '../plan/index.js';
import { EXIT, UsageError } from './errors.js';

type Run = (fn: () => Promise<number>) => Promise<void>;

function printFindings(findings: ReturnType<typeof renderStack>['findings']): void {
  for (const f of findings) process.stderr.write(`${f.severity} [${f.rule}]${f.env ? ` ${f.env}` : ''} at ${f.path}: ${f.message}\n  → ${f.suggestion}\n`);
}

export function renderCommand(program: Command, run: Run): void {
  program
    .command('render')
    .description('render deployments (ArgoCD + Helm values, Docker Compose) and native configs; writes all files or none')
    .argument('<definition>', 'stack definition (.ts / .yaml file or directory)')
    .option('--target <target>', `${TARGETS.join(' | ')} | all (each environment renders for its own target)`, 'all')
    .option('--env <name>', 'only this environment')
    .requiredOption('--out <dir>', 'output directory (replaced atomically)')
    .option('--check', 'write nothing; exit 1 with a diff when --out differs from what would be rendered')
    .option('--json', 'print a JSON summary')
    .action((definition: string, opts: { target: string; env?: string; out: string; check?: boolean; json?: boolean }) =>
      run(async () => {
        if (opts.target !== 'all' && !(TARGETS as readonly string[]).includes(opts.target)) throw new UsageError(`unknown target "${opts.target}"`, `use one of: ${TARGETS.join(', ')}, all`);
        const { file, stack } = await loadStack(definition);
        if (opts.env && !stack.environments.some((e) => e.name === opts.env)) throw new UsageError(`${file} has no environment "${opts.env}"`, `use one of: ${stack.environments.map((e) => e.name).join(', ')}`);
        const r = renderStack(stack, { target: opts.target as Target | 'all', ...(opts.env ? { env: opts.env } : {}) });
        if (r.environments.length === 0) throw new UsageError(`no environment of ${file} has target ${opts.target}`, `its environments: ${stack.environments.map((e) => `${e.name} (${e.target})`).join(', ')}`);
        // the plan's rules decide (same verdict as `plan`); a renderer's own error finding is an internal guard
        const v = verdict(stack, file, r.environments);
        const errors = v.ok ? r.findings.filter((f) => f.severity === 'error') : v.errors;
        printFindings(v.ok ? r.findings : v.errors);
        if (errors.length) {
          process.stderr.write(`error: ${errors.length} problem(s) prevent rendering; nothing was written${v.ok ? ' (a renderer refused what the plan accepted: please report it)' : ''}\n`);
          return EXIT.findings;
        }
        if (opts.check) {
          const diffs = diffFileSets(r.files, readFileSet(opts.out));
          if (opts.json) process.stdout.write(`${JSON.stringify({ out: opts.out, upToDate: diffs.length === 0, diffs: diffs.map((d) => ({ path: d.path, change: d.change })) }, null, 2)}\n`);
          else if (diffs.length === 0) process.stdout.write(`${opts.out} is up to date (${r.files.size} files)\n`);
          else for (const d of diffs) process.stdout.write(`${d.change === 'added' ? 'missing on disk' : d.change === 'removed' ? 'not rendered any more' : 'differs'}: ${d.path}\n${d.detail ? `${d.detail}\n` : ''}`);
          return diffs.length ? EXIT.findings : EXIT.ok;
        }
        writeFileSetAtomically(r.files, opts.out);
        if (opts.json) process.stdout.write(`${JSON.stringify({ out: opts.out, environments: r.environments, files: [...r.files.keys()] }, null, 2)}\n`);
        else process.stdout.write(`${pc.green('rendered')} ${r.files.size} files for ${r.environments.join(', ')} into ${opts.out}\n`);
        return EXIT.ok;
      }),
    );
}

/** Strips the environment's own directory from paths so that dev's and test's files line up. */
function byEnvironment(files: FileSet, env: string): FileSet {
  const out: FileSet = new Map();
  for (const [p, c] of files) {
    const parts = p.split('/');
    const i = parts.indexOf(env);
    if (i >= 0) out.set([...parts.slice(0, i), '<env>', ...parts.slice(i + 1)].join('/'), c);
  }
  return out;
}

export function diffCommand(program: Command, run: Run): void {
  program
    .command('diff')
    .description('what differs between two environments\' rendered output (e.g. before promoting dev values to test)')
    .argument('<definition>', 'stack definition')
    .requiredOption('--from <env>', 'environment to compare from')
    .requiredOption('--to <env>', 'environment to compare to')
    .option('--json', 'print the differences as JSON')
    .action((definition: string, opts: { from: string; to: string; json?: boolean }) =>
      run(async () => {
        const { file, stack } = await loadStack(definition);
        for (const e of [opts.from, opts.to]) if (!stack.environments.some((x) => x.name === e)) throw new UsageError(`${file} has no environment "${e}"`, `use one of: ${stack.environments.map((x) => x.name).join(', ')}`);
        // one verdict per definition: diff refuses what render and plan refuse (error findings, exit 1)
        const v = verdict(stack, file);
        if (!v.ok) {
          printFindings(v.errors);
          process.stderr.write(`error: ${v.errors.length} problem(s) prevent rendering; nothing was compared\n`);
          return EXIT.findings;
        }
        const ra = renderStack(stack, { env: opts.from });
        const rb = renderStack(stack, { env: opts.to });
        const guard = [...ra.findings, ...rb.findings].filter((f) => f.severity === 'error');
        if (guard.length) {
          printFindings(guard);
          process.stderr.write(`error: ${guard.length} problem(s) prevent rendering (a renderer refused what the plan accepted: please report it)\n`);
          return EXIT.findings;
        }
        const a = byEnvironment(ra.files, opts.from);
        const b = byEnvironment(rb.files, opts.to);
        const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
        const diffs = paths.flatMap((p) => {
          const x = a.get(p);
          const y = b.get(p);
          if (x === y) return [];
          return [{ path: p, only: x === undefined ? opts.to : y === undefined ? opts.from : null, detail: x !== undefined && y !== undefined ? lineDiff(x, y) : undefined }];
        });
        if (opts.json) process.stdout.write(`${JSON.stringify({ from: opts.from, to: opts.to, diffs }, null, 2)}\n`);
        else for (const d of diffs) process.stdout.write(`${d.only ? `only in ${d.only}` : 'differs'}: ${d.path}\n${d.detail ? `${d.detail}\n` : ''}`);
        return EXIT.ok;
      }),
    );
}
