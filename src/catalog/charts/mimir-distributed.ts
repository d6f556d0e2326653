import { MEMCACHED_POOL } from '../memcached.js';
import type { ChartFacts, ChartValueKeys, ChartWorkload } from './types.js';

/**
 * mimir-distributed 6.0.x. Where each fact was read (grafana/mimir, operations/helm/charts/mimir-distributed, in the
 * search index; the 6.0.0 tag is not stored there, so "6.0.4" below means: checked in chart 6.0.4, 6.0.0 not stored):
 * - values.yaml at 30ef0780 (Chart.yaml at the same commit says version 6.0.4, appVersion 3.0.1) — every value key
 *   below; values.yaml at 5c776e42 (chart 5.7.0) for the 5.x → 6.0 differences. CHANGELOG.md at 30ef0780: 6.0.1–6.0.4
 *   only upgrade the Mimir image (3.0.0, 3.0.1), the rollout-operator subchart (0.37.1, its webhook certificate name)
 *   and fix a pod-label newline — no values key otelstack writes changed since 6.0.0;
 * - Chart.yaml at 30ef0780: `rollout_operator.enabled` is the rollout-operator subchart's condition;
 * - CHANGELOG.md at 30ef0780, section 6.0.0, and values.yaml 6.0.4 for what 6.0 changed:
 *   - ingest storage is the default (#12459): `kafka.enabled` (default true) deploys a single-node demo Kafka, and the
 *     base config (`mimir.config`) sets `ingest_storage.enabled: true` and `ingester.push_grpc_method_enabled: false`
 *     unconditionally — the classic write path needs `ingest_storage.enabled: false` AND
 *     `ingester.push_grpc_method_enabled: true` (else every push fails);
 *   - the top-level `nginx` section is removed (#12702): the gateway is `gateway.enabled` (default true); 6.0.4's
 *     values.yaml has no `gateway.enabledNonEnterprise` (5.x needed it);
 *   - the query-scheduler is required (#12188): the base config points `frontend.scheduler_address` and
 *     `frontend_worker.scheduler_address` at `<fullname>-query-scheduler-headless` unconditionally. 6.0.4's values.yaml
 *     still has `query_scheduler.enabled` (default true) — turning it off would leave queriers and query-frontends
 *     without their scheduler, so otelstack never writes it (MIMIR_REQUIRED);
 *   - the rollout-operator (zone-aware StatefulSets) is on by default (`rollout_operator.enabled: true`).
 * Defaults read in 6.0.4's values.yaml: every component's `replicas`, `resources`, `extraArgs: {}` (a map; the
 * templates render `-key=value` per entry: store-gateway / ingester StatefulSet templates at 001a5fcb, alertmanager at
 * 001afd28), `podDisruptionBudget.maxUnavailable: 1`; `zoneAwareReplication.enabled` true for ingester and
 * store_gateway, false for alertmanager; `persistentVolume.{enabled,size}` for ingester, store_gateway, compactor and
 * alertmanager; `enabled` for ruler, alertmanager, overrides_exporter (and, default true, for distributor, ingester,
 * querier, query_frontend, query_scheduler, store_gateway, compactor); the memcached caches' `enabled` (false),
 * `replicas`, `allocatedMemory` and `resources` (null: derived from allocatedMemory); `memcachedExporter.enabled`
 * (true); `minio.enabled` (true); `global.extraEnv`; `image.tag` (3.0.1); `mimir.structuredConfig` (merged over the
 * templated `mimir.config`, _helpers.tpl mimir.calculatedConfig at 01064b3a: mergeOverwrite); `runtimeConfig`.
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
/** components chart 6.0 needs (queriers and query-frontends always go through it); otelstack never writes their `enabled` */
export const MIMIR_REQUIRED = ['query_scheduler'] as const;
/** components with `zoneAwareReplication` in the chart */
export const MIMIR_ZONE_AWARE = ['ingester', 'store_gateway', 'alertmanager'] as const;
/** components with `persistentVolume` in the chart */
export const MIMIR_PERSISTENT = ['ingester', 'store_gateway', 'compactor', 'alertmanager'] as const;

