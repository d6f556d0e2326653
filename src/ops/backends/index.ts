// Read clients for the backends otelstack deploys: Tempo, Prometheus / Mimir, Loki and S3 object storage.
export { BackendError, HttpJsonClient, type BackendClientOptions, type BackendErrorKind } from './http.js';
export { TempoClient, normalizeId, parseTraceResponse, spansOfTraceJson, type TempoSearchHit, type TempoSpan, type TempoTrace, type TempoTraceApi } from './tempo.js';
export { PrometheusClient, mimirPrometheusUrl, type Exemplar, type ExemplarSeries, type InstantSample, type Labels, type RangeSeries } from './prometheus.js';
export { LokiClient, entriesOfStreams, logqlString, type LokiEntry } from './loki.js';
// S3Lister: import './s3.js' directly (kept out of this index so that the AWS SDK loads only where it is used)
export type { ListResult, S3ListOptions, S3ObjectInfo } from './s3.js';
export { JaegerClient, type JaegerTrace } from './jaeger.js';
