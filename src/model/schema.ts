import * as z from 'zod';
import { PROPAGATION_FORMATS } from '../catalog/rum.js';
import {
  BYTES_STEP,
  durationMs,
  BYTES_TOTAL,
  CPU_PER_REPLICA,
  CPU_STEP,
  CPU_TOTAL,
  MEMORY_PER_REPLICA,
  BYTES_PER_TENANT,
  STORAGE_PER_VOLUME,
  describeRange,
  inRange,
  parseBytes,
  parseCpu,
  parseRate,
  RATE,
  type QuantityRange,
  type QuantityResult,
} from './quantity.js';

/**
 * The stack definition: what a platform team writes once (TypeScript via defineStack, or YAML).
 * Every object is strict, so a misspelt key is an error with a "did you mean" suggestion.
 * Engine-specific knowledge (which components exist, their sizes, ports) is NOT here: it lives in
 * src/catalog and is checked against the definition by the loader and the plan rules.
 */

function quantity(parse: (v: string | number) => QuantityResult, what: string, range: QuantityRange) {
  return z
    .union([z.string(), z.number()])
    .superRefine((v, ctx) => {
      const r = parse(v);
      if (!r.ok) {
        ctx.addIssue({
          code: 'custom',
          message: `"${String(v)}" is not a valid ${what} quantity`,
          params: { expected: r.expected, suggestion: r.suggestion },
        });
        return;
      }
      const b = inRange(r.value, range, `a ${what} quantity`);
      if (!b.ok) {
        ctx.addIssue({
          code: 'custom',
          message: `${typeof v === 'string' ? `"${v}"` : String(v)} is out of range: ${what} must be ${describeRange(range)}`,
          params: {
            expected: b.expected,
            suggestion: typeof v === 'number' && (what === 'memory' || what === 'storage') && r.value < range.min ? `${b.suggestion}; a bare number is bytes` : b.suggestion,
          },
        });
      }
    })
    .describe(`${what} quantity in Kubernetes units, ${describeRange(range)}`);
}

/** Per replica / per volume quantities. */
export const Cpu = quantity(parseCpu, 'CPU', CPU_PER_REPLICA);
export const Memory = quantity(parseBytes, 'memory', MEMORY_PER_REPLICA);
export const Storage = quantity(parseBytes, 'storage', STORAGE_PER_VOLUME);
/** Namespace totals (capacity: headroom, quota, used, requested). */
const CpuTotal = quantity(parseCpu, 'CPU', CPU_TOTAL);
const MemoryTotal = quantity(parseBytes, 'memory', BYTES_TOTAL);
const StorageTotal = quantity(parseBytes, 'storage', BYTES_TOTAL);

/**
 * Counts. Each has the range a real deployment can have; the loader reads the bounds back from the schema
 * (minValue / maxValue) to state them in messages, and the JSON Schema carries them for editors.
 */
function count(min: number, max: number) {
  return z.number().int().min(min).max(max);
}
/** Replicas of one component: 1000 is beyond any ring otelstack plans; whether 0 is allowed is the catalog's call (minReplicas). */
export const MAX_REPLICAS = 1000;
const replicas = count(0, MAX_REPLICAS);
/** Release phases of a rollout. */
export const MAX_PHASE = 20;
const phase = count(1, MAX_PHASE);

const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
    error: 'must be a DNS label: lowercase letters, digits and "-", starting and ending with a letter or digit',
  })
  .max(63);

/** Durations as the collector writes them: "500ms", "5s", "2m", "1h"; "0s" where zero means "never give up". */
const duration = z.string().regex(/^\d+(ms|s|m|h)$/, { error: 'must be a duration such as "5s", "500ms" or "2m"' });

export const SIGNALS = ['traces', 'metrics', 'logs', 'profiles'] as const;
export const MODES = ['monolithic', 'simple-scalable', 'read-write', 'microservices'] as const;
export const TARGETS = ['kubernetes', 'compose', 'ansible'] as const;

/** Namespace totals: what is free, the quota, what is used. */
export const Resources = z.strictObject({
  cpu: CpuTotal,
  memory: MemoryTotal,
  storage: StorageTotal,
});

/** targetCpu when an autoscaling block names no target */
export const AUTOSCALING_DEFAULT_CPU = 80;

/** A HorizontalPodAutoscaler range (components and collector pools alike). */
export const Autoscaling = z
  .strictObject({
    min: count(1, MAX_REPLICAS).describe('fewest replicas the HorizontalPodAutoscaler keeps'),
    max: count(1, MAX_REPLICAS).describe('most replicas it scales to (the plan budgets this many)'),
    targetCpu: count(1, 100).optional().describe('target average CPU utilisation, % of the CPU request'),
    targetMemory: count(1, 100).optional().describe('target average memory utilisation, % of the memory request'),
    targetLag: count(1, 10_000_000)
      .optional()
      .describe('a Kafka-fed processor pool on a cluster with KEDA (environments[].keda) only: the consumer lag per replica, in Kafka messages, its ScaledObject targets (default 50)'),
  })
  .superRefine((a, ctx) => {
    if (a.min > a.max) {
      ctx.addIssue({
        code: 'custom',
        path: ['min'],
        message: `min (${a.min}) is above max (${a.max})`,
        params: { expected: `1 ≤ min ≤ max ≤ ${MAX_REPLICAS}`, suggestion: `set min to at most ${a.max}, or raise max` },
      });
    }
  })
  .optional()
  .describe(
    `kubernetes, stateless components only: a HorizontalPodAutoscaler through the chart's autoscaling values (1 ≤ min ≤ max ≤ ${MAX_REPLICAS}; targets 1–100 %, targetCpu ${AUTOSCALING_DEFAULT_CPU} when neither is given); the plan budgets max replicas`,
  );

