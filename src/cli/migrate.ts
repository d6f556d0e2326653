import type { Command } from 'commander';
import { loadStack } from '../model/load.js';
import { checkGate, gateLines } from '../ops/migrate/check.js';
import { MigrationInputError, planMigration } from '../ops/migrate/plan.js';
import { renderMigrationPlan, type MigrateFormat } from '../ops/migrate/report.js';
import { defaultStateFile, nextStep, readState, recordPass, recordWaitStart, waitStart } from '../ops/migrate/state.js';
import { MigrationRenderError, renderMigrationStep } from '../ops/migrate/render.js';
import type { MigrationPlan, Runbook, Step } from '../ops/migrate/types.js';
import { OutputError } from '../render/output/errors.js';
import { writeOutput, type OutputRequest } from '../render/output/write.js';
import { EXIT, UsageError } from './errors.js';

async function planFor(fromArg: string, toArg: string, env: string | undefined, stateArg: string | undefined): Promise<{ plan: MigrationPlan; stateFile: string }> {
  if (!env) throw new UsageError('--env is required', 'name the environment to migrate, e.g. --env prod');
  const from = await loadStack(fromArg);
  const to = await loadStack(toArg);
  let plan: MigrationPlan;
  try {
    plan = planMigration({ fromFile: from.file, fromStack: from.stack, toFile: to.file, toStack: to.stack, env });
  } catch (e) {
    if (e instanceof MigrationInputError) throw new UsageError(e.message, e.suggestion);
    throw e;
  }
  if (!plan.runbook) {
    if (plan.uncovered.length === 0) return { plan, stateFile: '' };
    const list = plan.uncovered.map((d) => `  - ${d.subject} ${d.what}: ${d.from} → ${d.to}`).join('\n');
    throw new UsageError(
      `no runbook covers the change of ${env} from ${from.file} to ${to.file}; ${plan.uncovered.length} difference(s) no runbook covers:\n${list}`,
      plan.refusals.length
        ? `${plan.refusals.join('; ')}; make the change as an ordinary rollout (render / deploy)`
        : 'otelstack has runbooks for Mimir microservices ↔ read-write, adding Kafka between the gateways and the engines (compose and Kubernetes), Prometheus → Mimir (compose), Jaeger → Tempo (compose) and Loki monolithic → simple-scalable → microservices (Kubernetes); make other changes as an ordinary rollout (render / deploy)',
    );
  }
  const stateFile = stateArg ?? defaultStateFile(plan.stack, env);
  return { plan, stateFile };
}


/** Runs fn; bad input it reports as one of these errors (message + suggestion) becomes a usage error (exit 2). */
function asUsage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof MigrationInputError || e instanceof MigrationRenderError || e instanceof OutputError) throw new UsageError(e.message, e.suggestion);
    throw e;
  }
}

function stepOption(step: string | undefined): number {
  if (step === undefined || !/^\d+$/.test(step)) throw new UsageError(`--step must be a step number, got ${step === undefined ? 'nothing' : JSON.stringify(step)}`, 'see the step numbers in `otelstack migrate plan`');
  return Number(step);
}

function stepOf(rb: Runbook, n: number): Step {
  const step = rb.steps.find((s) => s.n === n);
  if (!step) throw new UsageError(`the runbook ${rb.id} has steps 1–${rb.steps.length}, not ${n}`, 'see `otelstack migrate plan`');
  return step;
}

/** The state file's word on step n-1: `render` and `check` refuse a step whose predecessor has not passed, unless forced. */
function gatePassed(plan: MigrationPlan, stateFile: string, n: number, force: boolean, verb: 'render' | 'check'): { state: ReturnType<typeof readState>; prevPassed: boolean } {
  const rb = plan.runbook!;
  const state = asUsage(() => readState(stateFile, { stack: plan.stack, env: plan.env, runbook: rb.id }));
  const prevPassed = n === 1 || (state?.passed.some((p) => p.step === n - 1) ?? false);
  if (!prevPassed && !force) {
    const prev = rb.steps[n - 2]!;
    throw new UsageError(
      `step ${n - 1} (${prev.id}) has not passed (state file ${stateFile}): its gate must hold before step ${n}`,
      `run otelstack migrate check --step ${n - 1} first, or pass --force to ${verb === 'check' ? `run step ${n}'s gate` : `render step ${n}`} anyway`,
    );
  }
  return { state, prevPassed };
}



