/**
 * Loopback placement of a topology: every network address a topology names — engine push/query endpoints, the Kafka
 * bootstrap brokers, the object store endpoint — rewritten to 127.0.0.1 and a port the caller chose, so the configs
 * rendered from it run side by side on one host (the real-engine tests in test/e2e do exactly this).
 *
 * It rewrites the Topology (the intermediate representation every renderer reads), never rendered files: a config
 * rendered from the loopback topology is the same config with other addresses, produced by the same code.
 * Paths of endpoints are kept (`http://mimir:8080/api/v1/push` → `http://127.0.0.1:40123/api/v1/push`), so
 * renderers that derive one path from another keep doing so. A stand-in (say a test OTLP receiver taking Tempo's
 * place) replaces an endpoint outright.
 */
import { createServer } from 'node:net';

import type { SignalName } from '../model/schema.js';
import type { KafkaTopicPlan, Topology } from './types.js';

export const LOOPBACK_HOST = '127.0.0.1';

/** URL endpoint → `host:port` (the authority), or the input itself when it has no scheme (Kafka brokers). */
function authorityOf(endpoint: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]+)/i.exec(endpoint);
  return m ? m[1]! : endpoint;
}

/**
 * Every authority (`host:port`) the topology names, each once, sorted: engine endpoints, Kafka bootstrap brokers,
 * the object store. These are what a loopback placement needs a port for.
 */
export function topologyAuthorities(t: Topology): string[] {
  const out = new Set<string>();
  for (const e of t.engines) {
    if (e.endpoints.push) out.add(authorityOf(e.endpoints.push));
    if (e.endpoints.query) out.add(authorityOf(e.endpoints.query));
    if (e.endpoints.otlp) out.add(authorityOf(e.endpoints.otlp));
  }
  for (const b of (t.kafka?.bootstrap ?? '').split(',').map((s) => s.trim()).filter(Boolean)) out.add(b);
  if (t.objectStorage.endpoint) out.add(authorityOf(t.objectStorage.endpoint));
  return [...out].sort();
}

export interface LoopbackOptions {
  /** Loopback port of each authority the topology names (see topologyAuthorities), e.g. `{ 'tempo:4317': 40123 }`. */
  readonly ports: Readonly<Record<string, number>>;
  /** Per signal: URLs replacing the engine's endpoints outright (a stand-in receiver), instead of a port mapping. */
  readonly standIns?: Readonly<Partial<Record<SignalName, { readonly push?: string; readonly query?: string }>>>;
  /**
   * The Kafka cluster on loopback: its brokers' client ports. Replaces the bootstrap list and the broker count; topic
   * replication and min in-sync replicas are capped at the number of brokers (a one-broker test cluster cannot hold
   * three replicas). Absent: each bootstrap broker is mapped through `ports`.
   */
  readonly kafkaPorts?: readonly number[];
  /** Default 127.0.0.1. */
  readonly host?: string;
}

/**
 * The topology with every address on loopback (a copy; `t` is not changed). Throws when an authority has neither a
 * port nor a stand-in, so nothing silently keeps pointing at a container name.
 */
export function toLoopback(t: Topology, options: LoopbackOptions): Topology {
  const host = options.host ?? LOOPBACK_HOST;
  const missing = new Set<string>();
  const mapAuthority = (authority: string): string => {
    const port = options.ports[authority];
    if (port === undefined) {
      missing.add(authority);
      return authority;
    }
    return `${host}:${port}`;
  };
  const mapUrl = (url: string): string => {
    const authority = authorityOf(url);
    if (authority === url) return mapAuthority(url);
    const i = url.indexOf(authority);
    return url.slice(0, i) + mapAuthority(authority) + url.slice(i + authority.length);
  };

  const out = structuredClone(t);
  for (const e of out.engines) {
    const standIn = options.standIns?.[e.signal];
    const push = standIn?.push ?? (e.endpoints.push !== undefined ? mapUrl(e.endpoints.push) : undefined);
    const query = standIn?.query ?? (e.endpoints.query !== undefined ? mapUrl(e.endpoints.query) : undefined);
    // a stand-in receives metrics over OTLP at its push URL; otherwise the engine's own OTLP base is mapped
    const otlp = standIn?.push ?? (e.endpoints.otlp !== undefined ? mapUrl(e.endpoints.otlp) : undefined);
    e.endpoints = { ...(push !== undefined ? { push } : {}), ...(query !== undefined ? { query } : {}), ...(otlp !== undefined ? { otlp } : {}) };
  }
  if (out.kafka) {
    if (options.kafkaPorts) {
      const brokers = options.kafkaPorts.length;
      if (brokers === 0) throw new Error('toLoopback: kafkaPorts is empty');
      out.kafka.brokers = brokers;
      out.kafka.bootstrap = options.kafkaPorts.map((p) => `${host}:${p}`).join(',');
      out.kafka.seed = `${host}:${options.kafkaPorts[0]}`;
      const cap = (topics: KafkaTopicPlan[]): void => {
        for (const topic of topics) {
          topic.replication = Math.min(topic.replication, brokers);
          topic.minInSyncReplicas = Math.min(topic.minInSyncReplicas, topic.replication);
        }
      };
      cap(out.kafka.topics);
      if (out.ingestion) cap(out.ingestion.topics);
    } else {
      out.kafka.bootstrap = out.kafka.bootstrap
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map(mapAuthority)
        .join(',');
      out.kafka.seed = (out.kafka.bootstrap.split(',')[0] ?? '').trim();
    }
  }
  if (out.objectStorage.endpoint) out.objectStorage.endpoint = mapUrl(out.objectStorage.endpoint);
  if (missing.size > 0) {
    throw new Error(`toLoopback: no loopback port for ${[...missing].sort().join(', ')} (give each in options.ports, or a stand-in per signal)`);
  }
  return out;
}

