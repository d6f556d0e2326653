// Read client for Grafana Loki's query API (LOKI_API in src/catalog/loki.ts; Loki HTTP API documentation v3.6.x,
// "Query logs within a range of time"). Answers of resultType "streams" are flattened to entries; structured
// metadata (where Loki puts an OTLP record's trace_id) arrives among the stream labels, or — with the
// categorize-labels encoding flag — in a third element of each value; both are merged into `labels`.
import { LOKI_API } from '../../catalog/loki.js';
import { asArray, BackendError, HttpJsonClient, isRecord, type BackendClientOptions } from './http.js';

export interface LokiEntry {
  /** Stream labels plus the entry's structured metadata and parsed labels. */
  readonly labels: Readonly<Record<string, string>>;
  /** Nanoseconds since the epoch, as Loki returns them (a decimal string). */
  readonly timestampNs: string;
  readonly line: string;
}

function flatLabels(v: unknown, into: Record<string, string>): void {
  if (!isRecord(v)) return;
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'string') into[k] = x;
    else if (isRecord(x)) flatLabels(x, into); // {structuredMetadata: {...}, parsed: {...}}
  }
}

/** Entries of a query_range answer's `data` (resultType "streams"); other result types give none. */
export function entriesOfStreams(data: unknown): LokiEntry[] {
  if (!isRecord(data) || data['resultType'] !== 'streams') return [];
  const out: LokiEntry[] = [];
  for (const s of asArray(data['result'])) {
    if (!isRecord(s)) continue;
    const streamLabels: Record<string, string> = {};
    flatLabels(s['stream'], streamLabels);
    for (const v of asArray(s['values'])) {
      if (!Array.isArray(v) || v.length < 2) continue;
      const labels = { ...streamLabels };
      if (v.length > 2) flatLabels(v[2], labels);
      out.push({ labels, timestampNs: String(v[0]), line: String(v[1]) });
    }
  }
  return out;
}

export type ApiTimeNs = bigint | number | Date;
/** Loki takes RFC3339 or Unix nanoseconds; nanoseconds are sent. Numbers are ms (like Date.now()). */
function nsOf(t: ApiTimeNs): string {
  if (typeof t === 'bigint') return t.toString();
  const ms = t instanceof Date ? t.getTime() : t;
  return (BigInt(Math.trunc(ms)) * 1_000_000n).toString();
}

export class LokiClient {
  private readonly http: HttpJsonClient;

  constructor(opts: BackendClientOptions) {
    this.http = new HttpJsonClient(opts, LOKI_API.tenantHeader);
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /** LogQL log query over [start, end]; newest first unless direction is forward. */
  async queryRange(query: string, opts: { readonly start: ApiTimeNs; readonly end: ApiTimeNs; readonly limit?: number; readonly direction?: 'forward' | 'backward'; readonly signal?: AbortSignal }): Promise<LokiEntry[]> {
    const body = await this.http.getJson(
      LOKI_API.queryRange,
      { query, start: nsOf(opts.start), end: nsOf(opts.end), limit: opts.limit ?? 100, direction: opts.direction ?? 'backward' },
      opts.signal,
    );
    if (!isRecord(body) || body['status'] !== 'success') {
      throw new BackendError(`Loki query_range: unexpected answer ${JSON.stringify(body).slice(0, 200)}`, 'bad-response', this.http.urlOf(LOKI_API.queryRange));
    }
    return entriesOfStreams(body['data']);
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}

/** A LogQL string literal (double-quoted, backslash-escaped). */
export function logqlString(s: string): string {
  return JSON.stringify(s);
}
