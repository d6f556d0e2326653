import type { ChartFacts, ChartValueKeys } from './types.js';

/**
 * grafana-community/helm-charts charts/tempo (monolithic) at tag tempo-2.0.0 (appVersion 2.10.1): `replicas`,
 * `tempo.{tag,resources,extraArgs (map → -key=value),extraEnv,multitenancyEnabled,storage,receivers}`,
 * `persistence.{enabled,size}`. The chart templates `tempo.storage` and `tempo.receivers` into tempo.yaml.
 * Metrics-generator: `tempo.metricsGenerator.{enabled,remoteWriteUrl,processor,storage.{path,remote_write}}`
 * (the template writes `storage.remote_write` when set, else one entry with `remoteWriteUrl`; `processor` is copied
 * into `metrics_generator.processor`), and `tempo.overrides` (copied into `overrides`: `defaults.metrics_generator
 * .processors` turns the processors on). `processor` and `overrides` are Tempo's own configuration, not chart values.
 */
export const tempoKeys: ChartValueKeys = {
  chart: 'tempo',
  version: '2.0.0',
  source: 'github.com/grafana-community/helm-charts tag tempo-2.0.0 charts/tempo/values.yaml',
  keys: [
    'replicas',
    'tempo.tag',
    'tempo.resources.requests.cpu',
    'tempo.resources.requests.memory',
    'tempo.resources.limits.cpu',
    'tempo.resources.limits.memory',
    'tempo.extraArgs.*',
    'tempo.extraEnv',
    'tempo.multitenancyEnabled',
    'tempo.storage.trace.backend',
    'tempo.storage.trace.s3.bucket',
    'tempo.storage.trace.s3.endpoint',
    'tempo.storage.trace.s3.region',
    'tempo.storage.trace.s3.insecure',
    'tempo.storage.trace.s3.access_key',
    'tempo.storage.trace.s3.secret_key',
    'tempo.receivers.otlp.protocols.grpc.endpoint',
    'tempo.receivers.otlp.protocols.http.endpoint',
    'persistence.enabled',
    'persistence.size',
    'tempo.metricsGenerator.enabled',
    'tempo.metricsGenerator.remoteWriteUrl',
    'tempo.metricsGenerator.storage.path',
    'tempo.metricsGenerator.storage.remote_write',
    'tempo.metricsGenerator.processor.**',
    'tempo.overrides.defaults.**',
  ],
};

/** tempo 2.0.0 chart facts: no unguarded dereference; one StatefulSet; `tempo.extraArgs` is a map → flags. */
export const TEMPO_FACTS: ChartFacts = {
  // _helpers.tpl tempo.selectorLabels (name = .Chart.Name "tempo"); statefulset.yaml names the 3200 port prom-metrics
  scrape: { name: 'tempo', metricsPort: 'prom-metrics', metricsPath: '/metrics', skipComponents: [] },
  chart: 'tempo',
  version: '2.0.0',
  verified: true,
  source: 'grafana-community/helm-charts charts/tempo 2.0.0 templates/ and values.yaml',
  guards: [],
  workloads: [{ key: 'tempo', kind: 'StatefulSet', enabled: 'always', defaultResources: '{}', otelstack: { action: 'component', component: 'tempo' }, replicasKey: 'replicas', resourcesKey: 'tempo.resources' }],
  lists: [
    { setting: 'tempo.extraArgs', how: 'map-to-flags', reaches: ['the tempo container'], note: '-key=value' },
    { setting: 'tempo.extraEnv', how: 'concatenated-env', reaches: ['the tempo container'], note: 'not tempo-query' },
    { setting: 'tempo.metricsGenerator.storage.remote_write', how: 'replaces-list', reaches: ['tempo.yaml metrics_generator.storage.remote_write'], note: 'written whole; remoteWriteUrl is then ignored' },
  ],
};
