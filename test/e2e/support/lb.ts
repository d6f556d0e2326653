// The rolling-deploy tests' world around real gateway collectors: a real HAProxy (Debian's) running the product's
// haproxy.cfg placed on loopback in front of them, reached through the product's runtime-API client; and the test's
// process manager standing in for Docker (it stops and starts the collectors with their new or previous config).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

import { HaproxyRuntimeApi, type HealthGate, type ProcessManager } from '../../../src/ops/deploy/index.js';
import { haproxyConfig } from '../../../src/render/compose/haproxy.js';
import { renderCollectorConfig } from '../../../src/render/configs/otelcol.js';
import { toYaml } from '../../../src/render/fileset.js';
import type { RenderInput } from '../../../src/render/types.js';
import { freeLoopbackPorts, LOOPBACK_HOST } from '../../../src/topology/loopback.js';
import type { Collector } from './collector.js';
import { haproxyBin } from './peers.js';
import { ManagedProcess, waitUntil } from './proc.js';

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
}

/** HAProxy in front of `gateways` (checked with `haproxy -c` first), waited until every server is UP. */
export async function startLoadBalancer(dir: string, gateways: readonly Collector[]): Promise<LoadBalancer> {
  const bin = haproxyBin();
  const [grpc, http, monitor, runtimeApi] = (await freeLoopbackPorts(4)) as [number, number, number, number];
  const servers = gateways.map((c) => ({ name: c.name, host: LOOPBACK_HOST, otlpGrpc: c.ports.otlpGrpc, otlpHttp: c.ports.otlpHttp, health: c.ports.health }));
  const cfgFile = join(dir, 'haproxy', 'haproxy.cfg');
  mkdirSync(join(dir, 'haproxy'), { recursive: true });
  writeFileSync(cfgFile, haproxyConfig(servers, { bindHost: LOOPBACK_HOST, ports: { otlpGrpc: grpc, otlpHttp: http, monitor, runtimeApi } }));
  const check = spawnSync(bin, ['-c', '-f', cfgFile], { encoding: 'utf8', timeout: 30_000 });
  if (check.status !== 0) throw new Error(`haproxy -c rejected the loopback config:\n${check.stdout}${check.stderr}`);
  const haproxy = ManagedProcess.start('haproxy', bin, { args: ['-db', '-f', cfgFile], logFile: join(dir, 'haproxy', 'haproxy.log') });
  const api = new HaproxyRuntimeApi({ host: LOOPBACK_HOST, port: runtimeApi });
  await waitUntil(`HAProxy to see ${gateways.length} gateways UP`, 60_000, async () => {
    if (!haproxy.running) throw new Error(`haproxy exited:\n${haproxy.logTail()}`);
    const s = await api.servers().catch(() => []);
    // one server per gateway in each of the gRPC and HTTP backends
    return s.length === 2 * gateways.length && s.every((x) => x.status.startsWith('UP'));
  }, { details: () => haproxy.logTail() });
  return { haproxy, api, http };
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
