import {
  MIMIR_COMPONENT_KEYS,
  MIMIR_DISTRIBUTED_5,
  MIMIR_OPTIONAL,
  MIMIR_PERSISTENT,
  MIMIR_REQUIRED,
  MIMIR_ZONE_AWARE,
  TEMPO_DISTRIBUTED_COMPONENT_KEYS,
  TEMPO_DISTRIBUTED_NO_REPLICAS,
  TEMPO_DISTRIBUTED_OPTIONAL,
  TEMPO_DISTRIBUTED_STALE_TRACES_STORAGE,
} from '../../catalog/charts/index.js';
import { chartFacts } from '../../catalog/charts/index.js';
import { memcachedItemMemoryMb, memcachedMemoryArg } from '../../catalog/memcached.js';
import { METRICS_GENERATOR_SETUP } from '../../catalog/metrics.js';
import { MIMIR_EXEMPLARS } from '../../catalog/mimir.js';
import type { EngineDeployment, TopoComponent, Topology } from '../../topology/types.js';
import { mimirTenantOverrides, tempoMetricsGenerator, tempoTenantOverrides } from '../configs/engines.js';
import { MIMIR_TENANT_LIMITS } from '../../catalog/mimir.js';
import { TEMPO_TENANT_LIMITS } from '../../catalog/tempo.js';
// loki.ts and pyroscope.ts use this module's helpers; the cycle is safe: both sides only call each other at render time
import { lokiValues } from './loki.js';
import { pyroscopeValues } from './pyroscope.js';

/** Environment variable names the S3 keys are exposed under inside engine pods (values come from the Secret). */
export const S3_ENV = { accessKeyId: 'AWS_ACCESS_KEY_ID', secretAccessKey: 'AWS_SECRET_ACCESS_KEY' } as const;

type Values = Record<string, unknown>;

const Ki = 1024;
const Mi = Ki * 1024;
const Gi = Mi * 1024;

export function bytesQuantity(b: number): string {
  if (b % Gi === 0) return `${b / Gi}Gi`;
  if (b % Mi === 0) return `${b / Mi}Mi`;
  if (b % Ki === 0) return `${b / Ki}Ki`;
  return String(b);
}
export function cpuQuantity(m: number): string {
  return m % 1000 === 0 ? String(m / 1000) : `${m}m`;
}

/** requests always; limits only where the topology carries them (the policy is decided upstream). */
export function resourcesOf(c: Pick<TopoComponent, 'perReplica'>): Values {
  const r = c.perReplica;
  const limits: Values = {};
  if (r.cpuLimitMillicores !== undefined) limits['cpu'] = cpuQuantity(r.cpuLimitMillicores);
  if (r.memoryLimitBytes !== undefined) limits['memory'] = bytesQuantity(r.memoryLimitBytes);
  return {
    requests: { cpu: cpuQuantity(r.cpuRequestMillicores), memory: bytesQuantity(r.memoryRequestBytes) },
    ...(Object.keys(limits).length ? { limits } : {}),
  };
}

/** env entries exposing the S3 keys from the referenced Secret (never the values). */
export function s3SecretEnv(t: Topology): Values[] {
  const c = t.objectStorage.credentials;
  return [
    { name: S3_ENV.accessKeyId, valueFrom: { secretKeyRef: { name: c.secretName, key: c.accessKeyIdKey } } },
    { name: S3_ENV.secretAccessKey, valueFrom: { secretKeyRef: { name: c.secretName, key: c.secretAccessKeyKey } } },
  ];
}

/** host:port of the S3 endpoint (Tempo and Mimir take no scheme) and whether it is plain HTTP. */
export function s3Endpoint(t: Topology): { hostPort: string; insecure: boolean } {
  const u = new URL(t.objectStorage.endpoint);
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  return { hostPort: `${u.hostname}:${port}`, insecure: t.objectStorage.insecure || u.protocol === 'http:' };
}

export function bucket(t: Topology, e: EngineDeployment, purpose: string): string | undefined {
  return t.buckets.find((b) => b.engine === e.engine && b.purpose === purpose)?.name;
}

