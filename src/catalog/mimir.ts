import { comp } from './component.js';
import type { EngineFacts } from './types.js';
import { Gi, Mi } from './units.js';
import { CHART_REPOS, chartVersion, engineVersion } from './versions.js';
import { DSKIT_TENANT_HEADER } from './dskit.js';
import { MIMIR_READ_WRITE_TARGETS } from './charts/mimir-distributed.js';

/**
 * Grafana Mimir. Facts follow the Mimir 3.0 documentation and the mimir-distributed chart 6.0 release notes
 * (grafana.com/docs/helm-charts/mimir-distributed/v6.0.x): chart 6 deploys the ingest-storage architecture
 * (Kafka) by default, with a bundled single-node Kafka "for demonstration and testing only"; classic mode keeps
 * ingesters with a WAL and a replicated ring (replication factor 3 by default).
 * Mimir has no monolithic chart; read-write mode (mimir-write / mimir-read / mimir-backend) existed only in its
 * jsonnet (operations/mimir, read-write-deployment), never in the chart — and Mimir 3.0 removed it altogether
 * (grafana/mimir#12584: no write / read / backend targets; removedModes on the 3 line below, a load error with the
 * reason). Read-write mode is on the 2 line only (experimental there): the microservices ↔ read-write runbooks of
 * seed 004 are for Mimir 2.x stacks.
 */
export const MIMIR_READ_WRITE_REMOVED =
  'Mimir 3.0 removed the experimental read-write deployment mode and its write / read / backend targets (grafana/mimir#12584): mimir-write / mimir-read / mimir-backend would not start';
const microservices = [
  comp('distributor', 'write', { cpu: 100, memory: 256 * Mi }, [1, 2]),
  comp('ingester', 'write', { cpu: 200, memory: 1 * Gi, memoryLimit: 4 * Gi, storage: 2 * Gi }, [1, 3], {
    stateful: true,
    replicated: true,
  }),
  comp('query-frontend', 'read', { cpu: 50, memory: 256 * Mi }, [1, 2]),
  comp('query-scheduler', 'read', { cpu: 50, memory: 128 * Mi }, [1, 2], {
    optional: true,
    whenAbsent: {
      severity: 'warning',
      reason: 'the mimir-distributed 6 chart always deploys the query-scheduler (queriers and query-frontends go through it); left out of the definition, it runs with the chart\'s default replicas and resources, outside the budget',
    },
  }),
  comp('querier', 'read', { cpu: 100, memory: 512 * Mi }, [1, 2]),
  comp('store-gateway', 'read', { cpu: 100, memory: 512 * Mi, memoryLimit: 2 * Gi, storage: 2 * Gi }, [1, 2], {
    stateful: true,
    note: 'keeps index-headers on its volume; without one it downloads them again after every restart',
  }),
  comp('compactor', 'backend', { cpu: 100, memory: 512 * Mi, storage: 2 * Gi }, [1, 1], { stateful: true }),
  comp('ruler', 'backend', { cpu: 100, memory: 256 * Mi }, [1, 2], { optional: true }),
  comp('alertmanager', 'backend', { cpu: 50, memory: 256 * Mi, storage: 1 * Gi }, [1, 3], { stateful: true, optional: true }),
  comp('overrides-exporter', 'backend', { cpu: 50, memory: 128 * Mi }, [1, 1], { optional: true }),
];

/** -target=all: every component in one process (compose and VM stacks). */
const monolith = comp('mimir', 'write', { cpu: 300, memory: 1 * Gi, storage: 5 * Gi }, [1, 1], { stateful: true, singleton: true });

