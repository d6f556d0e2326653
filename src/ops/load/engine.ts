// One load worker: `concurrency` request slots per signal, each owning one pre-encoded batch (so a body is never
// patched while in flight), paced to the worker's share of the rate, until the duration ends. The hot loop patches
// ids and timestamps in place, sends the bytes as they are, and updates counters and the latency histogram —
// nothing in it allocates per item.
import { randomBytes } from 'node:crypto';

import { createOtlpSender } from '../otlp/index.js';
import type { OtlpProtocol } from '../otlp/sender.js';
import type { Signal } from '../otlp/types.js';
import { buildBatches, traceIdOf, type EncodedBatch, type TraceShape } from './batches.js';
import { classifyFailure, encodeHistogram, newLatencyHistogram, type Counters } from './stats.js';

/**
 * A worker stops when its first this many requests all failed without reaching a server (connection refused, no
 * route, no such host, failed TLS handshake): a load test against nothing reports one message, not thousands of
 * rejections. Once any request was answered, failures are the load test's result and are counted.
 */
export const UNANSWERED_ATTEMPTS = 5;

export interface WorkerConfig {
  readonly index: number;
  readonly endpoint: string;
  readonly protocol: OtlpProtocol;
  readonly headers: Readonly<Record<string, string>>;
  readonly compression: 'none' | 'gzip';
  /** Plaintext gRPC for endpoints without a scheme. */
  readonly insecure: boolean;
  readonly timeoutMs: number;
  readonly signals: readonly Signal[];
  /** This worker's share: traces/s, data points/s, log records/s; 0 = unthrottled. */
  readonly rates: Readonly<Record<Signal, number>>;
  /** Requests in flight per signal. */
  readonly concurrency: number;
  readonly batchSize: number;
  readonly shape: TraceShape;
  readonly durationMs: number;
  /** Trace ids to keep for read-back (a uniform sample of accepted traces). */
  readonly sampleTraces: number;
}

export interface WorkerResult {
  readonly counters: Counters;
  /** Request latencies (µs), compressed base64 HDR histogram. */
  readonly histogram: string;
  readonly sampledTraceIds: readonly string[];
  /** Spans per trace of the shape sent. */
  readonly spansPerTrace: number;
  readonly traceIdPrefix: string;
  /** ms from the first request until the last one finished. */
  readonly sendMs: number;
}

export interface StopFlag {
  stopped: boolean;
}

interface Pacer {
  /** ms between requests (0 = unthrottled) */
  readonly interval: number;
  next: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs one worker until its duration passes or `stop.stopped`; `live` is updated as requests complete. */
export async function runWorker(cfg: WorkerConfig, live: Counters, stop: StopFlag): Promise<WorkerResult> {
  const prefix = randomBytes(8).toString('hex');
  const resource = { 'service.name': 'otelstack-load', 'service.instance.id': `${process.pid}-${cfg.index}`, 'telemetry.sdk.name': 'otelstack' };
  const batches = new Map<Signal, EncodedBatch[]>();
  for (const signal of cfg.signals) {
    batches.set(signal, buildBatches({ signal, count: cfg.concurrency, batchSize: cfg.batchSize, shape: cfg.shape, traceIdPrefix: prefix, resource }));
  }
  const sender = createOtlpSender({
    endpoint: cfg.endpoint,
    protocol: cfg.protocol,
    headers: cfg.headers,
    compression: cfg.compression,
    timeoutMs: cfg.timeoutMs,
    // a load test measures what the receiver does with the load: no retries, every refusal is counted
    retry: false,
    connections: cfg.concurrency * cfg.signals.length,
    ...(cfg.insecure || cfg.endpoint.startsWith('http://') ? { tls: { insecure: true } } : {}),
  });
  const hist = newLatencyHistogram();
  const samples: string[] = [];
  let sampledRequests = 0;
  let counter = 1;
  let answered = false;
  let unanswered = 0;
  const startedAt = performance.now();
  const endAt = startedAt + cfg.durationMs;
  const pacers = new Map<Signal, Pacer>();
  for (const signal of cfg.signals) {
    const b = batches.get(signal)![0]!;
    const unitsPerRequest = signal === 'traces' ? b.traces : b.items;
    const rate = cfg.rates[signal];
    pacers.set(signal, { interval: rate > 0 ? (1000 * unitsPerRequest) / rate : 0, next: startedAt });
  }

  const slot = async (signal: Signal, batch: EncodedBatch): Promise<void> => {
    const pacer = pacers.get(signal)!;
    const c = live[signal];
    for (;;) {
      if (stop.stopped) return;
      let now = performance.now();
      if (now >= endAt) return;
      if (pacer.interval > 0) {
        // never burst more than one interval to catch up after a slow period
        let at = pacer.next;
        if (at < now - pacer.interval) at = now - pacer.interval;
        pacer.next = at + pacer.interval;
        if (at >= endAt) return;
        if (at > now) {
          await sleep(at - now);
          if (stop.stopped) return;
          now = performance.now();
        }
      }
      const first = counter;
      counter += batch.traces;
      const body = batch.patch(Date.now(), first);
      const r = await sender.sendEncoded(signal, body);
      hist.recordValue(Math.max(1, Math.round(r.lastAttemptMs * 1000)));
      c.requests++;
      c.sent += batch.items;
      c.traces += batch.traces;
      if (r.ok) {
        answered = true;
        c.okRequests++;
        const rejected = Math.min(r.rejected, batch.items);
        c.accepted += batch.items - rejected;
        if (rejected > 0) {
          c.rejected += rejected;
          c.rejectedByKind.partial += rejected;
        }
        if (batch.traces > 0) {
          c.acceptedTraces += batch.traces;
          if (cfg.sampleTraces > 0 && rejected === 0) {
            // reservoir sampling over accepted requests, one trace of the request each
            sampledRequests++;
            const pick = first + Math.floor(Math.random() * batch.traces);
            if (samples.length < cfg.sampleTraces) samples.push(traceIdOf(prefix, pick));
            else {
              const j = Math.floor(Math.random() * sampledRequests);
              if (j < cfg.sampleTraces) samples[j] = traceIdOf(prefix, pick);
            }
          }
        }
      } else {
        c.failedRequests++;
        c.rejected += batch.items;
        const kind = classifyFailure(r.status, r.errorCode);
        c.rejectedByKind[kind] += batch.items;
        if (r.error !== undefined) c.lastError = r.error;
        const reachedNothing = kind === 'tls' || (kind === 'network' && r.errorCode !== undefined && r.errorCode !== 'ETIMEDOUT' && r.errorCode !== 'ABORTED');
        if (!reachedNothing) answered = true;
        else if (!answered && ++unanswered >= UNANSWERED_ATTEMPTS && !stop.stopped) {
          stop.stopped = true;
          c.unreachable = `${kind === 'tls' ? 'the TLS handshake failed' : 'nothing answers'} at ${cfg.endpoint}: stopped after the first ${unanswered} requests failed (${r.error ?? r.errorCode})`;
        }
      }
    }
  };

  const slots: Promise<void>[] = [];
  for (const signal of cfg.signals) for (const b of batches.get(signal)!) slots.push(slot(signal, b));
  let sendMs = 0;
  try {
    await Promise.all(slots);
    sendMs = performance.now() - startedAt;
  } finally {
    await sender.close();
  }
  const spansPerTrace = batches.get('traces')?.[0] ? Math.round(batches.get('traces')![0]!.items / batches.get('traces')![0]!.traces) : 0;
  return { counters: live, histogram: encodeHistogram(hist), sampledTraceIds: samples, spansPerTrace, traceIdPrefix: prefix, sendMs };
}
