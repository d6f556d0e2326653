// One canary round: `runVerify` (the same push, read-back and link-following as `otelstack verify`) with the
// clients wrapped so the round also learns what verify does not report — how long each push took to be accepted,
// every failed read and its kind, and how many copies of each item the backends returned (duplicates) — and its
// report turned into per-signal outcomes for the canary's metrics. Pure orchestration: clients are parameters.
import { CANARY_NAME, CANARY_SIGNALS, type CanaryErrorKind, type CanarySignal } from '../../catalog/canary.js';
import { BackendError } from '../backends/http.js';
import type { Signal, SignalInputs } from '../otlp/types.js';
import type { Clock } from '../verify/poll.js';
import { REAL_CLOCK } from '../verify/poll.js';
import { buildProbe, VERIFY_ID_ATTRIBUTE } from '../verify/probe.js';
import { runVerify, type CheckResult, type ProbeSender, type Readers, type VerifyClients, type VerifyOptions, type VerifyReport } from '../verify/run.js';
import type { VerifyTargets } from '../verify/targets.js';
import { LOKI_API } from '../../catalog/loki.js';

/** What became of one signal's item in a round. */
export interface SignalOutcome {
  readonly signal: CanarySignal;
  /** found: visible within the deadline; missing: pushed (or tried) and not visible; skipped: no backend for it */
  readonly status: 'found' | 'missing' | 'skipped';
  /** the push was tried */
  readonly pushed: boolean;
  /** the push failed (after the sender's retries), with the reason */
  readonly pushError?: string;
  /** ms from the push to each stage reached (accepted, visible, linked, stored) */
  readonly stages: Partial<Record<'accepted' | 'visible' | 'linked' | 'stored', number>>;
  /** copies of the item the backend returned (more than 1: duplicated) */
  readonly copies: number;
  /** the link (exemplar / log → trace) was checked and did not lead to the trace */
  readonly linkBroken: boolean;
  readonly detail: string;
}

export interface QueryErrorCount {
  readonly signal: CanarySignal;
  readonly kind: CanaryErrorKind;
  readonly count: number;
}

export interface RoundReport {
  readonly env: string;
  readonly traceId: string;
  /** every check of the round passed (nothing missing, no broken link, no storage failure) */
  readonly ok: boolean;
  /** ms since the epoch */
  readonly startedAt: number;
  readonly endedAt: number;
  readonly signals: readonly SignalOutcome[];
  readonly queryErrors: readonly QueryErrorCount[];
  /** the underlying verify report */
  readonly verify: VerifyReport;
}

export interface RoundOptions {
  /** An item not visible within this many ms after its push is missing. */
  readonly deadlineMs: number;
  readonly checkStorage?: boolean;
  readonly storageDeadlineMs?: number;
  readonly clock?: Clock;
  readonly backoff?: VerifyOptions['backoff'];
  readonly storageBackoff?: VerifyOptions['storageBackoff'];
  /** Fixed trace id (tests). */
  readonly traceId?: string;
}

function errorKind(e: unknown): CanaryErrorKind {
  return e instanceof BackendError ? e.kind : 'other';
}

/** Readers that count failed reads by signal and kind, and the copies of the round's items in each answer. */
function observe(readers: Readers, traceId: string, rootSpanId: string, logLine: string) {
  const errors = new Map<string, number>();
  const copies: Record<CanarySignal, number> = { traces: 0, metrics: 0, logs: 0 };
  const seen = (s: CanarySignal, n: number) => (copies[s] = Math.max(copies[s], n));
  const counted = async <T>(signal: CanarySignal, f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      const k = `${signal}\u0000${errorKind(e)}`;
      errors.set(k, (errors.get(k) ?? 0) + 1);
      throw e;
    }
  };
  const r = readers;
  const wrapped: Readers = {
    ...(r.traces
      ? {
          traces: {
            getTrace: (id: string) =>
              counted('traces', async () => {
                const t = await r.traces!.getTrace(id);
                // the root span, once per copy the backend holds
                if (t && id === traceId) seen('traces', t.spans.filter((s) => s.traceId === traceId && s.spanId === rootSpanId).length);
                return t;
              }),
          },
        }
      : {}),
    ...(r.metrics
      ? {
          metrics: {
            query: (q: string) =>
              counted('metrics', async () => {
                const res = await r.metrics!.query(q);
                // one series per copy: a second writer of the point (another label set) is a second series
                seen('metrics', res.filter((x) => x.metric[VERIFY_ID_ATTRIBUTE] === traceId).length);
                return res;
              }),
            queryExemplars: (q: string, o: { readonly start: number; readonly end: number }) => counted('metrics', () => r.metrics!.queryExemplars(q, o)),
          },
        }
      : {}),
    ...(r.logs
      ? {
          logs: {
            queryRange: (q: string, o: { readonly start: number; readonly end: number; readonly limit?: number }) =>
              counted('logs', async () => {
                const res = await r.logs!.queryRange(q, o);
                seen('logs', res.filter((x) => x.line === logLine).length);
                return res;
              }),
          },
        }
      : {}),
  };
  const errorCounts = (): QueryErrorCount[] =>
    [...errors].map(([k, count]) => {
      const [signal, kind] = k.split('\u0000') as [CanarySignal, CanaryErrorKind];
      return { signal, kind, count };
    });
  return { readers: wrapped, copies, errorCounts };
}

