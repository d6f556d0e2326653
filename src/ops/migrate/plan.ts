import { CATALOG } from '../../catalog/index.js';
import { MIMIR_READ_WRITE_MIGRATION as M } from '../../catalog/migrations.js';
import { formatBytes, formatCpu } from '../../model/quantity.js';
import type { Stack } from '../../model/schema.js';
import type { Finding } from '../../plan/findings.js';
import { quotaPlan } from '../../plan/quota.js';
import { add, canaryTotals, componentTotals, zero, type Amounts } from '../../plan/resources.js';
import { expand } from '../../topology/expand.js';
import type { ReplicaResources, TopoComponent, Topology } from '../../topology/types.js';
import { ADD_KAFKA_RUNBOOK, addKafka, addKafkaCovers, addKafkaRefusal } from './add-kafka.js';
import { addKafkaKubernetes } from './add-kafka-kubernetes.js';
import { JAEGER_TEMPO_RUNBOOK, jaegerTempoCovers, jaegerTempoRefusal, jaegerToTempo } from './jaeger-tempo.js';
import { LOKI_MODES_RUNBOOK, lokiModesCovers, lokiModesRefusal, lokiModes } from './loki-modes.js';
import { microservicesToReadWrite, readWriteToMicroservices } from './mimir-read-write.js';
import { PROMETHEUS_MIMIR_RUNBOOK, prometheusMimirCovers, prometheusMimirRefusal, prometheusToMimir } from './prometheus-mimir.js';
import type { Difference, MigrationPlan, PeakResources, ResourceState, Runbook } from './types.js';

/** Bad input to a migration (the CLI turns it into exit 2). */
export class MigrationInputError extends Error {
  constructor(message: string, readonly suggestion?: string) {
    super(message);
    this.name = 'MigrationInputError';
  }
}

const res = (r: ReplicaResources) => `${formatCpu(r.cpuRequestMillicores)} / ${formatBytes(r.memoryRequestBytes)}${r.memoryLimitBytes ? ` (limit ${formatBytes(r.memoryLimitBytes)})` : ''} / storage ${formatBytes(r.storageBytes)}`;

/**
 * Differences between two topologies of one environment: the environment's namespace, target, HA and ingestion
 * shape, buckets, engines (per signal) and components (replicas, per-replica resources, autoscaling). Not compared
 * yet: rendered settings below that level (datasources, rules, network policies, Kafka topics).
 */
