import { autoscalingValueKeys, hpaValues, type ChartAutoscalingFacts, type ChartFacts, type ChartValueKeys, type ChartWorkload } from './types.js';

/**
 * The pyroscope chart 1.16.0 (appVersion 1.16.0), grafana/pyroscope operations/pyroscope/helm/pyroscope at the
 * commit that released it ("Update helm charts and release notes for v1.16", dee59f464; the chart is published to
 * the grafana Helm repository). Read from its documented values.yaml and templates (_helpers.tpl
 * `pyroscope.components`, deployments-statefulsets.yaml, configmap.yaml) — key names only, nothing copied:
 * - Single binary: `pyroscope.{replicaCount,resources,persistence.{enabled,size}}`.
 * - Microservices: `architecture.microservices.enabled`; with the default v1 storage layer the chart deploys every
 *   component under `architecture.microservices.v1.<component>` (kind, replicaCount, resources, persistence,
 *   extraArgs) — querier, query-frontend, query-scheduler, distributor, ingester, compactor, store-gateway,
 *   tenant-settings, ad-hoc-profiles — each merged over `pyroscope.*`. Helm drops a default key set to null, which
 *   is how a component (or a default memory limit) is removed.
 * - Every pod gets `pyroscope.extraArgs` (map → -key=value, merged with the component's) and
 *   `pyroscope.extraEnvVars` (map: name → value, or → {valueFrom: …}); `pyroscope.podDisruptionBudget.enabled`
 *   renders one PDB per component; `pyroscope.structuredConfig` is merged over the generated config.
 * - `alloy.enabled` (a bundled Alloy scraping profiles, on by default), `minio.enabled` (off by default).
 * The chart has no zone-aware replication. (The git tag v1.16.0 holds chart 1.15.1; chart 1.16.0 is at the chart
 * release tag pyroscope-1.16.0, dee59f464.)
 * Real consumers (local, not in CI: no chart source is reachable there): `helm template` (v3.22) of chart 1.16.0 from
 * that tag with the values of examples/production (staging single binary, prod microservices) and examples/dts
 * --phase 3 (dev, test, prod): rc 0, replicas / requests / memory limits / volumes / extraArgs / secret env as
 * written, the chart's default limits gone where the values null them, tenant-settings and ad-hoc-profiles not
 * rendered; each generated config loaded by a real Pyroscope 1.16.0 (built from v1.16.0, eb30cfb4): /ready 200, a
 * pushed profile read back, its blocks in the bucket.
 */
export const PYROSCOPE_CHART_VERSION = '1.16.0';

/** components of the v1 microservices layout (architecture.microservices.v1 defaults) */
export const PYROSCOPE_V1_COMPONENTS = ['ad-hoc-profiles', 'compactor', 'distributor', 'ingester', 'querier', 'query-frontend', 'query-scheduler', 'store-gateway', 'tenant-settings'] as const;
/** v1 components the chart runs as StatefulSets (persistence only works for these: a Deployment needs an existing claim) */
export const PYROSCOPE_V1_STATEFUL = ['compactor', 'ingester', 'store-gateway'] as const;
/**
 * HorizontalPodAutoscalers of pyroscope 1.16.0 (templates/hpa.yaml): one per microservices component whose
 * `autoscaling` (merged over the chart's defaults: enabled false, CPU target 60) is enabled; the workload drops
 * `replicaCount` while it is on. The merge keeps the chart's CPU target when the values give none (a null does not
 * clear it).
 */
export const PYROSCOPE_AUTOSCALING: ChartAutoscalingFacts = {
  verified: true,
  source: 'grafana/pyroscope operations/pyroscope/helm/pyroscope at dee59f464: templates/hpa.yaml, _helpers.tpl pyroscope.defaultAutoscalingComponents',
  components: Object.fromEntries(PYROSCOPE_V1_COMPONENTS.map((c) => [c, hpaValues(`architecture.microservices.v1.${c}.autoscaling`)])),
};
/**
 * v1 components the microservices read path cannot do without: Pyroscope 1.16 forces ring-based query-scheduler
 * discovery (query-frontend → query-scheduler → querier), and only store-gateways serve blocks from object storage.
 */
export const PYROSCOPE_V1_READ_PATH = ['query-scheduler', 'store-gateway'] as const;

