/**
 * Docker Compose target: files under compose/<env>/.
 *  - single-node (no kafkaBuffer): collector gateway → Tempo, Mimir|Prometheus, Loki (monolithic) → SeaweedFS S3;
 *    Grafana provisioned with datasources.
 *  - scalable (kafkaBuffer): HAProxy (OTLP gRPC + HTTP) → N gateway collectors → Kafka KRaft (topics created by a
 *    one-shot init service; auto-creation is off) → M processor collectors (tail sampling) → backends → S3;
 *    two Grafanas sharing PostgreSQL.
 * Every long-running service: pinned image, healthcheck with start_period, restart: unless-stopped,
 * stop_grace_period, deploy.resources limits, depends_on service_healthy, named volumes for state.
 * One-shot init services (buckets, topics) use restart: on-failure and are waited for with
 * service_completed_successfully. Secrets are env_file references only (files the user creates).
 * Compose file shape: the Compose Specification (compose-spec/compose-spec schema/compose-spec.json).
 */
import { CATALOG } from '../../catalog/index.js';
import { KAFKA_IMAGE_SCRIPTS_DIR } from '../../catalog/kafka.js';
import { OTELCOL_IMAGE_BINARY } from '../../catalog/otelcol.js';
import { HAPROXY_CONFIG_PATH, SUPPORT_IMAGES } from '../../catalog/support.js';
import type { Finding } from '../../plan/findings.js';
import type { EngineDeployment, ReplicaResources, TopoComponent, Topology } from '../../topology/types.js';
import { toYaml, type FileSet } from '../fileset.js';
import type { RenderInput, RenderResult, Renderer } from '../types.js';
import { COLLECTOR_CONFIG_PATH, COLLECTOR_QUEUE_DIR, collectorEnvironment, collectorRoles, renderCollectorConfig, type CollectorRole } from '../configs/otelcol.js';
import { ENGINE_DATA_DIRS, grafanaDatasources, lokiConfig, mimirConfig, prometheusConfig, tempoConfig } from '../configs/engines.js';
import { renderDashboardsCompose } from '../grafana/index.js';
import { renderRulesCompose } from '../rules/index.js';


type Obj = Record<string, unknown>;
type Service = Obj;

const MiB = 1024 ** 2;
const image = (id: keyof typeof CATALOG) => `${CATALOG[id].image}:${CATALOG[id].pinned}`;
const extraImage = (id: keyof typeof SUPPORT_IMAGES) => `${SUPPORT_IMAGES[id].image}:${SUPPORT_IMAGES[id].version}`;

function limits(r: { cpuMillicores: number; memoryBytes: number; cpuRequest?: number; memoryRequest?: number }): Obj {
  return {
    resources: {
      limits: { cpus: (r.cpuMillicores / 1000).toString(), memory: `${Math.ceil(r.memoryBytes / MiB)}M` },
      reservations: { cpus: ((r.cpuRequest ?? r.cpuMillicores) / 1000).toString(), memory: `${Math.ceil((r.memoryRequest ?? r.memoryBytes) / MiB)}M` },
    },
  };
}

/** Compose limits from a topology replica: the limit when set, else the request (compose has no "no limit" policy here). */
function deployOf(r: ReplicaResources): Obj {
  const mem = Math.max(r.memoryLimitBytes ?? r.memoryRequestBytes, r.memoryRequestBytes);
  const cpu = Math.max(r.cpuLimitMillicores ?? r.cpuRequestMillicores * 2, r.cpuRequestMillicores);
  return limits({ cpuMillicores: cpu, memoryBytes: mem, cpuRequest: r.cpuRequestMillicores, memoryRequest: r.memoryRequestBytes });
}

function health(test: string[], startPeriod: string, interval = '10s'): Obj {
  return { test, interval, timeout: '5s', retries: 6, start_period: startPeriod };
}
const httpProbe = (url: string, startPeriod: string) => health(['CMD', 'wget', '-q', '-O', '/dev/null', url], startPeriod);

