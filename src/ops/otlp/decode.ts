// Decodes OTLP export requests (protobuf or OTLP/JSON) into typed objects, and encodes/decodes the
// Export*ServiceResponse (partial success) and google.rpc.Status bodies. Used by the test sink and by the
// senders (responses).
import type protobuf from 'protobufjs';

import { otlpSchema } from './proto.js';
import {
  OtlpCodecError,
  type AttributeValue,
  type DecodedRequests,
  type ExportResponseInfo,
  type OtlpAnyValue,
  type OtlpEncoding,
  type OtlpExemplar,
  type OtlpExponentialHistogramDataPoint,
  type OtlpHistogramDataPoint,
  type OtlpKeyValue,
  type OtlpLogRecord,
  type OtlpMetric,
  type OtlpNumberDataPoint,
  type OtlpResource,
  type OtlpScope,
  type OtlpSpan,
  type OtlpSummaryDataPoint,
  type Signal,
} from './types.js';

const TO_OBJECT: protobuf.IConversionOptions = { longs: String, enums: Number, arrays: true, defaults: false };

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}
function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/**
 * Applies `fn` to every trace/span id field of a request object (spans, span links, exemplars, log
 * records). The positions are spelled out per signal so that nothing else (e.g. an AnyValue bytesValue)
 * is touched.
 */
function mapIds(signal: Signal, req: Json, fn: (v: unknown, field: string) => unknown): void {
  const apply = (o: unknown, fields: readonly string[]): void => {
    if (!isRecord(o)) return;
    for (const f of fields) if (f in o && o[f] !== undefined && o[f] !== null) o[f] = fn(o[f], f);
  };
  if (signal === 'traces') {
    for (const rs of list(req['resourceSpans'])) {
      if (!isRecord(rs)) continue;
      for (const ss of list(rs['scopeSpans'])) {
        if (!isRecord(ss)) continue;
        for (const span of list(ss['spans'])) {
          apply(span, ['traceId', 'spanId', 'parentSpanId']);
          if (isRecord(span)) for (const link of list(span['links'])) apply(link, ['traceId', 'spanId']);
        }
      }
    }
  } else if (signal === 'metrics') {
    for (const rm of list(req['resourceMetrics'])) {
      if (!isRecord(rm)) continue;
      for (const sm of list(rm['scopeMetrics'])) {
        if (!isRecord(sm)) continue;
        for (const m of list(sm['metrics'])) {
          if (!isRecord(m)) continue;
          for (const kind of ['gauge', 'sum', 'histogram', 'exponentialHistogram'] as const) {
            const data = m[kind];
            if (!isRecord(data)) continue;
            for (const dp of list(data['dataPoints'])) {
              if (isRecord(dp)) for (const ex of list(dp['exemplars'])) apply(ex, ['traceId', 'spanId']);
            }
          }
        }
      }
    }
  } else {
    for (const rl of list(req['resourceLogs'])) {
      if (!isRecord(rl)) continue;
      for (const sl of list(rl['scopeLogs'])) {
        if (!isRecord(sl)) continue;
        for (const lr of list(sl['logRecords'])) apply(lr, ['traceId', 'spanId']);
      }
    }
  }
}

function bytesToHex(v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
  return v;
}

function hexToBytes(v: unknown, field: string): unknown {
  if (typeof v !== 'string') return v;
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(v)) throw new OtlpCodecError(`OTLP/JSON ${field} must be hex, got ${JSON.stringify(v)}`);
  return Buffer.from(v, 'hex');
}

/** Spans must always carry ids in the decoded form; proto3 omits empty bytes. */
function fillSpanIds(req: Json): void {
  for (const rs of list(req['resourceSpans'])) {
    if (!isRecord(rs)) continue;
    for (const ss of list(rs['scopeSpans'])) {
      if (!isRecord(ss)) continue;
      for (const span of list(ss['spans'])) {
        if (!isRecord(span)) continue;
        span['traceId'] ??= '';
        span['spanId'] ??= '';
        for (const link of list(span['links'])) {
          if (!isRecord(link)) continue;
          link['traceId'] ??= '';
          link['spanId'] ??= '';
        }
      }
    }
  }
}

function toDecoded<S extends Signal>(signal: S, msg: protobuf.Message): DecodedRequests[S] {
  const type = otlpSchema().signals[signal].request;
  const obj = type.toObject(msg, TO_OBJECT) as Json;
  mapIds(signal, obj, bytesToHex);
  if (signal === 'traces') fillSpanIds(obj);
  // The object was produced by protobufjs from the OTLP schema with the options above, which is exactly
  // the shape DecodedRequests describes.
  return obj as unknown as DecodedRequests[S];
}

