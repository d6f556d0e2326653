// An OTLP receiver for tests: OTLP/HTTP (protobuf and JSON, optionally gzip) on /v1/{traces,metrics,logs}
// and OTLP/gRPC (the three collector Export services), bound to 127.0.0.1 only. It decodes every request
// with src/ops/otlp and records every item under an id, so tests can assert "every id exactly once".
// It can refuse requests (HTTP 503 + Retry-After / gRPC UNAVAILABLE) and be stopped and started again
// on the same ports to simulate a backend outage.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { gunzip as gunzipCb } from 'node:zlib';

import * as grpc from '@grpc/grpc-js';

import {
  anyValueToJs,
  dataPointsOf,
  decodeRequest,
  encodeResponse,
  encodeRpcStatus,
  grpcMethodPath,
  logRecordsOf,
  spansOf,
  SIGNALS,
  type AttributeValue,
  type DataPointInContext,
  type DecodedRequests,
  type ExportResponseInfo,
  type LogRecordInContext,
  type OtlpEncoding,
  type OtlpKeyValue,
  type Signal,
  type SpanInContext,
} from '../../src/ops/otlp/index.js';

const gunzip = promisify(gunzipCb);
const HOST = '127.0.0.1';
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export type SinkTransport = 'http' | 'grpc';

export interface OtlpSinkOptions {
  /** Which servers to run; default both. */
  readonly transports?: readonly SinkTransport[];
  /** Ports to bind; 0 or absent = ephemeral (then kept for restarts). */
  readonly httpPort?: number;
  readonly grpcPort?: number;
  /** Log records are identified by this attribute when present, else by their body. Default "seq". */
  readonly logIdAttribute?: string;
  /**
   * TLS on the gRPC server (PEM files): a stand-in for an engine whose OTLP/gRPC receiver takes TLS; with
   * clientCaFile it requires a client certificate signed by that CA (mTLS).
   */
  readonly grpcTls?: SinkTls;
  /** TLS on the HTTP server (https://), the same way: a stand-in for an engine whose HTTP server takes TLS. */
  readonly httpTls?: SinkTls;
}

export interface SinkTls {
  readonly certFile: string;
  readonly keyFile: string;
  /** require a client certificate signed by this CA (mTLS) */
  readonly clientCaFile?: string;
}

export interface SinkRequest {
  /** 0-based, in arrival order, across signals and transports. */
  readonly index: number;
  readonly signal: Signal;
  readonly transport: SinkTransport;
  readonly encoding: OtlpEncoding;
  /** HTTP: Content-Encoding was gzip. gRPC: undefined (grpc-js decompresses before handlers see anything). */
  readonly gzip: boolean | undefined;
  /** HTTP headers / gRPC metadata, keys lower-case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly outcome: 'accepted' | 'refused' | 'invalid';
  /** Items decoded from the request (0 unless accepted). */
  readonly items: number;
  /** Body size as received (compressed if it was). */
  readonly bytes: number;
  readonly receivedAt: number;
  readonly error?: string;
}

interface ItemBase {
  readonly id: string;
  /** SinkRequest.index of the request that carried the item. */
  readonly request: number;
  readonly transport: SinkTransport;
}
export interface SinkSpan extends ItemBase {
  readonly signal: 'traces';
  readonly span: SpanInContext;
}
export interface SinkLogRecord extends ItemBase {
  readonly signal: 'logs';
  readonly log: LogRecordInContext;
}
export interface SinkDataPoint extends ItemBase {
  readonly signal: 'metrics';
  readonly point: DataPointInContext;
}
export interface SinkItems {
  traces: SinkSpan;
  logs: SinkLogRecord;
  metrics: SinkDataPoint;
}

export interface Receipt<S extends Signal> {
  /** Items received (duplicates included). */
  readonly count: number;
  /** id → times received. */
  readonly ids: ReadonlyMap<string, number>;
  /** ids received more than once (each listed once). */
  readonly duplicates: readonly string[];
  readonly items: readonly SinkItems[S][];
  /** Requests for this signal, refused and invalid ones included. */
  readonly requests: readonly SinkRequest[];
}

export interface RefuseOptions {
  /** Refuse only this many requests, then accept again. Default: until refuse(false). */
  readonly times?: number;
  /** Retry-After seconds on HTTP refusals; null = no header. Default 1. */
  readonly retryAfterSeconds?: number | null;
  /** HTTP status of refusals; default 503. */
  readonly httpStatus?: number;
  /** gRPC status of refusals; default UNAVAILABLE. */
  readonly grpcStatus?: grpc.status;
}