export function differences(from: Topology, to: Topology): Difference[] {
  const out: Difference[] = [];
  const signals = [...new Set([...from.engines, ...to.engines].map((e) => e.signal))].sort();
  for (const sig of signals) {
    const a = from.engines.find((e) => e.signal === sig);
    const b = to.engines.find((e) => e.signal === sig);
    if (!a || !b) {
      out.push({ subject: sig, what: 'engine', from: a ? `${a.engine} ${a.mode}` : 'none', to: b ? `${b.engine} ${b.mode}` : 'none' });
      continue;
    }
    const fields: Array<[string, string, string]> = [
      ['engine', a.engine, b.engine],
      ['version', a.version, b.version],
      ['mode', a.mode, b.mode],
      ['managed', String(a.managed), String(b.managed)],
      ['zoneAware', String(a.zoneAware), String(b.zoneAware)],
      ['replicationFactor', String(a.replicationFactor ?? '-'), String(b.replicationFactor ?? '-')],
      ['kafka', a.kafka ? a.kafka.topic : 'none', b.kafka ? b.kafka.topic : 'none'],
    ];
    for (const [what, x, y] of fields) if (x !== y) out.push({ subject: sig, what, from: x, to: y });
  }
  const env: Array<[string, string, string]> = [
    ['namespace', from.env.namespace, to.env.namespace],
    ['target', from.env.target, to.env.target],
    ['ha', String(from.env.ha), String(to.env.ha)],
    ['ingestion', JSON.stringify(from.ingestion ? [from.ingestion.collector, from.ingestion.routing, from.ingestion.kafkaBuffer] : null), JSON.stringify(to.ingestion ? [to.ingestion.collector, to.ingestion.routing, to.ingestion.kafkaBuffer] : null)],
  ];
  for (const [what, x, y] of env) if (x !== y) out.push({ subject: 'environment', what, from: x, to: y });
  const bucketsOf = (t: Topology) => new Set(t.buckets.map((b) => `${b.objectStorage}/${b.name}`));
  const ba = bucketsOf(from);
  const bb = bucketsOf(to);
  for (const b of [...ba].filter((x) => !bb.has(x)).sort()) out.push({ subject: `bucket ${b}`, what: 'bucket', from: 'present', to: 'absent' });
  for (const b of [...bb].filter((x) => !ba.has(x)).sort()) out.push({ subject: `bucket ${b}`, what: 'bucket', from: 'absent', to: 'present' });
  const key = (c: TopoComponent) => `${c.engine}/${c.component}`;
  const fa = new Map(from.components.map((c) => [key(c), c]));
  const fb = new Map(to.components.map((c) => [key(c), c]));
  for (const k of [...new Set([...fa.keys(), ...fb.keys()])].sort()) {
    const a = fa.get(k);
    const b = fb.get(k);
    if (!a || !b) {
      out.push({ subject: k, what: 'component', from: a ? `${a.replicas} × ${res(a.perReplica)}` : 'absent', to: b ? `${b.replicas} × ${res(b.perReplica)}` : 'absent' });
      continue;
    }
    if (a.replicas !== b.replicas) out.push({ subject: k, what: 'replicas', from: String(a.replicas), to: String(b.replicas) });
    if (res(a.perReplica) !== res(b.perReplica)) out.push({ subject: k, what: 'resources', from: res(a.perReplica), to: res(b.perReplica) });
    if (JSON.stringify(a.autoscaling ?? null) !== JSON.stringify(b.autoscaling ?? null)) out.push({ subject: k, what: 'autoscaling', from: JSON.stringify(a.autoscaling ?? null), to: JSON.stringify(b.autoscaling ?? null) });
  }
  return out;
}

/** Whether the Mimir read-write runbook covers a difference (the metrics engine's mode and zones, Mimir's components). */
function mimirCovers(d: Difference, from: Topology, to: Topology): boolean {
  if (d.subject === 'metrics') return d.what === 'mode' || (d.what === 'zoneAware' && d.from === 'false');
  if (!d.subject.startsWith('mimir/')) return false;
  const comp = d.subject.slice('mimir/'.length);
  const groups = Object.values(M.groups);
  const chart = [from, to].some((t) => (t.chartWorkloads ?? []).some((w) => w.engine === 'mimir' && w.action !== 'component' && w.component === comp));
  return d.what === 'component' && (chart || groups.some((g) => g.readWrite === comp || (g.microservices as readonly string[]).includes(comp)));
}

/** The catalog must know both modes at the version line in use; else the runbook refuses (exit 2), saying why. */
function requireCatalogModes(t: Topology, side: string): void {
  const e = t.engines.find((x) => x.signal === 'metrics')!;
  const line = CATALOG.mimir.versions.find((v) => v.line === e.versionLine);
  const missing = (['microservices', 'read-write'] as const).filter((m) => !line?.modes[m]);
  if (missing.length === 0) return;
  const removed = missing.map((m) => line?.removedModes?.[m]).find((r) => r !== undefined);
  if (removed) {
    throw new MigrationInputError(
      `${side} runs Mimir ${e.version} in ${t.env.name}, which has no read-write mode — ${removed.reason}. The microservices ↔ read-write runbook (seed 004) is for Mimir 2.x stacks, and going from Mimir ${e.versionLine}.x back to 2.x is not a migration Mimir supports`,
      `on Mimir ${e.version} stay on microservices; a Mimir 2.x stack follows the runbook (e.g. \`otelstack migrate plan examples/dts/mimir-2.ts examples/dts/read-write.ts --env prod\`), and a 2.x read-write stack moves back to microservices before it upgrades to Mimir 3`,
    );
  }
  throw new MigrationInputError(
    `the catalog (src/catalog/mimir.ts) has no Mimir ${e.versionLine}.x ${missing.join(' / ')} mode: the microservices ↔ read-write runbook cannot be planned for Mimir ${e.version}`,
    'use a Mimir version line whose catalog entry has both modes (2.x), or add the mode to the catalog',
  );
}

