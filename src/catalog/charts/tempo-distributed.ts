import { MEMCACHED_POOL } from '../memcached.js';
import { autoscalingValueKeys, hpaValues, type ChartAutoscalingFacts, type ChartFacts, type ChartValueKeys, type ChartWorkload } from './types.js';

/**
 * grafana-community/helm-charts charts/tempo-distributed at tag tempo-distributed-3.0.0 (appVersion 3.0.0, the
 * Tempo 3 architecture): components distributor, blockBuilder, liveStore, metricsGenerator, queryFrontend, querier,
 * backendScheduler, backendWorker, each with `replicas` (backendScheduler has none: one by design) and `resources`;
 * optional ones with `enabled`; `global.{extraArgs,extraEnv}` (lists, concatenated into every component);
 * `storage.trace.{backend,s3}`; `traces.otlp.{grpc,http}.enabled` (off by default); `ingest.kafka.*`;
 * `multitenancyEnabled`; `tempo.image.tag`. liveStore has no persistence value in 3.0.0.
 * Metrics-generator (README "Activate metrics generator"; values.yaml `metricsGenerator.config`):
 * `metricsGenerator.enabled`, `metricsGenerator.config.storage.remote_write` (Prometheus remote_write entries),
 * `metricsGenerator.config.processor.{span_metrics,service_graphs}` (copied into `metrics_generator.processor`), and
 * `overrides.defaults` (chart 3 renamed `global_overrides` to `overrides`; copied into tempo.yaml `overrides`, where
 * `defaults.metrics_generator.processors` turns the processors on). The processor and overrides subtrees are Tempo's
 * own configuration, not chart values; so is `tempo.structuredConfig` (merged over the rendered tempo.yaml).
 * `metricsGenerator.kind` defaults to Deployment.
 */
/**
 * Chart versions whose tempo.yaml carries `metrics_generator.traces_storage` whenever the metrics-generator is on:
 * Tempo 3.0 removed that block and parses its configuration strictly, so it refuses to start. Dropped in
 * tempo-distributed 3.0.3 (grafana-community/helm-charts #665).
 */
export const TEMPO_DISTRIBUTED_STALE_TRACES_STORAGE: readonly string[] = ['3.0.0', '3.0.1', '3.0.2'];
export const TEMPO_DISTRIBUTED_COMPONENT_KEYS: Readonly<Record<string, string>> = {
  distributor: 'distributor',
  'block-builder': 'blockBuilder',
  'live-store': 'liveStore',
  'metrics-generator': 'metricsGenerator',
  'query-frontend': 'queryFrontend',
  querier: 'querier',
  'backend-scheduler': 'backendScheduler',
  'backend-worker': 'backendWorker',
};
/** components with `enabled` in the chart */
export const TEMPO_DISTRIBUTED_OPTIONAL = ['blockBuilder', 'liveStore', 'metricsGenerator', 'backendScheduler'] as const;
/** components without `replicas` */
export const TEMPO_DISTRIBUTED_NO_REPLICAS = ['backendScheduler'] as const;
/** components the chart renders a PodDisruptionBudget for (podDisruptionBudget / maxUnavailable values) */
export const TEMPO_DISTRIBUTED_CHART_PDB = ['distributor', 'querier', 'queryFrontend', 'metricsGenerator'] as const;

/**
 * HorizontalPodAutoscalers of tempo-distributed 3.0.3 (templates/<component>/hpa.yaml, values.yaml): distributor,
 * querier and queryFrontend render one when `<key>.autoscaling.enabled` (targets `<key>.autoscaling.target*`; the
 * Deployment then drops `replicas`); backendWorker needs `autoscaling.enabled` and `autoscaling.hpa.enabled`
 * (targets under `autoscaling.hpa`, or KEDA under `autoscaling.keda`). The chart's CPU target default is 60 (100
 * for the backend-worker); a null target renders no metric. No HPA for the metrics-generator, block-builder or
 * live-store.
 */
export const TEMPO_DISTRIBUTED_AUTOSCALING: ChartAutoscalingFacts = {
  verified: true,
  source: 'grafana-community/helm-charts tag tempo-distributed-3.0.3 charts/tempo-distributed/values.yaml, templates/*/hpa.yaml, templates/lib/hpa.tpl',
  components: {
    distributor: hpaValues('distributor.autoscaling'),
    querier: hpaValues('querier.autoscaling'),
    'query-frontend': hpaValues('queryFrontend.autoscaling'),
    'backend-worker': hpaValues('backendWorker.autoscaling', ['backendWorker.autoscaling.hpa.enabled'], 'backendWorker.autoscaling.hpa'),
  },
};

