/**
 * Native configs of the backends in monolithic mode (for the compose target), built as objects and serialised
 * with toYaml. These engines cannot run on the build machines: the shapes follow their documentation
 * (Tempo 3.0 "Configuration" / monolithic example, Mimir 3.0 "Configuration parameters" / play-with-mimir,
 * Loki 3.6 "Configuration" / local-config, Prometheus 3.7 command-line flags, Grafana 12.3 provisioning) and
 * tests check them structurally only.
 *
 * S3 credentials are never rendered: each engine reads ${AWS_ACCESS_KEY_ID} / ${AWS_SECRET_ACCESS_KEY} from its
 * environment (an env_file) through its documented `-config.expand-env=true` flag.
 */
import { CATALOG } from '../../catalog/index.js';
import { METRICS_GENERATOR_SETUP } from '../../catalog/metrics.js';
import { LOKI_RULER, LOKI_RULER_PATHS, LOKI_TENANT_LIMITS } from '../../catalog/loki.js';
import { MIMIR_API, MIMIR_EXEMPLARS, MIMIR_TENANT_LIMITS } from '../../catalog/mimir.js';
import { TEMPO_OTLP_RECEIVER_TLS, TEMPO_TENANT_LIMITS } from '../../catalog/tempo.js';
import { DSKIT_LOOPBACK_GRPC, DSKIT_SERVER_TLS, GRAFANA_DATASOURCE_TLS, PROMETHEUS_TLS_CONFIG } from '../../catalog/server-tls.js';
import { GRAFANA_DATASOURCE_HEADER } from '../../catalog/grafana.js';
import type { EngineDeployment, MetricsGeneratorPlan, RumPlan, Topology } from '../../topology/types.js';
import { toYaml } from '../fileset.js';
import { DSKIT_TENANT_HEADER } from '../../catalog/dskit.js';

export const ENGINE_DATA_DIRS = { tempo: '/var/tempo', mimir: '/data', loki: '/loki', prometheus: '/prometheus' } as const;

/**
 * Each monolithic engine's reloadable per-tenant file (Loki and Mimir: runtime config; Tempo: per-tenant overrides),
 * beside its config: the file name beside docker-compose.yaml / under roles/<engine>/files/<env>/, and the one path
 * both targets place it at (compose mounts it there, the ansible role copies it there), which the engine's config
 * names. Always rendered, with `overrides: {}` when the environment has no tenants, so the roles place the same
 * files in every environment; the engines re-read it every 10 s (dskit runtimeconfig / Tempo's default period).
 */
export const ENGINE_RUNTIME_FILES = {
  tempo: { name: 'tempo-overrides.yaml', path: '/etc/otelstack/tempo-overrides.yaml' },
  mimir: { name: 'mimir-runtime.yaml', path: '/etc/otelstack/mimir-runtime.yaml' },
  loki: { name: 'loki-runtime.yaml', path: '/etc/otelstack/loki-runtime.yaml' },
} as const;
export type RuntimeFileEngine = keyof typeof ENGINE_RUNTIME_FILES;

type Limits = Record<string, unknown>;

/** The tenants whose limits an engine's overrides carry: only a multi-tenant engine (one with a tenant) has any. */
function limitedTenants(t: Topology, e: EngineDeployment): NonNullable<Topology['tenants']> {
  return e.tenant !== undefined ? (t.tenants ?? []) : [];
}

/**
 * Loki's per-tenant limits (catalog LOKI_TENANT_LIMITS): tenant id → the limits the definition gives, in MB; a
 * tenant's entry is laid over limits_config, so what the definition leaves out stays the engine's default and is not
 * rendered. Tenants without logs limits get no entry.
 */
export function lokiTenantOverrides(t: Topology, e: EngineDeployment): Record<string, Limits> {
  const k = LOKI_TENANT_LIMITS;
  const out: Record<string, Limits> = {};
  for (const x of limitedTenants(t, e)) {
    const l = x.limits.logs;
    if (!l) continue;
    const entry: Limits = {
      ...(l.ingestionRateBytes !== undefined ? { [k.ingestionRateMb]: l.ingestionRateBytes / k.bytesPerMb } : {}),
      ...(l.burstBytes !== undefined ? { [k.ingestionBurstMb]: l.burstBytes / k.bytesPerMb } : {}),
      ...(l.maxStreams !== undefined ? { [k.maxStreams]: l.maxStreams } : {}),
    };
    if (Object.keys(entry).length > 0) out[x.id] = entry;
  }
  return out;
}

