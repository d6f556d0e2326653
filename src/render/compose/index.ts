/**
 * Docker Compose target: files under compose/<env>/.
 *  - single-node (no kafkaBuffer): collector gateway → Tempo, Mimir|Prometheus, Loki (monolithic) → SeaweedFS S3;
 *    Grafana provisioned with datasources.
 *  - scalable (kafkaBuffer): HAProxy (OTLP gRPC + HTTP) → N gateway collectors → Kafka KRaft (topics created by a
 *    one-shot init service; auto-creation is off) → M processor collectors (tail sampling) → backends → S3;
 *    two Grafanas sharing PostgreSQL.
 * Object storage is what the definition names: SeaweedFS or MinIO as a local service answering at the definition's
 * endpoint (plus a one-shot bucket job), or an external S3 (no local service; a bucket job with the AWS CLI).
 * Every service logs through the json-file driver with the environment's rotation (logs.maxSize / maxFiles).
 * Every long-running service: pinned image, restart: unless-stopped, stop_grace_period, deploy.resources limits,
 * depends_on service_healthy, named volumes for state, and a healthcheck that runs in its image (the catalog's
 * imageTools): where the image holds no probe tool (distroless Loki and Mimir, the scratch collector) a busybox
 * probe service `<name>-ready` checks the service's readiness endpoint over the network, and dependants wait for
 * the probe's health (and the service's start).
 * What verify needs from the host (engines' query ports, the local store's S3 port) is published on 127.0.0.1
 * only (composeLoopbackPorts, shared with verify's target resolution).
 * One-shot init services (buckets, topics) use restart: on-failure and are waited for with
 * service_completed_successfully. Secrets are env_file references only (files the user creates).
 * Compose file shape: the Compose Specification (compose-spec/compose-spec schema/compose-spec.json).
 */
import { CATALOG, readyUrl } from '../../catalog/index.js';
import { KAFKA_IMAGE_SCRIPTS_DIR } from '../../catalog/kafka.js';
import { SEAWEEDFS_NO_TELEMETRY } from '../../catalog/seaweedfs.js';
import { HAPROXY, HAPROXY_METRICS, HAPROXY_CONFIG_PATH, MINIO_PORTS, SUPPORT_IMAGES } from '../../catalog/support.js';
import type { Finding } from '../../plan/findings.js';
import { composeObjectStorageFindings } from '../../plan/rules/compose-object-storage.js';
import { CANARY_METRICS_PATH } from '../../catalog/canary.js';
import { canaryArgs, canaryDefinitionFile, canaryDefinitionName, canaryDefinitionPath } from '../configs/canary.js';
import { COMPOSE_OTLP_LB, composeLoadBalanced, composeLoopbackPorts, composeStore, LOOPBACK_HOST } from '../../topology/loopback.js';
import type { CanaryPlan, EngineDeployment, ReplicaResources, TopoComponent, Topology } from '../../topology/types.js';
import { toYaml, type FileSet } from '../fileset.js';
import type { RenderInput, RenderResult, Renderer } from '../types.js';
import { COLLECTOR_CONFIG_PATH, COLLECTOR_QUEUE_DIR, collectorConfigFile, collectorEnvironment, collectorRoles, type CollectorRole } from '../configs/otelcol.js';
import { ENGINE_DATA_DIRS, engineConfigFile, engineRuntimeFile, grafanaDatasourcesFile } from '../configs/engines.js';
import { graceOf } from '../configs/lifecycle.js';
import { kafkaTopicCommands } from '../configs/kafka-topics.js';
import { composeHaproxyServers, haproxyConfig, haproxyTenants } from './haproxy.js';
import { OTELCOL_FARO_RECEIVER } from '../../catalog/otelcol.js';
import { renderDashboardsCompose } from '../grafana/index.js';
import { LOKI_RULES_DIR, renderRulesCompose } from '../rules/index.js';
import { LOKI_RULER_PATHS } from '../../catalog/loki.js';


