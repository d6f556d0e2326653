import type { ChartValueKeys } from './types.js';

/**
 * mimir-distributed 6.0.x. Sources (the 6.0.x values.yaml itself could not be read here: grafana/mimir is too big
 * to fetch and the search index holds older versions of the file): the values.yaml of earlier 5.x versions for the
 * long-standing keys (per-component `replicas`, `resources`, `persistentVolume.{enabled,size}`,
 * `podDisruptionBudget.maxUnavailable`, `zoneAwareReplication.enabled`, `extraArgs` (map → -key=value), optional
 * components' `enabled`, `minio.enabled`, `global.extraEnv`, `image.tag`, `mimir.structuredConfig`); the chart's
 * Chart.yaml (`rollout_operator.enabled` is the rollout-operator subchart's condition); the chart's own
 * classic-architecture.yaml preset (6.0.x) and grafana.com/docs/helm-charts/mimir-distributed/v6.0.x (release notes,
 * 5.x → 6.0 migration guide) for what 6.0 changed:
 * - ingest storage is the default: `kafka.enabled` deploys a demo Kafka, and the chart's base config hardcodes
 *   `ingest_storage.enabled: true` and `ingester.push_grpc_method_enabled: false` — the classic write path needs
 *   `ingest_storage.enabled: false` AND `ingester.push_grpc_method_enabled: true` (else every push fails);
 * - the `nginx` section is gone and the gateway is deployed by `gateway.enabled` alone (`enabledNonEnterprise`,
 *   which 5.x needed, no longer exists);
 * - the query-scheduler is required (queriers and query-frontends always go through it): `query_scheduler.enabled`
 *   is not a 6.0 value any more;
 * - the rollout-operator (zone-aware StatefulSets) is on by default and its admission webhooks need its CRDs.
 */
export const MIMIR_COMPONENT_KEYS: Readonly<Record<string, string>> = {
  distributor: 'distributor',
  ingester: 'ingester',
  querier: 'querier',
  'query-frontend': 'query_frontend',
  'query-scheduler': 'query_scheduler',
  'store-gateway': 'store_gateway',
  compactor: 'compactor',
  ruler: 'ruler',
  alertmanager: 'alertmanager',
  'overrides-exporter': 'overrides_exporter',
};
/** components the chart can switch off with `<key>.enabled` */
export const MIMIR_OPTIONAL = ['ruler', 'alertmanager', 'overrides_exporter'] as const;
/** components chart 6.0 always deploys (no `enabled` value) */
export const MIMIR_REQUIRED = ['query_scheduler'] as const;
/** components with `zoneAwareReplication` in the chart */
export const MIMIR_ZONE_AWARE = ['ingester', 'store_gateway', 'alertmanager'] as const;
/** components with `persistentVolume` in the chart */
export const MIMIR_PERSISTENT = ['ingester', 'store_gateway', 'compactor', 'alertmanager'] as const;

const comps = Object.values(MIMIR_COMPONENT_KEYS);
export const mimirDistributedKeys: ChartValueKeys = {
  chart: 'mimir-distributed',
  version: '6.0.0',
  source: 'github.com/grafana/mimir operations/helm/charts/mimir-distributed (values.yaml 5.x, Chart.yaml, classic-architecture.yaml 6.0.x); grafana.com/docs/helm-charts/mimir-distributed/v6.0.x release notes and 5.x→6.0 migration guide',
  keys: [
    'image.tag',
    'global.extraEnv',
    'minio.enabled',
    'kafka.enabled',
    'gateway.enabled',
    'rollout_operator.enabled',
    ...comps.flatMap((c) => [`${c}.replicas`, `${c}.resources.requests.cpu`, `${c}.resources.requests.memory`, `${c}.resources.limits.cpu`, `${c}.resources.limits.memory`, `${c}.extraArgs.*`, `${c}.podDisruptionBudget.maxUnavailable`]),
    ...MIMIR_OPTIONAL.map((c) => `${c}.enabled`),
    ...MIMIR_ZONE_AWARE.map((c) => `${c}.zoneAwareReplication.enabled`),
    ...MIMIR_PERSISTENT.flatMap((c) => [`${c}.persistentVolume.enabled`, `${c}.persistentVolume.size`]),
    // Mimir 3.0 configuration (grafana.com/docs/mimir/v3.0.x/configure/configuration-parameters), via structuredConfig
    'mimir.structuredConfig.common.storage.backend',
    'mimir.structuredConfig.common.storage.s3.endpoint',
    'mimir.structuredConfig.common.storage.s3.region',
    'mimir.structuredConfig.common.storage.s3.insecure',
    'mimir.structuredConfig.common.storage.s3.access_key_id',
    'mimir.structuredConfig.common.storage.s3.secret_access_key',
    'mimir.structuredConfig.blocks_storage.s3.bucket_name',
    'mimir.structuredConfig.ruler_storage.s3.bucket_name',
    'mimir.structuredConfig.alertmanager_storage.s3.bucket_name',
    'mimir.structuredConfig.ingester.ring.replication_factor',
    'mimir.structuredConfig.ingester.push_grpc_method_enabled',
    'mimir.structuredConfig.ingest_storage.enabled',
    'mimir.structuredConfig.ingest_storage.kafka.address',
    'mimir.structuredConfig.ingest_storage.kafka.topic',
    'mimir.structuredConfig.ingest_storage.kafka.auto_create_topic_default_partitions',
    'mimir.structuredConfig.multitenancy_enabled',
  ],
};
