/**
 * The HAProxy `otlp-lb` configuration in front of the OTLP gateways (compose target), and the names `otelstack
 * deploy` drains servers by. One function renders it for the container layout (the default) and for any other
 * placement (the real-engine tests run it on 127.0.0.1 with their own ports), so both run the same bytes but for
 * addresses. The ansible target renders its HAProxy beside each gateway collector with it too (src/render/ansible/
 * haproxy.ts: the tenants' Faro frontends only, over TLS between VMs), so the tenants' limits are the same sections.
 */
import { CATALOG } from '../../catalog/index.js';
import { READABLE_REFUSAL } from '../../catalog/rum.js';
import { HAPROXY, HAPROXY_FARO_RATE_LIMIT, HAPROXY_METRICS } from '../../catalog/support.js';
import type { RequestLimit, TenantPlan } from '../../topology/types.js';

/** The backends of the rendered config: every gateway is a server of each, under its service name. */
export const HAPROXY_BACKENDS = { grpc: 'gateways_grpc', http: 'gateways_http', faro: 'gateways_faro' } as const;

/** Name of the resolvers section (Docker's embedded DNS, read from /etc/resolv.conf). */
const RESOLVERS = 'compose';

export interface HaproxyServer {
  /** server name in the backends: the gateway's compose service name */
  readonly name: string;
  /** address the gateway answers at (its service name in compose) */
  readonly host: string;
  readonly otlpGrpc: number;
  readonly otlpHttp: number;
  /** the collector's health_check extension port */
  readonly health: number;
  /** the gateway's Faro receiver port, when Faro is enabled (then the config has a Faro frontend and backend) */
  readonly faro?: number;
  /** the gateway's tenants' Faro receiver ports by tenant name; default each tenant's own port */
  readonly tenantPorts?: Readonly<Record<string, number>>;
}

/** A tenant's Faro port behind the load balancer, with the gateway's limit for it (seed 003 level 3). */
export interface HaproxyTenant {
  readonly name: string;
  /** the port browsers send to, on the load balancer and (unless the servers say otherwise) on the gateways */
  readonly port: number;
  readonly rateLimit: RequestLimit;
  /** the tenant's page origins (its CORS): a refusal names them so the page can read it; "*" any origin */
  readonly origins: readonly string[];
}

/** The tenants of a topology as the load balancer fronts them. */
export function haproxyTenants(tenants: readonly TenantPlan[] = []): HaproxyTenant[] {
  return tenants.map((tn) => ({ name: tn.name, port: tn.faroPort, rateLimit: tn.rateLimit, origins: tn.origins }));
}

export interface HaproxyPlacement {
  /** interface the frontends and the runtime API bind to; default every interface (inside the container) */
  readonly bindHost?: string;
  /** faro: default the servers' Faro port (the port browsers use is the one the gateways listen on) */
  readonly ports?: Partial<Record<'otlpGrpc' | 'otlpHttp' | 'monitor' | 'runtimeApi' | 'faro', number>>;
  /** tenants' frontend ports by tenant name; default the tenant's port */
  readonly tenantPorts?: Readonly<Record<string, number>>;
  /**
   * false: no OTLP frontends and backends — the load balancer fronts the tenants' Faro ports only (the VM target's
   * HAProxy beside each gateway collector: OTLP goes to the collector itself); default true
   */
  readonly otlp?: boolean;
  /**
   * false: no resolvers section — the servers are addresses, not names to look up again (the VM target's loopback
   * collector); default true (compose: Docker's DNS, so a recreated gateway is found at its new address)
   */
  readonly resolvers?: boolean;
  /** interface the runtime API binds to; default bindHost (every interface inside the container) */
  readonly runtimeApiHost?: string;
  /** TLS for the browsers on the tenants' frontends: the PEM with certificate and key (catalog HAPROXY_DISTRO) */
  readonly tenantTls?: { readonly crt: string; readonly minVersion: string };
  /** the user and group the workers drop to (`global` user / group; the distribution's package: HAPROXY_DISTRO) */
  readonly runAs?: { readonly user: string; readonly group: string };
  /** first line of the file; default the compose load balancer's */
  readonly header?: string;
}

/**
 * One tenant's rate-limited Faro frontend, its two counter tables and its backend over the gateways (catalog
 * HAPROXY_FARO_RATE_LIMIT: the keywords and the two-window semantics). Preflights (OPTIONS) are neither counted nor
 * refused: the collector's CORS handler answers them.
 */