export const ComponentOverride = z.strictObject({
  replicas: replicas.optional(),
  cpu: Cpu.optional().describe('CPU request per replica'),
  memory: Memory.optional().describe('memory request per replica'),
  memoryLimit: Memory.optional().describe('memory limit per replica (only where the resource policy allows)'),
  cpuLimit: Cpu.optional().describe('CPU limit per replica (only where the resource policy allows)'),
  storage: Storage.optional().describe('persistent volume size per replica'),
  autoscaling: Autoscaling,
});

export const SignalEnvironment = z.strictObject({
  mode: z.enum(MODES),
  phase: phase.optional().describe('overrides the signal phase in this environment'),
  replicationFactor: count(1, 9).optional().describe('copies of each write (3 is the engines\' default; more than 9 is never useful)'),
  zoneAware: z.boolean().optional(),
  ingestStorage: z
    .boolean()
    .optional()
    .describe('Mimir: Kafka-based ingest storage (mimir-distributed chart 6 default: on); false = classic ingesters with a WAL'),
  kafka: z
    .strictObject({ topic: z.string().optional(), partitions: count(1, 10_000).optional() })
    .optional()
    .describe("the engine's own ingest topic, for engines that write through Kafka"),
  components: z.record(z.string(), ComponentOverride).optional(),
  buckets: z
    .record(z.string(), z.string())
    .optional()
    .describe('explicit bucket names per purpose; by default they follow conventions.bucket'),
  tenant: z.string().optional().describe('X-Scope-OrgID used by collectors, Grafana and verify'),
  spanMetrics: z
    .boolean()
    .optional()
    .describe(
      "Tempo: run the metrics-generator (span-metrics and service-graphs processors) and remote-write its metrics to this environment's metrics engine",
    ),
});

export const Signal = z.strictObject({
  engine: z.string(),
  version: z.string().optional().describe('engine version; defaults to the version the catalog pins'),
  phase: phase.default(1),
  managed: z
    .boolean()
    .default(true)
    .describe('false: already deployed and budgeted elsewhere (e.g. an existing Loki); otelstack only wires it up'),
  environments: z.record(z.string(), SignalEnvironment),
});

export const ObjectStorage = z.strictObject({
  kind: z.enum(['seaweedfs', 'minio', 's3']),
  endpoint: z.url({ error: 'must be a URL such as "http://seaweedfs-s3.storage.svc:8333"' }),
  region: z.string().default('us-east-1'),
  insecure: z.boolean().default(false),
  credentials: z
    .strictObject({
      secretName: z.string().describe('Kubernetes Secret (or env-file) holding the S3 keys; values are never rendered'),
      accessKeyIdKey: z.string().default('AWS_ACCESS_KEY_ID'),
      secretAccessKeyKey: z.string().default('AWS_SECRET_ACCESS_KEY'),
    })
    .describe('a reference to where the credentials live, never the credentials'),
});

export const QuotaRequest = z.strictObject({
  targetHeadroomPercent: z.number().min(0).max(90).default(20),
  step: z
    .strictObject({
      cpu: quantity(parseCpu, 'CPU', CPU_STEP).default('1000m'),
      memory: quantity(parseBytes, 'memory', BYTES_STEP).default('8Gi'),
      storage: quantity(parseBytes, 'storage', BYTES_STEP).default('32Gi'),
    })
    .default({ cpu: '1000m', memory: '8Gi', storage: '32Gi' })
    .describe('requested values are rounded up to a multiple of these'),
});

export const Capacity = z
  .strictObject({
    headroom: Resources.optional().describe('what is free in the namespace today'),
    quota: Resources.optional().describe('the namespace ResourceQuota'),
    used: Resources.optional().describe('what is already requested inside the quota'),
    request: QuotaRequest.optional(),
    requested: Resources.optional().describe('a quota already asked for; the plan checks it leaves the target headroom'),
  })
  .superRefine((c, ctx) => {
    const hasQuota = c.quota !== undefined || c.used !== undefined;
    if (c.headroom && hasQuota) {
      ctx.addIssue({
        code: 'custom',
        message: 'give either headroom, or quota with used — not both',
        params: { expected: 'headroom, or quota + used', suggestion: 'keep quota + used when you know them: headroom is derived' },
      });
    } else if (hasQuota && (c.quota === undefined || c.used === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: 'quota needs used beside it (and used needs quota)',
        params: { expected: 'both quota and used', suggestion: 'add the missing one, e.g. used: { cpu: 0, memory: 0, storage: 0 }' },
      });
    }
  });

/** Host groups of a VM (ansible) environment: one inventory group each (src/render/ansible). */
export const HOST_GROUPS = ['gateway', 'processor', 'kafka', 'storage', 'grafana'] as const;

const hostAddress = z
  .string()
  .regex(/^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|[0-9A-Fa-f:]+)$/, {
    error: 'must be an IP address or a DNS name, e.g. "10.0.1.10" or "collector-1.example.internal"',
  })
  .max(253);

function hostList(what: string) {
  return z
    .array(hostAddress)
    .min(1, { error: `give at least one ${what} host, or leave the group out` })
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      for (const [i, a] of list.entries()) {
        if (seen.has(a)) {
          ctx.addIssue({ code: 'custom', path: [i], message: `${a} is listed twice`, params: { expected: 'each address once per group', suggestion: `remove the second ${a}` } });
        }
        seen.add(a);
      }
    })
    .describe(`addresses (ansible_host) of the ${what} VMs, one replica each`);
}

