import { CANARY_IMAGE } from './canary.js';
import type { ImageTools } from './types.js';
import { engineVersion } from './versions.js';

interface SupportImage {
  readonly image: string;
  readonly version: string;
  /** What the image holds for healthchecks and one-shot jobs (see ImageTools). */
  readonly imageTools: ImageTools;
}

/**
 * Supporting services of the compose stacks that are not telemetry engines: the OTLP load balancer, Grafana's
 * shared database, the MinIO store and the S3 clients of the bucket jobs, and the busybox probe services that check
 * the readiness of engines whose images hold no probe tool. Images are the official ones; versions are pinned in
 * versions.json.
 */
export const SUPPORT_IMAGES = {
  // docker-library/postgres Dockerfile (Debian): the server's client binaries, pg_isready among them
  postgresql: { image: 'postgres', version: engineVersion('postgresql'), imageTools: { tools: ['pg_isready', 'psql', 'sh'], source: 'docker-library/postgres 17/bookworm/Dockerfile' } },
  // docker-library/haproxy Dockerfile: the haproxy binary (config check with -c)
  haproxy: { image: 'haproxy', version: engineVersion('haproxy'), imageTools: { tools: ['haproxy'], source: 'docker-library/haproxy 3.2/Dockerfile' } },
  // minio/minio Dockerfile.release: the server image also ships the mc client (curl is not guaranteed across
  // releases); `mc ready local` is MinIO's documented container healthcheck (alias local = http://localhost:9000)
  minio: { image: 'minio/minio', version: engineVersion('minio'), imageTools: { tools: ['minio', 'mc'], source: 'minio/minio Dockerfile.release (/opt/bin/minio, /opt/bin/mc)' } },
  // minio/mc Dockerfile.release: mc on a Red Hat UBI micro base (with /bin/sh)
  mc: { image: 'minio/mc', version: engineVersion('mc'), imageTools: { tools: ['mc', '/bin/sh'], source: 'minio/mc Dockerfile.release (ubi-micro base)' } },
  // aws/aws-cli docker/Dockerfile: amazonlinux base with the aws binary and a shell
  awsCli: { image: 'amazon/aws-cli', version: engineVersion('aws-cli'), imageTools: { tools: ['aws', '/bin/sh'], source: 'aws/aws-cli docker/Dockerfile (amazonlinux base)' } },
  // docker-library/busybox: the busybox applets (wget, sh, tail)
  busybox: { image: 'busybox', version: engineVersion('busybox'), imageTools: { tools: ['wget', 'sh', 'tail'], source: 'docker-library/busybox (busybox applets)' } },
  // otelstack's own image (the canary, src/catalog/canary.ts): Node with the otelstack package, whose binary is the
  // entrypoint; a healthcheck can run node
  otelstack: { image: CANARY_IMAGE.repository, version: CANARY_IMAGE.tag, imageTools: { tools: ['otelstack', 'node'], source: 'the otelstack image: Node 20 with the otelstack npm package (entrypoint otelstack)' } },
} as const satisfies Record<string, SupportImage>;

/** Configuration path the official haproxy image reads. */
export const HAPROXY_CONFIG_PATH = '/usr/local/etc/haproxy/haproxy.cfg';

/** MinIO's ports (minio server defaults: S3 API :9000, console as rendered with --console-address :9001). */
export const MINIO_PORTS = { s3: 9000, console: 9001 } as const;