const comps = Object.values(TEMPO_DISTRIBUTED_COMPONENT_KEYS);
export const tempoDistributedKeys: ChartValueKeys = {
  chart: 'tempo-distributed',
  version: '3.0.3',
  // 3.0.3's values.yaml differs from 3.0.0's only by dropping metrics_generator.traces_storage (and a memcached tag)
  source: 'github.com/grafana-community/helm-charts tags tempo-distributed-3.0.0 and -3.0.3 charts/tempo-distributed/values.yaml',
  keys: [
    'tempo.image.tag',
    'global.extraArgs',
    'global.extraEnv',
    'defaults.extraArgs',
    'defaults.extraEnv',
    'multitenancyEnabled',
    // Tempo's per-tenant overrides file itself (templates/_helpers.tpl tempo.overridesConfig; TEMPO_TENANT_LIMITS)
    'per_tenant_overrides.**',
    'backendWorker.podDisruptionBudget.enabled',
    'backendWorker.maxUnavailable',
    'memcached.enabled',
    'memcached.replicas',
    'memcached.extraArgs',
    'memcached.resources.requests.cpu',
    'memcached.resources.requests.memory',
    'memcached.resources.limits.cpu',
    'memcached.resources.limits.memory',
    ...comps.flatMap((c) => [`${c}.replicas`, `${c}.resources.requests.cpu`, `${c}.resources.requests.memory`, `${c}.resources.limits.cpu`, `${c}.resources.limits.memory`]),
    ...TEMPO_DISTRIBUTED_OPTIONAL.map((c) => `${c}.enabled`),
    'storage.trace.backend',
    'storage.trace.s3.bucket',
    'storage.trace.s3.endpoint',
    'storage.trace.s3.region',
    'storage.trace.s3.insecure',
    'storage.trace.s3.access_key',
    'storage.trace.s3.secret_key',
    'traces.otlp.grpc.enabled',
    'traces.otlp.http.enabled',
    'ingest.kafka.address',
    'ingest.kafka.topic',
    'ingest.kafka.auto_create_topic_default_partitions',
    'metricsGenerator.config.storage.remote_write',
    'metricsGenerator.config.processor.**',
    'overrides.defaults.**',
    'tempo.structuredConfig.**',
    ...autoscalingValueKeys(TEMPO_DISTRIBUTED_AUTOSCALING),
  ],
};

/**
 * tempo-distributed 3.0.3 chart facts, read from its templates and values.yaml (facts only):
 * - backend-worker/poddisruptionbudget-backend-worker.yaml reads `backendWorker.podDisruptionBudget.enabled` once
 *   backendScheduler is on and backendWorker.replicas > 1, and values.yaml has no backendWorker.podDisruptionBudget
 *   (nor backendWorker.maxUnavailable, which the PDB then renders); validate.yaml fails without
 *   ingest.kafka.address (default "") when blockBuilder or liveStore is on, and on any `minio.enabled`.
 * - workloads on by default: distributor, querier, queryFrontend (Deployments), backendScheduler (one replica),
 *   backendWorker, blockBuilder, liveStore (StatefulSets) and `memcached` (a StatefulSet, 1 replica, resources {},
 *   Tempo's bloom / parquet-footer / frontend-search cache through the default `cache.caches`); metricsGenerator,
 *   gateway, memcachedBloom/ParquetFooter/FrontendSearch, memcachedExporter are off. The live-store StatefulSet has
 *   no volumeClaimTemplates (no persistence value): its WAL lives on an emptyDir.
 * - `_pod.tpl` (every Tempo component) concatenates `global.extraArgs`, `defaults.extraArgs` and the component's
 *   `extraArgs` into the container args, and the same three `extraEnv` lists into its env; the memcached
 *   StatefulSet also receives `global.extraEnv` (not `defaults.*`), and the extra memcached pools receive
 *   `global.extraArgs` too — so Tempo-only flags and the S3 secret belong in `defaults.*`.
 * - `tempo.structuredConfig` and `overrides.defaults` are merged maps: a list inside them replaces the generated one.
 */
