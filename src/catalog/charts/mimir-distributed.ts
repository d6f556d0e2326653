import type { ChartValueKeys } from './types.js';

/**
 * mimir-distributed 6.0.x (grafana/mimir operations/helm/charts/mimir-distributed/values.yaml and the chart 6.0
 * release notes / 5.x→6.0 migration guide on grafana.com/docs/helm-charts/mimir-distributed/v6.0.x):
 * per-component `replicas`, `resources`, `persistentVolume.{enabled,size}`, `podDisruptionBudget.maxUnavailable`,
 * `zoneAwareReplication.enabled`, `extraArgs` (map, rendered as -key=value), optional components' `enabled`,
 * `minio.enabled`, `kafka.enabled` (chart 6 bundled demo Kafka), `global.extraEnv`, `mimir.structuredConfig`.
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
export const MIMIR_OPTIONAL = ['query_scheduler', 'ruler', 'alertmanager', 'overrides_exporter'] as const;
/** components with `zoneAwareReplication` in the chart */
export const MIMIR_ZONE_AWARE = ['ingester', 'store_gateway', 'alertmanager'] as const;
/** components with `persistentVolume` in the chart */
export const MIMIR_PERSISTENT = ['ingester', 'store_gateway', 'compactor', 'alertmanager'] as const;

const comps = Object.values(MIMIR_COMPONENT_KEYS);
export const mimirDistributedKeys: ChartValueKeys = {
  chart: 'mimir-distributed',
  version: '6.0.0',
  source: 'github.com/grafana/mimir operations/helm/charts/mimir-distributed/values.yaml (6.x); grafana.com/docs/helm-charts/mimir-distributed/v6.0.x',
  keys: [
    'image.tag',
    'global.extraEnv',
    'minio.enabled',
    'kafka.enabled',
    'gateway.enabledNonEnterprise',
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
    'mimir.structuredConfig.ingest_storage.enabled',
    'mimir.structuredConfig.ingest_storage.kafka.address',
    'mimir.structuredConfig.ingest_storage.kafka.topic',
    'mimir.structuredConfig.ingest_storage.kafka.auto_create_topic_default_partitions',
    'mimir.structuredConfig.multitenancy_enabled',
  ],
};
