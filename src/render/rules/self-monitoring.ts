/**
 * The stack's self-monitoring (seed 002 §6), rewritten for the pinned versions' real metric names (all from
 * src/catalog/metrics.ts): collector export failures, queue size against capacity, enqueue failures (data lost),
 * refused data, memory near the memory_limiter limit, Kafka consumer lag, backend ingestion and request errors,
 * object-storage errors, volumes filling up, and scrape targets down. Plus RED recording rules over Tempo's span
 * metrics. A rule is rendered for an environment only when every metric it reads is produced there
 * (`producedMetrics`); what is left out is reported with the reason.
 */
import { CANARY_ALERTS, CANARY_LABELS, CANARY_METRICS } from '../../catalog/canary.js';
import { HAPROXY_FARO_RATE_LIMIT, HAPROXY_METRICS } from '../../catalog/support.js';
import {
  COLLECTOR_METRICS,
  KUBELET_METRICS,
  LOKI_METRICS,
  METRICS_GENERATOR_SETUP,
  MIMIR_METRICS,
  NAMESPACE_LABEL,
  OTELCOL_KAFKA_METRICS,
  PROMETHEUS_METRICS,
  PROMETHEUS_WRITE_HANDLERS,
  SCRAPE_METRICS,
  SPAN_METRICS,
  TEMPO_METRICS,
  familyOf,
  familyPresence,
  type Signal3,
} from '../../catalog/metrics.js';
import type { Stack } from '../../model/schema.js';
import { collectorMemory } from '../../topology/collector-memory.js';
import type { Topology } from '../../topology/types.js';
import type { AlertingRule, RecordingRule, Rule, RuleFile, RuleGroup } from './model.js';
import { anyOf, rate, sel, sumBy, type Matchers } from './promql.js';
import { durationMs } from '../../model/quantity.js';

/** Evaluation window of rates in alerts. */
export const RATE_WINDOW = '5m';
/** Queue fill ratios that warn / page. */
export const QUEUE_FILL = { warning: 0.8, critical: 0.95 } as const;
/** Share of 5xx responses that counts as failing. */
export const ERROR_RATIO = 0.05;
/** Consumer lag (records summed over a topic's partitions) that warns when it persists. */
export const KAFKA_LAG_RECORDS = 10000;
/** Free space share of a volume that warns / pages. */
export const VOLUME_FREE = { warning: 0.15, critical: 0.05 } as const;

export interface RuleSkip {
  rule: string;
  reason: string;
}

export interface RuleSet {
  file: RuleFile;
  skipped: RuleSkip[];
}

interface Ctx {
  stack: Stack;
  t: Topology;
  skipped: RuleSkip[];
  /** matchers scoping engine metrics to this environment */
  scope: Matchers;
  /** matchers scoping collector metrics */
  collectorScope: Matchers;
}

/** Every series name an expression reads, found with the catalog (used to decide whether a rule can be rendered). */
function readable(c: Ctx, rule: string, metrics: readonly string[]): boolean {
  for (const m of metrics) {
    const f = familyOf(m);
    if (!f) throw new Error(`rules: ${m} is not in src/catalog/metrics.ts`);
    const p = familyPresence(c.t, f);
    if (!p.present) {
      c.skipped.push({ rule, reason: p.reason });
      return false;
    }
  }
  return true;
}

function signalsOf(t: Topology): Signal3[] {
  return (['traces', 'metrics', 'logs'] as const).filter((s) => t.engines.some((e) => e.signal === s));
}

function alert(name: string, expr: string, forDur: string, severity: AlertingRule['labels']['severity'], summary: string, description: string, extra: Record<string, string> = {}): AlertingRule {
  return { alert: name, expr, for: forDur, labels: { severity, ...extra }, annotations: { summary, description } };
}

/** `(a) or (b) or …` over per-signal expressions. */
function orAll(exprs: string[]): string {
  return exprs.length === 1 ? exprs[0]! : exprs.map((e) => `(${e})`).join(' or ');
}

