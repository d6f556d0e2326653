/**
 * Metric names: what each engine and collector exposes at its pinned version (src/catalog/versions.json), and what
 * a Prometheus-compatible scraper or the kubelet adds. Dashboards (src/render/grafana) and rules (src/render/rules)
 * take every metric name from here; test/render/rules and test/render/grafana parse their PromQL and prove that
 * each name is a family below that the rendered pipeline produces.
 *
 * Where each fact was checked:
 *  - OpenTelemetry Collector v0.158.0 (engines.otelcol): metadata.yaml / documentation.md of
 *    receiver/receiverhelper, exporter/exporterhelper, processor/memorylimiterprocessor and service (v0.158.0),
 *    kafkareceiver / kafkaexporter (contrib v0.158.0). Exposition: the service's Prometheus pull reader defaults to
 *    `without_units: true` + `without_type_suffix: true` (service/telemetry/otelconftelemetry, re-applied to
 *    explicitly configured readers by internal/migration/v0.3.0.go), which otelconf v0.24 maps to the
 *    otlptranslator NoTranslation strategy: names are the instrument names, counters carry NO `_total` and units add
 *    no suffix (`otelcol_exporter_sent_spans`, `otelcol_process_memory_rss`). Confirmed by scraping a v0.158.0
 *    collector built from scripts/peers/otelcol-builder.yaml.
 *  - Grafana Alloy 1.12 (engines.alloy): `otelcol.*` components register their collector instruments through the
 *    OpenTelemetry Go Prometheus exporter with its default translation, so counters end in `_total`
 *    (`otelcol_exporter_sent_spans_total`); Alloy's own process metrics are `alloy_resources_*`
 *    (Alloy mixin dashboards "OpenTelemetry" and "Resources").
 *  - Tempo 3.0.1: modules/distributor/distributor.go, modules/distributor/receiver/metrics_provider.go
 *    (tempo_receiver_* have no `_total`), modules/overrides/discarded_spans.go,
 *    tempodb/backend/instrumentation/backend_transports.go, dskit server with metrics namespace `tempo`;
 *    metrics-generator: modules/generator/processor/spanmetrics/spanmetrics.go and servicegraphs/servicegraphs.go.
 *  - Mimir 3.0 (documentation v3.0.x and the Mimir mixin): cortex_* distributor / ingester / request metrics,
 *    thanos_objstore_* bucket client metrics.
 *  - Loki 3.6.3: pkg/loghttp/push/push.go, pkg/validation/validate.go, pkg/distributor/distributor.go (there is no
 *    `loki_distributor_ingester_append_failures_total`, which seed 002 §6 uses: 3.6 counts
 *    `loki_distributor_ingester_append_timeouts_total`), pkg/storage/chunk/client/aws/s3_storage_client.go.
 *  - Prometheus 3.7: `up` and `scrape_*` series written for every scrape target ("Jobs and instances"), HTTP API
 *    instrumentation `prometheus_http_requests_total`.
 *  - Kubernetes kubelet (/metrics and /metrics/cadvisor): kubelet_volume_stats_*, container_* (cAdvisor).
 */
import { CANARY_METRICS } from './canary.js';
import { RUM_LABELS, RUM_RECORDS } from './faro.js';
import { engineVersion } from './versions.js';
import { CHART_FACTS } from './charts/index.js';
import type { EngineDeployment, Topology } from '../topology/types.js';
import { HAPROXY_METRICS } from './support.js';

export type MetricType = 'counter' | 'gauge' | 'histogram';

/**
 * Who exposes a family. A source is part of a rendered pipeline when `sourcePresent` says so for a topology.
 *  - otelcol / otelcol-kafka-receiver / otelcol-kafka-exporter: the OpenTelemetry Collector pools (and their Kafka
 *    components when the environment buffers through Kafka)
 *  - alloy: Grafana Alloy as the ingestion collector
 *  - tempo, mimir, loki, prometheus: the engines (managed or not: an unmanaged engine still runs)
 *  - tempo-metrics-generator: span metrics and service-graph metrics, written by Tempo's metrics-generator into the
 *    metrics backend (present when the environment's Tempo runs one: spanMetrics, and a metrics engine to write to)
 *  - scrape: series a Prometheus-compatible scraper adds for every target (up, scrape_*)
 *  - kubelet: the kubelet and its embedded cAdvisor, on every Kubernetes node
 *  - otelstack-canary: `otelstack canary` (src/catalog/canary.ts), where the definition deploys it
 *  - loki-ruler-rum: the RUM series otelstack's Loki recording rules write into the metrics engine
 *    (src/catalog/faro.ts RUM_RECORDS), where the environment has a RUM plan (Faro logs in a managed Loki)
 *  - haproxy-faro: HAProxy's Prometheus exporter where it rate-limits the tenants' Faro ports (OTel Collector
 *    gateways with tenants: the compose load balancer, the HAProxy on each ansible gateway host; catalog
 *    HAPROXY_FARO_RATE_LIMIT)
 */