/**
 * The VMs of an ansible environment, per host group (seed 002 "Option 3: Multi-VPS with Ansible"): the inventory's
 * groups. Each collector pool replica, Kafka broker and Grafana replica runs on a host of its own; the storage group
 * carries the object store and the engines (each monolithic engine on one host, spread over the group in start-up
 * order). Whether a group has enough hosts for what the topology asks is a plan rule (ansible-hosts).
 */
export const EnvironmentHosts = z
  .strictObject({
    gateway: hostList('gateway collector').optional(),
    processor: hostList('processor collector').optional(),
    kafka: hostList('Kafka broker').optional(),
    storage: hostList('storage (object store and engines)').optional(),
    grafana: hostList('Grafana').optional(),
  })
  .describe('ansible target only: the VMs of each host group (inventory groups collectors_gateway, collectors_processor, kafka, storage, grafana)');

/** Docker's json-file log rotation (compose): size of one log file before it rotates, and how many files are kept. */
export const LOG_ROTATION_DEFAULTS = { maxSize: '50m', maxFiles: 5 } as const;
export const LogRotation = z
  .strictObject({
    maxSize: z
      .string()
      .regex(/^[1-9]\d*[kmg]$/, { error: 'must be a size with a k, m or g suffix, e.g. "50m" (the json-file driver\'s max-size)' })
      .default(LOG_ROTATION_DEFAULTS.maxSize)
      .describe('size of one container log file before it rotates (json-file max-size), e.g. "50m"'),
    maxFiles: count(1, 100).default(LOG_ROTATION_DEFAULTS.maxFiles).describe('rotated log files kept per container (json-file max-file)'),
  })
  .describe('container log rotation (compose: the json-file logging driver of every service); at most maxSize × maxFiles of logs per container');

/**
 * Backups of an ansible environment's storage hosts (seed 002 §5 "Automated Backups"): a systemd timer on every
 * storage host runs `otelstack backup` there (the data directories and configs the roles placed, one checksummed
 * archive per host) and keeps the newest `keep` archives. Without this block an ansible environment gets the
 * defaults (VM_BACKUP_DEFAULTS).
 */
export const VM_BACKUP_DEFAULTS = { enabled: true, schedule: 'daily', randomizedDelay: '1h', keep: 7, dir: '/var/backups/otelstack' } as const;
export const VmBackup = z
  .strictObject({
    enabled: z.boolean().default(VM_BACKUP_DEFAULTS.enabled).describe('false renders no backup timer'),
    schedule: z
      .string()
      .regex(/^[A-Za-z0-9*:,.~/_+ -]+$/, { error: 'must be a systemd calendar expression (OnCalendar=), e.g. "daily" or "*-*-* 02:00:00"' })
      .default(VM_BACKUP_DEFAULTS.schedule)
      .describe('when the backup runs: a systemd OnCalendar= expression, e.g. "daily", "*-*-* 02:00:00", "Sun 03:00"'),
    randomizedDelay: z
      .string()
      .regex(/^(0|[1-9]\d*(s|min|h))$/, { error: 'must be a time span such as "0", "30min" or "1h" (RandomizedDelaySec=)' })
      .default(VM_BACKUP_DEFAULTS.randomizedDelay)
      .describe('a random delay up to this long after the scheduled time, so that hosts do not back up at once (RandomizedDelaySec=)'),
    keep: count(1, 1000).default(VM_BACKUP_DEFAULTS.keep).describe('archives kept per host: older ones are removed after a backup (otelstack backup --retention)'),
    dir: z
      .string()
      .regex(/^\/[A-Za-z0-9._/-]*$/, { error: 'must be an absolute path without spaces, e.g. "/var/backups/otelstack"' })
      .default(VM_BACKUP_DEFAULTS.dir)
      .describe('directory on each storage host the archives go to (mount the backup disk there)'),
  })
  .describe('ansible target only: backups of the storage hosts on a systemd timer, with retention');

/**
 * A TLS file of an ansible environment, as a REFERENCE (secrets are never values in a definition or a render):
 *  - an absolute path: a file already on every host that needs it (each host its own certificate and key at the
 *    same path); the tls tasks of the common role check it exists and set its owner and mode;
 *  - an Ansible variable name (ansible-vault, e.g. vault_otelstack_tls_key): its value is the PEM, which the tls
 *    tasks write on the host under /etc/otelstack/tls/ (src/topology/vm-tls.ts) — the only case where anything
 *    travels from the controller, because the reference says so.
 */
export const TlsRef = z
  .string()
  .superRefine((v, ctx) => {
    if (/-----BEGIN/.test(v)) {
      ctx.addIssue({ code: 'custom', message: 'PEM content is not accepted here: certificates and keys are references, never values', params: { expected: 'an absolute path on the hosts, e.g. "/etc/otelstack/tls/host.key", or an ansible-vault variable name, e.g. "vault_otelstack_tls_key"', suggestion: 'put the PEM in a file on the hosts and give its path, or in an ansible-vault variable and give the variable\'s name' } });
      return;
    }
    if (!/^\/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$/.test(v) && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(v)) {
      ctx.addIssue({ code: 'custom', message: `"${v}" is neither an absolute path nor an Ansible variable name`, params: { expected: 'an absolute path without spaces, e.g. "/etc/otelstack/tls/host.crt", or a variable name ([A-Za-z_][A-Za-z0-9_]*), e.g. "vault_otelstack_tls_cert"', suggestion: v.startsWith('/') ? 'remove spaces and the trailing "/" from the path' : `write an absolute path ("/${v.replace(/^\.?\/*/, '')}") or a variable name such as vault_otelstack_tls_${v.replace(/[^A-Za-z0-9_]/g, '_').toLowerCase()}` } });
    }
  })
  .describe('an absolute path of a PEM file on the hosts, or the name of an ansible-vault variable holding the PEM (never PEM content)');