/**
 * HAProxy facts the compose target and `otelstack deploy` use (HAProxy 3.2 configuration manual and management
 * guide, "Runtime API"; the same commands and CSV columns in the 2.6 of Debian 12 the tests run):
 *  - `stats socket ipv4@<addr>:<port> level admin` in `global` opens the runtime API on a TCP port; one command per
 *    connection (non-interactive mode: HAProxy answers, then closes).
 *  - `set server <backend>/<server> state drain` gives the server weight 0: no new requests are balanced to it
 *    (HTTP requests, and gRPC streams over h2, are balanced one by one), requests under way finish;
 *    `state ready` puts it back. `show stat` answers CSV whose header line starts with `# `; the columns used here
 *    are pxname (backend), svname (server), scur (current sessions) and status (UP, DOWN, DRAIN, MAINT, `UP 1/2`…).
 *  - `resolvers <name>` with `parse-resolv-conf` reads the nameservers of /etc/resolv.conf (in a compose container:
 *    Docker's embedded DNS), so a gateway recreated with a new address is found again; `init-addr last,libc,none`
 *    lets HAProxy start (and `haproxy -c` pass) while a server name does not resolve yet.
 *  - `monitor-uri` answers 200 on a frontend of its own: the load balancer's own liveness.
 * The runtime API listens on every interface inside the container and is published on the host's 127.0.0.1 only.
 */
export const HAPROXY = {
  ports: { runtimeApi: 9999, monitor: 8405 },
  monitorUri: '/healthz',
  /** runtime API: the server's administrative state */
  setServerState: (backend: string, server: string, state: 'drain' | 'ready' | 'maint'): string => `set server ${backend}/${server} state ${state}`,
  showStat: 'show stat',
  statColumns: { backend: 'pxname', server: 'svname', sessions: 'scur', status: 'status' },
} as const;

/**
 * The gateway's per-tenant Faro rate limit on the OpenTelemetry Collector path (the collector has none:
 * OTELCOL_RATE_LIMITER), as HAProxy configuration. Keywords from the HAProxy 3.2 configuration manual
 * (doc/configuration.txt at v3.2.0; the same keywords in Debian 12's 2.6 the tests run):
 *  - `stick-table type integer size <n> expire <t> store http_req_rate(<period>)` in a backend section of its own
 *    (a table holder: a backend with no server); `http-request track-sc<N> <sample> table <backend>` tracks a key in
 *    it (counts the request), the converter `table_http_req_rate(<table>)` reads a key's request rate over the
 *    table's period (a sliding window) without counting;
 *  - `int(<integer>)` is a constant sample fetch: one key per tenant's frontend, so the whole tenant shares one counter;
 *  - `http-request deny status 429` answers 429 itself and counts the request as denied
 *    (`dreq` → haproxy_frontend_requests_denied_total);
 *  - `METH_OPTIONS` is the predefined ACL of OPTIONS requests: CORS preflights are not tracked and never refused, so
 *    they reach the collector, which answers them (its CORS handler);
 *  - `http-request use-service prometheus-exporter` serves the built-in Prometheus exporter (addons/promex, built
 *    with USE_PROMEX=1 as in the official image and Debian's package).
 * Semantics (otelstack's choice, documented in the rendered file): a tenant's limit {perSecond, burst} is two sliding
 * windows approximating a token bucket of `burst` requests refilled at `perSecond`: a request is refused when more
 * than `burst` requests came in the last second, or more than perSecond × longWindowSeconds in the last
 * longWindowSeconds. The windows are read before the request is tracked, so only accepted requests count: a tenant
 * sending above its limit still gets its limit through and only the excess is refused (had refused requests counted,
 * as with track-then-deny, a tenant at 1.2 × its rate would be refused entirely — and retries after Retry-After too,
 * seen with the real HAProxy and the Faro SDK's retries in test/e2e/browser-rum.test.ts).
 * The refusal is one a browser can read (otherwise fetch() sees a CORS failure, not a 429, and the SDK cannot tell a
 * limit from a network error): `http-request deny status 429 hdr <name> <log-format>` (HAProxy ≥ 2.2; the same in
 * 2.6 and 3.2) adds `Retry-After` (the window to wait: 1 s above the burst, the long window above the rate) and —
 * for the tenant's own origins only (`req.hdr(origin) -m str …`) — `Access-Control-Allow-Origin` echoing the origin
 * with `Access-Control-Expose-Headers: Retry-After` (the Fetch standard: Retry-After is not a CORS-safelisted
 * response header) and `Vary: Origin`. The Faro Web SDK then waits that long before its next attempt (FARO_WEB_SDK).
 */
