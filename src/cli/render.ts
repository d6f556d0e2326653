import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import pc from 'picocolors';
import { loadStack } from '../model/load.js';
import { MAX_PHASE, TARGETS, type Stack, type Target } from '../model/schema.js';
import type { Finding } from '../plan/findings.js';
import type { FileSet } from '../render/fileset.js';
import { renderStack } from '../render/index.js';
import { textPatch } from '../render/output/diff.js';
import { environmentDiffs } from './env-diff.js';
import { OutputError } from '../render/output/errors.js';
import { planOutput, writeOutput, type OutputFinding, type OutputRequest } from '../render/output/write.js';
import { verdict } from '../plan/index.js';
import { currentPhase, highestPhase } from '../topology/transforms/phase.js';
import { EXIT, UsageError } from './errors.js';

type Run = (fn: () => Promise<number>) => Promise<void>;

function printFindings(findings: Finding[]): void {
  for (const f of findings) process.stderr.write(`${f.severity} [${f.rule}]${f.env ? ` ${f.env}` : ''} at ${f.path}: ${f.message}\n  → ${f.suggestion}\n`);
}

const json = (v: unknown) => process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);

const PHASE_HELP = "render only components, engines and buckets of phases <= N (default: each environment's currentPhase, else every phase)";

/** `--phase N`: a whole number within the schema's phase range and no higher than the definition's highest phase. */
function phaseOption(raw: string | undefined, file: string, stack: Stack): number | undefined {
  if (raw === undefined) return undefined;
  const highest = highestPhase(stack);
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= MAX_PHASE)) throw new UsageError(`--phase must be a whole number from 1 to ${MAX_PHASE}, got "${raw}"`, `use --phase 1${highest > 1 ? `..${highest}` : ''} (the phases ${file} uses)`);
  if (n > highest) throw new UsageError(`--phase ${n} is above the highest phase ${file} uses (${highest})`, `use --phase 1${highest > 1 ? `..${highest}` : ''}, or leave it out to render each environment's currentPhase`);
  return n;
}

/** The phase each rendered environment is at (for the summary and --json). */
function phasesOf(stack: Stack, envs: readonly string[], phase: number | undefined): Record<string, number> {
  return Object.fromEntries(envs.map((e) => [e, phase ?? currentPhase(stack, e)]));
}

const phaseSummary = (phases: Record<string, number>): string => {
  const values = [...new Set(Object.values(phases))];
  return values.length === 1 ? `phase ${values[0]}` : Object.entries(phases).map(([e, p]) => `${e} phase ${p}`).join(', ');
};

/** Library refusals (OutputError) are bad input for the CLI: exit 2, one message, no stack trace. */
function asUsage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof OutputError) throw new UsageError(e.message, e.suggestion);
    throw e;
  }
}

/** What `render --check` calls each state of the plan (unchanged files are not reported). */
const CHECK_LABEL: Partial<Record<OutputFinding['state'], string>> = {
  create: 'missing on disk',
  replace: 'differs',
  edited: 'edited since render wrote it',
  foreign: 'in the way (not written by this render)',
  remove: 'not rendered any more',
  disown: 'not rendered any more (edited since render wrote it)',
  adopt: 'not recorded in the manifest',
  blocked: 'cannot be written',
};

/**
 * Crash injection for the interrupted-render tests: OTELSTACK_TEST_CRASH_AT=<step> (e.g. `committed`, `put:`)
 * kills this process with SIGKILL right after the first step whose name starts with it — the same as a kill -9
 * from outside, at a chosen point.
 */
function crashHook(): ((step: string) => void) | undefined {
  const at = process.env['OTELSTACK_TEST_CRASH_AT'];
  if (!at) return undefined;
  return (step) => {
    if (step.startsWith(at)) process.kill(process.pid, 'SIGKILL');
  };
}