type Obj = Record<string, unknown>;
type Service = Obj;

const MiB = 1024 ** 2;
const image = (id: keyof typeof CATALOG) => `${CATALOG[id].image}:${CATALOG[id].pinned}`;
/** An engine's image at the version the definition runs (signals.<signal>.version; the catalog's pinned one by default). */
const engineImage = (e: EngineDeployment) => `${CATALOG[e.engine].image}:${e.version}`;
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

function healthyDeps(names: string[], completed: string[] = [], probes: ReadonlyMap<string, string> = new Map()): Obj {
  const out: Obj = {};
  for (const n of [...names].sort()) {
    const probe = probes.get(n);
    // a service without a healthcheck of its own: started, and its readiness probe healthy
    if (probe) {
      out[n] = { condition: 'service_started' };
      out[probe] = { condition: 'service_healthy' };
    } else out[n] = { condition: 'service_healthy' };
  }
  for (const n of [...completed].sort()) out[n] = { condition: 'service_completed_successfully' };
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
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
  /** service → its readiness probe service (services whose image cannot probe itself) */
  probes: Map<string, string>;
}

const deps = (c: Ctx, healthy: string[], completed: string[] = []): Obj => healthyDeps(healthy, completed, c.probes);

/** Loopback publications (`127.0.0.1:HOST:CONTAINER`) of a service, from composeLoopbackPorts. */
function loopbackPorts(c: Ctx, service: string): Obj {
  const ports = composeLoopbackPorts(c.t)
    .filter((p) => p.service === service)
    .map((p) => `${LOOPBACK_HOST}:${p.hostPort}:${p.containerPort}`);
  return ports.length > 0 ? { ports } : {};
}

/**
 * A busybox service whose healthcheck GETs `url` (the readiness endpoint of `target`, seen over the compose
 * network): for images that hold nothing to probe themselves with. It idles (tail under init, so it stops at once).
 */
function addProbe(c: Ctx, target: string, url: string, startPeriod: string): string {
  const name = `${target}-ready`;
  c.services[name] = {
    ...base(extraImage('busybox'), '5s'),
    init: true,
    command: ['tail', '-f', '/dev/null'],
    healthcheck: health(['CMD', 'wget', '-q', '-O', '/dev/null', url], startPeriod),
    deploy: limits({ cpuMillicores: 100, memoryBytes: 32 * MiB, cpuRequest: 10, memoryRequest: 16 * MiB }),
    labels: { 'otelstack.probe-of': target },
  };
  c.probes.set(target, name);
  return name;
}

const S3_ENV = 's3.env';
const MINIO_ENV = 'minio.env';

/** What the engines wait for before they start: the local store's health and the bucket job's completion. */
interface StoreDeps {
  healthy: string[];
  completed: string[];
}

/** The store service answers at the definition's endpoint host (a network alias when it is not the service name). */
function aliasOf(c: Ctx): Obj {
  const store = composeStore(c.t)!;
  return store.host === store.service ? {} : { networks: { default: { aliases: [store.host] } } };
}

const bucketNames = (c: Ctx): string[] => [...new Set(c.t.buckets.map((b) => b.name))].sort();
const envRef = (key: string): string => `"$\${${key}}"`;

/** A one-shot init service (buckets, topics): a shell script, restarted until it succeeds, waited for by its dependants. */
function oneShot(img: string, script: string, dependsOn: Obj, envFile: string[] = [S3_ENV], size = { cpuMillicores: 200, memoryBytes: 128 * MiB }): Service {
  return {
    image: img,
    restart: 'on-failure',
    stop_grace_period: '10s',
    entrypoint: ['/bin/sh', '-c'],
    command: [script],
    ...(envFile.length > 0 ? { env_file: envFile } : {}),
    ...(Object.keys(dependsOn).length > 0 ? { depends_on: dependsOn } : {}),
    deploy: limits(size),
    labels: { 'otelstack.one-shot': 'true' },
  };
}