/**
 * TLS between the VMs of an ansible environment (seed 002 Phase 5 "TLS/mTLS"): every listener and client the stack
 * opens between hosts (collectors' OTLP receivers, Kafka's listeners and its clients, the collectors' exporters to
 * the engines and the engines' HTTP servers) use the one CA and each host's certificate and key. mtls: the servers
 * also require a client certificate signed by the CA. The certificates must name the service names the configs
 * use for the peers on that host (kafka-0, tempo, …: the inventory's otelstack_tls_names per host).
 */
export const VmTls = z
  .strictObject({
    enabled: z.boolean().default(true).describe('false: plaintext between hosts (a plan warning where the environment has more than one host)'),
    mtls: z.boolean().default(false).describe('servers require a client certificate signed by ca (mutual TLS)'),
    ca: TlsRef.optional().describe('the CA certificate that signs every host certificate (PEM): a path on the hosts or an ansible-vault variable name'),
    cert: TlsRef.optional().describe("the host's certificate (PEM, may hold the chain): a path on the hosts or an ansible-vault variable name"),
    key: TlsRef.optional().describe("the host's private key (PEM, PKCS#8 for Kafka): a path on the hosts or an ansible-vault variable name"),
  })
  .superRefine((v, ctx) => {
    if (!v.enabled) return;
    for (const k of ['ca', 'cert', 'key'] as const) {
      if (v[k] === undefined) {
        ctx.addIssue({ code: 'custom', path: [k], message: `TLS is enabled but ${k} is missing`, params: { expected: `tls.${k}: an absolute path on the hosts or an ansible-vault variable name`, suggestion: `add ${k}: ${k === 'ca' ? '/etc/otelstack/tls/ca.crt' : k === 'cert' ? '/etc/otelstack/tls/host.crt' : 'vault_otelstack_tls_key'}, or set enabled: false` } });
      }
    }
  })
  .describe('ansible target only: TLS (and mTLS) between the hosts, with certificates and keys as references');

export const Environment = z.strictObject({
  name: dnsLabel,
  namespace: dnsLabel,
  target: z.enum(TARGETS),
  ha: z.boolean().default(false),
  objectStorage: z.string().describe('name of an entry in objectStorage'),
  zones: z.array(z.string()).optional().describe('availability zones for zone-aware replication (HA)'),
  capacity: Capacity.optional(),
  podDisruptionBudgets: z.boolean().default(true).describe('render PodDisruptionBudgets (required in HA environments)'),
  networkPolicies: z
    .boolean()
    .default(true)
    .describe('kubernetes: render NetworkPolicies (default-deny ingress in the namespace, then exactly the flows the topology has); false = none'),
  keda: z
    .boolean()
    .default(false)
    .describe('kubernetes: the cluster runs KEDA 2.x (keda.sh/v1alpha1 ScaledObject); a Kafka-fed processor pool with autoscaling then scales on consumer lag (seed 002). otelstack does not deploy KEDA'),
  logs: LogRotation.default({ ...LOG_ROTATION_DEFAULTS }),
  currentPhase: phase
    .optional()
    .describe(
      'the rollout phase this environment is in: render, render --check and diff emit only components, engines and buckets of phases up to it (`render --phase N` overrides it); the plan still shows every phase. Default: the highest phase the definition uses (everything renders)',
    ),
  hosts: EnvironmentHosts.optional(),
  backup: VmBackup.optional(),
  tls: VmTls.optional(),
}).superRefine((e, ctx) => {
  if (e.hosts && e.target !== 'ansible') {
    ctx.addIssue({
      code: 'custom',
      path: ['hosts'],
      message: `hosts are the VMs of an ansible environment; ${e.name} has target ${e.target}`,
      params: { expected: 'target: ansible, or no hosts', suggestion: `remove hosts from ${e.name}, or set target: ansible` },
    });
  }
  if (e.backup && e.target !== 'ansible') {
    ctx.addIssue({
      code: 'custom',
      path: ['backup'],
      message: `backup schedules the storage hosts' systemd timer of an ansible environment; ${e.name} has target ${e.target}`,
      params: { expected: 'target: ansible, or no backup block', suggestion: e.target === 'compose' ? `remove backup from ${e.name}; back a compose environment up with otelstack backup --retention N (cron or a timer of your own)` : `remove backup from ${e.name}` },
    });
  }
});

/** What the sizing keeps free at the expected load when a load block names no headroom: capacity ≥ load × 1.3. */
export const LOAD_DEFAULT_HEADROOM_PERCENT = 30;

const Rate = quantity(parseRate, 'rate', RATE);

/**
 * The expected load of one environment's ingestion, per signal, in the units the collector counts (spans, data
 * points, log records per second). The plan sizes the gateway and processor pools, the buffer topics' partitions and
 * the Kafka brokers from it (src/plan/sizing.ts), with a calibration file from `npm run bench:pipeline` or, without
 * one, seed 002's tables.
 */