export function componentsOf(t: Topology, e: EngineDeployment): TopoComponent[] {
  return t.components.filter((c) => c.engine === e.engine && c.known).sort((a, b) => (a.component < b.component ? -1 : a.component > b.component ? 1 : 0));
}

/** Sets a dotted path in a values object, creating maps on the way (or the path's segments, for keys with dots). */
export function setPath(values: Values, path: string | readonly string[], value: unknown): void {
  const segs = typeof path === 'string' ? path.split('.') : path;
  let cur = values;
  for (const seg of segs.slice(0, -1)) {
    const next = cur[seg];
    if (!next || typeof next !== 'object' || Array.isArray(next)) cur[seg] = {};
    cur = cur[seg] as Values;
  }
  cur[segs[segs.length - 1]!] = value;
}

/** Components the plan budgets for chart workloads of this engine (chart-workloads transform), by component name. */
export function budgetedWorkloads(t: Topology, e: EngineDeployment): Set<string> {
  return new Set((t.chartWorkloads ?? []).filter((d) => d.engine === e.engine && d.action === 'budget').map((d) => d.component!));
}

/**
 * Values for the chart workloads of one engine the plan decided on (chart facts): switched off at their `enabled`
 * path, or switched on with the planned replicas and resources (memcached pools also get their item memory).
 */
export function chartWorkloadValues(t: Topology, e: EngineDeployment, values: Values): void {
  if (!('name' in e.chart)) return;
  const facts = chartFacts(e.chart);
  if (!facts) return;
  for (const d of t.chartWorkloads ?? []) {
    if (d.engine !== e.engine || d.chart !== facts.chart) continue;
    const w = facts.workloads.find((x) => x.key === d.workload);
    if (!w) continue;
    if (d.action === 'disable') {
      if (w.enabled !== 'always') setPath(values, w.enabled.path, false);
      continue;
    }
    if (d.action !== 'budget' || w.otelstack.action !== 'budget') continue;
    const c = t.components.find((x) => x.engine === e.engine && x.component === d.component);
    if (!c) continue;
    if (w.enabled !== 'always') for (const p of [w.enabled.path, ...(w.enabled.with ?? [])]) setPath(values, p, true);
    if (w.otelstack.when !== 'zone-aware') setPath(values, w.replicasKey ?? `${w.key}.replicas`, c.replicas);
    setPath(values, w.resourcesKey ?? `${w.key}.resources`, resourcesOf(c));
    const cacheMemory = c.perReplica.memoryLimitBytes ?? c.perReplica.memoryRequestBytes;
    if (w.otelstack.sizing.memcached === 'extraArgs') setPath(values, `${w.key}.extraArgs`, [memcachedMemoryArg(cacheMemory)]);
    if (w.otelstack.sizing.memcached === 'allocatedMemory') setPath(values, `${w.key}.allocatedMemory`, memcachedItemMemoryMb(cacheMemory));
  }
}

/**
 * HorizontalPodAutoscalers through the chart's own values (chart facts `autoscaling`) for the autoscaled components
 * of one engine: enabled, min / max replicas and the utilisation targets (a target the definition does not give is
 * null: the chart renders no such metric). Components the chart cannot scale keep their budgeted (max) replicas;
 * the plan's autoscaling rule says so.
 */
export function autoscalingValues(t: Topology, e: EngineDeployment, values: Values): void {
  if (!('name' in e.chart)) return;
  const facts = chartFacts(e.chart)?.autoscaling;
  if (!facts) return;
  for (const c of componentsOf(t, e)) {
    const a = c.autoscaling;
    const keys = facts.components[c.component];
    if (!a || !keys || c.stateful || c.singleton) continue;
    for (const p of keys.enabled) setPath(values, p, true);
    setPath(values, keys.minReplicas, a.min);
    setPath(values, keys.maxReplicas, a.max);
    setPath(values, keys.targetCpu, a.targetCpu ?? null);
    setPath(values, keys.targetMemory, a.targetMemory ?? null);
  }
}