export function migrateCommand(program: Command, run: (fn: () => Promise<number>) => Promise<void>): void {
  const migrate = program.command('migrate').description('gated runbooks from a running definition to a target one (Mimir microservices ↔ read-write, Add Kafka, Prometheus → Mimir, Jaeger → Tempo, Loki modes): plan, render a step, check its gate');
  migrate
    .command('plan')
    .description('the runbook that takes <from> to <to> in one environment: steps, gates, waits, rollback, peak resources')
    .argument('<from-definition>', 'the running stack definition')
    .argument('<to-definition>', 'the target stack definition')
    .option('--env <name>', 'the environment to migrate (required)')
    .option('--format <format>', 'table | markdown | json', 'table')
    .option('--json', 'same as --format json')
    .option('--state <file>', 'state file of `migrate check` (default .otelstack-migrate-<stack>-<env>.json here)')
    .action((fromArg: string, toArg: string, opts: { env?: string; format: string; json?: boolean; state?: string }) =>
      run(async () => {
        const format = (opts.json ? 'json' : opts.format) as MigrateFormat;
        if (!['table', 'markdown', 'json'].includes(format)) throw new UsageError(`unknown format "${opts.format}"`, 'use --format table, markdown or json');
        const { plan, stateFile } = await planFor(fromArg, toArg, opts.env, opts.state);
        if (!plan.runbook) {
          if (format === 'json') process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
          else process.stdout.write(`nothing to migrate: the topologies of ${plan.env} in both definitions are the same\n`);
          return EXIT.ok;
        }
        const rb = plan.runbook;
        const state = asUsage(() => readState(stateFile, { stack: plan.stack, env: plan.env, runbook: rb.id }));
        if (state) plan.progress = { stateFile, passed: state.passed, next: nextStep(state, rb.steps.length) };
        process.stdout.write(renderMigrationPlan(plan, format));
        return plan.findings.some((f) => f.severity === 'error') ? EXIT.findings : EXIT.ok;
      }),
    );
  migrate
    .command('render')
    .description("writes what one step deploys, in the environment's target's terms: its jsonnet overlay, the chart values (and ArgoCD Application) to commit at that step, and a README with the step's gate and rollback")
    .argument('<from-definition>', 'the running stack definition')
    .argument('<to-definition>', 'the target stack definition')
    .option('--env <name>', 'the environment being migrated (required)')
    .option('--step <n>', 'the step to render (1-based, as `migrate plan` numbers them)')
    .option('--out <dir>', 'output directory (files go under migrate/<env>/step-<NN>-<id>/)')
    .option('--state <file>', 'state file of `migrate check` (default .otelstack-migrate-<stack>-<env>.json here)')
    .option('--force', 'render the step even though the previous step has not passed its gate')
    .option('--overwrite', 'replace files in the way that this command did not write (or that were edited since)')
    .option('--json', 'print what was written as JSON')
    .action((fromArg: string, toArg: string, opts: { env?: string; step?: string; out?: string; state?: string; force?: boolean; overwrite?: boolean; json?: boolean }) =>
      run(async () => {
        const n = stepOption(opts.step);
        if (!opts.out) throw new UsageError('--out is required', 'name the directory to write the step into, e.g. --out migration/');
        const { plan, stateFile } = await planFor(fromArg, toArg, opts.env, opts.state);
        const rb = plan.runbook;
        if (!rb) throw new UsageError(`nothing to migrate: the topologies of ${plan.env} in both definitions are the same`);
        const step = stepOf(rb, n);
        const { prevPassed } = gatePassed(plan, stateFile, n, opts.force === true, 'render');
        const from = await loadStack(fromArg);
        const to = await loadStack(toArg);
        const files = asUsage(() => renderMigrationStep(plan, n, from.stack, to.stack));
        const req: OutputRequest = {
          outDir: opts.out,
          // one manifest per step: the steps' files live side by side, each owned by its own render
          stack: `${plan.stack}.migrate-${plan.env}-step-${String(n).padStart(2, '0')}`,
          files,
          owners: new Map([...files.keys()].map((k) => [k, [plan.env]])),
          scope: { selected: { [plan.env]: plan.target }, definitionEnvironments: [plan.env], target: 'all', envFilter: plan.env },
        };
        const w = asUsage(() => writeOutput(req, { force: opts.overwrite === true }));
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ stack: plan.stack, env: plan.env, runbook: rb.id, step: n, id: step.id, forced: !prevPassed, out: opts.out, files: [...files.keys()], created: w.created, replaced: w.replaced, unchanged: w.unchanged, overwritten: w.forced }, null, 2)}\n`);
        } else {
          if (!prevPassed) process.stdout.write(`step ${n - 1} has not passed its gate (--force): render only, apply after it holds\n`);
          for (const f of files.keys()) process.stdout.write(`  ${f}\n`);
          process.stdout.write(`rendered step ${n} (${step.id}) of ${rb.id} into ${opts.out} (${w.created.length} created, ${w.replaced.length + w.forced.length} replaced, ${w.unchanged.length} unchanged); its gate: otelstack migrate check … --step ${n}\n`);
        }
        return EXIT.ok;
      }),
    );
  migrate
    .command('check')
    .description("runs one step's gate (PromQL through the metrics engine's query API, ring membership through the rings' status pages) and records it in the state file when it holds")
    .argument('<from-definition>', 'the running stack definition')
    .argument('<to-definition>', 'the target stack definition')
    .option('--env <name>', 'the environment being migrated (required)')
    .option('--step <n>', 'the step whose gate to run (1-based, as `migrate plan` numbers them)')
    .option('--prometheus-url <url>', 'the Prometheus API that holds the engines\' own metrics (http://host:9090; with --api mimir, Mimir\'s base URL)')
    .option('--api <kind>', 'prometheus | mimir (mimir adds the /prometheus prefix)', 'prometheus')
    .option('--tenant <id>', 'X-Scope-OrgID for a multi-tenant Mimir')
    .option('--target-url <url>', "the target engine's query API for the comparisons of a Prometheus → Mimir step (Mimir's base URL; the /prometheus prefix is added unless --target-api prometheus)")
    .option('--target-api <kind>', 'mimir | prometheus', 'mimir')
    .option('--source-url <url>', "the source engine's query API for the traces comparison of a Jaeger → Tempo step (Jaeger's query service, http://jaeger:16686; --target-url is then Tempo's HTTP API, http://tempo:3200)")
    .option('--service <name>', 'the service whose traces a Jaeger → Tempo comparison searches on both backends (default: the gate\'s, the canary\'s service)')
    .option('--loki-url <url>', "the Loki read path a Loki mode step's LogQL conditions query (the new read Service, or the gateway)")
    .option('--ring-url <url>', "Mimir's HTTP endpoint serving the rings' status pages (/store-gateway/ring, …; e.g. a port-forward to a pod): ring conditions are checked there, else listed as manual")
    .option('--state <file>', 'state file (default .otelstack-migrate-<stack>-<env>.json here; it also records when a step\'s timed wait started); written only by this command')
    .option('--force', 'run the step even though the previous step has not passed')
    .option('--json', 'print the result as JSON')
    .action((fromArg: string, toArg: string, opts: { env?: string; step?: string; prometheusUrl?: string; api: string; tenant?: string; targetUrl?: string; targetApi: string; ringUrl?: string; sourceUrl?: string; service?: string; lokiUrl?: string; state?: string; force?: boolean; json?: boolean }) =>
      run(async () => {
        const n = stepOption(opts.step);
        if (!opts.prometheusUrl) throw new UsageError('--prometheus-url is required', 'the URL of the Prometheus API that scrapes the engine, e.g. --prometheus-url http://prometheus:9090');
        try {
          new URL(opts.prometheusUrl);
        } catch {
          throw new UsageError(`--prometheus-url ${JSON.stringify(opts.prometheusUrl)} is not a URL`, 'e.g. http://prometheus:9090');
        }
        for (const [flag, v] of [['--target-url', opts.targetUrl], ['--ring-url', opts.ringUrl], ['--source-url', opts.sourceUrl], ['--loki-url', opts.lokiUrl]] as const) {
          if (v === undefined) continue;
          try {
            new URL(v);
          } catch {
            throw new UsageError(`${flag} ${JSON.stringify(v)} is not a URL`, flag === '--ring-url' ? 'e.g. http://mimir-store-gateway:8080' : flag === '--source-url' ? 'e.g. http://jaeger:16686' : flag === '--loki-url' ? 'e.g. http://loki-read:3100' : 'e.g. http://mimir:8080');
          }
        }
        if (opts.targetApi !== 'prometheus' && opts.targetApi !== 'mimir') throw new UsageError(`unknown --target-api "${opts.targetApi}"`, 'use --target-api mimir or prometheus');
        if (opts.api !== 'prometheus' && opts.api !== 'mimir') throw new UsageError(`unknown --api "${opts.api}"`, 'use --api prometheus or mimir');
        const { plan, stateFile } = await planFor(fromArg, toArg, opts.env, opts.state);
        const rb = plan.runbook;
        if (!rb) throw new UsageError(`nothing to migrate: the topologies of ${plan.env} in both definitions are the same`);
        const step = stepOf(rb, n);
        const base = { stack: plan.stack, env: plan.env, runbook: rb.id };
        const { state, prevPassed } = gatePassed(plan, stateFile, n, opts.force === true, 'check');
        // a timed wait counts from the step's first check (after it was applied): that check starts the clock
        const timed = step.gate.some((g) => g.kind === 'wait' && g.seconds !== undefined);
        const started = waitStart(state, n);
        const result = await checkGate(step, { url: opts.prometheusUrl, api: opts.api, ...(opts.tenant ? { tenant: opts.tenant } : {}), ...(opts.ringUrl ? { ringUrl: opts.ringUrl } : {}), ...(opts.sourceUrl ? { sourceUrl: opts.sourceUrl } : {}), ...(opts.service ? { service: opts.service } : {}), ...(opts.lokiUrl ? { lokiUrl: opts.lokiUrl } : {}), ...(opts.targetUrl ? { targetUrl: opts.targetUrl, targetApi: opts.targetApi as 'prometheus' | 'mimir' } : {}), ...(started ? { waitStartedAt: started } : {}) });
        const withWait = timed && !started ? recordWaitStart(stateFile, base, state, n) : state;
        const recorded = result.ok ? recordPass(stateFile, base, withWait, n, !prevPassed) : undefined;
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ ok: result.ok, stack: plan.stack, env: plan.env, runbook: rb.id, step: n, id: step.id, forced: !prevPassed, conditions: result.conditions, stateFile, recorded: recorded !== undefined }, null, 2)}\n`);
        } else {
          process.stdout.write(`step ${n} (${step.id}): ${step.title}\n${gateLines(result).join('\n')}\n${result.ok ? `gate holds: step ${n} recorded as passed in ${stateFile}` : `gate does not hold: ${step.onFailure}`}\n`);
        }
        return result.ok ? EXIT.ok : EXIT.findings;
      }),
    );
}