export const HAPROXY_FARO_RATE_LIMIT = {
  status: 429,
  shortWindowSeconds: 1,
  longWindowSeconds: 10,
  retryAfterHeader: 'Retry-After',
  /** the tables keep a key this long after its last request: beyond the longest window */
  expireSeconds: 30,
  /** frontend (and metric `proxy` label) of a tenant's Faro port; backends are `<frontend>_gateways`, tables `<frontend>_1s` / `_10s` */
  frontend: (tenant: string): string => `faro_${tenant.replace(/[^A-Za-z0-9_]/g, '_')}`,
} as const;

/**
 * HAProxy's built-in Prometheus exporter (addons/promex/service-prometheus.c and README at v3.2.0): frontend metrics
 * carry the frontend's name as label `proxy`; `haproxy_frontend_requests_denied_total` counts requests denied by
 * http-request rules (stats field dreq), `haproxy_frontend_http_responses_total{code="4xx"}` responses by class.
 * Served by otelstack on the load balancer's monitor frontend (HAPROXY.ports.monitor) at `path`.
 */
export const HAPROXY_METRICS = {
  path: '/metrics',
  proxyLabel: 'proxy',
  frontendRequestsDenied: 'haproxy_frontend_requests_denied_total',
  frontendHttpResponses: 'haproxy_frontend_http_responses_total',
  codeLabel: 'code',
} as const;

/**
 * HAProxy as the distribution packages it, for the VM target's role beside each gateway collector (roles/haproxy):
 * verified on Debian 12's haproxy 2.6.12-1+deb12u4 (`dpkg -L haproxy`, /lib/systemd/system/haproxy.service,
 * /etc/haproxy/haproxy.cfg, `id haproxy`); Ubuntu's package has the same layout (unverified here).
 *  - the package installs `haproxy.service`: `ExecStart=/usr/sbin/haproxy -Ws -f $CONFIG …` (master-worker mode,
 *    Type=notify, Restart=always), CONFIG=/etc/haproxy/haproxy.cfg; `ExecReload` checks the config (`-c`) and then
 *    sends USR2 to the master, which loads the new config into new workers without dropping the listeners;
 *  - it creates the system user and group `haproxy`; the package's own config drops to them with `user` / `group`
 *    in `global` (the master keeps root: it reads certificates and binds ports again on a reload);
 *  - `haproxy -c -f <file>` checks a config without binding anything (what Ansible's `validate` runs on the
 *    candidate file); it does load the certificates the binds name, so they must be in place first.
 * TLS for browsers (HAProxy 2.6 configuration manual, section 5.1, `crt`): `bind <addr>:<port> ssl crt <pem>`, the
 * PEM holding the certificate (chain) and its private key ("cat cert.pem key.pem > combined.pem"; a key in a file
 * of its own is looked up only at `<pem>.key`), and `ssl-min-ver TLSv1.2` (the collectors' `min_version: "1.2"`).
 * No `verify`: browsers present no client certificate.
 */
export const HAPROXY_DISTRO = {
  package: 'haproxy',
  service: 'haproxy',
  configPath: '/etc/haproxy/haproxy.cfg',
  user: 'haproxy',
  group: 'haproxy',
  checkCommand: 'haproxy -c -f %s',
  tlsMinVersion: 'TLSv1.2',
} as const;

/**
 * The VM target's HAProxy beside each gateway collector takes the tenants' Faro ports (TenantPlan.faroPort, every
 * interface); the collector's tenant receivers then listen on 127.0.0.1 at faroPort + this offset. otelstack's
 * choice: from the tenant port base (FARO_TENANT_PORT_BASE 12400) the backends start at 22400, clear of every port
 * the catalog gives a process on a gateway host (the collector's 4317, 4318, 8888, 13133, its Faro port 12347,
 * HAProxy's 8405 and 9999, the canary's 9465) and below Linux's ephemeral range (32768 up). A tenant's pinned port
 * whose backend would collide with another port of the host, or pass 65535, is a plan error (ansible-hosts).
 */
export const VM_FARO_BACKEND_OFFSET = 10_000;