/** A problem the values cannot express; the renderer turns it into a finding. */
export interface ValuesNote {
  severity: 'error' | 'warning';
  message: string;
  suggestion: string;
}

export interface EngineValues {
  values: Values;
  notes: ValuesNote[];
  /** components whose PodDisruptionBudget the chart does not render (the renderer adds policy/v1 PDBs) */
  uncoveredPdb: Array<{ component: string; selector: Record<string, string> }>;
}

/**
 * tempo chart 2.0.0 (monolithic, Tempo 2.x only: the catalog gives Tempo 3 monolithic no chart, since the chart's
 * tempo.yaml template writes blocks Tempo 3 rejects): one StatefulSet running every Tempo component.
 */
export function tempoMonolithicValues(t: Topology, e: EngineDeployment): EngineValues {
  const c = componentsOf(t, e)[0];
  const s3 = s3Endpoint(t);
  const notes: ValuesNote[] = [];
  const values: Values = {
    tempo: {
      tag: e.version,
      ...(c ? { resources: resourcesOf(c) } : {}),
      extraArgs: { 'config.expand-env': 'true' },
      extraEnv: s3SecretEnv(t),
      multitenancyEnabled: e.tenant !== undefined,
      storage: tempoTraceStorage(t, e, s3),
      receivers: { otlp: { protocols: { grpc: { endpoint: '0.0.0.0:4317' }, http: { endpoint: '0.0.0.0:4318' } } } },
    },
    replicas: c?.replicas ?? 1,
    persistence: c && c.perReplica.storageBytes > 0 ? { enabled: true, size: bytesQuantity(c.perReplica.storageBytes) } : { enabled: false },
  };
  if (e.metricsGenerator) {
    // tempo chart 2.0.0: the in-process metrics-generator; storage.remote_write (with exemplars and the tenant
    // header) takes precedence over remoteWriteUrl in the chart's template, which is kept for readers of the values
    const g = tempoMetricsGenerator(e.metricsGenerator);
    const tempo = values['tempo'] as Values;
    tempo['metricsGenerator'] = {
      enabled: true,
      remoteWriteUrl: e.metricsGenerator.remoteWrite,
      processor: g.processor,
      storage: { path: g.storagePath, remote_write: g.remoteWrite },
    };
    tempo['overrides'] = { defaults: g.overridesDefaults };
  }
  if (Object.keys(tempoTenantOverrides(t, e)).length > 0) {
    notes.push({
      severity: 'warning',
      message: `the tenants' Tempo limits are not rendered for the tempo chart (Tempo ${e.version}): otelstack writes per-tenant overrides for Tempo 3 (tempo-distributed, compose, ansible) only`,
      suggestion: 'run Tempo 3 with mode microservices (tempo-distributed), or set the overrides in the chart yourself',
    });
  }
  return { values, notes, uncoveredPdb: [] };
}

/** Tempo's trace storage on the environment's S3 instance (both Tempo charts take the same block). */
function tempoTraceStorage(t: Topology, e: EngineDeployment, s3: ReturnType<typeof s3Endpoint>): Values {
  return {
    trace: {
      backend: 's3',
      s3: {
        bucket: bucket(t, e, 'blocks'),
        endpoint: s3.hostPort,
        region: t.objectStorage.region,
        insecure: s3.insecure,
        access_key: `\${${S3_ENV.accessKeyId}}`,
        secret_key: `\${${S3_ENV.secretAccessKey}}`,
      },
    },
  };
}