/**
 * Decodes an Export{Trace,Metrics,Logs}ServiceRequest body. Throws OtlpCodecError on malformed input.
 * The result uses the OTLP/JSON conventions: hex ids, 64-bit integers as decimal strings, enums as numbers.
 */
export function decodeRequest<S extends Signal>(signal: S, body: Uint8Array, encoding: OtlpEncoding = 'protobuf'): DecodedRequests[S] {
  const type = otlpSchema().signals[signal].request;
  let msg: protobuf.Message;
  try {
    if (encoding === 'protobuf') {
      msg = type.decode(body);
    } else {
      const parsed: unknown = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
      if (!isRecord(parsed)) throw new OtlpCodecError('OTLP/JSON body must be a JSON object');
      mapIds(signal, parsed, hexToBytes);
      // No type.verify(): it rejects 64-bit integers given as decimal strings, which is how OTLP/JSON
      // writes them. fromObject converts them (and enum names or numbers) itself.
      msg = type.fromObject(parsed);
    }
  } catch (e) {
    if (e instanceof OtlpCodecError) throw e;
    throw new OtlpCodecError(`cannot decode ${encoding} ${signal} request: ${(e as Error).message}`);
  }
  return toDecoded(signal, msg);
}

export function decodeTracesRequest(body: Uint8Array, encoding: OtlpEncoding = 'protobuf'): DecodedRequests['traces'] {
  return decodeRequest('traces', body, encoding);
}
export function decodeMetricsRequest(body: Uint8Array, encoding: OtlpEncoding = 'protobuf'): DecodedRequests['metrics'] {
  return decodeRequest('metrics', body, encoding);
}
export function decodeLogsRequest(body: Uint8Array, encoding: OtlpEncoding = 'protobuf'): DecodedRequests['logs'] {
  return decodeRequest('logs', body, encoding);
}

// ---------------------------------------------------------------------------------------------------
// responses
// ---------------------------------------------------------------------------------------------------

/** Encodes an Export*ServiceResponse; partial_success is set only when something was rejected or a message is given. */
export function encodeResponse(signal: Signal, info: Partial<ExportResponseInfo> = {}, encoding: OtlpEncoding = 'protobuf'): Uint8Array {
  const s = otlpSchema().signals[signal];
  const body: Json = {};
  if ((info.rejected ?? 0) > 0 || info.errorMessage) {
    const ps: Json = { [s.rejectedField]: String(info.rejected ?? 0) };
    if (info.errorMessage) ps['errorMessage'] = info.errorMessage;
    body['partialSuccess'] = ps;
  }
  if (encoding === 'json') return Buffer.from(JSON.stringify(body));
  return s.response.encode(s.response.fromObject(body)).finish();
}

/** Decodes an Export*ServiceResponse body (empty body = full success). */
export function decodeResponse(signal: Signal, body: Uint8Array, encoding: OtlpEncoding = 'protobuf'): ExportResponseInfo {
  if (body.byteLength === 0) return { rejected: 0 };
  const s = otlpSchema().signals[signal];
  let obj: Json;
  try {
    if (encoding === 'json') {
      const parsed: unknown = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
      obj = isRecord(parsed) ? parsed : {};
    } else {
      obj = s.response.toObject(s.response.decode(body), TO_OBJECT) as Json;
    }
  } catch (e) {
    throw new OtlpCodecError(`cannot decode ${encoding} ${signal} response: ${(e as Error).message}`);
  }
  const ps = obj['partialSuccess'];
  if (!isRecord(ps)) return { rejected: 0 };
  const rejected = Number(ps[s.rejectedField] ?? 0);
  const msg = ps['errorMessage'];
  return {
    rejected: Number.isFinite(rejected) ? rejected : 0,
    ...(typeof msg === 'string' && msg !== '' ? { errorMessage: msg } : {}),
  };
}

/** google.rpc.Status as carried in OTLP/HTTP error bodies. */
export interface RpcStatus {
  code: number;
  message: string;
}

export function encodeRpcStatus(status: RpcStatus, encoding: OtlpEncoding = 'protobuf'): Uint8Array {
  if (encoding === 'json') return Buffer.from(JSON.stringify(status));
  const t = otlpSchema().rpcStatus;
  return t.encode(t.fromObject(status)).finish();
}

