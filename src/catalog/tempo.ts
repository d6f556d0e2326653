import { comp } from './component.js';
import type { EngineFacts } from './types.js';
import { Gi, Mi } from './units.js';
import { CHART_REPOS, chartVersion, engineVersion } from './versions.js';
import { DSKIT_TENANT_HEADER } from './dskit.js';

/**
 * Grafana Tempo. Facts follow the Tempo 3.0 documentation (grafana.com/docs/tempo/v3.0.x: "About the Tempo
 * architecture", "Migrate from Tempo 2.x to 3.0") and the Tempo 2.10 documentation for the 2.x line.
 *
 * Tempo 3 replaced ingesters and the compactor: distributors write to Kafka; block-builders build blocks for
 * object storage and live-stores serve recent data, each consuming one partition (per zone); a backend-scheduler
 * and backend-workers maintain blocks. Kafka carries durability, so the write path has replication factor 1.
 * Monolithic mode needs no Kafka (the distributor pushes to the live-store in-process).
 * Tempo never had a store-gateway: that is a Mimir / Loki / Pyroscope component.
 */
export const tempo: EngineFacts = {
  id: 'tempo',
  title: 'Tempo',
  signal: 'traces',
  datasourceType: 'tempo',
  image: 'grafana/tempo',
  pinned: engineVersion('tempo'),
  // grafana/tempo v3.0.1 cmd/tempo/Dockerfile: final stage gcr.io/distroless/static-debian12 (no shell, no wget), only
  // /tempo; cmd/tempo/main.go + health.go: `-health` GETs `-health.url` (default http://localhost:3200/ready), exit 0/1
  imageTools: { tools: ['/tempo'], selfProbe: ['/tempo', '-health', '-health.url=http://127.0.0.1:3200/ready'], source: 'grafana/tempo@v3.0.1 cmd/tempo/Dockerfile, cmd/tempo/main.go' },
  ports: { http: 3200, grpc: 9095, otlpGrpc: 4317, otlpHttp: 4318, memberlist: 7946 },
  ready: { port: 'http', path: '/ready' },
  buckets: [{ purpose: 'blocks', contents: 'Parquet trace blocks and bloom filters' }],
  versions: [
    {
      line: '3',
      releases: ['3.0.0', '3.0.1'],
      documented: 'v3.0.x',
      partitionConsumers: ['block-builder', 'live-store'],
      ingestTopic: 'tempo-ingest',
      modes: {
        monolithic: {
          kafka: 'no',
          // grafana-community/helm-charts charts/tempo, every release up to 2.2.4 (appVersion 2.10.x): its tempo.yaml
          // template writes ingester / compactor blocks (and metrics_generator.traces_storage), which Tempo 3.0's
          // strict configuration parsing rejects. Compose runs monolithic Tempo 3 without a chart.
          chart: {
            none:
              'the tempo chart (up to 2.2.4) ships Tempo 2.10 and its tempo.yaml template writes ingester / compactor blocks that Tempo 3 rejects; ' +
              'on Kubernetes deploy Tempo 3 with tempo-distributed (mode microservices, every replica at 1 for small environments, kafka.partitions 1)',
          },
          components: [comp('tempo', 'write', { cpu: 250, memory: 1 * Gi, storage: 10 * Gi }, [1, 1], { stateful: true, singleton: true })],
        },
        microservices: {
          kafka: 'required',
          chart: { repository: CHART_REPOS.grafanaCommunity, name: 'tempo-distributed', version: chartVersion('tempo-distributed') },
          components: [
            comp('distributor', 'write', { cpu: 100, memory: 256 * Mi }, [1, 2]),
            comp('block-builder', 'write', { cpu: 200, memory: 1 * Gi }, [1, 2], {
              note: 'consumes one Kafka partition; replays from its committed offset after a restart',
            }),
            comp('live-store', 'read', { cpu: 200, memory: 1 * Gi, storage: 2 * Gi }, [1, 2], {
              stateful: true,
              note: 'serves recent traces from memory and a local WAL, one partition per replica (per zone)',
            }),
            comp('metrics-generator', 'write', { cpu: 100, memory: 512 * Mi }, [1, 2], { optional: true }),
            comp('query-frontend', 'read', { cpu: 50, memory: 256 * Mi }, [1, 2]),
            comp('querier', 'read', { cpu: 100, memory: 512 * Mi }, [1, 2]),
            comp('backend-scheduler', 'backend', { cpu: 50, memory: 128 * Mi }, [1, 1], {
              singleton: true,
              note: 'schedules block maintenance; one by design, jobs resume after a restart',
            }),
            comp('backend-worker', 'backend', { cpu: 100, memory: 512 * Mi }, [1, 2]),
          ],
        },
      },
    },
    {
      line: '2',
      releases: ['2.8.2', '2.9.0', '2.10.0'],
      documented: 'v2.10.x',
      deprecated: 'Tempo 2.x is superseded by 3.0; its tempo-distributed chart line is no longer developed.',
      replicationFactor: { default: 3, component: 'ingester' },
      modes: {
        monolithic: {
          kafka: 'no',
          chart: { repository: CHART_REPOS.grafanaCommunity, name: 'tempo', version: chartVersion('tempo') }, // the tempo chart 2.0.x ships Tempo 2.10
          components: [comp('tempo', 'write', { cpu: 250, memory: 1 * Gi, storage: 10 * Gi }, [1, 1], { stateful: true, singleton: true })],
        },
        microservices: {
          kafka: 'no',
          chart: { repository: CHART_REPOS.grafanaCommunity, name: 'tempo-distributed', version: '2.24.0' }, // last 2.x line of the chart
          components: [
            comp('distributor', 'write', { cpu: 100, memory: 256 * Mi }, [1, 2]),
            comp('ingester', 'write', { cpu: 200, memory: 1 * Gi, memoryLimit: 4 * Gi, storage: 2 * Gi }, [1, 3], {
              stateful: true,
              replicated: true,
            }),
            comp('metrics-generator', 'write', { cpu: 100, memory: 512 * Mi }, [1, 2], { optional: true }),
            comp('query-frontend', 'read', { cpu: 50, memory: 256 * Mi }, [1, 2]),
            comp('querier', 'read', { cpu: 100, memory: 512 * Mi }, [1, 2]),
            comp('compactor', 'backend', { cpu: 100, memory: 512 * Mi }, [1, 1]),
          ],
        },
      },
    },
  ],
  endpoints: ({ target, namespace, release, mode }) => {
    const host = (svc: string) => (target === 'kubernetes' ? `${svc}.${namespace}.svc.cluster.local` : svc);
    const distributor = mode === 'monolithic' ? release : `${release}-distributor`;
    const query = mode === 'monolithic' ? release : `${release}-query-frontend`;
    return { push: `http://${host(distributor)}:4317`, query: `http://${host(query)}:3200` };
  },
};

