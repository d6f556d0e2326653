// Types of the OTLP client: what callers build (inputs) and what the decoder returns (decoded messages).
// Decoded shapes follow opentelemetry-proto v1.4.0 in its OTLP/JSON form: lowerCamelCase field names,
// trace/span ids as lowercase hex, 64-bit integers as decimal strings, enums as numbers.

export type Signal = 'traces' | 'metrics' | 'logs';
export const SIGNALS: readonly Signal[] = ['traces', 'metrics', 'logs'];

/** Wire encoding of an export request body. */
export type OtlpEncoding = 'protobuf' | 'json';

// ---------------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------------

/**
 * A point in time: a `bigint` is nanoseconds since the Unix epoch, a `number` is milliseconds since the
 * epoch (like `Date.now()`), or a `Date`.
 */
export type Timestamp = bigint | number | Date;

/**
 * An attribute value. Mapping to OTLP AnyValue: string → stringValue, boolean → boolValue,
 * integer `number` or `bigint` → intValue, non-integer `number` → doubleValue (use {@link double} to force a
 * double), Uint8Array → bytesValue, array → arrayValue, plain object → kvlistValue.
 */
export type AttributeValue =
  | string
  | number
  | boolean
  | bigint
  | Uint8Array
  | DoubleValue
  | readonly AttributeValue[]
  | { readonly [key: string]: AttributeValue };

/** Wrapper forcing a number to be encoded as doubleValue even when it is integral. */
export interface DoubleValue {
  readonly __otlpDouble: number;
}
/** Forces `n` to be encoded as an OTLP doubleValue. */
export function double(n: number): DoubleValue {
  return { __otlpDouble: n };
}

export type Attributes = { readonly [key: string]: AttributeValue };

export interface ScopeInput {
  readonly name: string;
  readonly version?: string;
  readonly attributes?: Attributes;
}

export type SpanKindName = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';
export type StatusCodeName = 'unset' | 'ok' | 'error';

export interface SpanEventInput {
  readonly name: string;
  readonly time?: Timestamp;
  readonly attributes?: Attributes;
}

export interface SpanLinkInput {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceState?: string;
  readonly attributes?: Attributes;
}

export interface SpanInput {
  /** 32 hex characters (16 bytes), not all zero. */
  readonly traceId: string;
  /** 16 hex characters (8 bytes), not all zero. */
  readonly spanId: string;
  /** Parent span id (16 hex); absent for a root span. */
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind?: SpanKindName;
  /** Defaults to now. */
  readonly startTime?: Timestamp;
  /** Defaults to startTime. */
  readonly endTime?: Timestamp;
  readonly attributes?: Attributes;
  readonly status?: { readonly code: StatusCodeName; readonly message?: string };
  readonly events?: readonly SpanEventInput[];
  readonly links?: readonly SpanLinkInput[];
  readonly traceState?: string;
  /** W3C trace flags in the low 8 bits (1 = sampled). */
  readonly flags?: number;
}

/** Spans sharing one resource (e.g. `{ 'service.name': 'checkout' }`) and one instrumentation scope. */
export interface TracesInput {
  readonly resource?: Attributes;
  readonly scope?: ScopeInput;
  readonly spans: readonly SpanInput[];
}

export interface ExemplarInput {
  /** `number` → asDouble, `bigint` → asInt. */
  readonly value: number | bigint;
  /** Defaults to the data point's time. */
  readonly time?: Timestamp;
  readonly traceId?: string;
  readonly spanId?: string;
  readonly filteredAttributes?: Attributes;
}

export interface NumberPointInput {
  /** `number` → asDouble, `bigint` → asInt. */
  readonly value: number | bigint;
  readonly attributes?: Attributes;
  /** Defaults to now. */
  readonly time?: Timestamp;
  readonly startTime?: Timestamp;
  readonly exemplars?: readonly ExemplarInput[];
}

export interface HistogramPointInput {
  readonly attributes?: Attributes;
  readonly time?: Timestamp;
  readonly startTime?: Timestamp;
  readonly count: number;
  readonly sum?: number;
  readonly min?: number;
  readonly max?: number;
  /** Explicit bucket upper bounds; bucketCounts has bounds.length + 1 entries. */
  readonly bounds: readonly number[];
  readonly bucketCounts: readonly number[];
  readonly exemplars?: readonly ExemplarInput[];
}

