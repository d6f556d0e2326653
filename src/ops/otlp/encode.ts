// Builds OTLP export requests from typed inputs and encodes them as protobuf (via protobufjs and the
// official .proto files, see proto.ts) or as OTLP/JSON.
import { randomBytes } from 'node:crypto';

import { otlpSchema } from './proto.js';
import {
  OtlpCodecError,
  type AttributeValue,
  type Attributes,
  type ExemplarInput,
  type HistogramPointInput,
  type LogRecordInput,
  type LogsInput,
  type MetricInput,
  type MetricsInput,
  type NumberPointInput,
  type OtlpEncoding,
  type ScopeInput,
  type Signal,
  type SignalInputs,
  type SpanInput,
  type SpanKindName,
  type StatusCodeName,
  type Temporality,
  type Timestamp,
  type TracesInput,
} from './types.js';

/** Default instrumentation scope of items built by otelstack. */
export const DEFAULT_SCOPE: ScopeInput = { name: 'otelstack' };

// ---------------------------------------------------------------------------------------------------
// ids and time
// ---------------------------------------------------------------------------------------------------

const TRACE_ID_RE = /^[0-9a-fA-F]{32}$/;
const SPAN_ID_RE = /^[0-9a-fA-F]{16}$/;

/** A random, valid (non-zero) 16-byte trace id as 32 lowercase hex characters. */
export function randomTraceId(): string {
  for (;;) {
    const id = randomBytes(16).toString('hex');
    if (!/^0+$/.test(id)) return id;
  }
}

/** A random, valid (non-zero) 8-byte span id as 16 lowercase hex characters. */
export function randomSpanId(): string {
  for (;;) {
    const id = randomBytes(8).toString('hex');
    if (!/^0+$/.test(id)) return id;
  }
}

function idBytes(hex: string, kind: 'trace' | 'span', where: string): Buffer {
  const re = kind === 'trace' ? TRACE_ID_RE : SPAN_ID_RE;
  if (!re.test(hex) || /^0+$/.test(hex)) {
    const len = kind === 'trace' ? 32 : 16;
    throw new OtlpCodecError(`${where}: ${kind} id must be ${len} hex characters and not all zero, got ${JSON.stringify(hex)}`);
  }
  return Buffer.from(hex, 'hex');
}

/** Nanoseconds since the epoch as a decimal string (the form protobufjs and OTLP/JSON take for 64-bit ints). */
export function toUnixNano(t: Timestamp): string {
  if (typeof t === 'bigint') {
    if (t < 0n) throw new OtlpCodecError(`timestamp must not be negative, got ${t}`);
    return t.toString();
  }
  const ms = t instanceof Date ? t.getTime() : t;
  if (!Number.isFinite(ms) || ms < 0) throw new OtlpCodecError(`timestamp must be a finite, non-negative number of ms, got ${ms}`);
  const whole = Math.trunc(ms);
  const fracNs = Math.round((ms - whole) * 1e6);
  return (BigInt(whole) * 1_000_000n + BigInt(fracNs)).toString();
}

/** Current time in ns since the epoch, with sub-millisecond resolution. */
export function nowUnixNano(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e3)) * 1000n;
}

// ---------------------------------------------------------------------------------------------------
// request objects in protobufjs form (camelCase fields, bytes as Buffer, 64-bit ints as strings)
// ---------------------------------------------------------------------------------------------------

/** A message in protobufjs's plain-object form. Internal: the public API never exposes it. */
type PbObject = { [field: string]: PbValue };
type PbValue = string | number | boolean | Uint8Array | PbObject | PbValue[] | undefined;

function anyValue(v: AttributeValue, where: string): PbObject {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'bigint') return { intValue: v.toString() };
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return { intValue: v.toString() };
    return { doubleValue: v };
  }
  if (v instanceof Uint8Array) return { bytesValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map((x: AttributeValue, i: number) => anyValue(x, `${where}[${i}]`)) } };
  const obj = v as { readonly [key: string]: AttributeValue };
  if ('__otlpDouble' in obj && typeof obj['__otlpDouble'] === 'number' && Object.keys(obj).length === 1) {
    return { doubleValue: obj['__otlpDouble'] };
  }
  return { kvlistValue: { values: keyValues(obj, where) } };
}

