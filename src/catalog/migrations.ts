/**
 * Engine facts of the migrations `otelstack migrate` plans (src/ops/migrate reads them; nothing else names them).
 *
 * Mimir microservices ↔ read-write: Grafana Mimir's documentation page "Migrate from microservices to read-write mode
 * without downtime" (Deploy with Jsonnet and Tanka; an older documented version, reproduced whole in seed 004). The
 * metric names, job names and the wait below are the ones that page shows; the jsonnet `_config` keys and objects it
 * uses were read in Mimir's jsonnet (grafana/mimir operations/mimir, single files of the search index, see `jsonnet`);
 * the Helm keys in the chart's values.yaml (MIMIR_HELM_KEYS_SOURCE). Where a fact is otelstack's own derivation it
 * says so (`derived`).
 */

/**
 * mimir-distributed value keys the runbook writes for Helm users, each read in values.yaml at 30ef0780 (Chart.yaml
 * there: version 6.0.4): `<component>.replicas` (ingester / store_gateway / alertmanager: the total over the zones,
 * ceil(replicas / zones) per zone; `zoneAwareReplication.zones[]` has no replicas of its own),
 * `ingester.zoneAwareReplication.enabled` and `store_gateway.zoneAwareReplication.enabled` (default true),
 * `store_gateway.extraArgs` (a map, rendered `-key=value`), `ruler.remoteEvaluationDedicatedQueryPath` (default false),
 * `gateway.enabled`, `rollout_operator.enabled`. 6.0.0 is not stored; the CHANGELOG at 30ef0780 lists no values change
 * in 6.0.1–6.0.4.
 */
export const MIMIR_HELM_KEYS_VERIFIED = true as const;
export const MIMIR_HELM_KEYS_SOURCE = 'grafana/mimir mimir-distributed values.yaml at 30ef0780 (chart 6.0.4; 6.0.0 not stored)';