/** Best-effort decode of a google.rpc.Status body; undefined if it is not one. */
export function decodeRpcStatus(body: Uint8Array, encoding: OtlpEncoding = 'protobuf'): RpcStatus | undefined {
  if (body.byteLength === 0) return undefined;
  try {
    let obj: unknown;
    if (encoding === 'json') obj = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
    else {
      const t = otlpSchema().rpcStatus;
      obj = t.toObject(t.decode(body), TO_OBJECT);
    }
    if (!isRecord(obj)) return undefined;
    const code = typeof obj['code'] === 'number' ? obj['code'] : 0;
    const message = typeof obj['message'] === 'string' ? obj['message'] : '';
    if (code === 0 && message === '') return undefined;
    return { code, message };
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------
// walking decoded requests
// ---------------------------------------------------------------------------------------------------

/** Converts an OTLP AnyValue to a plain value (int64 → number when safe, else bigint). */
export function anyValueToJs(v: OtlpAnyValue | undefined): AttributeValue | null {
  if (!v) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) {
    const b = BigInt(v.intValue);
    return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
  }
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.bytesValue !== undefined) return v.bytesValue;
  if (v.arrayValue) return v.arrayValue.values.map((x) => anyValueToJs(x) ?? '');
  if (v.kvlistValue) {
    const out: { [key: string]: AttributeValue } = {};
    for (const kv of v.kvlistValue.values) out[kv.key] = anyValueToJs(kv.value) ?? '';
    return out;
  }
  return null;
}

/** Attributes as a plain record (empty values as null). */
export function attributesToRecord(kvs: readonly OtlpKeyValue[] | undefined): Record<string, AttributeValue | null> {
  const out: Record<string, AttributeValue | null> = {};
  for (const kv of kvs ?? []) out[kv.key] = anyValueToJs(kv.value);
  return out;
}

export interface SpanInContext {
  readonly resource: OtlpResource | undefined;
  readonly scope: OtlpScope | undefined;
  readonly span: OtlpSpan;
}
export interface LogRecordInContext {
  readonly resource: OtlpResource | undefined;
  readonly scope: OtlpScope | undefined;
  readonly record: OtlpLogRecord;
}
export type DataPointInContext = {
  readonly resource: OtlpResource | undefined;
  readonly scope: OtlpScope | undefined;
  readonly metric: OtlpMetric;
} & (
  | { readonly kind: 'gauge' | 'sum'; readonly point: OtlpNumberDataPoint }
  | { readonly kind: 'histogram'; readonly point: OtlpHistogramDataPoint }
  | { readonly kind: 'exponentialHistogram'; readonly point: OtlpExponentialHistogramDataPoint }
  | { readonly kind: 'summary'; readonly point: OtlpSummaryDataPoint }
);

export function* spansOf(req: DecodedRequests['traces']): Generator<SpanInContext> {
  for (const rs of req.resourceSpans) for (const ss of rs.scopeSpans) for (const span of ss.spans) yield { resource: rs.resource, scope: ss.scope, span };
}

export function* logRecordsOf(req: DecodedRequests['logs']): Generator<LogRecordInContext> {
  for (const rl of req.resourceLogs) for (const sl of rl.scopeLogs) for (const record of sl.logRecords) yield { resource: rl.resource, scope: sl.scope, record };
}

export function* dataPointsOf(req: DecodedRequests['metrics']): Generator<DataPointInContext> {
  for (const rm of req.resourceMetrics) {
    for (const sm of rm.scopeMetrics) {
      for (const metric of sm.metrics) {
        const ctx = { resource: rm.resource, scope: sm.scope, metric };
        for (const point of metric.gauge?.dataPoints ?? []) yield { ...ctx, kind: 'gauge', point };
        for (const point of metric.sum?.dataPoints ?? []) yield { ...ctx, kind: 'sum', point };
        for (const point of metric.histogram?.dataPoints ?? []) yield { ...ctx, kind: 'histogram', point };
        for (const point of metric.exponentialHistogram?.dataPoints ?? []) yield { ...ctx, kind: 'exponentialHistogram', point };
        for (const point of metric.summary?.dataPoints ?? []) yield { ...ctx, kind: 'summary', point };
      }
    }
  }
}

/** Every exemplar of a metrics request with its metric name. */
export function* exemplarsOf(req: DecodedRequests['metrics']): Generator<{ readonly metric: string; readonly exemplar: OtlpExemplar }> {
  for (const dp of dataPointsOf(req)) {
    if (dp.kind === 'summary') continue;
    for (const exemplar of dp.point.exemplars) yield { metric: dp.metric.name ?? '', exemplar };
  }
}

/** Number of items (spans, data points, log records) in a decoded request. */
export function countDecodedItems<S extends Signal>(signal: S, req: DecodedRequests[S]): number {
  let n = 0;
  if (signal === 'traces') for (const _ of spansOf(req as DecodedRequests['traces'])) n++;
  else if (signal === 'logs') for (const _ of logRecordsOf(req as DecodedRequests['logs'])) n++;
  else for (const _ of dataPointsOf(req as DecodedRequests['metrics'])) n++;
  return n;
}