export type MetricSource =
  | 'otelcol'
  | 'otelcol-kafka-receiver'
  | 'otelcol-kafka-exporter'
  | 'alloy'
  | 'tempo'
  | 'tempo-metrics-generator'
  | 'mimir'
  | 'loki'
  | 'prometheus'
  | 'scrape'
  | 'kubelet'
  | 'otelstack-canary'
  | 'loki-ruler-rum'
  | 'haproxy-faro';

export interface MetricFamily {
  /** the family name as exposed (histograms: without _bucket/_sum/_count) */
  name: string;
  type: MetricType;
  /** who exposes it (collector gauges such as the queue size are exposed under one name by otelcol and Alloy) */
  sources: readonly MetricSource[];
  /** labels the family carries (besides job/instance and target labels a scraper adds) */
  labels: readonly string[];
  help: string;
}

export type CollectorKind = 'otelcol' | 'alloy';
export type Signal3 = 'traces' | 'metrics' | 'logs';

/** The unit word the collector's per-signal instruments end in. */
const ITEM: Record<Signal3, string> = { traces: 'spans', metrics: 'metric_points', logs: 'log_records' };

/** Collector self-telemetry names for one collector kind. */
export interface CollectorMetricNames {
  kind: CollectorKind;
  receiverAccepted: Record<Signal3, string>;
  receiverRefused: Record<Signal3, string>;
  exporterSent: Record<Signal3, string>;
  exporterSendFailed: Record<Signal3, string>;
  exporterEnqueueFailed: Record<Signal3, string>;
  exporterQueueSize: string;
  exporterQueueCapacity: string;
  /** resident memory of the collector process, bytes */
  processMemory: string;
  /** labels of receiver / exporter instruments */
  receiverLabel: string;
  exporterLabel: string;
}

function perSignal(prefix: string, suffix: string): Record<Signal3, string> {
  return { traces: `${prefix}_${ITEM.traces}${suffix}`, metrics: `${prefix}_${ITEM.metrics}${suffix}`, logs: `${prefix}_${ITEM.logs}${suffix}` };
}

function collectorNames(kind: CollectorKind): CollectorMetricNames {
  // otelcol v0.158 pull exposition: no counter suffix; Alloy: `_total` on counters (see the header comment)
  const c = kind === 'otelcol' ? '' : '_total';
  return {
    kind,
    receiverAccepted: perSignal('otelcol_receiver_accepted', c),
    receiverRefused: perSignal('otelcol_receiver_refused', c),
    exporterSent: perSignal('otelcol_exporter_sent', c),
    exporterSendFailed: perSignal('otelcol_exporter_send_failed', c),
    exporterEnqueueFailed: perSignal('otelcol_exporter_enqueue_failed', c),
    exporterQueueSize: 'otelcol_exporter_queue_size',
    exporterQueueCapacity: 'otelcol_exporter_queue_capacity',
    processMemory: kind === 'otelcol' ? 'otelcol_process_memory_rss' : 'alloy_resources_process_resident_memory_bytes',
    receiverLabel: 'receiver',
    exporterLabel: 'exporter',
  };
}

export const COLLECTOR_METRICS: Record<CollectorKind, CollectorMetricNames> = { otelcol: collectorNames('otelcol'), alloy: collectorNames('alloy') };

/** Collector Kafka components (contrib v0.158.0 kafkareceiver / kafkaexporter documentation.md), otelcol exposition. */
export const OTELCOL_KAFKA_METRICS = {
  /** gauge, per topic and partition: records behind the latest offset */
  receiverOffsetLag: 'otelcol_kafka_receiver_offset_lag',
  /** counter with outcome="success"|"failure" */
  exporterMessages: 'otelcol_kafka_exporter_messages',
} as const;