const comps = Object.values(MIMIR_COMPONENT_KEYS);
export const mimirDistributedKeys: ChartValueKeys = {
  chart: 'mimir-distributed',
  version: '6.0.0',
  source: 'grafana/mimir operations/helm/charts/mimir-distributed: values.yaml and Chart.yaml at 30ef0780 (chart 6.0.4; 6.0.0 not stored), CHANGELOG.md at 30ef0780 (6.0.0–6.0.4); values.yaml at 5c776e42 (chart 5.7.0)',
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
    // memcached caches: replicas, item memory (MB) and resources (values.yaml at 30ef0780, chart 6.0.4)
    ...['chunks-cache', 'index-cache', 'metadata-cache', 'results-cache'].flatMap((c) => [`${c}.replicas`, `${c}.allocatedMemory`, `${c}.resources.requests.cpu`, `${c}.resources.requests.memory`, `${c}.resources.limits.cpu`, `${c}.resources.limits.memory`]),
    'memcachedExporter.enabled',
    // the ruler's remote evaluation (a dedicated query path), set off by the microservices → read-write runbook
    'ruler.remoteEvaluationDedicatedQueryPath',
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
    // Mimir's runtime config itself, rendered into the chart's runtime ConfigMap (top-level `runtimeConfig`, values.yaml
    // at 30ef0780, chart 6.0.4; the limit keys inside it: MIMIR_TENANT_LIMITS)
    'runtimeConfig.**',
  ],
};

/**
 * mimir-distributed 6.0.x chart facts, kept conservative: every workload otelstack relies on is written explicitly in
 * the values rather than left to a default, and no template guard is recorded as checked (`verified` stays false:
 * the values were read in chart 6.0.4, the templates only in 6.x commits of the chart that no tag pins). From
 * values.yaml at 30ef0780 (chart 6.0.4; 6.0.0 not stored): the gateway (`gateway.enabled`, default true; the nginx
 * config in `gateway.nginx.config.file`) fronts the push / query endpoints the catalog uses; the rollout-operator
 * subchart (`rollout_operator.enabled`, default true); the memcached caches (`chunks-cache`, `index-cache`,
 * `metadata-cache`, `results-cache`, each `<key>.enabled`, default false) and `overrides_exporter` (`enabled`,
 * default true) are switched explicitly; per-component `extraArgs` is a map the templates render as `-key=value`
 * flags; `global.extraEnv` is a list the component templates concatenate into the container env (store-gateway /
 * ingester at 001a5fcb, query-scheduler at 1ed1ca71; values.yaml's scope comment also lists the gateway and
 * memcached, whose templates were not read); `mimir.structuredConfig` is merged over the templated mimir.yaml
 * (sprig mergeOverwrite: a list replaces the generated list).
 */
