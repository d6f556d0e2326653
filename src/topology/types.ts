import type { PropagationFormat } from '../catalog/rum.js';
import type { TlsPlan } from './vm-tls.js';
import type { ChartRef, ComponentPath, EngineId, Endpoints } from '../catalog/types.js';
import type { Mode, SignalName, Target } from '../model/schema.js';

/** Resources of one replica, in base units (millicores, bytes). */
export interface ReplicaResources {
  cpuRequestMillicores: number;
  memoryRequestBytes: number;
  /** undefined = no memory limit rendered */
  memoryLimitBytes?: number;
  /** undefined = no CPU limit rendered */
  cpuLimitMillicores?: number;
  /** persistent volume per replica; 0 = none */
  storageBytes: number;
}

export interface ComponentAutoscaling {
  min: number;
  max: number;
  /** target average utilisation, % of the request; at least one of the two is set */
  targetCpu?: number;
  targetMemory?: number;
  /** a Kafka-fed processor pool scaled by KEDA: consumer lag per replica (messages) */
  targetLag?: number;
  /** what scales it: a HorizontalPodAutoscaler, or a KEDA ScaledObject (a Kafka-fed processor pool on consumer lag) */
  scaler: 'hpa' | 'keda';
}

export interface TopoComponent {
  engine: EngineId;
  component: string;
  phase: number;
  replicas: number;
  path: ComponentPath;
  stateful: boolean;
  /** writes replicated across replicationFactor instances */
  replicated: boolean;
  /** the components it runs in its process (a read-write / simple-scalable target; catalog ComponentFacts.runs) */
  runs?: readonly string[];
  singleton: boolean;
  /** false: the engine (at this version and mode) has no such component; kept so totals match the definition */
  known: boolean;
  /** budgeted in the environment's namespace (false for shared deployments such as seed 000's Alloy) */
  budgeted: boolean;
  perReplica: ReplicaResources;
  /** definition path of this component's overrides (or of the engine's environment entry) */
  definitionPath: string;
  /**
   * a HorizontalPodAutoscaler between min and max replicas (definition: components.<name>.autoscaling); `replicas`
   * is then max, what the plan budgets and the quota must cover
   */
  autoscaling?: ComponentAutoscaling;
  /** why the plan carries it or changed it (e.g. a workload the engine's chart deploys by default) */
  note?: string;
  /**
   * sidecar containers inside another component's pods (e.g. the grafana chart's k8s-sidecars): `replicas` counts
   * containers (pods × names), `perReplica` is one container's requests; no workload of its own
   */
  sidecarOf?: { component: string; containers: readonly string[] };
}

/** What the plan does with a workload an engine's chart deploys (chart facts): budget it or switch it off. */
export interface ChartWorkloadDecision {
  engine: EngineId;
  chart: string;
  /** values key of the workload */
  workload: string;
  action: 'component' | 'budget' | 'disable';
  /** topology component budgeting it (component / budget) */
  component?: string;
  reason: string;
}

export interface Bucket {
  name: string;
  engine: EngineId;
  signal: SignalName;
  purpose: string;
  objectStorage: string;
  /** component that uses it; undefined = always used */
  usedBy?: string;
  phase: number;
  definitionPath: string;
  /** true when the definition names it explicitly instead of following the convention */
  explicit: boolean;
}

export interface KafkaTopicPlan {
  name: string;
  partitions: number;
  replication: number;
  minInSyncReplicas: number;
  retentionHours: number;
  /** who writes it: an engine's ingest topic, or the collectors' buffer for a signal */
  owner: string;
  definitionPath: string;
}

export interface EngineDeployment {
  signal: SignalName;
  engine: EngineId;
  title: string;
  version: string;
  versionLine: string;
  documented: string;
  mode: Mode;
  managed: boolean;
  phase: number;
  /** Helm chart deploying this mode, or why none can. */
  chart: ChartRef | { none: string };
  /** Helm release / service prefix */
  release: string;
  replicationFactor?: number;
  zoneAware: boolean;
  zones: string[];
  /** Kafka use: Tempo 3 microservices, Mimir ingest storage */
  kafka?: { topic: string; partitions: number };
  endpoints: Endpoints;
  /** X-Scope-OrgID of the environment's own traffic (collectors, canary, verify, its datasource); set = multi-tenant */
  tenant?: string;
  /**
   * 'tenants': the definition gives the engine no tenant, and the environment serves tenants, so it runs
   * multi-tenant with its no-auth tenant as the environment's own (transforms/tenants.ts)
   */
  tenantFrom?: 'tenants';
  datasource?: { name: string; uid: string; type: string };
  /**
   * Tempo's metrics-generator (definition: spanMetrics): span metrics and service graphs remote-written to the same
   * environment's metrics engine. Monolithic Tempo runs it in-process; microservices add the metrics-generator
   * component. Unset when spanMetrics is off or the environment has no metrics engine (a plan finding).
   */
  metricsGenerator?: MetricsGeneratorPlan;
  /** Mimir: exemplar storage (limits.max_global_exemplars_per_user); unset = the engine keeps none */
  exemplars?: { maxGlobalPerTenant: number };
  definitionPath: string;
}

