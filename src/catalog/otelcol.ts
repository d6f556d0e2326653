import { comp } from './component.js';
import type { EngineFacts } from './types.js';
import { Gi, Mi } from './units.js';
import { engineVersion } from './versions.js';

/** OpenTelemetry Collector (contrib components), documentation of the pinned release (see versions.json). */
/** The collector binary inside otel/opentelemetry-collector-contrib (a scratch image: no shell, no probe tool). */
export const OTELCOL_IMAGE_BINARY = '/otelcol-contrib';

/**
 * The user the otel/opentelemetry-collector-contrib image runs as (its Dockerfile: USER_UID 10001, USER_GID 10001):
 * a pod's fsGroup makes a persistent-queue volume writable for it.
 */
export const OTELCOL_IMAGE_USER = { uid: 10001, gid: 10001 } as const;

export const otelcol: EngineFacts = {
  id: 'otelcol',
  title: 'OpenTelemetry Collector',
  image: 'otel/opentelemetry-collector-contrib',
  pinned: engineVersion('otelcol'),
  // FROM scratch with the binary only: a healthcheck can run nothing but the binary, which has no probe subcommand;
  // the compose target probes the health_check extension (:13133) from a busybox service instead
  imageTools: { tools: ['/otelcol-contrib'], source: 'open-telemetry/opentelemetry-collector-releases distributions/otelcol-contrib Dockerfile (FROM scratch)' },
  // faro: otelstack's choice for the contrib Faro receiver (OTELCOL_FARO_RECEIVER), the same port as Alloy's
  // faro.receiver so an application's Faro URL does not depend on the collector kind; the receiver's own default
  // (8080) is Mimir's HTTP port and SeaweedFS's volume port
  ports: { otlpGrpc: 4317, otlpHttp: 4318, metrics: 8888, health: 13133, faro: 12347 },
  ready: { port: 'health', path: '/' },
  buckets: [],
  versions: [
    {
      line: '0',
      releases: [engineVersion('otelcol')],
      documented: `v${engineVersion('otelcol')}`,
      modes: {
        monolithic: {
          kafka: 'no',
          chart: { repository: 'https://open-telemetry.github.io/opentelemetry-helm-charts', name: 'opentelemetry-collector', version: '0.140.0' },
          components: [
            comp('gateway', 'write', { cpu: 500, memory: 1 * Gi, storage: 2 * Gi }, [1, 2], {
              stateful: true,
              note: 'persistent sending queues live on its volume',
            }),
            comp('processor', 'write', { cpu: 500, memory: 1 * Gi, storage: 2 * Gi }, [1, 2], {
              stateful: true,
              optional: true,
              // deployed only behind a Kafka buffer, where it is the only consumer of the buffer topics
              minReplicas: 1,
            }),
          ],
        },
      },
    },
  ],
};

/**
 * The contrib Faro receiver (receiver/faroreceiver, component type `faro`) at the pinned version, read from its source
 * at v0.158.0 (config.go, factory.go, receiver.go, metadata.yaml, testdata/config.yaml) and from confighttp v0.158.0
 * (server.go), whose ServerConfig its Config squashes:
 *  - the config is confighttp.ServerConfig inline: `endpoint` (required: Validate fails without one; the factory's
 *    default is localhost:8080, never relied on: otelstack always renders the endpoint), `cors`, `tls`, …;
 *  - one HTTP handler on path "/": OPTIONS answers 200 itself; anything but POST is 405; a POST whose Content-Type is
 *    not exactly application/json is 415; a Faro payload (meta, logs, exceptions, measurements, events, and traces as
 *    OTLP JSON resourceSpans) is 202 once passed on; logs, exceptions, measurements and events become log records
 *    (attribute `kind`), traces stay spans;
 *  - one receiver instance feeds both a logs and a traces pipeline (sharedcomponent): stability alpha for logs and
 *    traces, no metrics;
 *  - CORS is confighttp's (github.com/rs/cors v1.11.1): `cors.allowed_origins` (an origin, a pattern with one `*`, or
 *    `*`), `cors.allowed_headers`, `cors.max_age` (seconds); with no allowed origin the CORS handler is not installed
 *    at all, so browsers on another origin are refused. A preflight from an allowed origin is answered by rs/cors
 *    (204, echoing the origin, credentials allowed); from any other origin it carries no Access-Control-Allow-Origin.
 *    Seen on the real collector: once `allowed_headers` is given, ONLY those headers (compared lowercased) pass a
 *    preflight — `content-type` included, whatever confighttp's comment says about it being implicitly allowed — and
 *    the requested list must come sorted, as browsers send it.
 */