function collectorGroup(c: Ctx): RuleGroup | undefined {
  const kind = c.t.ingestion?.collector;
  if (!kind) return undefined;
  const n = COLLECTOR_METRICS[kind];
  const signals = signalsOf(c.t);
  const s = c.collectorScope;
  const by = ['job', 'instance', n.exporterLabel];
  const rules: Rule[] = [];
  const name = kind === 'otelcol' ? 'OTelCollector' : 'Alloy';

  const sendFailed = signals.map((x) => n.exporterSendFailed[x]);
  if (signals.length && readable(c, `${name}ExportFailures`, sendFailed)) {
    rules.push(
      alert(
        `${name}ExportFailures`,
        orAll(signals.map((x) => `${sumBy(by, rate(sel(n.exporterSendFailed[x], s), RATE_WINDOW))} > 0`)),
        '5m',
        'warning',
        'Collector exporter {{ $labels.exporter }} fails to send',
        'Exporter {{ $labels.exporter }} on {{ $labels.instance }} has failed send attempts for 5 minutes; data waits in its queue and is retried. Check the destination backend.',
      ),
    );
  }
  const enqueueFailed = signals.map((x) => n.exporterEnqueueFailed[x]);
  if (signals.length && readable(c, `${name}EnqueueFailures`, enqueueFailed)) {
    rules.push(
      alert(
        `${name}EnqueueFailures`,
        orAll(signals.map((x) => `${sumBy(by, rate(sel(n.exporterEnqueueFailed[x], s), RATE_WINDOW))} > 0`)),
        '1m',
        'critical',
        'Collector exporter {{ $labels.exporter }} drops data: its sending queue is full',
        'Exporter {{ $labels.exporter }} on {{ $labels.instance }} could not enqueue data: the queue is at capacity and new data is lost.',
      ),
    );
  }
  if (readable(c, `${name}QueueNearCapacity`, [n.exporterQueueSize, n.exporterQueueCapacity])) {
    const ratio = sumBy(by, `${sel(n.exporterQueueSize, s)} / ${sel(n.exporterQueueCapacity, s)}`, 'max');
    rules.push(
      alert(
        `${name}QueueNearCapacity`,
        `${ratio} > ${QUEUE_FILL.warning}`,
        '5m',
        'warning',
        'Collector sending queue of {{ $labels.exporter }} is {{ $value | humanizePercentage }} full',
        `The sending queue of exporter {{ $labels.exporter }} on {{ $labels.instance }} has been above ${QUEUE_FILL.warning * 100}% of its capacity for 5 minutes; the destination is slower than the input or unreachable.`,
      ),
      alert(
        `${name}QueueFull`,
        `${ratio} > ${QUEUE_FILL.critical}`,
        '2m',
        'critical',
        'Collector sending queue of {{ $labels.exporter }} is {{ $value | humanizePercentage }} full',
        `The sending queue of exporter {{ $labels.exporter }} on {{ $labels.instance }} is above ${QUEUE_FILL.critical * 100}% of its capacity; new data will be refused.`,
      ),
    );
  }
  const refused = signals.map((x) => n.receiverRefused[x]);
  if (signals.length && readable(c, `${name}RefusingData`, refused)) {
    rules.push(
      alert(
        `${name}RefusingData`,
        orAll(signals.map((x) => `${sumBy(['job', 'instance', n.receiverLabel], rate(sel(n.receiverRefused[x], s), RATE_WINDOW))} > 0`)),
        '5m',
        'warning',
        'Collector receiver {{ $labels.receiver }} refuses data',
        'Receiver {{ $labels.receiver }} on {{ $labels.instance }} refuses data (memory_limiter backpressure or a full pipeline); senders must retry or lose it.',
      ),
    );
  }
  // memory against the memory_limiter's soft limit (where refusing starts); the smallest pool's limit when pools differ
  const pools = c.t.components.filter((x) => x.engine === 'otelcol');
  if (kind === 'otelcol' && pools.length && readable(c, `${name}MemoryNearLimit`, [n.processMemory])) {
    const soft = Math.min(...pools.map((p) => collectorMemory(p.perReplica)).map((m) => (m.limitMib - m.spikeLimitMib) * 1024 ** 2));
    rules.push(
      alert(
        `${name}MemoryNearLimit`,
        `${sumBy(['job', 'instance'], sel(n.processMemory, s), 'max')} > ${soft}`,
        '5m',
        'warning',
        'Collector {{ $labels.instance }} uses {{ $value | humanize1024 }}B, at the memory_limiter soft limit',
        `Resident memory is above the memory_limiter soft limit (${soft / 1024 ** 2} MiB, limit_mib − spike_limit_mib of the smallest pool) for 5 minutes: the collector refuses data until memory drops.`,
      ),
    );
  }
  const kafka = kind === 'otelcol' && c.t.ingestion?.kafkaBuffer === true;
  if (kafka && readable(c, `${name}KafkaConsumerLag`, [OTELCOL_KAFKA_METRICS.receiverOffsetLag])) {
    rules.push(
      alert(
        `${name}KafkaConsumerLag`,
        `${sumBy(['job', 'topic'], sel(OTELCOL_KAFKA_METRICS.receiverOffsetLag, s))} > ${KAFKA_LAG_RECORDS}`,
        '15m',
        'warning',
        'Processors are {{ $value }} records behind on {{ $labels.topic }}',
        `The processor collectors' consumer group has been more than ${KAFKA_LAG_RECORDS} records behind on topic {{ $labels.topic }} for 15 minutes; add processor replicas or check the backends they export to. Retention bounds how long data can wait.`,
      ),
    );
  }
  if (kafka && readable(c, `${name}KafkaProduceFailures`, [OTELCOL_KAFKA_METRICS.exporterMessages])) {
    rules.push(
      alert(
        `${name}KafkaProduceFailures`,
        `${sumBy(['job', 'instance', 'topic'], rate(sel(OTELCOL_KAFKA_METRICS.exporterMessages, { ...s, outcome: 'failure' }), RATE_WINDOW))} > 0`,
        '5m',
        'warning',
        'Gateways fail to produce to {{ $labels.topic }}',
        'Kafka exporters on {{ $labels.instance }} fail to produce to {{ $labels.topic }}; data waits in the gateway queue.',
      ),
    );
  }
  return rules.length ? { name: `${c.stack.name}-collector`, rules } : undefined;
}