function healthyDeps(names: string[], completed: string[] = []): Obj {
  const out: Obj = {};
  for (const n of [...names].sort()) out[n] = { condition: 'service_healthy' };
  for (const n of [...completed].sort()) out[n] = { condition: 'service_completed_successfully' };
  return out;
}

function base(img: string, grace: string): Service {
  return { image: img, restart: 'unless-stopped', stop_grace_period: grace };
}

function componentOf(t: Topology, engine: string, component?: string): TopoComponent | undefined {
  return t.components.find((c) => c.engine === engine && (component === undefined || c.component === component));
}


interface Ctx {
  input: RenderInput;
  t: Topology;
  dir: string;
  files: FileSet;
  services: Record<string, Service>;
  volumes: Set<string>;
  findings: Finding[];
}

const S3_ENV = 's3.env';

function addSeaweedfs(c: Ctx): void {
  const p = CATALOG.seaweedfs.ports;
  const comp = componentOf(c.t, 'seaweedfs');
  c.volumes.add('seaweedfs-data');
  c.services['seaweedfs'] = {
    ...base(image('seaweedfs'), '30s'),
    // `weed server -s3` runs master, volume, filer and the S3 gateway in one process (SeaweedFS 3.x wiki "Amazon
    // S3 API"); the S3 admin identity comes from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in s3.env.
    command: ['server', '-dir=/data', '-s3', `-s3.port=${p['s3']}`, `-master.port=${p['master']}`, `-volume.port=${p['volume']}`, `-filer.port=${p['filer']}`],
    env_file: [S3_ENV],
    volumes: ['seaweedfs-data:/data'],
    healthcheck: httpProbe(`http://127.0.0.1:${p['master']}/cluster/status`, '30s'),
    deploy: comp ? deployOf(comp.perReplica) : limits({ cpuMillicores: 1000, memoryBytes: 1024 * MiB, cpuRequest: 200, memoryRequest: 512 * MiB }),
  };
  const buckets = [...new Set(c.t.buckets.map((b) => b.name))].sort();
  const script = buckets.map((b) => `s3.bucket.create -name ${b}`).join('\n');
  c.services['buckets-init'] = {
    image: image('seaweedfs'),
    restart: 'on-failure',
    stop_grace_period: '10s',
    entrypoint: ['/bin/sh', '-c'],
    command: [`printf '%s\\n' '${script.replace(/\n/g, "' '")}' | weed shell -master=seaweedfs:${p['master']}`],
    depends_on: healthyDeps(['seaweedfs']),
    deploy: limits({ cpuMillicores: 200, memoryBytes: 128 * MiB }),
    labels: { 'otelstack.one-shot': 'true' },
  };
}