function keyValues(attrs: Attributes | undefined, where: string): PbObject[] {
  if (!attrs) return [];
  const out: PbObject[] = [];
  for (const key of Object.keys(attrs)) {
    const value = attrs[key];
    if (value === undefined) continue;
    out.push({ key, value: anyValue(value, `${where}.${key}`) });
  }
  return out;
}

function resourceObject(attrs: Attributes | undefined): PbObject {
  return { attributes: keyValues(attrs, 'resource') };
}

function scopeObject(scope: ScopeInput | undefined): PbObject {
  const s = scope ?? DEFAULT_SCOPE;
  const o: PbObject = { name: s.name, attributes: keyValues(s.attributes, 'scope') };
  if (s.version !== undefined) o['version'] = s.version;
  return o;
}

const SPAN_KIND: Record<SpanKindName, number> = {
  unspecified: 0,
  internal: 1,
  server: 2,
  client: 3,
  producer: 4,
  consumer: 5,
};
const STATUS_CODE: Record<StatusCodeName, number> = { unset: 0, ok: 1, error: 2 };

function spanObject(s: SpanInput, i: number): PbObject {
  const where = `spans[${i}]`;
  const start = toUnixNano(s.startTime ?? nowUnixNano());
  const o: PbObject = {
    traceId: idBytes(s.traceId, 'trace', `${where}.traceId`),
    spanId: idBytes(s.spanId, 'span', `${where}.spanId`),
    name: s.name,
    kind: SPAN_KIND[s.kind ?? 'internal'],
    startTimeUnixNano: start,
    endTimeUnixNano: s.endTime === undefined ? start : toUnixNano(s.endTime),
    attributes: keyValues(s.attributes, `${where}.attributes`),
  };
  if (s.parentSpanId !== undefined) o['parentSpanId'] = idBytes(s.parentSpanId, 'span', `${where}.parentSpanId`);
  if (s.traceState !== undefined) o['traceState'] = s.traceState;
  if (s.flags !== undefined) o['flags'] = s.flags;
  if (s.status) {
    const st: PbObject = { code: STATUS_CODE[s.status.code] };
    if (s.status.message !== undefined) st['message'] = s.status.message;
    o['status'] = st;
  }
  if (s.events?.length) {
    o['events'] = s.events.map((e, j) => ({
      name: e.name,
      timeUnixNano: e.time === undefined ? start : toUnixNano(e.time),
      attributes: keyValues(e.attributes, `${where}.events[${j}].attributes`),
    }));
  }
  if (s.links?.length) {
    o['links'] = s.links.map((l, j) => {
      const lo: PbObject = {
        traceId: idBytes(l.traceId, 'trace', `${where}.links[${j}].traceId`),
        spanId: idBytes(l.spanId, 'span', `${where}.links[${j}].spanId`),
        attributes: keyValues(l.attributes, `${where}.links[${j}].attributes`),
      };
      if (l.traceState !== undefined) lo['traceState'] = l.traceState;
      return lo;
    });
  }
  return o;
}

function exemplarObject(e: ExemplarInput, pointTime: string, where: string): PbObject {
  const o: PbObject = {
    timeUnixNano: e.time === undefined ? pointTime : toUnixNano(e.time),
    filteredAttributes: keyValues(e.filteredAttributes, `${where}.filteredAttributes`),
  };
  if (typeof e.value === 'bigint') o['asInt'] = e.value.toString();
  else o['asDouble'] = e.value;
  if (e.traceId !== undefined) o['traceId'] = idBytes(e.traceId, 'trace', `${where}.traceId`);
  if (e.spanId !== undefined) o['spanId'] = idBytes(e.spanId, 'span', `${where}.spanId`);
  return o;
}

