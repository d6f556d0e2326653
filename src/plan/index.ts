import type { Stack } from '../model/schema.js';
import { expand } from '../topology/expand.js';
import { currentPhase } from '../topology/transforms/phase.js';
import type { CanaryPlan, Topology } from '../topology/types.js';
import { SEVERITY_ORDER, type Finding } from './findings.js';
import { quotaPlan, type QuotaLine, type QuotaPlan } from './quota.js';
import { add, componentTotals, environmentTotals, phaseTotals, zero, type Amounts } from './resources.js';
import { RULES } from './rules/index.js';
import type { SizingBasis } from './calibration.js';
import { seedBasis } from './calibration.js';
import { sizeEnvironment, type EnvironmentSizing } from './sizing.js';
import { protectionLevels, type TenantProtection } from './tenant-protection.js';

export type { Finding } from './findings.js';

export interface PlanComponent extends Amounts {
  engine: string;
  component: string;
  phase: number;
  replicas: number;
  budgeted: boolean;
  known: boolean;
  /** why the plan carries or changed it (chart workloads) */
  note: string | null;
  /** a HorizontalPodAutoscaler's range: `replicas` (and the totals) are its max */
  autoscaling?: { min: number; max: number; targetCpu?: number; targetMemory?: number; targetLag?: number; scaler: 'hpa' | 'keda' };
  perReplica: { cpuRequestMillicores: number; memoryRequestBytes: number; memoryLimitBytes: number | null; cpuLimitMillicores: number | null; storageBytes: number };
}

export interface PlanEnvironment {
  name: string;
  namespace: string;
  target: string;
  ha: boolean;
  engines: Array<{ signal: string; engine: string; version: string; mode: string; chart: string | null; replicationFactor: number | null; kafkaTopic: string | null; datasource: string | null; managed: boolean; phase: number }>;
  components: PlanComponent[];
  /** what the plan does with each workload the engines' charts deploy (budgeted, or switched off, and why) */
  chartWorkloads: Array<{ engine: string; chart: string; workload: string; action: string; component: string | null; reason: string }>;
  phases: Array<{ phase: number; cpuRequestMillicores: number; memoryRequestBytes: number; storageBytes: number }>;
  totals: Amounts;
  /**
   * The phase the environment is in: render, render --check and diff emit only phases ≤ it (render --phase N
   * overrides it). `set`: false when the definition gives no currentPhase (then it is the definition's highest).
   * `totals`: what those phases add (budgeted components), beside `totals` above for every phase; `fits`: whether
   * that fits the headroom / free quota (null without capacity facts).
   */
  currentPhase: { phase: number; set: boolean; totals: Amounts; fits: boolean | null };
  buckets: Array<{ name: string; objectStorage: string; engine: string; purpose: string; phase: number }>;
  fit: null | { kind: 'headroom' | 'quota'; available: { cpuMillicores: number; memoryBytes: number; storageBytes: number }; fits: boolean };
  quota: null | {
    targetHeadroomPercent: number;
    cpu: QuotaJson;
    memory: QuotaJson;
    storage: QuotaJson;
  };
  /** only for an environment whose definition gives an expected load (ingestion.environments.<env>.load) */
  sizing?: EnvironmentSizing;
  /** seed 003's three limits of each tenant the environment serves, side by side (only with tenants) */
  tenants?: TenantProtection[];
}
/** One quota line as printed: the computed line without the bookkeeping flag. */
export type QuotaJson = Omit<QuotaLine, 'givenRequested'>;

export interface PlanReport {
  stack: string;
  file: string;
  environments: PlanEnvironment[];
  deprecatedDatasources: Array<{ name: string; env: string | null; reason: string | null }>;
  findings: Finding[];
  summary: { errors: number; warnings: number; infos: number };
}

function quotaJson(q: QuotaPlan): PlanEnvironment['quota'] {
  const j = ({ givenRequested: _given, ...line }: QuotaLine): QuotaJson => line;
  return { targetHeadroomPercent: q.targetHeadroomPercent, cpu: j(q.cpu), memory: j(q.memory), storage: j(q.storage) };
}

