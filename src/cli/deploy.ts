import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import pc from 'picocolors';

import { loadStack } from '../model/load.js';
import {
  COMPOSE_FILE,
  DEPLOY_PHASES,
  DeployError,
  DockerCompose,
  HaproxyRuntimeApi,
  composeDeployTarget,
  executeDeploy,
  formatPlan,
  projectOf,
  renderedDifferences,
  type DeployPhase,
  type DeployPlan,
  type DeployResult,
} from '../ops/deploy/index.js';
import { EXIT, UsageError } from './errors.js';

type Run = (fn: () => Promise<number>) => Promise<void>;

interface DeployOpts {
  env?: string;
  dir?: string;
  previous?: string;
  only?: string;
  dryRun?: boolean;
  json?: boolean;
  docker?: string;
  healthTimeout?: string;
  queueTimeout?: string;
}

function seconds(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v.replace(/s$/, ''));
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a whole number of seconds ≥ 1, not "${v}"`, `e.g. ${flag} 180`);
  return n;
}

function phases(v: string | undefined): DeployPhase[] | undefined {
  if (v === undefined) return undefined;
  const list = v.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = list.filter((p) => !(DEPLOY_PHASES as readonly string[]).includes(p));
  if (bad.length || list.length === 0) throw new UsageError(`--only: unknown phase ${bad.join(', ') || '(none given)'}`, `use a comma-separated list of: ${DEPLOY_PHASES.join(', ')}`);
  return list as DeployPhase[];
}

function composeDir(flag: string, dir: string): string {
  const d = resolve(dir);
  if (!existsSync(d) || !statSync(d).isDirectory()) throw new UsageError(`${flag} ${dir}: no such directory`, 'give the compose directory of a render, e.g. out/compose/<env>');
  if (!existsSync(resolve(d, COMPOSE_FILE))) throw new UsageError(`${flag} ${dir} holds no ${COMPOSE_FILE}`, 'give the compose directory of a render (otelstack render <definition> --out out/ writes out/compose/<env>/)');
  return d;
}

function planJson(plan: DeployPlan): object {
  return { stack: plan.stack, env: plan.env, project: plan.project, loadBalancer: plan.loadBalancer ?? null, units: plan.units, steps: plan.steps, notes: plan.notes, untouched: plan.untouched };
}

/**
 * `otelstack deploy <definition> --env E --dir <compose dir>`: rolling, zero-downtime where the topology allows it
 * (ops/deploy/plan.ts). --dry-run prints the plan and touches nothing.
 *
 * --json (dry run): { ok: true, dryRun: true, plan: { stack, env, project, loadBalancer, units, steps, notes, untouched } }
 * --json (deploy):  { ok, dryRun: false, plan, result: { ok, deployed, failed?, rollback?, notReached, steps } }
 * Exit: 0 deployed; 1 a gate failed (aborted, the failed service rolled back); 2 bad input.
 */
export function deployCommand(program: Command, run: Run): void {
  program
    .command('deploy')
    .description('rolling deploy of a compose environment: gateways drained one at a time behind HAProxy, then processors, brokers, engines, Grafana and the canary, each health-gated; a failed gate rolls that service back and aborts')
    .argument('<definition>', 'stack definition (.ts / .yaml file or directory)')
    .option('--env <name>', 'the compose environment (default: the only one)')
    .option('--dir <dir>', 'compose directory of the NEW render (otelstack render … --out out/ → out/compose/<env>); must hold exactly what the definition renders')
    .option('--previous <dir>', 'compose directory of the render now running: a rollback starts the failed service from it')
    .option('--only <phases>', `only these phases, comma-separated (${DEPLOY_PHASES.join(', ')})`)
    .option('--dry-run', 'print the steps; change nothing')
    .option('--docker <path>', 'docker binary (Docker Compose v2 plugin)', 'docker')
    .option('--health-timeout <s>', 'seconds a started service has to become healthy', '120')
    .option('--queue-timeout <s>', "seconds a drained gateway's exporter queues have to empty", '120')
    .option('--json', 'print the plan and result as JSON')
    .action((definition: string, opts: DeployOpts) =>
      run(async () => {
        const healthS = seconds('--health-timeout', opts.healthTimeout)!;
        const queuesS = seconds('--queue-timeout', opts.queueTimeout)!;
        const only = phases(opts.only);
        const { file, stack } = await loadStack(definition);
        const composeEnvs = stack.environments.filter((e) => e.target === 'compose').map((e) => e.name);
        const env = opts.env ?? (composeEnvs.length === 1 ? composeEnvs[0] : undefined);
        if (!env) throw new UsageError(`${file}: say which environment with --env`, `compose environments: ${composeEnvs.join(', ') || 'none'}`);
        let target;
        try {
          target = composeDeployTarget(stack, env, only ? { only } : {});
        } catch (e) {
          if (e instanceof DeployError) throw new UsageError(`${file}: ${e.message}`, e.suggestion);
          throw e;
        }
        const plan = target.plan;
        if (opts.dryRun) {
          if (opts.json) process.stdout.write(`${JSON.stringify({ ok: true, dryRun: true, plan: planJson(plan) }, null, 2)}\n`);
          else process.stdout.write(`${formatPlan(plan).join('\n')}\n${pc.dim('(dry run: nothing was changed)')}\n`);
          return EXIT.ok;
        }
        if (!opts.dir) throw new UsageError('deploy needs --dir, the compose directory of the new render', `otelstack render ${definition} --out out/ and then --dir out/compose/${env} (or --dry-run to see the steps)`);
        const dir = composeDir('--dir', opts.dir);
        const diff = renderedDifferences(target.files, dir);
        if (diff.length) {
          throw new UsageError(
            `--dir ${opts.dir} does not hold what ${file} renders for ${env}: ${diff.slice(0, 5).join(', ')}${diff.length > 5 ? ` and ${diff.length - 5} more` : ''}`,
            `render it first: otelstack render ${definition} --env ${env} --out <out> (then --dir <out>/compose/${env})`,
          );
        }
        let previousDir: string | undefined;
        if (opts.previous) {
          previousDir = composeDir('--previous', opts.previous);
          const prevProject = projectOf(previousDir);
          if (prevProject !== plan.project) throw new UsageError(`--previous ${opts.previous} is compose project ${prevProject ?? '(none)'}, not ${plan.project}`, 'give the compose directory of the render now running this environment');
        }
        const pm = new DockerCompose({ project: plan.project, dir, ...(previousDir ? { previousDir } : {}), docker: opts.docker ?? 'docker' });
        const lb = plan.loadBalancer ? new HaproxyRuntimeApi(plan.loadBalancer.runtimeApi) : undefined;
        if (!opts.json) {
          for (const n of plan.notes) process.stderr.write(`${pc.yellow('note')}: ${n}\n`);
          if (!previousDir) process.stderr.write(`${pc.yellow('note')}: no --previous: a rollback can only restart the failed service from ${opts.dir} (the new version) again\n`);
        }
        const result = await executeDeploy(plan, pm, lb, {
          timeouts: { healthS, queuesS },
          ...(opts.json ? {} : { onStep: (r) => process.stderr.write(`${r.ok ? pc.green('ok') : pc.red('FAILED')}  ${String(r.n).padStart(3)} ${r.action.padEnd(12)} ${r.service}${r.detail ? `  ${pc.dim(r.detail)}` : ''} (${(r.ms / 1000).toFixed(1)} s)\n`) }),
        });
        if (opts.json) process.stdout.write(`${JSON.stringify({ ok: result.ok, dryRun: false, plan: planJson(plan), result }, null, 2)}\n`);
        else process.stdout.write(`${summary(result)}\n`);
        return result.ok ? EXIT.ok : EXIT.findings;
      }),
    );
}

function summary(r: DeployResult): string {
  if (r.ok) return `${pc.green('deployed')} ${r.stack}/${r.env}: ${r.deployed.join(', ') || 'nothing to roll'}`;
  const lines = [`${pc.red('deploy aborted')} ${r.stack}/${r.env} at ${r.failed!.service} (${r.failed!.action}): ${r.failed!.message}`];
  if (r.rollback) lines.push(`  rollback of ${r.rollback.service}: ${r.rollback.ok ? 'ok' : 'FAILED'} — ${r.rollback.message}`);
  if (r.deployed.length) lines.push(`  on the new version: ${r.deployed.join(', ')}`);
  if (r.notReached.length) lines.push(`  not reached (previous version): ${r.notReached.join(', ')}`);
  return lines.join('\n');
}