function backendService(c: Ctx, e: EngineDeployment): string | undefined {
  const comp = componentOf(c.t, e.engine);
  const deploy = comp ? deployOf(comp.perReplica) : limits({ cpuMillicores: 1000, memoryBytes: 1024 * MiB });
  const deps = healthyDeps(['seaweedfs'], ['buckets-init']);
  const vol = `${e.engine}-data`;
  if (e.engine === 'tempo' || e.engine === 'mimir' || e.engine === 'loki') {
    const cfg = e.engine === 'tempo' ? tempoConfig(c.t, e) : e.engine === 'mimir' ? mimirConfig(c.t, e) : lokiConfig(c.t, e);
    const port = CATALOG[e.engine].ports['http'];
    c.files.set(`${c.dir}/${e.engine}.yaml`, `# ${e.title} ${e.version} monolithic — shape from the ${e.title} ${e.documented} documentation; rendered by otelstack.\n${toYaml(cfg)}`);
    c.volumes.add(vol);
    c.services[e.engine] = {
      ...base(image(e.engine), e.engine === 'tempo' ? '60s' : '90s'),
      command: [`-config.file=/etc/${e.engine}/config.yaml`, '-config.expand-env=true'],
      env_file: [S3_ENV],
      volumes: [`./${e.engine}.yaml:/etc/${e.engine}/config.yaml:ro`, `${vol}:${ENGINE_DATA_DIRS[e.engine]}`],
      healthcheck: httpProbe(`http://127.0.0.1:${port}/ready`, e.engine === 'mimir' ? '60s' : '30s'),
      depends_on: deps,
      deploy,
    };
    return e.engine;
  }
  if (e.engine === 'prometheus') {
    const port = CATALOG.prometheus.ports['http'];
    c.files.set(`${c.dir}/prometheus.yml`, `# Prometheus ${e.version} — rendered by otelstack.\n${toYaml(prometheusConfig())}`);
    c.volumes.add(vol);
    c.services['prometheus'] = {
      ...base(image('prometheus'), '60s'),
      command: ['--config.file=/etc/prometheus/prometheus.yml', `--storage.tsdb.path=${ENGINE_DATA_DIRS.prometheus}`, '--web.enable-remote-write-receiver', '--web.enable-otlp-receiver'],
      volumes: ['./prometheus.yml:/etc/prometheus/prometheus.yml:ro', `${vol}:${ENGINE_DATA_DIRS.prometheus}`],
      healthcheck: httpProbe(`http://127.0.0.1:${port}/-/ready`, '30s'),
      deploy,
    };
    return 'prometheus';
  }
  c.findings.push({ severity: 'warning', rule: 'render-compose', env: c.t.env.name, path: e.definitionPath, message: `the compose target does not render ${e.title} yet`, suggestion: 'leave this signal out of the compose environment' });
  return undefined;
}

function collectorService(c: Ctx, role: CollectorRole, index: number, deps: Obj): string {
  const name = `${role}-${index}`;
  const comp = componentOf(c.t, 'otelcol', role)!;
  const vol = `${name}-queue`;
  c.volumes.add(vol);
  const p = CATALOG.otelcol.ports;
  c.services[name] = {
    ...base(image('otelcol'), '60s'),
    command: [`--config=${COLLECTOR_CONFIG_PATH}`],
    // the image runs as uid 10001 and a fresh named volume is root-owned: run as root so file_storage can create
    // its directory (create_directory: true)
    user: '0:0',
    environment: collectorEnvironment(c.input, role),
    volumes: [`./otelcol-${role}.yaml:${COLLECTOR_CONFIG_PATH}:ro`, `${vol}:${COLLECTOR_QUEUE_DIR}`],
    // The contrib image is built FROM scratch (no shell, no wget): the probe can only run the binary itself.
    // the image has no probe tool for health_check (:13133): the healthcheck proves the binary starts
    healthcheck: health(['CMD', OTELCOL_IMAGE_BINARY, 'components'], '20s'),
    depends_on: deps,
    deploy: deployOf(comp.perReplica),
    expose: [p['otlpGrpc'], p['otlpHttp'], p['metrics'], p['health']].map(String),
  };
  return name;
}