/**
 * Tempo's per-tenant overrides (catalog TEMPO_TENANT_LIMITS, new scoped format): a tenant's entry REPLACES the
 * defaults, so each tenant with traces limits gets a complete entry — its rate, burst and max traces (the catalog's
 * defaults where the definition gives none), retry info on, the default max bytes per trace and per tag-values
 * query, and the metrics-generator processors where span metrics are on (else the generator would produce nothing
 * for it). Tenants without traces limits get no entry: the defaults apply to them.
 */
export function tempoTenantOverrides(t: Topology, e: EngineDeployment): Record<string, Limits> {
  const k = TEMPO_TENANT_LIMITS;
  const d = k.defaults;
  const g = e.metricsGenerator ? tempoMetricsGenerator(e.metricsGenerator) : undefined;
  const out: Record<string, Limits> = {};
  for (const x of limitedTenants(t, e)) {
    const l = x.limits.traces;
    if (!l) continue;
    out[x.id] = {
      [k.ingestion]: {
        [k.rateLimitBytes]: l.ingestionRateBytes ?? d.rateLimitBytes,
        [k.burstSizeBytes]: l.burstBytes ?? d.burstSizeBytes,
        [k.maxTraces]: l.maxTraces ?? d.maxTraces,
        [k.retryInfoEnabled]: d.retryInfoEnabled,
      },
      [k.global]: { [k.maxBytesPerTrace]: d.maxBytesPerTrace },
      [k.read]: { [k.maxBytesPerTagValuesQuery]: d.maxBytesPerTagValuesQuery },
      ...(g ? g.overridesDefaults : {}),
    };
  }
  return out;
}

/**
 * Mimir's per-tenant limits (catalog MIMIR_TENANT_LIMITS, unverified): tenant id → the limits the definition gives;
 * laid over the defaults like Loki's, so only those are rendered.
 */
export function mimirTenantOverrides(t: Topology, e: EngineDeployment): Record<string, Limits> {
  const k = MIMIR_TENANT_LIMITS;
  const out: Record<string, Limits> = {};
  for (const x of limitedTenants(t, e)) {
    const l = x.limits.metrics;
    if (!l) continue;
    const entry: Limits = {
      ...(l.samplesPerSecond !== undefined ? { [k.ingestionRate]: l.samplesPerSecond } : {}),
      ...(l.burst !== undefined ? { [k.ingestionBurst]: l.burst } : {}),
      ...(l.maxSeries !== undefined ? { [k.maxSeries]: l.maxSeries } : {}),
    };
    if (Object.keys(entry).length > 0) out[x.id] = entry;
  }
  return out;
}

/** The per-tenant overrides of one engine (tenant id → its entry), by engine. */
export function tenantOverridesOf(t: Topology, e: EngineDeployment): Record<string, Limits> | undefined {
  if (e.engine === 'loki') return lokiTenantOverrides(t, e);
  if (e.engine === 'tempo') return tempoTenantOverrides(t, e);
  if (e.engine === 'mimir') return mimirTenantOverrides(t, e);
  return undefined;
}

function s3(t: Topology) {
  const u = new URL(t.objectStorage.endpoint);
  const insecure = t.objectStorage.insecure || u.protocol === 'http:';
  return { hostPort: u.host, insecure, region: t.objectStorage.region };
}

const env = (t: Topology) => ({ id: `\${${t.objectStorage.credentials.accessKeyIdKey}}`, secret: `\${${t.objectStorage.credentials.secretAccessKeyKey}}` });

export function bucketOf(t: Topology, engine: string, purpose: string): string {
  const b = t.buckets.find((x) => x.engine === engine && x.purpose === purpose);
  return b?.name ?? `${t.stack}-${engine}-${t.env.name}-${purpose}`;
}

