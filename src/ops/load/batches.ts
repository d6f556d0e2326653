// Pre-encoded OTLP export requests for the load generator. Each request body is encoded ONCE with src/ops/otlp; what
// must change between sends is then patched in place, without allocating:
//  - trace ids: bytes 8..15 of every span's trace id get a per-trace counter (bytes 0..7 are a random per-worker
//    prefix), so every sent trace is a new one;
//  - timestamps (fixed64 fields: span start/end and event times, data point start/time, log time/observed time)
//    are shifted by the time elapsed since encoding, so long runs stay inside backends' ingestion windows.
// The byte offsets are found by walking the protobuf wire format of the encoded body (protobufjs's Reader) along
// the field numbers of opentelemetry-proto v1.4.0 (see src/ops/otlp/proto.ts).
import { randomBytes } from 'node:crypto';

import protobuf from 'protobufjs';

import { buildTraceTree, encodeRequest, traceTreeSize } from '../otlp/encode.js';
import type { Attributes, LogRecordInput, MetricInput, Signal, SignalInputs, SpanInput } from '../otlp/types.js';

/** A field path spec: field number → nested message spec, or what the field is. */
type Spec = { readonly [field: number]: Spec | 'traceId' | 'time' };

// ExportTraceServiceRequest.resource_spans(1) → ResourceSpans.scope_spans(2) → ScopeSpans.spans(2) → Span:
// trace_id 1, start_time_unix_nano 7, end_time_unix_nano 8, events 11 → Event.time_unix_nano 1.
const TRACE_SPEC: Spec = { 1: { 2: { 2: { 1: 'traceId', 7: 'time', 8: 'time', 11: { 1: 'time' } } } } };
// NumberDataPoint and HistogramDataPoint: start_time_unix_nano 2, time_unix_nano 3 (both fixed64).
const POINT_SPEC: Spec = { 2: 'time', 3: 'time' };
// ExportMetricsServiceRequest.resource_metrics(1) → scope_metrics(2) → metrics(2) → gauge 5 / sum 7 / histogram 9
// → data_points(1).
const METRIC_SPEC: Spec = { 1: { 2: { 2: { 5: { 1: POINT_SPEC }, 7: { 1: POINT_SPEC }, 9: { 1: POINT_SPEC } } } } };
// ExportLogsServiceRequest.resource_logs(1) → scope_logs(2) → log_records(2): time_unix_nano 1, observed 11.
const LOG_SPEC: Spec = { 1: { 2: { 2: { 1: 'time', 11: 'time' } } } };
const SPECS: Record<Signal, Spec> = { traces: TRACE_SPEC, metrics: METRIC_SPEC, logs: LOG_SPEC };

/** Offsets (into `buf`) of trace-id bytes fields and fixed64 time fields along `spec`. */
export function findPatchOffsets(buf: Uint8Array, spec: Spec): { traceIds: number[]; times: number[] } {
  const traceIds: number[] = [];
  const times: number[] = [];
  const r = protobuf.Reader.create(buf);
  const walk = (end: number, s: Spec): void => {
    while (r.pos < end) {
      const tag = r.uint32();
      const field = tag >>> 3;
      const wire = tag & 7;
      const sub = s[field];
      if (wire === 2) {
        const len = r.uint32();
        const start = r.pos;
        if (typeof sub === 'object') walk(start + len, sub);
        else if (sub === 'traceId' && len === 16) traceIds.push(start);
        r.pos = start + len;
      } else if (wire === 1) {
        if (sub === 'time') times.push(r.pos);
        r.skip(8);
      } else {
        r.skipType(wire);
      }
    }
  };
  walk(buf.length, spec);
  return { traceIds, times };
}

const TWO32 = 4294967296;

/** One encoded export request and what to patch in it before each send. Not shared between concurrent sends. */
export class EncodedBatch {
  readonly signal: Signal;
  readonly body: Buffer;
  /** Items (spans, data points, log records) in the request. */
  readonly items: number;
  /** Traces in the request (traces only; 0 otherwise). */
  readonly traces: number;
  private readonly view: DataView;
  private readonly timeOffsets: Int32Array;
  private readonly timeLo: Float64Array;
  private readonly timeHi: Float64Array;
  private readonly idOffsets: Int32Array;
  /** For each trace-id offset, the index of its trace in the request. */
  private readonly idTrace: Int32Array;
  private readonly encodedAtMs: number;

