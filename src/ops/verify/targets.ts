// Where `otelstack verify` pushes and reads: derived from one environment's Topology (ingestion layer, engines'
// query endpoints and tenants, buckets), each endpoint overridable. Engine facts (ports, API prefixes, default
// tenants) come from src/catalog.
import { kubernetesGatewayService } from '../../topology/network-flows.js';
import { vmHostName } from '../../topology/vm-placement.js';
import { CATALOG } from '../../catalog/index.js';
import { LOKI_API } from '../../catalog/loki.js';
import { MIMIR_API } from '../../catalog/mimir.js';
import { TEMPO_API } from '../../catalog/tempo.js';
import type { EngineId } from '../../catalog/types.js';
import { COMPOSE_OTLP_LB, composeHostUrl, composeLoadBalanced, LOOPBACK_HOST } from '../../topology/loopback.js';
import type { Topology } from '../../topology/types.js';
import { mimirPrometheusUrl } from '../backends/prometheus.js';
import type { TempoTraceApi } from '../backends/tempo.js';
import type { OtlpProtocol } from '../otlp/sender.js';
import { DSKIT_TENANT_HEADER } from '../../catalog/dskit.js';

/** Bad input found while resolving targets (the CLI turns it into exit code 2). */
export class VerifyInputError extends Error {
  override readonly name = 'VerifyInputError';
  constructor(
    message: string,
    readonly suggestion?: string,
  ) {
    super(message);
  }
}

export type VerifyProtocol = 'grpc' | 'http';

export interface VerifyOverrides {
  readonly otlpEndpoint?: string;
  /** Default grpc (the seed's acceptance test pushes to the collector's 4317). */
  readonly protocol?: VerifyProtocol;
  readonly tempoUrl?: string;
  /** Root of a Prometheus HTTP API, used as is (also for Mimir: give the URL including /prometheus). */
  readonly prometheusUrl?: string;
  /** Mimir's base URL; its Prometheus prefix (catalog) is appended. */
  readonly mimirUrl?: string;
  readonly lokiUrl?: string;
  readonly s3Endpoint?: string;
  readonly s3Region?: string;
  /**
   * Read (and push) as this tenant for every backend, instead of each engine's tenant from the definition: a tenant's
   * name or id from `tenants` (its id is used), or any other tenant id.
   */
  readonly tenant?: string;
  /** Tempo's OTLP/HTTP receiver for a push as a tenant of `tenants` (VerifyTargets.direct); default from the definition. */
  readonly tempoOtlpUrl?: string;
  /** Extra OTLP headers, e.g. authorization. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Where the caller runs: `host` (default; a compose stack is reached through what it publishes on 127.0.0.1) or
   * `network` (inside the environment's network, as the rendered canary does: compose / VM service names).
   */
  readonly view?: TargetView;
}

export type TargetView = 'host' | 'network';

export interface BackendTarget<E extends EngineId> {
  readonly engine: E;
  readonly url: string;
  readonly tenant?: string;
}

export interface StorageBucketTarget {
  readonly signal: 'traces' | 'metrics' | 'logs';
  readonly engine: EngineId;
  readonly bucket: string;
  readonly purpose: string;
  /** Objects of the tenant live under `<tenant>/`. */
  readonly prefix: string;
}

/** Where one signal is pushed when verify writes to the engines directly (a tenant of `tenants`, see resolveTargets). */
export interface DirectPush {
  readonly endpoint: string;
  readonly protocol: OtlpProtocol;
}

