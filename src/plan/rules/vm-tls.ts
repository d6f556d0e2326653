import type { Stack } from '../../model/schema.js';
import type { Topology } from '../../topology/types.js';
import type { Finding, Rule } from '../findings.js';
import { HAPROXY } from '../../catalog/support.js';
import { vmFaroProxy } from '../../topology/vm-faro-proxy.js';

/**
 * TLS between hosts (environments[].tls) is rendered by the ansible target only: the compose target runs every
 * service on one Docker network and the Kubernetes target leaves in-cluster encryption to the mesh / CNI, so a tls
 * block there would be silently ignored — the plan refuses it. An ansible environment whose stack spans more than
 * one VM and has TLS off sends OTLP, Kafka records and engine writes across the network in clear: a warning. The
 * canary takes the host's TLS files from the topology (verify/targets.ts): it pushes to the first gateway by name and
 * reads the engines over https, presenting the host's certificate under mTLS.
 */
export function vmTlsProblems(stack: Stack, t: Topology): Finding[] {
  const i = stack.environments.findIndex((e) => e.name === t.env.name);
  const env = stack.environments[i];
  if (!env) return [];
  const path = `environments[${i}].tls`;
  if (env.target !== 'ansible') {
    if (!env.tls) return [];
    return [
      {
        severity: 'error',
        rule: vmTls.id,
        env: env.name,
        path,
        message: `the ${env.target} target renders no TLS between hosts: the tls block of ${env.name} would be ignored${env.target === 'compose' ? ' (compose runs every service on one Docker network of one host)' : ' (on Kubernetes, encrypt pod-to-pod traffic with a service mesh or the CNI)'}`,
        suggestion: `remove tls from ${env.name}, or set target: ansible`,
      },
    ];
  }
  const out: Finding[] = [];
  const hosts = new Set(Object.values(env.hosts ?? {}).flatMap((list) => list ?? []));
  if (!t.tls && hosts.size > 1) {
    out.push({
      severity: 'warning',
      rule: vmTls.id,
      env: env.name,
      path,
      message: `${env.name} runs on ${hosts.size} VMs with TLS off: OTLP between collectors, Kafka records and the engines' writes and queries cross the network in clear`,
      suggestion: `add tls: { ca: /etc/otelstack/tls/ca.crt, cert: /etc/otelstack/tls/host.crt, key: vault_otelstack_tls_key } to ${env.name} (mtls: true to require client certificates)`,
    });
  }
  if (t.tls) {
    // what the ansible target encrypts today, said where it is decided (the rest is listed as not covered)
    const proxy = vmFaroProxy(t);
    const tenants = proxy
      ? `; the tenants' Faro ports are HAProxy's on each gateway host, over TLS with the host certificate (no client certificate: browsers have none), in front of the collector's tenant receivers on 127.0.0.1 (plaintext on loopback), and HAProxy's monitor and metrics port (${HAPROXY.ports.monitor}) is plaintext on every interface`
      : '';
    out.push({
      severity: 'info',
      rule: vmTls.id,
      env: env.name,
      path,
      message: `TLS${t.tls.mtls ? ' with client certificates (mTLS)' : ''} on the gateways' OTLP receivers (and Faro's, server TLS only), on Kafka (clients, brokers, controllers), on Tempo's OTLP receivers and on the HTTP servers of Tempo, Mimir, Loki and Prometheus (the collectors' exports, Tempo's remote write, Grafana's datasources, the roles' health checks, the canary) and on the object store's S3 API (SeaweedFS on the host certificate, the CA in each host's system trust); Tempo's and Loki's gRPC ports (each monolith's own) listen on loopback only; Mimir's gRPC port and the collectors' health and metrics endpoints (for health checks and a scraper you run) stay plaintext on every interface${tenants}`,
      suggestion: `keep the hosts on a private network, or firewall Mimir's gRPC port and the collectors' health and metrics ports${proxy ? ` (and HAProxy's ${HAPROXY.ports.monitor})` : ''} to the hosts that need them`,
    });
  }
  return out;
}

export const vmTls: Rule = {
  id: 'vm-tls',
  description: 'TLS between hosts only where a renderer renders it (ansible), and on wherever an ansible stack spans more than one VM',
  check({ stack, topologies }) {
    return topologies.flatMap((t) => vmTlsProblems(stack, t));
  },
};
