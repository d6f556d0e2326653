// `otelstack verify`: push one trace, one metric series with an exemplar and one log line through the ingestion
// endpoint, then poll each backend until they are visible, follow exemplar → trace and log → trace, optionally
// prove new objects in the buckets and that another tenant cannot read the data. Pure orchestration: every client
// is a parameter (the CLI builds real ones; tests pass local ones).
import { LOKI_API } from '../../catalog/loki.js';
import { MIMIR_API } from '../../catalog/mimir.js';
import { PROMETHEUS_API } from '../../catalog/prometheus.js';
import { TEMPO_API } from '../../catalog/tempo.js';
import { BackendError } from '../backends/http.js';
import type { LokiEntry } from '../backends/loki.js';
import type { ExemplarSeries, InstantSample } from '../backends/prometheus.js';
import type { ListResult } from '../backends/s3.js';
import type { TempoTrace } from '../backends/tempo.js';
import type { SendResult } from '../otlp/sender.js';
import type { Signal, SignalInputs } from '../otlp/types.js';
import { DEFAULT_BACKOFF, pollUntil, REAL_CLOCK, type Backoff, type Clock, type PollOutcome } from './poll.js';
import { buildProbe, VERIFY_ID_ATTRIBUTE, VERIFY_METRIC, VERIFY_SERVICE, type Probe } from './probe.js';
import type { StorageBucketTarget, VerifyTargets } from './targets.js';

export interface TraceReader {
  getTrace(traceId: string): Promise<TempoTrace | undefined>;
}
export interface MetricsReader {
  query(query: string): Promise<InstantSample[]>;
  queryExemplars(query: string, opts: { readonly start: number; readonly end: number }): Promise<ExemplarSeries[]>;
}
export interface LogReader {
  queryRange(query: string, opts: { readonly start: number; readonly end: number; readonly limit?: number }): Promise<LokiEntry[]>;
}
export interface ObjectLister {
  list(bucket: string, opts: { readonly prefix?: string; readonly since?: Date }): Promise<ListResult>;
}
export interface ProbeSender {
  send<S extends Signal>(signal: S, input: SignalInputs[S]): Promise<SendResult & { readonly items: number }>;
}
export interface Readers {
  readonly traces?: TraceReader;
  readonly metrics?: MetricsReader;
  readonly logs?: LogReader;
}

export interface VerifyClients {
  readonly sender: ProbeSender;
  /** Readers as the tenant under test. */
  readonly readers: Readers;
  /** Readers as another tenant (isolation checks run when given). */
  readonly otherTenant?: { readonly tenant: string; readonly readers: Readers };
  /** Object storage (storage checks run when given and options.checkStorage). */
  readonly storage?: ObjectLister;
  /** Asks the backends to flush before listing buckets; returns one line per backend asked. */
  readonly flush?: () => Promise<readonly string[]>;
}

export interface VerifyOptions {
  /** How long each signal may take to become visible. Default 60 000 ms. */
  readonly timeoutMs?: number;
  readonly checkStorage?: boolean;
  /** How long the storage checks may wait for a flush. Default 900 000 ms. */
  readonly storageTimeoutMs?: number;
  /** LogQL stream selector finding the probe's log stream. Default {service_name="otelstack-verify"}. */
  readonly lokiSelector?: string;
  readonly clock?: Clock;
  readonly backoff?: Backoff;
  readonly storageBackoff?: Backoff;
  /** The items to push (tests); default a fresh probe. */
  readonly probe?: Probe;
  /** Called once per check as soon as its verdict is known (the CLI's progress bar). */
  readonly onCheck?: (c: CheckResult) => void;
}

export type CheckStatus = 'ok' | 'fail' | 'skipped';
export type CheckKind = 'visible' | 'exemplar-link' | 'log-link' | 'storage' | 'isolation';

export interface CheckResult {
  readonly kind: CheckKind;
  readonly signal: 'traces' | 'metrics' | 'logs';
  /** What the table's first column shows, e.g. "traces", "metrics → traces", "storage traces". */
  readonly label: string;
  /** ISO time the probe was pushed (absent when nothing was pushed for this check). */
  readonly pushedAt?: string;
  /** ms from the push until the check passed. */
  readonly visibleAfterMs?: number;
  readonly status: CheckStatus;
  readonly detail: string;
}