function addSeaweedfs(c: Ctx): StoreDeps {
  const p = CATALOG.seaweedfs.ports;
  const store = composeStore(c.t)!;
  const comp = componentOf(c.t, 'seaweedfs');
  c.volumes.add('seaweedfs-data');
  c.services['seaweedfs'] = {
    ...base(image('seaweedfs'), graceOf('seaweedfs')),
    // `weed server -s3` runs master, volume, filer and the S3 gateway in one process (SeaweedFS 3.x wiki "Amazon
    // S3 API"); the S3 admin identity comes from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in s3.env.
    command: ['server', '-dir=/data', '-s3', `-s3.port=${store.s3Port}`, `-master.port=${p['master']}`, `-volume.port=${p['volume']}`, `-filer.port=${p['filer']}`, SEAWEEDFS_NO_TELEMETRY],
    env_file: [S3_ENV],
    volumes: ['seaweedfs-data:/data'],
    ...loopbackPorts(c, 'seaweedfs'),
    ...aliasOf(c),
    healthcheck: httpProbe(readyUrl('seaweedfs', '127.0.0.1'), '30s'),
    deploy: comp ? deployOf(comp.perReplica) : limits({ cpuMillicores: 1000, memoryBytes: 1024 * MiB, cpuRequest: 200, memoryRequest: 512 * MiB }),
  };
  const script = bucketNames(c).map((b) => `s3.bucket.create -name ${b}`).join('\n');
  c.services['buckets-init'] = oneShot(image('seaweedfs'), `printf '%s\\n' '${script.replace(/\n/g, "' '")}' | weed shell -master=seaweedfs:${p['master']}`, deps(c, ['seaweedfs']), []);
  return { healthy: ['seaweedfs'], completed: ['buckets-init'] };
}

/**
 * MinIO (`minio server /data`), root credentials from minio.env (MINIO_ROOT_USER / MINIO_ROOT_PASSWORD, which the
 * user creates); buckets created by a one-shot mc job with the engines' S3 keys from s3.env (the same identity).
 */
function addMinio(c: Ctx): StoreDeps {
  const store = composeStore(c.t)!;
  const creds = c.t.objectStorage.credentials;
  c.volumes.add('minio-data');
  c.services['minio'] = {
    ...base(extraImage('minio'), graceOf('minio')),
    command: ['server', '/data', '--address', `:${store.s3Port}`, '--console-address', `:${MINIO_PORTS.console}`],
    env_file: [MINIO_ENV],
    volumes: ['minio-data:/data'],
    ...loopbackPorts(c, 'minio'),
    ...aliasOf(c),
    // the image ships mc, whose `ready` waits for the server's health API; alias `local` is the image's default
    // (http://localhost:9000), so a server on another port gets MC_HOST_local
    ...(store.s3Port !== MINIO_PORTS.s3 ? { environment: { MC_HOST_local: `http://localhost:${store.s3Port}` } } : {}),
    healthcheck: health(['CMD', 'mc', 'ready', 'local'], '20s'),
    deploy: limits({ cpuMillicores: 1000, memoryBytes: 1024 * MiB, cpuRequest: 200, memoryRequest: 512 * MiB }),
  };
  const script = [
    `mc alias set store ${c.t.objectStorage.endpoint} ${envRef(creds.accessKeyIdKey)} ${envRef(creds.secretAccessKeyKey)}`,
    `mc mb --ignore-existing ${bucketNames(c).map((b) => `store/${b}`).join(' ')}`,
  ].join(' && ');
  c.services['buckets-init'] = oneShot(extraImage('mc'), script, deps(c, ['minio']));
  return { healthy: ['minio'], completed: ['buckets-init'] };
}

/**
 * External S3: no local store; the AWS CLI creates the buckets at the definition's endpoint and region (outside
 * us-east-1 with the region's LocationConstraint), and a bucket this identity already owns is not a failure.
 */