/**
 * Tempo's metrics-generator in Tempo 3.0's own configuration (configuration reference v3.0.x, "Metrics-generator"
 * and "Overrides"), shared by the compose config below and both Tempo charts' values:
 *  - processor: span_metrics and service_graphs with the plan's dimensions (resource or span attributes, labels
 *    sanitised: k8s.namespace.name → k8s_namespace_name); service graphs prefix them with client_ / server_
 *    (enable_client_server_prefix), which is what the dashboards' namespace filter reads;
 *  - remoteWrite: Prometheus remote_write entries to the environment's metrics engine, with exemplars; a
 *    multi-tenant metrics engine gets its own tenant as X-Scope-OrgID (Tempo keeps a header already set instead of
 *    forwarding the trace tenant);
 *  - overrides: `defaults.metrics_generator.processors` (Tempo 3 scoped overrides format), which turns the
 *    processors on for every tenant; without it the generator runs and produces nothing.
 */
export function tempoMetricsGenerator(g: MetricsGeneratorPlan): {
  processor: Record<string, unknown>;
  remoteWrite: Array<Record<string, unknown>>;
  overridesDefaults: Record<string, unknown>;
  storagePath: string;
} {
  const dimensions = [...g.dimensions];
  return {
    processor: {
      service_graphs: { dimensions, enable_client_server_prefix: true },
      span_metrics: { dimensions },
    },
    remoteWrite: [{ url: g.remoteWrite, send_exemplars: true, ...(g.tenant ? { headers: { [MIMIR_API.tenantHeader]: g.tenant } } : {}) }],
    overridesDefaults: { metrics_generator: { processors: [...METRICS_GENERATOR_SETUP.processors].sort() } },
    // Tempo disables the generator when no storage path is set; on the data volume beside the trace WAL
    storagePath: `${ENGINE_DATA_DIRS.tempo}/generator/wal`,
  };
}

/**
 * The dskit server block (Tempo, Mimir, Loki): the listen ports, and under TLS between VMs (an ansible
 * environment's tls plan; compose topologies have none) http_tls_config with the host's certificate, requiring a
 * client certificate from the CA under mtls (catalog DSKIT_SERVER_TLS). The gRPC port stays plaintext: in a
 * monolith it is the process's own (querier ↔ frontend, ingester), not a path between VMs; under TLS it listens on
 * loopback only where that was checked on the real engine (`loopbackGrpc`: Tempo, Loki; catalog DSKIT_LOOPBACK_GRPC).
 */
function serverBlock(t: Topology, p: Record<string, number>, loopbackGrpc = false): Record<string, unknown> {
  const k = DSKIT_SERVER_TLS;
  const tls = t.tls
    ? { [k.http]: { [k.certFile]: t.tls.cert.path, [k.keyFile]: t.tls.key.path, ...(t.tls.mtls ? { [k.clientAuthType]: k.requireAndVerify, [k.clientCaFile]: t.tls.ca.path } : {}) } }
    : {};
  const grpcAddress = t.tls && loopbackGrpc ? { [DSKIT_LOOPBACK_GRPC.listenAddress]: DSKIT_LOOPBACK_GRPC.loopback } : {};
  return { http_listen_port: p['http'], grpc_listen_port: p['grpc'], ...grpcAddress, ...tls };
}

/** Tempo's remote write to an https:// metrics engine: Prometheus' tls_config (catalog PROMETHEUS_TLS_CONFIG). */
function remoteWriteTls(t: Topology): Record<string, unknown> {
  const k = PROMETHEUS_TLS_CONFIG;
  const p = t.tls!;
  return { [k.key]: { [k.caFile]: p.ca.path, ...(p.mtls ? { [k.certFile]: p.cert.path, [k.keyFile]: p.key.path } : {}) } };
}

/**
 * Tempo 3.0, monolithic (`-target=all`): OTLP receivers on the distributor, blocks on S3; with spanMetrics the
 * in-process metrics-generator (fed by the distributor directly, no Kafka in monolithic mode) remote-writes span
 * metrics and service graphs to the environment's metrics engine.
 */
