/**
 * Faro (browser RUM) telemetry once it is in Loki: the fields of the log lines both collectors write, the web-vitals
 * values and their thresholds, and the series otelstack's Loki ruler records from them (src/render/rules/loki-rum.ts)
 * for the RUM dashboard (src/render/grafana/dashboards.ts).
 *
 * Where each fact was checked:
 *  - OpenTelemetry Collector contrib v0.158.0, pkg/translator/faro (faro_to_logs.go TranslateToLogs, keyval.go,
 *    logs_to_faro.go's field-name constants): every Faro log, exception, measurement and event becomes ONE log
 *    record whose body is a logfmt line (go-logfmt MarshalKeyvals) of the item's fields followed by the payload's
 *    meta (sdk_*, app_*, user_*, session_*, page_*, browser_*, view_*, …); the record also carries the attribute
 *    `kind` (and `hash` for exceptions); the resource is service.name = app name, service.version = app version,
 *    deployment.environment = app environment. A measurement's values are written as `<name>=%f` (and again as
 *    `value_<name>`). The e2e test test/e2e/faro.test.ts sends a web-vitals measurement through the real v0.158.0
 *    collector and reads these fields back from the body the logs stand-in receives.
 *  - Grafana Alloy v1.12.0, internal/component/faro/receiver (exporters.go logsExporter, internal/payload): the same
 *    logfmt body and the same field names (kind, type, page_url, session_id, app_name, …), sent as a Loki entry; the
 *    rendered configuration passes it through otelcol.receiver.loki to Loki's OTLP endpoint, without labels
 *    (no extra_log_labels), so on that path `kind` is in the body only.
 *  - Loki v3.6.3, pkg/loghttp/push/otlp.go and otlp_config.go: OTLP resource attributes in the default list
 *    (service.name, service.namespace, deployment.environment, …) become index labels with dots as underscores;
 *    a stream without service.name gets service_name="unknown_service" (discover_service_name, on by default), so
 *    every OTLP stream has a non-empty service_name; log-record attributes become structured metadata; the body is
 *    the line. In LogQL a parser's extracted label that collides with an existing label (structured metadata `kind`
 *    on the collector path) is renamed `<name>_extracted` — the ruler's queries therefore match `kind` in the line
 *    and extract only fields no label has (type, page_url, session_id, the vitals), the same on both paths.
 *  - Faro Web SDK (@grafana/faro-web-sdk, instrumentation web-vitals: WebVitalsBasic / WebVitalsWithAttribution)
 *    pushes `{ type: 'web-vitals', values: { <lcp|inp|cls|fcp|ttfb>: metric.value } }`, one vital per measurement;
 *    the values are the web-vitals library's: milliseconds for LCP and INP, a unitless score for CLS.
 *  - Thresholds: web.dev "Web Vitals" (good / needs improvement / poor at the 75th percentile of page loads):
 *    LCP ≤ 2.5 s / ≤ 4 s, INP ≤ 200 ms / ≤ 500 ms, CLS ≤ 0.1 / ≤ 0.25.
 */

/** Field names in a Faro log line (logfmt body), the same on the collector's translator and Alloy's receiver. */
export const FARO_LOG_FIELDS = {
  kind: 'kind',
  /** a measurement's type (web-vitals, …) and an exception's type share the key */
  type: 'type',
  pageUrl: 'page_url',
  pageId: 'page_id',
  sessionId: 'session_id',
  appName: 'app_name',
  appEnvironment: 'app_environment',
  viewName: 'view_name',
  eventName: 'event_name',
  level: 'level',
  /** an exception's message */
  value: 'value',
} as const;

/** Values of the `kind` field (faroTypes.Kind). */
export const FARO_KINDS = { log: 'log', exception: 'exception', measurement: 'measurement', event: 'event' } as const;

/** The measurement type of the Faro Web SDK's web-vitals instrumentation. */
export const FARO_WEB_VITALS_TYPE = 'web-vitals';

/** Where the fields land in Loki per collector (documentation for the plan and the tests). */
export const FARO_IN_LOKI = {
  otelcol: { body: 'logfmt', kindAsStructuredMetadata: true, serviceNameLabel: 'service_name', serviceName: 'app_name' },
  alloy: { body: 'logfmt', kindAsStructuredMetadata: false, serviceNameLabel: 'service_name', serviceName: 'unknown_service' },
} as const;

/** Loki's index label every OTLP stream carries (non-empty: unknown_service when the resource has no service.name). */
export const LOKI_OTLP_SERVICE_LABEL = 'service_name';