export const TEMPO_METRICS = {
  spansReceived: 'tempo_distributor_spans_received_total',
  bytesReceived: 'tempo_distributor_bytes_received_total',
  discardedSpans: 'tempo_discarded_spans_total',
  receiverAccepted: 'tempo_receiver_accepted_spans',
  receiverRefused: 'tempo_receiver_refused_spans',
  /** histogram: method, route, status_code, ws */
  requestDuration: 'tempo_request_duration_seconds',
  /** histogram: operation (HTTP method), status_code — object storage requests */
  backendRequestDuration: 'tempodb_backend_request_duration_seconds',
} as const;

/** Span metrics and service graphs (Tempo 3.0 metrics-generator), as stored in the metrics backend. */
export const SPAN_METRICS = {
  calls: 'traces_spanmetrics_calls_total',
  /** histogram, seconds */
  latency: 'traces_spanmetrics_latency',
  size: 'traces_spanmetrics_size_total',
  graphRequests: 'traces_service_graph_request_total',
  graphFailedRequests: 'traces_service_graph_request_failed_total',
  /** histogram, seconds */
  graphServerSeconds: 'traces_service_graph_request_server_seconds',
  graphClientSeconds: 'traces_service_graph_request_client_seconds',
  /** value of status_code for failed spans */
  errorStatus: 'STATUS_CODE_ERROR',
  /** span_kind values of the spans that handle a request (RED "inbound" view) */
  inboundKinds: ['SPAN_KIND_SERVER', 'SPAN_KIND_CONSUMER'],
} as const;

/**
 * How the metrics-generator must be configured for the dashboards' namespace filter: the resource attribute
 * k8s.namespace.name as a span-metrics dimension (label k8s_namespace_name) and as a service-graph dimension with
 * `enable_client_server_prefix: true` (labels client_k8s_namespace_name / server_k8s_namespace_name).
 */
export const METRICS_GENERATOR_SETUP = {
  /** Tempo's component running it in microservices mode (monolithic Tempo runs it in-process) */
  component: 'metrics-generator',
  processors: ['span-metrics', 'service-graphs'],
  namespaceAttribute: 'k8s.namespace.name',
  /**
   * Span-metrics and service-graph dimensions (resource or span attributes, Tempo 3.0 "Metrics-generator"
   * configuration): the namespace filter of the dashboards, and the OpenTelemetry service.namespace.
   */
  dimensions: ['k8s.namespace.name', 'service.namespace'],
  spanMetricsNamespaceLabel: 'k8s_namespace_name',
  serviceGraphServerNamespaceLabel: 'server_k8s_namespace_name',
  serviceGraphClientNamespaceLabel: 'client_k8s_namespace_name',
} as const;

export const MIMIR_METRICS = {
  samplesReceived: 'cortex_distributor_received_samples_total',
  discardedSamples: 'cortex_discarded_samples_total',
  ingesterAppendFailures: 'cortex_distributor_ingester_append_failures_total',
  memorySeries: 'cortex_ingester_memory_series',
  /** histogram: method, route, status_code, ws */
  requestDuration: 'cortex_request_duration_seconds',
  objstoreOperations: 'thanos_objstore_bucket_operations_total',
  objstoreFailures: 'thanos_objstore_bucket_operation_failures_total',
  ruleEvaluationFailures: 'cortex_prometheus_rule_evaluation_failures_total',
} as const;

export const LOKI_METRICS = {
  linesReceived: 'loki_distributor_lines_received_total',
  bytesReceived: 'loki_distributor_bytes_received_total',
  discardedSamples: 'loki_discarded_samples_total',
  ingesterAppendTimeouts: 'loki_distributor_ingester_append_timeouts_total',
  /** histogram: method, route, status_code, ws */
  requestDuration: 'loki_request_duration_seconds',
  /** histogram: operation, status_code — the S3 chunk client */
  s3RequestDuration: 'loki_s3_request_duration_seconds',
} as const;

export const PROMETHEUS_METRICS = {
  httpRequests: 'prometheus_http_requests_total',
  headSeries: 'prometheus_tsdb_head_series',
  ruleEvaluationFailures: 'prometheus_rule_evaluation_failures_total',
} as const;

/** Handlers of Prometheus 3.7's write receivers (label `handler` of prometheus_http_requests_total). */
export const PROMETHEUS_WRITE_HANDLERS = ['/api/v1/write', '/api/v1/otlp/v1/metrics'] as const;

export const SCRAPE_METRICS = {
  up: 'up',
  duration: 'scrape_duration_seconds',
  samplesScraped: 'scrape_samples_scraped',
  samplesPostRelabeling: 'scrape_samples_post_metric_relabeling',
  seriesAdded: 'scrape_series_added',
} as const;