export const MIMIR_READ_WRITE_MIGRATION = {
  id: 'mimir-microservices-to-read-write',
  reverseId: 'mimir-read-write-to-microservices',
  engine: 'mimir',
  source: 'Grafana Mimir documentation, "Migrate from microservices to read-write mode without downtime" (Jsonnet and Tanka; older documented version, seed 004)',
  experimental: 'Read-write mode is experimental in Mimir, as well as migrating between the modes (the documentation\'s own warning).',
  reverse: 'The documentation says only that its steps "can be applied vice-versa"; the reverse runbook is otelstack\'s derivation (each step marked derived), not a documented procedure.',
  reverseRuler: 'ruler remote evaluation is not part of the reverse runbook: if the microservices should evaluate rules remotely, enable it once the microservice ruler, querier and query-frontend run (not derived here)',
  helmGap:
    'the mimir-distributed chart has no read-write mode (grafana/mimir#8903 is open): mimir-write / mimir-read / mimir-backend cannot be deployed through Helm values; deploy them with Mimir\'s jsonnet (the overlays below); otelstack renders them as Kubernetes objects only beside a mimir-distributed release (helmObjects)',
  /** the Helm users' path: the read-write components as Kubernetes objects beside the release (render/kubernetes/mimir-read-write.ts) */
  helmObjects:
    'the mimir-distributed chart has no read-write mode (grafana/mimir#8903 is open): no Helm value deploys mimir-write / mimir-read / mimir-backend; `otelstack migrate render --step N` writes them as Kubernetes objects (kubernetes/mimir-read-write/: Deployment / StatefulSets per zone, Services, PodDisruptionBudgets) with that step\'s replicas, mounting the release\'s config and joining its memberlist ring (the gossip-ring Service selects them), so Helm users follow the same steps without jsonnet; apply them with kubectl or an ArgoCD Application with a directory source',
  helmObjectsKeep:
    'the read-write objects mount the release\'s config and runtime ConfigMaps, join its gossip-ring Service and run as its ServiceAccount: keep the mimir-distributed release installed, every microservice at 0 replicas (uninstalling it would take the configuration of mimir-read / mimir-write / mimir-backend with it)',
  /**
   * values.yaml at 30ef0780 (chart 6.0.4), `gateway.nginx.config.file`: /distributor, /api/v1/push and /otlp/v1/metrics
   * go to `<fullname>-distributor-headless`, /prometheus to `<fullname>-query-frontend`, the rules API and /ruler/ring to
   * `<fullname>-ruler`, the Alertmanager paths to `<fullname>-alertmanager-headless`, /api/v1/upload/block/ to
   * `<fullname>-compactor` — fixed in that one templated file, no value per route.
   */
  gatewayRouting:
    'mimir-distributed\'s gateway (nginx) sends pushes to the distributors and queries to the query-frontend by fixed names in its config file (gateway.nginx.config.file; no value per route, charts 5.7.0 and 6.0.4): route at the ingress / load balancer in front of it',
  /** the plan's note on the Helm keys (MIMIR_HELM_KEYS_SOURCE) */
  helmKeysNote: 'the Helm keys below were checked in mimir-distributed 6.0.4\'s values.yaml (grafana/mimir 30ef0780); 6.0.0 is not stored, and its CHANGELOG lists no values change in 6.0.1–6.0.4',
  /** the same for a 5.x chart (Mimir 2.x, the line with read-write mode): 5.7.0's values.yaml is the closest stored */
  helmKeysNote5: (chart: string): string =>
    `the release runs mimir-distributed ${chart}: the Helm keys below were checked in 5.7.0's values.yaml (grafana/mimir 5c776e42); ${chart} is not stored, and its CHANGELOG (7b24e4ab) lists no change to them`,
  /** which microservices each read-write component replaces (the documentation's diff list) */
  groups: {
    read: { readWrite: 'mimir-read', microservices: ['query-frontend', 'querier'] },
    backend: { readWrite: 'mimir-backend', microservices: ['query-scheduler', 'store-gateway', 'compactor', 'ruler', 'overrides-exporter'] },
    write: { readWrite: 'mimir-write', microservices: ['distributor', 'ingester'] },
  },
  /**
   * jsonnet `_config` knobs the page uses, each read in grafana/mimir operations/mimir (the deployment_mode era,
   * Mimir 2.x): operations/mimir/config.libsonnet at 0139a083 (`deployment_mode`: 'microservices' | 'read-write' |
   * 'migration'; migration = both); read-write-deployment/config.libsonnet at efd72bb1 (`mimir_write_replicas`,
   * `mimir_read_replicas`, `mimir_backend_replicas`, and its asserts: read-write needs `multi_zone_ingester_enabled`,
   * `multi_zone_store_gateway_enabled`, `memberlist_ring_enabled`; outside microservices / migration it needs
   * `autoscaling_querier_enabled`, `ruler_remote_evaluation_enabled` and `overrides_exporter_enabled` false);
   * read-write-deployment/autoscaling.libsonnet at 026431b8 (`autoscaling_mimir_read_enabled`, `_min_replicas`,
   * `_max_replicas`); multi-zone.libsonnet at 11e51f81 (`multi_zone_ingester_enabled`,
   * `multi_zone_store_gateway_enabled`, `multi_zone_store_gateway_replicas`, `ingester_zone_<a|b|c>_statefulset`;
   * also multi-zone-store-gateway.libsonnet at bb249d95); autoscaling.libsonnet at 00e4b16e
   * (`autoscaling_querier_enabled`, `autoscaling_ruler_querier_enabled`); ruler-remote-evaluation.libsonnet at
   * 0139a083 (`ruler_remote_evaluation_enabled`); read-write-deployment/backend.libsonnet at 0139a083
   * (`mimir_backend_args` = … + `$.store_gateway_args` + `target: 'backend'`).
   * Observed there, not changed here: that config sets `overrides_exporter_enabled: false` whenever
   * is_read_write_deployment_mode (migration too), so overrides-exporter.libsonnet defines
   * `overrides_exporter_deployment` as null in migration mode, and the page's `overrides_exporter_deployment+:` overlay
   * (step 5) would fail to evaluate (go-jsonnet 0.22: `{a: null} + {a+: {}}` is "RUNTIME ERROR: Unexpected type null").
   */
  jsonnet: {
    deploymentMode: 'deployment_mode',
    modes: { migration: 'migration', readWrite: 'read-write', microservices: 'microservices' },
    zoneAware: ['multi_zone_ingester_enabled', 'multi_zone_store_gateway_enabled'],
    replicas: { 'mimir-write': 'mimir_write_replicas', 'mimir-read': 'mimir_read_replicas', 'mimir-backend': 'mimir_backend_replicas' },
    readAutoscaling: { enabled: 'autoscaling_mimir_read_enabled', min: 'autoscaling_mimir_read_min_replicas', max: 'autoscaling_mimir_read_max_replicas' },
    storeGatewayReplicas: 'multi_zone_store_gateway_replicas',
    querierAutoscaling: 'autoscaling_querier_enabled',
    rulerRemoteEvaluation: 'ruler_remote_evaluation_enabled',
    rulerQuerierAutoscaling: 'autoscaling_ruler_querier_enabled',
    /**
     * component → the jsonnet object scaled with `<kind>.mixin.spec.withReplicas(n)`: the names of
     * read-write-deployment.libsonnet at 07ff4d97 (its uninstall list) and of the deployment_mode-era component files
     * (query-frontend, querier, distributor, compactor, ruler, overrides-exporter .libsonnet, read as single files of
     * the search index without their commits)
     */
    objects: {
      'query-frontend': { object: 'query_frontend_deployment', kind: 'deployment' },
      'query-scheduler': { object: 'query_scheduler_deployment', kind: 'deployment' },
      querier: { object: 'querier_deployment', kind: 'deployment' },
      ruler: { object: 'ruler_deployment', kind: 'deployment' },
      'overrides-exporter': { object: 'overrides_exporter_deployment', kind: 'deployment' },
      compactor: { object: 'compactor_statefulset', kind: 'statefulSet' },
      distributor: { object: 'distributor_deployment', kind: 'deployment' },
    } as Record<string, { object: string; kind: 'deployment' | 'statefulSet' }>,
    /** ingesters per zone: ingester_zone_<a|b|c>_statefulset */
    ingesterZoneObject: (zoneLetter: string) => `ingester_zone_${zoneLetter}_statefulset`,
    zoneLetters: ['a', 'b', 'c'],
    storeGatewayArgs: 'store_gateway_args',
    backendArgs: 'mimir_backend_args',
    /**
     * Where the snippets' `deployment` / `statefulSet` come from when a step's overlay is a file of its own: the
     * Kubernetes library of Grafana's jsonnet-libs that Mimir's jsonnet builds on: operations/mimir/mimir.libsonnet
     * (a2e82d1c, 063371ec) starts with `(import 'ksonnet-util/kausal.libsonnet')`, jsonnetfile.json (063371ec) takes
     * ksonnet-util from grafana/jsonnet-libs, and multi-zone.libsonnet (00f7961a) binds `k.apps.v1.deployment` /
     * `k.apps.v1.statefulSet` from it and calls their `.mixin.spec.withReplicas`.
     */
    k8sLibrary: { import: 'ksonnet-util/kausal.libsonnet', deployment: 'k.apps.v1.deployment', statefulSet: 'k.apps.v1.statefulSet' },
  },
  /** multi-zone.libsonnet at 11e51f81 sets it false on the zone store-gateways */
  storeGatewayUnregisterFlag: 'store-gateway.sharding-ring.unregister-on-shutdown',
  /** mimir-distributed's ruler remote evaluation (a dedicated ruler query path; values.yaml at 30ef0780, chart 6.0.4) */
  rulerRemoteEvaluationHelm: 'ruler.remoteEvaluationDedicatedQueryPath',
  /** the rings the documentation checks after mimir-backend is scaled up and after the microservices leave */
  rings: ['query-scheduler', 'store-gateway', 'compactor', 'ruler'],
  /**
   * The rings' status pages (Mimir's HTTP API reference: "<component> ring status", GET /<component>/ring; the
   * paths unverified against a running Mimir) and their JSON form: dskit's ring page handler (ring/ring_http.go
   * renderHTTPResponse / httpResponse / ingesterDesc, read in the dskit vendored by grafana/loki v3.6.3 and
   * grafana/tempo v3.0.1 — the same there for these fields) answers JSON when the Accept header contains
   * application/json, the HTML status page otherwise. Checked against real Loki 3.6.3 GET /ring and real Tempo 3.0.1
   * GET /live-store/ring on loopback: 200 application/json {"shards": [...], "now": "..."}, each instance with the keys
   * id, state, address, timestamp, registered_timestamp, read_only, read_only_updated_timestamp, zone, tokens (zone ""
   * without a zone; state ACTIVE for a running instance, UNHEALTHY when its heartbeat is late, from the source); without the header,
   * 200 text/html. Instance ids are the pods' hostnames: the read-write components' pods are named mimir-read /
   * mimir-write / mimir-backend (seed 004's jsonnet), every other id is a microservice's.
   */
  ringPages: { 'query-scheduler': '/query-scheduler/ring', 'store-gateway': '/store-gateway/ring', compactor: '/compactor/ring', ruler: '/ruler/ring' } as Record<string, string>,
  ringJson: { accept: 'application/json', instances: 'shards', id: 'id', state: 'state', zone: 'zone' },
  readWriteInstance: 'mimir-(read|write|backend)',
  /** metric names, job / pod matchers and routes of the documentation's gate queries */
  metrics: {
    querierRequests: 'cortex_querier_request_duration_seconds_count',
    queryFrontendQueries: 'cortex_query_frontend_queries_total',
    requests: 'cortex_request_duration_seconds_count',
  },
  jobs: { read: '.*mimir-read.*', write: '.*mimir-write.*', distributor: '.*distributor.*', querier: '.*querier.*' },
  /** the ruler's own query-frontend pods, excluded by the documentation's query */
  rulerQueryFrontendPods: 'ruler-query-frontend.*',
  /**
   * derived: the documentation's query counts every pod except ruler-query-frontend — mimir-read's embedded
   * query-frontend too — and is read per pod by a person; the executable gate also keeps only the microservice's pods.
   */
  queryFrontendPods: '.*query-frontend.*',
  readPods: 'mimir-read.*',
  routes: {
    queryApi: '(prometheus|api_prom)_api_v1_.+',
    push: '/distributor.Distributor/Push|/httpgrpc.*|api_(v1|prom)_push|otlp_v1_metrics',
  },
  rateWindow: '1m',
  /** the documentation's wait after distributors are scaled to 0 */
  headCompactionWait: { seconds: 2 * 3600, what: 'the next TSDB head compaction for ingesters (2 h)' },
  ingesterShutdown: 'the documented ingester shutdown procedure for multi-zone ingesters (run-production-environment / scaling-out: "Scaling down ingesters deployed in multiple zones")',
  ingesterShutdownWait: 'the time step 4 of the ingester shutdown procedure requires (the seed does not give it)',
  /** PVCs left to release after the cleanup (the documentation's grep) */
  pvcPattern: '(ingester|store-gateway|compactor)',
  /** the documentation's first gate query has unbalanced quoting (`job=~".*mimir-read.*))"`); otelstack runs it balanced */
  queryFixes: ['cortex_querier_request_duration_seconds_count: the documented job matcher `".*mimir-read.*))"` is unbalanced; run as `".*mimir-read.*"`'],
} as const;