function addExternalS3Buckets(c: Ctx): StoreDeps {
  const os = c.t.objectStorage;
  const creds = os.credentials;
  const location = os.region === 'us-east-1' ? '' : ` --create-bucket-configuration LocationConstraint=${os.region}`;
  const keys = [
    ...(creds.accessKeyIdKey !== 'AWS_ACCESS_KEY_ID' ? [`export AWS_ACCESS_KEY_ID=${envRef(creds.accessKeyIdKey)}`] : []),
    ...(creds.secretAccessKeyKey !== 'AWS_SECRET_ACCESS_KEY' ? [`export AWS_SECRET_ACCESS_KEY=${envRef(creds.secretAccessKeyKey)}`] : []),
  ];
  const loop =
    `for b in ${bucketNames(c).join(' ')}; do ` +
    `out=$$(aws --endpoint-url ${os.endpoint} s3api create-bucket --bucket "$$b" --region ${os.region}${location} 2>&1) || ` +
    `case "$$out" in *BucketAlreadyOwnedByYou*) echo "$$b exists" ;; *) echo "$$out" >&2; exit 1 ;; esac; done`;
  c.services['buckets-init'] = oneShot(extraImage('awsCli'), [...keys, loop].join('; '), {});
  return { healthy: [], completed: ['buckets-init'] };
}

function addObjectStorage(c: Ctx): StoreDeps {
  if (c.t.objectStorage.kind === 'seaweedfs') return addSeaweedfs(c);
  if (c.t.objectStorage.kind === 'minio') return addMinio(c);
  return addExternalS3Buckets(c);
}

/**
 * The healthcheck of an engine service, from what its image holds (catalog imageTools): the binary's own probe
 * (Tempo's -health), else the image's wget, else none here and a probe service (addProbe) beside it.
 */
function engineHealth(c: Ctx, engine: 'tempo' | 'mimir' | 'loki' | 'prometheus', startPeriod: string): Obj {
  const tools = CATALOG[engine].imageTools;
  if (tools?.selfProbe) return { healthcheck: health(['CMD', ...tools.selfProbe], startPeriod) };
  if (tools?.tools.includes('wget')) return { healthcheck: httpProbe(readyUrl(engine, '127.0.0.1'), startPeriod) };
  const probe = addProbe(c, engine, readyUrl(engine, engine), startPeriod);
  return { labels: { 'otelstack.ready-probe': probe } };
}