const v1 = (c: string) => `architecture.microservices.v1.${c}`;
export const pyroscopeKeys: ChartValueKeys = {
  chart: 'pyroscope',
  version: PYROSCOPE_CHART_VERSION,
  source: 'github.com/grafana/pyroscope operations/pyroscope/helm/pyroscope/values.yaml at chart 1.16.0 (commit dee59f464)',
  keys: [
    'pyroscope.image.tag',
    'pyroscope.extraArgs.*',
    'pyroscope.extraEnvVars.*.valueFrom.secretKeyRef.name',
    'pyroscope.extraEnvVars.*.valueFrom.secretKeyRef.key',
    'pyroscope.podDisruptionBudget.enabled',
    'pyroscope.replicaCount',
    'pyroscope.resources.requests.cpu',
    'pyroscope.resources.requests.memory',
    'pyroscope.resources.limits.cpu',
    'pyroscope.resources.limits.memory',
    'pyroscope.persistence.enabled',
    'pyroscope.persistence.size',
    'architecture.microservices.enabled',
    ...PYROSCOPE_V1_COMPONENTS.flatMap((c) => [
      v1(c),
      `${v1(c)}.replicaCount`,
      `${v1(c)}.resources.requests.cpu`,
      `${v1(c)}.resources.requests.memory`,
      `${v1(c)}.resources.limits`,
      `${v1(c)}.resources.limits.cpu`,
      `${v1(c)}.resources.limits.memory`,
      `${v1(c)}.extraArgs.*`,
    ]),
    ...PYROSCOPE_V1_STATEFUL.flatMap((c) => [`${v1(c)}.persistence.enabled`, `${v1(c)}.persistence.size`]),
    'alloy.enabled',
    'minio.enabled',
    // Pyroscope 1.16 configuration (grafana.com/docs/pyroscope/v1.16.x/configure-server/reference-configuration-parameters)
    'pyroscope.structuredConfig.multitenancy_enabled',
    'pyroscope.structuredConfig.storage.backend',
    'pyroscope.structuredConfig.storage.s3.bucket_name',
    'pyroscope.structuredConfig.storage.s3.endpoint',
    'pyroscope.structuredConfig.storage.s3.region',
    'pyroscope.structuredConfig.storage.s3.insecure',
    'pyroscope.structuredConfig.storage.s3.access_key_id',
    'pyroscope.structuredConfig.storage.s3.secret_access_key',
    'pyroscope.structuredConfig.ingester.lifecycler.ring.replication_factor',
    'pyroscope.structuredConfig.store_gateway.sharding_ring.replication_factor',
    ...autoscalingValueKeys(PYROSCOPE_AUTOSCALING),
  ],
};

/**
 * Chart-default flags that contradict a definition: `pyroscope.extraArgs` defaults to `{log.level: debug}` on every
 * pod, and the v1 querier and store-gateway defaults carry `store-gateway.sharding-ring.replication-factor: "3"` in
 * their `extraArgs` (whatever the store-gateway replica count).
 */
export const PYROSCOPE_LOG_LEVEL_ARG = 'log.level';
export const PYROSCOPE_STORE_GATEWAY_RF_ARG = 'store-gateway.sharding-ring.replication-factor';
/** v1 components whose chart defaults set the store-gateway replication factor */
export const PYROSCOPE_STORE_GATEWAY_RF_USERS = ['querier', 'store-gateway'] as const;

/**
 * pyroscope 1.16.0 chart facts (templates and values.yaml): no template guard dereferences a key values.yaml leaves
 * without a default (the HPA's behaviour keys come from the chart's own merged defaults). Workloads: the single
 * binary StatefulSet, or in microservices every `architecture.microservices.v1` component (null removes one); the
 * bundled Alloy subchart (`alloy.enabled`, on by default) and MinIO (off). `pyroscope.extraArgs` (map → `-key=value`)
 * is mustMergeOverwrite'd with each component's `extraArgs`; `pyroscope.extraEnvVars` is a map (name → value or
 * valueFrom); `pyroscope.structuredConfig` is merged over the generated config.
 */
export const PYROSCOPE_FACTS: ChartFacts = {
  // _helpers.tpl pyroscope.selectorLabels (name = .Chart.Name "pyroscope"); deployments-statefulsets.yaml port
  // pyroscope.service.port_name (default http2, 4040), which serves /metrics
  scrape: { name: 'pyroscope', metricsPort: 'http2', metricsPath: '/metrics', skipComponents: [] },
  autoscaling: PYROSCOPE_AUTOSCALING,
  chart: 'pyroscope',
  version: PYROSCOPE_CHART_VERSION,
  verified: true,
  source: 'grafana/pyroscope operations/pyroscope/helm/pyroscope 1.16.0 templates/ and values.yaml',
  guards: [],
  workloads: [
    { key: 'alloy', kind: 'DaemonSet', enabled: { path: 'alloy.enabled', default: true }, defaultResources: 'subchart defaults', otelstack: { action: 'disable', reason: "profiles arrive through the stack's own collectors; the bundled Alloy would scrape the cluster again" } },
    { key: 'minio', kind: 'StatefulSet', enabled: { path: 'minio.enabled', default: false }, defaultResources: 'subchart defaults', otelstack: { action: 'disable', reason: "the environment's S3 instance is used" } },
    ...PYROSCOPE_V1_COMPONENTS.map((c): ChartWorkload => ({
      key: `architecture.microservices.v1.${c}`,
      kind: (PYROSCOPE_V1_STATEFUL as readonly string[]).includes(c) ? 'StatefulSet' : 'Deployment',
      enabled: { path: 'architecture.microservices.enabled', default: false },
      defaultResources: 'per-component defaults in values.yaml (memory limits included)',
      otelstack: { action: 'component', component: c },
      replicasKey: `architecture.microservices.v1.${c}.replicaCount`,
    })),
  ],
  lists: [
    { setting: 'pyroscope.extraArgs', how: 'map-to-flags', reaches: ['every Pyroscope pod'], note: 'merged with architecture.microservices.v1.<component>.extraArgs (the component wins), then -key=value' },
    { setting: 'pyroscope.extraEnvVars', how: 'merged-map', reaches: ['every Pyroscope pod'], note: 'a map: name → value or {valueFrom}' },
    { setting: 'pyroscope.structuredConfig', how: 'merged-map', reaches: ['config.yaml'], note: 'merged over the generated config; lists replace' },
  ],
};