/** The runbook that takes `from` to `to`, or null when none recognises the change (with why, where one refused). */
export function selectRunbook(from: Topology, to: Topology, refusals: string[] = [], stacks?: { from: Stack; to: Stack }): Runbook | null {
  const ta = from.engines.find((e) => e.signal === 'traces');
  const tb = to.engines.find((e) => e.signal === 'traces');
  if (ta?.engine === 'jaeger' && tb?.engine === 'tempo') {
    const why = jaegerTempoRefusal(from, to) ?? (stacks ? undefined : 'the Jaeger → Tempo runbook renders collector configs: it needs both definitions');
    if (!why) return jaegerToTempo(from, to, stacks!);
    refusals.push(why);
    return null;
  }
  const la = from.engines.find((e) => e.signal === 'logs');
  const lb = to.engines.find((e) => e.signal === 'logs');
  if (la?.engine === 'loki' && lb?.engine === 'loki' && la.mode !== lb.mode) {
    const why = lokiModesRefusal(from, to) ?? (stacks ? undefined : 'the Loki mode runbook renders chart values: it needs both definitions');
    if (!why) return lokiModes(from, to, stacks!);
    refusals.push(why);
    return null;
  }
  if (from.ingestion && to.ingestion && !from.ingestion.kafkaBuffer && to.ingestion.kafkaBuffer) {
    const why = addKafkaRefusal(from, to, stacks);
    if (!why) return from.env.target === 'kubernetes' && stacks ? addKafkaKubernetes(stacks.from, from, to) : addKafka(from, to);
    refusals.push(why);
  }
  const a = from.engines.find((e) => e.signal === 'metrics');
  const b = to.engines.find((e) => e.signal === 'metrics');
  if (a?.engine === 'prometheus' && b?.engine === 'mimir') {
    const why = prometheusMimirRefusal(from, to);
    if (!why) return prometheusToMimir(from, to);
    refusals.push(why);
    return null;
  }
  if (!a || !b || a.engine !== 'mimir' || b.engine !== 'mimir') return null;
  if (a.mode === 'microservices' && b.mode === 'read-write') {
    requireCatalogModes(from, 'the running definition');
    requireCatalogModes(to, 'the target definition');
    return microservicesToReadWrite(from, to);
  }
  if (a.mode === 'read-write' && b.mode === 'microservices') {
    requireCatalogModes(from, 'the running definition');
    requireCatalogModes(to, 'the target definition');
    return readWriteToMicroservices(from, to);
  }
  return null;
}

/** One budgeted component of a resource state. */
export interface StateComponent {
  replicas: number;
  perReplica: ReplicaResources;
}

/** The per-dimension maximum over the states, and the step each is first reached at. */
export function peakOf(states: readonly ResourceState[]): { peak: Amounts; at: { cpu: number; memory: number; storage: number } } {
  const peak = zero();
  const at = { cpu: 0, memory: 0, storage: 0 };
  for (const s of states) {
    if (s.totals.cpuRequestMillicores > peak.cpuRequestMillicores) [peak.cpuRequestMillicores, at.cpu] = [s.totals.cpuRequestMillicores, s.step];
    if (s.totals.memoryRequestBytes > peak.memoryRequestBytes) [peak.memoryRequestBytes, at.memory] = [s.totals.memoryRequestBytes, s.step];
    if (s.totals.storageBytes > peak.storageBytes) [peak.storageBytes, at.storage] = [s.totals.storageBytes, s.step];
    peak.memoryLimitBytes = Math.max(peak.memoryLimitBytes, s.totals.memoryLimitBytes);
  }
  return { peak, at };
}

/**
 * Totals of a state: the unchanged components plus the migrating ones at the step's replicas. `volumes`: replicas
 * whose persistent volumes still exist (a StatefulSet scaled down keeps its PVCs until they are released at the
 * cleanup), counted for storage; default = `replicas`.
 */
