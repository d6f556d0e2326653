// `otelstack load`: runs the workers (in this thread for --workers 1, else one worker_thread each), aggregates their
// counters and latency histograms, and optionally reads a sample of the sent traces back from Tempo to report loss.
import { Worker } from 'node:worker_threads';
import { builtFile } from '../../package-root.js';

import { TempoClient } from '../backends/tempo.js';
import { traceTreeSize } from '../otlp/encode.js';
import type { OtlpProtocol } from '../otlp/sender.js';
import type { Signal } from '../otlp/types.js';
import { pollUntil } from '../verify/poll.js';
import type { TraceShape } from './batches.js';
import { runWorker, type StopFlag, type WorkerConfig, type WorkerResult } from './engine.js';
import { addCounters, decodeHistogram, newCounters, newLatencyHistogram, REJECT_KINDS, summarizeLatency, type Counters, type LatencySummary, type RejectKind } from './stats.js';

export interface ReadBackOptions {
  /** Trace ids to sample and read back. */
  readonly count: number;
  readonly tempoUrl: string;
  readonly tenant?: string;
  /** How long to keep looking for the sampled traces. Default 60 000 ms. */
  readonly timeoutMs?: number;
}

export interface LoadOptions {
  readonly endpoint: string;
  readonly protocol: OtlpProtocol;
  readonly headers: Readonly<Record<string, string>>;
  readonly compression: 'none' | 'gzip';
  readonly insecure: boolean;
  readonly signals: readonly Signal[];
  /** Totals over all workers: traces/s, data points/s, log records/s; 0 = unthrottled. */
  readonly rates: Readonly<Record<Signal, number>>;
  readonly durationMs: number;
  readonly workers: number;
  /** Requests in flight per worker and signal. */
  readonly concurrency: number;
  readonly batchSize: number;
  readonly shape: TraceShape;
  /** Per-request timeout. */
  readonly timeoutMs: number;
  readonly readBack?: ReadBackOptions;
}

export interface LoadProgress {
  readonly elapsedMs: number;
  readonly durationMs: number;
  readonly counters: Counters;
}

export interface SignalReport {
  readonly unit: 'spans' | 'data points' | 'log records';
  /** Target rate in traces/s (traces) or items/s; 0 = unthrottled. */
  readonly targetRate: number;
  readonly requests: number;
  readonly failedRequests: number;
  readonly sent: number;
  readonly accepted: number;
  readonly rejected: number;
  /** Accepted items per second of the run. */
  readonly achievedRate: number;
  readonly traces?: { readonly sent: number; readonly accepted: number; readonly achievedRate: number };
  readonly lastError?: string;
}

export interface ReadBackReport {
  readonly tempoUrl: string;
  readonly sampled: number;
  readonly found: number;
  /** Found, but with fewer spans than were sent. */
  readonly incomplete: number;
  readonly missing: number;
  /** missing / sampled */
  readonly loss: number;
  readonly missingTraceIds: readonly string[];
  readonly error?: string;
}

export interface LoadReport {
  readonly endpoint: string;
  readonly protocol: OtlpProtocol;
  readonly compression: 'none' | 'gzip';
  readonly durationMs: number;
  /** Wall time of the sending (first request → last answer), the base of the achieved rates. */
  readonly elapsedMs: number;
  /** Wall time before sending started (encoding the batches, starting worker threads). */
  readonly setupMs: number;
  readonly workers: number;
  readonly concurrency: number;
  readonly batchSize: number;
  readonly shape: TraceShape & { readonly spansPerTrace: number };
  readonly signals: Partial<Record<Signal, SignalReport>>;
  readonly totals: { readonly sent: number; readonly accepted: number; readonly rejected: number; readonly requests: number; readonly failedRequests: number };
  /** Items not accepted, by kind. */
  readonly rejected: Readonly<Record<RejectKind, number>>;
  readonly latencyMs: LatencySummary;
  /** CPU time of this process (all threads) during the run, ms. */
  readonly cpu: { readonly userMs: number; readonly systemMs: number };
  readonly readBack?: ReadBackReport;
  /** Set when sending stopped early because no request reached a server (refused, unreachable, TLS failure). */
  readonly unreachable?: string;
}