export const TEMPO_DISTRIBUTED_FACTS: ChartFacts = {
  // _helpers.tpl tempo.selectorLabels (name "tempo" unless nameOverride); every component's container port http-metrics (3200)
  scrape: { name: 'tempo', metricsPort: 'http-metrics', metricsPath: '/metrics', skipComponents: [] },
  autoscaling: TEMPO_DISTRIBUTED_AUTOSCALING,
  chart: 'tempo-distributed',
  version: '3.0.3',
  verified: true,
  source: 'grafana-community/helm-charts charts/tempo-distributed 3.0.3 templates/ and values.yaml',
  guards: [
    {
      template: 'templates/backend-worker/poddisruptionbudget-backend-worker.yaml',
      when: [
        { path: 'backendScheduler.enabled', op: 'truthy', default: true },
        { path: 'backendWorker.replicas', op: 'gt', value: 1, default: 1 },
      ],
      requires: 'backendWorker.podDisruptionBudget',
      error: 'nil pointer evaluating interface {}.enabled',
    },
    {
      template: 'templates/backend-worker/poddisruptionbudget-backend-worker.yaml',
      when: [
        { path: 'backendScheduler.enabled', op: 'truthy', default: true },
        { path: 'backendWorker.replicas', op: 'gt', value: 1, default: 1 },
        { path: 'backendWorker.podDisruptionBudget.enabled', op: 'truthy', default: undefined },
      ],
      requires: 'backendWorker.maxUnavailable',
      error: 'a PodDisruptionBudget with an empty maxUnavailable (it protects nothing)',
    },
    {
      template: 'templates/validate.yaml',
      when: [{ path: 'blockBuilder.enabled', op: 'truthy', default: true }],
      requires: 'ingest.kafka.address',
      error: 'ingest.kafka.address is required when blockBuilder or liveStore is enabled',
    },
    {
      template: 'templates/validate.yaml',
      when: [{ path: 'liveStore.enabled', op: 'truthy', default: true }],
      requires: 'ingest.kafka.address',
      error: 'ingest.kafka.address is required when blockBuilder or liveStore is enabled',
    },
  ],
  workloads: [
    ...Object.entries(TEMPO_DISTRIBUTED_COMPONENT_KEYS).map(([component, key]): ChartWorkload => ({
      key,
      kind: ['distributor', 'querier', 'queryFrontend', 'metricsGenerator'].includes(key) ? 'Deployment' : 'StatefulSet',
      enabled: (TEMPO_DISTRIBUTED_OPTIONAL as readonly string[]).includes(key) ? { path: `${key}.enabled`, default: key !== 'metricsGenerator' } : 'always',
      defaultResources: '{}',
      otelstack: { action: 'component', component },
      ...(key === 'liveStore' ? { noVolume: true as const } : {}),
    })),
    {
      key: 'memcached',
      kind: 'StatefulSet',
      enabled: { path: 'memcached.enabled', default: true },
      defaultResources: '{} (no requests, no limits)',
      otelstack: {
        action: 'budget',
        component: 'memcached',
        sizing: MEMCACHED_POOL,
        reason: "the chart's memcached is Tempo's bloom, parquet-footer and frontend-search cache (cache.caches): budgeted",
      },
    },
  ],
  lists: [
    { setting: 'global.extraArgs', how: 'concatenated-args', reaches: ['every Tempo component'], alsoReaches: ['memcachedBloom', 'memcachedParquetFooter', 'memcachedFrontendSearch', 'queryFrontend.query'], note: 'concat with defaults.extraArgs and <component>.extraArgs, then uniq' },
    { setting: 'global.extraEnv', how: 'concatenated-env', reaches: ['every Tempo component'], alsoReaches: ['memcached', 'memcachedBloom', 'memcachedParquetFooter', 'memcachedFrontendSearch', 'gateway', 'queryFrontend.query'], note: 'concat with defaults.extraEnv and <component>.extraEnv' },
    { setting: 'defaults.extraArgs', how: 'concatenated-args', reaches: ['every Tempo component'], note: '_pod.tpl only: not memcached, not the gateway' },
    { setting: 'defaults.extraEnv', how: 'concatenated-env', reaches: ['every Tempo component'], note: '_pod.tpl only: not memcached, not the gateway' },
    { setting: 'tempo.structuredConfig', how: 'merged-map', reaches: ['tempo.yaml'], note: 'merged over the generated tempo.yaml; a list in it replaces the generated list' },
    { setting: 'metricsGenerator.config.storage.remote_write', how: 'replaces-list', reaches: ['tempo.yaml metrics_generator.storage.remote_write'], note: 'copied as the whole list' },
    { setting: 'overrides.defaults', how: 'merged-map', reaches: ['overrides.yaml'], note: 'copied into the overrides block; metrics_generator.processors is a list and replaces' },
  ],
};