export function stateTotals(unchanged: Amounts, migrating: ReadonlyMap<string, ReplicaResources>, replicas: Readonly<Record<string, number>>, volumes: Readonly<Record<string, number>> = replicas): Amounts {
  let t = unchanged;
  for (const [k, n] of Object.entries(replicas)) {
    const r = migrating.get(k);
    if (!r) continue;
    const c = componentTotals({ replicas: n, perReplica: r });
    t = add(t, { ...c, storageBytes: r.storageBytes * Math.max(n, volumes[k] ?? n) });
  }
  return t;
}

/**
 * Both deployments run side by side: the resources of every state (before, after each step), with the same
 * per-replica resources the plan uses (each component's from the definition that has it), and their peak.
 */
export function peakResources(from: Topology, to: Topology, runbook: Runbook): PeakResources {
  const engines = new Set(runbook.engines ?? [runbook.engine]);
  const migrating = new Map<string, ReplicaResources>();
  for (const c of [...from.components, ...to.components]) if (engines.has(c.engine) && c.budgeted && !migrating.has(c.component)) migrating.set(c.component, c.perReplica);
  for (const c of runbook.extraComponents ?? []) if (!migrating.has(c.component)) migrating.set(c.component, c.perReplica);
  const unchanged = from.components.filter((c) => c.budgeted && !engines.has(c.engine)).reduce<Amounts>((acc, c) => add(acc, componentTotals(c)), canaryTotals(from) ?? zero());
  const before: Record<string, number> = {};
  for (const c of from.components) if (engines.has(c.engine) && c.budgeted) before[c.component] = c.replicas;
  const states: ResourceState[] = [
    { step: 0, label: 'before the migration', totals: stateTotals(unchanged, migrating, before) },
  ];
  // volumes outlive scale-downs until the cleanup step releases them
  let volumes: Record<string, number> = { ...before };
  for (const s of runbook.steps) {
    volumes = s.id === 'cleanup' ? { ...s.replicas } : Object.fromEntries(Object.entries(s.replicas).map(([k, n]) => [k, Math.max(n, volumes[k] ?? 0)]));
    states.push({ step: s.n, label: s.id, totals: stateTotals(unchanged, migrating, s.replicas, volumes) });
  }
  const { peak, at } = peakOf(states);
  const cap = from.capacity;
  const available = cap ? { kind: cap.kind, ...cap.available } : null;
  const fits = available ? peak.cpuRequestMillicores <= available.cpuMillicores && peak.memoryRequestBytes <= available.memoryBytes && peak.storageBytes <= available.storageBytes : null;
  const q = cap ? quotaPlan(cap, [{ phase: 1, ...peak }]) : undefined;
  return {
    states,
    peak,
    at,
    available,
    fits,
    quotaRequest: q ? { targetHeadroomPercent: q.targetHeadroomPercent, cpuMillicores: q.cpu.requested, memoryBytes: q.memory.requested, storageBytes: q.storage.requested } : null,
  };
}

function peakFinding(t: Topology, p: PeakResources): Finding | undefined {
  if (p.fits !== false || !p.available) return undefined;
  const over = [
    p.peak.cpuRequestMillicores > p.available.cpuMillicores ? `CPU ${formatCpu(p.peak.cpuRequestMillicores)} > ${formatCpu(p.available.cpuMillicores)} (step ${p.at.cpu})` : '',
    p.peak.memoryRequestBytes > p.available.memoryBytes ? `memory ${formatBytes(p.peak.memoryRequestBytes)} > ${formatBytes(p.available.memoryBytes)} (step ${p.at.memory})` : '',
    p.peak.storageBytes > p.available.storageBytes ? `storage ${formatBytes(p.peak.storageBytes)} > ${formatBytes(p.available.storageBytes)} (step ${p.at.storage})` : '',
  ].filter(Boolean);
  const q = p.quotaRequest;
  return {
    severity: 'error',
    rule: 'migration-peak',
    env: t.env.name,
    path: `environments.${t.env.index}.capacity`,
    message: `the migration's peak does not fit the ${p.available.kind === 'quota' ? 'free quota' : 'headroom'} of ${t.env.namespace}: ${over.join('; ')} — both deployments run side by side`,
    suggestion: q
      ? `ask for a quota of CPU ${formatCpu(q.cpuMillicores)}, memory ${formatBytes(q.memoryBytes)}, storage ${formatBytes(q.storageBytes)} (${q.targetHeadroomPercent}% headroom over the peak) before the migration starts`
      : `free CPU ${formatCpu(Math.max(0, p.peak.cpuRequestMillicores - p.available.cpuMillicores))}, memory ${formatBytes(Math.max(0, p.peak.memoryRequestBytes - p.available.memoryBytes))}, storage ${formatBytes(Math.max(0, p.peak.storageBytes - p.available.storageBytes))} in the namespace before the migration starts`,
  };
}