/** 5xx share of a dskit request-duration histogram. */
function errorRatio(metric: string, s: Matchers, status: string): string {
  const count = `${metric}_count`;
  return `${sumBy([], rate(sel(count, { ...s, [status]: { re: '5..' } }), RATE_WINDOW))} / ${sumBy([], rate(sel(count, s), RATE_WINDOW))} > ${ERROR_RATIO}`;
}

function backendGroup(c: Ctx): RuleGroup | undefined {
  const s = c.scope;
  const rules: Rule[] = [];
  const has = (id: string) => c.t.engines.some((e) => e.engine === id);
  const pct = `${ERROR_RATIO * 100}%`;
  if (has('tempo')) {
    if (readable(c, 'TempoDiscardingSpans', [TEMPO_METRICS.discardedSpans]))
      rules.push(alert('TempoDiscardingSpans', `${sumBy(['tenant', 'reason'], rate(sel(TEMPO_METRICS.discardedSpans, s), RATE_WINDOW))} > 0`, '10m', 'warning', 'Tempo discards spans ({{ $labels.reason }})', 'Tempo distributors discard spans of tenant {{ $labels.tenant }} for 10 minutes, reason {{ $labels.reason }} (limits or invalid data).'));
    if (readable(c, 'TempoReceiverRefusingSpans', [TEMPO_METRICS.receiverRefused]))
      rules.push(alert('TempoReceiverRefusingSpans', `${sumBy(['receiver'], rate(sel(TEMPO_METRICS.receiverRefused, s), RATE_WINDOW))} > 0`, '5m', 'warning', 'Tempo refuses spans on {{ $labels.receiver }}', 'The Tempo distributor receiver refuses pushed spans; collectors retry from their queues.'));
    if (readable(c, 'TempoRequestErrors', [`${TEMPO_METRICS.requestDuration}_count`]))
      rules.push(alert('TempoRequestErrors', errorRatio(TEMPO_METRICS.requestDuration, s, 'status_code'), '10m', 'warning', 'Tempo answers {{ $value | humanizePercentage }} of requests with 5xx', `More than ${pct} of Tempo's requests fail with a server error.`));
    if (readable(c, 'TempoObjectStorageErrors', [`${TEMPO_METRICS.backendRequestDuration}_count`]))
      rules.push(alert('TempoObjectStorageErrors', errorRatio(TEMPO_METRICS.backendRequestDuration, s, 'status_code'), '10m', 'critical', 'Tempo object storage requests fail ({{ $value | humanizePercentage }})', `More than ${pct} of Tempo's object storage requests fail with 5xx; blocks cannot be written or read.`));
  }
  if (has('mimir')) {
    if (readable(c, 'MimirDiscardingSamples', [MIMIR_METRICS.discardedSamples]))
      rules.push(alert('MimirDiscardingSamples', `${sumBy(['user', 'reason'], rate(sel(MIMIR_METRICS.discardedSamples, s), RATE_WINDOW))} > 0`, '10m', 'warning', 'Mimir discards samples ({{ $labels.reason }})', 'Mimir discards samples of tenant {{ $labels.user }} for 10 minutes, reason {{ $labels.reason }} (limits, out-of-order or invalid data).'));
    if (readable(c, 'MimirRequestErrors', [`${MIMIR_METRICS.requestDuration}_count`]))
      rules.push(alert('MimirRequestErrors', errorRatio(MIMIR_METRICS.requestDuration, s, 'status_code'), '10m', 'warning', 'Mimir answers {{ $value | humanizePercentage }} of requests with 5xx', `More than ${pct} of Mimir's requests fail with a server error (writes are retried by the collectors).`));
    if (readable(c, 'MimirObjectStorageErrors', [MIMIR_METRICS.objstoreFailures, MIMIR_METRICS.objstoreOperations]))
      rules.push(
        alert(
          'MimirObjectStorageErrors',
          `${sumBy(['operation'], rate(sel(MIMIR_METRICS.objstoreFailures, s), RATE_WINDOW))} / ${sumBy(['operation'], rate(sel(MIMIR_METRICS.objstoreOperations, s), RATE_WINDOW))} > ${ERROR_RATIO}`,
          '10m',
          'critical',
          'Mimir object storage {{ $labels.operation }} fails ({{ $value | humanizePercentage }})',
          `More than ${pct} of Mimir's object storage {{ $labels.operation }} operations fail.`,
        ),
      );
  }
  if (has('loki')) {
    if (readable(c, 'LokiDiscardingLines', [LOKI_METRICS.discardedSamples]))
      rules.push(alert('LokiDiscardingLines', `${sumBy(['tenant', 'reason'], rate(sel(LOKI_METRICS.discardedSamples, s), RATE_WINDOW))} > 0`, '10m', 'warning', 'Loki discards log lines ({{ $labels.reason }})', 'Loki discards lines of tenant {{ $labels.tenant }} for 10 minutes, reason {{ $labels.reason }}.'));
    if (readable(c, 'LokiIngesterAppendTimeouts', [LOKI_METRICS.ingesterAppendTimeouts]))
      rules.push(alert('LokiIngesterAppendTimeouts', `${sumBy(['ingester'], rate(sel(LOKI_METRICS.ingesterAppendTimeouts, s), RATE_WINDOW))} > 0`, '5m', 'warning', 'Loki distributors time out appending to {{ $labels.ingester }}', 'Appends from Loki distributors to ingester {{ $labels.ingester }} time out (seed 002 §6 "LokiIngestionErrors"; Loki 3.6 counts timeouts, not failures).'));
    if (readable(c, 'LokiRequestErrors', [`${LOKI_METRICS.requestDuration}_count`]))
      rules.push(alert('LokiRequestErrors', errorRatio(LOKI_METRICS.requestDuration, s, 'status_code'), '10m', 'warning', 'Loki answers {{ $value | humanizePercentage }} of requests with 5xx', `More than ${pct} of Loki's requests fail with a server error.`));
    if (readable(c, 'LokiObjectStorageErrors', [`${LOKI_METRICS.s3RequestDuration}_count`]))
      rules.push(alert('LokiObjectStorageErrors', errorRatio(LOKI_METRICS.s3RequestDuration, s, 'status_code'), '10m', 'critical', 'Loki S3 requests fail ({{ $value | humanizePercentage }})', `More than ${pct} of Loki's S3 requests fail with 5xx.`));
  }
  if (has('prometheus') && readable(c, 'PrometheusWriteErrors', [PROMETHEUS_METRICS.httpRequests])) {
    const h = { handler: { re: anyOf(PROMETHEUS_WRITE_HANDLERS) } };
    rules.push(
      alert(
        'PrometheusWriteErrors',
        `${sumBy(['handler'], rate(sel(PROMETHEUS_METRICS.httpRequests, { ...s, ...h, code: { re: '5..' } }), RATE_WINDOW))} / ${sumBy(['handler'], rate(sel(PROMETHEUS_METRICS.httpRequests, { ...s, ...h }), RATE_WINDOW))} > ${ERROR_RATIO}`,
        '10m',
        'warning',
        'Prometheus rejects writes on {{ $labels.handler }}',
        `More than ${pct} of remote-write / OTLP writes to Prometheus fail with 5xx.`,
      ),
    );
  }
  return rules.length ? { name: `${c.stack.name}-backends`, rules } : undefined;
}