export function tempoConfig(t: Topology, e: EngineDeployment): Record<string, unknown> {
  const p = CATALOG.tempo.ports;
  const o = s3(t);
  const c = env(t);
  const g = e.metricsGenerator ? tempoMetricsGenerator(e.metricsGenerator) : undefined;
  // TLS between VMs (an ansible environment's tls; compose topologies have none): the OTLP receivers the collectors
  // write to take the host's certificate, and the CA as client CA under mTLS (TEMPO_OTLP_RECEIVER_TLS)
  const k = TEMPO_OTLP_RECEIVER_TLS;
  const receiverTls = t.tls
    ? { [k.key]: { [k.certFile]: t.tls.cert.path, [k.keyFile]: t.tls.key.path, ...(t.tls.mtls ? { [k.clientCaFile]: t.tls.ca.path } : {}) } }
    : {};
  return {
    target: 'all',
    multitenancy_enabled: e.tenant !== undefined,
    server: serverBlock(t, p, true),
    distributor: {
      receivers: { otlp: { protocols: { grpc: { endpoint: `0.0.0.0:${p['otlpGrpc']}`, ...receiverTls }, http: { endpoint: `0.0.0.0:${p['otlpHttp']}`, ...receiverTls } } } },
    },
    storage: {
      trace: {
        backend: 's3',
        s3: { bucket: bucketOf(t, 'tempo', 'blocks'), endpoint: o.hostPort, region: o.region, insecure: o.insecure, forcepathstyle: true, access_key: c.id, secret_key: c.secret },
        wal: { path: `${ENGINE_DATA_DIRS.tempo}/wal` },
      },
    },
    ...(g
      ? {
          metrics_generator: { processor: g.processor, storage: { path: g.storagePath, remote_write: t.tls ? g.remoteWrite.map((rw) => (String(rw['url']).startsWith('https://') ? { ...rw, ...remoteWriteTls(t) } : rw)) : g.remoteWrite } },
        }
      : {}),
    // the per-tenant overrides file beside this config (ENGINE_RUNTIME_FILES, TEMPO_TENANT_LIMITS)
    overrides: { ...(g ? { defaults: g.overridesDefaults } : {}), [TEMPO_TENANT_LIMITS.perTenantOverrideConfig]: ENGINE_RUNTIME_FILES.tempo.path },
  };
}

/** Mimir 3.0, monolithic (`-target=all`), classic ingesters with a WAL unless ingest storage is on. */
export function mimirConfig(t: Topology, e: EngineDeployment): Record<string, unknown> {
  const p = CATALOG.mimir.ports;
  const o = s3(t);
  const c = env(t);
  const d = ENGINE_DATA_DIRS.mimir;
  return {
    target: 'all',
    multitenancy_enabled: e.tenant !== undefined,
    server: serverBlock(t, p),
    common: {
      storage: { backend: 's3', s3: { endpoint: o.hostPort, region: o.region, insecure: o.insecure, access_key_id: c.id, secret_access_key: c.secret } },
    },
    blocks_storage: { s3: { bucket_name: bucketOf(t, 'mimir', 'blocks') }, tsdb: { dir: `${d}/tsdb` }, bucket_store: { sync_dir: `${d}/tsdb-sync` } },
    ruler_storage: { s3: { bucket_name: bucketOf(t, 'mimir', 'ruler') } },
    alertmanager_storage: { s3: { bucket_name: bucketOf(t, 'mimir', 'alertmanager') } },
    ingest_storage: { enabled: e.kafka !== undefined },
    ingester: { ring: { replication_factor: 1, kvstore: { store: 'inmemory' } } },
    store_gateway: { sharding_ring: { replication_factor: 1 } },
    compactor: { data_dir: `${d}/compactor` },
    // exemplar storage (default 0 drops every exemplar): sized in the plan
    ...(e.exemplars ? { limits: { [MIMIR_EXEMPLARS.limit]: e.exemplars.maxGlobalPerTenant } } : {}),
    // the per-tenant limits beside this config (ENGINE_RUNTIME_FILES, MIMIR_TENANT_LIMITS)
    [MIMIR_TENANT_LIMITS.runtimeConfig]: { [MIMIR_TENANT_LIMITS.file]: ENGINE_RUNTIME_FILES.mimir.path },
  };
}