export interface MigrationInput {
  fromFile: string;
  fromStack: Stack;
  toFile: string;
  toStack: Stack;
  env: string;
}

/** Topologies of the environment in both definitions (bad input when either lacks it). */
export function topologies(i: MigrationInput): { from: Topology; to: Topology } {
  for (const [file, s] of [[i.fromFile, i.fromStack], [i.toFile, i.toStack]] as const) {
    if (!s.environments.some((e) => e.name === i.env)) throw new MigrationInputError(`${file} has no environment "${i.env}"`, `use one of: ${s.environments.map((e) => e.name).join(', ')}`);
  }
  if (i.fromStack.name !== i.toStack.name) throw new MigrationInputError(`${i.fromFile} defines stack "${i.fromStack.name}" but ${i.toFile} defines "${i.toStack.name}"`, 'a migration goes from one definition of a stack to another definition of the same stack');
  return { from: expand(i.fromStack, i.env), to: expand(i.toStack, i.env) };
}

/** The migration plan; `runbook` null with differences = nothing covers the change (the CLI exits 2). */
export function planMigration(i: MigrationInput): MigrationPlan {
  const { from, to } = topologies(i);
  const diffs = differences(from, to);
  const refusals: string[] = [];
  const runbook = selectRunbook(from, to, refusals, { from: i.fromStack, to: i.toStack });
  const covers = (d: Difference) =>
    runbook?.id === ADD_KAFKA_RUNBOOK
      ? addKafkaCovers(d)
      : runbook?.id === PROMETHEUS_MIMIR_RUNBOOK
        ? prometheusMimirCovers(d)
        : runbook?.id === JAEGER_TEMPO_RUNBOOK
          ? jaegerTempoCovers(d)
          : runbook?.id === LOKI_MODES_RUNBOOK
            ? lokiModesCovers(d)
            : mimirCovers(d, from, to);
  const covered = runbook ? diffs.filter(covers) : [];
  const uncovered = diffs.filter((d) => !covered.includes(d));
  const peak = runbook ? peakResources(from, to, runbook) : null;
  const findings: Finding[] = [];
  const pf = peak ? peakFinding(from, peak) : undefined;
  if (pf) findings.push(pf);
  if (runbook && (runbook.id === M.id || runbook.id === M.reverseId) && to.engines.find((e) => e.signal === 'metrics')?.zoneAware !== true) {
    findings.push({ severity: 'error', rule: 'migration-zone-awareness', env: i.env, path: `signals.metrics.environments.${i.env}.zoneAware`, message: 'Mimir read-write mode requires multi-zone ingesters and store-gateways (the migration\'s first step)', suggestion: 'set zoneAware: true with three zones in the environment' });
  }
  if (runbook && uncovered.length) {
    findings.push({ severity: 'error', rule: 'migration-uncovered', env: i.env, path: 'environments', message: `${uncovered.length} difference(s) no runbook covers: ${uncovered.map((d) => `${d.subject} ${d.what}`).join(', ')}`, suggestion: 'make those changes in a separate rollout (before or after the migration), or leave them out of the target definition' });
  }
  return { stack: from.stack, env: i.env, target: from.env.target, from: i.fromFile, to: i.toFile, runbook, uncovered, refusals, covered, peak, findings, progress: null };
}
