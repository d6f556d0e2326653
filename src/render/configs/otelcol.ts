/**
 * OpenTelemetry Collector configuration (YAML) for the gateway and processor pools.
 *
 * Written for the collector pinned in src/catalog/versions.json (engines.otelcol). Keys were checked against the
 * collector and collector-contrib sources/READMEs of the v0.159.0+ main line (the newest snapshot available when
 * this was written; the pinned v0.161.0 follows it) and against the type names recorded in
 * scripts/peers/otelcol-builder.yaml:
 *  - exporter types: `otlp_grpc` (deprecated alias `otlp`), `otlp_http` (deprecated alias `otlphttp`),
 *    `kafka`; extension types `file_storage`, `health_check`; processors `memory_limiter`, `tail_sampling`.
 *  - batching lives in the exporter's `sending_queue.batch` (the batch processor is not rendered);
 *    persistence is `sending_queue.storage: <file_storage id>` (exporterhelper README).
 *  - service telemetry: `service.telemetry.metrics.readers[].pull.exporter.prometheus` (otelconf v0.3 form).
 *  - kafka exporter (franz-go): `producer.required_acks`, `producer.allow_auto_topic_creation`,
 *    `partition_traces_by_id`, per-signal `topic`/`encoding`.
 *  - kafka receiver: per-signal `topics` (a list), `group_id`, `initial_offset`, `message_marking.after/on_error`,
 *    `error_backoff`.
 *  - faro receiver (contrib receiver/faroreceiver, catalog OTELCOL_FARO_RECEIVER): confighttp server keys inline
 *    (`endpoint`, `cors.allowed_origins`, `cors.allowed_headers`, `cors.max_age`); one instance in the gateway's
 *    logs and traces pipelines.
 *  - TLS between VMs (only where the topology has a tls plan: an ansible environment's environments[].tls):
 *    configtls (config/configtls v1.64 in the peers' build) — receivers' `tls.{cert_file,key_file,client_ca_file}`
 *    (client_ca_file = require and verify client certificates), clients' `tls.{insecure,ca_file,cert_file,key_file}`;
 *    the kafka exporter and receiver take the same client block as `tls` (pkg/kafka/configkafka ClientConfig.TLS).
 *  - Metrics go to Mimir / Prometheus over OTLP HTTP, not prometheusremotewrite: that exporter does not support
 *    `sending_queue` (its README: "the exporter doesn't support sending_queue but provides remote_write_queue"),
 *    so it could not have a persistent queue.
 */
import { CATALOG } from '../../catalog/index.js';
import { DSKIT_TENANT_HEADER } from '../../catalog/dskit.js';
import { FARO_CORS_MAX_AGE_SECONDS, FARO_SDK_REQUEST_HEADERS, OTELCOL_FARO_RECEIVER } from '../../catalog/otelcol.js';
import { KAFKA_EXPORTER_BATCH_MAX_BYTES, KAFKA_EXPORTER_BATCH_MIN_BYTES, KAFKA_PRODUCER_MAX_MESSAGE_BYTES } from '../../catalog/kafka.js';
import { collectorMemory } from '../../topology/collector-memory.js';
import type { EngineDeployment, KafkaTopicPlan, Topology } from '../../topology/types.js';
import type { Finding } from '../../plan/findings.js';
import { collectorClientTls, collectorServerTls } from '../../topology/vm-tls.js';
import { toYaml, type FileSet } from '../fileset.js';
import type { RenderInput, RenderResult } from '../types.js';

export type CollectorRole = 'gateway' | 'processor';
export type CollectorConfig = Record<string, unknown>;

/** Component type names at the pinned collector version (see the header comment). */
export const OTELCOL_TYPES = {
  otlpReceiver: 'otlp',
  kafkaReceiver: 'kafka',
  faroReceiver: OTELCOL_FARO_RECEIVER.type,
  otlpGrpcExporter: 'otlp_grpc',
  otlpHttpExporter: 'otlp_http',
  kafkaExporter: 'kafka',
  memoryLimiter: 'memory_limiter',
  tailSampling: 'tail_sampling',
  fileStorage: 'file_storage',
  healthCheck: 'health_check',
} as const;