/** tempo-distributed chart 3.0.x (Tempo 3 microservices). */
export function tempoDistributedValues(t: Topology, e: EngineDeployment): EngineValues {
  const chartVersion = 'version' in e.chart ? e.chart.version : '';
  const s3 = s3Endpoint(t);
  const notes: ValuesNote[] = [];
  const values: Values = {
    tempo: { image: { tag: e.version } },
    // defaults.* reach every Tempo component and nothing else; global.* would also reach the chart's memcached
    // (the S3 secret in a cache's env, and Tempo flags memcached rejects) — chart facts, TEMPO_DISTRIBUTED_FACTS.lists
    defaults: { extraArgs: ['-config.expand-env=true'], extraEnv: s3SecretEnv(t) },
    multitenancyEnabled: e.tenant !== undefined,
    storage: tempoTraceStorage(t, e, s3),
    traces: { otlp: { grpc: { enabled: true }, http: { enabled: true } } },
  };
  if (e.kafka) {
    values['ingest'] = {
      kafka: {
        ...(t.kafka ? { address: t.kafka.seed } : {}),
        topic: e.kafka.topic,
        auto_create_topic_default_partitions: e.kafka.partitions,
      },
    };
  }
  const present = new Set<string>();
  const uncoveredPdb: EngineValues['uncoveredPdb'] = [];
  const pdbs = t.env.ha && t.env.podDisruptionBudgets;
  const chartWorkloads = budgetedWorkloads(t, e);
  for (const c of componentsOf(t, e)) {
    if (chartWorkloads.has(c.component)) continue; // chartWorkloadValues
    const key = TEMPO_DISTRIBUTED_COMPONENT_KEYS[c.component];
    if (!key) {
      notes.push({ severity: 'error', message: `tempo-distributed ${chartVersion} has no values for component ${c.component}`, suggestion: 'remove the component or choose another mode' });
      continue;
    }
    present.add(key);
    const v: Values = { resources: resourcesOf(c) };
    if (!(TEMPO_DISTRIBUTED_NO_REPLICAS as readonly string[]).includes(key)) v['replicas'] = c.replicas;
    else if (c.replicas !== 1) notes.push({ severity: 'warning', message: `tempo-distributed runs one ${c.component}; ${c.replicas} replicas cannot be expressed`, suggestion: 'set replicas: 1' });
    if ((TEMPO_DISTRIBUTED_OPTIONAL as readonly string[]).includes(key)) v['enabled'] = true;
    if (c.perReplica.storageBytes > 0 && key === 'liveStore') {
      notes.push({
        severity: 'warning',
        message: `tempo-distributed ${chartVersion} has no persistence value for the live-store; its ${bytesQuantity(c.perReplica.storageBytes)} volume is not rendered (WAL on emptyDir)`,
        suggestion: 'live-stores replay from Kafka after a restart; drop storage or add a volume with liveStore.extraVolumes',
      });
    }
    if (key === 'backendWorker') {
      // the chart's backend-worker PDB template reads podDisruptionBudget.enabled (no default) once replicas > 1
      v['podDisruptionBudget'] = { enabled: pdbs };
      if (pdbs) v['maxUnavailable'] = 1;
    }
    values[key] = v;
    if (pdbs && ['blockBuilder', 'liveStore'].includes(key)) {
      uncoveredPdb.push({
        component: c.component,
        selector: { 'app.kubernetes.io/component': c.component, 'app.kubernetes.io/instance': e.release, 'app.kubernetes.io/name': 'tempo' },
      });
    }
  }
  for (const key of TEMPO_DISTRIBUTED_OPTIONAL) if (!present.has(key)) values[key] = { enabled: false };
  chartWorkloadValues(t, e, values);
  // the tenants' limits (TEMPO_TENANT_LIMITS): the chart writes per_tenant_overrides into its runtime ConfigMap at
  // overrides.per_tenant_override_config (chart default /runtime-config/overrides.yaml)
  const perTenant = tempoTenantOverrides(t, e);
  if (Object.keys(perTenant).length > 0) values[TEMPO_TENANT_LIMITS.chartValues] = perTenant;
  const generatorKey = TEMPO_DISTRIBUTED_COMPONENT_KEYS[METRICS_GENERATOR_SETUP.component]!;
  if (e.metricsGenerator && present.has(generatorKey)) {
    // README "Activate metrics generator": remote write in metricsGenerator.config.storage, the processors per
    // tenant in overrides.defaults (chart 3's name for global_overrides); processor dimensions in config.processor
    const g = tempoMetricsGenerator(e.metricsGenerator);
    values[generatorKey] = { ...(values[generatorKey] as Values), config: { processor: g.processor, storage: { remote_write: g.remoteWrite } } };
    values['overrides'] = { defaults: g.overridesDefaults };
    // the chart runs the generator as a Deployment (new pod names on every rollout): Tempo 3.0 "Metrics-generator",
    // partition handoff during rollouts — leave the Kafka consumer group on shutdown so partitions move at once
    // instead of idling until the session timeout (tempo.structuredConfig is merged into tempo.yaml)
    if (e.kafka) values['tempo'] = { ...(values['tempo'] as Values), structuredConfig: { metrics_generator: { leave_consumer_group_on_shutdown: true } } };
    if (TEMPO_DISTRIBUTED_STALE_TRACES_STORAGE.includes(chartVersion)) {
      notes.push({
        severity: 'warning',
        message: `tempo-distributed ${chartVersion} writes metrics_generator.traces_storage into tempo.yaml whenever the metrics-generator is on; Tempo ${e.version} no longer has that block and refuses a configuration with unknown fields, so no Tempo component starts`,
        suggestion: 'pin tempo-distributed 3.0.3 or later (grafana-community/helm-charts #665 removed the block) before syncing this environment',
      });
    }
  }
  return { values, notes, uncoveredPdb };
}