export const KUBELET_METRICS = {
  volumeAvailable: 'kubelet_volume_stats_available_bytes',
  volumeCapacity: 'kubelet_volume_stats_capacity_bytes',
  containerCpu: 'container_cpu_usage_seconds_total',
  containerMemory: 'container_memory_working_set_bytes',
} as const;

/**
 * Metric-name prefixes each source exposes on its /metrics (tempo-metrics-generator: writes into the metrics engine;
 * scrape: what the scraper adds per target). Every family's name starts with a prefix of each of its sources.
 * Mimir exposes its own series as cortex_* and mimir_*, its object-storage client as thanos_objstore_*; Tempo its
 * storage layer as tempodb_*; Alloy its components' collector instruments as otelcol_* and itself as alloy_*.
 */
export const SOURCE_PREFIXES: Readonly<Record<MetricSource, readonly string[]>> = {
  otelcol: ['otelcol_'],
  'otelcol-kafka-receiver': ['otelcol_kafka_receiver_'],
  'otelcol-kafka-exporter': ['otelcol_kafka_exporter_'],
  alloy: ['otelcol_', 'alloy_'],
  tempo: ['tempo_', 'tempodb_'],
  'tempo-metrics-generator': ['traces_spanmetrics_', 'traces_service_graph_'],
  mimir: ['cortex_', 'mimir_', 'thanos_objstore_'],
  loki: ['loki_'],
  prometheus: ['prometheus_'],
  scrape: ['up', 'scrape_'],
  kubelet: ['kubelet_', 'container_'],
  'otelstack-canary': ['otelstack_canary_'],
  'loki-ruler-rum': ['faro_', 'faro:'],
  'haproxy-faro': ['haproxy_'],
};

/** The label a Kubernetes scrape puts the target's namespace in (the kubernetes_sd relabelling convention). */
export const NAMESPACE_LABEL = 'namespace';

const fam = (name: string, type: MetricType, source: MetricSource, labels: readonly string[], help: string): MetricFamily => ({ name, type, sources: [source], labels, help });

function collectorFamilies(kind: CollectorKind): MetricFamily[] {
  const n = COLLECTOR_METRICS[kind];
  const source: MetricSource = kind;
  const out: MetricFamily[] = [];
  for (const s of ['traces', 'metrics', 'logs'] as const) {
    out.push(
      fam(n.receiverAccepted[s], 'counter', source, ['receiver', 'transport'], `${ITEM[s]} pushed into the pipeline by a receiver`),
      fam(n.receiverRefused[s], 'counter', source, ['receiver', 'transport'], `${ITEM[s]} a receiver could not push into the pipeline (memory_limiter backpressure)`),
      fam(n.exporterSent[s], 'counter', source, ['exporter'], `${ITEM[s]} sent to the destination`),
      fam(n.exporterSendFailed[s], 'counter', source, ['exporter'], `${ITEM[s]} in failed attempts to send`),
      fam(n.exporterEnqueueFailed[s], 'counter', source, ['exporter'], `${ITEM[s]} that could not be added to the sending queue (queue full: data lost)`),
    );
  }
  out.push(
    fam(n.exporterQueueSize, 'gauge', source, ['exporter', 'data_type'], 'current size of the sending queue'),
    fam(n.exporterQueueCapacity, 'gauge', source, ['exporter', 'data_type'], 'fixed capacity of the sending queue'),
    fam(n.processMemory, 'gauge', source, [], 'resident memory of the collector process, bytes'),
  );
  return out;
}

