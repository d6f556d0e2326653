/**
 * The rolling-deploy plan of a compose environment (issue 16, seed 002 "Deploy script for zero-downtime updates"):
 * pure — from the environment's topology and the compose file otelstack renders for it, the ordered steps
 * `otelstack deploy` runs (execute.ts). Order:
 *  1. gateways behind the load balancer, one at a time: drain it in every HAProxy backend, wait until HAProxy has no
 *     session on it, wait until its exporter queues are empty (its own otelcol_exporter_queue_size), stop it with its
 *     grace period, start the new version, wait for its readiness endpoint, put it back in the backends and wait
 *     until HAProxy sees it UP — only then the next gateway, so one is out of rotation at a time. A single gateway
 *     with no load balancer cannot be drained: it is stopped and started with its grace, and the plan says so.
 *  2. processors, one at a time (Kafka holds their input while one restarts; the group rebalances its partitions);
 *  3. Kafka brokers, one at a time; 4. the telemetry engines, one at a time; 5. Grafana, one at a time.
 * A failed health gate aborts the deploy and rolls back that one service (execute.ts).
 * What the deploy leaves alone (the load balancer itself, the object store, PostgreSQL, one-shot jobs, probes) is
 * listed with the reason.
 */
import { CATALOG, readyUrl, type EngineId } from '../../catalog/index.js';
import { COLLECTOR_METRICS } from '../../catalog/metrics.js';
import { HAPROXY } from '../../catalog/support.js';
import { STOP_GRACE_SECONDS, type GracefulProcess } from '../../render/configs/lifecycle.js';
import { HAPROXY_BACKENDS } from '../../render/compose/haproxy.js';
import { COMPOSE_OTLP_LB, composeLoadBalanced, LOOPBACK_HOST } from '../../topology/loopback.js';
import type { Topology } from '../../topology/types.js';

export const DEPLOY_PHASES = ['gateways', 'processors', 'brokers', 'engines', 'grafana', 'canary'] as const;
export type DeployPhase = (typeof DEPLOY_PHASES)[number];

export class DeployError extends Error {
  override readonly name = 'DeployError';
  constructor(
    message: string,
    readonly suggestion?: string,
  ) {
    super(message);
  }
}

/** How a restarted service is known to be healthy. */
export type HealthGate =
  /** GET `url` (2xx) from the service `via` (the busybox probe beside an image that cannot probe itself) */
  | { readonly kind: 'ready-url'; readonly url: string; readonly via: string }
  /** the service's own compose healthcheck, which starts afresh with the new container */
  | { readonly kind: 'healthcheck'; readonly service: string };

export interface LbServer {
  readonly backend: string;
  readonly server: string;
}

export interface DeployUnit {
  readonly service: string;
  readonly phase: DeployPhase;
  readonly engine: EngineId | 'grafana' | 'otelstack';
  readonly graceS: number;
  /** HAProxy servers (one per backend) this service is; empty when nothing balances to it */
  readonly lbServers: readonly LbServer[];
  /** the collector's own metrics (queue depth), read from `via` */
  readonly metrics?: { readonly url: string; readonly via: string };
  /** wait for empty exporter queues before stopping (a drained gateway: nothing new comes in) */
  readonly waitQueues: boolean;
  readonly health: HealthGate;
  readonly notes: readonly string[];
}

export type DeployAction = 'pull' | 'drain' | 'wait-drained' | 'wait-queues' | 'stop' | 'start' | 'wait-healthy' | 'enable' | 'wait-lb-up';

export interface DeployStep {
  /** 1-based, in order */
  readonly n: number;
  readonly action: DeployAction;
  /** the unit's service; for `pull` every service to roll, comma-separated */
  readonly service: string;
  readonly text: string;
}

export interface DeployPlan {
  readonly stack: string;
  readonly env: string;
  /** compose project name (`docker compose -p`) */
  readonly project: string;
  /** the HAProxy runtime API, as published on the host; absent without a load balancer */
  readonly loadBalancer?: { readonly service: string; readonly runtimeApi: { readonly host: string; readonly port: number } };
  readonly units: readonly DeployUnit[];
  readonly steps: readonly DeployStep[];
  /** whole-deploy notes (what cannot be zero-downtime, and why) */
  readonly notes: readonly string[];
  readonly untouched: readonly { readonly service: string; readonly why: string }[];
}