/** The PromQL of the documentation's gates (and of their mirrored forms for the reverse runbook, derived). */
export function mimirGateQuery(kind: 'read-serving' | 'query-frontend-idle' | 'distributor-idle' | 'querier-serving' | 'read-frontend-idle' | 'write-idle'): string {
  const m = MIMIR_READ_WRITE_MIGRATION;
  const w = m.rateWindow;
  switch (kind) {
    case 'read-serving':
      return `sum by (pod) (rate(${m.metrics.querierRequests}{job=~"${m.jobs.read}", route=~"${m.routes.queryApi}"}[${w}]))`;
    case 'querier-serving':
      return `sum by (pod) (rate(${m.metrics.querierRequests}{job=~"${m.jobs.querier}", route=~"${m.routes.queryApi}"}[${w}]))`;
    case 'query-frontend-idle':
      return `sum by (pod) (rate(${m.metrics.queryFrontendQueries}{pod=~"${m.queryFrontendPods}", pod!~"${m.rulerQueryFrontendPods}"}[${w}]))`;
    case 'read-frontend-idle':
      return `sum by (pod) (rate(${m.metrics.queryFrontendQueries}{pod=~"${m.readPods}"}[${w}]))`;
    case 'distributor-idle':
      return `sum by (job) (rate(${m.metrics.requests}{job=~"${m.jobs.distributor}", route=~"${m.routes.push}"}[${w}]))`;
    case 'write-idle':
      return `sum by (job) (rate(${m.metrics.requests}{job=~"${m.jobs.write}", route=~"${m.routes.push}"}[${w}]))`;
  }
}

