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
import type { EngineDeployment, Topology } from '../../topology/types.js';

export const ENGINE_DATA_DIRS = { tempo: '/var/tempo', mimir: '/data', loki: '/loki', prometheus: '/prometheus' } as const;

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

/** Tempo 3.0, monolithic (`-target=all`): OTLP receivers on the distributor, blocks on S3. */
export function tempoConfig(t: Topology, e: EngineDeployment): Record<string, unknown> {
  const p = CATALOG.tempo.ports;
  const o = s3(t);
  const c = env(t);
  return {
    target: 'all',
    multitenancy_enabled: e.tenant !== undefined,
    server: { http_listen_port: p['http'], grpc_listen_port: p['grpc'] },
    distributor: {
      receivers: { otlp: { protocols: { grpc: { endpoint: `0.0.0.0:${p['otlpGrpc']}` }, http: { endpoint: `0.0.0.0:${p['otlpHttp']}` } } } },
    },
    storage: {
      trace: {
        backend: 's3',
        s3: { bucket: bucketOf(t, 'tempo', 'blocks'), endpoint: o.hostPort, region: o.region, insecure: o.insecure, forcepathstyle: true, access_key: c.id, secret_key: c.secret },
        wal: { path: `${ENGINE_DATA_DIRS.tempo}/wal` },
      },
    },
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
    server: { http_listen_port: p['http'], grpc_listen_port: p['grpc'] },
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
    server: { http_listen_port: p['http'], grpc_listen_port: p['grpc'] },
    common: {
      path_prefix: ENGINE_DATA_DIRS.loki,
      replication_factor: 1,
      ring: { kvstore: { store: 'inmemory' } },
      storage: {
        s3: { endpoint: o.hostPort, region: o.region, bucketnames: bucketOf(t, 'loki', 'chunks'), insecure: o.insecure, s3forcepathstyle: true, access_key_id: c.id, secret_access_key: c.secret },
      },
    },
    schema_config: { configs: [{ from: '2024-01-01', store: 'tsdb', object_store: 's3', schema: 'v13', index: { prefix: 'index_', period: '24h' } }] },
    limits_config: { allow_structured_metadata: true },
    ruler: { storage: { type: 's3', s3: { bucketnames: bucketOf(t, 'loki', 'ruler') } } },
  };
}

/** Prometheus 3.7 as a remote-write / OTLP target (flags carry the receivers; the file only scrapes itself). */
export function prometheusConfig(): Record<string, unknown> {
  return { global: { scrape_interval: '30s' }, scrape_configs: [{ job_name: 'prometheus', static_configs: [{ targets: [`localhost:${CATALOG.prometheus.ports['http']}`] }] }] };
}

/** Grafana 12.3 datasource provisioning file (apiVersion 1). */
export function grafanaDatasources(t: Topology): Record<string, unknown> {
  const datasources = t.engines
    .filter((e) => e.datasource && e.endpoints.query)
    .map((e) => ({
      name: e.datasource!.name,
      uid: e.datasource!.uid,
      type: e.datasource!.type,
      access: 'proxy',
      url: e.endpoints.query!,
      editable: false,
      isDefault: e.signal === 'metrics',
      ...(e.tenant ? { jsonData: { httpHeaderName1: 'X-Scope-OrgID' }, secureJsonData: { httpHeaderValue1: e.tenant } } : {}),
    }))
    .sort((a, b) => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
  return { apiVersion: 1, datasources };
}