function backendService(c: Ctx, e: EngineDeployment, store: StoreDeps): string | undefined {
  const comp = componentOf(c.t, e.engine);
  const deploy = comp ? deployOf(comp.perReplica) : limits({ cpuMillicores: 1000, memoryBytes: 1024 * MiB });
  const storeDeps = deps(c, store.healthy, store.completed);
  const vol = `${e.engine}-data`;
  if (e.engine === 'tempo' || e.engine === 'mimir' || e.engine === 'loki') {
    const file = engineConfigFile(c.t, e)!;
    c.files.set(`${c.dir}/${file.name}`, file.contents);
    // the per-tenant limits file, at the path the config names (the same on the ansible target)
    const runtime = engineRuntimeFile(c.t, e)!;
    c.files.set(`${c.dir}/${runtime.name}`, runtime.contents);
    c.volumes.add(vol);
    c.services[e.engine] = {
      ...base(engineImage(e), graceOf(e.engine)),
      command: [`-config.file=/etc/${e.engine}/config.yaml`, '-config.expand-env=true'],
      env_file: [S3_ENV],
      volumes: [
        `./${e.engine}.yaml:/etc/${e.engine}/config.yaml:ro`,
        `./${runtime.name}:${runtime.path}:ro`,
        `${vol}:${ENGINE_DATA_DIRS[e.engine]}`,
        // the RUM recording rules, one directory per Loki tenant (rules/index.ts renders them beside the config)
        ...(e.engine === 'loki' && c.t.rum ? [`./${LOKI_RULES_DIR}:${LOKI_RULER_PATHS.rulesDirectory}:ro`] : []),
      ],
      ...loopbackPorts(c, e.engine),
      ...engineHealth(c, e.engine, e.engine === 'mimir' ? '60s' : '30s'),
      ...(Object.keys(storeDeps).length > 0 ? { depends_on: storeDeps } : {}),
      deploy,
    };
    return e.engine;
  }
  if (e.engine === 'prometheus') {
    const file = engineConfigFile(c.t, e)!;
    c.files.set(`${c.dir}/${file.name}`, file.contents);
    c.volumes.add(vol);
    c.services['prometheus'] = {
      ...base(engineImage(e), graceOf('prometheus')),
      command: ['--config.file=/etc/prometheus/prometheus.yml', `--storage.tsdb.path=${ENGINE_DATA_DIRS.prometheus}`, '--web.enable-remote-write-receiver', '--web.enable-otlp-receiver'],
      volumes: ['./prometheus.yml:/etc/prometheus/prometheus.yml:ro', `${vol}:${ENGINE_DATA_DIRS.prometheus}`],
      ...loopbackPorts(c, 'prometheus'),
      ...engineHealth(c, 'prometheus', '30s'),
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
    ...base(image('otelcol'), graceOf('otelcol')),
    command: [`--config=${COLLECTOR_CONFIG_PATH}`],
    // the image runs as uid 10001 and a fresh named volume is root-owned: run as root so file_storage can create
    // its directory (create_directory: true)
    user: '0:0',
    environment: collectorEnvironment(c.input, role),
    volumes: [`./otelcol-${role}.yaml:${COLLECTOR_CONFIG_PATH}:ro`, `${vol}:${COLLECTOR_QUEUE_DIR}`],
    // The contrib image is built FROM scratch (catalog imageTools: the binary only, no probe subcommand): its
    // health_check extension (:13133) is probed from the busybox service `<name>-ready` instead
    labels: { 'otelstack.ready-probe': addProbe(c, name, readyUrl('otelcol', name), '20s') },
    depends_on: deps,
    deploy: deployOf(comp.perReplica),
    expose: [p['otlpGrpc'], p['otlpHttp'], p['metrics'], p['health'], ...(role === 'gateway' && c.t.ingestion?.faro ? [c.t.ingestion.faro.port] : []), ...(role === 'gateway' ? (c.t.tenants ?? []).map((tn) => tn.faroPort) : [])].map(String),
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
      ...base(image('kafka'), graceOf('kafka')),
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
  const script = kafkaTopicCommands(topics, bootstrap, n).join(' && ');
  // the Kafka CLI is a JVM: more room than the bucket jobs
  c.services['kafka-init'] = oneShot(image('kafka'), script, healthyDeps(names), [], { cpuMillicores: 500, memoryBytes: 512 * MiB });
  return names;
}

/** The Faro receiver's port published on the host (every interface: browsers send to it), when Faro is enabled. */
function publishedFaro(t: Topology): string[] {
  const faro = t.ingestion?.faro;
  // tenants' Faro ports: published by the load balancer, which rate-limits each (composeLoadBalanced: always with tenants)
  return [...(faro ? [faro.port] : []), ...(t.tenants ?? []).map((tn) => tn.faroPort)].map((p) => `${p}:${p}`);
}

/** HAProxy `otlp-lb` in front of the gateways, publishing OTLP gRPC and HTTP (and Faro) on the host (haproxy.ts). */
function addLoadBalancer(c: Ctx, gateways: string[]): void {
  const faro = c.t.ingestion?.faro;
  c.files.set(`${c.dir}/haproxy.cfg`, haproxyConfig(composeHaproxyServers(gateways, faro?.port), {}, haproxyTenants(c.t.tenants)));
  const p = CATALOG.otelcol.ports;
  c.services[COMPOSE_OTLP_LB] = {
    ...base(extraImage('haproxy'), '30s'),
    volumes: [`./haproxy.cfg:${HAPROXY_CONFIG_PATH}:ro`],
    // OTLP for everyone; the runtime API (otelstack deploy drains gateways through it) on the host's loopback only
    ports: [`${p['otlpGrpc']}:${p['otlpGrpc']}`, `${p['otlpHttp']}:${p['otlpHttp']}`, ...publishedFaro(c.t), `${LOOPBACK_HOST}:${HAPROXY.ports.runtimeApi}:${HAPROXY.ports.runtimeApi}`],
    healthcheck: health(['CMD', 'haproxy', '-c', '-f', HAPROXY_CONFIG_PATH], '10s'),
    depends_on: deps(c, gateways),
    deploy: limits({ cpuMillicores: 1000, memoryBytes: 256 * MiB, cpuRequest: 200, memoryRequest: 128 * MiB }),
  };
}

/**
 * `otelstack canary` (src/render/configs/canary.ts) on the definition copy beside the compose file, after the
 * ingestion endpoint is up; its /metrics published on the host's loopback only.
 */
function addCanary(c: Ctx, k: CanaryPlan, gateways: string[]): void {
  const file = canaryDefinitionName(c.t.stack);
  c.files.set(`${c.dir}/otelstack/${file}`, canaryDefinitionFile(c.input.stack));
  const front = composeLoadBalanced(c.t) ? [COMPOSE_OTLP_LB] : gateways.slice(0, 1);
  c.services[k.name] = {
    // the topology's image: the definition's otelstack.image, else otelstack's own (catalog)
    ...base(k.image, '10s'),
    command: canaryArgs(c.t, k),
    // the image holds node: GET its own /metrics
    healthcheck: health(['CMD', 'node', '-e', `fetch('http://127.0.0.1:${k.port}${CANARY_METRICS_PATH}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`], '20s'),
    volumes: [`./otelstack/${file}:${canaryDefinitionPath(c.t.stack)}:ro`],
    // checkStorage lists the buckets with the engines' identity (s3.env; the canary reads the definition's key names)
    ...(k.checkStorage ? { env_file: [S3_ENV] } : {}),
    // the load balancer has a healthcheck of its own; a gateway is probed by its busybox service
    depends_on: deps(c, front),
    deploy: deployOf(k.perReplica),
    ...loopbackPorts(c, k.name),
  };
}

function addGrafana(c: Ctx, count: number, deps: string[]): void {
  const port = CATALOG.grafana.ports['http']!;
  c.files.set(`${c.dir}/grafana/provisioning/datasources/datasources.yaml`, grafanaDatasourcesFile(c.t));
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
      ...base(image('grafana'), graceOf('grafana')),
      environment: shared
        ? { GF_DATABASE_TYPE: 'postgres', GF_DATABASE_HOST: 'postgresql:5432', GF_SERVER_HTTP_PORT: String(port) }
        : { GF_SERVER_HTTP_PORT: String(port) },
      // grafana.env: GF_SECURITY_ADMIN_PASSWORD (and GF_DATABASE_NAME/USER/PASSWORD when sharing PostgreSQL)
      env_file: ['grafana.env'],
      ports: [`${3000 + i}:${port}`],
      volumes: ['./grafana/provisioning:/etc/grafana/provisioning:ro', `${vol}:/var/lib/grafana`],
      healthcheck: httpProbe(readyUrl('grafana', '127.0.0.1'), '30s'),
      depends_on: healthyDeps(shared ? [...deps, 'postgresql'] : deps, [], c.probes),
      deploy,
    };
  }
}

