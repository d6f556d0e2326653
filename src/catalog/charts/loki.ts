import { MEMCACHED_POOL } from '../memcached.js';
import { autoscalingValueKeys, hpaValues, type ChartAutoscalingFacts, type ChartFacts, type ChartValueKeys, type ChartWorkload } from './types.js';

const MEMCACHED_POOL_ALLOCATED = { ...MEMCACHED_POOL, memcached: 'allocatedMemory' as const };

/**
 * The loki chart, grafana-community/helm-charts charts/loki at tag loki-7.0.0 (appVersion 3.6.7), read from its
 * documented values.yaml and templates (validate.yaml, _helpers.tpl) — key names only, nothing copied:
 * - `deploymentMode`: SingleBinary | SimpleScalable | Distributed. The targets of the other modes must run 0 replicas
 *   (validate.yaml refuses the mix), and write/read/backend default to 3, so the renderer zeroes them explicitly.
 * - per target: `replicas`, `resources`; persistence has three shapes: singleBinary / indexGateway / ruler
 *   `persistence.{enabled,size}`, write / backend `persistence.{volumeClaimsEnabled,size}`, ingester / compactor
 *   `persistence.{enabled,claims[]}` (claims: name, accessModes, size); read, distributor, querier, queryFrontend,
 *   queryScheduler are Deployments without volumes.
 * - `maxUnavailable` (the chart's PodDisruptionBudget when replicas > 1; Distributed targets fail to render without it)
 *   on every target except compactor and singleBinary.
 * - `ingester.zoneAwareReplication.enabled` (default true; three zone StatefulSets of ceil(replicas / 3) each).
 * - `global.{extraArgs,extraEnv}` are concatenated into every target except singleBinary, which has its own
 *   `singleBinary.{extraArgs,extraEnv}` (lists).
 * - `loki.{image.tag,auth_enabled,commonConfig.replication_factor,schemaConfig,storage.*}`; storage.type s3 with
 *   `bucketNames.{chunks,ruler}` and `s3.{endpoint,region,insecure,s3ForcePathStyle,accessKeyId,secretAccessKey}`.
 * - `minio.enabled` (bundled MinIO, off by default), `chunksCache.enabled` / `resultsCache.enabled` (memcached, on by
 *   default), `lokiCanary.enabled` (a DaemonSet, on by default), `test.enabled` (needs the canary), `ruler.enabled`.
 */
export const LOKI_CHART_VERSION = '7.0.0';

/**
 * HorizontalPodAutoscalers of loki 7.0.0 (templates/<target>/hpa.yaml): each renders when `<key>.autoscaling.enabled`
 * in its deployment mode (SingleBinary also needs object storage; the ingester's per zone); targets
 * `<key>.autoscaling.target{CPU,Memory}UtilizationPercentage` (CPU default 60; null: no metric); the Deployments drop
 * `replicas` while it is on.
 */
export const LOKI_AUTOSCALING: ChartAutoscalingFacts = {
  verified: true,
  source: 'grafana-community/helm-charts tag loki-7.0.0 charts/loki/values.yaml and templates/*/hpa.yaml',
  components: {
    loki: hpaValues('singleBinary.autoscaling'),
    read: hpaValues('read.autoscaling'),
    write: hpaValues('write.autoscaling'),
    backend: hpaValues('backend.autoscaling'),
    distributor: hpaValues('distributor.autoscaling'),
    ingester: hpaValues('ingester.autoscaling'),
    querier: hpaValues('querier.autoscaling'),
    'query-frontend': hpaValues('queryFrontend.autoscaling'),
  },
};

/** values key of each topology component, per deploymentMode */
export const LOKI_TARGET_KEYS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  SingleBinary: { loki: 'singleBinary' },
  SimpleScalable: { write: 'write', read: 'read', backend: 'backend' },
  Distributed: {
    distributor: 'distributor',
    ingester: 'ingester',
    'query-frontend': 'queryFrontend',
    'query-scheduler': 'queryScheduler',
    querier: 'querier',
    'index-gateway': 'indexGateway',
    compactor: 'compactor',
    ruler: 'ruler',
  },
};