function tenantSections(tn: HaproxyTenant, servers: readonly HaproxyServer[], host: string, bindPort: number, healthPath: string, tls?: HaproxyPlacement['tenantTls']): string[] {
  const k = HAPROXY_FARO_RATE_LIMIT;
  const fe = k.frontend(tn.name);
  const short = `${fe}_${k.shortWindowSeconds}s`;
  const long = `${fe}_${k.longWindowSeconds}s`;
  const longMax = Math.ceil(tn.rateLimit.perSecond * k.longWindowSeconds);
  const anyOrigin = tn.origins.includes('*');
  const h = READABLE_REFUSAL;
  const cors = `hdr ${h.allowOrigin} "%[req.hdr(origin)]" hdr ${h.exposeHeaders} ${h.retryAfter} hdr ${h.vary} Origin`;
  const windows = [
    { over: `{ int(0),table_http_req_rate(${short}) ge ${tn.rateLimit.burst} }`, wait: k.shortWindowSeconds },
    { over: `{ int(0),table_http_req_rate(${long}) ge ${longMax} }`, wait: k.longWindowSeconds },
  ];
  const table = (name: string, seconds: number) => [`backend ${name}`, `  stick-table type integer size 1 expire ${k.expireSeconds}s store http_req_rate(${seconds}s)`];
  return [
    `frontend ${fe}`,
    `  # tenant ${tn.name}: ${tn.rateLimit.perSecond} requests/s, bursts of ${tn.rateLimit.burst} — at most ${tn.rateLimit.burst} accepted in ${k.shortWindowSeconds}s and ${longMax} in ${k.longWindowSeconds}s, the rest refused (${k.status})`,
    `  bind ${host}:${bindPort}${tls ? ` ssl crt ${tls.crt} ssl-min-ver ${tls.minVersion}` : ''}`,
    // a refusal the page can read: Retry-After, and CORS for the tenant's own origins (catalog HAPROXY_FARO_RATE_LIMIT)
    ...(anyOrigin ? [] : [`  acl ${fe}_origin req.hdr(origin) -m str ${tn.origins.join(' ')}`]),
    // the windows are read before the request is counted: only accepted requests count
    ...windows.flatMap(({ over, wait }) => [
      `  http-request deny status ${k.status} hdr ${h.retryAfter} ${wait} ${cors} if !METH_OPTIONS ${over}${anyOrigin ? ' { req.hdr(origin) -m found }' : ` ${fe}_origin`}`,
      `  http-request deny status ${k.status} hdr ${h.retryAfter} ${wait} if !METH_OPTIONS ${over}`,
    ]),
    `  http-request track-sc0 int(0) table ${short} if !METH_OPTIONS`,
    `  http-request track-sc1 int(0) table ${long} if !METH_OPTIONS`,
    `  default_backend ${fe}_gateways`,
    ...table(short, k.shortWindowSeconds),
    ...table(long, k.longWindowSeconds),
    `backend ${fe}_gateways`,
    '  balance roundrobin',
    `  option httpchk GET ${healthPath}`,
    ...servers.map((s) => `  server ${s.name} ${s.host}:${s.tenantPorts?.[tn.name] ?? tn.port} check port ${s.health}`),
  ];
}

/** Servers for compose gateways: service name = host, the catalog's collector ports; `faroPort` when Faro is on. */
export function composeHaproxyServers(gateways: readonly string[], faroPort?: number): HaproxyServer[] {
  const p = CATALOG.otelcol.ports;
  return gateways.map((g) => ({ name: g, host: g, otlpGrpc: p['otlpGrpc']!, otlpHttp: p['otlpHttp']!, health: p['health']!, ...(faroPort !== undefined ? { faro: faroPort } : {}) }));
}