export const OTELCOL_FARO_RECEIVER = {
  type: 'faro',
  module: 'github.com/open-telemetry/opentelemetry-collector-contrib/receiver/faroreceiver',
  receiverDefaultEndpoint: 'localhost:8080',
  path: '/',
  method: 'POST',
  contentType: 'application/json',
  acceptedStatus: 202,
  signals: ['logs', 'traces'],
  keys: { endpoint: 'endpoint', cors: 'cors', allowedOrigins: 'allowed_origins', allowedHeaders: 'allowed_headers', maxAge: 'max_age' },
  /** the attribute of a log record that says which Faro item it came from (log, exception, measurement, event) */
  kindAttribute: 'kind',
} as const;

/**
 * Request headers the Faro Web SDK's transport sends that a browser names in its preflight, so a receiver on another
 * origin must allow each: `Content-Type` (application/json is not a CORS-safelisted value; with an explicit
 * allowed_headers list rs/cors lets nothing else through), `x-faro-session-id` on every request (faro-web-sdk 1.3:
 * "always add x-faro-session-id HTTP header"; Grafana Agent and Alloy allow it in their Faro receivers), and
 * `Idempotency-Key` on every batch (newer SDK transports; allowed by Alloy's faro.receiver since its CORS change for it).
 */
export const FARO_SDK_REQUEST_HEADERS = ['Content-Type', 'Idempotency-Key', 'x-faro-session-id'] as const;

/** How long a browser may cache the receiver's preflight answer (seconds): otelstack's choice, one hour. */
export const FARO_CORS_MAX_AGE_SECONDS = 3600;

/**
 * Tenants' own Faro receivers (seed 003: one per tenant, for its CORS origins, its X-Scope-OrgID and its rate limit)
 * listen from this port up, one port per tenant in name order: otelstack's choice, on both collectors, clear of the
 * shared Faro port and of Alloy's per-environment Faro ports counting up from it.
 */
export const FARO_TENANT_PORT_BASE = 12400;

/**
 * How the collector's exporter queues behave at shutdown (exporterhelper/internal/queue in the
 * open-telemetry/opentelemetry-collector sources of the search index; the stored copy's version is not pinned to
 * v0.158.0): the memory queue's Shutdown marks it stopped and its consumers keep reading until it is empty
 * (memory_queue.go: "Shutdown closes the queue channel to initiate draining of the queue"; Read returns false only
 * "if the queue is stopped and emptied") — bounded by the pod's grace period; the persistent queue's Shutdown only
 * stops its consumers and persists its metadata (persistent_queue.go): what it holds stays in the storage extension
 * and is read again by the next start of the same exporter, which finds its storage client by (exporter id, signal)
 * (the exporter helper's storage lookup: `GetClient(ctx, component.KindExporter, id, signal)`). A config that no
 * longer has an exporter never reads its persisted queue again.
 */
export const OTELCOL_QUEUE_SHUTDOWN = {
  memory: 'drained at shutdown',
  persistent: 'kept in storage for the next start of the same exporter id and signal',
  source: 'opentelemetry-collector exporter/exporterhelper/internal/queue/{memory_queue,persistent_queue}.go (search index copy, version not pinned)',
} as const;

/**
 * otelstack's drain receiver (its own choice, not a collector default): during the Add Kafka cutover on Kubernetes a
 * gateway keeps its direct exporters in pipelines of their own fed by this receiver, which listens on loopback only
 * so nothing outside the pod can send to it — the exporters then only send what their persistent queues hold.
 */
export const OTELCOL_DRAIN_RECEIVER = { id: 'otlp/drain', pipelineName: 'drain', endpoint: '127.0.0.1:14317' } as const;

/**
 * The OpenTelemetry Collector has no request rate limiter at the pinned build (v0.158.0): neither contrib nor core
 * ships a rate-limiting receiver, processor or HTTP middleware extension — the Go module proxy answers 404 for
 * contrib's processor/ratelimitprocessor and extension/ratelimiterextension at v0.158.0 (checked 2026-12), the Faro
 * receiver's config is confighttp.ServerConfig, which has no limiter (receiver/faroreceiver config.go v0.158.0), and
 * memory_limiter refuses by memory, not by rate. So the gateway's per-tenant limit on the collector path is an HAProxy
 * in front of the tenants' Faro ports (catalog HAPROXY_FARO_RATE_LIMIT; the compose target's load balancer, and on the
 * ansible target one on each gateway host: HAPROXY_DISTRO), or the ingress (Kubernetes).
 */
export const OTELCOL_RATE_LIMITER = { available: false, checkedAt: 'v0.158.0' } as const;