export type Temporality = 'cumulative' | 'delta';

interface MetricBase {
  readonly name: string;
  readonly description?: string;
  readonly unit?: string;
}
export interface GaugeInput extends MetricBase {
  readonly kind: 'gauge';
  readonly points: readonly NumberPointInput[];
}
export interface SumInput extends MetricBase {
  readonly kind: 'sum';
  /** Defaults to true. */
  readonly monotonic?: boolean;
  /** Defaults to cumulative. */
  readonly temporality?: Temporality;
  readonly points: readonly NumberPointInput[];
}
export interface HistogramInput extends MetricBase {
  readonly kind: 'histogram';
  readonly temporality?: Temporality;
  readonly points: readonly HistogramPointInput[];
}
export type MetricInput = GaugeInput | SumInput | HistogramInput;

export interface MetricsInput {
  readonly resource?: Attributes;
  readonly scope?: ScopeInput;
  readonly metrics: readonly MetricInput[];
}

export interface LogRecordInput {
  /** Event time; defaults to unset (0) as OTLP allows. */
  readonly time?: Timestamp;
  /** Defaults to now. */
  readonly observedTime?: Timestamp;
  /** 1–24 (TRACE=1, DEBUG=5, INFO=9, WARN=13, ERROR=17, FATAL=21). */
  readonly severityNumber?: number;
  readonly severityText?: string;
  readonly body?: AttributeValue;
  readonly attributes?: Attributes;
  readonly traceId?: string;
  readonly spanId?: string;
  readonly flags?: number;
}

export interface LogsInput {
  readonly resource?: Attributes;
  readonly scope?: ScopeInput;
  readonly records: readonly LogRecordInput[];
}

/** What `encode`/`send` accept per signal: one resource group or several. */
export interface SignalInputs {
  traces: TracesInput | readonly TracesInput[];
  metrics: MetricsInput | readonly MetricsInput[];
  logs: LogsInput | readonly LogsInput[];
}

// ---------------------------------------------------------------------------------------------------
// Decoded messages (opentelemetry-proto v1.4.0, JSON-mapping conventions)
// ---------------------------------------------------------------------------------------------------

export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  /** int64 as a decimal string. */
  intValue?: string;
  doubleValue?: number;
  arrayValue?: { values: OtlpAnyValue[] };
  kvlistValue?: { values: OtlpKeyValue[] };
  bytesValue?: Uint8Array;
}
export interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}
export interface OtlpResource {
  attributes: OtlpKeyValue[];
  droppedAttributesCount?: number;
}
export interface OtlpScope {
  name?: string;
  version?: string;
  attributes: OtlpKeyValue[];
  droppedAttributesCount?: number;
}

// Traces
export interface OtlpSpanEvent {
  timeUnixNano?: string;
  name?: string;
  attributes: OtlpKeyValue[];
  droppedAttributesCount?: number;
}
export interface OtlpSpanLink {
  traceId: string;
  spanId: string;
  traceState?: string;
  attributes: OtlpKeyValue[];
  droppedAttributesCount?: number;
  flags?: number;
}
export interface OtlpSpan {
  /** lowercase hex, '' if absent */
  traceId: string;
  /** lowercase hex, '' if absent */
  spanId: string;
  traceState?: string;
  /** lowercase hex; absent for root spans */
  parentSpanId?: string;
  flags?: number;
  name?: string;
  /** SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer */
  kind?: number;
  startTimeUnixNano?: string;
  endTimeUnixNano?: string;
  attributes: OtlpKeyValue[];
  droppedAttributesCount?: number;
  events: OtlpSpanEvent[];
  droppedEventsCount?: number;
  links: OtlpSpanLink[];
  droppedLinksCount?: number;
  /** code: 0 unset, 1 ok, 2 error */
  status?: { message?: string; code?: number };
}
export interface OtlpScopeSpans {
  scope?: OtlpScope;
  spans: OtlpSpan[];
  schemaUrl?: string;
}
export interface OtlpResourceSpans {
  resource?: OtlpResource;
  scopeSpans: OtlpScopeSpans[];
  schemaUrl?: string;
}
export interface OtlpExportTraceServiceRequest {
  resourceSpans: OtlpResourceSpans[];
}