/** Every family the catalog knows, by name (unique). */
export const METRIC_FAMILIES: ReadonlyMap<string, MetricFamily> = (() => {
  const all: MetricFamily[] = [
    ...collectorFamilies('otelcol'),
    fam(HAPROXY_METRICS.frontendRequestsDenied, 'counter', 'haproxy-faro', [HAPROXY_METRICS.proxyLabel], 'requests an HAProxy frontend refused (http-request deny): per tenant, those above its gateway rate limit'),
    fam(HAPROXY_METRICS.frontendHttpResponses, 'counter', 'haproxy-faro', [HAPROXY_METRICS.proxyLabel, HAPROXY_METRICS.codeLabel], 'HTTP responses of an HAProxy frontend by status class (1xx … 5xx, other)'),
    ...collectorFamilies('alloy'),
    fam(OTELCOL_KAFKA_METRICS.receiverOffsetLag, 'gauge', 'otelcol-kafka-receiver', ['topic', 'partition'], 'records the consumer group is behind, per partition'),
    fam(OTELCOL_KAFKA_METRICS.exporterMessages, 'counter', 'otelcol-kafka-exporter', ['topic', 'partition', 'outcome', 'node_id'], 'messages produced, by outcome'),
    fam(TEMPO_METRICS.spansReceived, 'counter', 'tempo', ['tenant'], 'spans received by the distributors'),
    fam(TEMPO_METRICS.bytesReceived, 'counter', 'tempo', ['tenant'], 'proto bytes received by the distributors'),
    fam(TEMPO_METRICS.discardedSpans, 'counter', 'tempo', ['reason', 'tenant'], 'spans discarded (limits, invalid data)'),
    fam(TEMPO_METRICS.receiverAccepted, 'counter', 'tempo', ['receiver', 'transport'], 'spans accepted by the distributor receivers'),
    fam(TEMPO_METRICS.receiverRefused, 'counter', 'tempo', ['receiver', 'transport'], 'spans refused by the distributor receivers'),
    fam(TEMPO_METRICS.requestDuration, 'histogram', 'tempo', ['method', 'route', 'status_code', 'ws'], 'HTTP/gRPC request durations'),
    fam(TEMPO_METRICS.backendRequestDuration, 'histogram', 'tempo', ['operation', 'status_code'], 'object storage request durations'),
    fam(SPAN_METRICS.calls, 'counter', 'tempo-metrics-generator', ['service', 'span_name', 'span_kind', 'status_code', METRICS_GENERATOR_SETUP.spanMetricsNamespaceLabel], 'spans, per service and span name'),
    fam(SPAN_METRICS.latency, 'histogram', 'tempo-metrics-generator', ['service', 'span_name', 'span_kind', 'status_code', METRICS_GENERATOR_SETUP.spanMetricsNamespaceLabel], 'span durations, seconds'),
    fam(SPAN_METRICS.size, 'counter', 'tempo-metrics-generator', ['service', 'span_name', 'span_kind', 'status_code'], 'span bytes'),
    fam(SPAN_METRICS.graphRequests, 'counter', 'tempo-metrics-generator', ['client', 'server', 'connection_type', METRICS_GENERATOR_SETUP.serviceGraphServerNamespaceLabel, METRICS_GENERATOR_SETUP.serviceGraphClientNamespaceLabel], 'requests between two services'),
    fam(SPAN_METRICS.graphFailedRequests, 'counter', 'tempo-metrics-generator', ['client', 'server', 'connection_type', METRICS_GENERATOR_SETUP.serviceGraphServerNamespaceLabel, METRICS_GENERATOR_SETUP.serviceGraphClientNamespaceLabel], 'failed requests between two services'),
    fam(SPAN_METRICS.graphServerSeconds, 'histogram', 'tempo-metrics-generator', ['client', 'server', 'connection_type'], 'request duration seen by the server'),
    fam(SPAN_METRICS.graphClientSeconds, 'histogram', 'tempo-metrics-generator', ['client', 'server', 'connection_type'], 'request duration seen by the client'),
    fam(MIMIR_METRICS.samplesReceived, 'counter', 'mimir', ['user'], 'samples received by the distributors'),
    fam(MIMIR_METRICS.discardedSamples, 'counter', 'mimir', ['reason', 'user'], 'samples discarded (limits, invalid data)'),
    fam(MIMIR_METRICS.ingesterAppendFailures, 'counter', 'mimir', ['ingester', 'status', 'type'], 'failed appends from distributors to ingesters'),
    fam(MIMIR_METRICS.memorySeries, 'gauge', 'mimir', [], 'series in ingester memory'),
    fam(MIMIR_METRICS.requestDuration, 'histogram', 'mimir', ['method', 'route', 'status_code', 'ws'], 'HTTP/gRPC request durations'),
    fam(MIMIR_METRICS.objstoreOperations, 'counter', 'mimir', ['operation', 'bucket', 'component'], 'object storage operations'),
    fam(MIMIR_METRICS.objstoreFailures, 'counter', 'mimir', ['operation', 'bucket', 'component'], 'failed object storage operations'),
    fam(MIMIR_METRICS.ruleEvaluationFailures, 'counter', 'mimir', ['rule_group', 'user'], 'failed rule evaluations in the ruler'),
    fam(LOKI_METRICS.linesReceived, 'counter', 'loki', ['tenant'], 'log lines received by the distributors'),
    fam(LOKI_METRICS.bytesReceived, 'counter', 'loki', ['tenant'], 'uncompressed bytes received by the distributors'),
    fam(LOKI_METRICS.discardedSamples, 'counter', 'loki', ['reason', 'tenant'], 'log lines discarded (limits, invalid data)'),
    fam(LOKI_METRICS.ingesterAppendTimeouts, 'counter', 'loki', ['ingester'], 'batch appends to ingesters that timed out'),
    fam(LOKI_METRICS.requestDuration, 'histogram', 'loki', ['method', 'route', 'status_code', 'ws'], 'HTTP/gRPC request durations'),
    fam(LOKI_METRICS.s3RequestDuration, 'histogram', 'loki', ['operation', 'status_code'], 'S3 request durations of the chunk client'),
    fam(PROMETHEUS_METRICS.httpRequests, 'counter', 'prometheus', ['code', 'handler'], 'HTTP requests served, by handler and status code'),
    fam(PROMETHEUS_METRICS.headSeries, 'gauge', 'prometheus', [], 'series in the TSDB head'),
    fam(PROMETHEUS_METRICS.ruleEvaluationFailures, 'counter', 'prometheus', ['rule_group'], 'failed rule evaluations'),
    fam(SCRAPE_METRICS.up, 'gauge', 'scrape', [], '1 when the last scrape of the target succeeded'),
    fam(SCRAPE_METRICS.duration, 'gauge', 'scrape', [], 'duration of the last scrape'),
    fam(SCRAPE_METRICS.samplesScraped, 'gauge', 'scrape', [], 'samples the target exposed'),
    fam(SCRAPE_METRICS.samplesPostRelabeling, 'gauge', 'scrape', [], 'samples kept after metric relabelling'),
    fam(SCRAPE_METRICS.seriesAdded, 'gauge', 'scrape', [], 'new series in the last scrape'),
    fam(KUBELET_METRICS.volumeAvailable, 'gauge', 'kubelet', ['namespace', 'persistentvolumeclaim'], 'free bytes of a mounted PersistentVolumeClaim'),
    fam(KUBELET_METRICS.volumeCapacity, 'gauge', 'kubelet', ['namespace', 'persistentvolumeclaim'], 'capacity of a mounted PersistentVolumeClaim'),
    fam(KUBELET_METRICS.containerCpu, 'counter', 'kubelet', ['namespace', 'pod', 'container'], 'CPU seconds used by a container'),
    fam(KUBELET_METRICS.containerMemory, 'gauge', 'kubelet', ['namespace', 'pod', 'container'], 'working set of a container, bytes'),
    fam(CANARY_METRICS.latency, 'histogram', 'otelstack-canary', ['env', 'signal', 'stage'], 'seconds from a canary push until a stage (accepted, visible, linked, stored)'),
    fam(CANARY_METRICS.pushed, 'counter', 'otelstack-canary', ['env', 'signal'], 'canary items pushed'),
    fam(CANARY_METRICS.found, 'counter', 'otelstack-canary', ['env', 'signal'], 'canary items read back within the deadline'),
    fam(CANARY_METRICS.missing, 'counter', 'otelstack-canary', ['env', 'signal'], 'canary items not visible within the deadline'),
    fam(CANARY_METRICS.duplicated, 'counter', 'otelstack-canary', ['env', 'signal'], 'canary items returned more than once'),
    fam(CANARY_METRICS.brokenLinks, 'counter', 'otelstack-canary', ['env', 'signal'], 'found canary items whose link did not lead to their trace'),
    fam(CANARY_METRICS.queryErrors, 'counter', 'otelstack-canary', ['env', 'signal', 'kind'], 'failed backend reads of the canary, by kind'),
    fam(CANARY_METRICS.pushErrors, 'counter', 'otelstack-canary', ['env', 'signal'], 'canary pushes not accepted'),
    fam(CANARY_METRICS.rounds, 'counter', 'otelstack-canary', ['env', 'result'], 'canary rounds by result'),
    fam(CANARY_METRICS.lastSuccess, 'gauge', 'otelstack-canary', ['env'], 'unix time of the last fully successful round'),
    fam(CANARY_METRICS.inFlight, 'gauge', 'otelstack-canary', ['env'], 'canary rounds still waiting'),
    fam(RUM_RECORDS.lcp, 'gauge', 'loki-ruler-rum', [RUM_LABELS.env, RUM_LABELS.tenant, RUM_LABELS.page], 'p75 Largest Contentful Paint per page over 5m, milliseconds (Faro web vitals)'),
    fam(RUM_RECORDS.inp, 'gauge', 'loki-ruler-rum', [RUM_LABELS.env, RUM_LABELS.tenant, RUM_LABELS.page], 'p75 Interaction to Next Paint per page over 5m, milliseconds (Faro web vitals)'),
    fam(RUM_RECORDS.cls, 'gauge', 'loki-ruler-rum', [RUM_LABELS.env, RUM_LABELS.tenant, RUM_LABELS.page], 'p75 Cumulative Layout Shift per page over 5m (Faro web vitals)'),
    fam(RUM_RECORDS.exceptions, 'gauge', 'loki-ruler-rum', [RUM_LABELS.env, RUM_LABELS.tenant, RUM_LABELS.page], 'Faro exceptions per second per page over 5m'),
    fam(RUM_RECORDS.sessions, 'gauge', 'loki-ruler-rum', [RUM_LABELS.env, RUM_LABELS.tenant], 'distinct sampled Faro sessions seen in the last 5m'),
  ];
  const m = new Map<string, MetricFamily>();
  for (const f of all) {
    const seen = m.get(f.name);
    if (seen && seen.type !== f.type) throw new Error(`catalog/metrics: ${f.name} listed twice with different types`);
    m.set(f.name, seen ? { ...seen, sources: [...seen.sources, ...f.sources] } : f);
  }
  return m;
})();