export const mimir: EngineFacts = {
  id: 'mimir',
  title: 'Mimir',
  signal: 'metrics',
  datasourceType: 'prometheus',
  image: 'grafana/mimir',
  pinned: engineVersion('mimir'),
  // grafana/mimir cmd/mimir/Dockerfile (3.x): FROM gcr.io/distroless/static-debian12 with /bin/mimir only (2.x was
  // alpine); no health flag — the compose target probes /ready from a busybox service
  imageTools: { tools: ['/bin/mimir'], source: 'grafana/mimir cmd/mimir/Dockerfile (3.x, distroless static-debian12)' },
  ports: { http: 8080, grpc: 9095, memberlist: 7946 },
  ready: { port: 'http', path: '/ready' },
  buckets: [
    { purpose: 'blocks', contents: 'TSDB blocks (2h ranges, compacted)' },
    { purpose: 'ruler', usedBy: 'ruler', contents: 'recording and alerting rule groups' },
    { purpose: 'alertmanager', usedBy: 'alertmanager', contents: 'Alertmanager configuration and state' },
  ],
  versions: [
    {
      line: '3',
      releases: ['3.0.0', '3.0.1'],
      documented: 'v3.0.x',
      ingestTopic: 'ingest',
      replicationFactor: { default: 3, component: 'ingester' },
      removedModes: {
        'read-write': {
          reason: MIMIR_READ_WRITE_REMOVED,
          instead: 'use mode microservices on Mimir 3; read-write runs on Mimir 2.x only (experimental there), and a 2.x read-write stack moves to microservices before it upgrades to Mimir 3',
        },
      },
      modes: {
        microservices: {
          kafka: 'default-on',
          chart: { repository: CHART_REPOS.grafana, name: 'mimir-distributed', version: chartVersion('mimir-distributed') },
          components: microservices,
        },
        monolithic: {
          kafka: 'no',
          chart: { none: 'Mimir has no monolithic chart; mimir-distributed with every replica at 1 is the minimal Kubernetes deployment' },
          components: [monolith],
        },
      },
    },
    {
      line: '2',
      releases: ['2.16.0', '2.17.0'],
      documented: 'v2.17.x',
      deprecated: 'Mimir 2.x is superseded by 3.0.',
      replicationFactor: { default: 3, component: 'ingester' },
      modes: {
        microservices: {
          kafka: 'no',
          chart: { repository: CHART_REPOS.grafana, name: 'mimir-distributed', version: '5.8.0' },
          components: microservices,
        },
        'read-write': {
          kafka: 'no',
          chart: {
            none: 'read-write mode (mimir-write / mimir-read / mimir-backend) exists only in Mimir\'s jsonnet; the mimir-distributed chart deploys microservices',
          },
          components: [
            comp('mimir-write', 'write', { cpu: 300, memory: 1536 * Mi, memoryLimit: 4 * Gi, storage: 2 * Gi }, [1, 3], {
              stateful: true,
              replicated: true,
              runs: MIMIR_READ_WRITE_TARGETS['mimir-write'].runs,
            }),
            comp('mimir-read', 'read', { cpu: 200, memory: 768 * Mi }, [1, 2], { runs: MIMIR_READ_WRITE_TARGETS['mimir-read'].runs }),
            comp('mimir-backend', 'backend', { cpu: 200, memory: 768 * Mi, storage: 2 * Gi }, [1, 3], { stateful: true, runs: MIMIR_READ_WRITE_TARGETS['mimir-backend'].runs }),
            // Mimir's jsonnet keeps the Alertmanager's own StatefulSet in read-write mode: read-write-deployment.libsonnet
            // (07ff4d97) uninstalls the other microservices but not alertmanager_statefulset, and runs mimir-backend's
            // embedded Alertmanager on local filesystem storage (read-write-deployment backend.libsonnet:
            // `alertmanager-storage.backend: filesystem`)
            comp('alertmanager', 'backend', { cpu: 50, memory: 256 * Mi, storage: 1 * Gi }, [1, 3], { stateful: true, optional: true }),
          ],
        },
        monolithic: {
          kafka: 'no',
          chart: { none: 'Mimir has no monolithic chart' },
          components: [monolith],
        },
      },
    },
  ],
  endpoints: ({ target, namespace, release, mode }) => {
    const host = (svc: string) => (target === 'kubernetes' ? `${svc}.${namespace}.svc.cluster.local` : svc);
    // Mimir 3 documents OTLP ingestion at /otlp/v1/metrics
    if (mode === 'monolithic') {
      const base = `http://${host(release)}:8080`;
      return { push: `${base}/api/v1/push`, query: `${base}/prometheus`, otlp: `${base}/otlp` };
    }
    // mimir-distributed's gateway Service is `<fullname>-gateway` (templates/gateway/_helpers.tpl
    // mimir.gateway.service.name at 096dc676: mimir.resourceName component "gateway"; the fullname is the release when
    // it contains "mimir", as the engine id does), port 80 (gateway.service.port), and its nginx config routes
    // /api/v1/push, /otlp/v1/metrics and /prometheus (values.yaml at 30ef0780, chart 6.0.4).
    const gw = `${release}-gateway`;
    const port = target === 'kubernetes' ? 80 : 8080;
    const base = `http://${host(gw)}:${port}`;
    return { push: `${base}/api/v1/push`, query: `${base}/prometheus`, otlp: `${base}/otlp` };
  },
};

