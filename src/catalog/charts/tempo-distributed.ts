import type { ChartValueKeys } from './types.js';

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
    'multitenancyEnabled',
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
  ],
};