/**
 * Loki 3.6.3's `| logfmt <new>="<key>"` (renamed extraction) does not extract the key when only the new name is used
 * later in the query: pkg/logql/log/parser.go LogfmtExpressionParser.Process asks the query's label hints about the
 * ORIGINAL key before renaming it. Seen on a real Loki 3.6.3: `| logfmt faro_type="type"` left faro_type empty on
 * every web-vitals line while `| logfmt type` extracts it. otelstack's queries therefore extract fields under their
 * own names, and match `kind` in the line (it is also structured metadata on the collector path, where an extracted
 * `kind` would be renamed kind_extracted).
 */
export const LOKI_LOGFMT_RENAME_UNRELIABLE = { version: '3.6.3', source: 'pkg/logql/log/parser.go LogfmtExpressionParser.Process; real Loki 3.6.3' } as const;

export type WebVital = 'lcp' | 'inp' | 'cls';

export interface WebVitalFacts {
  /** the key in the measurement's values (and in the logfmt line) */
  field: WebVital;
  title: string;
  /** Grafana unit of the value */
  unit: 'ms' | 'none';
  /** good up to this value, poor above `poor` (web.dev) */
  good: number;
  poor: number;
}

/** The three Core Web Vitals and their web.dev thresholds, in the units the Faro SDK reports. */
export const WEB_VITALS: Readonly<Record<WebVital, WebVitalFacts>> = {
  lcp: { field: 'lcp', title: 'Largest Contentful Paint', unit: 'ms', good: 2500, poor: 4000 },
  inp: { field: 'inp', title: 'Interaction to Next Paint', unit: 'ms', good: 200, poor: 500 },
  cls: { field: 'cls', title: 'Cumulative Layout Shift', unit: 'none', good: 0.1, poor: 0.25 },
};

/** web.dev: the thresholds apply to the 75th percentile of page loads. */
export const WEB_VITALS_QUANTILE = 0.75;

/**
 * The series otelstack's Loki ruler records from the Faro lines (Prometheus recording-rule naming,
 * level:metric:operations). Each carries `env` and `tenant` (the rules' labels); the per-page ones `page`
 * (page_url without its query string and fragment).
 */
export const RUM_RECORDS = {
  lcp: 'faro_page:lcp_milliseconds:p75_5m',
  inp: 'faro_page:inp_milliseconds:p75_5m',
  cls: 'faro_page:cls:p75_5m',
  /** Faro exceptions per second, per page */
  exceptions: 'faro_page:exceptions:rate5m',
  /** distinct Faro session ids seen in the last five minutes */
  sessions: 'faro:sessions:count5m',
} as const;

/** Labels of the recorded series. */
export const RUM_LABELS = { env: 'env', tenant: 'tenant', page: 'page' } as const;

/** The window every recorded series looks back over, and how often the ruler evaluates the group. */
export const RUM_WINDOW = '5m';
export const RUM_EVALUATION_INTERVAL = '1m';

/**
 * The Faro Web SDK and Faro web tracing at 2.12.1 (read in their published dist/: @grafana/faro-web-sdk
 * PerformanceInstrumentation and WebVitalsInstrumentation, @grafana/faro-web-tracing semconv.js and
 * instrumentation.js; seen arriving from headless Chromium in test/e2e/browser-rum.test.ts).
 */
export const FARO_WEB_SDK = {
  version: '2.12.1',
  /** the event PerformanceInstrumentation sends for the page's navigation timing: the page load */
  navigationEvent: 'faro.performance.navigation',
  /** the measurement type of web vitals, and the value names (web-vitals 6: CLS, FCP, INP, LCP, TTFB) */
  webVitalsType: FARO_WEB_VITALS_TYPE,
  webVitals: ['cls', 'fcp', 'inp', 'lcp', 'ttfb'],
  /** the span attribute Faro web tracing puts the session id in (FaroMetaAttributesSpanProcessor) */
  sessionSpanAttribute: 'session.id',
  /** the global the SDK exposes itself as unless preventGlobalExposure (`window.faro`) */
  globalObjectKey: 'faro',
  /** TracingInstrumentation's span batch delay: browser spans leave at most this long after they end */
  spanExportDelayMs: 1000,
  /**
   * The fetch transport's answer to a refusal (transports/fetch/transport.js at 2.12.1): 429 and 503 are retried
   * after the response's `Retry-After` (seconds or an HTTP date; readable cross-origin only when exposed), other
   * retryable statuses with exponential backoff; at most `maxAttempts` attempts per batch, none while the page unloads.
   */
  rateLimited: { statuses: [429, 503], maxAttempts: 3 },
  /** the batch executor's default item limit (faro-core config/const.js): a full batch leaves at once */
  batchItemLimit: 50,
  /** the header the fetch transport sends with each batch, the same on every attempt of it (transport.js at 2.12.1) */
  idempotencyHeader: 'Idempotency-Key',
} as const;