function envFileReadme(c: Ctx, scalable: boolean): string {
  const os = c.t.objectStorage;
  const creds = os.credentials;
  const keys = `\`${creds.accessKeyIdKey}=…\` and \`${creds.secretAccessKeyKey}=…\``;
  const lines = [
    `# compose/${c.t.env.name}`,
    '',
    'Rendered by otelstack. Secrets are never rendered: create these env files beside docker-compose.yaml first.',
    '',
  ];
  if (os.kind === 'seaweedfs') lines.push(`- \`${S3_ENV}\`: ${keys} (SeaweedFS admin identity; the engines and the bucket job read the same keys).`);
  else if (os.kind === 'minio') {
    lines.push(`- \`${MINIO_ENV}\`: \`MINIO_ROOT_USER=…\` and \`MINIO_ROOT_PASSWORD=…\` (MinIO's root identity).`);
    lines.push(`- \`${S3_ENV}\`: ${keys} — the same two values as in ${MINIO_ENV} (the engines and the bucket job use them).`);
  } else {
    lines.push(`- \`${S3_ENV}\`: ${keys} of an identity that may create and use the buckets at ${os.endpoint} (region ${os.region}); no object store runs locally.`);
  }
  lines.push('- `grafana.env`: `GF_SECURITY_ADMIN_PASSWORD=…`' + (scalable ? ', `GF_DATABASE_NAME`, `GF_DATABASE_USER`, `GF_DATABASE_PASSWORD`.' : '.'));
  if (scalable) lines.push('- `postgresql.env`: `POSTGRES_DB`, `POSTGRES_USER`, `POSTGRES_PASSWORD` (the same values as in grafana.env).');
  lines.push('', 'Then: `docker compose -f docker-compose.yaml up -d`.', '');
  const published = composeLoopbackPorts(c.t);
  if (published.length > 0) {
    lines.push('Published on 127.0.0.1 only, for `otelstack verify` and you on this host:', '');
    for (const p of published) lines.push(`- ${p.service}: http://${LOOPBACK_HOST}:${p.hostPort}`);
    lines.push('');
  }
  const faro = c.t.ingestion?.faro;
  if (faro) {
    lines.push(
      `Browsers (the Faro Web SDK) send to http://<this host>:${faro.port}${OTELCOL_FARO_RECEIVER.path} on every interface${composeLoadBalanced(c.t) ? ` (${COMPOSE_OTLP_LB} balances it over the gateways)` : ''}, from pages served at ${faro.allowedOrigins.length > 0 ? faro.allowedOrigins.join(', ') : 'no origin (browsers refuse)'} (ingestion.faro.allowedOrigins). Put TLS in front of it for pages served over https.`,
      '',
    );
  }
  const tenants = c.t.tenants ?? [];
  if (tenants.length > 0) {
    lines.push(
      `Tenants (seed 003): each tenant's browsers send to its own port on every interface, through ${COMPOSE_OTLP_LB}, which refuses (429) requests above the tenant's gateway limit and counts them (${HAPROXY_METRICS.frontendRequestsDenied} on :${HAPROXY.ports.monitor}${HAPROXY_METRICS.path} inside the network); each tenant's Faro SDK configuration is ../../faro/${c.t.env.name}/<tenant>.json in the render output:`,
      '',
      ...tenants.map((tn) => `- ${tn.name} (X-Scope-OrgID ${tn.id}): port ${tn.faroPort}, ${tn.rateLimit.perSecond} requests/s, bursts of ${tn.rateLimit.burst}, from ${tn.origins.join(', ')}`),
      '',
    );
  }
  if (composeLoadBalanced(c.t)) {
    lines.push(
      `The load balancer's runtime API (${COMPOSE_OTLP_LB}, port ${HAPROXY.ports.runtimeApi}, admin level, no authentication: \`otelstack deploy\` drains gateways through it) is published on ${LOOPBACK_HOST} only, but every container on this compose network can reach it: run nothing else on the network.`,
      '',
    );
  }
  return lines.join('\n');
}

