import { comp } from './component.js';
import type { EngineFacts } from './types.js';
import { Gi, Mi } from './units.js';
import { CHART_REPOS, chartVersion, engineVersion } from './versions.js';
import { DSKIT_TENANT_HEADER } from './dskit.js';

/** The components Loki 3.6's simple-scalable targets run (pkg/loki/loki.go at v3.6.3, the module deps of read / write / backend). */
const LOKI_TARGETS = {
  read: ['query-frontend', 'querier'],
  write: ['ingester', 'distributor', 'pattern-ingester'],
  backend: ['query-scheduler', 'ruler', 'compactor', 'index-gateway', 'bloom-planner', 'bloom-builder', 'bloom-gateway'],
} as const;

/**
 * Grafana Loki 3.x (documentation v3.6.x). The loki chart, now in the grafana-community repository, selects the
 * mode with deploymentMode: SingleBinary, SimpleScalable or Distributed. Ingesters replicate writes (RF 3).
 */
export const LOKI_DEPLOYMENT_MODE = { monolithic: 'SingleBinary', 'simple-scalable': 'SimpleScalable', microservices: 'Distributed' } as const;

export const loki: EngineFacts = {
  id: 'loki',
  title: 'Loki',
  signal: 'logs',
  datasourceType: 'loki',
  image: 'grafana/loki',
  pinned: engineVersion('loki'),
  // grafana/loki v3.6.3 cmd/loki/Dockerfile: final stage gcr.io/distroless/static:nonroot with /usr/bin/loki only (no
  // shell, no wget); cmd/loki/main.go has no health flag — the compose target probes /ready from a busybox service
  imageTools: { tools: ['/usr/bin/loki'], source: 'grafana/loki@v3.6.3 cmd/loki/Dockerfile, cmd/loki/main.go' },
  ports: { http: 3100, grpc: 9095, memberlist: 7946 },
  ready: { port: 'http', path: '/ready' },
  buckets: [
    { purpose: 'chunks', contents: 'compressed log chunks and TSDB index' },
    { purpose: 'ruler', usedBy: 'ruler', contents: 'rule groups' },
  ],
  versions: [
    {
      line: '3',
      releases: ['3.5.0', '3.6.0', '3.6.3'],
      documented: 'v3.6.x',
      replicationFactor: { default: 3, component: 'ingester' },
      modes: {
        monolithic: {
          kafka: 'no',
          chart: { repository: CHART_REPOS.grafanaCommunity, name: 'loki', version: chartVersion('loki') },
          components: [comp('loki', 'write', { cpu: 250, memory: 1 * Gi, storage: 10 * Gi }, [1, 3], { stateful: true, replicated: true })],
        },
        'simple-scalable': {
          kafka: 'no',
          chart: { repository: CHART_REPOS.grafanaCommunity, name: 'loki', version: chartVersion('loki') },
          components: [
            // what each target runs: LOKI_TARGETS
            comp('write', 'write', { cpu: 250, memory: 1 * Gi, memoryLimit: 4 * Gi, storage: 10 * Gi }, [1, 3], { stateful: true, replicated: true, runs: LOKI_TARGETS.write }),
            comp('read', 'read', { cpu: 200, memory: 512 * Mi }, [1, 2], { runs: LOKI_TARGETS.read }),
            comp('backend', 'backend', { cpu: 200, memory: 512 * Mi, storage: 10 * Gi }, [1, 3], { stateful: true, runs: LOKI_TARGETS.backend }),
          ],
        },
        microservices: {
          kafka: 'no',
          chart: { repository: CHART_REPOS.grafanaCommunity, name: 'loki', version: chartVersion('loki') },
          components: [
            comp('distributor', 'write', { cpu: 100, memory: 256 * Mi }, [1, 2]),
            comp('ingester', 'write', { cpu: 200, memory: 1 * Gi, memoryLimit: 4 * Gi, storage: 10 * Gi }, [1, 3], { stateful: true, replicated: true }),
            comp('query-frontend', 'read', { cpu: 50, memory: 256 * Mi }, [1, 2]),
            comp('query-scheduler', 'read', { cpu: 50, memory: 128 * Mi }, [1, 2]),
            comp('querier', 'read', { cpu: 100, memory: 512 * Mi }, [1, 2]),
            comp('index-gateway', 'read', { cpu: 100, memory: 512 * Mi, storage: 5 * Gi }, [1, 2], { stateful: true }),
            comp('compactor', 'backend', { cpu: 100, memory: 512 * Mi, storage: 5 * Gi }, [1, 1], { stateful: true }),
            comp('ruler', 'backend', { cpu: 100, memory: 256 * Mi }, [1, 2], { optional: true }),
          ],
        },
      },
    },
  ],
  endpoints: ({ target, namespace, release }) => {
    if (target !== 'kubernetes') return { push: `http://${release}:3100/otlp`, query: `http://${release}:3100` };
    // The loki chart fronts every deployment mode with its gateway service on port 80.
    const gateway = `${release}-gateway.${namespace}.svc.cluster.local`;
    return { push: `http://${gateway}/otlp`, query: `http://${gateway}` };
  },
};

