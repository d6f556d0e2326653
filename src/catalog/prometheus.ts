import { comp } from './component.js';
import type { EngineFacts } from './types.js';
import { Gi, Mi } from './units.js';
import { engineVersion } from './versions.js';

/** Prometheus as the metrics backend of a small single-node stack (remote-write receiver on), docs v3.7. */
export const prometheus: EngineFacts = {
  id: 'prometheus',
  title: 'Prometheus',
  signal: 'metrics',
  datasourceType: 'prometheus',
  image: 'prom/prometheus',
  pinned: engineVersion('prometheus'),
  // prometheus/prometheus Dockerfile: FROM quay.io/prometheus/busybox — busybox applets, wget among them
  imageTools: { tools: ['/bin/prometheus', '/bin/promtool', 'wget', 'sh'], source: 'prometheus/prometheus Dockerfile (FROM quay.io/prometheus/busybox)' },
  ports: { http: 9090 },
  ready: { port: 'http', path: '/-/ready' },
  buckets: [],
  versions: [
    {
      line: '3',
      releases: ['3.5.0', '3.7.3'],
      documented: 'v3.7',
      modes: {
        monolithic: {
          kafka: 'no',
          chart: { none: 'otelstack deploys Prometheus only in single-node compose and VM stacks; use Mimir on Kubernetes' },
          components: [comp('prometheus', 'write', { cpu: 250, memory: 1 * Gi, storage: 10 * Gi }, [1, 1], { stateful: true, singleton: true })],
        },
      },
    },
    {
      line: '2',
      releases: ['2.42.0', '2.53.0'],
      documented: 'v2.53',
      modes: {
        monolithic: {
          kafka: 'no',
          chart: { none: 'otelstack deploys Prometheus only in single-node compose and VM stacks' },
          components: [comp('prometheus', 'write', { cpu: 250, memory: 512 * Mi, storage: 10 * Gi }, [1, 1], { stateful: true, singleton: true })],
        },
      },
    },
  ],
  endpoints: ({ target, namespace, release }) => {
    const host = target === 'kubernetes' ? `${release}.${namespace}.svc.cluster.local` : release;
    // Prometheus 3 receives OTLP at /api/v1/otlp/v1/metrics with --web.enable-otlp-receiver
    return { push: `http://${host}:9090/api/v1/write`, query: `http://${host}:9090`, otlp: `http://${host}:9090/api/v1/otlp` };
  },
};

/**
 * The Prometheus HTTP API (documentation v2.53 / v3.7, "HTTP API"; unchanged in shape since v2.26 when
 * query_exemplars arrived). Mimir serves the same paths under MIMIR_API.prometheusPrefix. Exemplars from OTLP carry
 * the trace id in the label trace_id (Prometheus OTLP translation; the collector's prometheusremotewrite exporter
 * does the same). Plain Prometheus keeps exemplars only with --enable-feature=exemplar-storage.
 */
export const PROMETHEUS_API = {
  documented: 'v3.7',
  /** GET|POST query=&time=: `{status, data: {resultType, result}}`. */
  query: '/api/v1/query',
  /** GET|POST query=&start=&end=&step=. */
  queryRange: '/api/v1/query_range',
  /** GET|POST query=&start=&end=: `{status, data: [{seriesLabels, exemplars: [{labels, value, timestamp}]}]}`. */
  queryExemplars: '/api/v1/query_exemplars',
  /** Remote-write receiver (--web.enable-remote-write-receiver). */
  remoteWrite: '/api/v1/write',
  ready: prometheus.ready!.path,
  exemplarTraceIdLabel: 'trace_id',
  exemplarSpanIdLabel: 'span_id',
} as const;