export interface VerifyTargets {
  readonly stack: string;
  readonly env: string;
  readonly namespace: string;
  readonly otlp: { readonly endpoint: string; readonly protocol: OtlpProtocol; readonly headers: Readonly<Record<string, string>> };
  /**
   * --tenant naming a tenant of `tenants` (by name or id): the gateway's exporters set the environment's own
   * X-Scope-OrgID on the OTLP path (they do not forward a client's), so verify pushes each signal straight to its
   * engine's OTLP receiver as the tenant (OTLP/HTTP, X-Scope-OrgID in otlp.headers) instead of through the gateway.
   * Absent with --otlp-endpoint (pushed there, as given) or when the tenant is not one of `tenants`.
   */
  readonly direct?: { readonly traces?: DirectPush; readonly metrics?: DirectPush; readonly logs?: DirectPush };
  /** the tenant under test, when --tenant named one of `tenants` */
  readonly tenant?: { readonly name: string; readonly id: string };
  readonly traces?: BackendTarget<'tempo'> & { readonly api: TempoTraceApi };
  readonly metrics?: BackendTarget<'mimir' | 'prometheus'>;
  readonly logs?: BackendTarget<'loki'>;
  readonly storage: { readonly endpoint?: string; readonly region: string; readonly buckets: readonly StorageBucketTarget[] };
  /**
   * From inside an ansible environment with TLS (view network): the host's CA and, under mTLS, its certificate and
   * key — the files the rendered configs name — for the push to the gateway and the reads from the engines.
   */
  readonly tls?: { readonly caFile: string; readonly certFile?: string; readonly keyFile?: string };
}

