/**
 * Real user monitoring (seed 003) facts outside the collectors: the trace-context headers a browser may send, the
 * Kubernetes ingress controllers' rate-limit and header keys, and the Faro Web SDK's configuration keys.
 */

/**
 * Trace-context propagation headers by format (the formats' own specifications: W3C Trace Context; Jaeger client
 * "Propagation format"; OpenZipkin b3-propagation; AWS X-Ray and Google Cloud trace headers; OpenTracing's ot-tracer
 * basic tracer). Seed 003 keeps an allow-list: `traceparent` and `tracestate` (w3c) always, `uber-trace-id` (jaeger)
 * where the tenant asks for it; every other one is removed at the tenant's ingress so that no other context reaches
 * the gateway. Header names are case-insensitive (RFC 9110); written lowercased.
 */
export const TRACE_CONTEXT_HEADERS = {
  w3c: ['traceparent', 'tracestate'],
  jaeger: ['uber-trace-id'],
  b3: ['b3', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-parentspanid', 'x-b3-sampled', 'x-b3-flags'],
  other: ['x-amzn-trace-id', 'x-cloud-trace-context', 'grpc-trace-bin', 'ot-tracer-traceid', 'ot-tracer-spanid', 'ot-tracer-sampled'],
} as const;

/** The formats a tenant may ask to propagate (definition: tenants.<name>.propagation). */
export const PROPAGATION_FORMATS = ['w3c', 'jaeger'] as const;
export type PropagationFormat = (typeof PROPAGATION_FORMATS)[number];

/** Every known trace-context header not allowed for these formats: what the ingress removes. */
export function disallowedTraceHeaders(formats: readonly PropagationFormat[]): string[] {
  const allowed = new Set<string>(formats.flatMap((f) => TRACE_CONTEXT_HEADERS[f]));
  return Object.values(TRACE_CONTEXT_HEADERS)
    .flat()
    .filter((h) => !allowed.has(h));
}

/**
 * Contour HTTPProxy (projectcontour.io/v1; the @kubernetes-models/contour 6.0.0 types, generated from Contour's CRDs,
 * and Contour's "Rate Limiting" docs, unverified against a running Contour):
 *  - `spec.virtualhost.{fqdn, tls.secretName}`; `spec.routes[].{conditions[].prefix, services[].{name, port},
 *    requestHeadersPolicy.{set, remove}, rateLimitPolicy.local}`;
 *  - `rateLimitPolicy.local: { requests, unit: second|minute|hour, burst }`: Envoy's local rate limit, a token bucket
 *    of requests + burst tokens refilled with `requests` per unit, PER ENVOY INSTANCE (each Envoy replica counts on
 *    its own); above it Envoy answers 429 (responseStatusCode unset), with `responseHeadersToAdd: [{name, value}]`
 *    added to it (static values).
 */
export const CONTOUR_HTTPPROXY = {
  apiVersion: 'projectcontour.io/v1',
  kind: 'HTTPProxy',
  status: 429,
  perInstance: true,
} as const;

/**
 * What makes a rate-limit refusal readable by a page on another origin (the Fetch standard): without
 * Access-Control-Allow-Origin the page's fetch() rejects as a network error instead of seeing 429, and Retry-After
 * is readable only when listed in Access-Control-Expose-Headers (it is not a CORS-safelisted response header);
 * Vary: Origin when the grant depends on the request's origin. The Faro SDK then waits Retry-After (FARO_WEB_SDK).
 */
export const READABLE_REFUSAL = {
  retryAfter: 'Retry-After',
  allowOrigin: 'Access-Control-Allow-Origin',
  exposeHeaders: 'Access-Control-Expose-Headers',
  vary: 'Vary',
} as const;

/**
 * ingress-nginx Ingress annotations (ingress-nginx user guide, "Annotations": Rate Limiting, Configuration snippet;
 * unverified against a running controller):
 *  - `limit-rps`: requests per second accepted FROM ONE CLIENT IP (not per host); `limit-burst-multiplier`: the burst
 *    is limit-rps × multiplier (default 5), nodelay. Refused requests get the ConfigMap's `limit-req-status-code`
 *    (default 503: set it to 429 for the seed's behaviour);
 *  - `configuration-snippet`: raw nginx directives in the location; ingress-nginx ships the headers-more module, whose
 *    `more_clear_input_headers` removes request headers. The controller refuses snippets unless its ConfigMap has
 *    `allow-snippet-annotations: "true"` (default false since 1.9) and `annotations-risk-level: Critical` (1.12+).
 */
export const INGRESS_NGINX = {
  prefix: 'nginx.ingress.kubernetes.io/',
  limitRps: 'nginx.ingress.kubernetes.io/limit-rps',
  limitBurstMultiplier: 'nginx.ingress.kubernetes.io/limit-burst-multiplier',
  defaultBurstMultiplier: 5,
  configurationSnippet: 'nginx.ingress.kubernetes.io/configuration-snippet',
  backendProtocol: 'nginx.ingress.kubernetes.io/backend-protocol',
  clearInputHeaders: 'more_clear_input_headers',
  perClientIp: true,
  defaultStatus: 503,
} as const;

/**
 * Faro Web SDK configuration keys (@grafana/faro-web-sdk and @grafana/faro-web-tracing 2.12; their type definitions
 * as found by search, unverified against the published .d.ts): `initializeFaro({ url, app: { name, environment },
 * sessionTracking: { enabled, samplingRate } })` — samplingRate 0…1 is the share of sessions sampled (an unsampled
 * session sends nothing); `new TracingInstrumentation({ instrumentationOptions: { propagateTraceHeaderCorsUrls } })`
 * where the list holds strings or RegExps: OpenTelemetry's web instrumentations compare a string to the whole URL
 * (exact match) and test a RegExp, so URL prefixes are rendered as anchored regular expressions (their source text;
 * the application builds `new RegExp(source)`).
 */
export const FARO_WEB_SDK = {
  version: '2.12',
  packages: ['@grafana/faro-web-sdk', '@grafana/faro-web-tracing'],
} as const;

/** An anchored regular expression (source text) matching a URL prefix and anything under it. */
export function urlPrefixPattern(prefix: string): string {
  const p = prefix.replace(/\/+$/, '');
  return `^${p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?:[/?#]|$)`;
}

/**
 * The path a Faro receiver takes the SDK's payloads on: the contrib receiver's one handler on "/"
 * (OTELCOL_FARO_RECEIVER.path, from its source), Alloy's faro.receiver on `/collect` (Alloy v1.12 faro.receiver
 * reference: "/collect" and "/collect/{app_key}"; unverified against a running Alloy).
 */
export const FARO_RECEIVER_PATHS = { otelcol: '/', alloy: '/collect' } as const;
