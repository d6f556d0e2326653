/**
 * `otelstack deploy` for a compose environment: the plan (plan.ts) from the definition's topology and the compose
 * file otelstack renders for it; the executor (execute.ts) with Docker Compose (docker.ts) and HAProxy's runtime API
 * (haproxy.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

import type { Stack } from '../../model/schema.js';
import { renderCompose } from '../../render/compose/index.js';
import type { FileSet } from '../../render/fileset.js';
import { renderTopology } from '../../render/topology.js';
import type { Topology } from '../../topology/types.js';
import { COMPOSE_FILE } from './docker.js';
import { DeployError, planDeploy, type ComposeDocument, type DeployPlan, type PlanOptions } from './plan.js';

export * from './plan.js';
export * from './execute.js';
export { DockerCompose, COMPOSE_FILE } from './docker.js';
export { HaproxyRuntimeApi, parseShowStat, runtimeApiCommand } from './haproxy.js';
export { parseExposition } from './metrics-text.js';

export interface ComposeDeployTarget {
  readonly topology: Topology;
  /** the environment's rendered files, keyed relative to its compose directory */
  readonly files: ReadonlyMap<string, string>;
  readonly compose: ComposeDocument;
  readonly plan: DeployPlan;
}

/** Renders the environment in memory (as `otelstack render` would) and plans its rolling deploy. */
export function composeDeployTarget(stack: Stack, env: string, options: PlanOptions = {}): ComposeDeployTarget {
  const def = stack.environments.find((e) => e.name === env);
  if (!def) throw new DeployError(`the definition has no environment "${env}"`, `use one of: ${stack.environments.map((e) => e.name).join(', ')}`);
  if (def.target !== 'compose') throw new DeployError(`environment ${env} runs on ${def.target}, not compose`, 'otelstack deploy rolls compose environments');
  const topology = renderTopology(stack, env);
  const r = renderCompose({ stack, topology });
  const errors = r.findings.filter((f) => f.severity === 'error');
  if (errors.length) throw new DeployError(`environment ${env} does not render: ${errors.map((f) => `${f.path}: ${f.message}`).join('; ')}`, 'fix the definition (otelstack render shows the findings)');
  const prefix = `compose/${env}/`;
  const files: FileSet = new Map();
  for (const [k, v] of r.files) if (k.startsWith(prefix)) files.set(k.slice(prefix.length), v);
  const text = files.get(COMPOSE_FILE);
  if (text === undefined) throw new DeployError(`the compose renderer produced no ${COMPOSE_FILE} for ${env}`);
  const compose = parse(text) as ComposeDocument;
  return { topology, files, compose, plan: planDeploy(topology, compose, options) };
}

/**
 * The rendered files that `dir` does not hold byte for byte (missing or different), sorted: the deploy runs only
 * on the directory of this definition's render, so what it rolls out is what the definition says.
 */
export function renderedDifferences(files: ReadonlyMap<string, string>, dir: string): string[] {
  const out: string[] = [];
  for (const [rel, contents] of files) {
    const p = join(dir, rel);
    if (!existsSync(p)) out.push(`${rel} (missing)`);
    else if (readFileSync(p, 'utf8') !== contents) out.push(`${rel} (differs)`);
  }
  return out.sort();
}

/** The compose project name in a directory's docker-compose.yaml, if it has one. */
export function projectOf(dir: string): string | undefined {
  const p = join(dir, COMPOSE_FILE);
  if (!existsSync(p)) return undefined;
  const doc = parse(readFileSync(p, 'utf8')) as { name?: unknown } | null;
  return typeof doc?.name === 'string' ? doc.name : undefined;
}