interface RefuseState {
  remaining: number;
  retryAfterSeconds: number | null;
  httpStatus: number;
  grpcStatus: grpc.status;
}

const identity = (b: Buffer): Buffer => b;

/** Span id: `<traceId>/<spanId>` in hex. */
export function spanKey(traceId: string, spanId: string): string {
  return `${traceId}/${spanId}`;
}

function attrString(v: AttributeValue | null): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}

/** Metric data point id: `<name>{k="v",…}` with attribute keys sorted. */
export function dataPointKey(name: string, attributes: readonly OtlpKeyValue[]): string {
  const parts = attributes
    .map((kv) => [kv.key, attrString(anyValueToJs(kv.value))] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `${name}{${parts.join(',')}}`;
}

function flattenHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function flattenMetadata(md: grpc.Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(md.getMap())) out[k.toLowerCase()] = typeof v === 'string' ? v : v.toString('base64');
  return out;
}

export class OtlpSink {
  private readonly transports: readonly SinkTransport[];
  private readonly logIdAttribute: string;
  private readonly grpcTls: OtlpSinkOptions['grpcTls'];
  private readonly httpTls: OtlpSinkOptions['httpTls'];
  private httpServer: http.Server | https.Server | undefined;
  private grpcServer: grpc.Server | undefined;
  private _httpPort: number;
  private _grpcPort: number;
  private refusal: RefuseState | undefined;
  private partial: ExportResponseInfo | undefined;
  private readonly requestLog: SinkRequest[] = [];
  private readonly store: { [S in Signal]: SinkItems[S][] } = { traces: [], metrics: [], logs: [] };

  constructor(options: OtlpSinkOptions = {}) {
    this.transports = options.transports ?? ['http', 'grpc'];
    this.logIdAttribute = options.logIdAttribute ?? 'seq';
    this.grpcTls = options.grpcTls;
    this.httpTls = options.httpTls;
    this._httpPort = options.httpPort ?? 0;
    this._grpcPort = options.grpcPort ?? 0;
  }

  /** Creates and starts a sink. */
  static async start(options: OtlpSinkOptions = {}): Promise<OtlpSink> {
    const sink = new OtlpSink(options);
    await sink.start();
    return sink;
  }

  get httpPort(): number {
    return this._httpPort;
  }
  get grpcPort(): number {
    return this._grpcPort;
  }
  /** Base URL for an OTLP/HTTP sender (https:// when the sink has httpTls). */
  get httpEndpoint(): string {
    return `${this.httpTls ? 'https' : 'http'}://${HOST}:${this._httpPort}`;
  }
  /** Endpoint for an OTLP/gRPC sender (plaintext; https:// when the sink has grpcTls). */
  get grpcEndpoint(): string {
    return `${this.grpcTls ? 'https' : 'http'}://${HOST}:${this._grpcPort}`;
  }
  get running(): boolean {
    return this.httpServer !== undefined || this.grpcServer !== undefined;
  }