/** The components' default requests in values.yaml at 30ef0780 (chart 6.0.4), for the record (otelstack writes its own). */
const MIMIR_DEFAULT_REQUESTS: Readonly<Record<string, string>> = {
  distributor: '100m / 512Mi',
  ingester: '100m / 512Mi',
  querier: '100m / 128Mi',
  query_frontend: '100m / 128Mi',
  query_scheduler: '100m / 128Mi',
  store_gateway: '100m / 512Mi',
  compactor: '100m / 512Mi',
  ruler: '100m / 128Mi',
  alertmanager: '10m / 32Mi',
  overrides_exporter: '100m / 128Mi',
};
export const MIMIR_CACHES = ['chunks-cache', 'index-cache', 'metadata-cache', 'results-cache'] as const;
export const MIMIR_DISTRIBUTED_FACTS: ChartFacts = {
  // _helpers.tpl at 01064b3a: mimir.infixName ("mimir" unless enterprise legacy labels) is app.kubernetes.io/name in
  // the selector labels; the components' container port http-metrics (8080, mimir.serverHttpListenPort) in the
  // component templates (001a5fcb, 1ed1ca71). The gateway (nginx) serves no /metrics: skipped.
  scrape: { name: 'mimir', metricsPort: 'http-metrics', metricsPath: '/metrics', skipComponents: ['gateway'] },
  // values.yaml at 30ef0780 (chart 6.0.4): the Mimir components scale through KEDA only (`kedaAutoscaling.*` of
  // distributor, querier, query_frontend, ruler and the ruler's query path, with the Prometheus address the
  // ScaledObjects query), the gateway through an HPA (`gateway.autoscaling`); the KEDA templates are unread:
  // otelstack writes no autoscaling values for it (components asking for autoscaling run at their max replicas, a
  // plan warning)
  autoscaling: { verified: false, source: 'mimir-distributed values.yaml at 30ef0780 (chart 6.0.4): kedaAutoscaling only for the Mimir components; KEDA templates unread', components: {} },
  chart: 'mimir-distributed',
  version: '6.0.0',
  verified: false,
  source: 'grafana/mimir mimir-distributed values.yaml and Chart.yaml at 30ef0780 (chart 6.0.4; 6.0.0 not stored); templates read at 6.x commits no tag pins (see MIMIR_DISTRIBUTED_READ_WRITE)',
  guards: [],
  workloads: [
    // `always`: 6.0.4 has `<key>.enabled` (default true) for these too, but otelstack never switches them off
    ...Object.entries(MIMIR_COMPONENT_KEYS).map(([component, key]): ChartWorkload => ({
      key,
      kind: (MIMIR_PERSISTENT as readonly string[]).includes(key) ? 'StatefulSet' : 'Deployment',
      enabled: (MIMIR_OPTIONAL as readonly string[]).includes(key) ? { path: `${key}.enabled`, default: true } : 'always',
      defaultResources: `requests ${MIMIR_DEFAULT_REQUESTS[key] ?? '?'} (values.yaml, chart 6.0.4)`,
      otelstack: { action: 'component', component },
    })),
    {
      key: 'gateway',
      kind: 'Deployment',
      enabled: { path: 'gateway.enabled', default: true },
      defaultResources: '{} (values.yaml, chart 6.0.4)',
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
      enabled: { path: `${key}.enabled`, default: false },
      defaultResources: 'resources null: derived from allocatedMemory (values.yaml, chart 6.0.4)',
      otelstack: {
        action: 'budget',
        component: key,
        sizing: { ...MEMCACHED_POOL, memcached: 'allocatedMemory' },
        when: 'named',
        reason: `Mimir's ${key} (memcached): budgeted with the requests and memory limit in the definition, written explicitly on`,
        otherwise: `no Mimir ${key} is in the definition: written explicitly off (off by default in chart 6.0.4)`,
      },
    })),
    {
      key: 'memcachedExporter',
      kind: 'Sidecar',
      enabled: { path: 'memcachedExporter.enabled', default: true },
      defaultResources: 'requests 50m / 50Mi, limit 250Mi (values.yaml, chart 6.0.4), in every cache pod',
      otelstack: { action: 'disable', reason: 'the exporter sidecar in each cache pod is not budgeted: written explicitly off' },
    },
    { key: 'minio', kind: 'Deployment', enabled: { path: 'minio.enabled', default: true }, defaultResources: 'subchart defaults', otelstack: { action: 'disable', reason: "the environment's S3 instance is used, never the bundled MinIO" } },
    { key: 'kafka', kind: 'StatefulSet', enabled: { path: 'kafka.enabled', default: true }, defaultResources: 'chart defaults', otelstack: { action: 'disable', reason: "the environment's Kafka (or none) is used, never the chart's demo Kafka" } },
  ],
  lists: [
    { setting: '<component>.extraArgs', how: 'map-to-flags', reaches: ['that component'], note: 'a map rendered as -key=value flags' },
    { setting: 'global.extraEnv', how: 'concatenated-env', reaches: ['every Mimir component'], note: "the component templates concatenate it (6.x templates); values.yaml 6.0.4's scope comment also lists the gateway and memcached, whose templates were not read" },
    { setting: 'mimir.structuredConfig', how: 'merged-map', reaches: ['mimir.yaml'], note: 'merged over the generated mimir.yaml; a list in it replaces the generated list' },
  ],
};