/** The versions the names above were checked against (shown in rendered files' headers). */
export const METRICS_DOCUMENTED = {
  otelcol: engineVersion('otelcol'),
  alloy: engineVersion('alloy'),
  tempo: engineVersion('tempo'),
  mimir: engineVersion('mimir'),
  loki: engineVersion('loki'),
  prometheus: engineVersion('prometheus'),
} as const;

/**
 * The family a series name belongs to: the name itself, or a histogram family for `_bucket` / `_sum` / `_count`.
 * undefined = unknown to the catalog.
 */
export function familyOf(series: string): MetricFamily | undefined {
  const direct = METRIC_FAMILIES.get(series);
  if (direct) return direct;
  const m = /^(.*)_(bucket|sum|count)$/.exec(series);
  if (m) {
    const f = METRIC_FAMILIES.get(m[1]!);
    if (f && f.type === 'histogram') return f;
  }
  return undefined;
}

/** The collector kind an environment ingests with, if any. */
export function collectorKind(t: Topology): CollectorKind | undefined {
  return t.ingestion?.collector;
}

/** Whether the environment's Tempo runs a metrics-generator that remote-writes to its metrics engine (spanMetrics). */
export function hasMetricsGenerator(t: Topology): boolean {
  return t.engines.some((e) => e.engine === 'tempo' && e.metricsGenerator !== undefined);
}