/**
 * Prometheus → Mimir: Prometheus's configuration keys (remote_write, url, headers) and its remote-write metrics
 * (prometheus.io docs "Remote write tuning" / the storage/remote metrics), and its default retention
 * (--storage.tsdb.retention.time, 15d). The metric names are checked on the real Prometheus of the e2e suite.
 */
export const PROMETHEUS_MIGRATION = {
  keys: { remoteWrite: 'remote_write', url: 'url', headers: 'headers' },
  metrics: {
    samplesFailed: 'prometheus_remote_storage_samples_failed_total',
    highestTimestamp: 'prometheus_remote_storage_highest_timestamp_in_seconds',
    highestSentTimestamp: 'prometheus_remote_storage_queue_highest_sent_timestamp_seconds',
  },
  defaultRetention: { seconds: 15 * 24 * 3600, what: "Prometheus's retention, 15 days by default" },
} as const;

/**
 * Loki monolithic → simple-scalable → microservices on Kubernetes (the loki chart). Verified in
 * grafana-community/helm-charts at tag loki-7.0.0 (the pinned chart): values.yaml documents the two transitional
 * deploymentMode values `SingleBinary<->SimpleScalable` and `SimpleScalable<->Distributed`; templates/_helpers.tpl
 * (loki.deployment.isSingleBinary / isScalable / isDistributed) deploys both modes' targets in a transitional mode,
 * and the gateway's nginx config routes everything to the OLDER mode while it lasts (isSingleBinary is tested before
 * isScalable, isScalable before isDistributed); templates/validate.yaml refuses single-binary and distributed
 * replicas together ("there is no transition mode between these targets … transition to the SimpleScalable mode
 * first"). Every target's pods carry app.kubernetes.io/part-of: memberlist and share one loki config (ring on
 * memberlist, the same object storage and schema_config), so the new targets join the old ones' rings.
 * Names (release "loki", _helpers.tpl / _helpers-<target>.tpl): single binary StatefulSet `loki` (pods loki-0…),
 * loki-write / loki-read / loki-backend, loki-distributor, loki-ingester(-zone-<z>), loki-query-frontend, loki-querier.
 * Loki facts (grafana/loki v3.6.3): the ingester ring's status page is GET /ring (pkg/loki/modules.go initRing,
 * dskit's ring page: JSON with Accept: application/json, MIMIR_READ_WRITE_MIGRATION.ringJson; checked against real
 * Loki 3.6.3 GET /ring on loopback: the instance listed under its ingester.lifecycler.id, zone its
 * availability_zone); POST /ingester/shutdown takes flush (default true),
 * delete_ring_tokens (default false) and terminate (default true) (pkg/ingester/ingester.go ShutdownHandler); the
 * metrics loki_distributor_lines_received_total (pkg/loghttp/push/push.go), loki_ingester_memory_streams
 * (pkg/ingester/instance.go) and loki_request_duration_seconds (dskit's instrumented server, route = the path with
 * "/" → "_", e.g. loki_api_v1_query_range: unverified naming).
 */
