import { MEMCACHED_POOL } from '../memcached.js';
import type { ChartFacts, ChartValueKeys, ChartWorkload } from './types.js';

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
    'gateway.replicas',
    'gateway.resources.requests.cpu',
    'gateway.resources.requests.memory',
    'gateway.resources.limits.cpu',
    'gateway.resources.limits.memory',
    'rollout_operator.resources.requests.cpu',
    'rollout_operator.resources.requests.memory',
    'rollout_operator.resources.limits.cpu',
    'rollout_operator.resources.limits.memory',
    'chunks-cache.enabled',
    'index-cache.enabled',
    'metadata-cache.enabled',
    'results-cache.enabled',
    // memcached caches: replicas, item memory (MB) and resources (mimir-distributed 5.x values.yaml; 6.0.0 unverified)
    ...['chunks-cache', 'index-cache', 'metadata-cache', 'results-cache'].flatMap((c) => [`${c}.replicas`, `${c}.allocatedMemory`, `${c}.resources.requests.cpu`, `${c}.resources.requests.memory`, `${c}.resources.limits.cpu`, `${c}.resources.limits.memory`]),
    'memcachedExporter.enabled',
    'mimir.structuredConfig.limits.max_global_exemplars_per_user',
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
    // Mimir's runtime config itself, rendered into the chart's runtime ConfigMap (MIMIR_TENANT_LIMITS; unverified for 6.0.0)
    'runtimeConfig.**',
  ],
};

/**
 * mimir-distributed 6.0.0 chart facts — NOT verified against the 6.0.0 source (the grafana/mimir repository is too
 * large to fetch here), kept conservative: every workload otelstack relies on is written explicitly in the values
 * rather than left to a default, and no template guard is recorded as checked. From the sources named on
 * mimirDistributedKeys: the gateway (a Deployment, `gateway.enabled`) fronts the push / query endpoints the catalog
 * uses; the rollout-operator subchart (`rollout_operator.enabled`, on by default) is a Deployment; the memcached
 * caches (`chunks-cache`, `index-cache`, `metadata-cache`, `results-cache`, each `<key>.enabled`, off in 5.x) and
 * `overrides_exporter` (on in 5.x) are switched explicitly; per-component `extraArgs` is a map rendered as
 * `-key=value` flags; `global.extraEnv` is a list concatenated into every Mimir component's env (whether the gateway
 * and caches also receive it is unverified); `mimir.structuredConfig` is merged over the generated mimir.yaml (lists
 * replace).
 */