/**
 * Whether otelstack renders the scraping of the stack's own /metrics for a Kubernetes environment (the Alloy
 * configuration's self-monitoring, src/render/configs/alloy-self-monitoring.ts), and if not, why: it needs Alloy as
 * the collector and a metrics engine to write to.
 */
export function kubernetesSelfScrape(t: Topology): { scraped: true; into: EngineDeployment } | { scraped: false; reason: string } {
  if (t.env.target !== 'kubernetes') return { scraped: false, reason: `${t.env.name} is not a Kubernetes environment` };
  const metrics = t.engines.find((e) => e.signal === 'metrics');
  if (!metrics) return { scraped: false, reason: `${t.env.name} has no metrics engine to write the stack's own metrics to, so nothing scrapes its /metrics endpoints` };
  if (t.ingestion?.collector !== 'alloy') return { scraped: false, reason: `otelstack renders the scraping of the stack's /metrics in Alloy only, and ${t.env.name} ${t.ingestion ? 'collects with the OpenTelemetry Collector' : 'has no collection layer'}` };
  return { scraped: true, into: metrics };
}

/** Whether the engine's pods are scraped (Kubernetes): a managed engine whose chart facts say how, or an unmanaged one (scraped where it runs). */
function engineScraped(t: Topology, e: EngineDeployment): { present: true } | { present: false; reason: string } {
  if (t.env.target !== 'kubernetes' || !e.managed) return { present: true };
  const k = kubernetesSelfScrape(t);
  if (!k.scraped) return { present: false, reason: k.reason };
  if ('none' in e.chart || !CHART_FACTS[e.chart.name]?.scrape) return { present: false, reason: `the catalog has no scrape facts for ${e.title}'s chart in ${t.env.name}` };
  return { present: true };
}

