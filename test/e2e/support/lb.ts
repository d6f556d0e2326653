// The rolling-deploy tests' world around real gateway collectors: a real HAProxy (Debian's) running the product's
// haproxy.cfg placed on loopback in front of them, reached through the product's runtime-API client; and the test's
// process manager standing in for Docker (it stops and starts the collectors with their new or previous config).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

import { HaproxyRuntimeApi, type HealthGate, type ProcessManager } from '../../../src/ops/deploy/index.js';
import { OTELCOL_FARO_RECEIVER } from '../../../src/catalog/otelcol.js';
import { HAPROXY_FARO_RATE_LIMIT, HAPROXY_METRICS } from '../../../src/catalog/support.js';
import type { Stack } from '../../../src/model/schema.js';
import { haproxyConfig, haproxyTenants } from '../../../src/render/compose/haproxy.js';
import { renderCompose } from '../../../src/render/compose/index.js';
import { renderCollectorConfig } from '../../../src/render/configs/otelcol.js';
import { toYaml } from '../../../src/render/fileset.js';
import type { RenderInput } from '../../../src/render/types.js';
import { freeLoopbackPorts, LOOPBACK_HOST } from '../../../src/topology/loopback.js';
import { expand } from '../../../src/topology/expand.js';
import type { TenantPlan } from '../../../src/topology/types.js';
import type { Collector } from './collector.js';
import { haproxyBin } from './peers.js';
import { ManagedProcess, waitUntil } from './proc.js';
import { makeTempDir, removeTempDir } from './tmp.js';

/** Whether something accepts TCP connections on 127.0.0.1:port (2 s). */
export function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, LOOPBACK_HOST);
    s.setTimeout(2000, () => {
      s.destroy();
      resolve(false);
    });
    s.once('connect', () => {
      s.end();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface LoadBalancer {
  haproxy: ManagedProcess;
  api: HaproxyRuntimeApi;
  /** HAProxy's OTLP/HTTP port (what the load sends to) */
  http: number;
  /** a tenant's Faro receiver URL on the load balancer (behind its rate limit) */
  tenantUrl(tenant: string): string;
  /** HAProxy's Prometheus exporter (served with tenants: their refusals) */
  metricsUrl: string;
  /** requests HAProxy refused on a tenant's frontend so far (its exporter's requests-denied counter) */
  deniedRequests(tenant: string): Promise<number>;
}

/** The value of one series of a Prometheus text exposition (0 when absent). */
export function seriesValue(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const m = /^[^{]+\{([^}]*)\}\s+(\S+)/.exec(line);
    if (!m) continue;
    const got = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[2]);
  }
  return 0;
}

/** `haproxy -c` on a config; throws with HAProxy's words when it is refused. */
export function checkHaproxyConfig(cfgFile: string): void {
  const check = spawnSync(haproxyBin(), ['-c', '-f', cfgFile], { encoding: 'utf8', timeout: 30_000 });
  if (check.status !== 0 || !/Configuration file is valid/.test(check.stdout + check.stderr)) throw new Error(`haproxy -c rejected ${cfgFile}:\n${check.stdout}${check.stderr}`);
}

/** The compose target's haproxy.cfg for a stack's environment, as `otelstack render` writes it, through `haproxy -c`. */
export function checkRenderedComposeHaproxy(stack: Stack, env: string): string {
  const cfg = renderCompose({ stack, topology: expand(stack, env) }).files.get(`compose/${env}/haproxy.cfg`);
  if (!cfg) throw new Error(`${stack.name} renders no haproxy.cfg for ${env}`);
  const dir = makeTempDir('haproxy-check');
  try {
    writeFileSync(join(dir, 'haproxy.cfg'), cfg);
    checkHaproxyConfig(join(dir, 'haproxy.cfg'));
  } finally {
    removeTempDir(dir);
  }
  return cfg;
}

/**
 * HAProxy in front of `gateways` (checked with `haproxy -c` first), waited until every server is UP. With `tenants`
 * it fronts the gateways' receivers of those tenants with their rate limits, each on a free port of its own.
 */