/** persistence shape per target key (absent: the target has no volume in the chart) */
export const LOKI_PERSISTENCE: Readonly<Record<string, 'enabled-size' | 'claims-size' | 'claims-list'>> = {
  singleBinary: 'enabled-size',
  indexGateway: 'enabled-size',
  ruler: 'enabled-size',
  write: 'claims-size',
  backend: 'claims-size',
  ingester: 'claims-list',
  compactor: 'claims-list',
};

/** targets with a `maxUnavailable` value */
export const LOKI_MAX_UNAVAILABLE = ['write', 'read', 'backend', 'ingester', 'distributor', 'querier', 'queryFrontend', 'queryScheduler', 'indexGateway', 'ruler'] as const;

/** the chart's zone-aware ingesters always run in three zones */
export const LOKI_CHART_ZONES = 3;

/**
 * Index schema for a new Loki 3 installation (Loki documentation v3.6.x, "Storage schema": TSDB index, schema v13,
 * 24h index period). The chart requires one (validate.yaml). `from` must lie before the first write and never change.
 */
export const LOKI_SCHEMA = { from: '2024-04-01', store: 'tsdb', schema: 'v13', index: { prefix: 'index_', period: '24h' } } as const;

/**
 * The chart's memcached caches (templates/memcached/_memcached-statefulset.tpl): `-m <allocatedMemory>` (MB) in the
 * args, `resources` taken as given when set (else computed from allocatedMemory), `replicas`; each pod also runs
 * the memcachedExporter sidecar (`memcachedExporter.enabled`, default true, requests {}) and receives
 * `global.extraEnv`. Opt-in in otelstack: budgeted when the definition names the component.
 */
export const LOKI_CACHES = [
  { key: 'chunksCache', component: 'chunks-cache', purpose: 'chunks read from object storage' },
  { key: 'resultsCache', component: 'results-cache', purpose: 'query results' },
] as const;

/**
 * Where the ruler runs per deploymentMode (loki 7.0.0: the single binary; the backend target of SimpleScalable; the
 * ruler StatefulSet in Distributed), and so which target's `extraVolumes` / `extraVolumeMounts` lists (each a
 * documented value of its target; singleBinary's are its own, backend's and ruler's are concatenated with the global
 * lists) carry otelstack's RUM rule ConfigMap. `ruler.directories` is not used: the chart renders its ConfigMaps in
 * Distributed mode only (templates/ruler/configmap-ruler.yaml).
 */
export const LOKI_RULER_TARGET: Readonly<Record<string, string>> = { SingleBinary: 'singleBinary', SimpleScalable: 'backend', Distributed: 'ruler' };

/**
 * The data volume's mount in the pods running the ruler (singleBinary `storage`, backend and ruler `data`, all at
 * /var/loki; templates/single-binary/statefulset.yaml, backend/statefulset-backend.yaml, ruler/statefulset-ruler.yaml):
 * the chart's own ruler WAL default (`loki.rulerConfig.wal.dir: /var/loki/ruler-wal`) lives there. The root
 * filesystem is read-only (`loki.containerSecurityContext.readOnlyRootFilesystem: true`), so the ruler's rule_path
 * (default /rules) must be moved there too.
 */
export const LOKI_CHART_DATA_DIR = '/var/loki';