function numberPoint(p: NumberPointInput, where: string): PbObject {
  const time = toUnixNano(p.time ?? nowUnixNano());
  const o: PbObject = {
    attributes: keyValues(p.attributes, `${where}.attributes`),
    timeUnixNano: time,
  };
  if (p.startTime !== undefined) o['startTimeUnixNano'] = toUnixNano(p.startTime);
  if (typeof p.value === 'bigint') o['asInt'] = p.value.toString();
  else o['asDouble'] = p.value;
  if (p.exemplars?.length) o['exemplars'] = p.exemplars.map((e, j) => exemplarObject(e, time, `${where}.exemplars[${j}]`));
  return o;
}

function histogramPoint(p: HistogramPointInput, where: string): PbObject {
  if (p.bucketCounts.length !== p.bounds.length + 1) {
    throw new OtlpCodecError(`${where}: bucketCounts must have bounds.length + 1 (${p.bounds.length + 1}) entries, got ${p.bucketCounts.length}`);
  }
  const time = toUnixNano(p.time ?? nowUnixNano());
  const o: PbObject = {
    attributes: keyValues(p.attributes, `${where}.attributes`),
    timeUnixNano: time,
    count: String(p.count),
    bucketCounts: p.bucketCounts.map((c) => String(c)),
    explicitBounds: [...p.bounds],
  };
  if (p.startTime !== undefined) o['startTimeUnixNano'] = toUnixNano(p.startTime);
  if (p.sum !== undefined) o['sum'] = p.sum;
  if (p.min !== undefined) o['min'] = p.min;
  if (p.max !== undefined) o['max'] = p.max;
  if (p.exemplars?.length) o['exemplars'] = p.exemplars.map((e, j) => exemplarObject(e, time, `${where}.exemplars[${j}]`));
  return o;
}

function temporality(t: Temporality | undefined): number {
  return t === 'delta' ? 1 : 2;
}

function metricObject(m: MetricInput, i: number): PbObject {
  const where = `metrics[${i}]`;
  const o: PbObject = { name: m.name, metadata: [] };
  if (m.description !== undefined) o['description'] = m.description;
  if (m.unit !== undefined) o['unit'] = m.unit;
  switch (m.kind) {
    case 'gauge':
      o['gauge'] = { dataPoints: m.points.map((p, j) => numberPoint(p, `${where}.points[${j}]`)) };
      break;
    case 'sum':
      o['sum'] = {
        dataPoints: m.points.map((p, j) => numberPoint(p, `${where}.points[${j}]`)),
        aggregationTemporality: temporality(m.temporality),
        isMonotonic: m.monotonic ?? true,
      };
      break;
    case 'histogram':
      o['histogram'] = {
        dataPoints: m.points.map((p, j) => histogramPoint(p, `${where}.points[${j}]`)),
        aggregationTemporality: temporality(m.temporality),
      };
      break;
    default: {
      const never: never = m;
      throw new OtlpCodecError(`${where}: unknown metric kind ${JSON.stringify(never)}`);
    }
  }
  return o;
}

function logObject(r: LogRecordInput, i: number): PbObject {
  const where = `records[${i}]`;
  const o: PbObject = {
    observedTimeUnixNano: toUnixNano(r.observedTime ?? nowUnixNano()),
    attributes: keyValues(r.attributes, `${where}.attributes`),
  };
  if (r.time !== undefined) o['timeUnixNano'] = toUnixNano(r.time);
  if (r.severityNumber !== undefined) o['severityNumber'] = r.severityNumber;
  if (r.severityText !== undefined) o['severityText'] = r.severityText;
  if (r.body !== undefined) o['body'] = anyValue(r.body, `${where}.body`);
  if (r.traceId !== undefined) o['traceId'] = idBytes(r.traceId, 'trace', `${where}.traceId`);
  if (r.spanId !== undefined) o['spanId'] = idBytes(r.spanId, 'span', `${where}.spanId`);
  if (r.flags !== undefined) o['flags'] = r.flags;
  return o;
}