export const MIMIR_CACHES = ['chunks-cache', 'index-cache', 'metadata-cache', 'results-cache'] as const;
export const MIMIR_DISTRIBUTED_FACTS: ChartFacts = {
  // _helpers.tpl mimir.infixName ("mimir" unless enterprise legacy labels) in the selector labels; components' port
  // http-metrics (8080) — long-standing, unverified for 6.0.0. The gateway (nginx) serves no /metrics: skipped.
  scrape: { name: 'mimir', metricsPort: 'http-metrics', metricsPath: '/metrics', skipComponents: ['gateway'] },
  // mimir-distributed 5.x scales through KEDA only (`<component>.kedaAutoscaling.*`, with a Prometheus address the
  // ScaledObjects query); the 6.0.0 templates are unread: otelstack writes no autoscaling values for it (components
  // asking for autoscaling run at their max replicas, a plan warning)
  autoscaling: { verified: false, source: 'mimir-distributed 5.x values.yaml (kedaAutoscaling); 6.0.0 templates unread', components: {} },
  chart: 'mimir-distributed',
  version: '6.0.0',
  verified: false,
  source: 'mimir-distributed 5.x values.yaml, Chart.yaml and the 6.0.x docs (see mimirDistributedKeys); 6.0.0 templates unread',
  guards: [],
  workloads: [
    ...Object.entries(MIMIR_COMPONENT_KEYS).map(([component, key]): ChartWorkload => ({
      key,
      kind: (MIMIR_PERSISTENT as readonly string[]).includes(key) ? 'StatefulSet' : 'Deployment',
      enabled: (MIMIR_OPTIONAL as readonly string[]).includes(key) ? { path: `${key}.enabled`, default: true } : 'always',
      defaultResources: 'chart defaults (unverified for 6.0.0)',
      otelstack: { action: 'component', component },
    })),
    {
      key: 'gateway',
      kind: 'Deployment',
      enabled: { path: 'gateway.enabled', default: true },
      defaultResources: 'chart defaults (unverified for 6.0.0)',
      otelstack: { action: 'budget', component: 'gateway', sizing: { cpu: 50, memory: 64 * 1024 ** 2, replicas: { single: 1, ha: 2 } }, reason: "Mimir's push and query endpoints go through the chart's gateway: budgeted" },
    },
    {
      key: 'rollout_operator',
      kind: 'Deployment',
      enabled: { path: 'rollout_operator.enabled', default: true },
      defaultResources: 'subchart defaults (unverified)',
      otelstack: {
        action: 'budget',
        component: 'rollout-operator',
        sizing: { cpu: 10, memory: 64 * 1024 ** 2, replicas: { single: 1, ha: 1 }, singleton: true },
        when: 'zone-aware',
        reason: 'zone-aware StatefulSets are rolled by the rollout-operator: budgeted where Mimir is zone-aware, switched off elsewhere',
      },
    },
    ...MIMIR_CACHES.map((key): ChartWorkload => ({
      key,
      kind: 'StatefulSet',
      enabled: { path: `${key}.enabled`, default: true },
      defaultResources: 'chart defaults (unverified for 6.0.0)',
      otelstack: {
        action: 'budget',
        component: key,
        sizing: { ...MEMCACHED_POOL, memcached: 'allocatedMemory' },
        when: 'named',
        reason: `Mimir's ${key} (memcached): budgeted with the requests and memory limit in the definition, written explicitly on`,
        otherwise: `no Mimir ${key} is in the definition: written explicitly off (default unverified for 6.0.0)`,
      },
    })),
    {
      key: 'memcachedExporter',
      kind: 'Sidecar',
      enabled: { path: 'memcachedExporter.enabled', default: true },
      defaultResources: 'chart defaults (unverified for 6.0.0), in every cache pod',
      otelstack: { action: 'disable', reason: 'the exporter sidecar in each cache pod is not budgeted: written explicitly off' },
    },
    { key: 'minio', kind: 'Deployment', enabled: { path: 'minio.enabled', default: true }, defaultResources: 'subchart defaults', otelstack: { action: 'disable', reason: "the environment's S3 instance is used, never the bundled MinIO" } },
    { key: 'kafka', kind: 'StatefulSet', enabled: { path: 'kafka.enabled', default: true }, defaultResources: 'chart defaults', otelstack: { action: 'disable', reason: "the environment's Kafka (or none) is used, never the chart's demo Kafka" } },
  ],
  lists: [
    { setting: '<component>.extraArgs', how: 'map-to-flags', reaches: ['that component'], note: 'a map rendered as -key=value flags' },
    { setting: 'global.extraEnv', how: 'concatenated-env', reaches: ['every Mimir component'], note: 'whether the gateway and caches also receive it is unverified for 6.0.0' },
    { setting: 'mimir.structuredConfig', how: 'merged-map', reaches: ['mimir.yaml'], note: 'merged over the generated mimir.yaml; a list in it replaces the generated list' },
  ],
};

/**
 * What Mimir's read-write components need from a mimir-distributed release to run beside its microservices
 * (`otelstack migrate render` on Kubernetes: mimir-distributed has no read-write mode, grafana/mimir#8903, so the
 * read-write components are rendered as objects of their own that use the release's config and join its memberlist
 * ring). Read in the grafana/mimir sources of the search index — the chart templates
 * operations/helm/charts/mimir-distributed/templates/_helpers.tpl (commit 01064b3a: mimir.fullname, mimir.infixName,
 * mimir.configVolume, mimir.memberlistBindPort, mimir.selectorLabels / mimir.podLabels with `memberlist`),
 * templates/gossip-ring/_helpers.gossip-ring.tpl (commit 063371ec: selector = selectorLabels without a component +
 * `app.kubernetes.io/part-of: memberlist`), templates/gossip-ring/gossip-ring-svc.yaml (commit 019aeade) — and the
 * chart's rendered test output operations/helm/tests/test-oss-multizone-values-generated (ingester-statefulset.yaml
 * and gossip-ring-svc.yaml at commit 04ac81e6, mimir-config.yaml at 0385792c: the same names, ports, mounts, args
 * and the config's `memberlist.join_members: dns+<fullname>-gossip-ring.<ns>.svc.<clusterDomain>:7946`). Those
 * commits are of the 6.x line (its Kafka ingest-storage templates are there) but the index does not say which tag
 * they belong to: `verified` stays false — checked in the chart's 6.x sources, not pinned to the 6.0.0 tag. The
 * alertmanager fallback ConfigMap's name is from a rendered 3.0.0-image manifest in the index (`<fullname>-
 * alertmanager-fallback-config`), its mount path from the rendered config (`fallback_config_file:
 * /configs/alertmanager_fallback_config.yaml`).
 */
