// Read client for Jaeger's query service HTTP API (paths and parameters in src/catalog/jaeger.ts JAEGER_API, read in
// jaegertracing/jaeger v1.75.0 cmd/query/app): the internal /api/traces search the Jaeger UI uses, by service and a
// time window in Unix microseconds, and the trace by id. Trace ids come back in hex, without the high 64 bits when
// they are zero (model.TraceID.String): they are normalised to 32 hex characters like Tempo's.
import { JAEGER_API } from '../../catalog/jaeger.js';
import { asArray, asString, BackendError, HttpJsonClient, httpError, isRecord, parseJson, type BackendClientOptions } from './http.js';
import { normalizeId } from './tempo.js';

export interface JaegerTrace {
  /** lowercase hex, 32 characters */
  readonly traceId: string;
  readonly spans: number;
  /** service names of the trace's processes */
  readonly services: readonly string[];
}

/** One trace of Jaeger's structured response (`{traceID, spans: [...], processes: {p1: {serviceName}}}`). */
function traceOf(t: unknown): JaegerTrace | undefined {
  if (!isRecord(t)) return undefined;
  const traceId = normalizeId(t['traceID'], 16, true);
  if (!traceId) return undefined;
  const services = isRecord(t['processes']) ? [...new Set(Object.values(t['processes']).flatMap((p) => (isRecord(p) && typeof p['serviceName'] === 'string' ? [p['serviceName']] : [])))].sort() : [];
  return { traceId, spans: asArray(t['spans']).length, services };
}

export class JaegerClient {
  private readonly http: HttpJsonClient;

  constructor(opts: BackendClientOptions) {
    this.http = new HttpJsonClient(opts);
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /** Traces of `service` that started within [start, end] (Unix seconds), at most `limit` of them. */
  async search(service: string, opts: { readonly start: number; readonly end: number; readonly limit?: number; readonly signal?: AbortSignal }): Promise<JaegerTrace[]> {
    const p = JAEGER_API.params;
    const body = await this.http.getJson(
      JAEGER_API.search,
      { [p.service]: service, [p.start]: Math.floor(opts.start * 1e6), [p.end]: Math.ceil(opts.end * 1e6), [p.limit]: opts.limit ?? JAEGER_API.defaultLimit },
      opts.signal,
    );
    if (!isRecord(body)) throw new BackendError('Jaeger search answer is not an object', 'bad-response', this.http.urlOf(JAEGER_API.search));
    const out: JaegerTrace[] = [];
    for (const t of asArray(body['data'])) {
      const x = traceOf(t);
      if (x) out.push(x);
    }
    return out;
  }

  /** The trace with this id, or undefined when Jaeger answers 404 (unknown). */
  async getTrace(traceId: string, signal?: AbortSignal): Promise<JaegerTrace | undefined> {
    const reply = await this.http.get(`${JAEGER_API.traceById}${encodeURIComponent(traceId)}`, {}, signal);
    if (reply.status === 404) return undefined;
    if (reply.status < 200 || reply.status >= 300) throw httpError(reply);
    const body = parseJson(reply);
    const first = isRecord(body) ? asArray(body['data'])[0] : undefined;
    return traceOf(first);
  }

  /** The services Jaeger has spans of. */
  async services(signal?: AbortSignal): Promise<string[]> {
    const body = await this.http.getJson(JAEGER_API.services, {}, signal);
    return isRecord(body) ? asArray(body['data']).flatMap((s) => (asString(s) !== undefined ? [s as string] : [])) : [];
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}