/** Loki 3.6, monolithic (`-target=all`), TSDB index schema v13 on S3, OTLP ingestion at /otlp. */
export function lokiConfig(t: Topology, e: EngineDeployment): Record<string, unknown> {
  const p = CATALOG.loki.ports;
  const o = s3(t);
  const c = env(t);
  return {
    target: 'all',
    auth_enabled: e.tenant !== undefined,
    server: serverBlock(t, p, true),
    common: {
      path_prefix: ENGINE_DATA_DIRS.loki,
      // its rings advertise where its gRPC server listens (loopback only under TLS between VMs)
      ...(t.tls ? { [DSKIT_LOOPBACK_GRPC.lokiInstanceAddr]: DSKIT_LOOPBACK_GRPC.loopback } : {}),
      replication_factor: 1,
      ring: { kvstore: { store: 'inmemory' } },
      storage: {
        s3: { endpoint: o.hostPort, region: o.region, bucketnames: bucketOf(t, 'loki', 'chunks'), insecure: o.insecure, s3forcepathstyle: true, access_key_id: c.id, secret_access_key: c.secret },
      },
    },
    schema_config: { configs: [{ from: '2024-01-01', store: 'tsdb', object_store: 's3', schema: 'v13', index: { prefix: 'index_', period: '24h' } }] },
    limits_config: { allow_structured_metadata: true },
    ruler: t.rum ? lokiRumRuler(t.rum, ENGINE_DATA_DIRS.loki) : { storage: { type: 's3', s3: { bucketnames: bucketOf(t, 'loki', 'ruler') } } },
    // the per-tenant limits beside this config (ENGINE_RUNTIME_FILES, LOKI_TENANT_LIMITS)
    [LOKI_TENANT_LIMITS.runtimeConfig]: { [LOKI_TENANT_LIMITS.file]: ENGINE_RUNTIME_FILES.loki.path },
  };
}

/**
 * The ruler block for the RUM recording rules (catalog LOKI_RULER): rules from the local directory the rule files
 * are mounted at (one sub-directory per tenant), scratch and WAL on the data volume, and the recorded series
 * remote-written to the metrics engine with each tenant's id as X-Scope-OrgID (add_org_id_header, written out
 * although it is the default: it is what puts a tenant's series under its own id in the metrics engine).
 * `dataDir`: the data volume's mount (compose /loki; the loki chart /var/loki).
 */
export function lokiRumRuler(rum: RumPlan, dataDir: string): Record<string, unknown> {
  return {
    storage: { type: LOKI_RULER.storageType, local: { directory: LOKI_RULER_PATHS.rulesDirectory } },
    rule_path: `${dataDir}/${LOKI_RULER_PATHS.rulePathUnder}`,
    wal: { dir: `${dataDir}/${LOKI_RULER_PATHS.walUnder}` },
    remote_write: { enabled: true, add_org_id_header: true, clients: { [rum.metricsEngine]: { url: rum.remoteWrite } } },
  };
}

/** Prometheus 3.7 as a remote-write / OTLP target (flags carry the receivers; the file only scrapes itself). */
export function prometheusConfig(): Record<string, unknown> {
  return { global: { scrape_interval: '30s' }, scrape_configs: [{ job_name: 'prometheus', static_configs: [{ targets: [`localhost:${CATALOG.prometheus.ports['http']}`] }] }] };
}

/** A datasource's tenant header (the engines' X-Scope-OrgID), as Grafana's custom-header settings; empty without a tenant. */
export function tenantHeaderSettings(tenant: string | undefined): { jsonData: Record<string, string>; secureJsonData: Record<string, string> } {
  const h = GRAFANA_DATASOURCE_HEADER;
  return tenant === undefined ? { jsonData: {}, secureJsonData: {} } : { jsonData: { [h.name]: DSKIT_TENANT_HEADER }, secureJsonData: { [h.value]: tenant } };
}

/**
 * A datasource's jsonData / secureJsonData: the tenant header, and under TLS between VMs (an https:// engine) the CA
 * to verify it and, under mtls, the client certificate — as $__file{} references Grafana expands on the host
 * (catalog GRAFANA_DATASOURCE_TLS), never the PEM.
 */
function datasourceSettings(t: Topology, e: EngineDeployment): Record<string, unknown> {
  const k = GRAFANA_DATASOURCE_TLS;
  const tls = t.tls && e.endpoints.query?.startsWith('https://') ? t.tls : undefined;
  const tenant = tenantHeaderSettings(e.tenant);
  const jsonData = { ...tenant.jsonData, ...(tls ? { [k.withCaCert]: true, [k.clientAuth]: tls.mtls } : {}) };
  const secure = {
    ...tenant.secureJsonData,
    ...(tls ? { [k.caCert]: k.file(tls.ca.path), ...(tls.mtls ? { [k.clientCert]: k.file(tls.cert.path), [k.clientKey]: k.file(tls.key.path) } : {}) } : {}),
  };
  return { ...(Object.keys(jsonData).length ? { jsonData } : {}), ...(Object.keys(secure).length ? { secureJsonData: secure } : {}) };
}