/** The parts of a rendered docker-compose.yaml the plan reads. */
export interface ComposeDocument {
  readonly name?: string;
  readonly services: Readonly<Record<string, { readonly healthcheck?: unknown; readonly labels?: Readonly<Record<string, string>>; readonly stop_grace_period?: string }>>;
}

export interface PlanOptions {
  /** only these phases (default: all) */
  readonly only?: readonly DeployPhase[];
}

export const LB_SERVICE = COMPOSE_OTLP_LB;
const PROBE_LABEL = 'otelstack.ready-probe';
const PROBE_OF_LABEL = 'otelstack.probe-of';
const ONE_SHOT_LABEL = 'otelstack.one-shot';

function graceSeconds(service: string, declared: string | undefined, process: GracefulProcess): number {
  if (declared === undefined) return STOP_GRACE_SECONDS[process];
  const m = /^(\d+)s$/.exec(declared);
  if (!m) throw new DeployError(`service ${service}: stop_grace_period "${declared}" is not in seconds`, 'render the environment again with otelstack render');
  return Number(m[1]);
}

function phaseOfService(name: string, t: Topology): DeployPhase | undefined {
  if (/^gateway-\d+$/.test(name)) return 'gateways';
  if (/^processor-\d+$/.test(name)) return 'processors';
  if (/^kafka-\d+$/.test(name)) return 'brokers';
  if (/^grafana(-\d+)?$/.test(name)) return 'grafana';
  if (t.canary && name === t.canary.name) return 'canary';
  if (t.engines.some((e) => e.engine === name)) return 'engines';
  return undefined;
}