export const Load = z
  .strictObject({
    traces: Rate.optional().describe('spans per second, e.g. "50k/s"'),
    metrics: Rate.optional().describe('data points per second, e.g. "200k/s"'),
    logs: Rate.optional().describe('log records per second, e.g. "20k/s"'),
    headroomPercent: z
      .number()
      .min(0)
      .max(400)
      .default(LOAD_DEFAULT_HEADROOM_PERCENT)
      .describe(`capacity kept above the load: pools are sized for load × (1 + headroom/100); default ${LOAD_DEFAULT_HEADROOM_PERCENT}`),
  })
  .superRefine((l, ctx) => {
    if (l.traces === undefined && l.metrics === undefined && l.logs === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'a load names at least one signal',
        params: { expected: 'traces, metrics and/or logs as rates such as "50k/s"', suggestion: 'add e.g. traces: "50k/s", or remove load' },
      });
    }
  })
  .describe('expected ingestion load per signal (spans / data points / log records per second); the plan sizes the pools from it');

const Pool = z.strictObject({
  replicas: replicas.default(1),
  cpu: Cpu.optional(),
  memory: Memory.optional(),
  memoryLimit: Memory.optional(),
  storage: Storage.optional().describe('persistent-queue volume per replica'),
  autoscaling: Autoscaling.describe(
    `kubernetes, the collector pools otelstack deploys: the gateway through a HorizontalPodAutoscaler (the alloy chart's controller.autoscaling.horizontal, or the rendered OTel Collector Deployment's; targetCpu ${AUTOSCALING_DEFAULT_CPU} when no target is given); a Kafka-fed processor pool on consumer lag through a KEDA ScaledObject (environments[].keda); the plan budgets max replicas`,
  ),
});

export const KafkaTopic = z.strictObject({
  name: z.string(),
  partitions: count(1, 10_000).default(6),
  replication: count(1, 9).default(3),
  minInSyncReplicas: count(1, 9).optional(),
  retentionHours: z.number().min(1).max(87_600).default(24).describe('1 hour to 10 years'),
});

export const SamplingPolicy = z.strictObject({
  name: z.string(),
  type: z.enum(['errors', 'latency', 'probabilistic', 'always']),
  thresholdMs: count(1, 3_600_000).optional().describe('1 ms to 1 hour'),
  percentage: z.number().min(0).max(100).optional(),
});

/**
 * A web origin as browsers send it in the Origin header: scheme://host[:port], lowercase, no path; a leading "*."
 * matches any subdomain (the collectors' CORS handlers allow one wildcard); "*" alone is any origin.
 */