export function renderCommand(program: Command, run: Run): void {
  program
    .command('render')
    .description('render deployments (ArgoCD + Helm values, Docker Compose) and native configs; writes all files or none, and only files it wrote before')
    .argument('<definition>', 'stack definition (.ts / .yaml file or directory)')
    .option('--target <target>', `${TARGETS.join(' | ')} | all (each environment renders for its own target)`, 'all')
    .option('--env <name>', 'only this environment')
    .option('--phase <n>', PHASE_HELP)
    .requiredOption('--out <dir>', 'output directory; render replaces and removes only the files its manifest (<out>/.otelstack/) says it wrote')
    .option('--check', 'write nothing; exit 1 with a diff when --out differs from what would be rendered')
    .option('--force', 'overwrite the files in the way (not written by render, or edited since) — just those')
    .option('--json', 'print a JSON summary (with the findings)')
    .option('--hydrate', 'also run `helm template` on each Application\'s chart and check the manifests against the plan (kubernetes/<env>/hydrated/)')
    .option('--charts <dir>', 'with --hydrate: directory of <chart>/ or <chart>-<version>.tgz (default: Helm\'s repository cache)')
    .action((definition: string, opts: { target: string; env?: string; phase?: string; out: string; check?: boolean; force?: boolean; json?: boolean; hydrate?: boolean; charts?: string }) =>
      run(async () => {
        if (opts.target !== 'all' && !(TARGETS as readonly string[]).includes(opts.target)) throw new UsageError(`unknown target "${opts.target}"`, `use one of: ${TARGETS.join(', ')}, all`);
        const { file, stack } = await loadStack(definition);
        if (opts.env && !stack.environments.some((e) => e.name === opts.env)) throw new UsageError(`${file} has no environment "${opts.env}"`, `use one of: ${stack.environments.map((e) => e.name).join(', ')}`);
        const target = opts.target as Target | 'all';
        const phase = phaseOption(opts.phase, file, stack);
        const r = renderStack(stack, { target, ...(opts.env ? { env: opts.env } : {}), ...(phase !== undefined ? { phase } : {}) });
        const phases = phasesOf(stack, r.environments, phase);
        if (r.environments.length === 0) throw new UsageError(`no environment of ${file} has target ${opts.target}`, `its environments: ${stack.environments.map((e) => `${e.name} (${e.target})`).join(', ')}`);
        // the plan's rules decide (same verdict as `plan`); a renderer's own error finding is an internal guard
        const v = verdict(stack, file, r.environments);
        const shown = v.ok ? r.findings : v.errors;
        const errors = v.ok ? r.findings.filter((f) => f.severity === 'error') : v.errors;
        if (!opts.json) printFindings(shown);
        if (errors.length) {
          if (opts.json) json({ out: opts.out, environments: r.environments, phases, written: false, findings: shown });
          else process.stderr.write(`error: ${errors.length} problem(s) prevent rendering; nothing was written${v.ok ? ' (a renderer refused what the plan accepted: please report it)' : ''}\n`);
          return EXIT.findings;
        }
        // loaded only with --hydrate (helm, chart archives): a plain render does not pay for it
        const { hydrateForCli } = await import('./render-hydrate.js');
        const hydrated = await hydrateForCli(stack, r, opts); // adds kubernetes/<env>/hydrated/* to r.files; throws UsageError on bad input
        const req: OutputRequest = {
          outDir: opts.out,
          stack: stack.name,
          files: r.files,
          owners: r.owners,
          scope: {
            selected: Object.fromEntries(r.environments.map((e) => [e, stack.environments.find((x) => x.name === e)!.target])),
            definitionEnvironments: stack.environments.map((e) => e.name),
            target,
            ...(opts.env ? { envFilter: opts.env } : {}),
          },
        };
        if (opts.check) {
          const code = check(req, r.files, r.findings, phases, opts);
          return hydrated?.failed ? EXIT.findings : code;
        }
        const w = asUsage(() => writeOutput(req, { force: opts.force === true, ...(crashHook() ? { onStep: crashHook()! } : {}) }));
        if (opts.json) json({ out: opts.out, environments: r.environments, phases, files: [...r.files.keys()], created: w.created, replaced: w.replaced, removed: w.removed, unchanged: w.unchanged, disowned: w.disowned, forced: w.forced, recovered: w.recovered, findings: r.findings, ...hydrated?.json });
        else {
          if (w.recovered.length) process.stdout.write(`finished an interrupted render first (${w.recovered.join(', ')})\n`);
          for (const p of w.disowned) process.stdout.write(`${pc.yellow('left in place')} ${p}: no longer rendered, but edited since render wrote it (no longer owned by render)\n`);
          if (w.forced.length) process.stdout.write(`${pc.yellow('overwrote')} (--force): ${w.forced.join(', ')}\n`);
          process.stdout.write(`${pc.green('rendered')} ${r.files.size} files for ${r.environments.join(', ')} (${phaseSummary(phases)}) into ${opts.out} (${w.created.length} created, ${w.replaced.length + w.forced.length} replaced, ${w.removed.length} removed, ${w.unchanged.length} unchanged)\n`);
        }
        return hydrated?.failed ? EXIT.findings : EXIT.ok;
      }),
    );
}