  constructor(signal: Signal, body: Uint8Array, items: number, traceIdOrder: readonly string[], encodedAtMs: number) {
    this.signal = signal;
    this.body = Buffer.from(body); // own copy: it is written in place
    this.items = items;
    this.traces = traceIdOrder.length;
    this.encodedAtMs = encodedAtMs;
    this.view = new DataView(this.body.buffer, this.body.byteOffset, this.body.byteLength);
    const { traceIds, times } = findPatchOffsets(this.body, SPECS[signal]);
    this.timeOffsets = Int32Array.from(times);
    this.timeLo = new Float64Array(times.length);
    this.timeHi = new Float64Array(times.length);
    times.forEach((off, i) => {
      this.timeLo[i] = this.view.getUint32(off, true);
      this.timeHi[i] = this.view.getUint32(off + 4, true);
    });
    const index = new Map(traceIdOrder.map((id, i) => [id, i] as const));
    this.idOffsets = Int32Array.from(traceIds);
    this.idTrace = Int32Array.from(traceIds.map((off) => index.get(this.body.toString('hex', off, off + 16)) ?? 0));
  }

  /** Number of patchable time fields and trace ids (for tests). */
  get patchPoints(): { times: number; traceIds: number } {
    return { times: this.timeOffsets.length, traceIds: this.idOffsets.length };
  }

  /**
   * Prepares the body for a send at `nowMs`: timestamps shifted by nowMs − encodedAt, and (traces) trace `i` of the
   * request gets the counter `firstCounter + i` in the low 8 bytes of its id. No allocation.
   */
  patch(nowMs: number, firstCounter: number): Buffer {
    const deltaNs = Math.max(0, Math.round((nowMs - this.encodedAtMs) * 1e6));
    const dHi = Math.floor(deltaNs / TWO32);
    const dLo = deltaNs - dHi * TWO32;
    const v = this.view;
    const offs = this.timeOffsets;
    for (let i = 0; i < offs.length; i++) {
      let lo = this.timeLo[i]! + dLo;
      let hi = this.timeHi[i]! + dHi;
      if (lo >= TWO32) {
        lo -= TWO32;
        hi += 1;
      }
      const off = offs[i]!;
      v.setUint32(off, lo, true);
      v.setUint32(off + 4, hi, true);
    }
    const ids = this.idOffsets;
    for (let i = 0; i < ids.length; i++) {
      const c = firstCounter + this.idTrace[i]!;
      const hi = Math.floor(c / TWO32);
      v.setUint32(ids[i]! + 8, hi, false);
      v.setUint32(ids[i]! + 12, c - hi * TWO32, false);
    }
    return this.body;
  }
}

/** The trace id a counter value gets under a worker's 8-byte prefix (hex). */
export function traceIdOf(prefixHex: string, counter: number): string {
  const hi = Math.floor(counter / TWO32);
  return `${prefixHex}${hi.toString(16).padStart(8, '0')}${(counter - hi * TWO32).toString(16).padStart(8, '0')}`;
}

export interface TraceShape {
  /** Levels including the root. */
  readonly depth: number;
  readonly fanOut: number;
  /** Attributes per span (beyond the few every root span has). */
  readonly attributes: number;
  /** Share of traces with an error (root span status error), 0..1. */
  readonly errorRatio: number;
}

export interface BatchSetOptions {
  readonly signal: Signal;
  /** How many distinct batches (one per concurrent request slot). */
  readonly count: number;
  /** Items per request: spans (rounded to whole traces), data points, or log records. */
  readonly batchSize: number;
  readonly shape: TraceShape;
  /** 16 hex characters: the high 8 bytes of every trace id this worker sends. */
  readonly traceIdPrefix: string;
  /** Resource attributes of every request. */
  readonly resource: Attributes;
  /** ms since the epoch the encoded timestamps are relative to; default Date.now(). */
  readonly now?: number;
}

const HTTP_ROUTES = ['/api/orders', '/api/orders/{id}', '/api/cart', '/api/checkout', '/api/users/{id}', '/health'];

function randomText(n: number): string {
  return randomBytes(Math.ceil(n / 2)).toString('hex').slice(0, n);
}

function spanAttributes(count: number, path: readonly number[], seq: number): Attributes {
  const a: Record<string, string | number> = {};
  if (path.length === 0) {
    a['http.request.method'] = seq % 5 === 0 ? 'POST' : 'GET';
    a['http.route'] = HTTP_ROUTES[seq % HTTP_ROUTES.length]!;
    a['http.response.status_code'] = 200;
  }
  for (let i = 0; i < count; i++) a[`load.attr.${i}`] = randomText(8 + ((seq + i) % 24));
  return a;
}

