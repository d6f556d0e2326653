/**
 * `otelstack canary`: the facts every consumer of the canary shares — its metric names (the canary's /metrics, the
 * alert rules, the dashboard row), its port, the image / package that runs it, its default sizing and schedule.
 *
 * The canary is otelstack itself (`otelstack canary <definition> --env E`), so its image is otelstack's own at
 * otelstack's version (package.json; test/catalog/canary.test.ts keeps the two equal). On VMs it is the npm package
 * at that version, run by a systemd unit.
 */
import { Mi } from './units.js';

export const CANARY_VERSION = '0.1.0';

export const CANARY_IMAGE = { repository: 'ghcr.io/otelstack/otelstack', tag: CANARY_VERSION } as const;
/** The npm package the VM target installs (`npm install -g otelstack@<version>`), and the binary it puts on PATH. */
export const CANARY_PACKAGE = { name: 'otelstack', version: CANARY_VERSION, binary: 'otelstack' } as const;

/** Workload / service / job name of the canary in every target. */
export const CANARY_NAME = 'otelstack-canary';
/** The canary's /metrics port (prom-client's default registry served by the canary). */
export const CANARY_PORT = 9465;
export const CANARY_METRICS_PATH = '/metrics';
/** Name of the /metrics container port (Kubernetes: what the Alloy's pod scrape keeps). */
export const CANARY_PORT_NAME = 'http-metrics';
/** The path of the rendered definition the canary reads inside its container / on its VM. */
export const CANARY_DEFINITION_DIR = '/etc/otelstack';

/** Schedule defaults (the definition's `canary` block overrides them). */
export const CANARY_DEFAULTS = {
  interval: '30s',
  /** an item not visible within this long after its push counts as missing */
  deadline: '2m',
  /** one Node process, mostly waiting on HTTP: small */
  cpuMillicores: 50,
  /** `otelstack canary --once` peaks at ~100 MB RSS (Node 20, /usr/bin/time -v): the request leaves room for it, and
   * is the memory limit where a target always sets one (compose) and the policy lists none for the canary */
  memoryBytes: 192 * Mi,
  /** where policy.memoryLimits lists the canary */
  memoryLimitBytes: 256 * Mi,
} as const;

/** The signals a round pushes and reads back. */
export const CANARY_SIGNALS = ['traces', 'metrics', 'logs'] as const;
export type CanarySignal = (typeof CANARY_SIGNALS)[number];

/**
 * Stages of the write→visible latency histogram (label `stage`):
 *  - accepted: the ingestion endpoint acknowledged the push (OTLP export answered OK);
 *  - visible:  the item could be read back from its backend (Tempo by trace id, the series in Mimir/Prometheus, the
 *              line in Loki);
 *  - linked:   the link was followed (metrics: exemplar → trace in Tempo; logs: trace id → trace in Tempo);
 *  - stored:   a new object appeared in the signal's data bucket (only with checkStorage).
 * Every stage is measured from the push.
 */
export const CANARY_STAGES = ['accepted', 'visible', 'linked', 'stored'] as const;
export type CanaryStage = (typeof CANARY_STAGES)[number];

/** Query error kinds (label `kind`): the read clients' BackendError kinds, `other` for anything else. */
export const CANARY_ERROR_KINDS = ['unreachable', 'timeout', 'http', 'bad-response', 'other'] as const;
export type CanaryErrorKind = (typeof CANARY_ERROR_KINDS)[number];

/** The canary's metric names (prom-client exposition: counters carry `_total`, histograms `_bucket/_sum/_count`). */
export const CANARY_METRICS = {
  /** histogram, labels env, signal, stage: seconds from the push until the stage was reached */
  latency: 'otelstack_canary_write_visible_seconds',
  /** counters, labels env, signal */
  pushed: 'otelstack_canary_items_pushed_total',
  found: 'otelstack_canary_items_found_total',
  missing: 'otelstack_canary_items_missing_total',
  duplicated: 'otelstack_canary_items_duplicated_total',
  /** counter, labels env, signal: the link of a found item did not lead to its trace (exemplar / log → trace) */
  brokenLinks: 'otelstack_canary_links_broken_total',
  /** counter, labels env, signal, kind: failed reads of the backends (every failed poll counts) */
  queryErrors: 'otelstack_canary_query_errors_total',
  /** counter, labels env, signal: pushes the ingestion endpoint did not accept (after the sender's retries) */
  pushErrors: 'otelstack_canary_push_errors_total',
  /** counter, labels env, result (ok | failed | skipped: not started, too many rounds still waiting) */
  rounds: 'otelstack_canary_rounds_total',
  /** gauge, label env: unix seconds of the end of the last round in which every check passed */
  lastSuccess: 'otelstack_canary_last_success_timestamp_seconds',
  /** gauge, label env: rounds started and not finished yet */
  inFlight: 'otelstack_canary_rounds_in_flight',
} as const;

/** Label names of the canary's series. */
export const CANARY_LABELS = { env: 'env', signal: 'signal', stage: 'stage', kind: 'kind', result: 'result' } as const;

/** Histogram buckets of the write→visible latency, seconds: from a fast local pipeline to a flush to object storage. */
export const CANARY_LATENCY_BUCKETS: readonly number[] = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 900, 1800];

/** Alert thresholds of the rendered canary rules. */
export const CANARY_ALERTS = {
  /** p99 write→visible latency (seconds) that warns when it persists */
  latencySeconds: 30,
  /** window of the loss and latency expressions */
  window: '10m',
  /** how many intervals without a successful round before it pages */
  staleIntervals: 10,
} as const;