function addKafka(c: Ctx): string[] {
  const k = c.t.kafka!;
  const comp = componentOf(c.t, 'kafka', 'broker');
  const p = CATALOG.kafka.ports;
  const n = k.brokers;
  const voters = Array.from({ length: n }, (_, i) => `${i}@kafka-${i}:${p['controller']}`).join(',');
  const topics = k.topics;
  const rf = Math.min(3, n);
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = `kafka-${i}`;
    const vol = `${name}-data`;
    c.volumes.add(vol);
    c.services[name] = {
      ...base(image('kafka'), '60s'),
      hostname: name,
      // KRaft combined broker+controller nodes (Kafka 4.x docker image environment variables)
      environment: {
        CLUSTER_ID: c.t.kafka!.clusterId,
        KAFKA_NODE_ID: String(i),
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_LISTENERS: `PLAINTEXT://:${p['client']},CONTROLLER://:${p['controller']}`,
        KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${name}:${p['client']}`,
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        KAFKA_INTER_BROKER_LISTENER_NAME: 'PLAINTEXT',
        KAFKA_CONTROLLER_QUORUM_VOTERS: voters,
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
        KAFKA_DEFAULT_REPLICATION_FACTOR: String(rf),
        KAFKA_MIN_INSYNC_REPLICAS: String(Math.max(1, rf - 1)),
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: String(rf),
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: String(rf),
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: String(Math.max(1, rf - 1)),
        KAFKA_LOG_DIRS: '/var/lib/kafka/data',
        KAFKA_HEAP_OPTS: comp ? `-Xmx${Math.floor((comp.perReplica.memoryRequestBytes * 0.5) / MiB)}m -Xms${Math.floor((comp.perReplica.memoryRequestBytes * 0.5) / MiB)}m` : '-Xmx512m -Xms512m',
      },
      user: '0:0',
      volumes: [`${vol}:/var/lib/kafka/data`],
      healthcheck: health(['CMD', `${KAFKA_IMAGE_SCRIPTS_DIR}/kafka-broker-api-versions.sh`, '--bootstrap-server', `localhost:${p['client']}`], '60s', '15s'),
      deploy: comp ? deployOf(comp.perReplica) : limits({ cpuMillicores: 1000, memoryBytes: 2048 * MiB }),
    };
    names.push(name);
  }
  const bootstrap = `kafka-0:${p['client']}`;
  const script = topics
    .map(
      (tp) =>
        `${KAFKA_IMAGE_SCRIPTS_DIR}/kafka-topics.sh --bootstrap-server ${bootstrap} --create --if-not-exists --topic ${tp.name} --partitions ${tp.partitions} --replication-factor ${Math.min(tp.replication, n)} --config min.insync.replicas=${Math.min(tp.minInSyncReplicas, n)} --config retention.ms=${tp.retentionHours * 3600 * 1000}`,
    )
    .join(' && ');
  c.services['kafka-init'] = {
    image: image('kafka'),
    restart: 'on-failure',
    stop_grace_period: '10s',
    entrypoint: ['/bin/sh', '-c'],
    command: [script],
    depends_on: healthyDeps(names),
    deploy: limits({ cpuMillicores: 500, memoryBytes: 512 * MiB }),
    labels: { 'otelstack.one-shot': 'true' },
  };
  return names;
}

function haproxyConfig(c: Ctx, gateways: string[]): string {
  const p = CATALOG.otelcol.ports;
  const servers = (port: number, check: string) => gateways.map((g) => `  server ${g} ${g}:${port} ${check}`).join('\n');
  // HAProxy 3.2 configuration manual: gRPC over HTTP/2 cleartext needs `proto h2` on both sides, so requests
  // (not connections) are balanced; health from the collectors' health_check extension.
  return [
    '# HAProxy in front of the OTLP gateways — rendered by otelstack.',
    'global',
    '  log stdout format raw local0',
    'defaults',
    '  log global',
    '  mode http',
    '  timeout connect 5s',
    '  timeout client 60s',
    '  timeout server 60s',
    'frontend otlp_grpc',
    `  bind :${p['otlpGrpc']} proto h2`,
    '  default_backend gateways_grpc',
    'frontend otlp_http',
    `  bind :${p['otlpHttp']}`,
    '  default_backend gateways_http',
    'frontend health',
    '  bind :8405',
    '  monitor-uri /healthz',
    'backend gateways_grpc',
    '  balance roundrobin',
    '  option httpchk GET /',
    servers(p['otlpGrpc']!, `proto h2 check port ${p['health']}`),
    'backend gateways_http',
    '  balance roundrobin',
    '  option httpchk GET /',
    servers(p['otlpHttp']!, `check port ${p['health']}`),
    '',
  ].join('\n');
}

function addGrafana(c: Ctx, count: number, deps: string[]): void {
  const port = CATALOG.grafana.ports['http']!;
  c.files.set(`${c.dir}/grafana/provisioning/datasources/datasources.yaml`, `# Grafana 12.3 datasource provisioning (file provider) — rendered by otelstack.\n${toYaml(grafanaDatasources(c.t))}`);
  const comp = componentOf(c.t, 'grafana');
  const deploy = comp ? deployOf(comp.perReplica) : limits({ cpuMillicores: 500, memoryBytes: 512 * MiB, cpuRequest: 100, memoryRequest: 256 * MiB });
  const shared = count > 1;
  if (shared) {
    c.volumes.add('postgresql-data');
    c.services['postgresql'] = {
      ...base(extraImage('postgresql'), '30s'),
      // POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB come from postgresql.env (you create it)
      env_file: ['postgresql.env'],
      volumes: ['postgresql-data:/var/lib/postgresql/data'],
      healthcheck: health(['CMD-SHELL', 'pg_isready -U "$${POSTGRES_USER}" -d "$${POSTGRES_DB}"'], '20s'),
      deploy: limits({ cpuMillicores: 1000, memoryBytes: 512 * MiB, cpuRequest: 100, memoryRequest: 256 * MiB }),
    };
  }
  for (let i = 0; i < count; i++) {
    const name = count === 1 ? 'grafana' : `grafana-${i}`;
    const vol = `${name}-data`;
    c.volumes.add(vol);
    c.services[name] = {
      ...base(image('grafana'), '30s'),
      environment: shared
        ? { GF_DATABASE_TYPE: 'postgres', GF_DATABASE_HOST: 'postgresql:5432', GF_SERVER_HTTP_PORT: String(port) }
        : { GF_SERVER_HTTP_PORT: String(port) },
      // grafana.env: GF_SECURITY_ADMIN_PASSWORD (and GF_DATABASE_NAME/USER/PASSWORD when sharing PostgreSQL)
      env_file: ['grafana.env'],
      ports: [`${3000 + i}:${port}`],
      volumes: ['./grafana/provisioning:/etc/grafana/provisioning:ro', `${vol}:/var/lib/grafana`],
      healthcheck: httpProbe(`http://127.0.0.1:${port}/api/health`, '30s'),
      depends_on: healthyDeps(shared ? [...deps, 'postgresql'] : deps),
      deploy,
    };
  }
}

function envFileReadme(c: Ctx, scalable: boolean): string {
  const creds = c.t.objectStorage.credentials;
  const lines = [
    `# compose/${c.t.env.name}`,
    '',
    'Rendered by otelstack. Secrets are never rendered: create these env files beside docker-compose.yaml first.',
    '',
    `- \`s3.env\`: \`${creds.accessKeyIdKey}=…\` and \`${creds.secretAccessKeyKey}=…\` (SeaweedFS admin identity; the engines read the same keys).`,
    '- `grafana.env`: `GF_SECURITY_ADMIN_PASSWORD=…`' + (scalable ? ', `GF_DATABASE_NAME`, `GF_DATABASE_USER`, `GF_DATABASE_PASSWORD`.' : '.'),
  ];
  if (scalable) lines.push('- `postgresql.env`: `POSTGRES_DB`, `POSTGRES_USER`, `POSTGRES_PASSWORD` (the same values as in grafana.env).');
  lines.push('', 'Then: `docker compose -f docker-compose.yaml up -d`.', '');
  return lines.join('\n');
}

export const renderCompose: Renderer = (input: RenderInput): RenderResult => {
  const t = input.topology;
  const files: FileSet = new Map();
  const findings: Finding[] = [];
  if (t.env.target !== 'compose') return { files, findings };
  const dir = `compose/${t.env.name}`;
  const c: Ctx = { input, t, dir, files, services: {}, volumes: new Set(), findings };
  const scalable = t.ingestion?.kafkaBuffer ?? false;

  addSeaweedfs(c);
  const backends = t.engines.filter((e) => e.managed).map((e) => backendService(c, e)).filter((x): x is string => x !== undefined);

  const roles = t.ingestion && input.stack.ingestion?.collector === 'otelcol' ? collectorRoles(t) : [];
  if (t.ingestion && input.stack.ingestion?.collector !== 'otelcol') {
    findings.push({ severity: 'error', rule: 'render-compose', env: t.env.name, path: 'ingestion.collector', message: 'the compose target renders OpenTelemetry Collector pools only', suggestion: 'set ingestion.collector: otelcol' });
  }
  for (const role of roles) {
    c.files.set(`${dir}/otelcol-${role}.yaml`, `# OpenTelemetry Collector ${role} v${CATALOG.otelcol.pinned} — rendered by otelstack.\n${toYaml(renderCollectorConfig(input, role, findings))}`);
  }

  const gateways: string[] = [];
  if (scalable && roles.includes('processor')) {
    if (!t.kafka) {
      findings.push({ severity: 'error', rule: 'render-compose', env: t.env.name, path: `ingestion.environments.${t.env.name}.kafkaBuffer`, message: 'kafkaBuffer needs a Kafka cluster in this environment', suggestion: `add kafka.environments.${t.env.name}` });
      return { files: new Map(), findings };
    }
    addKafka(c);
    for (let i = 0; i < t.ingestion!.processorReplicas; i++) collectorService(c, 'processor', i, healthyDeps(backends, ['kafka-init']));
    for (let i = 0; i < t.ingestion!.gatewayReplicas; i++) gateways.push(collectorService(c, 'gateway', i, healthyDeps([], ['kafka-init'])));
    files.set(`${dir}/haproxy.cfg`, haproxyConfig(c, gateways));
    const p = CATALOG.otelcol.ports;
    c.services['otlp-lb'] = {
      ...base(extraImage('haproxy'), '30s'),
      volumes: [`./haproxy.cfg:${HAPROXY_CONFIG_PATH}:ro`],
      ports: [`${p['otlpGrpc']}:${p['otlpGrpc']}`, `${p['otlpHttp']}:${p['otlpHttp']}`],
      healthcheck: health(['CMD', 'haproxy', '-c', '-f', HAPROXY_CONFIG_PATH], '10s'),
      depends_on: healthyDeps(gateways),
      deploy: limits({ cpuMillicores: 1000, memoryBytes: 256 * MiB, cpuRequest: 200, memoryRequest: 128 * MiB }),
    };
  } else if (roles.includes('gateway')) {
    for (let i = 0; i < (t.ingestion?.gatewayReplicas ?? 1); i++) {
      const name = collectorService(c, 'gateway', i, healthyDeps(backends));
      gateways.push(name);
    }
    // single node: the (first) gateway publishes OTLP on the host
    const p = CATALOG.otelcol.ports;
    if (gateways[0]) c.services[gateways[0]]!['ports'] = [`${p['otlpGrpc']}:${p['otlpGrpc']}`, `${p['otlpHttp']}:${p['otlpHttp']}`];
  }

  addGrafana(c, scalable ? 2 : 1, backends);
  // dashboards: a file provider under the provisioning directory Grafana mounts; rule files for the metrics backend
  for (const part of [renderDashboardsCompose(input), renderRulesCompose(input)]) {
    for (const [k, v] of part.files) files.set(k, v);
    findings.push(...part.findings);
  }

  const services = Object.fromEntries(Object.entries(c.services).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const volumes = Object.fromEntries([...c.volumes].sort().map((v) => [v, {}]));
  const compose = { name: `${t.stack}-${t.env.name}`, services, volumes };
  files.set(`${dir}/docker-compose.yaml`, `# ${t.stack}/${t.env.name} — rendered by otelstack (${scalable ? 'scalable' : 'single-node'}). See README.md for the env files to create.\n${toYaml(compose)}`);
  files.set(`${dir}/README.md`, envFileReadme(c, scalable));
  return { files: new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), findings };
};