/**
 * Tempo's HTTP query API as used by `otelstack verify` / `load --read-back` (Tempo HTTP API documentation,
 * v2.10.x and v3.0.x: "Query", "Query V2", "Search"). Served by the query-frontend (monolithic: the one process)
 * on the `http` port. Multi-tenant Tempo reads the tenant from X-Scope-OrgID; with multitenancy off every trace
 * belongs to the tenant "single-tenant" (the first path segment of its objects in the blocks bucket).
 */
export const TEMPO_API = {
  documented: 'v3.0.x',
  /** GET <path><traceID>[?start=&end=]: the trace as JSON `{batches|resourceSpans: [...]}`, 404 when unknown. */
  traceById: '/api/traces/',
  /** GET <path><traceID>: `{trace: {resourceSpans|batches: [...]}, status?, message?}`, 404 when unknown. */
  traceByIdV2: '/api/v2/traces/',
  /** GET ?q=<TraceQL>&start=&end=&limit=: `{traces: [{traceID, rootServiceName, ...}], metrics}`. */
  search: '/api/search',
  ready: tempo.ready!.path,
  /**
   * Tempo 3 serves no flush endpoint: the 2.x ingester's `/flush` went with the ingester (v3.0.1
   * cmd/tempo/app/modules.go registers only `/live-store/prepare-downscale` and `/live-store/prepare-partition-downscale`
   * on the live-store, which change its shutdown behaviour). Blocks reach object storage on their own: the
   * block-builder writes them once per consume cycle, a single binary's live-store once a block completes.
   */
  flush: null,
  /** Why `otelstack verify --flush` does not ask Tempo, and how long blocks take to land without one. */
  noFlush: 'Tempo 3 has no flush endpoint; blocks land after the block-builder\'s consume cycle (block_builder.consume_cycle_duration, default 5m) or, in a single binary, a completed live-store block (live_store.max_block_duration, default 30s)',
  tenantHeader: DSKIT_TENANT_HEADER,
  singleTenantId: 'single-tenant',
} as const;