export async function startLoadBalancer(dir: string, gateways: readonly Collector[], tenants: readonly TenantPlan[] = []): Promise<LoadBalancer> {
  const bin = haproxyBin();
  const [grpc, http, monitor, runtimeApi, ...fronts] = (await freeLoopbackPorts(4 + tenants.length)) as [number, number, number, number, ...number[]];
  const frontPorts = Object.fromEntries(tenants.map((t, i) => [t.name, fronts[i]!]));
  const servers = gateways.map((c) => {
    const missing = tenants.filter((t) => c.tenantPorts[t.name] === undefined).map((t) => t.name);
    if (missing.length > 0) throw new Error(`gateway ${c.name} has no Faro receiver for ${missing.join(', ')}`);
    return { name: c.name, host: LOOPBACK_HOST, otlpGrpc: c.ports.otlpGrpc, otlpHttp: c.ports.otlpHttp, health: c.ports.health, tenantPorts: c.tenantPorts };
  });
  const cfgFile = join(dir, 'haproxy', 'haproxy.cfg');
  mkdirSync(join(dir, 'haproxy'), { recursive: true });
  writeFileSync(cfgFile, haproxyConfig(servers, { bindHost: LOOPBACK_HOST, ports: { otlpGrpc: grpc, otlpHttp: http, monitor, runtimeApi }, tenantPorts: frontPorts }, haproxyTenants(tenants)));
  checkHaproxyConfig(cfgFile);
  const haproxy = ManagedProcess.start('haproxy', bin, { args: ['-db', '-f', cfgFile], logFile: join(dir, 'haproxy', 'haproxy.log') });
  const api = new HaproxyRuntimeApi({ host: LOOPBACK_HOST, port: runtimeApi });
  await waitUntil(`HAProxy to see ${gateways.length} gateways UP`, 60_000, async () => {
    if (!haproxy.running) throw new Error(`haproxy exited:\n${haproxy.logTail()}`);
    const s = await api.servers().catch(() => []);
    // one server per gateway in each of the gRPC and HTTP backends, and in each tenant's
    return s.length === (2 + tenants.length) * gateways.length && s.every((x) => x.status.startsWith('UP'));
  }, { details: () => haproxy.logTail() });
  const tenantUrl = (tenant: string): string => {
    const port = frontPorts[tenant];
    if (port === undefined) throw new Error(`the load balancer fronts no tenant ${tenant} (tenants: ${Object.keys(frontPorts).join(', ') || 'none'})`);
    return `http://${LOOPBACK_HOST}:${port}${OTELCOL_FARO_RECEIVER.path}`;
  };
  const metricsUrl = `http://${LOOPBACK_HOST}:${monitor}${HAPROXY_METRICS.path}`;
  const deniedRequests = async (tenant: string): Promise<number> => {
    const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(5000) });
    return seriesValue(await res.text(), HAPROXY_METRICS.frontendRequestsDenied, { [HAPROXY_METRICS.proxyLabel]: HAPROXY_FARO_RATE_LIMIT.frontend(tenant) });
  };
  return { haproxy, api, http, tenantUrl, metricsUrl, deniedRequests };
}

/** A collector's config as the new (`next`) or previous render places it on its own loopback ports and queue. */
export function placedConfig(c: Collector, input: RenderInput): string {
  return toYaml(renderCollectorConfig(input, c.spec.role, [], { host: LOOPBACK_HOST, ports: c.ports, storageDirectory: c.storageDir }));
}

/**
 * The test's process manager for the collectors of `collectors`: stop with the grace, start on the `next` or
 * previous input's config, health from the collector's own endpoint, metrics text from its /metrics. `others`
 * handles services that are not collectors (brokers, engine stand-ins).
 */
export function collectorProcessManager(
  collectors: ReadonlyMap<string, Collector>,
  inputs: { next: RenderInput; previous: RenderInput },
  others?: Pick<ProcessManager, 'stop' | 'start' | 'healthy'>,
  calls: string[] = [],
): ProcessManager {
  const other = (service: string) => {
    if (!others) throw new Error(`the test's process manager has no service ${service}`);
    return others;
  };
  return {
    async stop(service, graceS) {
      calls.push(`stop ${service}`);
      const c = collectors.get(service);
      if (c) await c.stop(graceS * 1000);
      else await other(service).stop(service, graceS);
    },
    async start(service, version) {
      calls.push(`start ${service} ${version}`);
      const c = collectors.get(service);
      if (c) {
        writeFileSync(c.configFile, placedConfig(c, version === 'next' ? inputs.next : inputs.previous));
        c.startAgain();
      } else await other(service).start(service, version);
    },
    async healthy(service, gate: HealthGate) {
      const c = collectors.get(service);
      if (c) return c.running && (await c.healthy());
      return other(service).healthy(service, gate);
    },
    async metricsText(service) {
      return (await fetch(collectors.get(service)!.metricsUrl)).text();
    },
  };
}