export function haproxyConfig(servers: readonly HaproxyServer[], placement: HaproxyPlacement = {}, tenants: readonly HaproxyTenant[] = []): string {
  const p = CATALOG.otelcol.ports;
  // the collectors' readiness endpoint (catalog: the health_check extension's path), on the servers' health port
  const healthPath = CATALOG.otelcol.ready!.path;
  const host = placement.bindHost ?? '';
  const port = (k: 'otlpGrpc' | 'otlpHttp' | 'monitor' | 'runtimeApi'): number =>
    placement.ports?.[k] ?? (k === 'monitor' || k === 'runtimeApi' ? HAPROXY.ports[k] : p[k]!);
  const list = (backend: 'grpc' | 'http') =>
    servers.map((s) => `  server ${s.name} ${s.host}:${backend === 'grpc' ? s.otlpGrpc : s.otlpHttp} ${backend === 'grpc' ? 'proto h2 ' : ''}check port ${s.health}${backend === 'grpc' ? ' check-proto h1' : ''}`).join('\n');
  // Faro (browser) traffic is plain HTTP/1.1 JSON like OTLP/HTTP; CORS is answered by the gateways themselves, so
  // preflights pass through unchanged
  const faroServers = servers.filter((s): s is HaproxyServer & { faro: number } => s.faro !== undefined);
  const faroPort = placement.ports?.faro ?? faroServers[0]?.faro;
  const faro =
    faroServers.length > 0 && faroPort !== undefined
      ? {
          frontend: ['frontend faro', `  bind ${host}:${faroPort}`, `  default_backend ${HAPROXY_BACKENDS.faro}`],
          backend: [`backend ${HAPROXY_BACKENDS.faro}`, '  balance roundrobin', `  option httpchk GET ${healthPath}`, faroServers.map((s) => `  server ${s.name} ${s.host}:${s.faro} check port ${s.health}`).join('\n')],
        }
      : undefined;
  // HAProxy 3.2 configuration manual: gRPC over HTTP/2 cleartext needs `proto h2` on both sides, so requests
  // (not connections) are balanced; health from the collectors' health_check extension, which speaks HTTP/1.1 only:
  // a check inherits the server's `proto h2` unless `check-proto h1` says otherwise (seen on the real HAProxy: every
  // gRPC server DOWN, "Socket error", without it). The runtime API is what
  // `otelstack deploy` drains a gateway through (catalog HAPROXY).
  const otlp = placement.otlp !== false;
  const resolvers = placement.resolvers !== false;
  return [
    placement.header ?? '# HAProxy in front of the OTLP gateways — rendered by otelstack.',
    'global',
    '  log stdout format raw local0',
    `  stats socket ipv4@${placement.runtimeApiHost ?? (host || '0.0.0.0')}:${port('runtimeApi')} level admin`,
    ...(placement.runAs ? [`  user ${placement.runAs.user}`, `  group ${placement.runAs.group}`] : []),
    ...(resolvers ? [`resolvers ${RESOLVERS}`, '  parse-resolv-conf', '  hold valid 10s'] : []),
    'defaults',
    '  log global',
    '  mode http',
    '  timeout connect 5s',
    '  timeout client 60s',
    '  timeout server 60s',
    ...(resolvers ? [`  default-server init-addr last,libc,none resolvers ${RESOLVERS}`] : []),
    ...(otlp
      ? ['frontend otlp_grpc', `  bind ${host}:${port('otlpGrpc')} proto h2`, `  default_backend ${HAPROXY_BACKENDS.grpc}`, 'frontend otlp_http', `  bind ${host}:${port('otlpHttp')}`, `  default_backend ${HAPROXY_BACKENDS.http}`]
      : []),
    ...(otlp ? (faro?.frontend ?? []) : []),
    ...tenants.flatMap((tn) => tenantSections(tn, servers, host, placement.tenantPorts?.[tn.name] ?? tn.port, healthPath, placement.tenantTls)),
    'frontend health',
    `  bind ${host}:${port('monitor')}`,
    `  monitor-uri ${HAPROXY.monitorUri}`,
    // the tenants' refused requests are counted: HAProxy's own Prometheus exporter (catalog HAPROXY_METRICS)
    ...(tenants.length > 0 ? [`  http-request use-service prometheus-exporter if { path ${HAPROXY_METRICS.path} }`] : []),
    ...(otlp
      ? [`backend ${HAPROXY_BACKENDS.grpc}`, '  balance roundrobin', `  option httpchk GET ${healthPath}`, list('grpc'), `backend ${HAPROXY_BACKENDS.http}`, '  balance roundrobin', `  option httpchk GET ${healthPath}`, list('http')]
      : []),
    ...(otlp ? (faro?.backend ?? []) : []),
    '',
  ].join('\n');
}