/** Where the persistent queues live inside the container (a named volume in compose, a PVC on Kubernetes). */
export const COLLECTOR_QUEUE_DIR = '/var/lib/otelcol/file_storage';
/** In-container path of the rendered config. */
export const COLLECTOR_CONFIG_PATH = '/etc/otelcol/config.yaml';


const SIGNALS3 = ['traces', 'metrics', 'logs'] as const;
type Signal3 = (typeof SIGNALS3)[number];

const ports = CATALOG.otelcol.ports;

/** The resources of one replica of a collector pool, from the topology. */
function poolComponent(t: Topology, role: CollectorRole) {
  return t.components.find((c) => c.engine === 'otelcol' && c.component === role);
}

/** GOMEMLIMIT and anything else the collector process needs in its environment. */
export function collectorEnvironment(input: RenderInput, role: CollectorRole): Record<string, string> {
  const c = poolComponent(input.topology, role);
  if (!c) return {};
  return { GOMEMLIMIT: `${Math.floor(collectorMemory(c.perReplica).goMemLimitBytes / 1024 ** 2)}MiB` };
}

function hostPort(url: string): string {
  return url.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
}

/** The exporter queue's batch: by items for OTLP exporters, by bytes under the largest record for Kafka. */
const ITEM_BATCH = { flush_timeout: '200ms', sizer: 'items', min_size: 8192, max_size: 16384 };
const KAFKA_BATCH = { flush_timeout: '200ms', sizer: 'bytes', min_size: KAFKA_EXPORTER_BATCH_MIN_BYTES, max_size: KAFKA_EXPORTER_BATCH_MAX_BYTES };

function queueAndRetry(input: RenderInput, batch: Record<string, unknown> = ITEM_BATCH): Record<string, unknown> {
  const ing = input.stack.ingestion!;
  const q: Record<string, unknown> = {
    enabled: true,
    sizer: 'requests',
    queue_size: ing.persistentQueue.queueSize,
    num_consumers: 10,
    // batching moved from the batch processor into the exporter's queue; it runs on the consumer side of a
    // persistent queue, so nothing is held only in memory before it is on disk.
    batch,
  };
  if (ing.persistentQueue.enabled) q['storage'] = OTELCOL_TYPES.fileStorage;
  return {
    sending_queue: q,
    retry_on_failure: {
      enabled: true,
      initial_interval: ing.retry.initialInterval,
      max_interval: ing.retry.maxInterval,
      // "0s": the exporterhelper never stops retrying
      max_elapsed_time: ing.retry.maxElapsedTime,
      multiplier: 1.5,
    },
  };
}

function tenantHeaders(e: EngineDeployment): Record<string, unknown> {
  return e.tenant ? { headers: { [DSKIT_TENANT_HEADER]: e.tenant } } : {};
}

/** TLS between VMs: an otlp_http exporter to an https:// engine (vm-tls.ts withTlsEndpoints) verifies it with the CA. */
function httpsTls(input: RenderInput, endpoint: string): Record<string, unknown> {
  return input.topology.tls && endpoint.startsWith('https://') ? { tls: collectorClientTls(input.topology.tls) } : {};
}

/** Direct exporters to each signal's backend: id → config. */
function backendExporters(input: RenderInput, findings: Finding[]): Map<Signal3, [string, Record<string, unknown>]> {
  const out = new Map<Signal3, [string, Record<string, unknown>]>();
  for (const signal of SIGNALS3) {
    const e = input.topology.engines.find((x) => x.signal === signal);
    if (!e) continue;
    const push = e.endpoints.push;
    if (!push) {
      findings.push({ severity: 'error', rule: 'render-otelcol', env: input.topology.env.name, path: e.definitionPath, message: `${e.title} has no push endpoint`, suggestion: 'use an engine the catalog knows a push endpoint for' });
      continue;
    }
    if (signal === 'traces') {
      // TLS between VMs: Tempo's OTLP receivers take TLS (engines.ts), so the exporter verifies them with the CA
      const tls = input.topology.tls ? collectorClientTls(input.topology.tls) : { insecure: push.startsWith('http://') };
      out.set(signal, [`${OTELCOL_TYPES.otlpGrpcExporter}/${e.engine}`, { endpoint: hostPort(push), tls, ...tenantHeaders(e), ...queueAndRetry(input) }]);
    } else if (signal === 'metrics') {
      const endpoint = e.endpoints.otlp ?? push;
      out.set(signal, [`${OTELCOL_TYPES.otlpHttpExporter}/${e.engine}`, { endpoint, ...httpsTls(input, endpoint), ...tenantHeaders(e), ...queueAndRetry(input) }]);
    } else {
      out.set(signal, [`${OTELCOL_TYPES.otlpHttpExporter}/${e.engine}`, { endpoint: push, ...httpsTls(input, push), ...tenantHeaders(e), ...queueAndRetry(input) }]);
    }
  }
  return out;
}