export const LOKI_MODES_MIGRATION = {
  chart: 'loki 7.0.0 (grafana-community/helm-charts)',
  deploymentMode: 'deploymentMode',
  /** the chart's deploymentMode per catalog mode, and the transitional mode between two neighbours */
  transitions: {
    'monolithic>simple-scalable': 'SingleBinary<->SimpleScalable',
    'simple-scalable>microservices': 'SimpleScalable<->Distributed',
  } as Record<string, string>,
  /** per chart mode: the pods that take pushes (distributors), the ring ids of its ingesters, the query pods, the write / read Services ({release} is the Helm release) */
  modes: {
    SingleBinary: { distributors: '{release}-[0-9]+', ingesters: '^{release}-[0-9]+$', queriers: '{release}-[0-9]+', writeService: '{release}', readService: '{release}', ingesterPods: '{release}-[0-9]+' },
    SimpleScalable: { distributors: '{release}-write-.*', ingesters: '^{release}-write-', queriers: '{release}-read-.*', writeService: '{release}-write', readService: '{release}-read', ingesterPods: '{release}-write-.*' },
    Distributed: { distributors: '{release}-distributor-.*', ingesters: '^{release}-ingester-', queriers: '{release}-(querier|query-frontend)-.*', writeService: '{release}-distributor', readService: '{release}-query-frontend', ingesterPods: '{release}-ingester-.*' },
  } as Record<string, { distributors: string; ingesters: string; queriers: string; writeService: string; readService: string; ingesterPods: string }>,
  ringPage: '/ring',
  ringName: 'ingester',
  /** Loki's HTTP port (every target serves /ring, /flush, /ingester/shutdown on it) */
  httpPort: 3100,
  shutdown: { path: '/ingester/shutdown', params: 'flush=true&delete_ring_tokens=true&terminate=false' },
  metrics: {
    linesReceived: 'loki_distributor_lines_received_total',
    memoryStreams: 'loki_ingester_memory_streams',
    requests: 'loki_request_duration_seconds_count',
  },
  queryRoutes: 'loki_api_v1_query_range|loki_api_v1_query',
  /** the push paths and query paths an ingress / load balancer routes (Loki HTTP API v3.6.x) */
  pushPaths: ['/loki/api/v1/push', '/otlp/v1/logs'],
  queryPaths: ['/loki/api/v1/query', '/loki/api/v1/query_range', '/loki/api/v1/labels', '/loki/api/v1/label/*', '/loki/api/v1/series', '/loki/api/v1/tail'],
  rateWindow: '1m',
  /** the LogQL query of the read-path gate: every stream that has a service name (OTLP logs carry service_name) */
  readQuery: '{service_name=~".+"}',
  /** PVC name prefixes the chart's StatefulSets leave behind per chart mode (volumeClaimTemplates "storage" / "data") */
  pvcs: { SingleBinary: 'storage-{release}-', SimpleScalable: 'data-{release}-(write|backend)-' } as Record<string, string>,
} as const;