/**
 * Loki's HTTP API as used by `otelstack verify` (Loki HTTP API documentation v3.6.x: "Query logs within a range of
 * time"; "Ingesting logs to Loki using OpenTelemetry Collector" for how OTLP fields land). OTLP logs: the resource
 * attribute service.name becomes the index label service_name; a record's trace/span ids and attributes become
 * structured metadata (trace_id, span_id), returned among the stream's labels by query_range. With auth disabled
 * the tenant is "fake".
 */
export const LOKI_API = {
  documented: 'v3.6.x',
  /** GET ?query=<LogQL>&start=&end=&limit=&direction=: `{status, data: {resultType: "streams", result}}`. */
  queryRange: '/loki/api/v1/query_range',
  /** OTLP ingestion (distributor). */
  otlpLogs: '/otlp/v1/logs',
  /**
   * GET or POST on an ingester (a monolithic Loki is one): flushes every in-memory chunk to object storage now,
   * answers 204 (v3.6.3 pkg/loki/modules.go initIngester → Ingester.FlushHandler). Without it a chunk waits for
   * ingester.chunk_idle_period (default 30m) or max_chunk_age.
   */
  flush: '/flush',
  /** ingester.chunk_idle_period default: how long a quiet chunk stays in memory without a flush (ms). */
  chunkIdlePeriodMs: 30 * 60_000,
  ready: loki.ready!.path,
  tenantHeader: DSKIT_TENANT_HEADER,
  noAuthTenant: 'fake',
  serviceNameLabel: 'service_name',
  traceIdField: 'trace_id',
} as const;

/**
 * Per-tenant limits (seed 003) in Loki's runtime configuration. Verified in grafana/loki v3.6.3:
 * pkg/loki/loki.go (`runtime_config` is dskit's runtimeconfig.Config: `file`, `period`; vendor/github.com/grafana/
 * dskit/runtimeconfig/manager.go), pkg/loki/runtime_config.go (the file's `overrides` map of tenant id →
 * validation.Limits, decoded strictly), pkg/validation/limits.go (the keys, their flag defaults, and
 * Limits.UnmarshalYAML copying the defaults before a tenant's entry is read — so a tenant's entry only needs the
 * limits it changes; rates are in MB = 1048576 bytes). The loki chart 7.0.0 writes `loki.runtimeConfig` into its
 * `<name>-runtime` ConfigMap and points runtime_config.file at it (values.yaml, templates/runtime-configmap.yaml).
 * Checked against a loki 3.6.3 built from source (loopback, filesystem storage): the rendered config passes
 * -verify-config, the rendered runtime file loads (loki_runtime_config_last_reload_successful 1), and with a tenant
 * limited to 1 MiB/s a 2 MiB push as that tenant is refused (429, "ingestion rate limit exceeded for user …") while
 * another tenant's passes; `helm template` of loki 7.0.0 writes loki.runtimeConfig into the loki-runtime ConfigMap.
 */
