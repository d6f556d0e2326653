/**
 * The Grafana Faro Web SDK as a tenant's web application configures it (`otelstack tenant add --format markdown`
 * prints these settings for the team to paste into its app). Option names from the Faro Web SDK documentation
 * (faro-web-sdk README, "sessionTracking" and @grafana/faro-web-tracing's TracingInstrumentation options):
 * unverified against the SDK's source here.
 */
export const FARO_WEB_SDK = {
  packages: { sdk: '@grafana/faro-web-sdk', tracing: '@grafana/faro-web-tracing' },
  /** initializeFaro({ url }): where the SDK's fetch transport POSTs its payloads */
  url: 'url',
  /** initializeFaro({ sessionTracking: { samplingRate } }): the share of sessions sampled, 0 < rate ≤ 1 */
  sessionSamplingRate: ['sessionTracking', 'samplingRate'],
  /** new TracingInstrumentation({ instrumentationOptions: { propagateTraceHeaderCorsUrls } }): cross-origin URLs that get traceparent */
  propagateTraceHeaderCorsUrls: ['instrumentationOptions', 'propagateTraceHeaderCorsUrls'],
} as const;

/**
 * How the OpenTelemetry web instrumentations (fetch / XHR, under Faro's tracing) match propagateTraceHeaderCorsUrls:
 * a string must EQUAL the whole request URL, a RegExp is matched against it (`urlMatches` in @opentelemetry/core
 * build/esm/utils/url.js, read at 2.12.1 in this repository's node_modules). A URL prefix is therefore given as
 * an anchored RegExp.
 */
export const OTEL_WEB_URL_MATCH = { string: 'equals', regexp: 'matches' } as const;