export function checkOrigin(v: string): { ok: true } | { ok: false; message: string; expected: string; suggestion: string } {
  const expected = 'an origin: http:// or https://, a host, an optional port, no path (e.g. "https://app.example.com", "http://localhost:3000", "https://*.example.com"), or "*"';
  if (v === '*') return { ok: true };
  if (/^(https?):\/\/(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[1-9]\d{0,4})?$/.test(v)) {
    const port = /:(\d+)$/.exec(v);
    if (!port || Number(port[1]) <= 65_535) return { ok: true };
    return { ok: false, message: `"${v}" has port ${port[1]}, more than 65535`, expected, suggestion: 'write the port the application is served on' };
  }
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]+)([/?#].*)?$/i.exec(v);
  if (!m) {
    const bare = /^[^\s/:]+(:\d+)?(\/.*)?$/.test(v) ? `https://${v.replace(/\/.*$/, '').toLowerCase()}` : undefined;
    return { ok: false, message: `"${v}" is not an origin: it has no scheme`, expected, suggestion: bare ? `write "${bare}"` : 'write the page\'s scheme and host, e.g. "https://app.example.com"' };
  }
  const [, scheme, authority, rest] = m as unknown as [string, string, string, string | undefined];
  const fixed = `${scheme.toLowerCase()}://${authority.toLowerCase()}`;
  if (rest !== undefined) return { ok: false, message: `"${v}" has a path: browsers send the origin without one, so it would never match`, expected, suggestion: `write "${fixed}"` };
  if (!/^https?$/i.test(scheme)) return { ok: false, message: `"${v}": a page's origin is http or https, not ${scheme}`, expected, suggestion: 'write the origin the page is served from, e.g. "https://app.example.com"' };
  if (fixed !== v) return { ok: false, message: `"${v}" has capital letters: browsers send the origin in lowercase`, expected, suggestion: `write "${fixed}"` };
  return { ok: false, message: `"${v}" is not an origin`, expected, suggestion: 'write scheme://host[:port], e.g. "https://app.example.com"' };
}

const faroOrigin = z.string().superRefine((v, ctx) => {
  const r = checkOrigin(v);
  if (!r.ok) ctx.addIssue({ code: 'custom', message: r.message, params: { expected: r.expected, suggestion: r.suggestion } });
});

export const Ingestion = z.strictObject({
  collector: z.enum(['alloy', 'otelcol']),
  shared: z
    .boolean()
    .default(false)
    .describe('an existing shared deployment (seed 000: the shared Alloy): its config is rendered, its pods are not budgeted'),
  environments: z
    .record(
      z.string(),
      z.strictObject({
        gateway: Pool.default({ replicas: 1 }),
        processor: Pool.optional().describe('processing pool behind Kafka (tail sampling)'),
        kafkaBuffer: z.boolean().default(false).describe('gateway → Kafka → processor'),
        controller: z
          .enum(['deployment', 'daemonset'])
          .default('deployment')
          .describe('daemonset: one gateway pod per node (seed 001); gateway.replicas is then the node count the plan budgets'),
        load: Load.optional(),
      }),
    )
    .default({}),
  topics: z
    .strictObject({ traces: KafkaTopic.optional(), metrics: KafkaTopic.optional(), logs: KafkaTopic.optional() })
    .optional()
    .describe('buffer topics between gateway and processor collectors'),
  persistentQueue: z
    .strictObject({ enabled: z.boolean().default(true), fsync: z.boolean().default(false), queueSize: count(1, 10_000_000).default(5000) })
    .default({ enabled: true, fsync: false, queueSize: 5000 }),
  retry: z
    .strictObject({
      initialInterval: duration.default('5s'),
      maxInterval: duration.default('30s'),
      maxElapsedTime: duration.default('0s').describe('"0s" = never give up'),
    })
    .default({ initialInterval: '5s', maxInterval: '30s', maxElapsedTime: '0s' }),
  sampling: z
    .strictObject({ decisionWait: duration.default('10s'), policies: z.array(SamplingPolicy).default([]) })
    .optional(),
  rateLimits: z
    .array(z.strictObject({ tenant: z.string(), requestsPerSecond: z.number().min(1).max(100_000_000), burst: count(1, 1_000_000_000).optional() }))
    .default([]),
  faro: z
    .strictObject({
      enabled: z.boolean().default(false),
      port: count(1, 65_535)
        .optional()
        .describe("the Faro receiver's port; default the collector's Faro port in the catalog (Alloy: the first environment's, each next environment the next port)"),
      allowedOrigins: z
        .array(faroOrigin)
        .default([])
        .describe(
          'origins (scheme://host[:port]) of the web applications whose pages may send to the Faro receiver (CORS), on both collectors; "*" lets any site post telemetry (a plan warning), none leaves browsers refused (a plan error)',
        ),
      ingress: z
        .strictObject({
          controller: z.enum(['contour', 'ingress-nginx']).describe("the cluster's ingress controller: Contour (HTTPProxy, seed 003's choice) or ingress-nginx (Ingress annotations)"),
          className: z.string().optional().describe('the ingress class; default the controller\'s default class'),
          tlsSecret: z.string().optional().describe("a Kubernetes Secret of type kubernetes.io/tls holding the tenants' hosts' certificate"),
        })
        .optional()
        .describe("Kubernetes: how browsers reach the tenants' Faro receivers: one route per tenant host, with the tenant's ingress rate limit and only the allowed trace-context headers"),
    })
    .optional()
    .describe('the browser (Faro Web SDK) endpoint on the gateway: logs (web vitals, errors, events) to the logs engine, traces to the traces engine'),
  routing: z
    .enum(['per-environment', 'by-namespace'])
    .default('per-environment')
    .describe('by-namespace: one shared collector routes by k8s.namespace.name to each environment (seed 000 Alloy)'),
});

/** A request rate with its burst: what a limiter lets through per second, and at once above that. */
const RequestRate = z.strictObject({
  perSecond: z.number().min(1).max(100_000_000).describe('requests per second'),
  burst: count(1, 1_000_000_000).optional().describe('the most requests let through at once (the size of the token bucket refilled at perSecond); default twice perSecond'),
});

/** A byte rate per second written like a size ("4Mi", "512Ki"): the engines' per-tenant ingestion limits. */
const PerTenantBytes = quantity(parseBytes, 'byte-rate', BYTES_PER_TENANT);

/**
 * A tenant of the stack (seed 003): one team's web application and its telemetry. It gets its own X-Scope-OrgID in
 * every engine, its own Faro receiver on the gateway (CORS for its origins only), limits at the three levels of the
 * seed's protection (client sampling, ingress, gateway), per-tenant limits in each engine's overrides and its own
 * Grafana datasources. `otelstack tenant add` writes this block.
 */
export const Tenant = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9!._*'()-]{1,150}$/, { error: "must be a tenant id the engines accept: up to 150 of the letters, digits and !-_.*'()" })
    .optional()
    .describe("X-Scope-OrgID in Loki, Tempo, Mimir and Pyroscope; default the tenant's name"),
  environments: z.array(z.string()).optional().describe('environments that serve the tenant; default every environment'),
  origins: z.array(faroOrigin).min(1, { error: 'a tenant needs at least one origin: the pages its browsers send from' }).describe("origins (scheme://host[:port]) of the tenant's web pages: the only ones its Faro receiver accepts (CORS)"),
  host: z
    .string()
    .regex(/^(?=.{1,253}$)([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,63}$/, { error: 'must be a lowercase DNS name such as "faro.shop.example.com"' })
    .optional()
    .describe("the host name the tenant's browsers send to: the ingress routes it to the tenant's Faro receiver"),
  port: count(1, 65_535).optional().describe("the tenant's Faro receiver port on the gateway; default the catalog's tenant port base plus the tenant's position by name"),
  sampling: z.number().gt(0).max(1).default(1).describe("level 1: the share of browser sessions the Faro SDK samples (1 = all)"),
  rateLimit: RequestRate.describe("level 3: the gateway's limit for this tenant's Faro requests; above it requests are refused with 429"),
  ingressRateLimit: RequestRate.optional().describe("level 2: the ingress limit on the tenant's host; default the gateway's"),
  propagateTo: z
    .array(z.string().url())
    .default([])
    .describe("URL prefixes of the tenant's own backends the Faro SDK sends trace context to (propagateTraceHeaderCorsUrls); default its origins"),
  load: z
    .strictObject({
      activeSessions: count(1, 1_000_000_000).describe('browser sessions open at once at the busiest time'),
      requestsPerMinute: z.number().gt(0).max(10_000).describe("Faro requests one sampled session sends per minute (the SDK batches its items; a page view with its web vitals is a few)"),
    })
    .optional()
    .describe("the tenant's expected browser load: the plan checks its three limits against activeSessions × sampling × requestsPerMinute / 60 requests per second"),
  propagation: z
    .array(z.enum(PROPAGATION_FORMATS))
    .min(1)
    .default(['w3c'])
    .describe("trace-context formats the tenant's pages may send (seed 003's allow-list): w3c = traceparent and tracestate, jaeger = uber-trace-id as well; every other trace-context header is removed at the tenant's ingress"),
  limits: z
    .strictObject({
      logs: z.strictObject({ ingestionRate: PerTenantBytes.optional(), burst: PerTenantBytes.optional(), maxStreams: count(1, 100_000_000).optional() }).optional(),
      traces: z.strictObject({ ingestionRate: PerTenantBytes.optional(), burst: PerTenantBytes.optional(), maxTraces: count(1, 100_000_000).optional() }).optional(),
      metrics: z.strictObject({ samplesPerSecond: count(1, 1_000_000_000).optional(), burst: count(1, 1_000_000_000).optional(), maxSeries: count(1, 1_000_000_000).optional() }).optional(),
    })
    .default({})
    .describe("per-tenant limits in each engine's overrides; what is left out is the engine's default (catalog)"),
});