function platformGroup(c: Ctx): RuleGroup | undefined {
  const rules: Rule[] = [];
  if (readable(c, 'StackTargetDown', [SCRAPE_METRICS.up])) {
    rules.push(
      alert('StackTargetDown', `${sel(SCRAPE_METRICS.up, c.scope)} == 0`, '2m', 'critical', '{{ $labels.job }} target {{ $labels.instance }} is down', `A scrape target of ${c.stack.name}/${c.t.env.name} has not answered for 2 minutes (seed 002 §6 "OTelCollectorDown", for every component).`),
    );
  }
  if (readable(c, 'StackVolumeFillingUp', [KUBELET_METRICS.volumeAvailable, KUBELET_METRICS.volumeCapacity])) {
    const free = `${sel(KUBELET_METRICS.volumeAvailable, c.scope)} / ${sel(KUBELET_METRICS.volumeCapacity, c.scope)}`;
    rules.push(
      alert('StackVolumeFillingUp', `${free} < ${VOLUME_FREE.warning}`, '5m', 'warning', 'Volume {{ $labels.persistentvolumeclaim }} has {{ $value | humanizePercentage }} free', `PersistentVolumeClaim {{ $labels.persistentvolumeclaim }} has less than ${VOLUME_FREE.warning * 100}% free space (WALs, persistent queues, Kafka logs).`),
      alert('StackVolumeFull', `${free} < ${VOLUME_FREE.critical}`, '1m', 'critical', 'Volume {{ $labels.persistentvolumeclaim }} is almost full', `PersistentVolumeClaim {{ $labels.persistentvolumeclaim }} has less than ${VOLUME_FREE.critical * 100}% free space; writes will fail.`),
    );
  }
  return rules.length ? { name: `${c.stack.name}-platform`, rules } : undefined;
}

