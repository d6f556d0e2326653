import { createHash } from 'node:crypto';
import { CATALOG, engine as engineFacts, versionLine } from '../catalog/index.js';
import { ALLOY_CONFIG_RELOADER } from '../catalog/charts/alloy.js';
import { GRAFANA_SIDECAR } from '../catalog/grafana.js';
import { METRICS_GENERATOR_SETUP } from '../catalog/metrics.js';
import { MIMIR_EXEMPLARS } from '../catalog/mimir.js';
import type { ComponentFacts, EngineFacts } from '../catalog/types.js';
import { parseBytes, parseCpu } from '../model/quantity.js';
import { SIGNALS, type ComponentOverrideDef, type Stack } from '../model/schema.js';
import { budgetChartWorkloads } from './transforms/chart-workloads.js';
import type { Bucket, CapacityFacts, EngineDeployment, KafkaTopicPlan, ReplicaResources, TopoComponent, Topology } from './types.js';

/** Quantities were validated by the model, so parsing cannot fail here. */
const cpu = (v: string | number): number => {
  const r = parseCpu(v);
  if (!r.ok) throw new Error(`unvalidated CPU quantity ${String(v)}`);
  return r.value;
};
const bytes = (v: string | number): number => {
  const r = parseBytes(v);
  if (!r.ok) throw new Error(`unvalidated byte quantity ${String(v)}`);
  return r.value;
};

function fill(template: string, vars: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);
}

export const DEFAULT_ZONES = ['zone-a', 'zone-b', 'zone-c'];