/** mimir-distributed chart 6.0.0 (Mimir 3), or 5.8.0 (Mimir 2.17: MIMIR_DISTRIBUTED_5, the differences). */
export function mimirDistributedValues(t: Topology, e: EngineDeployment): EngineValues {
  const chart = 'none' in e.chart ? '?' : e.chart.version;
  const v5 = chart === MIMIR_DISTRIBUTED_5.version;
  const optional: readonly string[] = v5 ? MIMIR_DISTRIBUTED_5.optional : MIMIR_OPTIONAL;
  const s3 = s3Endpoint(t);
  const notes: ValuesNote[] = [];
  const present = new Set<string>();
  const values: Values = {
    image: { tag: e.version },
    global: { extraEnv: s3SecretEnv(t) },
    // S3 is the environment's external instance: never the chart's bundled MinIO
    minio: { enabled: false },
    // the chart's unified gateway (the catalog's push / query endpoints go through it), the rollout-operator (zone-aware
    // StatefulSets only), the caches, the demo Kafka: budgeted or switched off by chartWorkloadValues (chart facts)
  };
  const sc: Values = {
    common: {
      storage: {
        backend: 's3',
        s3: {
          endpoint: s3.hostPort,
          region: t.objectStorage.region,
          insecure: s3.insecure,
          access_key_id: `\${${S3_ENV.accessKeyId}}`,
          secret_access_key: `\${${S3_ENV.secretAccessKey}}`,
        },
      },
    },
    multitenancy_enabled: e.tenant !== undefined,
    // exemplar storage (default 0 drops every exemplar): sized in the plan
    ...(e.exemplars ? { limits: { [MIMIR_EXEMPLARS.limit]: e.exemplars.maxGlobalPerTenant } } : {}),
  };
  const blocks = bucket(t, e, 'blocks');
  const chartWorkloads = budgetedWorkloads(t, e);
  if (blocks) sc['blocks_storage'] = { s3: { bucket_name: blocks } };
  for (const c of componentsOf(t, e)) {
    if (chartWorkloads.has(c.component)) continue; // chartWorkloadValues
    const key = MIMIR_COMPONENT_KEYS[c.component];
    if (!key) {
      notes.push({ severity: 'error', message: `mimir-distributed ${chart} has no values for component ${c.component}`, suggestion: 'remove the component or choose another mode' });
      continue;
    }
    present.add(key);
    const v: Values = { replicas: c.replicas, resources: resourcesOf(c), extraArgs: { 'config.expand-env': 'true' } };
    if (optional.includes(key)) v['enabled'] = true;
    if ((MIMIR_PERSISTENT as readonly string[]).includes(key)) {
      v['persistentVolume'] = c.perReplica.storageBytes > 0 ? { enabled: true, size: bytesQuantity(c.perReplica.storageBytes) } : { enabled: false };
    }
    if ((MIMIR_ZONE_AWARE as readonly string[]).includes(key)) v['zoneAwareReplication'] = { enabled: e.zoneAware };
    if (t.env.ha && t.env.podDisruptionBudgets) v['podDisruptionBudget'] = { maxUnavailable: 1 };
    values[key] = v;
  }
  // chart-default components the topology does not deploy
  for (const key of optional) if (!present.has(key)) values[key] = { enabled: false };
  chartWorkloadValues(t, e, values);
  for (const key of v5 ? [] : MIMIR_REQUIRED) {
    if (!present.has(key)) {
      const name = Object.entries(MIMIR_COMPONENT_KEYS).find(([, k]) => k === key)?.[0] ?? key;
      notes.push({
        severity: 'warning',
        message: `mimir-distributed ${chart} always deploys the ${name} (queriers and query-frontends go through it); the topology has none, so it runs with the chart's default replicas and resources, outside the budget`,
        suggestion: `add ${name} to the metrics components of ${t.env.name}`,
      });
    }
  }
  if (e.zoneAware && (v5 ? MIMIR_DISTRIBUTED_5.rolloutOperatorCrds : true)) {
    notes.push({
      severity: 'warning',
      message: `mimir-distributed ${chart} rolls zone-aware StatefulSets with the rollout-operator, whose admission webhooks need its CRDs (replica templates, zone-aware PodDisruptionBudgets) installed cluster-wide`,
      suggestion: 'have the CRDs from the rollout-operator chart applied before the first sync (chart 6.0.2+ also fixes the operator\'s webhook certificate name)',
    });
  }
  for (const key of MIMIR_ZONE_AWARE) {
    if (!present.has(key)) {
      const v = (values[key] ?? {}) as Values;
      v['zoneAwareReplication'] = { enabled: false };
      values[key] = v;
    }
  }
  const ruler = bucket(t, e, 'ruler');
  if (ruler && present.has('ruler')) sc['ruler_storage'] = { s3: { bucket_name: ruler } };
  const am = bucket(t, e, 'alertmanager');
  if (am && present.has('alertmanager')) sc['alertmanager_storage'] = { s3: { bucket_name: am } };
  const ingester: Values = {};
  if (e.replicationFactor !== undefined) ingester['ring'] = { replication_factor: e.replicationFactor };
  // chart 6.0 hardcodes push_grpc_method_enabled: false for ingest storage; the classic path needs it back on. Chart
  // 5.x's config sets neither (Mimir 2.x writes to the ingesters unless ingest storage is configured)
  if (!e.kafka && !v5) ingester['push_grpc_method_enabled'] = true;
  if (Object.keys(ingester).length > 0) sc['ingester'] = ingester;
  // chart 6.0's config turns ingest storage on; 5.x's sets none of it (and the 2 line has no Kafka mode: kafka 'no')
  if (!v5) {
    sc['ingest_storage'] = e.kafka
      ? { enabled: true, kafka: { ...(t.kafka ? { address: t.kafka.seed } : {}), topic: e.kafka.topic, auto_create_topic_default_partitions: e.kafka.partitions } }
      : { enabled: false };
  }
  values['mimir'] = { structuredConfig: sc };
  // the tenants' limits (MIMIR_TENANT_LIMITS, unverified): the chart's runtime ConfigMap, which its config names in runtime_config.file
  const perTenant = mimirTenantOverrides(t, e);
  if (Object.keys(perTenant).length > 0) values[MIMIR_TENANT_LIMITS.chartValues] = { [MIMIR_TENANT_LIMITS.overrides]: perTenant };
  return { values, notes, uncoveredPdb: [] };
}

/** Values builders by chart name. */
export const VALUES_BY_CHART: Readonly<Record<string, (t: Topology, e: EngineDeployment) => EngineValues>> = {
  tempo: tempoMonolithicValues,
  'tempo-distributed': tempoDistributedValues,
  'mimir-distributed': mimirDistributedValues,
  loki: lokiValues,
  pyroscope: pyroscopeValues,
};