/** Seconds of a definition duration ("30s", "2m", "500ms", "1h"; validated by the schema). */
function seconds(d: string): number {
  const ms = durationMs(d);
  if (ms === undefined) throw new Error(`rules: not a duration: ${d}`);
  return ms / 1000;
}

/**
 * The canary's alerts (definition: canary; metric names src/catalog/canary.ts), scoped by the canary's own `env`
 * label: an item lost (not visible within the deadline), the p99 write→visible latency over a threshold, the
 * canary down (its series gone, or its scrape failing where otelstack renders the scrape), and no successful round
 * for many intervals.
 */
function canaryGroup(c: Ctx): RuleGroup | undefined {
  const k = c.t.canary;
  if (!k) return undefined;
  const M = CANARY_METRICS;
  if (!readable(c, 'OtelstackCanary*', [M.missing, `${M.latency}_bucket`, M.rounds, M.lastSuccess])) return undefined;
  const env = { [CANARY_LABELS.env]: c.t.env.name };
  const w = CANARY_ALERTS.window;
  const by = [CANARY_LABELS.env, CANARY_LABELS.signal];
  const absentRounds = `absent(${sel(M.rounds, env)})`;
  const scraped = familyPresence(c.t, familyOf(SCRAPE_METRICS.up)!).present;
  const upJob = `${c.t.env.namespace}/${k.name}`;
  const stale = CANARY_ALERTS.staleIntervals * seconds(k.interval);
  const rules: Rule[] = [
    alert(
      'OtelstackCanaryLoss',
      `${sumBy(by, `increase(${sel(M.missing, env)}[${w}])`)} > 0`,
      '0s',
      'critical',
      'Canary {{ $labels.signal }} lost in {{ $labels.env }}',
      `A canary {{ $labels.signal }} item pushed through the ingestion endpoint was not visible in its backend within the deadline (${k.deadline}) in the last ${w}. Data written now may be lost: check the collectors' export failures and the backend's ingestion errors.`,
    ),
    alert(
      'OtelstackCanarySlow',
      `histogram_quantile(0.99, ${sumBy([...by, 'le'], rate(sel(`${M.latency}_bucket`, { ...env, [CANARY_LABELS.stage]: 'visible' }), w))}) > ${CANARY_ALERTS.latencySeconds}`,
      '10m',
      'warning',
      'Canary {{ $labels.signal }} write→read latency high in {{ $labels.env }}',
      `The p99 time from a canary push until the {{ $labels.signal }} item can be read back is over ${CANARY_ALERTS.latencySeconds} s: a queue is building up between the collectors and the backend.`,
    ),
    alert(
      'OtelstackCanaryDown',
      scraped ? `(${sel(SCRAPE_METRICS.up, { job: upJob })} == 0) or ${absentRounds}` : absentRounds,
      '5m',
      'critical',
      'The canary of {{ $labels.env }} is down',
      `otelstack canary (${k.name}) ${scraped ? 'cannot be scraped, or its series are gone' : 'exposes no series'}: nothing watches the write path of ${c.t.env.name}.`,
      { env: c.t.env.name },
    ),
    alert(
      'OtelstackCanaryNoSuccess',
      `time() - ${sumBy([CANARY_LABELS.env], sel(M.lastSuccess, env), 'max')} > ${stale}`,
      '5m',
      'warning',
      'No successful canary round in {{ $labels.env }}',
      `No canary round has passed every check (every item found, every link followed) for ${CANARY_ALERTS.staleIntervals} intervals (${stale} s).`,
    ),
  ];
  return { name: `${c.stack.name}-canary`, rules };
}