export const renderCompose: Renderer = (input: RenderInput): RenderResult => {
  const t = input.topology;
  const files: FileSet = new Map();
  const findings: Finding[] = [];
  if (t.env.target !== 'compose') return { files, findings };
  const dir = `compose/${t.env.name}`;
  const c: Ctx = { input, t, dir, files, services: {}, volumes: new Set(), findings, probes: new Map() };
  const scalable = t.ingestion?.kafkaBuffer ?? false;

  const storageProblems = composeObjectStorageFindings(t);
  if (storageProblems.length > 0) return { files: new Map(), findings: storageProblems };
  const store = addObjectStorage(c);
  const backends = t.engines.filter((e) => e.managed).map((e) => backendService(c, e, store)).filter((x): x is string => x !== undefined);

  const roles = t.ingestion && input.stack.ingestion?.collector === 'otelcol' ? collectorRoles(t) : [];
  if (t.ingestion && input.stack.ingestion?.collector !== 'otelcol') {
    findings.push({ severity: 'error', rule: 'render-compose', env: t.env.name, path: 'ingestion.collector', message: 'the compose target renders OpenTelemetry Collector pools only', suggestion: 'set ingestion.collector: otelcol' });
  }
  for (const role of roles) {
    c.files.set(`${dir}/otelcol-${role}.yaml`, collectorConfigFile(input, role, findings));
  }

  const gateways: string[] = [];
  if (scalable && roles.includes('processor')) {
    if (!t.kafka) {
      findings.push({ severity: 'error', rule: 'render-compose', env: t.env.name, path: `ingestion.environments.${t.env.name}.kafkaBuffer`, message: 'kafkaBuffer needs a Kafka cluster in this environment', suggestion: `add kafka.environments.${t.env.name}` });
      return { files: new Map(), findings };
    }
    addKafka(c);
    for (let i = 0; i < t.ingestion!.processorReplicas; i++) collectorService(c, 'processor', i, deps(c, backends, ['kafka-init']));
    for (let i = 0; i < t.ingestion!.gatewayReplicas; i++) gateways.push(collectorService(c, 'gateway', i, deps(c, [], ['kafka-init'])));
    addLoadBalancer(c, gateways);
  } else if (roles.includes('gateway')) {
    for (let i = 0; i < (t.ingestion?.gatewayReplicas ?? 1); i++) gateways.push(collectorService(c, 'gateway', i, deps(c, backends)));
    // one gateway publishes OTLP on the host itself; several sit behind the load balancer (as in the scalable path)
    const p = CATALOG.otelcol.ports;
    if (composeLoadBalanced(t)) addLoadBalancer(c, gateways);
    else if (gateways[0]) c.services[gateways[0]]!['ports'] = [`${p['otlpGrpc']}:${p['otlpGrpc']}`, `${p['otlpHttp']}:${p['otlpHttp']}`, ...publishedFaro(t)];
  }

  addGrafana(c, scalable ? 2 : 1, backends);
  if (t.canary) addCanary(c, t.canary, gateways);
  // dashboards: a file provider under the provisioning directory Grafana mounts; rule files for the metrics backend
  for (const part of [renderDashboardsCompose(input), renderRulesCompose(input)]) {
    for (const [k, v] of part.files) files.set(k, v);
    findings.push(...part.findings);
  }

  // log rotation (definition: environments[].logs): every service, one-shots and probes included, keeps at most
  // maxSize × maxFiles of json-file logs, so container logs cannot fill the host's disk
  const logging = { driver: 'json-file', options: { 'max-size': t.env.logs.maxSize, 'max-file': String(t.env.logs.maxFiles) } };
  const services = Object.fromEntries(
    Object.entries(c.services)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, svc]) => [name, { ...svc, logging: structuredClone(logging) }]),
  );
  const volumes = Object.fromEntries([...c.volumes].sort().map((v) => [v, {}]));
  const compose = { name: `${t.stack}-${t.env.name}`, services, volumes };
  files.set(`${dir}/docker-compose.yaml`, `# ${t.stack}/${t.env.name} — rendered by otelstack (${scalable ? 'scalable' : 'single-node'}). See README.md for the env files to create.\n${toYaml(compose)}`);
  files.set(`${dir}/README.md`, envFileReadme(c, scalable));
  return { files: new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), findings };
};