function check(req: OutputRequest, files: FileSet, findings: Finding[], phases: Record<string, number>, opts: { out: string; json?: boolean }): number {
  const plan = asUsage(() => planOutput(req));
  const diffs = plan.findings.filter((f) => f.state !== 'unchanged');
  const manifestOutdated = diffs.length === 0 && plan.manifests.size > 0;
  const upToDate = diffs.length === 0 && !manifestOutdated && plan.pending.length === 0;
  const patch = (f: OutputFinding): string | undefined => {
    const rendered = files.get(f.path);
    if (rendered === undefined || !(f.state === 'replace' || f.state === 'edited' || f.state === 'foreign')) return undefined;
    try {
      return textPatch(f.path, readDisk(plan.out, f.path), rendered, 'disk', 'rendered');
    } catch {
      return undefined;
    }
  };
  if (opts.json) {
    json({ out: opts.out, phases, upToDate, pending: plan.pending, manifestOutdated, diffs: diffs.map((d) => ({ path: d.path, change: d.state, ...(d.detail ? { detail: d.detail } : {}) })), findings });
  } else if (upToDate) process.stdout.write(`${opts.out} is up to date (${files.size} files, ${phaseSummary(phases)})\n`);
  else {
    for (const p of plan.pending) process.stdout.write(`interrupted render pending: ${p} (the next render finishes it)\n`);
    for (const d of diffs) {
      const t = patch(d);
      process.stdout.write(`${CHECK_LABEL[d.state]}: ${d.path}${d.detail && d.state !== 'edited' ? ` (${d.detail})` : ''}\n${t ? `${t}` : ''}`);
    }
    if (manifestOutdated) process.stdout.write(`the manifest in ${opts.out}/.otelstack/ is out of date (render rewrites it)\n`);
  }
  return upToDate ? EXIT.ok : EXIT.findings;
}

function readDisk(out: string, rel: string): string {
  return readFileSync(join(out, rel), 'utf8');
}

export type { EnvironmentFileDiff } from './env-diff.js';

const short = (v: unknown): string => {
  const s = JSON.stringify(v) ?? 'undefined';
  return s.length > 100 ? `${s.slice(0, 97)}...` : s;
};

export function diffCommand(program: Command, run: Run): void {
  program
    .command('diff')
    .description('what differs between two environments\' rendered output (e.g. before promoting dev values to test)')
    .argument('<definition>', 'stack definition')
    .requiredOption('--from <env>', 'environment to compare from')
    .requiredOption('--to <env>', 'environment to compare to')
    .option('--phase <n>', PHASE_HELP.replace('render only', 'compare only'))
    .option('--json', 'print the differences as JSON: file, change and the YAML key paths that differ')
    .action((definition: string, opts: { from: string; to: string; phase?: string; json?: boolean }) =>
      run(async () => {
        const { file, stack } = await loadStack(definition);
        for (const e of [opts.from, opts.to]) if (!stack.environments.some((x) => x.name === e)) throw new UsageError(`${file} has no environment "${e}"`, `use one of: ${stack.environments.map((x) => x.name).join(', ')}`);
        const phase = phaseOption(opts.phase, file, stack);
        const phases = phasesOf(stack, [opts.from, opts.to], phase);
        // one verdict per definition: diff refuses what render and plan refuse (error findings, exit 1)
        const v = verdict(stack, file);
        if (!v.ok) {
          printFindings(v.errors);
          process.stderr.write(`error: ${v.errors.length} problem(s) prevent rendering; nothing was compared\n`);
          return EXIT.findings;
        }
        const { guard, diffs } = environmentDiffs(stack, opts.from, opts.to, phase);
        if (guard.length) {
          printFindings(guard);
          process.stderr.write(`error: ${guard.length} problem(s) prevent rendering (a renderer refused what the plan accepted: please report it)\n`);
          return EXIT.findings;
        }
        const changed = diffs.filter((d) => d.change === 'changed').length;
        const onlyTo = diffs.filter((d) => d.change === 'added').length;
        const onlyFrom = diffs.filter((d) => d.change === 'removed').length;
        const summary = diffs.length === 0 ? `no differences between ${opts.from} and ${opts.to}` : [`${changed} file${changed === 1 ? '' : 's'} differ${changed === 1 ? 's' : ''}`, ...(onlyTo ? [`${onlyTo} only in ${opts.to}`] : []), ...(onlyFrom ? [`${onlyFrom} only in ${opts.from}`] : [])].join(', ');
        if (opts.json) json({ from: opts.from, to: opts.to, phases, summary: { changed, onlyIn: { [opts.from]: onlyFrom, [opts.to]: onlyTo } }, diffs });
        else {
          for (const d of diffs) {
            if (d.change !== 'changed') process.stdout.write(`only in ${d.change === 'added' ? opts.to : opts.from}: ${d.file}\n`);
            else {
              process.stdout.write(`differs: ${d.file}\n`);
              for (const c of d.values ?? []) process.stdout.write(`  ${c.change === 'changed' ? '~' : c.change === 'added' ? '+' : '-'} ${c.path}${c.change === 'changed' ? `: ${short(c.from)} → ${short(c.to)}` : c.change === 'added' ? `: ${short(c.to)}` : ''}\n`);
              if (d.patch) process.stdout.write(d.patch);
            }
          }
          process.stdout.write(`${summary}\n`);
        }
        return EXIT.ok;
      }),
    );
}