function tracesInput(o: BatchSetOptions, batch: number, errorTraces: Set<number>): { input: SignalInputs['traces']; ids: string[]; items: number } {
  const perTrace = traceTreeSize(o.shape.depth, o.shape.fanOut);
  const traces = Math.max(1, Math.round(o.batchSize / perTrace));
  const spans: SpanInput[] = [];
  const ids: string[] = [];
  const start = o.now ?? Date.now();
  for (let t = 0; t < traces; t++) {
    // the low 8 bytes are overwritten by patch(); they only need to be distinct within the request here
    const traceId = `${o.traceIdPrefix}${(batch * traces + t + 1).toString(16).padStart(16, '0')}`;
    ids.push(traceId);
    const seq = batch * traces + t;
    const isError = errorTraces.has(seq);
    spans.push(
      ...buildTraceTree({
        depth: o.shape.depth,
        fanOut: o.shape.fanOut,
        traceId,
        startTime: start - 150,
        durationMs: 100 + (seq % 50),
        namePrefix: HTTP_ROUTES[seq % HTTP_ROUTES.length]!,
        attributes: (path) => spanAttributes(o.shape.attributes, path, seq),
        isError: (path) => isError && path.length === 0,
      }),
    );
  }
  return { input: { resource: o.resource, scope: { name: 'otelstack/load' }, spans }, ids, items: spans.length };
}

function metricsInput(o: BatchSetOptions, batch: number): { input: SignalInputs['metrics']; items: number } {
  const now = o.now ?? Date.now();
  const n = Math.max(1, o.batchSize);
  // three kinds of metric; every series is distinct per batch, so one series is only ever in one request at a time
  const kinds = ['gauge', 'sum', 'histogram'] as const;
  const metrics: MetricInput[] = kinds.map((kind, k) => {
    const count = Math.floor(n / 3) + (k < n % 3 ? 1 : 0);
    const attrs = (i: number): Attributes => ({ batch: String(batch), series: String(i), route: HTTP_ROUTES[i % HTTP_ROUTES.length]! });
    if (kind === 'histogram') {
      return {
        name: 'otelstack_load_request_duration_seconds',
        kind,
        temporality: 'cumulative' as const,
        points: Array.from({ length: count }, (_, i) => ({ attributes: attrs(i), startTime: now - 60_000, time: now, count: 10, sum: 1.5, bounds: [0.05, 0.1, 0.5, 1], bucketCounts: [2, 3, 4, 1, 0] })),
      };
    }
    return {
      name: kind === 'gauge' ? 'otelstack_load_queue_size' : 'otelstack_load_requests_total',
      kind,
      ...(kind === 'sum' ? { monotonic: true, temporality: 'cumulative' as const } : {}),
      points: Array.from({ length: count }, (_, i) => ({ attributes: attrs(i), startTime: now - 60_000, time: now, value: i + 0.5 })),
    } as MetricInput;
  }).filter((m) => m.points.length > 0);
  return { input: { resource: o.resource, scope: { name: 'otelstack/load' }, metrics }, items: n };
}

function logsInput(o: BatchSetOptions, batch: number): { input: SignalInputs['logs']; items: number } {
  const now = o.now ?? Date.now();
  const n = Math.max(1, o.batchSize);
  const severities = [9, 9, 9, 13, 17] as const;
  const records: LogRecordInput[] = Array.from({ length: n }, (_, i) => {
    const sev = severities[(batch + i) % severities.length]!;
    const attributes: Record<string, string | number> = { seq: i, batch };
    for (let a = 0; a < o.shape.attributes; a++) attributes[`load.attr.${a}`] = randomText(8 + ((i + a) % 24));
    return {
      time: now,
      observedTime: now,
      severityNumber: sev,
      severityText: sev === 9 ? 'INFO' : sev === 13 ? 'WARN' : 'ERROR',
      body: `${HTTP_ROUTES[i % HTTP_ROUTES.length]} handled request ${randomText(12)} in ${(i % 250) + 3} ms`,
      attributes,
    };
  });
  return { input: { resource: o.resource, scope: { name: 'otelstack/load' }, records }, items: n };
}

/** `count` distinct encoded batches for one signal (protobuf). */
export function buildBatches(o: BatchSetOptions): EncodedBatch[] {
  const now = o.now ?? Date.now();
  const out: EncodedBatch[] = [];
  // error traces: exactly round(ratio × total) of them, spread evenly over the batches
  const perTrace = traceTreeSize(o.shape.depth, o.shape.fanOut);
  const tracesPerBatch = Math.max(1, Math.round(o.batchSize / perTrace));
  const total = tracesPerBatch * o.count;
  const errors = new Set<number>();
  const nErr = Math.round(o.shape.errorRatio * total);
  for (let k = 0; k < nErr; k++) errors.add(Math.floor((k * total) / nErr));
  for (let b = 0; b < o.count; b++) {
    if (o.signal === 'traces') {
      const t = tracesInput({ ...o, now }, b, errors);
      out.push(new EncodedBatch('traces', encodeRequest('traces', t.input), t.items, t.ids, now));
    } else if (o.signal === 'metrics') {
      const m = metricsInput({ ...o, now }, b);
      out.push(new EncodedBatch('metrics', encodeRequest('metrics', m.input), m.items, [], now));
    } else {
      const l = logsInput({ ...o, now }, b);
      out.push(new EncodedBatch('logs', encodeRequest('logs', l.input), l.items, [], now));
    }
  }
  return out;
}