/**
 * TLS on Tempo's OTLP receivers (the distributor's `receivers.otlp.protocols.{grpc,http}`): Tempo embeds the
 * OpenTelemetry Collector's OTLP receiver, so each protocol takes the collector's configtls server block
 * (`tls.cert_file`, `tls.key_file`, `tls.client_ca_file` — the last one makes the receiver require and verify a
 * client certificate). Sources: Tempo 2.x/3.0 documentation "Configure TLS communication" (the distributor
 * receivers' tls section) and configtls.ServerConfig in the collector (config/configtls v1.64, the module the
 * peers' collector build pins). Tempo's own HTTP server (3200: queries, /ready) is not changed: Grafana reads it.
 */
export const TEMPO_OTLP_RECEIVER_TLS = { key: 'tls', certFile: 'cert_file', keyFile: 'key_file', clientCaFile: 'client_ca_file' } as const;

/**
 * Per-tenant limits (seed 003) in Tempo 3's per-tenant overrides file, new "scoped" format. Verified in grafana/tempo
 * v3.0.1 modules/overrides: config.go (`overrides.per_tenant_override_config`; IngestionOverrides `rate_limit_bytes`,
 * `burst_size_bytes`, `max_traces_per_user`, `retry_info_enabled`; GlobalOverrides `max_bytes_per_trace`;
 * ReadOverrides `max_bytes_per_tag_values_query`; the flag defaults in RegisterFlagsAndApplyDefaults) and
 * runtime_config_overrides.go (the file is `overrides: <tenant>: <Overrides>`, decoded strictly; legacy flat keys are
 * refused unless enable_legacy_overrides). getOverridesForUser returns a tenant's entry AS IS: it is not laid over
 * the defaults, so every limit left out of an entry is zero for that tenant (the tempo-distributed chart says so too:
 * "all values must be given for each per-tenant configuration block"). otelstack therefore renders each limited
 * tenant's entry complete: the definition's limits, the defaults below for the rest, and the metrics-generator
 * processors where span metrics are on. The ingestion rate strategy is not per tenant (IngestionRateStrategy reads
 * the defaults). tempo-distributed 3.0.3: `per_tenant_overrides` is written under `overrides:` into the runtime
 * ConfigMap (templates/_helpers.tpl tempo.overridesConfig), `overrides.per_tenant_override_config` defaults to
 * /runtime-config/overrides.yaml (values.yaml).
 * Checked against a tempo 3.0.1 built from source (loopback, local storage): with the rendered examples/rum files it
 * loads the tenant's entry (/status/runtime_config), refuses a 7 MiB push as the tenant (RATE_LIMITED at its 6 MiB
 * burst) while another tenant's passes, and accepts an entry with metrics_generator.processors; `helm template` of
 * tempo-distributed 3.0.3 writes per_tenant_overrides into the tempo-runtime ConfigMap.
 */
export const TEMPO_TENANT_LIMITS = {
  source: 'grafana/tempo v3.0.1 modules/overrides/config.go, runtime_config_overrides.go; tempo-distributed 3.0.3 values.yaml, templates/_helpers.tpl',
  perTenantOverrideConfig: 'per_tenant_override_config',
  overrides: 'overrides',
  ingestion: 'ingestion',
  rateLimitBytes: 'rate_limit_bytes',
  burstSizeBytes: 'burst_size_bytes',
  maxTraces: 'max_traces_per_user',
  retryInfoEnabled: 'retry_info_enabled',
  global: 'global',
  maxBytesPerTrace: 'max_bytes_per_trace',
  read: 'read',
  maxBytesPerTagValuesQuery: 'max_bytes_per_tag_values_query',
  metricsGenerator: 'metrics_generator',
  processors: 'processors',
  /** flag defaults (config.go RegisterFlagsAndApplyDefaults) */
  defaults: { rateLimitBytes: 30e6, burstSizeBytes: 30e6, maxTraces: 10e3, maxBytesPerTrace: 50e5, maxBytesPerTagValuesQuery: 10e5, retryInfoEnabled: true },
  /** a tenant's entry replaces the defaults (see above): rendered complete */
  tenantEntryMergesDefaults: false,
  chartValues: 'per_tenant_overrides',
} as const;