// Metrics
export interface OtlpExemplar {
  filteredAttributes: OtlpKeyValue[];
  timeUnixNano?: string;
  asDouble?: number;
  asInt?: string;
  /** lowercase hex */
  spanId?: string;
  /** lowercase hex */
  traceId?: string;
}
export interface OtlpNumberDataPoint {
  attributes: OtlpKeyValue[];
  startTimeUnixNano?: string;
  timeUnixNano?: string;
  asDouble?: number;
  asInt?: string;
  exemplars: OtlpExemplar[];
  flags?: number;
}
export interface OtlpHistogramDataPoint {
  attributes: OtlpKeyValue[];
  startTimeUnixNano?: string;
  timeUnixNano?: string;
  count?: string;
  sum?: number;
  bucketCounts: string[];
  explicitBounds: number[];
  exemplars: OtlpExemplar[];
  flags?: number;
  min?: number;
  max?: number;
}
export interface OtlpExponentialHistogramDataPoint {
  attributes: OtlpKeyValue[];
  startTimeUnixNano?: string;
  timeUnixNano?: string;
  count?: string;
  sum?: number;
  scale?: number;
  zeroCount?: string;
  positive?: { offset?: number; bucketCounts: string[] };
  negative?: { offset?: number; bucketCounts: string[] };
  flags?: number;
  exemplars: OtlpExemplar[];
  min?: number;
  max?: number;
  zeroThreshold?: number;
}
export interface OtlpSummaryDataPoint {
  attributes: OtlpKeyValue[];
  startTimeUnixNano?: string;
  timeUnixNano?: string;
  count?: string;
  sum?: number;
  quantileValues: { quantile?: number; value?: number }[];
  flags?: number;
}
export interface OtlpMetric {
  name?: string;
  description?: string;
  unit?: string;
  gauge?: { dataPoints: OtlpNumberDataPoint[] };
  /** aggregationTemporality: 1 delta, 2 cumulative */
  sum?: { dataPoints: OtlpNumberDataPoint[]; aggregationTemporality?: number; isMonotonic?: boolean };
  histogram?: { dataPoints: OtlpHistogramDataPoint[]; aggregationTemporality?: number };
  exponentialHistogram?: { dataPoints: OtlpExponentialHistogramDataPoint[]; aggregationTemporality?: number };
  summary?: { dataPoints: OtlpSummaryDataPoint[] };
  metadata: OtlpKeyValue[];
}
export interface OtlpScopeMetrics {
  scope?: OtlpScope;
  metrics: OtlpMetric[];
  schemaUrl?: string;
}
export interface OtlpResourceMetrics {
  resource?: OtlpResource;
  scopeMetrics: OtlpScopeMetrics[];
  schemaUrl?: string;
}
export interface OtlpExportMetricsServiceRequest {
  resourceMetrics: OtlpResourceMetrics[];
}

// Logs
export interface OtlpLogRecord {
  timeUnixNano?: string;
  observedTimeUnixNano?: string;
  severityNumber?: number;
  severityText?: string;
  body?: OtlpAnyValue;
  attributes: OtlpKeyValue[];
  droppedAttributesCount?: number;
  flags?: number;
  /** lowercase hex */
  traceId?: string;
  /** lowercase hex */
  spanId?: string;
}
export interface OtlpScopeLogs {
  scope?: OtlpScope;
  logRecords: OtlpLogRecord[];
  schemaUrl?: string;
}
export interface OtlpResourceLogs {
  resource?: OtlpResource;
  scopeLogs: OtlpScopeLogs[];
  schemaUrl?: string;
}
export interface OtlpExportLogsServiceRequest {
  resourceLogs: OtlpResourceLogs[];
}

export interface DecodedRequests {
  traces: OtlpExportTraceServiceRequest;
  metrics: OtlpExportMetricsServiceRequest;
  logs: OtlpExportLogsServiceRequest;
}

/** The partial_success part of an Export*ServiceResponse, normalised across signals. */
export interface ExportResponseInfo {
  /** rejected_spans / rejected_data_points / rejected_log_records (0 when absent). */
  rejected: number;
  errorMessage?: string;
}

/** Thrown for inputs that cannot be encoded (bad ids, bad timestamps) and bodies that cannot be decoded. */
export class OtlpCodecError extends Error {
  override readonly name = 'OtlpCodecError';
}