/** A sender that notes when each signal's push was accepted (ms from the start of the push) or why it failed. */
function timedSender(sender: ProbeSender, clock: Clock) {
  const accepted: Partial<Record<CanarySignal, number>> = {};
  const wrapped: ProbeSender = {
    send: async <S extends Signal>(signal: S, input: SignalInputs[S]) => {
      const start = clock.now();
      const r = await sender.send(signal, input);
      if (r.ok && r.rejected === 0 && (CANARY_SIGNALS as readonly string[]).includes(signal)) accepted[signal as CanarySignal] = clock.now() - start;
      return r;
    },
  };
  return { sender: wrapped, accepted };
}

export async function runRound(targets: VerifyTargets, clients: VerifyClients, o: RoundOptions): Promise<RoundReport> {
  const clock = o.clock ?? REAL_CLOCK;
  const startedAt = clock.now();
  const probe = buildProbe({ stack: targets.stack, env: targets.env, namespace: targets.namespace, now: startedAt, service: CANARY_NAME, ...(o.traceId ? { traceId: o.traceId } : {}) });
  const watched = observe(clients.readers, probe.traceId, probe.rootSpanId, probe.logLine);
  const timed = timedSender(clients.sender, clock);
  // verify's isolation checks are not part of a round; storage only when asked
  const report = await runVerify(
    targets,
    { sender: timed.sender, readers: watched.readers, ...(clients.storage ? { storage: clients.storage } : {}), ...(clients.flush ? { flush: clients.flush } : {}) },
    {
      probe,
      clock,
      timeoutMs: o.deadlineMs,
      checkStorage: o.checkStorage === true,
      ...(o.storageDeadlineMs !== undefined ? { storageTimeoutMs: o.storageDeadlineMs } : {}),
      ...(o.backoff ? { backoff: o.backoff } : {}),
      ...(o.storageBackoff ? { storageBackoff: o.storageBackoff } : {}),
      lokiSelector: `{${LOKI_API.serviceNameLabel}=${JSON.stringify(CANARY_NAME)}}`,
    },
  );
  const find = (kind: CheckResult['kind'], signal: CanarySignal) => report.checks.find((c) => c.kind === kind && c.signal === signal);
  const signals = CANARY_SIGNALS.map((signal): SignalOutcome => {
    const visible = find('visible', signal)!;
    const link = signal === 'metrics' ? find('exemplar-link', signal) : signal === 'logs' ? find('log-link', signal) : undefined;
    const stored = find('storage', signal);
    const stages: SignalOutcome['stages'] = {};
    const accepted = timed.accepted[signal];
    if (accepted !== undefined) stages.accepted = accepted;
    if (visible.status === 'ok' && visible.visibleAfterMs !== undefined) stages.visible = visible.visibleAfterMs;
    if (link?.status === 'ok' && link.visibleAfterMs !== undefined) stages.linked = link.visibleAfterMs;
    if (stored?.status === 'ok' && stored.visibleAfterMs !== undefined) stages.stored = stored.visibleAfterMs;
    const pushed = visible.status !== 'skipped';
    const pushError = pushed && accepted === undefined && visible.status === 'fail' ? visible.detail : undefined;
    return {
      signal,
      status: visible.status === 'ok' ? 'found' : visible.status === 'fail' ? 'missing' : 'skipped',
      pushed,
      ...(pushError !== undefined ? { pushError } : {}),
      stages,
      copies: watched.copies[signal],
      linkBroken: link?.status === 'fail',
      detail: [visible, link, stored].filter((c): c is CheckResult => c !== undefined && c.status !== 'skipped').map((c) => `${c.label}: ${c.detail}`).join('; '),
    };
  });
  return { env: targets.env, traceId: probe.traceId, ok: report.ok, startedAt, endedAt: clock.now(), signals, queryErrors: watched.errorCounts(), verify: report };
}