const SecretKeyRef = z.strictObject({ secretName: z.string().describe('Kubernetes Secret name'), key: z.string().describe('key inside the Secret') });

/**
 * Grafana deployed by otelstack in one environment (grafana chart): HA replicas share an EXTERNAL PostgreSQL and
 * keep sessions / cache in an EXTERNAL Redis; every credential is a Secret reference, never a value.
 */
export const GrafanaDeployment = z.strictObject({
  replicas: count(1, 10).default(2).describe('Grafana pods; more than one needs the shared database below'),
  cpu: Cpu.optional(),
  memory: Memory.optional(),
  memoryLimit: Memory.optional(),
  database: z
    .strictObject({
      type: z.literal('postgres').default('postgres'),
      host: z.string().regex(/^[^\s:]+:\d+$/, { error: 'must be host:port, e.g. "grafana-db.example.internal:5432"' }),
      name: z.string().describe('database name'),
      sslMode: z.enum(['disable', 'require', 'verify-ca', 'verify-full']).default('require'),
      user: SecretKeyRef.describe('Secret key holding the database user'),
      password: SecretKeyRef.describe('Secret key holding the database password'),
    })
    .describe('an existing PostgreSQL (managed HA pair): Grafana\'s shared state'),
  sessions: z
    .strictObject({
      type: z.literal('redis').default('redis'),
      address: z.string().regex(/^[^\s:]+:\d+$/, { error: 'must be host:port, e.g. "grafana-redis.example.internal:6379"' }),
      db: count(0, 15).default(0),
      password: SecretKeyRef.optional().describe('Secret key holding the Redis password (omit when Redis has no AUTH)'),
    })
    .describe('an existing Redis: sessions and cache shared by the Grafana replicas (remote_cache)'),
  secretKey: SecretKeyRef.optional().describe("Secret key holding Grafana's security.secret_key (the same on every replica)"),
  admin: z
    .strictObject({ secretName: z.string(), userKey: z.string().default('admin-user'), passwordKey: z.string().default('admin-password') })
    .optional()
    .describe('an existing Secret with the admin credentials (else the chart generates one)'),
});

export const KafkaCluster = z.strictObject({
  phase: phase.default(1),
  brokers: count(0, 100).default(3).describe('brokers of a managed cluster (the catalog says how few Kafka runs with)'),
  cpu: Cpu.default('500m'),
  memory: Memory.default('2Gi'),
  memoryLimit: Memory.optional(),
  storage: Storage.default('20Gi'),
  managed: z.boolean().default(true).describe('false: an existing cluster, only referenced (give bootstrap)'),
  bootstrap: z.string().optional().describe('host:port list of an existing cluster'),
});

/** A duration that is more than zero ("30s", "2m"). */
const positiveDuration = z.string().regex(/^[1-9]\d*(ms|s|m|h)$/, { error: 'must be a duration more than zero, such as "30s" or "2m"' });

/**
 * `otelstack canary` deployed in every environment (src/topology/transforms/canary.ts): every interval it pushes a
 * trace, a metric with an exemplar and a log line through the ingestion endpoint and reads each back. Off unless the
 * definition has this block: it writes into every backend of the environment all the time and runs an image the
 * environment must be able to pull.
 */
export const Canary = z.strictObject({
  enabled: z.boolean().default(true).describe('false keeps the block but deploys no canary'),
  interval: positiveDuration
    .refine((d) => (durationMs(d) ?? 0) >= 1000, { error: 'must be at least 1s (the canary refuses shorter rounds), such as "30s"' })
    .default('30s')
    .describe('time between rounds, at least 1s'),
  deadline: positiveDuration.default('2m').describe('an item not visible this long after its push counts as missing'),
  checkStorage: z.boolean().default(false).describe('also wait for new objects in each data bucket (Tempo flushes blocks after minutes: rounds then last that long)'),
  cpu: Cpu.optional(),
  memory: Memory.optional(),
  memoryLimit: Memory.optional(),
});