export const MIMIR_DISTRIBUTED_READ_WRITE = {
  verified: false as const,
  source:
    'grafana/mimir operations/helm/charts/mimir-distributed templates (_helpers.tpl 01064b3a, gossip-ring/_helpers.gossip-ring.tpl 063371ec, gossip-ring-svc.yaml 019aeade) and tests/test-oss-multizone-values-generated (04ac81e6, 0385792c), 6.x line, tag not pinpointed',
  /** mimir.infixName (not enterprise legacy labels): app.kubernetes.io/name of every pod, and the fullname's suffix */
  infixName: 'mimir',
  /** mimir.fullname without fullnameOverride / nameOverride: the release name if it contains the infix, else `<release>-<infix>` */
  fullname: (release: string): string => (release.includes('mimir') ? release : `${release}-mimir`).slice(0, 63).replace(/-+$/, ''),
  /** the config every component mounts (configStorageType ConfigMap, externalConfigSecretName `<fullname>-config`, key mimir.yaml) */
  config: { name: (full: string) => `${full}-config`, key: 'mimir.yaml', mountPath: '/etc/mimir', file: '/etc/mimir/mimir.yaml', volume: 'config' },
  /** the runtime (overrides) ConfigMap: runtime_config.file /var/mimir/runtime.yaml in the config */
  runtime: { name: (full: string) => `${full}-runtime`, mountPath: '/var/mimir', volume: 'runtime-config' },
  /** the alertmanager's fallback config (mounted where the config's fallback_config_file points) */
  alertmanagerFallback: { name: (full: string) => `${full}-alertmanager-fallback-config`, mountPath: '/configs', volume: 'alertmanager-fallback-config' },
  /** every component's args before its own */
  args: ['-config.expand-env=true', '-config.file=/etc/mimir/mimir.yaml'],
  /** the gossip ring: a headless Service (publishNotReadyAddresses) selecting every pod with these labels */
  gossipRing: {
    service: (full: string) => `${full}-gossip-ring`,
    port: 7946,
    selector: (release: string): Record<string, string> => ({ 'app.kubernetes.io/name': 'mimir', 'app.kubernetes.io/instance': release, 'app.kubernetes.io/part-of': 'memberlist' }),
    /** the chart's config joins it by DNS (memberlist.join_members) */
    joinMember: (full: string, namespace: string, clusterDomain = 'cluster.local') => `dns+${full}-gossip-ring.${namespace}.svc.${clusterDomain}:7946`,
  },
  /** container ports, named as the chart names them */
  ports: { 'http-metrics': 8080, grpc: 9095, 'tcp-memberlist': 7946 } as Record<string, number>,
  /** the per-replica volume (persistentVolume) and where the chart mounts it; the active query tracker's emptyDir */
  storage: { volume: 'storage', mountPath: '/data' },
  activeQueries: { volume: 'active-queries', mountPath: '/active-query-tracker' },
  /** the pods' security context (uid / gid 10001) */
  securityContext: { uid: 10001, gid: 10001 },
  /** serviceAccount.create: true by default; its name is the fullname */
  serviceAccount: (full: string) => full,
  readiness: { path: '/ready', port: 'http-metrics', initialDelaySeconds: 60 },
  /** the chart's ingesters' terminationGracePeriodSeconds (an ingester flushes on shutdown) */
  ingesterTerminationGraceSeconds: 240,
  /**
   * Zone flags of the zone-aware components (the chart passes them as args per zone StatefulSet; the config's
   * `<ring>.zone_awareness_enabled: true` comes from `zoneAwareReplication.enabled`). The read-write StatefulSets of
   * each zone set the flags of every zone-aware component their target runs. The zone-awareness flag names are
   * those of Mimir's "Configure zone-aware replication" page (docs/sources in grafana/mimir, read in the search
   * index: "-ingester.ring.zone-awareness-enabled=true … for distributors, ingesters, and queriers",
   * "-alertmanager.sharding-ring.zone-awareness-enabled=true"); the instance-zone flags are the chart's rendered args.
   */
  zoneFlags: {
    ingester: '-ingester.ring.instance-availability-zone',
    'store-gateway': '-store-gateway.sharding-ring.instance-availability-zone',
    alertmanager: '-alertmanager.sharding-ring.instance-availability-zone',
  } as Record<string, string>,
  zoneAwarenessFlags: {
    ingester: '-ingester.ring.zone-awareness-enabled',
    'store-gateway': '-store-gateway.sharding-ring.zone-awareness-enabled',
    alertmanager: '-alertmanager.sharding-ring.zone-awareness-enabled',
  } as Record<string, string>,
} as const;

/**
 * Mimir's read-write targets (pkg/mimir/modules.go of the grafana/mimir sources in the search index, 3.x line:
 * `Write: {Distributor, Ingester}`, `Read: {QueryFrontend, Querier}`, `Backend: {QueryScheduler, Ruler,
 * StoreGateway, Compactor, AlertManager, OverridesExporter}`), with the chart components each replaces.
 */
export const MIMIR_READ_WRITE_TARGETS = {
  'mimir-read': { target: 'read', runs: ['query-frontend', 'querier'] },
  'mimir-write': { target: 'write', runs: ['distributor', 'ingester'] },
  'mimir-backend': { target: 'backend', runs: ['query-scheduler', 'ruler', 'store-gateway', 'compactor', 'alertmanager', 'overrides-exporter'] },
} as const;
export type MimirReadWriteComponent = keyof typeof MIMIR_READ_WRITE_TARGETS;