/**
 * The engines as one tenant's datasources see them (tenants.<name>; TenantPlan.datasources): the same engines and
 * endpoints, with the tenant's datasource name and uid and its id as the X-Scope-OrgID. Engines the tenant has no
 * datasource for (not multi-tenant, e.g. Prometheus) are left out.
 */
export function tenantEngineViews(t: Topology): Array<{ tenant: string; engines: EngineDeployment[] }> {
  return (t.tenants ?? []).map((x) => ({
    tenant: x.name,
    engines: x.datasources.flatMap((d) => {
      const e = t.engines.find((y) => y.engine === d.engine);
      return e ? [{ ...e, tenant: x.id, datasource: { name: d.name, uid: d.uid, type: d.type } }] : [];
    }),
  }));
}

/**
 * Grafana 12.3 datasource provisioning file (apiVersion 1): the environment's datasources, then each tenant's set
 * (same engines, the tenant's names, uids and X-Scope-OrgID; never the default datasource).
 */
export function grafanaDatasources(t: Topology): Record<string, unknown> {
  const own = datasourceEntries(t, t.engines, true);
  const tenants = tenantEngineViews(t).flatMap((v) => datasourceEntries(t, v.engines, false));
  return { apiVersion: 1, datasources: [...own, ...tenants] };
}

function datasourceEntries(t: Topology, engines: readonly EngineDeployment[], defaults: boolean): Array<Record<string, unknown>> {
  return engines
    .filter((e) => e.datasource && e.endpoints.query)
    .map((e) => ({
      name: e.datasource!.name,
      uid: e.datasource!.uid,
      type: e.datasource!.type,
      access: 'proxy',
      url: e.endpoints.query!,
      editable: false,
      isDefault: defaults && e.signal === 'metrics',
      ...datasourceSettings(t, e),
    }))
    .sort((a, b) => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
}

/**
 * One engine's config FILE, header included: the one home of the bytes both the compose target (beside
 * docker-compose.yaml) and the ansible target (roles/<engine>/files/) place. Peer addresses inside (the object
 * store, the metrics engine Tempo remote-writes to) are the topology's service names; on VMs the common role maps
 * those names to the inventory's hosts (/etc/hosts), so the bytes are the same on both targets.
 * undefined: an engine that has no monolithic config here.
 */
export function engineConfigFile(t: Topology, e: EngineDeployment): { name: string; contents: string } | undefined {
  if (e.engine === 'tempo' || e.engine === 'mimir' || e.engine === 'loki') {
    const cfg = e.engine === 'tempo' ? tempoConfig(t, e) : e.engine === 'mimir' ? mimirConfig(t, e) : lokiConfig(t, e);
    return { name: `${e.engine}.yaml`, contents: `# ${e.title} ${e.version} monolithic — shape from the ${e.title} ${e.documented} documentation; rendered by otelstack.\n${toYaml(cfg)}` };
  }
  if (e.engine === 'prometheus') return { name: 'prometheus.yml', contents: `# Prometheus ${e.version} — rendered by otelstack.\n${toYaml(prometheusConfig())}` };
  return undefined;
}

/**
 * One engine's per-tenant file (ENGINE_RUNTIME_FILES), header included, placed by compose and ansible alike:
 * `overrides:` with each limited tenant's entry, `{}` without. undefined: an engine that has none.
 */
export function engineRuntimeFile(t: Topology, e: EngineDeployment): { name: string; path: string; contents: string } | undefined {
  if (e.engine !== 'tempo' && e.engine !== 'mimir' && e.engine !== 'loki') return undefined;
  const f = ENGINE_RUNTIME_FILES[e.engine];
  const what = e.engine === 'tempo' ? 'per-tenant overrides (scoped format)' : 'runtime configuration';
  const overrides = tenantOverridesOf(t, e) ?? {};
  return { ...f, contents: `# ${e.title} ${e.version} ${what}: per-tenant limits (definition: tenants.<name>.limits); reloaded while running — rendered by otelstack.\n${toYaml({ overrides })}` };
}

/** Grafana's datasource provisioning file, header included (compose and ansible place the same bytes). */
export function grafanaDatasourcesFile(t: Topology): string {
  return `# Grafana 12.3 datasource provisioning (file provider) — rendered by otelstack.\n${toYaml(grafanaDatasources(t))}`;
}