export function planEnvironment(
  t: Topology,
  current: { phase: number; set: boolean } = { phase: Math.max(1, ...t.components.map((c) => c.phase), ...t.engines.map((e) => e.phase)), set: false },
  sizing: SizingBasis = seedBasis(),
): PlanEnvironment {
  const sized = sizeEnvironment(t, sizing);
  const totals = environmentTotals(t);
  const phases = phaseTotals(t);
  const currentTotals = phases.filter((p) => p.phase <= current.phase).reduce<Amounts>((acc, p) => add(acc, p), zero());
  const fits = (a: Amounts) =>
    t.capacity !== undefined &&
    a.cpuRequestMillicores <= t.capacity.available.cpuMillicores &&
    a.memoryRequestBytes <= t.capacity.available.memoryBytes &&
    a.storageBytes <= t.capacity.available.storageBytes;
  const q = t.capacity ? quotaPlan(t.capacity, phases) : undefined;
  return {
    name: t.env.name,
    namespace: t.env.namespace,
    target: t.env.target,
    ha: t.env.ha,
    engines: t.engines.map((e) => ({
      signal: e.signal,
      engine: e.engine,
      version: e.version,
      mode: e.mode,
      chart: 'name' in e.chart ? `${e.chart.name} ${e.chart.version}` : null,
      replicationFactor: e.replicationFactor ?? null,
      kafkaTopic: e.kafka?.topic ?? null,
      datasource: e.datasource?.name ?? null,
      managed: e.managed,
      phase: e.phase,
    })),
    components: t.components.map((c): PlanComponent => ({
      engine: c.engine,
      component: c.component,
      phase: c.phase,
      replicas: c.replicas,
      budgeted: c.budgeted,
      known: c.known,
      note: c.note ?? null,
      ...(c.autoscaling ? { autoscaling: { ...c.autoscaling } } : {}),
      ...componentTotals(c),
      perReplica: {
        cpuRequestMillicores: c.perReplica.cpuRequestMillicores,
        memoryRequestBytes: c.perReplica.memoryRequestBytes,
        memoryLimitBytes: c.perReplica.memoryLimitBytes ?? null,
        cpuLimitMillicores: c.perReplica.cpuLimitMillicores ?? null,
        storageBytes: c.perReplica.storageBytes,
      },
    })).concat(t.canary ? [canaryRow(t.canary)] : []),
    chartWorkloads: (t.chartWorkloads ?? []).map((w) => ({ engine: w.engine, chart: w.chart, workload: w.workload, action: w.action, component: w.component ?? null, reason: w.reason })),
    phases: phases.map((p) => ({ phase: p.phase, cpuRequestMillicores: p.cpuRequestMillicores, memoryRequestBytes: p.memoryRequestBytes, storageBytes: p.storageBytes })),
    totals,
    buckets: t.buckets.map((b) => ({ name: b.name, objectStorage: b.objectStorage, engine: b.engine, purpose: b.purpose, phase: b.phase })),
    currentPhase: { phase: current.phase, set: current.set, totals: currentTotals, fits: t.capacity ? fits(currentTotals) : null },
    fit: t.capacity ? { kind: t.capacity.kind, available: t.capacity.available, fits: fits(totals) } : null,
    quota: q ? quotaJson(q) : null,
    ...(sized ? { sizing: sized } : {}),
  };
}

/** Every rule's findings over the given topologies, in a stable order (severity, environment, rule, path, message). */
function runRules(stack: Stack, file: string, topologies: Topology[], sizing?: SizingBasis): Finding[] {
  const envOrder = (name: string | undefined) => (name === undefined ? -1 : stack.environments.findIndex((e) => e.name === name));
  return RULES.flatMap((r) => r.check({ stack, file, topologies, ...(sizing ? { sizing } : {}) })).sort(
    (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || envOrder(a.env) - envOrder(b.env) || a.rule.localeCompare(b.rule) || a.path.localeCompare(b.path) || a.message.localeCompare(b.message),
  );
}

/**
 * The one verdict on a definition (or on the environments selected of it), shared by plan, render and diff: the plan's
 * rules' findings, and whether any is an error. render and diff refuse (exit 1) exactly when `plan` reports an
 * error finding for the same selection; renderers do not decide refusals of their own.
 */
export function verdict(stack: Stack, file: string, envs?: readonly string[], sizing?: SizingBasis): { ok: boolean; errors: Finding[]; findings: Finding[] } {
  const topologies = stack.environments.filter((e) => !envs || envs.includes(e.name)).map((e) => expand(stack, e.name));
  const findings = runRules(stack, file, topologies, sizing);
  const errors = findings.filter((f) => f.severity === 'error');
  return { ok: errors.length === 0, errors, findings };
}

/**
 * The whole plan: per-environment breakdowns and every rule's findings, in a stable order. `sizing`: what pools are
 * sized by where the definition gives a load (a calibration file's basis; seed 002's figures by default).
 */
export function buildPlan(stack: Stack, file: string, envFilter?: string, sizing?: SizingBasis): PlanReport {
  const envs = stack.environments.filter((e) => !envFilter || e.name === envFilter);
  const topologies = envs.map((e) => expand(stack, e.name));
  const findings = runRules(stack, file, topologies, sizing);
  return {
    stack: stack.name,
    file,
    environments: topologies.map((t) => {
      const e = planEnvironment(t, { phase: currentPhase(stack, t.env.name), set: stack.environments[t.env.index]?.currentPhase !== undefined }, sizing);
      const tenants = protectionLevels(stack, t);
      return tenants.length > 0 ? { ...e, tenants } : e;
    }),
    deprecatedDatasources: stack.grafana.deprecatedDatasources
      .filter((d) => !envFilter || !d.env || d.env === envFilter)
      .map((d) => ({ name: d.name, env: d.env ?? null, reason: d.reason ?? null })),
    findings,
    summary: {
      errors: findings.filter((f) => f.severity === 'error').length,
      warnings: findings.filter((f) => f.severity === 'warning').length,
      infos: findings.filter((f) => f.severity === 'info').length,
    },
  };
}

/** The canary as a row of the plan's components (its one replica is in the phase 1 totals: phaseTotals). */
function canaryRow(k: CanaryPlan): PlanComponent {
  return {
    engine: 'otelstack',
    component: 'canary',
    phase: 1,
    replicas: 1,
    budgeted: true,
    known: true,
    note: null,
    ...componentTotals({ replicas: 1, perReplica: k.perReplica }),
    perReplica: {
      cpuRequestMillicores: k.perReplica.cpuRequestMillicores,
      memoryRequestBytes: k.perReplica.memoryRequestBytes,
      memoryLimitBytes: k.perReplica.memoryLimitBytes ?? null,
      cpuLimitMillicores: k.perReplica.cpuLimitMillicores ?? null,
      storageBytes: 0,
    },
  };
}
