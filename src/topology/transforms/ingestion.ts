/**
 * The collection layer: the collector's gateway pool (and, with a Kafka buffer, its processor pool and the OTLP
 * buffer topics), plus the alloy chart's config-reloader sidecar where otelstack deploys Alloy on Kubernetes.
 * `ingestion.environments` empty means the layer serves every environment (e.g. one shared Alloy).
 */
import { CATALOG } from '../../catalog/index.js';
import { ALLOY_CONFIG_RELOADER } from '../../catalog/charts/alloy.js';
import { resources, type TopologyTransform } from '../resources.js';
import { parseRate } from '../../model/quantity.js';
import type { IngestionLoad, KafkaTopicPlan, TopoComponent } from '../types.js';

export const addIngestion: TopologyTransform = (t, { stack, env, memoryLimitRequired }) => {
  const ing = stack.ingestion;
  const ingEnv = ing?.environments[env.name];
  if (!ing || (Object.keys(ing.environments).length > 0 && !ingEnv)) return t;
  const components: TopoComponent[] = [...t.components];
  const collector = CATALOG[ing.collector];
  const comps = collector.versions[0]!.modes.monolithic!.components;
  const kafkaBuffer = ingEnv?.kafkaBuffer ?? false;
  const gw = ingEnv?.gateway ?? { replicas: 1 };
  const definitionPath = (pool: string) => (ingEnv ? `ingestion.environments.${env.name}.${pool}` : 'ingestion');
  const pools: Array<[string, typeof gw | undefined]> = [['gateway', gw], ['processor', kafkaBuffer ? (ingEnv?.processor ?? { replicas: 1 }) : undefined]];
  for (const [name, pool] of pools) {
    if (!pool) continue;
    const cf = comps.find((c) => c.name === name) ?? comps[0];
    components.push({
      engine: ing.collector,
      component: name,
      phase: 1,
      replicas: pool.replicas,
      path: 'write',
      stateful: cf?.stateful ?? false,
      replicated: false,
      singleton: false,
      known: true,
      budgeted: !ing.shared,
      perReplica: resources(cf, pool, memoryLimitRequired(name)),
      definitionPath: definitionPath(name),
    });
  }
  // an Alloy otelstack deploys on Kubernetes: the chart's config-reloader sidecar in every gateway pod
  if (ing.collector === 'alloy' && !ing.shared && env.target === 'kubernetes') {
    components.push({
      engine: 'alloy',
      component: 'config-reloader',
      phase: 1,
      replicas: gw.replicas,
      path: 'write',
      stateful: false,
      replicated: false,
      singleton: false,
      known: true,
      budgeted: true,
      perReplica: { cpuRequestMillicores: ALLOY_CONFIG_RELOADER.cpu, memoryRequestBytes: ALLOY_CONFIG_RELOADER.memory, storageBytes: 0 },
      definitionPath: definitionPath('gateway'),
      note: "the alloy chart's config-reloader sidecar, one per gateway pod",
      sidecarOf: { component: 'gateway', containers: [ALLOY_CONFIG_RELOADER.container] },
    });
  }
  const topics: KafkaTopicPlan[] = [];
  if (kafkaBuffer) {
    for (const s of ['traces', 'metrics', 'logs'] as const) {
      const tp = ing.topics?.[s];
      topics.push({
        name: tp?.name ?? `otlp-${s}`,
        partitions: tp?.partitions ?? 6,
        replication: tp?.replication ?? 3,
        minInSyncReplicas: tp?.minInSyncReplicas ?? Math.max(1, (tp?.replication ?? 3) - 1),
        retentionHours: tp?.retentionHours ?? 24,
        owner: `collector:${s}`,
        definitionPath: tp ? `ingestion.topics.${s}` : 'ingestion.topics',
      });
    }
  }
  let load: IngestionLoad | undefined;
  if (ingEnv?.load) {
    load = { headroomPercent: ingEnv.load.headroomPercent, definitionPath: `ingestion.environments.${env.name}.load` };
    for (const s of ['traces', 'metrics', 'logs'] as const) {
      const v = ingEnv.load[s];
      // validated by the schema: parseRate succeeds
      if (v !== undefined) {
        const r = parseRate(v);
        if (r.ok) load[s] = r.value;
      }
    }
  }
  return {
    ...t,
    components,
    ingestion: {
      collector: ing.collector,
      shared: ing.shared,
      routing: ing.routing,
      kafkaBuffer,
      gatewayReplicas: gw.replicas,
      processorReplicas: kafkaBuffer ? (ingEnv?.processor?.replicas ?? 1) : 0,
      topics,
      definitionPath: 'ingestion',
      ...(load ? { load } : {}),
      ...(ing.faro?.enabled
        ? { faro: { port: ing.faro.port ?? collector.ports['faro']!, allowedOrigins: [...new Set(ing.faro.allowedOrigins)].sort(), definitionPath: 'ingestion.faro' } }
        : {}),
    },
  };
};