export function planDeploy(t: Topology, compose: ComposeDocument, options: PlanOptions = {}): DeployPlan {
  if (t.env.target !== 'compose') {
    throw new DeployError(`environment ${t.env.name} runs on ${t.env.target}, not compose`, 'otelstack deploy rolls compose environments; Kubernetes rolls Deployments itself (PodDisruptionBudgets are rendered)');
  }
  if (!compose.name) throw new DeployError(`the compose file of ${t.env.name} has no project name`, 'render it again with otelstack render');
  const services = compose.services;
  const only = new Set(options.only ?? DEPLOY_PHASES);
  const need = (service: string): NonNullable<ComposeDocument['services'][string]> => {
    const s = services[service];
    if (!s) throw new DeployError(`the compose file of ${t.env.name} has no service ${service}, which its topology has`, 'render the environment again with otelstack render');
    return s;
  };
  /** The busybox probe's GET of the engine's readiness URL, else the service's own healthcheck (engine: none, e.g. the canary). */
  const gateOf = (service: string, engine: EngineId | undefined, host: string): HealthGate => {
    const probe = need(service).labels?.[PROBE_LABEL];
    if (probe && engine) return { kind: 'ready-url', url: readyUrl(engine, host), via: probe };
    if (need(service).healthcheck) return { kind: 'healthcheck', service };
    throw new DeployError(`service ${service} has neither a healthcheck nor a readiness probe: deploy cannot tell when it is healthy`, 'render the environment again with otelstack render');
  };

  const units: DeployUnit[] = [];
  const notes: string[] = [];
  const lb = composeLoadBalanced(t) && services[LB_SERVICE] !== undefined;
  const ing = t.ingestion;
  const p = CATALOG.otelcol.ports;
  const collector = (role: 'gateway' | 'processor', i: number, phase: DeployPhase, extra: { lbServers: LbServer[]; waitQueues: boolean; notes: string[] }): DeployUnit => {
    const service = `${role}-${i}`;
    const s = need(service);
    const probe = s.labels?.[PROBE_LABEL];
    return {
      service,
      phase,
      engine: 'otelcol',
      graceS: graceSeconds(service, s.stop_grace_period, 'otelcol'),
      lbServers: extra.lbServers,
      ...(probe ? { metrics: { url: `http://${service}:${p['metrics']}/metrics`, via: probe } } : {}),
      waitQueues: extra.waitQueues,
      health: gateOf(service, 'otelcol', service),
      notes: extra.notes,
    };
  };

  if (ing && only.has('gateways')) {
    for (let i = 0; i < ing.gatewayReplicas; i++) {
      const service = `gateway-${i}`;
      if (lb) {
        // every backend the gateway is a server of: OTLP gRPC and HTTP, and Faro where browsers post (ingestion.faro)
        const backends = [HAPROXY_BACKENDS.grpc, HAPROXY_BACKENDS.http, ...(ing?.faro ? [HAPROXY_BACKENDS.faro] : [])];
        units.push(collector('gateway', i, 'gateways', { lbServers: backends.map((backend) => ({ backend, server: service })), waitQueues: true, notes: [] }));
      } else {
        const note = `${service} is the only gateway and publishes OTLP itself: with no load balancer to drain it from, its restart cannot be zero-downtime — clients are refused while it restarts and must retry`;
        notes.push(note);
        units.push(collector('gateway', i, 'gateways', { lbServers: [], waitQueues: false, notes: [note] }));
      }
    }
  }
  if (ing?.kafkaBuffer && only.has('processors')) {
    for (let i = 0; i < ing.processorReplicas; i++) {
      const note =
        ing.processorReplicas > 1
          ? 'Kafka holds its input while it restarts; the other processors take its partitions when the consumer group rebalances'
          : 'the only processor: its input waits in Kafka while it restarts';
      units.push(collector('processor', i, 'processors', { lbServers: [], waitQueues: false, notes: [note] }));
    }
  }
  if (t.kafka && ing?.kafkaBuffer && only.has('brokers')) {
    for (let i = 0; i < t.kafka.brokers; i++) {
      const service = `kafka-${i}`;
      const s = need(service);
      const note =
        t.kafka.brokers > 1
          ? 'one broker at a time: partitions with replicas elsewhere keep their leaders there'
          : 'the only broker: producers and consumers wait (the gateways queue) while it restarts';
      units.push({ service, phase: 'brokers', engine: 'kafka', graceS: graceSeconds(service, s.stop_grace_period, 'kafka'), lbServers: [], waitQueues: false, health: gateOf(service, 'kafka', service), notes: [note] });
    }
  }
  if (only.has('engines')) {
    for (const e of t.engines) {
      if (!e.managed || !(e.engine in STOP_GRACE_SECONDS) || !services[e.engine]) continue;
      const s = need(e.engine);
      const note = `${e.title} runs one instance here: its queries fail while it restarts; writes wait in the collectors' sending queues, which retry`;
      units.push({ service: e.engine, phase: 'engines', engine: e.engine, graceS: graceSeconds(e.engine, s.stop_grace_period, e.engine as GracefulProcess), lbServers: [], waitQueues: false, health: gateOf(e.engine, e.engine, e.engine), notes: [note] });
    }
  }
  if (only.has('grafana')) {
    const grafanas = Object.keys(services).filter((n) => n === 'grafana' || /^grafana-\d+$/.test(n)).sort();
    for (const g of grafanas) {
      const note = grafanas.length > 1 ? 'one Grafana at a time: the other keeps serving (shared PostgreSQL)' : 'the only Grafana: its UI is away while it restarts';
      units.push({ service: g, phase: 'grafana', engine: 'grafana', graceS: graceSeconds(g, services[g]!.stop_grace_period, 'grafana'), lbServers: [], waitQueues: false, health: gateOf(g, 'grafana', g), notes: [note] });
    }
  }

  // the canary last, watching what was rolled: its definition copy changes with the definition, so a new one is read
  if (only.has('canary') && t.canary && services[t.canary.name]) {
    const k = t.canary.name;
    const declared = /^(\d+)s$/.exec(need(k).stop_grace_period ?? '');
    const note = 'the canary pauses its rounds while it restarts (its rounds_total and last-success series continue after)';
    units.push({ service: k, phase: 'canary', engine: 'otelstack', graceS: declared ? Number(declared[1]) : 10, lbServers: [], waitQueues: false, health: gateOf(k, undefined, k), notes: [note] });
  }

  const rolled = new Set(units.map((u) => u.service));
  const untouched: { service: string; why: string }[] = [];
  for (const [name, s] of Object.entries(services).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (rolled.has(name)) continue;
    let why: string;
    if (s.labels?.[PROBE_OF_LABEL]) why = `readiness probe of ${s.labels[PROBE_OF_LABEL]} (busybox; nothing to update)`;
    else if (s.labels?.[ONE_SHOT_LABEL]) why = 'one-shot job (buckets, topics): run by docker compose up, not rolled';
    else if (name === LB_SERVICE) why = 'the load balancer itself: restarting it drops every OTLP connection; restart it in a maintenance window';
    else if (phaseOfService(name, t) !== undefined) {
      const phase = phaseOfService(name, t)!;
      why = only.has(phase) ? `not in the ${phase} of this topology` : `phase ${phase} not selected (--only ${[...only].join(',')})`;
    }
    else why = 'stateful store the engines depend on: not rolled by deploy';
    untouched.push({ service: name, why });
  }

  const steps: DeployStep[] = [];
  const add = (action: DeployAction, service: string, text: string) => steps.push({ n: steps.length + 1, action, service, text });
  if (units.length > 0) add('pull', units.map((u) => u.service).join(','), `pull the new images of ${units.map((u) => u.service).join(', ')} (before anything stops)`);
  for (const u of units) {
    const servers = u.lbServers.map((s) => `${s.backend}/${s.server}`).join(', ');
    if (u.lbServers.length > 0) {
      add('drain', u.service, `drain ${u.service} in the load balancer (${servers}: set server … state drain)`);
      add('wait-drained', u.service, `wait until the load balancer has no session on ${u.service}`);
    }
    if (u.waitQueues && u.metrics) add('wait-queues', u.service, `wait until ${u.service}'s exporter queues are empty (${COLLECTOR_METRICS.otelcol.exporterQueueSize} = 0)`);
    add('stop', u.service, `stop ${u.service} (grace ${u.graceS} s)`);
    add('start', u.service, `start the new ${u.service}`);
    add('wait-healthy', u.service, u.health.kind === 'ready-url' ? `wait until ${u.service} is ready (${u.health.url} from ${u.health.via})` : `wait until ${u.service}'s healthcheck passes`);
    if (u.lbServers.length > 0) {
      add('enable', u.service, `put ${u.service} back in the load balancer (${servers}: state ready)`);
      add('wait-lb-up', u.service, `wait until the load balancer sees ${u.service} UP in every backend`);
    }
  }
  if (t.kafka && ing?.kafkaBuffer && only.has('brokers') && t.kafka.brokers === 1) notes.push('one Kafka broker: its restart is not zero-downtime for Kafka clients (the gateways queue meanwhile)');

  return {
    stack: t.stack,
    env: t.env.name,
    project: compose.name,
    ...(lb ? { loadBalancer: { service: LB_SERVICE, runtimeApi: { host: LOOPBACK_HOST, port: HAPROXY.ports.runtimeApi } } } : {}),
    units,
    steps,
    notes,
    untouched,
  };
}

/** The plan as text lines (dry run). */
export function formatPlan(plan: DeployPlan): string[] {
  const out = [`deploy ${plan.stack}/${plan.env} (compose project ${plan.project}): ${plan.units.length} services, one at a time`];
  let phase: DeployPhase | undefined;
  let unit: string | undefined;
  for (const s of plan.steps) {
    const u = plan.units.find((x) => x.service === s.service);
    if (u && u.phase !== phase) {
      phase = u.phase;
      out.push(`${phase}:`);
    }
    if (u && u.service !== unit) {
      unit = u.service;
      for (const note of u.notes) out.push(`       (${note})`);
    }
    out.push(`  ${String(s.n).padStart(3)}. ${s.text}`);
  }
  for (const n of plan.notes) out.push(`note: ${n}`);
  for (const u of plan.untouched) out.push(`left alone: ${u.service} — ${u.why}`);
  return out;
}