/**
 * What Mimir's read-write components need from a mimir-distributed release to run beside its microservices
 * (`otelstack migrate render` on Kubernetes: mimir-distributed has no read-write mode, grafana/mimir#8903, so the
 * read-write components are rendered as objects of their own that use the release's config and join its memberlist
 * ring). Read in the grafana/mimir sources of the search index (operations/helm/charts/mimir-distributed):
 * - values.yaml at 30ef0780 (chart 6.0.4; 6.0.0 not stored): `externalConfigSecretName` defaults to
 *   mimir.resourceName(component "config") = `<fullname>-config`, `configStorageType: ConfigMap`; the base config's
 *   `memberlist.join_members: dns+<fullname>-gossip-ring.<ns>.svc.<global.clusterDomain>:<memberlistBindPort>`
 *   (global.clusterDomain defaults to `cluster.local.`) and `runtime_config.file: /var/<mimir.name>/runtime.yaml`;
 *   `serviceAccount.create: true`; `rbac.podSecurityContext` uid / gid 10001, runAsNonRoot, seccomp RuntimeDefault;
 *   the containers' securityContext (no privilege escalation, read-only root, drop ALL); `ingester.persistentVolume.name:
 *   storage`; `ingester.terminationGracePeriodSeconds: 1200` (240 before chart 5.4.0); readinessProbe GET /ready on
 *   http-metrics, initialDelaySeconds 60 for ingester / store-gateway / compactor, 45 for the others;
 * - templates/_helpers.tpl at 01064b3a (6.0 development line: it has the provisioner's kubectlImage and the
 *   rollout-operator's downscaleLeader): mimir.name / mimir.fullname / mimir.infixName, mimir.resourceName
 *   (`<fullname>-<component>`), mimir.configVolume (ConfigMap `<externalConfigSecretName>`, item mimir.yaml),
 *   mimir.memberlistBindPort (default 7946), mimir.serviceAccountName (the fullname), mimir.selectorLabels /
 *   mimir.podLabels (`app.kubernetes.io/part-of: memberlist` for memberlist members);
 * - templates/gossip-ring/gossip-ring-svc.yaml at 019aeade: `<fullname>-gossip-ring`, headless (clusterIP None),
 *   publishNotReadyAddresses, port gossip-ring = memberlistBindPort; templates/gossip-ring/_helpers.gossip-ring.tpl
 *   at 063371ec: its selector = mimir.selectorLabels without a component + `app.kubernetes.io/part-of: memberlist`;
 * - the component templates — store-gateway and ingester StatefulSets at 001a5fcb, query-scheduler Deployment at
 *   1ed1ca71, alertmanager StatefulSet at 001afd28 (it has 6.0.0's dnsConfig and revisionHistoryLimit): args
 *   `-target=<component>`, `-config.expand-env=true`, `-config.file=/etc/mimir/mimir.yaml`, then the zone flag per
 *   zone StatefulSet (`-ingester.ring.instance-availability-zone`, `-store-gateway.sharding-ring.instance-availability-
 *   zone`, `-alertmanager.sharding-ring.instance-availability-zone`), then extraArgs; mounts config at /etc/mimir,
 *   runtime-config (ConfigMap `<fullname>-runtime`) at /var/<mimir.name>, storage at /data, active-queries
 *   (emptyDir) at /active-query-tracker; the alertmanager also mounts `<fullname>-alertmanager-fallback-config` at
 *   /configs/ and an emptyDir `tmp` at /tmp (its root is read-only); ports http-metrics 8080, grpc 9095 and the
 *   memberlist port 7946 (named `memberlist` in these templates, `tcp-memberlist` in the rendered test output
 *   operations/helm/tests/test-oss-multizone-values-generated at 04ac81e6 — the gossip-ring Service targets the
 *   number, so the name does not matter);
 * - templates/runtime-configmap.yaml at 07241f91: `<fullname>-runtime`, key runtime.yaml = the `runtimeConfig` value
 *   (that later version also gates it on `apply_runtime.enabled`, a value 6.0.4's values.yaml does not have).
 * `verified` stays false: the values are chart 6.0.4's, the templates are 6.x commits that no tag pins.
 * The readiness delay (60 s for every read-write component) and the replica split over zones are otelstack's choice.
 */