function topicFor(input: RenderInput, signal: Signal3): KafkaTopicPlan | undefined {
  return input.topology.ingestion?.topics.find((t) => t.owner === `collector:${signal}`);
}

function brokers(t: Topology): string[] {
  return (t.kafka?.bootstrap ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

function tailSampling(input: RenderInput): Record<string, unknown> | undefined {
  const s = input.stack.ingestion?.sampling;
  if (!s || s.policies.length === 0) return undefined;
  const policies = s.policies.map((p) => {
    switch (p.type) {
      case 'errors':
        return { name: p.name, type: 'status_code', status_code: { status_codes: ['ERROR'] } };
      case 'latency':
        return { name: p.name, type: 'latency', latency: { threshold_ms: p.thresholdMs ?? 1000 } };
      case 'probabilistic':
        return { name: p.name, type: 'probabilistic', probabilistic: { sampling_percentage: p.percentage ?? 10 } };
      case 'always':
        return { name: p.name, type: 'always_sample' };
    }
  });
  return { decision_wait: s.decisionWait, policies };
}

/**
 * Where one collector process listens and keeps its persistent queue. Every field is optional and defaults to what
 * a container gets (all interfaces, the catalog's ports, COLLECTOR_QUEUE_DIR), so deployments never pass it; tests
 * that run several collectors on one host (test/e2e) give each its own loopback ports and directory.
 */
export type CollectorPortName = 'otlpGrpc' | 'otlpHttp' | 'health' | 'metrics' | 'faro';

export interface CollectorPlacement {
  /** Interface every listener binds to; default 0.0.0.0. */
  readonly host?: string;
  /** Ports by catalog port name (otlpGrpc, otlpHttp, health, metrics, faro); default the catalog's (faro: the topology's). */
  readonly ports?: Readonly<Partial<Record<CollectorPortName, number>>>;
  /** Directory of the file_storage extension (the persistent queues); default COLLECTOR_QUEUE_DIR. */
  readonly storageDirectory?: string;
  /** Tenants' Faro receiver ports by tenant name; default each tenant's TenantPlan.faroPort. */
  readonly tenantPorts?: Readonly<Record<string, number>>;
  /**
   * Where the tenants' Faro receivers listen when a proxy on the same host fronts them (the ansible target's HAProxy
   * on each gateway host, src/topology/vm-faro-proxy.ts): their interface, and no TLS — the proxy terminates the
   * browsers' TLS; default `host`, with the environment's TLS.
   */
  readonly tenantListen?: { readonly host: string; readonly tls: false };
}

/** The component ids of one tenant's browser path on the gateway (receiver, pipelines, exporters by signal). */
export function tenantFaroIds(tenant: string): { receiver: string; pipeline: (signal: 'logs' | 'traces') => string } {
  return { receiver: `${OTELCOL_TYPES.faroReceiver}/${tenant}`, pipeline: (signal) => `${signal}/faro-${tenant}` };
}

/** CORS of a Faro receiver: the origins, the SDK's request headers, the preflight cache; none = no CORS handler. */
function faroCors(origins: readonly string[]): Record<string, unknown> {
  const k = OTELCOL_FARO_RECEIVER.keys;
  return origins.length > 0 ? { [k.cors]: { [k.allowedOrigins]: [...origins], [k.allowedHeaders]: [...FARO_SDK_REQUEST_HEADERS], [k.maxAge]: FARO_CORS_MAX_AGE_SECONDS } } : {};
}

/**
 * The collector configuration of one pool as a plain object (serialise with toYaml).
 * gateway: OTLP in → Kafka (kafkaBuffer) or the backends; processor: Kafka in → tail sampling → backends.
 * `placement` places one process (listen addresses, queue directory); the default is the container layout.
 */
export function renderCollectorConfig(input: RenderInput, role: CollectorRole, findings: Finding[] = [], placement: CollectorPlacement = {}): CollectorConfig {
  const t = input.topology;
  const ing = input.stack.ingestion;
  if (!ing) throw new Error('renderCollectorConfig: the definition has no ingestion section');
  const comp = poolComponent(t, role);
  if (!comp) throw new Error(`renderCollectorConfig: environment ${t.env.name} has no ${role} pool`);
  const mem = collectorMemory(comp.perReplica);
  const kafkaBuffer = t.ingestion?.kafkaBuffer ?? false;
  const bindHost = placement.host ?? '0.0.0.0';
  const faro = role === 'gateway' ? t.ingestion?.faro : undefined;
  const portOf = (name: CollectorPortName): number | undefined => placement.ports?.[name] ?? (name === 'faro' ? faro?.port : undefined) ?? ports[name];
  const listen = (name: Exclude<CollectorPortName, 'metrics'>): string => `${bindHost}:${portOf(name)}`;

  const receivers: Record<string, unknown> = {};
  const exporters: Record<string, unknown> = {};
  const processors: Record<string, unknown> = {
    [OTELCOL_TYPES.memoryLimiter]: { check_interval: '1s', limit_mib: mem.limitMib, spike_limit_mib: mem.spikeLimitMib },
  };
  const pipelines: Record<string, { receivers: string[]; processors: string[]; exporters: string[] }> = {};
  const backends = backendExporters(input, findings);
  const activeSignals = SIGNALS3.filter((s) => t.engines.some((e) => e.signal === s));

  if (role === 'gateway') {
    // TLS between hosts (an ansible environment's tls, src/topology/vm-tls.ts): the OTLP receivers take the host's
    // certificate, and under mTLS require a client certificate from the CA; compose topologies have no tls plan
    const serverTls = t.tls ? { tls: collectorServerTls(t.tls) } : {};
    receivers[OTELCOL_TYPES.otlpReceiver] = {
      protocols: { grpc: { endpoint: listen('otlpGrpc'), ...serverTls }, http: { endpoint: listen('otlpHttp'), ...serverTls } },
    };
    // the browser path: Faro Web SDK payloads in, their logs and traces into the same pipelines as OTLP's
    const faroSignals = faro ? activeSignals.filter((s) => (OTELCOL_FARO_RECEIVER.signals as readonly string[]).includes(s)) : [];
    if (faro && faroSignals.length === 0) {
      findings.push({ severity: 'warning', rule: 'render-otelcol', env: t.env.name, path: faro.definitionPath, message: 'Faro is enabled but the environment has neither a logs nor a traces engine: no Faro receiver is rendered', suggestion: 'add a logs or traces engine to the environment, or disable ingestion.faro' });
    } else if (faro) {
      const k = OTELCOL_FARO_RECEIVER.keys;
      receivers[OTELCOL_TYPES.faroReceiver] = {
        [k.endpoint]: listen('faro'),
        // browsers present no client certificate: server TLS only, whatever mtls says
        ...(t.tls ? { tls: collectorServerTls(t.tls, false) } : {}),
        // no allowed origin: no CORS handler at all, browsers are refused (the faro-cors plan rule says so)
        ...faroCors(faro.allowedOrigins),
      };
    }
    for (const s of activeSignals) {
      let exporterId: string;
      if (kafkaBuffer) {
        const topic = topicFor(input, s);
        exporterId = `${OTELCOL_TYPES.kafkaExporter}/${s}`;
        exporters[exporterId] = {
          brokers: brokers(t),
          client_id: `otelstack-gateway-${s}`,
          // Kafka's SSL listeners (the kafka role's server.properties): verify the brokers, a client certificate under mTLS
          ...(t.tls ? { tls: collectorClientTls(t.tls) } : {}),
          [s]: { topic: topic?.name ?? `otlp-${s}`, encoding: 'otlp_proto' },
          // whole traces land on one partition, so one processor sees every span of a trace (tail sampling)
          ...(s === 'traces' ? { partition_traces_by_id: true } : {}),
          // max_message_bytes written out: the batch below is sized from it
          producer: { required_acks: -1, allow_auto_topic_creation: false, compression: 'lz4', max_message_bytes: KAFKA_PRODUCER_MAX_MESSAGE_BYTES },
          ...queueAndRetry(input, KAFKA_BATCH),
        };
      } else {
        const b = backends.get(s);
        if (!b) continue;
        exporterId = b[0];
        exporters[b[0]] = b[1];
      }
      const faroIn = receivers[OTELCOL_TYPES.faroReceiver] && faroSignals.includes(s) ? [OTELCOL_TYPES.faroReceiver] : [];
      pipelines[s] = { receivers: [OTELCOL_TYPES.otlpReceiver, ...faroIn], processors: [OTELCOL_TYPES.memoryLimiter], exporters: [exporterId] };
    }
    tenantFaroPaths(t, placement, bindHost, backends, { receivers, exporters, pipelines }, findings);
  } else {
    const ts = tailSampling(input);
    if (ts) processors[OTELCOL_TYPES.tailSampling] = ts;
    const retry = ing.retry;
    for (const s of activeSignals) {
      const topic = topicFor(input, s);
      const rid = `${OTELCOL_TYPES.kafkaReceiver}/${s}`;
      receivers[rid] = {
        brokers: brokers(t),
        client_id: `otelstack-processor-${s}`,
        ...(t.tls ? { tls: collectorClientTls(t.tls) } : {}),
        group_id: `otelstack-processor-${s}`,
        initial_offset: 'earliest',
        [s]: { topics: [topic?.name ?? `otlp-${s}`], encoding: 'otlp_proto' },
        // offsets are committed only after the pipeline returned (data is in the persistent queue), never on error
        message_marking: { after: true, on_error: false },
        error_backoff: { enabled: true, initial_interval: retry.initialInterval, max_interval: retry.maxInterval, max_elapsed_time: '0s' },
      };
      const b = backends.get(s);
      if (!b) continue;
      exporters[b[0]] = b[1];
      const procs: string[] = [OTELCOL_TYPES.memoryLimiter];
      if (s === 'traces' && ts) procs.push(OTELCOL_TYPES.tailSampling);
      pipelines[s] = { receivers: [rid], processors: procs, exporters: [b[0]] };
    }
  }

  const extensions: Record<string, unknown> = {
    [OTELCOL_TYPES.healthCheck]: { endpoint: listen('health') },
  };
  if (ing.persistentQueue.enabled) {
    extensions[OTELCOL_TYPES.fileStorage] = { directory: placement.storageDirectory ?? COLLECTOR_QUEUE_DIR, create_directory: true, fsync: ing.persistentQueue.fsync, timeout: '1s' };
  }

  return {
    receivers,
    processors,
    exporters,
    extensions,
    service: {
      extensions: Object.keys(extensions).sort(),
      pipelines,
      telemetry: {
        logs: { level: 'info' },
        metrics: { level: 'normal', readers: [{ pull: { exporter: { prometheus: { host: bindHost, port: portOf('metrics') } } } }] },
      },
    },
  };
}

/**
 * Tenants' browser paths (seed 003) on the gateway: per tenant a `faro/<tenant>` receiver on its own port whose CORS
 * allows the tenant's origins only, and its own logs and traces pipelines whose exporters carry X-Scope-OrgID = the
 * tenant's id — copies of the environment's backend exporters (same endpoint, queue and retry) with the tenant's
 * header. Behind a Kafka buffer too the tenants' pipelines export straight to the backends: the buffer topics carry
 * no tenant, and the processors write with the environment's. The rate limit is not here: the collector has none
 * (catalog OTELCOL_RATE_LIMITER); HAProxy (compose; on VMs one on each gateway host, placement.tenantListen) or the
 * ingress (Kubernetes) enforces it in front.
 */
function tenantFaroPaths(
  t: Topology,
  placement: CollectorPlacement,
  bindHost: string,
  backends: Map<Signal3, [string, Record<string, unknown>]>,
  out: { receivers: Record<string, unknown>; exporters: Record<string, unknown>; pipelines: Record<string, { receivers: string[]; processors: string[]; exporters: string[] }> },
  findings: Finding[],
): void {
  const signals = (OTELCOL_FARO_RECEIVER.signals as readonly Signal3[]).filter((s) => backends.has(s));
  for (const tn of t.tenants ?? []) {
    if (signals.length === 0) {
      findings.push({ severity: 'warning', rule: 'render-otelcol', env: t.env.name, path: tn.definitionPath, message: `tenant ${tn.name} gets no Faro receiver: the environment has neither a logs nor a traces engine`, suggestion: 'add a logs or traces engine to the environment' });
      continue;
    }
    const ids = tenantFaroIds(tn.name);
    out.receivers[ids.receiver] = {
      [OTELCOL_FARO_RECEIVER.keys.endpoint]: `${placement.tenantListen?.host ?? bindHost}:${placement.tenantPorts?.[tn.name] ?? tn.faroPort}`,
      ...(t.tls && !placement.tenantListen ? { tls: collectorServerTls(t.tls, false) } : {}),
      ...faroCors(tn.origins),
    };
    for (const s of signals) {
      const [id, config] = backends.get(s)!;
      const exporterId = `${id}-${tn.name}`;
      const headers = { ...((config['headers'] as Record<string, string> | undefined) ?? {}), [DSKIT_TENANT_HEADER]: tn.id };
      out.exporters[exporterId] = { ...structuredClone(config), headers };
      out.pipelines[ids.pipeline(s as 'logs' | 'traces')] = { receivers: [ids.receiver], processors: [OTELCOL_TYPES.memoryLimiter], exporters: [exporterId] };
    }
  }
}

/**
 * One pool's collector config FILE as the compose and ansible targets place it (header included): the one home of
 * those bytes. Kafka brokers and backends are the topology's service names (kafka-0, tempo, …); on VMs the common
 * role maps them to the inventory's hosts, so the file is the same on both targets — but for the tenants' Faro
 * receivers behind the gateway host's HAProxy on VMs (`placement.tenantListen`: 127.0.0.1, their backend ports).
 */
export function collectorConfigFile(input: RenderInput, role: CollectorRole, findings: Finding[] = [], placement: CollectorPlacement = {}): string {
  return `# OpenTelemetry Collector ${role} v${CATALOG.otelcol.pinned} — rendered by otelstack.\n${toYaml(renderCollectorConfig(input, role, findings, placement))}`;
}

/** The roles an environment runs: a gateway always, a processor behind Kafka. */
export function collectorRoles(t: Topology): CollectorRole[] {
  return t.ingestion?.kafkaBuffer ? ['gateway', 'processor'] : ['gateway'];
}

export function collectorConfigPath(env: string, role: CollectorRole): string {
  return `configs/${env}/otelcol-${role}.yaml`;
}

/** Renders configs/<env>/otelcol-<role>.yaml for every collector pool of the environment. */
export function renderCollectorConfigs(input: RenderInput): RenderResult {
  const files: FileSet = new Map();
  const findings: Finding[] = [];
  const ing = input.stack.ingestion;
  if (!ing || ing.collector !== 'otelcol' || !input.topology.ingestion) return { files, findings };
  for (const role of collectorRoles(input.topology)) {
    const header = `# OpenTelemetry Collector ${role} for ${input.topology.stack}/${input.topology.env.name} — rendered by otelstack; collector v${CATALOG.otelcol.pinned}.\n`;
    files.set(collectorConfigPath(input.topology.env.name, role), header + toYaml(renderCollectorConfig(input, role, findings)));
  }
  return { files, findings };
}
