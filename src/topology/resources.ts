// Per-replica resources of a component: the catalog's defaults, overridden by what the definition names.
import type { ComponentFacts } from '../catalog/types.js';
import { parseBytes, parseCpu } from '../model/quantity.js';
import type { ComponentOverrideDef, Stack } from '../model/schema.js';
import type { ReplicaResources, Topology } from './types.js';

/** Quantities were validated by the model, so parsing cannot fail here. */
export const cpu = (v: string | number): number => {
  const r = parseCpu(v);
  if (!r.ok) throw new Error(`unvalidated CPU quantity ${String(v)}`);
  return r.value;
};
export const bytes = (v: string | number): number => {
  const r = parseBytes(v);
  if (!r.ok) throw new Error(`unvalidated byte quantity ${String(v)}`);
  return r.value;
};

export function resources(facts: ComponentFacts | undefined, o: ComponentOverrideDef | undefined, memoryLimitRequired: boolean): ReplicaResources {
  const d = facts?.defaults ?? { cpu: 100, memory: 256 * 1024 ** 2 };
  const memoryRequestBytes = o?.memory !== undefined ? bytes(o.memory) : d.memory;
  const r: ReplicaResources = {
    cpuRequestMillicores: o?.cpu !== undefined ? cpu(o.cpu) : d.cpu,
    memoryRequestBytes,
    storageBytes: o?.storage !== undefined ? bytes(o.storage) : (d.storage ?? 0),
  };
  if (o?.memoryLimit !== undefined) r.memoryLimitBytes = bytes(o.memoryLimit);
  else if (memoryLimitRequired) r.memoryLimitBytes = Math.max(d.memoryLimit ?? memoryRequestBytes, memoryRequestBytes);
  if (o?.cpuLimit !== undefined) r.cpuLimitMillicores = cpu(o.cpuLimit);
  return r;
}

/** What every topology transform may read besides the topology: the definition and its environment. */
export interface ExpandContext {
  readonly stack: Stack;
  readonly env: Stack['environments'][number];
  /** The policy limits memory on this component (or on one it runs: catalog ComponentFacts.runs). */
  readonly memoryLimitRequired: (component: string, runs?: readonly string[]) => boolean;
}

/**
 * Whether a policy list (policy.cpuLimits / policy.memoryLimits) names a component: by its own name, or by one of the
 * components it runs (a limit the policy asks for on the ingester applies to Mimir's mimir-write and Loki's write).
 */
export function policyNames(list: readonly string[], c: { component: string; runs?: readonly string[] }): boolean {
  return list.includes(c.component) || (c.runs ?? []).some((r) => list.includes(r));
}

/**
 * A cross-cutting feature of the topology, one file each under src/topology/transforms/ (as Mimir's jsonnet gives
 * each feature an overlay): takes the topology expand() has built so far and returns it with the feature applied.
 */
export type TopologyTransform = (t: Topology, ctx: ExpandContext) => Topology;