export interface MetricsGeneratorPlan {
  /** Prometheus remote-write URL of the environment's metrics engine (Mimir /api/v1/push, Prometheus /api/v1/write) */
  remoteWrite: string;
  /** X-Scope-OrgID of the metrics engine, when it is multi-tenant */
  tenant?: string;
  /** resource / span attributes added as span-metrics and service-graph dimensions */
  dimensions: string[];
}

export interface ObjectStorageRef {
  name: string;
  kind: 'seaweedfs' | 'minio' | 's3';
  endpoint: string;
  region: string;
  insecure: boolean;
  credentials: { secretName: string; accessKeyIdKey: string; secretAccessKeyKey: string };
}

export interface IngestionPlan {
  collector: 'alloy' | 'otelcol';
  shared: boolean;
  routing: 'per-environment' | 'by-namespace';
  kafkaBuffer: boolean;
  gatewayReplicas: number;
  processorReplicas: number;
  topics: KafkaTopicPlan[];
  definitionPath: string;
  /** the expected load the definition gives (ingestion.environments.<env>.load), in events per second */
  load?: IngestionLoad;
  /** the browser (Faro) endpoint on the gateway, when ingestion.faro.enabled */
  faro?: FaroPlan;
}

/** The Faro receiver of the gateway: the port it listens on and the origins whose pages may send to it (CORS). */
export interface FaroPlan {
  /** ingestion.faro.port, else the collector's catalog Faro port (Alloy counts up from it per environment) */
  port: number;
  /** sorted, each once; "*" is any origin */
  allowedOrigins: string[];
  definitionPath: string;
}

/** A requests-per-second limit with its burst (burst defaulted: twice the rate). */
export interface RequestLimit {
  perSecond: number;
  burst: number;
}

/**
 * A tenant this environment serves (definition: tenants.<name>; transforms/tenants.ts): its engine tenant id, its own
 * Faro receiver and the three levels of seed 003's protection, and its per-tenant engine limits in base units.
 */
export interface TenantPlan {
  name: string;
  /** X-Scope-OrgID in every engine */
  id: string;
  /** sorted, each once */
  origins: string[];
  /** the host its browsers send to, for the ingress */
  host?: string;
  /** its Faro receiver's port on the gateway */
  faroPort: number;
  /** level 1: the Faro SDK's session sampling rate, 0 < s ≤ 1 */
  sampling: number;
  /** level 2: the ingress limit on its host */
  ingressRateLimit: RequestLimit;
  /** level 3: the gateway's limit on its Faro receiver (Alloy: faro.receiver rate_limiting; OTel Collector: the HAProxy in front) */
  rateLimit: RequestLimit;
  /** URL prefixes the SDK sends trace context to (propagateTraceHeaderCorsUrls): the definition's, else its origins */
  propagateTo: string[];
  /**
   * the tenant's own Grafana datasources: one per multi-tenant engine of the environment that has a datasource,
   * named by grafana.tenantDatasourceName / tenantDatasourceUid, reading with the tenant's X-Scope-OrgID
   */
  datasources: TenantDatasource[];
  /** the expected browser load (definition: load), when given */
  load?: { activeSessions: number; requestsPerMinute: number };
  /** trace-context formats its pages may send (definition: propagation); the ingress removes every other trace header */
  propagation: PropagationFormat[];
  /** per-tenant engine limits; absent = the engine's default */
  limits: {
    logs?: { ingestionRateBytes?: number; burstBytes?: number; maxStreams?: number };
    traces?: { ingestionRateBytes?: number; burstBytes?: number; maxTraces?: number };
    metrics?: { samplesPerSecond?: number; burst?: number; maxSeries?: number };
  };
  definitionPath: string;
}

export interface TenantDatasource {
  engine: EngineId;
  name: string;
  uid: string;
  type: string;
}