/**
 * Mimir's HTTP API as used by `otelstack verify` (Mimir HTTP API documentation v3.0.x: the Prometheus-compatible
 * query API under the configurable prefix, default `/prometheus`, see PROMETHEUS_API for the paths below it).
 * With multitenancy disabled every series belongs to the tenant "anonymous" (the first path segment of its
 * objects in the blocks bucket). Exemplars are stored only when limits.max_global_exemplars_per_user > 0.
 */
export const MIMIR_API = {
  documented: 'v3.0.x',
  prometheusPrefix: '/prometheus',
  /** OTLP ingestion (distributor). */
  otlpMetrics: '/otlp/v1/metrics',
  /** Flushes in-memory series of the ingesters to blocks in object storage. */
  flush: '/ingester/flush',
  ready: mimir.ready!.path,
  tenantHeader: DSKIT_TENANT_HEADER,
  anonymousTenant: 'anonymous',
  exemplarsLimit: 'limits.max_global_exemplars_per_user',
} as const;

/**
 * Exemplar storage (Mimir 3.0 "Configure exemplars"; limits.max_global_exemplars_per_user, default 0 = every exemplar
 * dropped): the per-tenant number of exemplars the ingesters keep in memory, spread over the tenant's series. The
 * plan sets it wherever exemplars are sent to Mimir (Tempo's metrics-generator sends them; OTLP metrics may carry
 * them); 100000 is the order of magnitude Mimir's documentation uses for it.
 */
export const MIMIR_EXEMPLARS = { limit: 'max_global_exemplars_per_user', defaultPerTenant: 100_000 } as const;

/**
 * Per-tenant limits (seed 003) in Mimir's runtime configuration — UNVERIFIED: the Mimir source is not available
 * here; from the Mimir 3.0 documentation ("About runtime configuration", "Configuration parameters" → limits) only.
 * `runtime_config.file` names the file; its `overrides` map tenant id → limits block; a tenant's entry is laid over
 * the defaults (documented; the same validation.Limits mechanism as Loki's, whose source does that). Keys:
 * `ingestion_rate` (samples/s, default 10000), `ingestion_burst_size` (samples, default 200000),
 * `max_global_series_per_user` (default 150000). mimir-distributed: top-level `runtimeConfig` values become the
 * runtime ConfigMap `<fullname>-runtime` (key runtime.yaml, mounted at /var/mimir) the chart's config points
 * runtime_config.file at (/var/<mimir.name>/runtime.yaml) — checked in values.yaml at 30ef0780 (chart 6.0.4; 6.0.0 not
 * stored) and templates/runtime-configmap.yaml at 07241f91; the limit keys themselves stay unverified (docs only).
 */
export const MIMIR_TENANT_LIMITS = {
  source: 'UNVERIFIED: Mimir 3.0 documentation (About runtime configuration; Configuration parameters, limits); mimir-distributed docs (runtimeConfig)',
  verified: false,
  runtimeConfig: 'runtime_config',
  file: 'file',
  overrides: 'overrides',
  ingestionRate: 'ingestion_rate',
  ingestionBurst: 'ingestion_burst_size',
  maxSeries: 'max_global_series_per_user',
  defaults: { samplesPerSecond: 10_000, burst: 200_000, maxSeries: 150_000 },
  tenantEntryMergesDefaults: true,
  chartValues: 'runtimeConfig',
} as const;