const UNITS: Record<Signal, SignalReport['unit']> = { traces: 'spans', metrics: 'data points', logs: 'log records' };

function workerConfigs(o: LoadOptions): WorkerConfig[] {
  return Array.from({ length: o.workers }, (_, index) => ({
    index,
    endpoint: o.endpoint,
    protocol: o.protocol,
    headers: o.headers,
    compression: o.compression,
    insecure: o.insecure,
    timeoutMs: o.timeoutMs,
    signals: o.signals,
    rates: { traces: o.rates.traces / o.workers, metrics: o.rates.metrics / o.workers, logs: o.rates.logs / o.workers },
    concurrency: o.concurrency,
    batchSize: o.batchSize,
    shape: o.shape,
    durationMs: o.durationMs,
    sampleTraces: o.readBack?.count ?? 0,
  }));
}

interface RunningWorker {
  readonly live: () => Counters;
  readonly done: Promise<WorkerResult>;
  stop(): void;
}

function startInThread(cfg: WorkerConfig): RunningWorker {
  const live = newCounters();
  const flag: StopFlag = { stopped: false };
  return { live: () => live, done: runWorker(cfg, live, flag), stop: () => (flag.stopped = true) };
}

function startWorkerThread(cfg: WorkerConfig): RunningWorker {
  let live = newCounters();
  const w = new Worker(builtFile('ops/load/worker.js', 'worker.js'), { workerData: cfg });
  const done = new Promise<WorkerResult>((resolve, reject) => {
    let settled = false;
    w.on('message', (m: { type: string; counters?: Counters; result?: WorkerResult; message?: string }) => {
      if (m.type === 'progress' && m.counters) live = m.counters;
      else if (m.type === 'done' && m.result) {
        settled = true;
        live = m.result.counters;
        resolve(m.result);
      } else if (m.type === 'error') {
        settled = true;
        reject(new Error(`load worker ${cfg.index} failed: ${m.message ?? ''}`));
      }
    });
    w.on('error', (e) => {
      settled = true;
      reject(e);
    });
    w.on('exit', (code) => {
      if (!settled) reject(new Error(`load worker ${cfg.index} exited with code ${code} before reporting`));
    });
  });
  return { live: () => live, done, stop: () => w.postMessage('stop') };
}

/** Reads sampled trace ids back from Tempo, 8 at a time, each until found or the shared deadline. */
export async function readBack(ids: readonly string[], spansPerTrace: number, o: ReadBackOptions): Promise<ReadBackReport> {
  const client = new TempoClient({ url: o.tempoUrl, ...(o.tenant !== undefined ? { tenant: o.tenant } : {}) });
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  let found = 0;
  let incomplete = 0;
  const missing: string[] = [];
  let error: string | undefined;
  let next = 0;
  const one = async (): Promise<void> => {
    while (next < ids.length) {
      const id = ids[next++]!;
      const r = await pollUntil(async () => {
        const t = await client.getTrace(id);
        return t && t.spans.length > 0 ? t : undefined;
      }, deadline);
      if (r.value) {
        found++;
        if (r.value.spans.length < spansPerTrace) incomplete++;
      } else {
        missing.push(id);
        if (r.lastError) error = r.lastError.message;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(8, ids.length) }, one));
  } finally {
    await client.close();
  }
  missing.sort();
  return {
    tempoUrl: o.tempoUrl,
    sampled: ids.length,
    found,
    incomplete,
    missing: missing.length,
    loss: ids.length === 0 ? 0 : missing.length / ids.length,
    missingTraceIds: missing.slice(0, 20),
    ...(error !== undefined ? { error } : {}),
  };
}