/** RED recording rule names (Prometheus naming convention level:metric:operations). */
export const RED_RECORDS = {
  requests: 'namespace_service:traces_spanmetrics_calls:rate5m',
  errors: 'namespace_service:traces_spanmetrics_errors:rate5m',
  errorRatio: 'namespace_service:traces_spanmetrics_error_ratio:rate5m',
  p50: 'namespace_service:traces_spanmetrics_latency_seconds:p50_rate5m',
  p99: 'namespace_service:traces_spanmetrics_latency_seconds:p99_rate5m',
} as const;

/**
 * RED recording rules over span metrics. Rendered wherever Tempo is the traces engine (the dashboards and any
 * SLO work read them); without a metrics-generator they record nothing, which the grafana renderer reports.
 */
/**
 * The tenants' gateway rate limit on the OTel Collector path (seed 003 level 3: the compose load balancer, catalog
 * HAPROXY_FARO_RATE_LIMIT): one alert per tenant on the requests its frontend refused with 429.
 */
function faroTenantsGroup(c: Ctx): RuleGroup | undefined {
  const tenants = c.t.tenants ?? [];
  if (tenants.length === 0 || !readable(c, 'FaroTenantRateLimited', [HAPROXY_METRICS.frontendRequestsDenied])) return undefined;
  const rules: Rule[] = tenants.map((tn) =>
    alert(
      'FaroTenantRateLimited',
      `${sumBy([HAPROXY_METRICS.proxyLabel], rate(sel(HAPROXY_METRICS.frontendRequestsDenied, { [HAPROXY_METRICS.proxyLabel]: HAPROXY_FARO_RATE_LIMIT.frontend(tn.name) }), RATE_WINDOW))} > 0`,
      '5m',
      'warning',
      `Tenant ${tn.name}'s browsers are refused: above its gateway rate limit`,
      `The gateway's load balancer has refused (${HAPROXY_FARO_RATE_LIMIT.status}) requests of tenant ${tn.name} for 5 minutes: its pages send more than ${tn.rateLimit.perSecond} requests/s (bursts of ${tn.rateLimit.burst}); their telemetry is lost. Lower ${tn.definitionPath}.sampling, or raise ${tn.definitionPath}.rateLimit.`,
      { tenant: tn.name },
    ),
  );
  return { name: `${c.stack.name}-faro-tenants`, rules };
}

