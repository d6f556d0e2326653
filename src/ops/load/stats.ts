// Counters and latency histograms of a load run. Counters are plain objects (they cross worker_threads
// boundaries by structured clone); latencies go into an HDR histogram (hdr-histogram-js) in microseconds, shipped
// between threads in its compressed base64 encoding.
import hdr from 'hdr-histogram-js';

import { isTlsErrorCode, UNREACHABLE_ERROR_CODES, type GrpcStatusName } from '../otlp/sender.js';
import type { Signal } from '../otlp/types.js';

/**
 * Why items were not accepted: HTTP 429 / gRPC RESOURCE_EXHAUSTED, HTTP 503 / gRPC UNAVAILABLE from a server that
 * answered, other 4xx-like, other 5xx-like, no answer (connection refused, timeout, reset), a failed TLS handshake,
 * partial success.
 */
export type RejectKind = '429' | '503' | '4xx' | '5xx' | 'network' | 'tls' | 'partial';
export const REJECT_KINDS: readonly RejectKind[] = ['429', '503', '4xx', '5xx', 'network', 'tls', 'partial'];

export interface SignalCounters {
  requests: number;
  okRequests: number;
  failedRequests: number;
  /** Items (spans, data points, log records) in all requests sent. */
  sent: number;
  accepted: number;
  rejected: number;
  /** Traces sent / accepted (traces only). */
  traces: number;
  acceptedTraces: number;
  rejectedByKind: Record<RejectKind, number>;
  /** Last error text seen (for the report), if any. */
  lastError?: string;
  /** Set when the worker stopped early because nothing answered (see UNANSWERED_ATTEMPTS). */
  unreachable?: string;
}

export type Counters = Record<Signal, SignalCounters>;

export function newSignalCounters(): SignalCounters {
  return { requests: 0, okRequests: 0, failedRequests: 0, sent: 0, accepted: 0, rejected: 0, traces: 0, acceptedTraces: 0, rejectedByKind: { '429': 0, '503': 0, '4xx': 0, '5xx': 0, network: 0, tls: 0, partial: 0 } };
}

export function newCounters(): Counters {
  return { traces: newSignalCounters(), metrics: newSignalCounters(), logs: newSignalCounters() };
}

export function addCounters(into: Counters, from: Counters): void {
  for (const s of ['traces', 'metrics', 'logs'] as const) {
    const a = into[s];
    const b = from[s];
    a.requests += b.requests;
    a.okRequests += b.okRequests;
    a.failedRequests += b.failedRequests;
    a.sent += b.sent;
    a.accepted += b.accepted;
    a.rejected += b.rejected;
    a.traces += b.traces;
    a.acceptedTraces += b.acceptedTraces;
    for (const k of REJECT_KINDS) a.rejectedByKind[k] += b.rejectedByKind[k];
    if (b.lastError !== undefined) a.lastError = b.lastError;
    if (b.unreachable !== undefined) a.unreachable = b.unreachable;
  }
}

const GRPC_CLIENT_SIDE: ReadonlySet<GrpcStatusName> = new Set<GrpcStatusName>([
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'FAILED_PRECONDITION',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'UNAUTHENTICATED',
]);

/**
 * The kind of a failed export from its last status (HTTP code, gRPC status name, or null = no answer) and the
 * low-level error code when the connection itself failed (gRPC reports those as UNAVAILABLE too).
 */
export function classifyFailure(status: number | GrpcStatusName | null, errorCode?: string): Exclude<RejectKind, 'partial'> {
  if (isTlsErrorCode(errorCode)) return 'tls';
  if (errorCode !== undefined && UNREACHABLE_ERROR_CODES.has(errorCode)) return 'network';
  if (status === null) return 'network';
  if (typeof status === 'number') {
    if (status === 429) return '429';
    if (status === 503) return '503';
    if (status >= 400 && status < 500) return '4xx';
    return '5xx';
  }
  if (status === 'RESOURCE_EXHAUSTED') return '429';
  if (status === 'UNAVAILABLE') return '503';
  if (status === 'DEADLINE_EXCEEDED' || status === 'CANCELLED') return 'network';
  if (GRPC_CLIENT_SIDE.has(status)) return '4xx';
  return '5xx';
}

export type Histogram = hdr.Histogram;

/** Request latency histogram in µs: 1 µs .. 10 min, 3 significant digits. */
export function newLatencyHistogram(): Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3, bitBucketSize: 'packed', autoResize: true });
}

export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeHistogram(s: string): Histogram {
  return hdr.decodeFromCompressedBase64(s, 'packed', false);
}

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Percentiles in ms (3 decimals). */
export function summarizeLatency(h: Histogram): LatencySummary {
  const ms = (us: number): number => Math.round(us) / 1000;
  if (h.totalCount === 0) return { count: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0 };
  return {
    count: h.totalCount,
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    max: ms(h.maxValue),
    mean: ms(h.mean),
  };
}