export async function runLoad(o: LoadOptions, hooks: { readonly onProgress?: (p: LoadProgress) => void; readonly signal?: AbortSignal } = {}): Promise<LoadReport> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const cfgs = workerConfigs(o);
  const running = cfgs.map((c) => (o.workers === 1 ? startInThread(c) : startWorkerThread(c)));
  const stopAll = (): void => running.forEach((r) => r.stop());
  hooks.signal?.addEventListener('abort', stopAll, { once: true });
  const sum = (): Counters => {
    const c = newCounters();
    for (const r of running) addCounters(c, r.live());
    return c;
  };
  // one worker finding that nothing answers stops them all
  const timer = setInterval(() => {
    const c = sum();
    if (o.signals.some((s) => c[s].unreachable !== undefined)) stopAll();
    hooks.onProgress?.({ elapsedMs: performance.now() - t0, durationMs: o.durationMs, counters: c });
  }, 250);
  let results: WorkerResult[];
  try {
    results = await Promise.all(running.map((r) => r.done));
  } catch (e) {
    stopAll();
    throw e;
  } finally {
    clearInterval(timer);
    hooks.signal?.removeEventListener('abort', stopAll);
  }
  const cpu = process.cpuUsage(cpu0);
  const elapsedMs = Math.max(1, ...results.map((r) => r.sendMs));
  const setupMs = Math.max(0, performance.now() - t0 - elapsedMs);
  const counters = newCounters();
  const hist = newLatencyHistogram();
  for (const r of results) {
    addCounters(counters, r.counters);
    hist.add(decodeHistogram(r.histogram));
  }
  hooks.onProgress?.({ elapsedMs, durationMs: o.durationMs, counters });
  const secs = elapsedMs / 1000;
  const signals: Partial<Record<Signal, SignalReport>> = {};
  for (const s of o.signals) {
    const c = counters[s];
    signals[s] = {
      unit: UNITS[s],
      targetRate: o.rates[s],
      requests: c.requests,
      failedRequests: c.failedRequests,
      sent: c.sent,
      accepted: c.accepted,
      rejected: c.rejected,
      achievedRate: round(c.accepted / secs),
      ...(s === 'traces' ? { traces: { sent: c.traces, accepted: c.acceptedTraces, achievedRate: round(c.acceptedTraces / secs) } } : {}),
      ...(c.lastError !== undefined ? { lastError: c.lastError } : {}),
    };
  }
  const rejected = Object.fromEntries(REJECT_KINDS.map((k) => [k, o.signals.reduce((n, s) => n + counters[s].rejectedByKind[k], 0)])) as Record<RejectKind, number>;
  const total = (f: 'sent' | 'accepted' | 'rejected' | 'requests' | 'failedRequests'): number => o.signals.reduce((n, s) => n + counters[s][f], 0);
  const spansPerTrace = traceTreeSize(o.shape.depth, o.shape.fanOut);

  let readBackReport: ReadBackReport | undefined;
  if (o.readBack && o.readBack.count > 0 && o.signals.includes('traces')) {
    const pool = results.flatMap((r) => r.sampledTraceIds);
    // an even sample across workers: shuffle, then take count
    for (let i = pool.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    readBackReport = await readBack(pool.slice(0, o.readBack.count), spansPerTrace, o.readBack);
  }

  const unreachable = o.signals.map((s) => counters[s].unreachable).find((u) => u !== undefined);
  const latencyMs = summarizeLatency(hist);
  hist.destroy();
  return {
    endpoint: o.endpoint,
    protocol: o.protocol,
    compression: o.compression,
    durationMs: o.durationMs,
    elapsedMs: Math.round(elapsedMs),
    setupMs: Math.round(setupMs),
    workers: o.workers,
    concurrency: o.concurrency,
    batchSize: o.batchSize,
    shape: { ...o.shape, spansPerTrace },
    signals,
    totals: { sent: total('sent'), accepted: total('accepted'), rejected: total('rejected'), requests: total('requests'), failedRequests: total('failedRequests') },
    rejected,
    latencyMs,
    cpu: { userMs: Math.round(cpu.user / 1000), systemMs: Math.round(cpu.system / 1000) },
    ...(readBackReport ? { readBack: readBackReport } : {}),
    ...(unreachable !== undefined ? { unreachable } : {}),
  };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