/**
 * Whether a source is part of the environment's pipeline, and if not, why (a sentence for a finding).
 * Scrape series need a scraper: on Kubernetes the rendered Alloy scrapes the stack's pods, the kubelets and itself
 * into the environment's metrics engine (kubernetesSelfScrape); an unmanaged engine is assumed scraped where it is
 * deployed. The compose target renders no scraper for the stack's own /metrics endpoints.
 */
export function sourcePresence(t: Topology, source: MetricSource): { present: true } | { present: false; reason: string } {
  const engine = (id: string) => t.engines.some((e) => e.engine === id);
  const no = (reason: string) => ({ present: false as const, reason });
  switch (source) {
    case 'otelcol':
    case 'alloy':
      return collectorKind(t) === source ? { present: true } : no(`${t.env.name} does not ingest through ${source === 'otelcol' ? 'the OpenTelemetry Collector' : 'Alloy'}`);
    case 'otelcol-kafka-receiver':
    case 'otelcol-kafka-exporter':
      return collectorKind(t) === 'otelcol' && t.ingestion?.kafkaBuffer ? { present: true } : no(`${t.env.name} has no collector Kafka buffer`);
    case 'tempo':
    case 'mimir':
    case 'loki':
    case 'prometheus': {
      const e = t.engines.find((x) => x.engine === source);
      return e ? engineScraped(t, e) : no(`${t.env.name} runs no ${source}`);
    }
    case 'tempo-metrics-generator':
      if (!engine('tempo')) return no(`${t.env.name} runs no Tempo`);
      return hasMetricsGenerator(t)
        ? { present: true }
        : no(
            `Tempo in ${t.env.name} has no metrics-generator, so no span metrics or service-graph metrics reach the metrics backend ` +
              `(spanMetrics: true runs it with the ${METRICS_GENERATOR_SETUP.processors.join(' and ')} processors, dimension ${METRICS_GENERATOR_SETUP.namespaceAttribute}, remote-writing to ${t.env.name}'s metrics engine)`,
          );
    case 'otelstack-canary': {
      if (!t.canary) return no(`${t.env.name} runs no canary (definition: canary)`);
      if (t.env.target !== 'kubernetes') return { present: true };
      const k = kubernetesSelfScrape(t);
      return k.scraped ? { present: true } : no(k.reason);
    }
    case 'loki-ruler-rum':
      return t.rum ? { present: true } : no(`${t.env.name} records no RUM series: it needs Faro logs (tenants or ingestion.faro) in a Loki otelstack deploys, and a metrics engine`);
    case 'haproxy-faro':
      // compose: the otlp-lb load balancer; ansible: the HAProxy on each gateway host (topology/vm-faro-proxy.ts)
      return (t.env.target === 'compose' || t.env.target === 'ansible') && collectorKind(t) === 'otelcol' && (t.tenants ?? []).length > 0
        ? { present: true }
        : no(`${t.env.name} has no HAProxy rate-limiting tenants' Faro ports (compose or ansible target, OpenTelemetry Collector, tenants)`);
    case 'scrape':
    case 'kubelet': {
      if (t.env.target !== 'kubernetes') return no(source === 'scrape' ? `the ${t.env.target} target renders no scraper for the stack's /metrics endpoints` : `the ${t.env.target} target has no kubelet`);
      const k = kubernetesSelfScrape(t);
      return k.scraped ? { present: true } : no(k.reason);
    }
  }
}

/** Whether any source of a family is in the environment's pipeline (else the first source's reason). */
export function familyPresence(t: Topology, f: MetricFamily): { present: true; source: MetricSource } | { present: false; source: MetricSource; reason: string } {
  let first: { present: false; source: MetricSource; reason: string } | undefined;
  for (const s of f.sources) {
    const p = sourcePresence(t, s);
    if (p.present) return { present: true, source: s };
    first ??= { present: false, source: s, reason: p.reason };
  }
  return first!;
}

/** The families the environment's rendered pipeline produces. */
export function producedMetrics(t: Topology): Map<string, MetricFamily> {
  const out = new Map<string, MetricFamily>();
  for (const [name, f] of METRIC_FAMILIES) if (familyPresence(t, f).present) out.set(name, f);
  return out;
}