const targets = [...new Set(Object.values(LOKI_TARGET_KEYS).flatMap((m) => Object.values(m)))];
export const lokiKeys: ChartValueKeys = {
  chart: 'loki',
  version: LOKI_CHART_VERSION,
  source: 'github.com/grafana-community/helm-charts tag loki-7.0.0 charts/loki/values.yaml (and templates/validate.yaml)',
  keys: [
    'deploymentMode',
    'global.extraArgs',
    'global.extraEnv',
    'singleBinary.extraArgs',
    'singleBinary.extraEnv',
    ...targets.flatMap((c) => [`${c}.replicas`, `${c}.resources.requests.cpu`, `${c}.resources.requests.memory`, `${c}.resources.limits.cpu`, `${c}.resources.limits.memory`]),
    ...LOKI_MAX_UNAVAILABLE.map((c) => `${c}.maxUnavailable`),
    ...Object.entries(LOKI_PERSISTENCE).flatMap(([c, shape]) =>
      shape === 'enabled-size' ? [`${c}.persistence.enabled`, `${c}.persistence.size`] : shape === 'claims-size' ? [`${c}.persistence.volumeClaimsEnabled`, `${c}.persistence.size`] : [`${c}.persistence.enabled`, `${c}.persistence.claims`],
    ),
    ...targets.map((c) => `${c}.extraEnv`),
    ...LOKI_CACHES.flatMap((c) => [`${c.key}.replicas`, `${c.key}.allocatedMemory`, `${c.key}.resources.requests.cpu`, `${c.key}.resources.requests.memory`, `${c.key}.resources.limits.cpu`, `${c.key}.resources.limits.memory`]),
    'memcachedExporter.enabled',
    'ingester.zoneAwareReplication.enabled',
    'ruler.enabled',
    ...Object.values(LOKI_RULER_TARGET).flatMap((k) => [`${k}.extraVolumes`, `${k}.extraVolumeMounts`]),
    // Loki's own ruler block (merged over the chart's storage default by _helpers.tpl loki.rulerConfig)
    'loki.rulerConfig.**',
    'loki.image.tag',
    'loki.auth_enabled',
    // the runtime ConfigMap (templates/runtime-configmap.yaml): Loki's runtime config itself, per-tenant limits (LOKI_TENANT_LIMITS)
    'loki.runtimeConfig.**',
    'loki.commonConfig.replication_factor',
    'loki.schemaConfig.configs',
    'loki.storage.type',
    'loki.storage.bucketNames.chunks',
    'loki.storage.bucketNames.ruler',
    'loki.storage.s3.endpoint',
    'loki.storage.s3.region',
    'loki.storage.s3.insecure',
    'loki.storage.s3.s3ForcePathStyle',
    'loki.storage.s3.accessKeyId',
    'loki.storage.s3.secretAccessKey',
    'minio.enabled',
    'gateway.enabled',
    'gateway.replicas',
    'gateway.resources.requests.cpu',
    'gateway.resources.requests.memory',
    'gateway.resources.limits.cpu',
    'gateway.resources.limits.memory',
    'sidecar.rules.enabled',
    'chunksCache.enabled',
    'resultsCache.enabled',
    'lokiCanary.enabled',
    'test.enabled',
    ...autoscalingValueKeys(LOKI_AUTOSCALING),
  ],
};

const DISTRIBUTED_PDB_WITHOUT_DEFAULT = ['distributor', 'querier', 'queryFrontend', 'indexGateway', 'ruler'] as const;

/**
 * loki 7.0.0 chart facts (templates and values.yaml): the Distributed PodDisruptionBudgets `fail` when a target runs
 * more than one replica and its `maxUnavailable` is unset (no default for distributor, querier, queryFrontend,
 * indexGateway, ruler); `_helpers.tpl` calls `required` on `loki.storage.bucketNames.chunks` / `.ruler` with object
 * storage (values.yaml has no bucketNames). On by default besides the targets of the mode: the gateway (nginx
 * Deployment, resources {}: the catalog's push / query endpoints go through it), the canary DaemonSet, and the
 * chunks / results memcached caches (allocatedMemory 8192 / 1024 MB), and the rules sidecar container
 * (`sidecar.rules.enabled`, resources {}) in the singleBinary / backend / ruler pods. `global.extraArgs` / `global.extraEnv` are
 * concatenated into every target except singleBinary (which has its own lists); `loki.structuredConfig` is merged.
 */