function resources(facts: ComponentFacts | undefined, o: ComponentOverrideDef | undefined, memoryLimitRequired: boolean): ReplicaResources {
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

  const components: TopoComponent[] = [];
  const engines: EngineDeployment[] = [];
  const buckets: Bucket[] = [];
  const topics: KafkaTopicPlan[] = [];
  const memLimitRequired = (name: string) => stack.policy.memoryLimits.includes(name);
  const kafkaDef = stack.kafka?.environments[env.name];

  for (const signal of SIGNALS) {
    const sig = stack.signals[signal];
    const se = sig?.environments[env.name];
    if (!sig || !se) continue;
    const facts = engineFacts(sig.engine) as EngineFacts;
    const line = versionLine(facts, sig.version)!;
    const mode = line.modes[se.mode]!;
    const base = `signals.${signal}.environments.${env.name}`;
    const phase = se.phase ?? sig.phase;
    const release = facts.id;
    const overrides = se.components ?? {};

    // Required components of the mode, plus optional ones and any other the definition names (unknown ones are
    // kept, marked known: false, so the plan can report them while the totals still add up what was written).
    // spanMetrics: Tempo's metrics-generator, a component of its own where the mode has one (microservices)
    const generator = facts.id === 'tempo' && se.spanMetrics === true ? METRICS_GENERATOR_SETUP.component : undefined;
    const names = [
      ...mode.components.filter((c) => !c.optional || overrides[c.name] !== undefined || c.name === generator).map((c) => c.name),
      ...Object.keys(overrides).filter((n) => !mode.components.some((c) => c.name === n)).sort(),
    ];
    if (sig.managed) {
      for (const name of names) {
        const cf = mode.components.find((c) => c.name === name);
        const o = overrides[name];
        components.push({
          engine: facts.id,
          component: name,
          phase,
          replicas: o?.replicas ?? (cf ? (env.ha ? cf.replicas.ha : cf.replicas.single) : 1),
          path: cf?.path ?? 'read',
          stateful: cf?.stateful ?? false,
          replicated: cf?.replicated ?? false,
          singleton: cf?.singleton ?? false,
          known: cf !== undefined,
          budgeted: true,
          perReplica: resources(cf, o, memLimitRequired(name)),
          definitionPath: o ? `${base}.components.${name}` : base,
        });
      }
    }

    let replicationFactor: number | undefined;
    // The replicated component: the one the version names (ingester), else the mode's replicated monolith.
    const rc = line.replicationFactor
      ? (components.find((c) => c.engine === facts.id && c.component === line.replicationFactor!.component) ??
        components.find((c) => c.engine === facts.id && c.replicated))
      : undefined;
    if (line.replicationFactor && rc) {
      replicationFactor = se.replicationFactor ?? Math.min(line.replicationFactor.default, rc.replicas);
    } else if (se.replicationFactor !== undefined) {
      replicationFactor = se.replicationFactor;
    }
    const zoneAware = se.zoneAware ?? (env.ha && replicationFactor !== undefined && replicationFactor > 1);
    const zones = zoneAware ? (env.zones ?? DEFAULT_ZONES).slice(0, Math.max(replicationFactor ?? 1, 1)) : [];

    const usesKafka = mode.kafka === 'required' || (mode.kafka === 'default-on' && se.ingestStorage !== false);
    let kafka: EngineDeployment['kafka'];
    if (usesKafka) {
      const consumers = (line.partitionConsumers ?? []).map((n) => components.find((c) => c.engine === facts.id && c.component === n)?.replicas ?? 0);
      const partitions = se.kafka?.partitions ?? (consumers.length ? Math.max(...consumers) : 1);
      kafka = { topic: se.kafka?.topic ?? line.ingestTopic ?? `${facts.id}-ingest`, partitions };
      topics.push({
        name: kafka.topic,
        partitions,
        replication: Math.min(3, kafkaDef?.brokers ?? 3),
        minInSyncReplicas: Math.min(2, kafkaDef?.brokers ?? 2),
        retentionHours: 24,
        owner: facts.id,
        definitionPath: se.kafka ? `${base}.kafka` : base,
      });
    }

    const vars = { Engine: facts.title, engine: facts.id, env: env.name, stack: stack.name, signal };
    engines.push({
      signal,
      engine: facts.id,
      title: facts.title,
      version: sig.version ?? facts.pinned,
      versionLine: line.line,
      documented: line.documented,
      mode: se.mode,
      managed: sig.managed,
      phase,
      chart: mode.chart,
      release,
      ...(replicationFactor !== undefined ? { replicationFactor } : {}),
      zoneAware,
      zones,
      ...(kafka ? { kafka } : {}),
      endpoints: facts.endpoints?.({ target: env.target, namespace: env.namespace, release, mode: se.mode }) ?? {},
      ...(se.tenant ? { tenant: se.tenant } : {}),
      ...(facts.datasourceType
        ? { datasource: { name: fill(stack.grafana.datasourceName, vars), uid: fill(stack.grafana.datasourceUid, vars), type: facts.datasourceType } }
        : {}),
      definitionPath: base,
    });

    if (sig.managed) {
      for (const b of facts.buckets) {
        const explicit = se.buckets?.[b.purpose];
        buckets.push({
          name: explicit ?? fill(stack.conventions.bucket, { ...vars, purpose: b.purpose }),
          engine: facts.id,
          signal,
          purpose: b.purpose,
          objectStorage: env.objectStorage,
          ...(b.usedBy ? { usedBy: b.usedBy } : {}),
          phase,
          definitionPath: explicit ? `${base}.buckets.${b.purpose}` : 'conventions.bucket',
          explicit: explicit !== undefined,
        });
      }
      for (const purpose of Object.keys(se.buckets ?? {}).filter((p) => !facts.buckets.some((b) => b.purpose === p)).sort()) {
        buckets.push({ name: se.buckets![purpose]!, engine: facts.id, signal, purpose, objectStorage: env.objectStorage, phase, definitionPath: `${base}.buckets.${purpose}`, explicit: true });
      }
    }
  }

  // Tempo's metrics-generator writes into the same environment's metrics engine (expanded after the traces signal).
  const metricsEngine = engines.find((e) => e.signal === 'metrics');
  for (const e of engines) {
    if (e.engine !== 'tempo' || stack.signals[e.signal]?.environments[env.name]?.spanMetrics !== true) continue;
    if (!metricsEngine?.endpoints.push) continue; // no metrics engine: the plan's span-metrics rule reports it
    e.metricsGenerator = {
      remoteWrite: metricsEngine.endpoints.push,
      ...(metricsEngine.tenant ? { tenant: metricsEngine.tenant } : {}),
      dimensions: [...METRICS_GENERATOR_SETUP.dimensions],
    };
  }

  // Exemplars (trace ids in metric data points, the metrics → traces link): collectors forward them with OTLP
  // metrics and Tempo's metrics-generator sends them, so Mimir stores them (catalog default size).
  for (const e of engines) if (e.engine === 'mimir') e.exemplars = { maxGlobalPerTenant: MIMIR_EXEMPLARS.defaultPerTenant };

  // Collection layer.
  const ing = stack.ingestion;
  const ingEnv = ing?.environments[env.name];
  let ingestion: Topology['ingestion'];
  // ingestion.environments empty = the collection layer serves every environment (e.g. one shared Alloy)
  if (ing && (Object.keys(ing.environments).length === 0 || ingEnv)) {
    const collector = CATALOG[ing.collector];
    const comps = collector.versions[0]!.modes.monolithic!.components;
    const kafkaBuffer = ingEnv?.kafkaBuffer ?? false;
    const gw = ingEnv?.gateway ?? { replicas: 1 };
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
        perReplica: resources(cf, pool, memLimitRequired(name)),
        definitionPath: ingEnv ? `ingestion.environments.${env.name}.${name}` : 'ingestion',
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
        definitionPath: ingEnv ? `ingestion.environments.${env.name}.gateway` : 'ingestion',
        note: "the alloy chart's config-reloader sidecar, one per gateway pod",
        sidecarOf: { component: 'gateway', containers: [ALLOY_CONFIG_RELOADER.container] },
      });
    }
    const bufferTopics: KafkaTopicPlan[] = [];
    if (kafkaBuffer) {
      for (const s of ['traces', 'metrics', 'logs'] as const) {
        const t = ing.topics?.[s];
        bufferTopics.push({
          name: t?.name ?? `otlp-${s}`,
          partitions: t?.partitions ?? 6,
          replication: t?.replication ?? 3,
          minInSyncReplicas: t?.minInSyncReplicas ?? Math.max(1, (t?.replication ?? 3) - 1),
          retentionHours: t?.retentionHours ?? 24,
          owner: `collector:${s}`,
          definitionPath: t ? `ingestion.topics.${s}` : 'ingestion.topics',
        });
      }
      topics.push(...bufferTopics);
    }
    ingestion = {
      collector: ing.collector,
      shared: ing.shared,
      routing: ing.routing,
      kafkaBuffer,
      gatewayReplicas: gw.replicas,
      processorReplicas: kafkaBuffer ? (ingEnv?.processor?.replicas ?? 1) : 0,
      topics: bufferTopics,
      definitionPath: 'ingestion',
    };
  }

  let kafkaPlan: Topology['kafka'];
  if (kafkaDef) {
    if (kafkaDef.managed) {
      const cf = CATALOG.kafka.versions[0]!.modes.monolithic!.components[0]!;
      components.push({
        engine: 'kafka',
        component: 'broker',
        phase: kafkaDef.phase,
        replicas: kafkaDef.brokers,
        path: 'write',
        stateful: true,
        replicated: true,
        singleton: false,
        known: true,
        budgeted: true,
        perReplica: resources(cf, kafkaDef, memLimitRequired('broker')),
        definitionPath: `kafka.environments.${env.name}`,
      });
    }
    const port = CATALOG.kafka.ports['client'];
    const host = (i: number) => (env.target === 'kubernetes' ? `kafka-${i}.kafka.${env.namespace}.svc.cluster.local` : `kafka-${i}`);
    kafkaPlan = {
      managed: kafkaDef.managed,
      brokers: kafkaDef.brokers,
      bootstrap: kafkaDef.bootstrap ?? Array.from({ length: kafkaDef.brokers }, (_, i) => `${host(i)}:${port}`).join(','),
      seed: kafkaDef.bootstrap
        ? (kafkaDef.bootstrap.split(',')[0] ?? '').trim()
        : env.target === 'kubernetes'
          ? `kafka.${env.namespace}.svc.cluster.local:${port}`
          : `${host(0)}:${port}`,
      clusterId: kraftClusterId(stack.name, env.name),
      topics,
      definitionPath: `kafka.environments.${env.name}`,
    };
  }

  // Grafana deployed by otelstack (grafana.deploy): its pods and, with sidecar provisioning, the chart's sidecars
  const gd = stack.grafana.deploy?.[env.name];
  if (gd) {
    const cf = CATALOG.grafana.versions[0]!.modes.monolithic!.components.find((c) => c.name === 'grafana');
    const base = `grafana.deploy.${env.name}`;
    const { cpu: gcpu, memory: gmem, memoryLimit: glim } = gd;
    const override: ComponentOverrideDef = { storage: 0, ...(gcpu !== undefined ? { cpu: gcpu } : {}), ...(gmem !== undefined ? { memory: gmem } : {}), ...(glim !== undefined ? { memoryLimit: glim } : {}) };
    const per = resources(cf, override, memLimitRequired('grafana'));
    components.push({ engine: 'grafana', component: 'grafana', phase: 1, replicas: gd.replicas, path: 'read', stateful: false, replicated: false, singleton: false, known: true, budgeted: true, perReplica: per, definitionPath: base, note: 'state in the external PostgreSQL, sessions in the external Redis: no volume' });
    if (stack.grafana.provisioning === 'sidecar') {
      components.push({
        engine: 'grafana',
        component: 'sidecar',
        phase: 1,
        replicas: gd.replicas * GRAFANA_SIDECAR.containers.length,
        path: 'read',
        stateful: false,
        replicated: false,
        singleton: false,
        known: true,
        budgeted: true,
        perReplica: { cpuRequestMillicores: GRAFANA_SIDECAR.cpu, memoryRequestBytes: GRAFANA_SIDECAR.memory, storageBytes: 0 },
        definitionPath: base,
        note: `the chart's ${GRAFANA_SIDECAR.containers.join(' and ')} sidecar containers, one each per Grafana pod`,
        sidecarOf: { component: 'grafana', containers: GRAFANA_SIDECAR.containerNames('grafana') },
      });
    }
  }

  const capacity = env.capacity ? capacityOf(env.capacity) : undefined;
  const topology: Topology = {
    stack: stack.name,
    env: { name: env.name, namespace: env.namespace, target: env.target, ha: env.ha, podDisruptionBudgets: env.podDisruptionBudgets, index },
    objectStorage: { name: env.objectStorage, kind: os.kind, endpoint: os.endpoint, region: os.region, insecure: os.insecure, credentials: os.credentials },
    engines,
    components,
    buckets,
    ...(kafkaPlan ? { kafka: kafkaPlan } : {}),
    ...(ingestion ? { ingestion } : {}),
    ...(capacity ? { capacity } : {}),
    policy: { cpuLimits: [...stack.policy.cpuLimits], memoryLimits: [...stack.policy.memoryLimits] },
  };
  // workloads the engines' charts deploy beyond the definition's components (src/topology/transforms)
  return budgetChartWorkloads(topology, memLimitRequired);
}

/**
 * A KRaft cluster id (16 bytes, base64url — the `kafka-storage random-uuid` format) derived from stack and
 * environment so renders are stable; like Kafka's own ids it never starts with "-", which kafka-storage's argument
 * parser would read as an option.
 */
export function kraftClusterId(stack: string, env: string): string {
  for (let i = 0; ; i++) {
    const id = createHash('sha256').update(`${stack}/${env}/kafka${i ? `/${i}` : ''}`).digest().subarray(0, 16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
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