function redGroup(c: Ctx): RuleGroup | undefined {
  if (!c.t.engines.some((e) => e.engine === 'tempo')) return undefined;
  const ns = METRICS_GENERATOR_SETUP.spanMetricsNamespaceLabel;
  const by = [ns, 'service'];
  const w = RATE_WINDOW;
  const q = (quantile: number) => `histogram_quantile(${quantile}, ${sumBy(['le', ...by], rate(`${SPAN_METRICS.latency}_bucket`, w))})`;
  const rules: RecordingRule[] = [
    { record: RED_RECORDS.requests, expr: sumBy(by, rate(SPAN_METRICS.calls, w)) },
    { record: RED_RECORDS.errors, expr: sumBy(by, rate(sel(SPAN_METRICS.calls, { status_code: SPAN_METRICS.errorStatus }), w)) },
    { record: RED_RECORDS.errorRatio, expr: `${RED_RECORDS.errors} / ${RED_RECORDS.requests}` },
    { record: RED_RECORDS.p50, expr: q(0.5) },
    { record: RED_RECORDS.p99, expr: q(0.99) },
  ];
  return { name: `${c.stack.name}-red`, interval: '1m', rules };
}

/**
 * Matchers scoping the environment's series. Kubernetes: the environment's namespace (engines run there; a shared
 * collector runs elsewhere and is not scoped). Compose: one metrics backend per environment, nothing to scope.
 */
function scopes(t: Topology): { scope: Matchers; collectorScope: Matchers } {
  if (t.env.target !== 'kubernetes') return { scope: {}, collectorScope: {} };
  const scope = { [NAMESPACE_LABEL]: t.env.namespace };
  return { scope, collectorScope: t.ingestion?.shared ? {} : scope };
}

/** The rule file of one environment. */
export function stackRules(stack: Stack, t: Topology): RuleSet {
  const skipped: RuleSkip[] = [];
  const c: Ctx = { stack, t, skipped, ...scopes(t) };
  const groups = [collectorGroup(c), backendGroup(c), platformGroup(c), canaryGroup(c), faroTenantsGroup(c), redGroup(c)].filter((g): g is RuleGroup => g !== undefined);
  return { file: { groups }, skipped };
}