  /** Binds the servers (again on the same ports after a stop()). Idempotent. */
  async start(): Promise<void> {
    if (this.transports.includes('http') && !this.httpServer) {
      const handler: http.RequestListener = (req, res) => {
        this.handleHttp(req, res).catch((e: unknown) => {
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(e));
        });
      };
      const t = this.httpTls;
      const server = t
        ? https.createServer({ cert: readFileSync(t.certFile), key: readFileSync(t.keyFile), ...(t.clientCaFile ? { ca: readFileSync(t.clientCaFile), requestCert: true, rejectUnauthorized: true } : {}) }, handler)
        : http.createServer(handler);
      server.keepAliveTimeout = 5000;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this._httpPort, HOST, () => {
          server.off('error', reject);
          resolve();
        });
      });
      this._httpPort = (server.address() as AddressInfo).port;
      this.httpServer = server;
    }
    if (this.transports.includes('grpc') && !this.grpcServer) {
      const server = new grpc.Server();
      for (const signal of SIGNALS) {
        const definition: grpc.ServiceDefinition = {
          Export: {
            path: grpcMethodPath(signal),
            requestStream: false,
            responseStream: false,
            requestSerialize: identity,
            requestDeserialize: identity,
            responseSerialize: identity,
            responseDeserialize: identity,
          },
        };
        const handler: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => this.handleGrpc(signal, call, callback);
        server.addService(definition, { Export: handler });
      }
      this._grpcPort = await new Promise<number>((resolve, reject) => {
        const t = this.grpcTls;
        const creds = t
          ? grpc.ServerCredentials.createSsl(t.clientCaFile ? readFileSync(t.clientCaFile) : null, [{ private_key: readFileSync(t.keyFile), cert_chain: readFileSync(t.certFile) }], t.clientCaFile !== undefined)
          : grpc.ServerCredentials.createInsecure();
        server.bindAsync(`${HOST}:${this._grpcPort}`, creds, (err, port) => (err ? reject(err) : resolve(port)));
      });
      this.grpcServer = server;
    }
  }

  /** Closes the servers and drops open connections (like a crash). Records are kept. Idempotent. */
  async stop(): Promise<void> {
    const h = this.httpServer;
    const g = this.grpcServer;
    this.httpServer = undefined;
    this.grpcServer = undefined;
    if (g) g.forceShutdown();
    if (h) {
      const closed = new Promise<void>((resolve) => h.close(() => resolve()));
      h.closeAllConnections();
      await closed;
    }
  }

  /** Refuse requests (HTTP 503 + Retry-After / gRPC UNAVAILABLE), for `times` requests or until refuse(false). */
  refuse(on: boolean, options: RefuseOptions = {}): void {
    this.refusal = on
      ? {
          remaining: options.times ?? Number.POSITIVE_INFINITY,
          retryAfterSeconds: options.retryAfterSeconds === undefined ? 1 : options.retryAfterSeconds,
          httpStatus: options.httpStatus ?? 503,
          grpcStatus: options.grpcStatus ?? grpc.status.UNAVAILABLE,
        }
      : undefined;
  }

  /** Answer accepted requests with this partial success (null = full success). */
  partialSuccess(info: ExportResponseInfo | null): void {
    this.partial = info ?? undefined;
  }

  /** What arrived for a signal. */
  received<S extends Signal>(signal: S): Receipt<S> {
    const items = this.store[signal] as SinkItems[S][];
    const ids = new Map<string, number>();
    for (const it of items) ids.set(it.id, (ids.get(it.id) ?? 0) + 1);
    const duplicates = [...ids].filter(([, n]) => n > 1).map(([id]) => id);
    return { count: items.length, ids, duplicates, items: [...items], requests: this.requestLog.filter((r) => r.signal === signal) };
  }

  /** Items received for a signal (duplicates included); cheap enough for waitFor predicates. */
  count(signal: Signal): number {
    return this.store[signal].length;
  }

  /** Every request, all signals, in arrival order. */
  requests(): readonly SinkRequest[] {
    return [...this.requestLog];
  }

  /** Forgets everything received (refusal and partial-success settings stay). */
  reset(): void {
    this.requestLog.length = 0;
    for (const s of SIGNALS) this.store[s].length = 0;
  }

  /** Polls `predicate` every `intervalMs` until true; rejects after `timeoutMs`. */
  async waitFor(predicate: (sink: OtlpSink) => boolean, timeoutMs: number, intervalMs = 10): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (predicate(this)) return;
      if (performance.now() >= deadline) throw new Error(`OtlpSink.waitFor: condition not met within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }

  // ------------------------------------------------------------------------------------------------

  private takeRefusal(): RefuseState | undefined {
    const r = this.refusal;
    if (!r) return undefined;
    r.remaining -= 1;
    if (r.remaining <= 0) this.refusal = undefined;
    return r;
  }

  private record(req: Omit<SinkRequest, 'index' | 'receivedAt'>): number {
    const index = this.requestLog.length;
    this.requestLog.push({ ...req, index, receivedAt: Date.now() });
    return index;
  }

  private logId(log: LogRecordInContext): string {
    const attr = log.record.attributes.find((kv) => kv.key === this.logIdAttribute);
    if (attr) return attrString(anyValueToJs(attr.value));
    return attrString(anyValueToJs(log.record.body));
  }

  /** Records the items of a decoded request; returns how many. */
  private ingest<S extends Signal>(signal: S, decoded: DecodedRequests[S], request: number, transport: SinkTransport): number {
    let n = 0;
    if (signal === 'traces') {
      for (const span of spansOf(decoded as DecodedRequests['traces'])) {
        this.store.traces.push({ signal: 'traces', id: spanKey(span.span.traceId, span.span.spanId), request, transport, span });
        n++;
      }
    } else if (signal === 'logs') {
      for (const log of logRecordsOf(decoded as DecodedRequests['logs'])) {
        this.store.logs.push({ signal: 'logs', id: this.logId(log), request, transport, log });
        n++;
      }
    } else {
      for (const point of dataPointsOf(decoded as DecodedRequests['metrics'])) {
        this.store.metrics.push({ signal: 'metrics', id: dataPointKey(point.metric.name ?? '', point.point.attributes), request, transport, point });
        n++;
      }
    }
    return n;
  }

  private async handleHttp(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${HOST}`);
    const m = /^\/v1\/(traces|metrics|logs)\/?$/.exec(url.pathname);
    // Read the whole body first so the client never sees a reset while still writing.
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      const b = chunk as Buffer;
      size += b.length;
      if (size > MAX_BODY_BYTES) {
        res.writeHead(413, { 'content-type': 'text/plain', connection: 'close' }).end('body too large');
        req.destroy();
        return;
      }
      chunks.push(b);
    }
    if (!m) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { 'content-type': 'text/plain', allow: 'POST' }).end('method not allowed');
      return;
    }
    const signal = m[1] as Signal;
    const raw = Buffer.concat(chunks);
    const headers = flattenHeaders(req.headers);
    const ct = headers['content-type'] ?? '';
    const encoding: OtlpEncoding = ct.includes('json') ? 'json' : 'protobuf';
    const gz = (headers['content-encoding'] ?? '').toLowerCase() === 'gzip';
    const base = { signal, transport: 'http' as const, encoding, gzip: gz, headers, bytes: raw.length };
    const fail = (status: number, message: string, extra: Record<string, string> = {}): void => {
      res
        .writeHead(status, { 'content-type': encoding === 'json' ? 'application/json' : 'application/x-protobuf', ...extra })
        .end(encodeRpcStatus({ code: status === 503 ? grpc.status.UNAVAILABLE : grpc.status.INVALID_ARGUMENT, message }, encoding));
    };

    const refusal = this.takeRefusal();
    if (refusal) {
      this.record({ ...base, outcome: 'refused', items: 0 });
      fail(refusal.httpStatus, 'otlp sink is refusing requests', refusal.retryAfterSeconds === null ? {} : { 'retry-after': String(refusal.retryAfterSeconds) });
      return;
    }
    if (!ct.includes('json') && !ct.includes('application/x-protobuf')) {
      this.record({ ...base, outcome: 'invalid', items: 0, error: `unsupported content-type ${ct}` });
      res.writeHead(415, { 'content-type': 'text/plain' }).end(`unsupported content-type ${ct}`);
      return;
    }
    let decoded: DecodedRequests[Signal];
    try {
      const body = gz ? await gunzip(raw) : raw;
      decoded = decodeRequest(signal, body, encoding);
    } catch (e) {
      const error = (e as Error).message;
      this.record({ ...base, outcome: 'invalid', items: 0, error });
      fail(400, error);
      return;
    }
    const index = this.record({ ...base, outcome: 'accepted', items: 0 });
    const items = this.ingest(signal, decoded, index, 'http');
    this.requestLog[index] = { ...(this.requestLog[index] as SinkRequest), items };
    res.writeHead(200, { 'content-type': encoding === 'json' ? 'application/json' : 'application/x-protobuf' }).end(encodeResponse(signal, this.partial ?? {}, encoding));
  }

  private handleGrpc(signal: Signal, call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>): void {
    const headers = flattenMetadata(call.metadata);
    const base = { signal, transport: 'grpc' as const, encoding: 'protobuf' as const, gzip: undefined, headers, bytes: call.request.length };
    const refusal = this.takeRefusal();
    if (refusal) {
      this.record({ ...base, outcome: 'refused', items: 0 });
      callback({ code: refusal.grpcStatus, details: 'otlp sink is refusing requests' });
      return;
    }
    let decoded: DecodedRequests[Signal];
    try {
      decoded = decodeRequest(signal, call.request, 'protobuf');
    } catch (e) {
      const error = (e as Error).message;
      this.record({ ...base, outcome: 'invalid', items: 0, error });
      callback({ code: grpc.status.INVALID_ARGUMENT, details: error });
      return;
    }
    const index = this.record({ ...base, outcome: 'accepted', items: 0 });
    const items = this.ingest(signal, decoded, index, 'grpc');
    this.requestLog[index] = { ...(this.requestLog[index] as SinkRequest), items };
    callback(null, Buffer.from(encodeResponse(signal, this.partial ?? {})));
  }
}

/** Starts a sink, runs `fn`, and always stops the sink. */
export async function withSink<T>(options: OtlpSinkOptions, fn: (sink: OtlpSink) => Promise<T>): Promise<T> {
  const sink = await OtlpSink.start(options);
  try {
    return await fn(sink);
  } finally {
    await sink.stop();
  }
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, HOST, resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
