// Read client for Grafana Tempo's HTTP query API (paths and shapes in src/catalog/tempo.ts TEMPO_API; Tempo HTTP
// API documentation v2.10.x / v3.0.x). Trace JSON is Tempo's protobuf-JSON rendering of OTLP: the list of resource
// spans is named `batches` (older releases, and v1 by default) or `resourceSpans`; ids are base64 (protobuf JSON
// mapping of bytes) or hex; search results carry hex trace ids without leading zeros. All of these are accepted.
import { request } from 'undici';

import { TEMPO_API } from '../../catalog/tempo.js';
import { asArray, asString, BackendError, HttpJsonClient, httpError, isRecord, parseJson, type BackendClientOptions, type Json } from './http.js';
import { DSKIT_TENANT_HEADER } from '../../catalog/dskit.js';

export interface TempoSpan {
  /** lowercase hex, 32 characters */
  readonly traceId: string;
  /** lowercase hex, 16 characters */
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  /** service.name of the span's resource */
  readonly serviceName?: string;
}

export interface TempoTrace {
  readonly spans: readonly TempoSpan[];
  /** v2 only: "COMPLETE" / "PARTIAL" when Tempo says so. */
  readonly status?: string;
  readonly message?: string;
}

export interface TempoSearchHit {
  readonly traceId: string;
  readonly rootServiceName?: string;
  readonly rootTraceName?: string;
  readonly startTimeUnixNano?: string;
  readonly durationMs?: number;
}

export type TempoTraceApi = 'v1' | 'v2';

/**
 * Normalises a trace or span id to lowercase hex. Accepts full-length hex (any case), base64 (the protobuf JSON
 * mapping of bytes, which Tempo's trace-by-id JSON uses) and — with `shortHex` — hex without its leading zeros (as
 * Tempo's search results print trace ids). A short all-hex string that is also valid base64 of the right length is
 * read as base64 unless `shortHex` says hex.
 */
export function normalizeId(v: unknown, bytes: 16 | 8, shortHex = false): string | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  const hexLen = bytes * 2;
  const isHex = /^[0-9a-fA-F]+$/.test(v);
  if (isHex && v.length === hexLen) return v.toLowerCase();
  if (isHex && shortHex && v.length < hexLen) return v.toLowerCase().padStart(hexLen, '0');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(v)) {
    const b = Buffer.from(v, 'base64');
    if (b.length === bytes) return b.toString('hex');
  }
  return undefined;
}

function attrString(attrs: unknown, key: string): string | undefined {
  for (const kv of asArray(attrs)) {
    if (isRecord(kv) && kv['key'] === key && isRecord(kv['value'])) return asString(kv['value']['stringValue']);
  }
  return undefined;
}

/** Spans of a Tempo trace JSON object (`{batches|resourceSpans: [...]}`). */
export function spansOfTraceJson(trace: unknown): TempoSpan[] {
  if (!isRecord(trace)) return [];
  const out: TempoSpan[] = [];
  const batches = asArray(trace['batches'] ?? trace['resourceSpans']);
  for (const rs of batches) {
    if (!isRecord(rs)) continue;
    const serviceName = isRecord(rs['resource']) ? attrString(rs['resource']['attributes'], 'service.name') : undefined;
    // scopeSpans (OTLP ≥ 0.15) or instrumentationLibrarySpans (older Tempo JSON)
    for (const ss of asArray(rs['scopeSpans'] ?? rs['instrumentationLibrarySpans'])) {
      if (!isRecord(ss)) continue;
      for (const s of asArray(ss['spans'])) {
        if (!isRecord(s)) continue;
        const traceId = normalizeId(s['traceId'], 16);
        const spanId = normalizeId(s['spanId'], 8);
        if (!traceId || !spanId) continue;
        const parent = normalizeId(s['parentSpanId'], 8);
        out.push({
          traceId,
          spanId,
          ...(parent ? { parentSpanId: parent } : {}),
          name: asString(s['name']) ?? '',
          ...(serviceName !== undefined ? { serviceName } : {}),
        });
      }
    }
  }
  return out;
}

/** Parses a trace-by-id answer of either API version. */
export function parseTraceResponse(body: unknown, api: TempoTraceApi): TempoTrace {
  if (!isRecord(body)) return { spans: [] };
  if (api === 'v2' || 'trace' in body) {
    const status = asString(body['status']);
    const message = asString(body['message']);
    return { spans: spansOfTraceJson(body['trace'] ?? body), ...(status ? { status } : {}), ...(message ? { message } : {}) };
  }
  return { spans: spansOfTraceJson(body) };
}

export class TempoClient {
  private readonly http: HttpJsonClient;
  readonly api: TempoTraceApi;

  constructor(opts: BackendClientOptions & { readonly api?: TempoTraceApi }) {
    this.http = new HttpJsonClient(opts, TEMPO_API.tenantHeader);
    this.api = opts.api ?? 'v2';
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /**
   * The trace with this id, or undefined when Tempo answers 404 (not found, or not yet). `start`/`end` (Unix seconds)
   * narrow the blocks searched.
   */
  async getTrace(traceId: string, opts: { readonly start?: number; readonly end?: number; readonly api?: TempoTraceApi; readonly signal?: AbortSignal } = {}): Promise<TempoTrace | undefined> {
    const api = opts.api ?? this.api;
    const path = `${api === 'v2' ? TEMPO_API.traceByIdV2 : TEMPO_API.traceById}${encodeURIComponent(traceId)}`;
    const reply = await this.http.get(path, { start: opts.start, end: opts.end }, opts.signal);
    if (reply.status === 404) return undefined;
    if (reply.status < 200 || reply.status >= 300) throw httpError(reply);
    return parseTraceResponse(parseJson(reply), api);
  }

  /** TraceQL search (`q`), optionally within [start, end] Unix seconds. */
  async search(q: string, opts: { readonly start?: number; readonly end?: number; readonly limit?: number; readonly signal?: AbortSignal } = {}): Promise<TempoSearchHit[]> {
    const body = await this.http.getJson(TEMPO_API.search, { q, start: opts.start, end: opts.end, limit: opts.limit }, opts.signal);
    if (!isRecord(body)) throw new BackendError(`Tempo search answer is not an object`, 'bad-response', this.http.urlOf(TEMPO_API.search));
    const out: TempoSearchHit[] = [];
    for (const t of asArray(body['traces'])) {
      if (!isRecord(t)) continue;
      const traceId = normalizeId(t['traceID'] ?? t['traceId'], 16, true);
      if (!traceId) continue;
      const hit: Json = { traceId };
      for (const k of ['rootServiceName', 'rootTraceName', 'startTimeUnixNano'] as const) if (typeof t[k] === 'string') hit[k] = t[k];
      if (typeof t['durationMs'] === 'number') hit['durationMs'] = t['durationMs'];
      out.push(hit as unknown as TempoSearchHit);
    }
    return out;
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}

/** POSTs an empty body and returns the status (network failures throw BackendError). Used by the flush helpers. */
export async function postStatus(url: string, tenant: string | undefined, timeoutMs = 10_000): Promise<number> {
  try {
    const res = await request(url, { method: 'POST', headers: tenant ? { [DSKIT_TENANT_HEADER]: tenant } : {}, signal: AbortSignal.timeout(timeoutMs) });
    await res.body.dump();
    return res.statusCode;
  } catch (e) {
    throw new BackendError(`POST ${url}: ${(e as Error).message}`, 'unreachable', url);
  }
}