function checkUrl(flag: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new VerifyInputError(`${flag} must be an http:// or https:// URL, got ${JSON.stringify(v)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new VerifyInputError(`${flag} must be an http:// or https:// URL, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * The OTLP endpoint of the environment's collection layer. Docker Compose: the renderer publishes the gateway's
 * (or HAProxy's) OTLP ports on the host, so the loopback address. Kubernetes: the gateways' Service in the
 * environment's namespace (kubernetesGatewayService: `alloy`, or `otelcol-gateway`) — seed 000 pushes to
 * http://alloy:4317 from each namespace.
 */
export function ingestionEndpoint(t: Topology, protocol: VerifyProtocol, view: TargetView = 'host'): string {
  if (!t.ingestion) {
    throw new VerifyInputError(`environment ${t.env.name} has no ingestion layer (ingestion.collector) to push through`, 'pass --otlp-endpoint');
  }
  const ports = CATALOG[t.ingestion.collector].ports;
  const port = protocol === 'grpc' ? ports['otlpGrpc'] : ports['otlpHttp'];
  if (port === undefined) throw new VerifyInputError(`the catalog has no OTLP ${protocol} port for ${t.ingestion.collector}`, 'pass --otlp-endpoint');
  if (t.env.target === 'compose' && view === 'network') {
    // the compose service in front of the gateways: the load balancer when there is one, else the one gateway
    return `http://${composeLoadBalanced(t) ? COMPOSE_OTLP_LB : 'gateway-0'}:${port}`;
  }
  // on VMs the rendered canary runs beside a gateway (the first of the collectors_gateway group) and pushes to it:
  // on loopback, or with TLS by the gateway's name (the common role maps it in /etc/hosts; its certificate carries it)
  if (t.env.target === 'ansible' && view === 'network') {
    return t.tls && t.ingestion.gatewayReplicas > 0 ? `https://${vmHostName('gateway', 0)}:${port}` : `http://${LOOPBACK_HOST}:${port}`;
  }
  if (t.env.target === 'compose') return `http://${LOOPBACK_HOST}:${port}`;
  return `http://${kubernetesGatewayService(t.ingestion.collector)}.${t.env.namespace}.svc.cluster.local:${port}`;
}

/** The tenant whose objects a bucket listing looks under when the engine runs without multitenancy. */
function defaultTenant(engine: EngineId): string | undefined {
  if (engine === 'tempo') return TEMPO_API.singleTenantId;
  if (engine === 'mimir') return MIMIR_API.anonymousTenant;
  if (engine === 'loki') return LOKI_API.noAuthTenant;
  return undefined;
}

/** Bucket purposes holding the data a push ends up in, per engine (catalog bucket purposes). */
const DATA_BUCKET_PURPOSE: Partial<Record<EngineId, string>> = { tempo: 'blocks', mimir: 'blocks', loki: 'chunks' };

/** A tenant of the environment's `tenants` by name or id. */
export function servedTenant(t: Topology, v: string | undefined): { name: string; id: string } | undefined {
  if (v === undefined) return undefined;
  const x = (t.tenants ?? []).find((y) => y.name === v) ?? (t.tenants ?? []).find((y) => y.id === v);
  return x ? { name: x.name, id: x.id } : undefined;
}

/**
 * Each signal's engine OTLP/HTTP receiver (Tempo's distributor on its otlpHttp port, Mimir's /otlp, Loki's /otlp),
 * as the caller reaches it (`fromHost`): where verify pushes as a tenant of `tenants`.
 */
function directPush(t: Topology, fromHost: (url: string | undefined) => string | undefined, tempoOtlpUrl: string | undefined): NonNullable<VerifyTargets['direct']> {
  const out: { traces?: DirectPush; metrics?: DirectPush; logs?: DirectPush } = {};
  for (const e of t.engines) {
    let url: string | undefined;
    if (e.signal === 'traces' && e.engine === 'tempo' && e.endpoints.push) {
      const u = new URL(e.endpoints.push);
      u.port = String(CATALOG.tempo.ports['otlpHttp']);
      url = u.toString().replace(/\/$/, '');
    } else if (e.signal === 'metrics' && e.engine === 'mimir') url = e.endpoints.otlp;
    else if (e.signal === 'logs' && e.engine === 'loki') url = e.endpoints.push;
    const endpoint = e.signal === 'traces' && tempoOtlpUrl !== undefined ? tempoOtlpUrl : fromHost(url);
    if (endpoint && (e.signal === 'traces' || e.signal === 'metrics' || e.signal === 'logs')) out[e.signal] = { endpoint, protocol: 'http/protobuf' };
  }
  return out;
}

export function resolveTargets(t: Topology, o: VerifyOverrides = {}): VerifyTargets {
  const protocol = o.protocol ?? 'grpc';
  if (protocol !== 'grpc' && protocol !== 'http') throw new VerifyInputError(`--protocol must be grpc or http, got ${JSON.stringify(protocol)}`);
  const view = o.view ?? 'host';
  const endpoint = checkUrl('--otlp-endpoint', o.otlpEndpoint) ?? ingestionEndpoint(t, protocol, view);
  checkUrl('--tempo-url', o.tempoUrl);
  checkUrl('--prometheus-url', o.prometheusUrl);
  checkUrl('--mimir-url', o.mimirUrl);
  checkUrl('--loki-url', o.lokiUrl);
  checkUrl('--tempo-otlp-url', o.tempoOtlpUrl);
  checkUrl('--s3-endpoint', o.s3Endpoint);
  if (o.tenant !== undefined && !/^[A-Za-z0-9!._*'()-]{1,150}$/.test(o.tenant)) {
    // Mimir / Loki / Tempo tenant ids: up to 150 characters from this set (Mimir "About tenant IDs").
    throw new VerifyInputError(`--tenant ${JSON.stringify(o.tenant)} is not a valid tenant id`, 'use letters, digits and !-_.*\'() (at most 150 characters)');
  }
  // a tenant of `tenants` by name or id: its id (X-Scope-OrgID)
  const served = servedTenant(t, o.tenant);
  const tenantId = served?.id ?? o.tenant;
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (tenantId !== undefined) headers[DSKIT_TENANT_HEADER] = tenantId;

  const byEngine = new Map(t.engines.map((e) => [e.signal, e] as const));
  // Compose service names do not resolve on the host: read through what the renderer publishes on 127.0.0.1
  // (composeLoopbackPorts); flags still override each URL.
  const fromHost = (url: string | undefined): string | undefined => (url === undefined || t.env.target !== 'compose' || view === 'network' ? url : composeHostUrl(t, url));
  const tenantOf = (signal: 'traces' | 'metrics' | 'logs'): string | undefined => tenantId ?? byEngine.get(signal)?.tenant;
  const direct = served && o.otlpEndpoint === undefined ? directPush(t, fromHost, o.tempoOtlpUrl) : undefined;

  let traces: VerifyTargets['traces'];
  const te = byEngine.get('traces');
  const tempoUrl = o.tempoUrl ?? fromHost(te?.engine === 'tempo' ? te.endpoints.query : undefined);
  if (tempoUrl) {
    const tenant = tenantOf('traces');
    traces = { engine: 'tempo', url: tempoUrl, api: 'v2', ...(tenant !== undefined ? { tenant } : {}) };
  }

  let metrics: VerifyTargets['metrics'];
  const me = byEngine.get('metrics');
  const metricsEngine: 'mimir' | 'prometheus' = o.mimirUrl ? 'mimir' : o.prometheusUrl ? (me?.engine === 'mimir' ? 'mimir' : 'prometheus') : me?.engine === 'prometheus' ? 'prometheus' : 'mimir';
  const metricsUrl = o.mimirUrl ? mimirPrometheusUrl(o.mimirUrl) : (o.prometheusUrl ?? fromHost(me && (me.engine === 'mimir' || me.engine === 'prometheus') ? me.endpoints.query : undefined));
  if (metricsUrl) {
    const tenant = tenantOf('metrics');
    metrics = { engine: metricsEngine, url: metricsUrl, ...(tenant !== undefined ? { tenant } : {}) };
  }

  let logs: VerifyTargets['logs'];
  const le = byEngine.get('logs');
  const lokiUrl = o.lokiUrl ?? fromHost(le?.engine === 'loki' ? le.endpoints.query : undefined);
  if (lokiUrl) {
    const tenant = tenantOf('logs');
    logs = { engine: 'loki', url: lokiUrl, ...(tenant !== undefined ? { tenant } : {}) };
  }

  const buckets: StorageBucketTarget[] = [];
  for (const b of t.buckets) {
    if (b.signal !== 'traces' && b.signal !== 'metrics' && b.signal !== 'logs') continue;
    if (DATA_BUCKET_PURPOSE[b.engine] !== b.purpose) continue;
    const tenant = tenantOf(b.signal) ?? defaultTenant(b.engine);
    buckets.push({ signal: b.signal, engine: b.engine, bucket: b.name, purpose: b.purpose, prefix: tenant ? `${tenant}/` : '' });
  }
  buckets.sort((a, b) => (a.signal < b.signal ? -1 : a.signal > b.signal ? 1 : a.bucket < b.bucket ? -1 : 1));
  const s3Endpoint = o.s3Endpoint ?? fromHost(t.objectStorage.endpoint);

  return {
    stack: t.stack,
    env: t.env.name,
    namespace: t.env.namespace,
    otlp: { endpoint, protocol: protocol === 'grpc' ? 'grpc' : 'http/protobuf', headers },
    ...(direct ? { direct } : {}),
    ...(served ? { tenant: served } : {}),
    ...(traces ? { traces } : {}),
    ...(metrics ? { metrics } : {}),
    ...(logs ? { logs } : {}),
    storage: { ...(s3Endpoint ? { endpoint: s3Endpoint } : {}), region: o.s3Region ?? t.objectStorage.region, buckets },
    ...(t.tls && view === 'network' ? { tls: { caFile: t.tls.ca.path, ...(t.tls.mtls ? { certFile: t.tls.cert.path, keyFile: t.tls.key.path } : {}) } } : {}),
  };
}

/** The default other tenant of the isolation checks when the environment has none to offer. */
export const VERIFY_OTHER_TENANT = 'otelstack-verify-other';

/**
 * The tenant the isolation checks read as (verify --tenant): --other-tenant (a tenant's name or id, or any id), else
 * another of the environment's tenants (the first by name that is not the tenant under test), else
 * VERIFY_OTHER_TENANT. It must differ from the tenant under test.
 */
export function otherTenantOf(t: Topology, targets: VerifyTargets, given: string | undefined): string {
  const own = targets.otlp.headers[DSKIT_TENANT_HEADER];
  const other = given !== undefined ? (servedTenant(t, given)?.id ?? given) : ((t.tenants ?? []).find((x) => x.id !== own)?.id ?? VERIFY_OTHER_TENANT);
  if (!/^[A-Za-z0-9!._*'()-]{1,150}$/.test(other)) throw new VerifyInputError(`--other-tenant ${JSON.stringify(other)} is not a valid tenant id`, "use letters, digits and !-_.*'() (at most 150 characters)");
  if (other === own) throw new VerifyInputError('--other-tenant must differ from --tenant', given === undefined ? 'pass --other-tenant' : `both are tenant ${JSON.stringify(own)}`);
  return other;
}