export const LOKI_TENANT_LIMITS = {
  source: 'grafana/loki v3.6.3 pkg/loki/runtime_config.go, pkg/validation/limits.go, vendor dskit runtimeconfig; loki chart 7.0.0 values.yaml loki.runtimeConfig',
  runtimeConfig: 'runtime_config',
  file: 'file',
  overrides: 'overrides',
  ingestionRateMb: 'ingestion_rate_mb',
  ingestionBurstMb: 'ingestion_burst_size_mb',
  maxStreams: 'max_global_streams_per_user',
  bytesPerMb: 1_048_576,
  /** flag defaults (limits.go RegisterFlags): 4 MB/s, 6 MB burst, 5000 streams */
  defaults: { ingestionRateBytes: 4 * 1_048_576, burstBytes: 6 * 1_048_576, maxStreams: 5000 },
  /** a tenant's entry is laid over the defaults: only what the definition gives is rendered */
  tenantEntryMergesDefaults: true,
  chartValues: 'loki.runtimeConfig',
} as const;

/**
 * Loki's ruler as otelstack configures it for the RUM recording rules (Loki v3.6.3 source: pkg/ruler/config.go
 * RemoteWriteConfig, pkg/ruler/registry.go getTenantConfig, pkg/ruler/base/ruler.go flags,
 * pkg/ruler/rulestore/local/local.go, pkg/ruler/storage/instance/instance.go):
 *  - `ruler.storage` `{type: local, local: {directory}}`: every sub-directory of the directory is a tenant (its name
 *    the X-Scope-OrgID), every file in it a rule namespace holding Prometheus-style rule groups whose expressions are
 *    LogQL; symlinked directories and files are followed (os.Stat), as a Kubernetes ConfigMap volume needs;
 *  - `ruler.rule_path` (default /rules): where the ruler writes temporary rule files — must be writable;
 *  - `ruler.wal.dir` (default "ruler-wal", relative to the working directory): the recording rules' WAL;
 *  - `ruler.remote_write {enabled, clients: {<id>: <Prometheus remote_write config>}, add_org_id_header}`:
 *    add_org_id_header (default true) sends each tenant's samples with X-Scope-OrgID = the Loki tenant whose rules
 *    produced them; an X-Scope-OrgID set in a client's `headers` is dropped (registry.go), so a tenant's recorded
 *    series always land in the metrics engine's tenant of the same id;
 *  - `ruler.enable_api` (default true): GET /loki/api/v1/rules (YAML, per namespace) and /prometheus/api/v1/rules
 *    (Prometheus JSON) list the loaded groups; `ruler.evaluation_interval` / `poll_interval` default 1m.
 * Checked on a real Loki 3.6.3 (built from v3.6.3, loopback, filesystem storage) with the rendered compose ruler block
 * and rule files: both tenants' groups loaded (health ok in /prometheus/api/v1/rules with X-Scope-OrgID), and Faro
 * payloads sent through the real contrib v0.158.0 collector came out as the five recorded series in a Prometheus
 * remote-write receiver, labelled env, tenant and page.
 */
export const LOKI_RULER = {
  documented: 'v3.6.3',
  storageType: 'local',
  defaultRulePath: '/rules',
  defaultWalDir: 'ruler-wal',
  addOrgIdHeaderDefault: true,
  rulesApi: '/loki/api/v1/rules',
  prometheusRulesApi: '/prometheus/api/v1/rules',
} as const;

/** Where otelstack puts the RUM rule files and the ruler's scratch directories inside a Loki container (otelstack's choice). */
export const LOKI_RULER_PATHS = {
  /** the local rule storage: <directory>/<tenant id>/<namespace file> */
  rulesDirectory: '/etc/loki/rules',
  /** the rule namespace file each tenant gets */
  namespaceFile: 'otelstack-rum.yaml',
  /** under the data volume (compose: /loki; the loki chart: /var/loki, where its own ruler WAL default lives) */
  rulePathUnder: 'ruler-scratch',
  walUnder: 'ruler-wal',
} as const;
