/**
 * TLS between the VMs of an ansible environment (environments[].tls): where each file is ON THE HOST, which is all
 * a rendered config names. A path reference is used as it is; a vault-variable reference is written by the tls
 * tasks of the common role to a fixed file under VM_TLS_DIR. Compose and Kubernetes environments never get a plan
 * (the vm-tls rule refuses tls there), so the configs the compose target renders are unchanged.
 */
import type { Stack, VmTlsDef } from '../model/schema.js';
import type { Topology } from './types.js';

/** Where the tls tasks write files given as vault variables, and Kafka's PEM keystore. */
export const VM_TLS_DIR = '/etc/otelstack/tls';

export type TlsFile = 'ca' | 'cert' | 'key';
const VAULT_FILE: Record<TlsFile, string> = { ca: 'ca.crt', cert: 'host.crt', key: 'host.key' };

export interface TlsRefPlan {
  /** the definition's reference */
  readonly ref: string;
  readonly kind: 'path' | 'vault';
  /** the file on the host the configs name */
  readonly path: string;
}

export interface TlsPlan {
  readonly mtls: boolean;
  readonly ca: TlsRefPlan;
  readonly cert: TlsRefPlan;
  readonly key: TlsRefPlan;
  /**
   * Kafka reads its PEM keystore from ONE file holding the private key and the certificate chain
   * (ssl.keystore.type=PEM with ssl.keystore.location, Kafka's "SSL" docs / KIP-651); the kafka role assembles it
   * from key and cert on the broker host.
   */
  readonly kafkaKeystore: string;
  readonly definitionPath: string;
}

export const isPathRef = (ref: string): boolean => ref.startsWith('/');

function refPlan(ref: string, file: TlsFile): TlsRefPlan {
  return isPathRef(ref) ? { ref, kind: 'path', path: ref } : { ref, kind: 'vault', path: `${VM_TLS_DIR}/${VAULT_FILE[file]}` };
}

/** The environment's TLS plan: only an ansible environment with tls enabled (and its three references) has one. */
export function tlsPlanOf(tls: VmTlsDef | undefined, target: string, envIndex: number): TlsPlan | undefined {
  if (target !== 'ansible' || !tls?.enabled || !tls.ca || !tls.cert || !tls.key) return undefined;
  return { mtls: tls.mtls, ca: refPlan(tls.ca, 'ca'), cert: refPlan(tls.cert, 'cert'), key: refPlan(tls.key, 'key'), kafkaKeystore: `${VM_TLS_DIR}/kafka-keystore.pem`, definitionPath: `environments[${envIndex}].tls` };
}

export function envTls(stack: Stack, envName: string): TlsPlan | undefined {
  const i = stack.environments.findIndex((e) => e.name === envName);
  const e = stack.environments[i];
  return e ? tlsPlanOf(e.tls, e.target, i) : undefined;
}

/** configtls ClientConfig (the collector's exporters and Kafka clients): verify the server with the CA, present the host's certificate under mTLS. */
export function collectorClientTls(p: TlsPlan): Record<string, unknown> {
  return { insecure: false, ca_file: p.ca.path, ...(p.mtls ? { cert_file: p.cert.path, key_file: p.key.path } : {}), min_version: '1.2' };
}

/** configtls ServerConfig (the collector's receivers): the host's certificate; under mTLS client_ca_file, which makes the server require and verify client certificates. */
export function collectorServerTls(p: TlsPlan, clientAuth = true): Record<string, unknown> {
  return { cert_file: p.cert.path, key_file: p.key.path, ...(p.mtls && clientAuth ? { client_ca_file: p.ca.path } : {}), min_version: '1.2' };
}

/**
 * The engines whose HTTP servers take TLS under a plan (dskit's server.http_tls_config: catalog/server-tls.ts):
 * their push, query and OTLP endpoints become https:// for every client the topology feeds (collector exporters,
 * Grafana's datasources, Tempo's remote write). Prometheus (its web TLS is a separate --web.config.file) stays http.
 */
export const TLS_ENGINES: readonly string[] = ['tempo', 'mimir', 'loki', 'prometheus'];

const toHttps = (u: string | undefined): string | undefined => (u?.startsWith('http://') ? `https://${u.slice('http://'.length)}` : u);

/** The topology with the TLS engines' endpoints on https:// (a topology without a tls plan is returned as it is). */
export function withTlsEndpoints(t: Topology): Topology {
  if (!t.tls) return t;
  const tlsHosts = new Set<string>();
  const engines = t.engines.map((e) => {
    if (!TLS_ENGINES.includes(e.engine)) return e;
    for (const u of Object.values(e.endpoints)) if (u) tlsHosts.add(new URL(u).host);
    const endpoints = Object.fromEntries(Object.entries(e.endpoints).map(([k, u]) => [k, toHttps(u)]));
    return { ...e, endpoints };
  });
  // the object store the seaweedfs role deploys on a storage host serves its S3 API over TLS (the role's -s3.cert.file):
  // the engines reach it by https and verify it (the CA is in the hosts' system trust, otelstack-tls role)
  const os = t.objectStorage.kind === 'seaweedfs' ? { ...t.objectStorage, endpoint: toHttps(t.objectStorage.endpoint)!, insecure: false } : t.objectStorage;
  return {
    ...t,
    objectStorage: os,
    engines: engines.map((e) => {
      const rw = e.metricsGenerator?.remoteWrite;
      return rw && tlsHosts.has(new URL(rw).host) ? { ...e, metricsGenerator: { ...e.metricsGenerator!, remoteWrite: toHttps(rw)! } } : e;
    }),
  };
}