export interface VerifyReport {
  readonly stack: string;
  readonly env: string;
  readonly traceId: string;
  readonly ok: boolean;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly endpoints: {
    readonly otlp: string;
    readonly protocol: string;
    readonly traces?: string;
    readonly metrics?: string;
    readonly logs?: string;
    readonly s3?: string;
  };
  readonly checks: readonly CheckResult[];
}

const STORAGE_BACKOFF: Backoff = { initialMs: 1000, maxMs: 15_000, factor: 1.5 };
const TRACE_ID_LABELS = [PROMETHEUS_API.exemplarTraceIdLabel, 'traceID', 'traceId', 'trace.id'];
const LOG_TRACE_ID_FIELDS = [LOKI_API.traceIdField, 'traceid', 'traceID', 'traceId'];

/** Where a signal was pushed, for messages: its engine (a tenant of `tenants`, VerifyTargets.direct) or the gateway. */
function pushTarget(targets: VerifyTargets, signal: Signal): string {
  const d = targets.direct?.[signal as 'traces' | 'metrics' | 'logs'];
  return d ? `${d.endpoint} (${d.protocol}, straight to the engine as tenant ${targets.tenant?.id ?? ''})` : `${targets.otlp.endpoint} (${targets.otlp.protocol})`;
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

function errText(e: Error | undefined): string {
  return e ? e.message : '';
}

/** The detail for a signal that never showed up: the last error when there was one, else "not visible". */
function notVisible(what: string, url: string, timeoutMs: number, o: PollOutcome<unknown>, tenant: string | undefined): string {
  if (o.fatal) return `${what}: ${errText(o.lastError)}`;
  if (o.lastError instanceof BackendError && (o.lastError.kind === 'unreachable' || o.lastError.kind === 'timeout')) {
    return `${what}: ${url} unreachable for ${secs(timeoutMs)}: ${o.lastError.message}`;
  }
  const hint = tenant !== undefined ? ` (read as tenant ${JSON.stringify(tenant)}: is that the tenant the collector writes to?)` : '';
  return `${what} not visible in ${url} within ${secs(timeoutMs)} (${o.attempts} queries)${hint}${o.lastError ? `; last error: ${o.lastError.message}` : ''}`;
}

function traceIdOfLabels(labels: Readonly<Record<string, string>>, fields: readonly string[]): string | undefined {
  for (const f of fields) {
    const v = labels[f];
    if (v && /^[0-9a-fA-F]{32}$/.test(v)) return v.toLowerCase();
  }
  return undefined;
}

export async function runVerify(targets: VerifyTargets, clients: VerifyClients, options: VerifyOptions = {}): Promise<VerifyReport> {
  const clock = options.clock ?? REAL_CLOCK;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const started = clock.now();
  const probe = options.probe ?? buildProbe({ stack: targets.stack, env: targets.env, namespace: targets.namespace, now: started });
  const id = probe.traceId;
  const selector = options.lokiSelector ?? `{${LOKI_API.serviceNameLabel}=${JSON.stringify(VERIFY_SERVICE)}}`;
  const metricQuery = `${VERIFY_METRIC}{${VERIFY_ID_ATTRIBUTE}=${JSON.stringify(id)}}`;
  const logQuery = `${selector} |= ${JSON.stringify(id)}`;
  const { readers } = clients;

  // 1. push, all three at once
  const pushedAtMs = clock.now();
  const pushedAt = new Date(pushedAtMs).toISOString();
  const deadline = pushedAtMs + timeoutMs;
  const push = async <S extends Signal>(signal: S, input: SignalInputs[S]): Promise<string | undefined> => {
    try {
      const r = await clients.sender.send(signal, input);
      if (!r.ok) return `push to ${pushTarget(targets, signal)} failed: ${r.error ?? r.status}${r.attempts > 1 ? ` after ${r.attempts} attempts` : ''}`;
      if (r.rejected > 0) return `the collector rejected ${r.rejected} of ${r.items} item(s): ${r.partialSuccessMessage ?? 'partial success'}`;
      return undefined;
    } catch (e) {
      return `push to ${pushTarget(targets, signal)} failed: ${(e as Error).message}`;
    }
  };
  const [traceErr, metricErr, logErr] = await Promise.all([push('traces', probe.traces), push('metrics', probe.metrics), push('logs', probe.logs)]);
  const pushErr: Record<'traces' | 'metrics' | 'logs', string | undefined> = { traces: traceErr, metrics: metricErr, logs: logErr };

  const after = (at: number | undefined): { visibleAfterMs?: number } => (at === undefined ? {} : { visibleAfterMs: Math.max(0, at - pushedAtMs) });
  const check = (kind: CheckKind, signal: CheckResult['signal'], label: string, status: CheckStatus, detail: string, at?: number): CheckResult => {
    const c: CheckResult = {
      kind,
      signal,
      label,
      ...(status === 'skipped' ? {} : { pushedAt }),
      ...(status === 'ok' ? after(at) : {}),
      status,
      detail,
    };
    options.onCheck?.(c);
    return c;
  };

  // 2. visibility of each signal
  const traceVisible = async (): Promise<{ result: CheckResult; trace?: TempoTrace }> => {
    const label = 'traces';
    if (!readers.traces || !targets.traces) return { result: check('visible', 'traces', label, 'skipped', 'no traces backend for this environment (give --tempo-url)') };
    if (pushErr.traces) return { result: check('visible', 'traces', label, 'fail', pushErr.traces) };
    const reader = readers.traces;
    const o = await pollUntil(async () => {
      const t = await reader.getTrace(id);
      return t && t.spans.some((s) => s.traceId === id) ? t : undefined;
    }, deadline, clock, backoff);
    if (!o.value) return { result: check('visible', 'traces', label, 'fail', notVisible(`trace ${id}`, targets.traces.url, timeoutMs, o, targets.traces.tenant)) };
    const spans = o.value.spans.filter((s) => s.traceId === id);
    const services = [...new Set(spans.map((s) => s.serviceName).filter((x): x is string => !!x))].sort();
    const complete = spans.length >= probe.traces.spans.length;
    return {
      trace: o.value,
      result: check(
        'visible',
        'traces',
        label,
        'ok',
        `trace ${id}: ${spans.length} of ${probe.traces.spans.length} spans${services.length ? `, service ${services.join(', ')}` : ''}${complete ? '' : ' (partial)'}${o.value.status && o.value.status !== 'COMPLETE' ? ` [${o.value.status}]` : ''}`,
        o.at,
      ),
    };
  };

  const metricVisible = async (): Promise<CheckResult> => {
    const label = 'metrics';
    if (!readers.metrics || !targets.metrics) return check('visible', 'metrics', label, 'skipped', 'no metrics backend for this environment (give --mimir-url or --prometheus-url)');
    if (pushErr.metrics) return check('visible', 'metrics', label, 'fail', pushErr.metrics);
    const reader = readers.metrics;
    const o = await pollUntil(async () => {
      const r = await reader.query(metricQuery);
      return r.length > 0 ? r : undefined;
    }, deadline, clock, backoff);
    if (!o.value) return check('visible', 'metrics', label, 'fail', notVisible(`series ${metricQuery}`, targets.metrics.url, timeoutMs, o, targets.metrics.tenant));
    const s = o.value[0]!;
    const job = s.metric['job'];
    return check('visible', 'metrics', label, 'ok', `series ${metricQuery} = ${s.value}${job ? ` (job ${job})` : ''}`, o.at);
  };

  const logVisible = async (): Promise<{ result: CheckResult; entry?: LokiEntry }> => {
    const label = 'logs';
    if (!readers.logs || !targets.logs) return { result: check('visible', 'logs', label, 'skipped', 'no logs backend for this environment (give --loki-url)') };
    if (pushErr.logs) return { result: check('visible', 'logs', label, 'fail', pushErr.logs) };
    const reader = readers.logs;
    const o = await pollUntil(async () => {
      const r = await reader.queryRange(logQuery, { start: pushedAtMs - 300_000, end: clock.now() + 60_000, limit: 10 });
      return r.length > 0 ? r[0] : undefined;
    }, deadline, clock, backoff);
    if (!o.value) return { result: check('visible', 'logs', label, 'fail', notVisible(`log line ${logQuery}`, targets.logs.url, timeoutMs, o, targets.logs.tenant)) };
    return { entry: o.value, result: check('visible', 'logs', label, 'ok', `log line ${JSON.stringify(o.value.line.slice(0, 80))}`, o.at) };
  };

  /** Follows a trace id found on another signal to Tempo. */
  const resolveTrace = async (linked: string): Promise<{ ok: boolean; detail: string; at?: number }> => {
    if (!readers.traces || !targets.traces) return { ok: false, detail: `trace_id ${linked} found; no traces backend to resolve it in` };
    const reader = readers.traces;
    const o = await pollUntil(async () => {
      const t = await reader.getTrace(linked);
      return t && t.spans.length > 0 ? t : undefined;
    }, deadline, clock, backoff);
    if (!o.value) return { ok: false, detail: notVisible(`linked trace ${linked}`, targets.traces.url, timeoutMs, o, targets.traces.tenant) };
    return { ok: true, detail: `trace_id ${linked} → Tempo trace with ${o.value.spans.length} spans`, ...(o.at !== undefined ? { at: o.at } : {}) };
  };

  const exemplarLink = async (metrics: CheckResult): Promise<CheckResult> => {
    const label = 'metrics → traces';
    if (metrics.status !== 'ok' || !readers.metrics) return check('exemplar-link', 'metrics', label, 'skipped', 'needs the metric series');
    const reader = readers.metrics;
    const o = await pollUntil(async () => {
      const series = await reader.queryExemplars(metricQuery, { start: (pushedAtMs - 300_000) / 1000, end: (clock.now() + 60_000) / 1000 });
      for (const s of series) for (const e of s.exemplars) {
        const t = traceIdOfLabels(e.labels, TRACE_ID_LABELS);
        if (t) return t;
      }
      return undefined;
    }, deadline, clock, backoff);
    if (!o.value) {
      const why = o.lastError ? `: ${o.lastError.message}` : '';
      return check(
        'exemplar-link',
        'metrics',
        label,
        'fail',
        `no exemplar with a trace id on ${metricQuery} within ${secs(timeoutMs)}${why} — exemplar storage must be on (Mimir: ${MIMIR_API.exemplarsLimit} > 0; Prometheus: --enable-feature=exemplar-storage)`,
      );
    }
    if (o.value !== id) return check('exemplar-link', 'metrics', label, 'fail', `the exemplar points to trace ${o.value}, not the pushed ${id}`);
    const r = await resolveTrace(o.value);
    return check('exemplar-link', 'metrics', label, r.ok ? 'ok' : 'fail', `exemplar ${r.detail}`, r.at);
  };

  const logLink = async (logs: CheckResult, entry: LokiEntry | undefined): Promise<CheckResult> => {
    const label = 'logs → traces';
    if (logs.status !== 'ok' || !entry) return check('log-link', 'logs', label, 'skipped', 'needs the log line');
    const linked = traceIdOfLabels(entry.labels, LOG_TRACE_ID_FIELDS) ?? /\b([0-9a-f]{32})\b/i.exec(entry.line)?.[1]?.toLowerCase();
    if (!linked) return check('log-link', 'logs', label, 'fail', `the log line carries no trace id (no ${LOKI_API.traceIdField} structured metadata, none in the line)`);
    if (linked !== id) return check('log-link', 'logs', label, 'fail', `the log line points to trace ${linked}, not the pushed ${id}`);
    const r = await resolveTrace(linked);
    return check('log-link', 'logs', label, r.ok ? 'ok' : 'fail', `log ${r.detail}`, r.at);
  };

  // each link follows as soon as its own signal is visible, so its time is measured from the push, not from the end
  // of the slowest visibility poll
  const metricsThenLink = metricVisible().then(async (mv) => ({ mv, el: await exemplarLink(mv) }));
  const logsThenLink = logVisible().then(async (lv) => ({ lv, ll: await logLink(lv.result, lv.entry) }));
  const [tv, { mv, el }, { lv, ll }] = await Promise.all([traceVisible(), metricsThenLink, logsThenLink]);
  const checks: CheckResult[] = [tv.result, mv, lv.result, el, ll];

  // 3. tenant isolation: another tenant must not see what the tenant under test sees
  if (clients.otherTenant) {
    const other = clients.otherTenant;
    const denied = (e: unknown): boolean => e instanceof BackendError && e.kind === 'http' && (e.status === 401 || e.status === 403 || e.status === 404);
    const isolation = async (signal: 'traces' | 'metrics' | 'logs', visible: CheckResult, read: (() => Promise<boolean>) | undefined): Promise<CheckResult> => {
      const label = `isolation ${signal}`;
      if (visible.status !== 'ok' || !read) return check('isolation', signal, label, 'skipped', `needs the ${signal} visible to the tenant under test`);
      try {
        const seen = await read();
        return seen
          ? check('isolation', signal, label, 'fail', `tenant ${JSON.stringify(other.tenant)} can read the ${signal} pushed for the tenant under test`)
          : check('isolation', signal, label, 'ok', `tenant ${JSON.stringify(other.tenant)} cannot read them`);
      } catch (e) {
        if (denied(e)) return check('isolation', signal, label, 'ok', `tenant ${JSON.stringify(other.tenant)} is refused: ${(e as Error).message.slice(0, 120)}`);
        return check('isolation', signal, label, 'fail', `could not check as tenant ${JSON.stringify(other.tenant)}: ${(e as Error).message}`);
      }
    };
    const r = other.readers;
    checks.push(
      ...(await Promise.all([
        isolation('traces', tv.result, r.traces ? async () => ((await r.traces!.getTrace(id))?.spans.length ?? 0) > 0 : undefined),
        isolation('metrics', mv, r.metrics ? async () => (await r.metrics!.query(metricQuery)).length > 0 : undefined),
        isolation('logs', lv.result, r.logs ? async () => (await r.logs!.queryRange(logQuery, { start: pushedAtMs - 300_000, end: clock.now() + 60_000, limit: 10 })).length > 0 : undefined),
      ])),
    );
  }

  // 4. storage: new objects in each data bucket after a flush
  if (options.checkStorage) {
    const storageDeadline = pushedAtMs + (options.storageTimeoutMs ?? 900_000);
    const since = new Date(pushedAtMs - 1000);
    let flushed: readonly string[] = [];
    if (clients.flush) flushed = await clients.flush();
    const storageCheck = async (b: StorageBucketTarget): Promise<CheckResult> => {
      const label = `storage ${b.signal}`;
      const where = `s3://${b.bucket}/${b.prefix}`;
      if (!clients.storage || !targets.storage.endpoint) return check('storage', b.signal, label, 'skipped', `no object storage endpoint (give --s3-endpoint)`);
      if (pushErr[b.signal]) return check('storage', b.signal, label, 'skipped', `nothing was pushed for ${b.signal}`);
      const lister = clients.storage;
      const o = await pollUntil(async () => {
        const r = await lister.list(b.bucket, { prefix: b.prefix, since });
        return r.objects.length > 0 ? r : undefined;
      }, storageDeadline, clock, options.storageBackoff ?? STORAGE_BACKOFF);
      if (!o.value) {
        const err = o.lastError ? `: ${o.lastError.message}` : '';
        const storageMs = options.storageTimeoutMs ?? 900_000;
        const flushNote = flushed.length
          ? ` (flush asked: ${flushed.join('; ')})`
          : b.engine === 'loki' && storageMs < LOKI_API.chunkIdlePeriodMs
            ? ` (Loki keeps a quiet chunk in memory for its chunk_idle_period, by default ${secs(LOKI_API.chunkIdlePeriodMs)}, longer than the storage timeout: use --flush)`
            : b.engine === 'tempo'
              ? ` (${TEMPO_API.noFlush}; try a longer --storage-timeout)`
              : ' (try --flush, or a longer --storage-timeout)';
        return check('storage', b.signal, label, 'fail', `no new object under ${where} within ${secs((options.storageTimeoutMs ?? 900_000))}${err}${flushNote}`);
      }
      const first = o.value.objects[0]!;
      return check('storage', b.signal, label, 'ok', `${o.value.objects.length} new object(s) under ${where} (${b.engine} ${b.purpose}), e.g. ${first.key}`, o.at);
    };
    const buckets = targets.storage.buckets.filter((b) => (b.signal === 'traces' ? targets.traces : b.signal === 'metrics' ? targets.metrics : targets.logs) !== undefined);
    if (buckets.length === 0) checks.push(check('storage', 'traces', 'storage', 'skipped', 'the environment has no data buckets for the verified signals'));
    checks.push(...(await Promise.all(buckets.map(storageCheck))));
  }

  const ok = checks.every((c) => c.status !== 'fail');
  return {
    stack: targets.stack,
    env: targets.env,
    traceId: id,
    ok,
    startedAt: new Date(started).toISOString(),
    durationMs: clock.now() - started,
    endpoints: {
      otlp: targets.direct ? `as tenant ${targets.tenant?.id ?? ''}, to each engine: ${(['traces', 'metrics', 'logs'] as const).flatMap((g) => (targets.direct![g] ? [`${g} ${targets.direct![g]!.endpoint}`] : [])).join(', ')}` : targets.otlp.endpoint,
      protocol: targets.otlp.protocol,
      ...(targets.traces ? { traces: targets.traces.url } : {}),
      ...(targets.metrics ? { metrics: targets.metrics.url } : {}),
      ...(targets.logs ? { logs: targets.logs.url } : {}),
      ...(options.checkStorage && targets.storage.endpoint ? { s3: targets.storage.endpoint } : {}),
    },
    checks,
  };
}