/**
 * Real user monitoring from the Faro lines in Loki (seed 003: "Adopt Loki Rulers to ingest Loki query result into
 * Prometheus"; transforms/rum.ts): the Loki ruler evaluates one rule file per Loki tenant that receives Faro logs and
 * remote-writes the recorded series (catalog RUM_RECORDS) to the environment's metrics engine, where the RUM
 * dashboard reads them.
 */
export interface RumPlan {
  /** the Loki tenants whose Faro lines are recorded: `name` is the series' tenant label, `id` the X-Scope-OrgID */
  tenants: Array<{ name: string; id: string }>;
  /** Prometheus remote-write URL of the metrics engine (its push endpoint) */
  remoteWrite: string;
  /** the metrics engine written to */
  metricsEngine: string;
  definitionPath: string;
}

/** Expected ingestion load: spans, data points and log records per second (a signal without a figure is absent). */
export interface IngestionLoad {
  traces?: number;
  metrics?: number;
  logs?: number;
  headroomPercent: number;
  definitionPath: string;
}

export interface CanaryPlan {
  /** workload, service and scrape job name */
  name: string;
  /** otelstack's image at otelstack's version (catalog) */
  image: string;
  /** its /metrics port */
  port: number;
  /** durations as the definition gives them ("30s", "2m") */
  interval: string;
  deadline: string;
  checkStorage: boolean;
  perReplica: ReplicaResources;
  definitionPath: string;
}

export interface CapacityFacts {
  kind: 'headroom' | 'quota';
  /** free today: headroom, or quota − used */
  available: { cpuMillicores: number; memoryBytes: number; storageBytes: number };
  quota?: { cpuMillicores: number; memoryBytes: number; storageBytes: number };
  used?: { cpuMillicores: number; memoryBytes: number; storageBytes: number };
  request?: { targetHeadroomPercent: number; step: { cpuMillicores: number; memoryBytes: number; storageBytes: number } };
  /** a quota already asked for, to be checked */
  requested?: { cpuMillicores: number; memoryBytes: number; storageBytes: number };
}

/** One environment of a stack, fully concrete: the intermediate representation every renderer and analysis reads. */
export interface Topology {
  stack: string;
  env: {
    name: string;
    namespace: string;
    target: Target;
    ha: boolean;
    podDisruptionBudgets: boolean;
    /** kubernetes: render NetworkPolicies (default-deny ingress plus the topology's flows) */
    networkPolicies: boolean;
    /** kubernetes: the cluster runs KEDA (Kafka-fed processor pools scale on consumer lag) */
    keda: boolean;
    /** container log rotation (compose: json-file max-size / max-file) */
    logs: { maxSize: string; maxFiles: number };
    /** position in the definition's ordered environments (dev → test → prod) */
    index: number;
  };
  objectStorage: ObjectStorageRef;
  engines: EngineDeployment[];
  components: TopoComponent[];
  buckets: Bucket[];
  /** clusterId: the KRaft cluster id, stable per stack and environment */
  kafka?: {
    managed: boolean;
    brokers: number;
    /** every broker, comma-separated: for clients that take a list (the collector's kafka exporter and receiver) */
    bootstrap: string;
    /**
     * ONE address for clients that take a single seed broker: Tempo's `ingest.kafka.address` and Mimir's
     * `ingest_storage.kafka.address` hand it to franz-go as one seed, so a comma list is looked up as one host name
     * (real Tempo 3.0.1: `lookup 127.0.0.1:19092,127.0.0.1:19093: no such host`). A managed Kafka on Kubernetes
     * gives its headless Service, which resolves to every broker; otherwise the first bootstrap broker.
     */
    seed: string;
    clusterId: string;
    topics: KafkaTopicPlan[];
    definitionPath: string;
  };
  ingestion?: IngestionPlan;
  /** the tenants this environment serves, by name (definition: tenants) */
  tenants?: TenantPlan[];
  /** Loki ruler recording rules for the Faro lines, and the RUM dashboard (transforms/rum.ts) */
  rum?: RumPlan;
  /** `otelstack canary` in this environment (definition: canary) */
  canary?: CanaryPlan;
  /** ansible environments with environments[].tls: the TLS files on the hosts every between-host listener and client uses */
  tls?: TlsPlan;
  capacity?: CapacityFacts;
  /** per chart workload of the managed engines: budgeted as which component, or switched off, and why */
  chartWorkloads?: ChartWorkloadDecision[];
  policy: { cpuLimits: string[]; memoryLimits: string[] };
}