/** `n` distinct free TCP ports on the loopback interface (each bound, then released; the OS does not hand it out again at once). */
export async function freeLoopbackPorts(n: number, host: string = LOOPBACK_HOST): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, host, () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

/** A free loopback port for every authority of the topology (see topologyAuthorities). */
export async function allocateLoopbackPorts(t: Topology, host: string = LOOPBACK_HOST): Promise<Record<string, number>> {
  const authorities = topologyAuthorities(t);
  const ports = await freeLoopbackPorts(authorities.length, host);
  return Object.fromEntries(authorities.map((a, i) => [a, ports[i]!]));
}

/** Engines the compose target runs as services of their own name (src/render/compose), whose query port it publishes. */
const COMPOSE_QUERY_ENGINES: ReadonlySet<string> = new Set(['tempo', 'mimir', 'loki', 'prometheus']);

/**
 * The local object store a compose environment runs (kind seaweedfs or minio; none for external s3): its service,
 * and the S3 port and host name the engines reach it at — the definition's endpoint, which the service answers as a
 * network alias when its host is not the service name.
 */
export interface ComposeStore {
  readonly kind: 'seaweedfs' | 'minio';
  readonly service: string;
  readonly host: string;
  readonly s3Port: number;
}

export function composeStore(t: Topology): ComposeStore | undefined {
  const kind = t.objectStorage.kind;
  if (kind !== 'seaweedfs' && kind !== 'minio') return undefined;
  const u = new URL(t.objectStorage.endpoint);
  const s3Port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
  return { kind, service: kind, host: u.hostname, s3Port };
}

/** A port the compose target publishes on the host's loopback interface (`127.0.0.1:hostPort:containerPort`). */
export interface ComposePublishedPort {
  readonly service: string;
  /** `host:port` the containers use (the authority in the topology's endpoints). */
  readonly authority: string;
  readonly containerPort: number;
  readonly hostPort: number;
}

/**
 * What a compose environment publishes on 127.0.0.1 for `otelstack verify` (and people) on the host: each managed
 * engine's query port, the local object store's S3 port and the canary's /metrics, host port = container port. The
 * renderer publishes exactly these and verify reads through them, so the two cannot disagree.
 */
export function composeLoopbackPorts(t: Topology): ComposePublishedPort[] {
  if (t.env.target !== 'compose') return [];
  const out: ComposePublishedPort[] = [];
  for (const e of t.engines) {
    if (!e.managed || !COMPOSE_QUERY_ENGINES.has(e.engine) || !e.endpoints.query) continue;
    const u = new URL(e.endpoints.query);
    const port = Number(u.port || 80);
    out.push({ service: e.engine, authority: `${u.hostname}:${port}`, containerPort: port, hostPort: port });
  }
  const store = composeStore(t);
  if (store) out.push({ service: store.service, authority: `${store.host}:${store.s3Port}`, containerPort: store.s3Port, hostPort: store.s3Port });
  if (t.canary) out.push({ service: t.canary.name, authority: `${t.canary.name}:${t.canary.port}`, containerPort: t.canary.port, hostPort: t.canary.port });
  return out.sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : a.containerPort - b.containerPort));
}

/** `url` with its authority replaced by the loopback address when the compose target publishes it; else `url`. */
export function composeHostUrl(t: Topology, url: string): string {
  const authority = authorityOf(url);
  let key = authority;
  try {
    const u = new URL(url);
    key = `${u.hostname}:${u.port || (u.protocol === 'https:' ? 443 : 80)}`;
  } catch {
    return url;
  }
  const p = composeLoopbackPorts(t).find((x) => x.authority === key);
  if (!p) return url;
  const i = url.indexOf(authority);
  return url.slice(0, i) + `${LOOPBACK_HOST}:${p.hostPort}` + url.slice(i + authority.length);
}

/** The compose service name of the HAProxy in front of the gateways (composeLoadBalanced). */
export const COMPOSE_OTLP_LB = 'otlp-lb';

/**
 * Whether a compose environment puts the HAProxy `otlp-lb` in front of its gateways: always with the Kafka buffer
 * (the scalable layout), with tenants on the OTel Collector (it rate-limits their Faro ports), else when there is
 * more than one gateway; a single gateway publishes OTLP itself. The
 * compose renderer and the report's drawing both ask this.
 */
export function composeLoadBalanced(t: Topology): boolean {
  // tenants (seed 003): the load balancer is the OTel Collector gateways' per-tenant rate limiter (the collector has none)
  return t.ingestion !== undefined && (t.ingestion.kafkaBuffer || t.ingestion.gatewayReplicas > 1 || (t.ingestion.collector === 'otelcol' && (t.tenants ?? []).length > 0));
}
