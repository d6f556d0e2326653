import { applyAutoscaling } from './transforms/autoscaling.js';
import { budgetChartWorkloads } from './transforms/chart-workloads.js';
import { enableExemplars } from './transforms/exemplars.js';
import { deployGrafana } from './transforms/grafana.js';
import { addCanary } from './transforms/canary.js';
import { tlsPlanOf, withTlsEndpoints } from './vm-tls.js';
import { addIngestion } from './transforms/ingestion.js';
import { addKafka } from './transforms/kafka.js';
import { expandSignals } from './transforms/signals.js';
import { linkSpanMetrics } from './transforms/span-metrics.js';
import { addTenants } from './transforms/tenants.js';
import { addRum } from './transforms/rum.js';
import type { Stack } from '../model/schema.js';
import { bytes, cpu, policyNames, type ExpandContext, type TopologyTransform } from './resources.js';
import type { CapacityFacts, KafkaTopicPlan, Topology } from './types.js';

export { DEFAULT_ZONES } from './transforms/signals.js';
export { kraftClusterId } from './transforms/kafka.js';

function capacityOf(c: NonNullable<Stack['environments'][number]['capacity']>): CapacityFacts | undefined {
  const res = (x: { cpu: string | number; memory: string | number; storage: string | number }) => ({
    cpuMillicores: cpu(x.cpu),
    memoryBytes: bytes(x.memory),
    storageBytes: bytes(x.storage),
  });
  const request = c.request
    ? { targetHeadroomPercent: c.request.targetHeadroomPercent, step: { cpuMillicores: cpu(c.request.step.cpu), memoryBytes: bytes(c.request.step.memory), storageBytes: bytes(c.request.step.storage) } }
    : undefined;
  const requested = c.requested ? { requested: res(c.requested) } : {};
  if (c.headroom) return { kind: 'headroom', available: res(c.headroom), ...(request ? { request } : {}), ...requested };
  if (c.quota && c.used) {
    const quota = res(c.quota);
    const used = res(c.used);
    return {
      kind: 'quota',
      quota,
      used,
      available: { cpuMillicores: quota.cpuMillicores - used.cpuMillicores, memoryBytes: quota.memoryBytes - used.memoryBytes, storageBytes: quota.storageBytes - used.storageBytes },
      request: request ?? { targetHeadroomPercent: 20, step: { cpuMillicores: 1000, memoryBytes: 8 * 1024 ** 3, storageBytes: 32 * 1024 ** 3 } },
      ...requested,
    };
  }
  return undefined;
}

/**
 * The topology's features in the order they build on each other, one file each in ./transforms/: the signals'
 * engines, components and buckets first, then the tenants it serves (they make the engines multi-tenant), autoscaled components budgeted at their maximum; links between signals; the collection layer; the RUM recording rules over the tenants' Faro logs; Kafka (which needs the
 * engines' and the collectors' topics); Grafana; the workloads the engines' charts deploy beyond the
 * definition's components; last, the canary (it reads the ingestion layer).
 */
const TRANSFORMS: readonly TopologyTransform[] = [
  expandSignals,
  addTenants,
  linkSpanMetrics,
  enableExemplars,
  addIngestion,
  addRum,
  applyAutoscaling,
  addKafka,
  deployGrafana,
  budgetChartWorkloads,
  addCanary,
];

/**
 * expand(stack, env) → Topology: the concrete components, replicas, per-replica resources, volumes, buckets,
 * Kafka topics and endpoints of one environment. Pure and deterministic: components are sorted by engine, then by
 * the catalog's order; nothing here decides whether the result is wise — that is the plan's rules' job.
 */
export function expand(stack: Stack, envName: string): Topology {
  const index = stack.environments.findIndex((e) => e.name === envName);
  const env = stack.environments[index];
  if (!env) throw new Error(`no environment "${envName}" (have: ${stack.environments.map((e) => e.name).join(', ')})`);
  const os = stack.objectStorage[env.objectStorage];
  if (!os) throw new Error(`environment ${env.name} refers to undefined object storage ${env.objectStorage}`);
  const ctx: ExpandContext = { stack, env, memoryLimitRequired: (component, runs) => policyNames(stack.policy.memoryLimits, { component, runs }) };
  const capacity = env.capacity ? capacityOf(env.capacity) : undefined;
  const tls = tlsPlanOf(env.tls, env.target, index);
  const start: Topology = {
    stack: stack.name,
    env: { name: env.name, namespace: env.namespace, target: env.target, ha: env.ha, podDisruptionBudgets: env.podDisruptionBudgets, networkPolicies: env.networkPolicies, keda: env.keda, logs: { ...env.logs }, index },
    objectStorage: { name: env.objectStorage, kind: os.kind, endpoint: os.endpoint, region: os.region, insecure: os.insecure, credentials: os.credentials },
    engines: [],
    components: [],
    buckets: [],
    policy: { cpuLimits: [...stack.policy.cpuLimits], memoryLimits: [...stack.policy.memoryLimits] },
  };
  // the keys in their documented order (types.ts), whatever order the transforms added them in, so `plan --json` reads in the same order as always
  const { kafka, ingestion, tenants, canary, policy, chartWorkloads, ...built } = TRANSFORMS.reduce((t, transform) => transform(t, ctx), start);
  // TLS between VMs: the TLS engines' endpoints on https (vm-tls.ts); nothing changes without a tls plan
  return withTlsEndpoints({ ...built, ...(kafka ? { kafka } : {}), ...(ingestion ? { ingestion } : {}), ...(tenants ? { tenants } : {}), ...(canary ? { canary } : {}), ...(tls ? { tls } : {}), ...(capacity ? { capacity } : {}), policy, ...(chartWorkloads ? { chartWorkloads } : {}) });
}

/** Every environment in the definition's order. */
export function expandAll(stack: Stack): Topology[] {
  return stack.environments.map((e) => expand(stack, e.name));
}

/** All Kafka topics an environment needs, whether or not a cluster is budgeted (for the cross-engine rules). */
export function requiredTopics(t: Topology): KafkaTopicPlan[] {
  if (t.kafka) return t.kafka.topics;
  const out: KafkaTopicPlan[] = [];
  for (const e of t.engines) if (e.kafka) out.push({ name: e.kafka.topic, partitions: e.kafka.partitions, replication: 3, minInSyncReplicas: 2, retentionHours: 24, owner: e.engine, definitionPath: e.definitionPath });
  out.push(...(t.ingestion?.topics ?? []));
  return out;
}
