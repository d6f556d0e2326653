/**
 * The VM target's HAProxy beside each gateway collector (seed 003 level 3 on the ansible target): the OpenTelemetry
 * Collector has no rate limiter (catalog OTELCOL_RATE_LIMITER), so on every gateway host HAProxy takes each tenant's
 * Faro port (TenantPlan.faroPort, every interface), refuses what is above the tenant's rateLimit with 429 and passes
 * the rest to the collector on the same host, whose tenant receivers then listen on 127.0.0.1 only, at faroPort +
 * VM_FARO_BACKEND_OFFSET. Under TLS between VMs HAProxy terminates the browsers' TLS (server certificate only: a
 * browser presents none) and talks plaintext to the loopback receivers.
 *
 * Per host: each HAProxy counts the requests that reach its own host, so a tenant whose browsers are spread over the
 * N gateway hosts (DNS round robin, or a load balancer of the site's in front) gets up to N × its rate through.
 *
 * One home for the decision (whether it runs, the ports), read by the ansible renderer (the role, the collector's
 * placement, the inventory), the plan (tenant-protection, the ansible-hosts port checks) and the metrics catalog.
 */
import { CATALOG } from '../catalog/index.js';
import { HAPROXY, VM_FARO_BACKEND_OFFSET } from '../catalog/support.js';
import { OTELCOL_FARO_RECEIVER } from '../catalog/otelcol.js';
import type { Finding } from '../plan/findings.js';
import type { Topology } from './types.js';
import { VM_TLS_DIR } from './vm-tls.js';

/** The PEM (certificate then key) the haproxy role assembles on the host and the tenants' TLS binds name. */
export const VM_HAPROXY_PEM = `${VM_TLS_DIR}/haproxy.pem`;

export interface VmFaroProxyTenant {
  readonly name: string;
  /** where browsers send: HAProxy's frontend, every interface */
  readonly port: number;
  /** the collector's tenant receiver behind it, on 127.0.0.1 */
  readonly backendPort: number;
}

export interface VmFaroProxyPlan {
  readonly tenants: readonly VmFaroProxyTenant[];
  /** gateway hosts, each with its own HAProxy and its own counters */
  readonly gatewayHosts: number;
  /** TLS between VMs: HAProxy serves the tenants' ports over TLS with VM_HAPROXY_PEM */
  readonly tls: boolean;
  /** ports that do not fit on a gateway host (ansible-hosts errors) */
  readonly problems: Finding[];
}

/**
 * The environment's plan: an ansible environment whose gateway is the OpenTelemetry Collector and which serves
 * tenants with a logs or traces engine (the tenants' receivers exist: otelcol.ts tenantFaroPaths); else undefined.
 */
export function vmFaroProxy(t: Topology): VmFaroProxyPlan | undefined {
  const tenants = t.tenants ?? [];
  if (t.env.target !== 'ansible' || t.ingestion?.collector !== 'otelcol' || tenants.length === 0) return undefined;
  if (!t.engines.some((e) => (OTELCOL_FARO_RECEIVER.signals as readonly string[]).includes(e.signal))) return undefined;
  const planned = tenants.map((tn) => ({ name: tn.name, port: tn.faroPort, backendPort: tn.faroPort + VM_FARO_BACKEND_OFFSET, definitionPath: tn.definitionPath }));
  // every other port something listens on on a gateway host: the collector's, HAProxy's, the canary's (first host)
  const { faro: _faro, ...collector } = CATALOG.otelcol.ports;
  const fixed = new Map<number, string>([
    ...Object.entries(collector).map(([k, p]): [number, string] => [p, `the collector's ${k} port`]),
    ...(t.ingestion.faro ? [[t.ingestion.faro.port, "the collector's Faro port"] as [number, string]] : []),
    [HAPROXY.ports.monitor, "HAProxy's monitor port"],
    [HAPROXY.ports.runtimeApi, "HAProxy's runtime API"],
    ...(t.canary ? [[t.canary.port, "the canary's metrics port"] as [number, string]] : []),
    ...planned.map((x): [number, string] => [x.port, `tenant ${x.name}'s Faro port`]),
  ]);
  const problems: Finding[] = [];
  const seen = new Map<number, string>();
  for (const x of planned) {
    const err = (message: string) =>
      problems.push({ severity: 'error', rule: 'ansible-hosts', env: t.env.name, path: `${x.definitionPath}.port`, message, suggestion: `give ${x.definitionPath}.port a port whose backend (port + ${VM_FARO_BACKEND_OFFSET}) is free on the gateway hosts, or leave port out` });
    const other = fixed.get(x.backendPort) ?? seen.get(x.backendPort);
    if (x.backendPort > 65_535) err(`tenant ${x.name}'s Faro port ${x.port} has no backend port on the gateway hosts: HAProxy passes its requests to the collector on port + ${VM_FARO_BACKEND_OFFSET} = ${x.backendPort}, above 65535`);
    else if (other) err(`tenant ${x.name}'s collector receiver behind HAProxy (port ${x.port} + ${VM_FARO_BACKEND_OFFSET} = ${x.backendPort}) would share the gateway hosts' port ${x.backendPort} with ${other}`);
    seen.set(x.backendPort, `tenant ${x.name}'s collector receiver`);
    for (const [p, what] of [[HAPROXY.ports.monitor, "HAProxy's monitor port"], [HAPROXY.ports.runtimeApi, "HAProxy's runtime API"]] as const) {
      if (x.port === p) err(`tenant ${x.name}'s Faro port ${x.port} is ${what} on the gateway hosts`);
    }
  }
  return { tenants: planned.map(({ name, port, backendPort }) => ({ name, port, backendPort })), gatewayHosts: t.ingestion.gatewayReplicas, tls: t.tls !== undefined, problems };
}
