import type { CapacityFacts } from '../topology/types.js';
import type { Amounts } from './resources.js';

export interface QuotaLine {
  current: number;
  used: number;
  required: number;
  requested: number;
  headroomPercent: number;
  /** what each phase adds, for the request table */
  byPhase: Array<{ phase: number; amount: number }>;
  /** true when the definition gave the requested value (the seed's request), false when computed */
  givenRequested: boolean;
}
export interface QuotaPlan {
  cpu: QuotaLine;
  memory: QuotaLine;
  storage: QuotaLine;
  targetHeadroomPercent: number;
  increaseNeeded: boolean;
}

export const roundUp = (v: number, step: number): number => (step > 0 ? Math.ceil(v / step) * step : v);
export const headroomPercent = (requested: number, required: number): number =>
  requested > 0 ? Math.round(((requested - required) / requested) * 1000) / 10 : 0;

/**
 * The quota-increase request: required = used + everything the phases add; requested = required grown so that
 * the target headroom holds, rounded up to the step (never below the current quota).
 */
export function quotaPlan(cap: CapacityFacts, phases: Array<{ phase: number } & Amounts>): QuotaPlan | undefined {
  if (cap.kind !== 'quota' || !cap.quota || !cap.used || !cap.request) return undefined;
  const { quota, used, request } = cap;
  const target = request.targetHeadroomPercent;
  const line = (cur: number, u: number, step: number, given: number | undefined, pick: (a: Amounts) => number): QuotaLine => {
    const byPhase = phases.map((p) => ({ phase: p.phase, amount: pick(p) }));
    const required = u + byPhase.reduce((s, p) => s + p.amount, 0);
    const needed = required / (1 - target / 100);
    const requested = given ?? Math.max(cur, roundUp(needed, step));
    return { current: cur, used: u, required, requested, headroomPercent: headroomPercent(requested, required), byPhase, givenRequested: given !== undefined };
  };
  const cpu = line(quota.cpuMillicores, used.cpuMillicores, request.step.cpuMillicores, cap.requested?.cpuMillicores, (a) => a.cpuRequestMillicores);
  const memory = line(quota.memoryBytes, used.memoryBytes, request.step.memoryBytes, cap.requested?.memoryBytes, (a) => a.memoryRequestBytes);
  const storage = line(quota.storageBytes, used.storageBytes, request.step.storageBytes, cap.requested?.storageBytes, (a) => a.storageBytes);
  return { cpu, memory, storage, targetHeadroomPercent: target, increaseNeeded: [cpu, memory, storage].some((l) => l.requested > l.current) };
}
