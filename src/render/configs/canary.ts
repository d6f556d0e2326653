/**
 * What every target runs for the canary (topology: t.canary): `otelstack canary` on a copy of the definition,
 * watching its own environment from inside the environment's network (`--view network`: compose / VM service
 * names; on Kubernetes the cluster's Service names, as `verify` resolves them), serving /metrics on all interfaces of
 * its container / VM. The definition copy is the validated definition as YAML (references only: secrets never are
 * values in a definition), so the canary reads the same topology the render came from.
 */
import { CANARY_DEFINITION_DIR, CANARY_METRICS_PATH } from '../../catalog/canary.js';
import type { Stack } from '../../model/schema.js';
import type { CanaryPlan, Topology } from '../../topology/types.js';
import { toYaml } from '../fileset.js';

/** File name of the definition copy. */
export function canaryDefinitionName(stack: string): string {
  return `${stack}.stack.yaml`;
}

/** Where the canary reads it. */
export function canaryDefinitionPath(stack: string): string {
  return `${CANARY_DEFINITION_DIR}/${canaryDefinitionName(stack)}`;
}

/** The definition as the canary reads it: the validated definition, every default filled in. */
export function canaryDefinitionFile(stack: Stack): string {
  return `# ${stack.name}: the definition as otelstack validated it (defaults filled in) — rendered by otelstack for its canary.\n${toYaml(stack)}`;
}

/** The arguments after the `otelstack` binary. */
export function canaryArgs(t: Topology, c: CanaryPlan): string[] {
  return [
    'canary',
    canaryDefinitionPath(t.stack),
    '--env',
    t.env.name,
    '--view',
    'network',
    '--interval',
    c.interval,
    '--deadline',
    c.deadline,
    '--listen',
    `0.0.0.0:${c.port}`,
    ...(c.checkStorage ? ['--check-storage'] : []),
  ];
}

/** The canary's scrape target path. */
export const CANARY_SCRAPE_PATH = CANARY_METRICS_PATH;
