import type { Finding } from '../../plan/findings.js';
import type { Amounts } from '../../plan/resources.js';
import type { MimirReadWriteSpec } from '../../render/kubernetes/mimir-read-write.js';
import type { ReplicaResources } from '../../topology/types.js';

/**
 * A mimir-distributed (or other chart) values key a step sets; `verified` false = not checked in the chart's source
 * (true: read in the chart's values.yaml; the runbook's notes say at which version, e.g. 6.0.4 where the pinned 6.0.0
 * is not stored).
 */
export interface HelmChange {
  key: string;
  /** a scalar, or a whole block of the target's rendered values (a chart target's settings) */
  value: string | number | boolean | Record<string, unknown> | unknown[];
  verified: boolean;
}

/**
 * The Add Kafka manifests a Kubernetes step deploys (otelcol pools and Kafka, as render/kubernetes renders them):
 * the target's brokers / topics Job, the target's processor pool, and the gateways as they run, on the drain config,
 * or on the target config.
 */
export interface AddKafkaManifests {
  kafka: boolean;
  processor: boolean;
  gateway: 'running' | 'drain' | 'target';
}

/** What a step changes, in the environment's target's terms. */
export interface StepChange {
  summary: string;
  /** a jsonnet overlay for Tanka / jsonnet users, shaped as the documentation shapes it */
  jsonnet?: string;
  /** Helm values (kubernetes target) */
  helm?: HelmChange[];
  /** the chart the Helm values are of (default mimir-distributed) */
  helmChart?: string;
  /** why part of the step cannot be expressed as Helm values */
  helmGap?: string;
  /** actions outside any file: load-balancer routing, procedures */
  actions?: string[];
  /** Kubernetes manifests `migrate render` builds for this step from both definitions (Add Kafka) */
  manifests?: AddKafkaManifests;
  /** files the step deploys (name → content), written by `migrate render` beside its README */
  files?: Record<string, string>;
}

/** One condition of a gate. `promql`: holds when the result is non-zero (some series > 0) or zero (none > 0). */
export type GateCondition =
  | { kind: 'promql'; description: string; query: string; expect: 'nonzero' | 'zero' }
  /**
   * A ring's membership through its status page: `both` kinds ACTIVE, or the old kind `left`. Mimir's rings by
   * default (the catalog's pages, read-write instances by name); `page` / `newInstance` (a regex of the new kind's
   * instance ids) / `kinds` (the two kinds' names) for other engines' rings (Loki's ingester ring).
   */
  | { kind: 'ring'; description: string; ring: string; expect: 'both' | 'left'; page?: string; newInstance?: string; kinds?: { old: string; new: string } }
  | { kind: 'manual'; description: string }
  | { kind: 'wait'; description: string; seconds?: number }
  /** the same query on the source and the target query API: holds when both answer and differ by at most tolerancePercent of the source's value */
  | { kind: 'compare'; description: string; query: string; tolerancePercent: number }
  /**
   * What two trace backends received: the traces of `service` that started in the last `windowSeconds` (ending
   * `settleSeconds` ago, so both have ingested them), searched on the source (Jaeger's query API) and the target
   * (Tempo's search API); holds when both found some, their counts differ by at most tolerancePercent of the
   * source's, and a sample of `sample` trace ids of each is found by id in the other.
   */
  | { kind: 'traces'; description: string; service: string; windowSeconds: number; settleSeconds: number; sample: number; limit: number; tolerancePercent: number }
  /** a LogQL query on the target Loki's read path (query_range over the last windowSeconds): holds when it returns log lines */
  | { kind: 'logql'; description: string; query: string; windowSeconds: number };

export interface Step {
  /** 1-based position */
  n: number;
  id: string;
  title: string;
  /** the documentation's step it follows, or "derived" */
  source: string;
  change: StepChange;
  /** the gate that must hold before the next step */
  gate: GateCondition[];
  onFailure: string;
  rollback: string;
  /** replicas of the engine's components once the step is applied (every component the migration touches) */
  replicas: Record<string, number>;
}

export interface Runbook {
  id: string;
  title: string;
  engine: string;
  /** engines whose components the steps' replicas count (default: engine) */
  engines?: string[];
  signal: string;
  from: string;
  to: string;
  source: string;
  notes: string[];
  steps: Step[];
  /** Mimir on mimir-distributed: the read-write components rendered as Kubernetes objects at each step's replicas */
  readWriteObjects?: MimirReadWriteSpec;
  /** components that exist only during the migration (an intermediate mode), for the peak resources */
  extraComponents?: Array<{ component: string; perReplica: ReplicaResources }>;
}

/** A difference between the two topologies of the environment. */
export interface Difference {
  /** "metrics/mimir/ingester" or "metrics" (engine level) */
  subject: string;
  what: string;
  from: string;
  to: string;
}

export interface ResourceState {
  /** 0 = before the migration (the running definition) */
  step: number;
  label: string;
  totals: Amounts;
}

export interface PeakResources {
  /** every state: before, after each step */
  states: ResourceState[];
  /** the per-dimension maximum over the states, and the step each maximum is first reached at */
  peak: Amounts;
  at: { cpu: number; memory: number; storage: number };
  available: null | { kind: 'headroom' | 'quota'; cpuMillicores: number; memoryBytes: number; storageBytes: number };
  fits: boolean | null;
  /** the quota request that holds the peak (quota capacity only) */
  quotaRequest: null | { targetHeadroomPercent: number; cpuMillicores: number; memoryBytes: number; storageBytes: number };
}

export interface StepProgress {
  step: number;
  passedAt: string;
  forced: boolean;
}

export interface MigrationPlan {
  stack: string;
  env: string;
  target: string;
  from: string;
  to: string;
  runbook: Runbook | null;
  /** differences no runbook covers */
  uncovered: Difference[];
  /** why a runbook that recognised the change does not apply to it (e.g. Add Kafka on Kubernetes) */
  refusals: string[];
  /** differences the runbook covers */
  covered: Difference[];
  peak: PeakResources | null;
  findings: Finding[];
  /** where the migration stands (a state file exists) */
  progress: null | { stateFile: string; passed: StepProgress[]; next: number | null };
}

/** A component of the engine being migrated, as the migration's resource states see it. */
export interface MigratingComponent {
  component: string;
  perReplica: ReplicaResources;
  budgeted: boolean;
}

/** Builds a runbook's steps in order, keeping the replicas of every component the migration touches. */
export class Steps {
  readonly steps: Step[] = [];
  readonly replicas: Record<string, number>;
  constructor(initial: Record<string, number>) {
    this.replicas = { ...initial };
  }
  add(s: Omit<Step, 'n' | 'replicas'>, set: Record<string, number> = {}): void {
    Object.assign(this.replicas, set);
    this.steps.push({ ...s, n: this.steps.length + 1, replicas: { ...this.replicas } });
  }
}