export const MIMIR_DISTRIBUTED_READ_WRITE = {
  verified: false as const,
  source:
    'grafana/mimir mimir-distributed values.yaml at 30ef0780 (chart 6.0.4; 6.0.0 not stored); templates (_helpers.tpl 01064b3a, gossip-ring 019aeade / 063371ec, store-gateway and ingester 001a5fcb, alertmanager 001afd28) at 6.x commits no tag pins',
  /** where the objects' chart facts were checked, as the plan says it */
  checked: "checked in mimir-distributed 6.0.4's values.yaml (grafana/mimir 30ef0780; 6.0.0 not stored), 5.7.0's (5c776e42; 5.8.0 not stored) and the chart's templates (commits no tag pins)",
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
  /** the alertmanager's writable /tmp (an emptyDir: its root filesystem is read-only) */
  alertmanagerTmp: { volume: 'tmp', mountPath: '/tmp' },
  /** every component's args before its own */
  args: ['-config.expand-env=true', '-config.file=/etc/mimir/mimir.yaml'],
  /** the gossip ring: a headless Service (publishNotReadyAddresses) selecting every pod with these labels */
  gossipRing: {
    service: (full: string) => `${full}-gossip-ring`,
    port: 7946,
    selector: (release: string): Record<string, string> => ({ 'app.kubernetes.io/name': 'mimir', 'app.kubernetes.io/instance': release, 'app.kubernetes.io/part-of': 'memberlist' }),
    /** the chart's config joins it by DNS (memberlist.join_members; global.clusterDomain's default has the trailing dot) */
    joinMember: (full: string, namespace: string, clusterDomain = 'cluster.local.') => `dns+${full}-gossip-ring.${namespace}.svc.${clusterDomain}:7946`,
  },
  /** container ports (the memberlist port's name is otelstack's: see above) */
  ports: { 'http-metrics': 8080, grpc: 9095, 'tcp-memberlist': 7946 } as Record<string, number>,
  /** the per-replica volume (persistentVolume) and where the chart mounts it; the active query tracker's emptyDir */
  storage: { volume: 'storage', mountPath: '/data' },
  activeQueries: { volume: 'active-queries', mountPath: '/active-query-tracker' },
  /** the pods' security context (uid / gid 10001) */
  securityContext: { uid: 10001, gid: 10001 },
  /** serviceAccount.create: true by default; its name is the fullname */
  serviceAccount: (full: string) => full,
  readiness: { path: '/ready', port: 'http-metrics', initialDelaySeconds: 60 },
  /** the chart's ingesters' terminationGracePeriodSeconds (an ingester flushes on shutdown): 1200 in chart 6.0.4 */
  ingesterTerminationGraceSeconds: 1200,
  /**
   * Zone flags of the zone-aware components (the chart passes the instance zone as an arg per zone StatefulSet, see
   * above; the config's `<ring>.zone_awareness_enabled: true` comes from `zoneAwareReplication.enabled`). The
   * read-write StatefulSets of each zone set the flags of every zone-aware component their target runs. The
   * zone-awareness flag names: Mimir's "Configure zone-aware replication" page (docs/sources in grafana/mimir, read in
   * the search index: "-ingester.ring.zone-awareness-enabled=true … for distributors, ingesters, and queriers",
   * "-alertmanager.sharding-ring.zone-awareness-enabled=true"); the ingester and store-gateway ones are also the flags
   * Mimir's jsonnet sets per zone (operations/mimir/multi-zone.libsonnet at 11e51f81).
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
 * Mimir's read-write targets, with the chart components each replaces: `Write: {Distributor, Ingester}`,
 * `Read: {QueryFrontend, Querier}`, `Backend: {QueryScheduler, Ruler, StoreGateway, Compactor, AlertManager,
 * OverridesExporter}` in pkg/mimir/modules.go of grafana/mimir as the search index stores it at 2a3642dd and 0013c446
 * — both before Mimir 3.0: grafana/mimir#12584 (merged 2025-09-02, "removes code support for the experimental
 * read-write deployment mode in Mimir 3") removed the write / read / backend targets, and a later stored version of
 * that file defines no such target (only `all` and the components). See removedModes of Mimir's 3 line (catalog/mimir.ts).
 */
export const MIMIR_READ_WRITE_TARGETS = {
  'mimir-read': { target: 'read', runs: ['query-frontend', 'querier'] },
  'mimir-write': { target: 'write', runs: ['distributor', 'ingester'] },
  'mimir-backend': { target: 'backend', runs: ['query-scheduler', 'ruler', 'store-gateway', 'compactor', 'alertmanager', 'overrides-exporter'] },
} as const;
export type MimirReadWriteComponent = keyof typeof MIMIR_READ_WRITE_TARGETS;

/**
 * mimir-distributed 5.8.0 (Mimir 2.17.0): the chart of Mimir's 2.x line, the line with read-write mode. No stored
 * version of the chart is 5.8.0: the facts are 5.7.0's — Chart.yaml and values.yaml (read whole) at 5c776e42
 * (grafana/mimir) — and CHANGELOG.md at 7b24e4ab, whose 5.8.0 section changes no key otelstack writes (it upgrades
 * Mimir to 2.17.0, #12246, and gives the memcached exporter, which otelstack turns off, default requests). The
 * templates were read at commits no tag pins (gateway/_helpers.tpl, nginx-svc, gossip-ring, alertmanager config at
 * 096dc676, a 5.7-era commit). Where 5.x differs from 6.0 (the facts above):
 * - no `kafka` section, and the base config (`mimir.config`) sets nothing under `ingest_storage` and no
 *   `ingester.push_grpc_method_enabled`: Mimir 2.x's defaults (ingest storage off, gRPC push on) are the classic
 *   write path, so otelstack writes neither (both are experimental in 2.x; Mimir parses its config with
 *   KnownFields(true), cmd/mimir/main.go, so a key 2.17 lacked would stop it);
 * - the unified gateway renders only when `gateway.enabled` (default true) AND `gateway.enabledNonEnterprise`
 *   (default false) are on (`mimir.gateway.isEnabled`), and the deprecated top-level `nginx` (`nginx.enabled`, default
 *   true; Service `<fullname>-nginx`) runs beside it unless switched off: otelstack writes both gateway keys on and
 *   nginx off, so the endpoints stay `<fullname>-gateway:80` as on 6.0;
 * - the query-scheduler is optional: `query_scheduler.enabled: false` makes the base config point the queriers at
 *   the query-frontend (`frontend_worker.frontend_address`);
 * - the rollout-operator subchart (0.24.0 in 5.7.0; 5.8.0 "updated to latest") has no CRDs to install first — that
 *   came with 6.0.0 (#12591, rollout-operator 0.35.1).
 * Everything the read-write objects use (MIMIR_DISTRIBUTED_READ_WRITE) is the same in 5.7.0, the ingesters' 1200 s
 * grace period included (CHANGELOG 5.4.0); so are every per-component key and default request otelstack writes.
 * Rendered, locally and not in CI (no chart source is reachable there): `helm template` (v3.22) of a packaged 5.7.0
 * chart — a vendored copy whose values.yaml matches 5c776e42's — with the 5.8.0 values of examples/dts/mimir-2.ts
 * (dev, test, prod) and of its runbook's steps: rc 0; a gateway Deployment and no nginx, no Kafka, no MinIO; every
 * Mimir container `grafana/mimir:2.17.0` with the planned replicas and requests; mimir.yaml without ingest_storage;
 * the read-write objects' ConfigMaps and ServiceAccount exist in the release, its gossip-ring Service selects their
 * pods and none of its Services or PodDisruptionBudgets does. Not run on a Mimir 2.17 binary (none here).
 */
export const MIMIR_DISTRIBUTED_5 = {
  version: '5.8.0',
  source: 'grafana/mimir mimir-distributed Chart.yaml and values.yaml at 5c776e42 (chart 5.7.0; 5.8.0 not stored), CHANGELOG.md at 7b24e4ab (5.8.0), gateway/_helpers.tpl at 096dc676',
  /** value keys 6.0 has and 5.x does not (Mimir 2.x settings otelstack leaves at their defaults included) */
  sixOnly: ['kafka.enabled', 'mimir.structuredConfig.ingester.push_grpc_method_enabled', 'mimir.structuredConfig.ingest_storage.enabled', 'mimir.structuredConfig.ingest_storage.kafka.address', 'mimir.structuredConfig.ingest_storage.kafka.topic', 'mimir.structuredConfig.ingest_storage.kafka.auto_create_topic_default_partitions'],
  /** value keys only 5.x has */
  fiveOnly: ['gateway.enabledNonEnterprise', 'nginx.enabled', 'query_scheduler.enabled'],
  /** components 5.x can switch off with `<key>.enabled` (6.0's MIMIR_OPTIONAL and the query-scheduler) */
  optional: [...MIMIR_OPTIONAL, 'query_scheduler'],
  /** the rollout-operator needs no CRDs installed first (6.0.0 brought them) */
  rolloutOperatorCrds: false,
} as const;

export const mimirDistributed5Keys: ChartValueKeys = {
  chart: 'mimir-distributed',
  version: MIMIR_DISTRIBUTED_5.version,
  source: MIMIR_DISTRIBUTED_5.source,
  keys: [...mimirDistributedKeys.keys.filter((k) => !(MIMIR_DISTRIBUTED_5.sixOnly as readonly string[]).includes(k)), ...MIMIR_DISTRIBUTED_5.fiveOnly],
};

export const MIMIR_DISTRIBUTED_5_FACTS: ChartFacts = {
  ...MIMIR_DISTRIBUTED_FACTS,
  version: MIMIR_DISTRIBUTED_5.version,
  source: MIMIR_DISTRIBUTED_5.source,
  workloads: [
    ...MIMIR_DISTRIBUTED_FACTS.workloads
      .filter((w) => w.key !== 'kafka')
      .map((w): ChartWorkload => {
        // `mimir.gateway.isEnabled`: gateway.enabledNonEnterprise (default false) AND gateway.enabled (default true)
        if (w.key === 'gateway') return { ...w, enabled: { path: 'gateway.enabledNonEnterprise', default: false, with: ['gateway.enabled'] }, defaultResources: '{} (values.yaml, chart 5.7.0)' };
        if (w.key === 'query_scheduler') return { ...w, enabled: { path: 'query_scheduler.enabled', default: true } };
        return w;
      }),
    {
      key: 'nginx',
      kind: 'Deployment',
      enabled: { path: 'nginx.enabled', default: true },
      defaultResources: '{} (values.yaml, chart 5.7.0)',
      otelstack: { action: 'disable', reason: 'the deprecated nginx (5.x) routes what the gateway routes: the gateway is budgeted, nginx written explicitly off' },
    },
  ],
};