export const StackSchema = z.strictObject({
  name: dnsLabel,
  conventions: z
    .strictObject({
      bucket: z.string().default('{stack}-{signal}-{env}-{purpose}'),
    })
    .default({ bucket: '{stack}-{signal}-{env}-{purpose}' }),
  objectStorage: z.record(z.string(), ObjectStorage),
  environments: z.array(Environment).min(1, { error: 'at least one environment is needed' }),
  signals: z.strictObject({
    traces: Signal.optional(),
    metrics: Signal.optional(),
    logs: Signal.optional(),
    profiles: Signal.optional(),
  }),
  kafka: z
    .strictObject({ environments: z.record(z.string(), KafkaCluster) })
    .optional()
    .describe('Kafka clusters per environment, for engines that write through Kafka and for collector buffering'),
  ingestion: Ingestion.optional(),
  tenants: z
    .record(dnsLabel, Tenant)
    .default({})
    .describe('tenants by name (seed 003): their ids, origins, limits and datasources; `otelstack tenant add` edits this block'),
  canary: Canary.optional().describe('a continuous canary for traces, metrics and logs through the ingestion path (otelstack canary), in every environment'),
  otelstack: z
    .strictObject({
      image: z
        .string()
        .regex(/^[a-z0-9][a-z0-9._\-/:]*[a-z0-9_](@sha256:[a-f0-9]{64})?$/i, { error: 'must be an image reference such as "registry.example.com/platform/otelstack:0.1.0"' })
        .optional()
        .describe("the canary's image on compose and Kubernetes (default ghcr.io/otelstack/otelstack:<version>, not published yet: build it from this repository's Dockerfile)"),
      package: z
        .string()
        .min(1)
        .regex(/^\S+$/, { error: 'must be one npm install argument (no spaces), such as "otelstack@0.1.0" or "/opt/pkgs/otelstack-0.1.0.tgz"' })
        .optional()
        .describe('what npm installs on VMs for the canary and backups: a registry spec, a tarball URL, or a path on the VM to the archive `npm pack` writes (default otelstack@<version>, not on npm yet)'),
    })
    .optional()
    .describe('where the environments get otelstack itself (the canary, VM backups)'),
  policy: z
    .strictObject({
      cpuLimits: z.array(z.string()).default([]).describe('component names that may have a CPU limit'),
      memoryLimits: z.array(z.string()).default(['ingester', 'store-gateway']).describe('component names that must have a memory limit (and only they)'),
    })
    .default({ cpuLimits: [], memoryLimits: ['ingester', 'store-gateway'] }),
  grafana: z
    .strictObject({
      datasourceName: z.string().default('{Engine} ({env})'),
      datasourceUid: z.string().default('{engine}-{env}'),
      tenantDatasourceName: z
        .string()
        .default('{Engine} ({env}, {tenant})')
        .describe("name of each tenant's own datasources (tenants.<name>): the placeholders of datasourceName, and {tenant} the tenant's name"),
      tenantDatasourceUid: z
        .string()
        .default('{engine}-{env}-{tenant}')
        .describe("uid of each tenant's own datasources: the placeholders of datasourceUid, and {tenant} the tenant's name (Grafana: at most 40 characters)"),
      provisioning: z.enum(['sidecar', 'chart-values']).default('sidecar'),
      deploy: z
        .record(z.string(), GrafanaDeployment)
        .optional()
        .describe('environments where otelstack deploys Grafana itself (grafana chart); elsewhere Grafana exists and only provisioning is rendered'),
      deprecatedDatasources: z
        .array(z.strictObject({ name: z.string(), env: z.string().optional(), reason: z.string().optional() }))
        .default([])
        .describe('per-namespace Prometheus datasources the stack replaces'),
    })
    .default({
      datasourceName: '{Engine} ({env})',
      datasourceUid: '{engine}-{env}',
      tenantDatasourceName: '{Engine} ({env}, {tenant})',
      tenantDatasourceUid: '{engine}-{env}-{tenant}',
      provisioning: 'sidecar',
      deprecatedDatasources: [],
    }),
  kubernetes: z
    .strictObject({
      argocd: z
        .strictObject({
          style: z.enum(['applications', 'applicationset']).default('applications'),
          project: z.string().default('default'),
          namespace: z.string().default('argocd'),
          automated: z.boolean().default(true),
        })
        .default({ style: 'applications', project: 'default', namespace: 'argocd', automated: true }),
    })
    .default({ argocd: { style: 'applications', project: 'default', namespace: 'argocd', automated: true } }),
});

/** What a definition file contains (before defaults). */
export type StackInput = z.input<typeof StackSchema>;
/** A validated definition with defaults applied. */
export type Stack = z.output<typeof StackSchema>;
export type SignalName = (typeof SIGNALS)[number];
export type Mode = (typeof MODES)[number];
export type Target = (typeof TARGETS)[number];
export type EnvironmentDef = Stack['environments'][number];
export type HostGroup = (typeof HOST_GROUPS)[number];
export type VmTlsDef = z.output<typeof VmTls>;
export type EnvironmentHostsDef = z.output<typeof EnvironmentHosts>;
export type SignalDef = z.output<typeof Signal>;
export type SignalEnvDef = z.output<typeof SignalEnvironment>;
export type ComponentOverrideDef = z.output<typeof ComponentOverride>;
export type LoadDef = z.output<typeof Load>;
export type GrafanaDeploymentDef = z.output<typeof GrafanaDeployment>;
export type CanaryDef = z.output<typeof Canary>;
export type TenantDef = z.output<typeof Tenant>;
