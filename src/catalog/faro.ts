/**
 * What the browser path writes, as the receivers and the Faro Web SDK write it: the keys of the log line the contrib
 * Faro receiver makes of every Faro item, and the names the Faro Web SDK gives to what it reports. Readers: the RUM
 * queries (web vitals live in Loki, seed 003) and the tests that look for a browser's telemetry at the logs backend.
 */

/**
 * The contrib Faro receiver's log records (pkg/translator/faro at v0.158.0, logs_to_faro.go constants and
 * keyval.go): each Faro item becomes one record whose body is a logfmt line (`key=value`, values with spaces
 * quoted) and whose `kind` attribute (OTELCOL_FARO_RECEIVER.kindAttribute) says which item it was. Meta keys
 * (session, page) are on every line; a measurement's values are keys of their own (`fcp=…`, `lcp=…`).
 */
export const FARO_LOG_LINE = {
  kinds: { log: 'log', exception: 'exception', measurement: 'measurement', event: 'event' },
  keys: {
    kind: 'kind',
    sessionId: 'session_id',
    pageUrl: 'page_url',
    eventName: 'event_name',
    /** an exception's type (e.g. "Error") — the same key as a measurement's type */
    exceptionType: 'type',
    exceptionValue: 'value',
    measurementType: 'type',
  },
} as const;

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
  webVitalsType: 'web-vitals',
  webVitals: ['cls', 'fcp', 'inp', 'lcp', 'ttfb'],
  /** the span attribute Faro web tracing puts the session id in (FaroMetaAttributesSpanProcessor) */
  sessionSpanAttribute: 'session.id',
  /** the global the SDK exposes itself as unless preventGlobalExposure (`window.faro`) */
  globalObjectKey: 'faro',
  /** TracingInstrumentation's span batch delay: browser spans leave at most this long after they end */
  spanExportDelayMs: 1000,
} as const;