export const LOKI_FACTS: ChartFacts = {
  // _helpers.tpl loki.name ("loki" unless enterprise or nameOverride) in loki.selectorLabels; every Loki target's port
  // http-metrics (3100). The nginx gateway names its port http-metrics too but serves no /metrics: skipped.
  scrape: { name: 'loki', metricsPort: 'http-metrics', metricsPath: '/metrics', skipComponents: ['gateway'] },
  autoscaling: LOKI_AUTOSCALING,
  chart: 'loki',
  version: LOKI_CHART_VERSION,
  verified: true,
  source: 'grafana-community/helm-charts charts/loki 7.0.0 templates/ and values.yaml',
  guards: [
    ...DISTRIBUTED_PDB_WITHOUT_DEFAULT.map((t) => ({
      template: `templates/*/poddisruptionbudget-${t}.yaml`,
      when: [
        { path: 'deploymentMode', op: 'eq' as const, value: 'Distributed', default: 'SimpleScalable' },
        { path: `${t}.replicas`, op: 'gt' as const, value: 1, default: 0 },
      ],
      requires: `${t}.maxUnavailable`,
      error: `\`.Values.${t}.maxUnavailable\` must be set when \`.Values.${t}.replicas\` is greater than 1.`,
    })),
    { template: 'templates/_helpers.tpl', when: [{ path: 'loki.storage.type', op: 'eq', value: 's3', default: 's3' }, { path: 'minio.enabled', op: 'falsy', default: false }], requires: 'loki.storage.bucketNames.chunks', error: 'Please define loki.storage.bucketNames.chunks' },
    { template: 'templates/_helpers.tpl', when: [{ path: 'loki.storage.type', op: 'eq', value: 's3', default: 's3' }, { path: 'minio.enabled', op: 'falsy', default: false }, { path: 'ruler.enabled', op: 'truthy', default: true }], requires: 'loki.storage.bucketNames.ruler', error: 'Please define loki.storage.bucketNames.ruler' },
  ],
  workloads: [
    {
      key: 'gateway',
      kind: 'Deployment',
      enabled: { path: 'gateway.enabled', default: true },
      defaultResources: '{}',
      otelstack: { action: 'budget', component: 'gateway', sizing: { cpu: 50, memory: 64 * 1024 ** 2, replicas: { single: 1, ha: 2 } }, reason: "Loki's push and query endpoints go through the chart's gateway: budgeted" },
    },
    {
      key: 'sidecar.rules',
      kind: 'Sidecar',
      enabled: { path: 'sidecar.rules.enabled', default: true },
      defaultResources: '{} (sidecar.resources: no requests, in the singleBinary / backend / ruler pods)',
      otelstack: { action: 'disable', reason: "otelstack mounts its Loki rules (RUM recording rules) as a ConfigMap volume of the ruler's pods; its other rules are evaluated by the metrics engine: the rules sidecar would run unbudgeted" },
    },
    { key: 'lokiCanary', kind: 'DaemonSet', enabled: { path: 'lokiCanary.enabled', default: true }, defaultResources: '{}', otelstack: { action: 'disable', reason: 'a DaemonSet on every node, outside the namespace budget' } },
    ...LOKI_CACHES.map((c): ChartWorkload => ({
      key: c.key,
      kind: 'StatefulSet',
      enabled: { path: `${c.key}.enabled`, default: true },
      defaultResources: c.key === 'chunksCache' ? 'allocatedMemory 8192 (≈9.8Gi requested)' : 'allocatedMemory 1024',
      otelstack: {
        action: 'budget',
        component: c.component,
        sizing: MEMCACHED_POOL_ALLOCATED,
        when: 'named',
        reason: `Loki's ${c.component} (memcached, ${c.purpose}): budgeted with the requests and memory limit in the definition`,
        otherwise: `no Loki ${c.component} is in the definition: switched off (the chart default asks ${c.key === 'chunksCache' ? '≈9.8Gi' : '≈1.2Gi'})`,
      },
    })),
    {
      key: 'memcachedExporter',
      kind: 'Sidecar',
      enabled: { path: 'memcachedExporter.enabled', default: true },
      defaultResources: '{} (in every cache pod)',
      otelstack: { action: 'disable', reason: 'the exporter sidecar in each cache pod has no requests: switched off (memcached is not in the self-monitoring dashboards)' },
    },
    { key: 'minio', kind: 'StatefulSet', enabled: { path: 'minio.enabled', default: false }, defaultResources: 'subchart defaults', otelstack: { action: 'disable', reason: "the environment's S3 instance is used" } },
  ],
  lists: [
    { setting: 'global.extraArgs', how: 'concatenated-args', reaches: ['every target except singleBinary'], note: 'singleBinary takes singleBinary.extraArgs instead' },
    { setting: 'global.extraEnv', how: 'concatenated-env', reaches: ['every target except singleBinary'], alsoReaches: ['chunksCache', 'resultsCache'], note: 'singleBinary takes singleBinary.extraEnv instead; the memcached caches receive it too (not the gateway)' },
    { setting: 'loki.schemaConfig.configs', how: 'replaces-list', reaches: ['loki.yaml schema_config.configs'], note: 'written as the whole list' },
  ],
};
