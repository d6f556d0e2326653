import type { Mode, SignalName, Target } from '../model/schema.js';

export type EngineId =
  | 'tempo'
  | 'jaeger'
  | 'mimir'
  | 'loki'
  | 'pyroscope'
  | 'prometheus'
  | 'grafana'
  | 'alloy'
  | 'otelcol'
  | 'kafka'
  | 'seaweedfs'
  | 'memcached';

/** Where a component sits: on the write path data can be lost; read and backend paths lose availability only. */
export type ComponentPath = 'write' | 'read' | 'backend';

export interface Sizing {
  /** millicores per replica */
  cpu: number;
  /** bytes per replica */
  memory: number;
  /** bytes per replica; used where the resource policy requires a memory limit */
  memoryLimit?: number;
  /** persistent volume bytes per replica (stateful components) */
  storage?: number;
}

export interface ComponentFacts {
  name: string;
  path: ComponentPath;
  /** Keeps data across restarts that matters (WAL, local blocks, state). */
  stateful: boolean;
  /** Writes are replicated to replicationFactor instances of this component (a replicated hash ring). */
  replicated?: boolean;
  /** Exactly one replica by design. */
  singleton?: boolean;
  /** Deployed only when the definition names it. */
  optional?: boolean;
  defaults: Sizing;
  /** What happens when a definition leaves this (optional) component out: the plan reports it with this reason. */
  whenAbsent?: { severity: 'error' | 'warning'; reason: string };
  /**
   * The fewest replicas the engine runs with when this component is deployed: 1 for every component the engine
   * cannot do without (a definition asking for 0 is bad input), 0 for optional ones (0 = not running it).
   */
  minReplicas: number;
  /** Replicas when the definition gives none, outside and inside HA environments. */
  replicas: { single: number; ha: number };
  /**
   * The components this one runs in its process (a read-write or simple-scalable target: Mimir's `-target=write`
   * runs the distributor and the ingester). The resource policy names components: a limit it asks for on the
   * ingester applies to the target that runs it.
   */
  runs?: readonly string[];
  note?: string;
}

export interface ChartRef {
  repository: string;
  name: string;
  version: string;
}

export interface ModeFacts {
  components: ComponentFacts[];
  /** The Helm chart that deploys this mode, or why none can. */
  chart: ChartRef | { none: string };
  /** Whether this mode writes through Kafka (for Mimir: the default, switchable with ingestStorage). */
  kafka: 'required' | 'default-on' | 'no';
}

export interface EngineVersionFacts {
  /** Version line, e.g. "3" for 3.x. */
  line: string;
  /** Releases of this line the catalog knows. */
  releases: string[];
  /** Documentation version the facts were taken from. */
  documented: string;
  modes: Partial<Record<Mode, ModeFacts>>;
  /** Components whose replica count must equal the ingest topic's partitions (Tempo 3). */
  partitionConsumers?: string[];
  ingestTopic?: string;
  /** Replication factor of the write path when writes are replicated across instances. */
  replicationFactor?: { default: number; component: string };
  deprecated?: string;
  /**
   * Modes the engine removed in this line whose facts the catalog still keeps (the migration runbooks use them): why,
   * and what to do instead. Deploying one is an error finding (rule versions).
   */
  removedModes?: Partial<Record<Mode, { reason: string; instead: string }>>;
}

export interface BucketPurpose {
  purpose: string;
  /** Component that reads/writes it; the bucket is idle if that component is not deployed. */
  usedBy?: string;
  contents: string;
}

export interface EndpointContext {
  target: Target;
  namespace: string;
  /** Release / service prefix, e.g. "tempo". */
  release: string;
  mode: Mode;
}

export interface Endpoints {
  /** OTLP / push endpoint a collector sends to. */
  push?: string;
  /** Base URL a datasource or verify queries. */
  query?: string;
  /** OTLP/HTTP base URL of a metrics engine (the collector's otlp_http exporter appends /v1/metrics). */
  otlp?: string;
}

/**
 * What an engine's (or support service's) pinned container image holds that a compose healthcheck may run: the
 * healthcheck command's first word must be one of `tools`. An image with only its own binary lists that binary
 * (and the renderer probes it from a busybox probe service instead, unless the binary can probe itself).
 */
export interface ImageTools {
  readonly tools: readonly string[];
  /** The binary's own readiness probe, when it has one (e.g. Tempo's `-health`). */
  readonly selfProbe?: readonly string[];
  /** The file (repository and path, at the pinned tag) the fact was read from. */
  readonly source: string;
}

export interface EngineFacts {
  id: EngineId;
  title: string;
  signal?: SignalName;
  /** Grafana datasource plugin type. */
  datasourceType?: string;
  image: string;
  pinned: string;
  /** What the pinned image contains for healthchecks (compose target). */
  imageTools?: ImageTools;
  versions: EngineVersionFacts[];
  ports: Record<string, number>;
  /** Readiness: an HTTP GET of `path` on the port named `port` answers 200 once the process serves (healthchecks). */
  ready?: { port: string; path: string };
  buckets: BucketPurpose[];
  endpoints?: (ctx: EndpointContext) => Endpoints;
}
