import { comp } from './component.js';
import type { EngineFacts } from './types.js';
import { Gi } from './units.js';
import { engineVersion, versions } from './versions.js';

/**
 * Jaeger v2 as an EXISTING traces backend (seed 002 "Migration Path": Jaeger → Tempo). otelstack does not deploy
 * Jaeger: a definition names it with `managed: false` and otelstack only wires it up — the collectors export to its
 * OTLP receiver, Grafana reads its query service (datasource type "jaeger"), and `otelstack migrate` takes it to
 * Tempo. Its endpoints follow the same convention as every unmanaged engine (the service named after the engine:
 * `jaeger` on compose / VMs, `jaeger.<namespace>.svc.cluster.local` on Kubernetes).
 *
 * Verified in github.com/jaegertracing/jaeger at Go module version v1.75.0 (the Jaeger v2 binary `cmd/jaeger`, an
 * OpenTelemetry Collector build; v1.75.0 is released beside v2.12.0 — the pairing is the project's release
 * convention, its CHANGELOG at that tag still lists v1.74.0 / v2.11.0 as the newest): the embedded all-in-one
 * config cmd/jaeger/internal/all-in-one.yaml (OTLP gRPC 4317, OTLP HTTP 4318, in-memory storage), ports/ports.go
 * (QueryHTTP 16686, QueryGRPC 16685), the query service's HTTP routes cmd/query/app/http_handler.go and
 * cmd/query/app/apiv3/http_gateway.go, its parameters cmd/query/app/query_parser.go. The binary is run by the e2e
 * suite (scripts/peers/jaeger.sh).
 */
export const jaeger: EngineFacts = {
  id: 'jaeger',
  title: 'Jaeger',
  signal: 'traces',
  datasourceType: 'jaeger',
  image: 'jaegertracing/jaeger',
  pinned: engineVersion('jaeger'),
  ports: { otlpGrpc: 4317, otlpHttp: 4318, queryHttp: 16686, queryGrpc: 16685 },
  buckets: [],
  versions: [
    {
      line: '2',
      releases: ['2.11.0', '2.12.0'],
      documented: `v2 (Go module ${versions.peers['jaeger'] ?? 'unknown'})`,
      modes: {
        // the all-in-one binary (collector + query + storage in one process) is the only shape the catalog models
        monolithic: {
          kafka: 'no',
          chart: { none: 'otelstack does not deploy Jaeger: name an existing Jaeger with managed: false (otelstack wires it up and migrates from it to Tempo)' },
          components: [comp('jaeger', 'write', { cpu: 250, memory: 1 * Gi }, [1, 1], { singleton: true })],
        },
      },
    },
  ],
  endpoints: ({ target, namespace, release }) => {
    const host = target === 'kubernetes' ? `${release}.${namespace}.svc.cluster.local` : release;
    return { push: `http://${host}:4317`, query: `http://${host}:16686` };
  },
};

/** Why a definition may not ask otelstack to deploy Jaeger (the loader's error for managed: true). */
export const JAEGER_UNMANAGED_ONLY = 'otelstack wires up an existing Jaeger but does not deploy one';

/**
 * Jaeger's query service HTTP API (port queryHttp), v1.75.0 sources above. `/api/*` is the internal API the Jaeger UI
 * uses (structured response `{data, total, limit, offset, errors}`; trace ids in hex, the high 64 bits left out
 * when they are zero — model.TraceID.String); `/api/v3/*` is the OTLP-shaped API (its find needs
 * query.start_time_min and query.start_time_max, RFC 3339).
 */
export const JAEGER_API = {
  /** GET ?service=&start=&end=&limit= (start / end in Unix microseconds; limit default 100): `{data: [{traceID, spans, processes}]}` */
  search: '/api/traces',
  /** GET <path><traceID>: `{data: [trace]}`; 404 when unknown */
  traceById: '/api/traces/',
  /** GET: `{data: [service names]}` */
  services: '/api/services',
  params: { service: 'service', start: 'start', end: 'end', limit: 'limit' },
  /** the search's default limit (query_parser.go defaultQueryLimit) */
  defaultLimit: 100,
  v3: {
    findTraces: '/api/v3/traces',
    traceById: '/api/v3/traces/',
    services: '/api/v3/services',
    params: { service: 'query.service_name', timeMin: 'query.start_time_min', timeMax: 'query.start_time_max', numTraces: 'query.num_traces' },
  },
} as const;