function groups<T>(input: T | readonly T[]): readonly T[] {
  return Array.isArray(input) ? (input as readonly T[]) : [input as T];
}

function tracesRequest(input: TracesInput | readonly TracesInput[]): PbObject {
  return {
    resourceSpans: groups(input).map((g) => ({
      resource: resourceObject(g.resource),
      scopeSpans: [{ scope: scopeObject(g.scope), spans: g.spans.map(spanObject) }],
    })),
  };
}

function metricsRequest(input: MetricsInput | readonly MetricsInput[]): PbObject {
  return {
    resourceMetrics: groups(input).map((g) => ({
      resource: resourceObject(g.resource),
      scopeMetrics: [{ scope: scopeObject(g.scope), metrics: g.metrics.map(metricObject) }],
    })),
  };
}

function logsRequest(input: LogsInput | readonly LogsInput[]): PbObject {
  return {
    resourceLogs: groups(input).map((g) => ({
      resource: resourceObject(g.resource),
      scopeLogs: [{ scope: scopeObject(g.scope), logRecords: g.records.map(logObject) }],
    })),
  };
}

function requestObject<S extends Signal>(signal: S, input: SignalInputs[S]): PbObject {
  switch (signal) {
    case 'traces':
      return tracesRequest(input as SignalInputs['traces']);
    case 'metrics':
      return metricsRequest(input as SignalInputs['metrics']);
    case 'logs':
      return logsRequest(input as SignalInputs['logs']);
    default:
      throw new OtlpCodecError(`unknown signal ${JSON.stringify(signal)}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// encoding
// ---------------------------------------------------------------------------------------------------

/** Fields whose bytes OTLP/JSON writes as hex instead of protobuf-JSON's base64. */
export const OTLP_JSON_HEX_FIELDS: ReadonlySet<string> = new Set(['traceId', 'spanId', 'parentSpanId']);

/**
 * OTLP/JSON serialisation of a protobufjs-form object. Written here rather than with protobufjs's
 * toObject because OTLP/JSON deviates from the protobuf JSON mapping (ids are hex, not base64) and the
 * object is already in JSON-mapping shape (camelCase, 64-bit ints as strings, enums as numbers).
 */
function toOtlpJson(obj: PbObject): Buffer {
  return Buffer.from(
    JSON.stringify(obj, function (this: Record<string, unknown>, key: string, value: unknown) {
      const raw = this[key]; // the value before Buffer#toJSON ran
      if (raw instanceof Uint8Array) {
        return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString(OTLP_JSON_HEX_FIELDS.has(key) ? 'hex' : 'base64');
      }
      return value;
    }),
  );
}

/** Encodes an export request for `signal` (ExportTraceServiceRequest etc.) as protobuf or OTLP/JSON. */
export function encodeRequest<S extends Signal>(signal: S, input: SignalInputs[S], encoding: OtlpEncoding = 'protobuf'): Uint8Array {
  const obj = requestObject(signal, input);
  if (encoding === 'json') return toOtlpJson(obj);
  const type = otlpSchema().signals[signal].request;
  return type.encode(obj).finish();
}

export function encodeTraces(input: SignalInputs['traces'], encoding: OtlpEncoding = 'protobuf'): Uint8Array {
  return encodeRequest('traces', input, encoding);
}
export function encodeMetrics(input: SignalInputs['metrics'], encoding: OtlpEncoding = 'protobuf'): Uint8Array {
  return encodeRequest('metrics', input, encoding);
}
export function encodeLogs(input: SignalInputs['logs'], encoding: OtlpEncoding = 'protobuf'): Uint8Array {
  return encodeRequest('logs', input, encoding);
}

/** Number of items (spans, data points, log records) an input holds. */
export function countItems<S extends Signal>(signal: S, input: SignalInputs[S]): number {
  let n = 0;
  if (signal === 'traces') for (const g of groups(input as SignalInputs['traces'])) n += g.spans.length;
  else if (signal === 'logs') for (const g of groups(input as SignalInputs['logs'])) n += g.records.length;
  else for (const g of groups(input as SignalInputs['metrics'])) for (const m of g.metrics) n += m.points.length;
  return n;
}

// ---------------------------------------------------------------------------------------------------
// trace trees
// ---------------------------------------------------------------------------------------------------

export interface TraceTreeOptions {
  /** Levels including the root (1 = a lone root span). */
  readonly depth: number;
  /** Children of every non-leaf span. */
  readonly fanOut: number;
  /** Defaults to a random trace id. */
  readonly traceId?: string;
  /** Start of the root span; defaults to now. */
  readonly startTime?: Timestamp;
  /** Duration of the root span in ms (children share their parent's interval); default 100. */
  readonly durationMs?: number;
  /** Span name prefix; names are `${prefix}` for the root and `${prefix}/<path>` below it. Default "op". */
  readonly namePrefix?: string;
  /** Attributes for each span; `path` is the child-index path from the root ([] for the root). */
  readonly attributes?: (path: readonly number[]) => Attributes | undefined;
  /** Spans whose status is error (the others are unset). */
  readonly isError?: (path: readonly number[]) => boolean;
  /** Safety bound on the number of spans; default 100 000. */
  readonly maxSpans?: number;
}

/** Number of spans in a tree of the given depth and fan-out. */
export function traceTreeSize(depth: number, fanOut: number): number {
  let total = 0;
  let level = 1;
  for (let d = 0; d < depth; d++) {
    total += level;
    level *= fanOut;
  }
  return total;
}

/** A complete trace as a tree of spans: depth levels, fanOut children per non-leaf span. Depth-first order. */
export function buildTraceTree(opts: TraceTreeOptions): SpanInput[] {
  if (!Number.isInteger(opts.depth) || opts.depth < 1) throw new OtlpCodecError(`depth must be an integer >= 1, got ${opts.depth}`);
  if (!Number.isInteger(opts.fanOut) || opts.fanOut < 0) throw new OtlpCodecError(`fanOut must be an integer >= 0, got ${opts.fanOut}`);
  const size = traceTreeSize(opts.depth, opts.fanOut);
  const max = opts.maxSpans ?? 100_000;
  if (size > max) throw new OtlpCodecError(`a tree of depth ${opts.depth} and fan-out ${opts.fanOut} has ${size} spans, more than maxSpans ${max}`);
  const traceId = opts.traceId ?? randomTraceId();
  const start = BigInt(toUnixNano(opts.startTime ?? nowUnixNano()));
  const duration = BigInt(Math.round((opts.durationMs ?? 100) * 1e6));
  const prefix = opts.namePrefix ?? 'op';
  const spans: SpanInput[] = [];
  const visit = (path: number[], parentSpanId: string | undefined, s: bigint, d: bigint): void => {
    const spanId = randomSpanId();
    const attributes = opts.attributes?.(path);
    const error = opts.isError?.(path) ?? false;
    spans.push({
      traceId,
      spanId,
      ...(parentSpanId === undefined ? {} : { parentSpanId }),
      name: path.length === 0 ? prefix : `${prefix}/${path.join('.')}`,
      kind: path.length === 0 ? 'server' : 'internal',
      startTime: s,
      endTime: s + d,
      ...(attributes === undefined ? {} : { attributes }),
      ...(error ? { status: { code: 'error' as const, message: 'synthetic error' } } : {}),
    });
    if (path.length + 1 >= opts.depth || opts.fanOut === 0) return;
    const slice = d / BigInt(opts.fanOut);
    for (let i = 0; i < opts.fanOut; i++) visit([...path, i], spanId, s + slice * BigInt(i), slice);
  };
  visit([], undefined, start, duration);
  return spans;
}
