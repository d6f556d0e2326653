import type { TopoComponent, Topology } from '../topology/types.js';

export interface Amounts {
  cpuRequestMillicores: number;
  memoryRequestBytes: number;
  memoryLimitBytes: number;
  storageBytes: number;
}

export const zero = (): Amounts => ({ cpuRequestMillicores: 0, memoryRequestBytes: 0, memoryLimitBytes: 0, storageBytes: 0 });

export function componentTotals(c: Pick<TopoComponent, 'replicas' | 'perReplica'>): Amounts {
  return {
    cpuRequestMillicores: c.perReplica.cpuRequestMillicores * c.replicas,
    memoryRequestBytes: c.perReplica.memoryRequestBytes * c.replicas,
    memoryLimitBytes: (c.perReplica.memoryLimitBytes ?? 0) * c.replicas,
    storageBytes: c.perReplica.storageBytes * c.replicas,
  };
}

export function add(a: Amounts, b: Amounts): Amounts {
  return {
    cpuRequestMillicores: a.cpuRequestMillicores + b.cpuRequestMillicores,
    memoryRequestBytes: a.memoryRequestBytes + b.memoryRequestBytes,
    memoryLimitBytes: a.memoryLimitBytes + b.memoryLimitBytes,
    storageBytes: a.storageBytes + b.storageBytes,
  };
}

/** The canary's one replica (definition: canary), budgeted from phase 1 like the ingestion layer it pushes through. */
export function canaryTotals(t: Topology): Amounts | undefined {
  const k = t.canary;
  return k ? componentTotals({ replicas: 1, perReplica: k.perReplica }) : undefined;
}

/** What each phase adds to the namespace (budgeted components only, and the canary), in phase order. */
export function phaseTotals(t: Topology): Array<{ phase: number } & Amounts> {
  const by = new Map<number, Amounts>();
  for (const c of t.components) {
    if (!c.budgeted) continue;
    by.set(c.phase, add(by.get(c.phase) ?? zero(), componentTotals(c)));
  }
  const canary = canaryTotals(t);
  if (canary) by.set(1, add(by.get(1) ?? zero(), canary));
  return [...by.entries()].sort(([a], [b]) => a - b).map(([phase, amounts]) => ({ phase, ...amounts }));
}

export function environmentTotals(t: Topology): Amounts {
  return phaseTotals(t).reduce<Amounts>((acc, p) => add(acc, p), zero());
}
