// Read client for the Prometheus HTTP API (PROMETHEUS_API in src/catalog/prometheus.ts; Prometheus documentation
// "HTTP API", v2.53 / v3.7): instant query, range query, exemplar query. The same client reads Mimir, whose
// Prometheus-compatible API lives under a prefix (MIMIR_API.prometheusPrefix, default /prometheus; Mimir HTTP API
// documentation v3.0.x) and which takes the tenant in X-Scope-OrgID.
import { MIMIR_API } from '../../catalog/mimir.js';
import { PROMETHEUS_API } from '../../catalog/prometheus.js';
import { asArray, BackendError, HttpJsonClient, isRecord, type BackendClientOptions } from './http.js';

export type Labels = Readonly<Record<string, string>>;

export interface InstantSample {
  readonly metric: Labels;
  /** Unix seconds */
  readonly time: number;
  readonly value: number;
}
export interface RangeSeries {
  readonly metric: Labels;
  readonly values: readonly { readonly time: number; readonly value: number }[];
}
export interface Exemplar {
  readonly labels: Labels;
  readonly value: number;
  /** Unix seconds */
  readonly time: number;
}
export interface ExemplarSeries {
  readonly seriesLabels: Labels;
  readonly exemplars: readonly Exemplar[];
}

/** A time for the API: Unix seconds (number) or a Date. */
export type ApiTime = number | Date;
function apiTime(t: ApiTime | undefined): string | undefined {
  if (t === undefined) return undefined;
  const s = t instanceof Date ? t.getTime() / 1000 : t;
  return s.toFixed(3);
}

function labelsOf(v: unknown): Labels {
  const out: Record<string, string> = {};
  if (isRecord(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

function sampleOf(v: unknown): { time: number; value: number } | undefined {
  if (!Array.isArray(v) || v.length < 2) return undefined;
  return { time: Number(v[0]), value: Number(v[1]) };
}

/** Base URL of Mimir's Prometheus API from Mimir's base URL (the prefix is added unless already there). */
export function mimirPrometheusUrl(mimirUrl: string, prefix: string = MIMIR_API.prometheusPrefix): string {
  const base = mimirUrl.replace(/\/+$/, '');
  return base.endsWith(prefix) ? base : `${base}${prefix}`;
}

export class PrometheusClient {
  private readonly http: HttpJsonClient;

  /** `url` is the root of the Prometheus API: http://prometheus:9090, or http://mimir:8080/prometheus. */
  constructor(opts: BackendClientOptions) {
    this.http = new HttpJsonClient(opts, MIMIR_API.tenantHeader);
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /** Unwraps `{status: "success", data}`; `{status: "error", errorType, error}` becomes a BackendError. */
  private async data(path: string, params: Record<string, string | number | undefined>, signal?: AbortSignal): Promise<unknown> {
    const reply = await this.http.get(path, params, signal);
    let body: unknown;
    try {
      body = JSON.parse(reply.text);
    } catch {
      body = undefined;
    }
    if (isRecord(body) && body['status'] === 'error') {
      throw new BackendError(`GET ${reply.url}: HTTP ${reply.status}: ${String(body['errorType'] ?? 'error')}: ${String(body['error'] ?? '')}`, 'http', reply.url, reply.status, reply.text);
    }
    if (reply.status < 200 || reply.status >= 300) {
      throw new BackendError(`GET ${reply.url}: HTTP ${reply.status}: ${reply.text.trim().slice(0, 300)}`, 'http', reply.url, reply.status, reply.text);
    }
    if (!isRecord(body) || body['status'] !== 'success') throw new BackendError(`GET ${reply.url}: not a Prometheus API answer: ${reply.text.slice(0, 120)}`, 'bad-response', reply.url, reply.status);
    return body['data'];
  }

  /** Instant query; vectors give one sample per series, a scalar gives one sample with no labels. */
  async query(query: string, opts: { readonly time?: ApiTime; readonly signal?: AbortSignal } = {}): Promise<InstantSample[]> {
    const data = await this.data(PROMETHEUS_API.query, { query, time: apiTime(opts.time) }, opts.signal);
    if (!isRecord(data)) return [];
    if (data['resultType'] === 'scalar') {
      const s = sampleOf(data['result']);
      return s ? [{ metric: {}, ...s }] : [];
    }
    const out: InstantSample[] = [];
    for (const r of asArray(data['result'])) {
      if (!isRecord(r)) continue;
      const s = sampleOf(r['value']);
      if (s) out.push({ metric: labelsOf(r['metric']), ...s });
    }
    return out;
  }

  async queryRange(query: string, opts: { readonly start: ApiTime; readonly end: ApiTime; readonly stepSeconds: number; readonly signal?: AbortSignal }): Promise<RangeSeries[]> {
    const data = await this.data(PROMETHEUS_API.queryRange, { query, start: apiTime(opts.start), end: apiTime(opts.end), step: opts.stepSeconds }, opts.signal);
    if (!isRecord(data)) return [];
    const out: RangeSeries[] = [];
    for (const r of asArray(data['result'])) {
      if (!isRecord(r)) continue;
      const values = asArray(r['values']).map(sampleOf).filter((x): x is { time: number; value: number } => x !== undefined);
      out.push({ metric: labelsOf(r['metric']), values });
    }
    return out;
  }

  async queryExemplars(query: string, opts: { readonly start: ApiTime; readonly end: ApiTime; readonly signal?: AbortSignal }): Promise<ExemplarSeries[]> {
    const data = await this.data(PROMETHEUS_API.queryExemplars, { query, start: apiTime(opts.start), end: apiTime(opts.end) }, opts.signal);
    const out: ExemplarSeries[] = [];
    for (const s of asArray(data)) {
      if (!isRecord(s)) continue;
      const exemplars: Exemplar[] = [];
      for (const e of asArray(s['exemplars'])) {
        if (!isRecord(e)) continue;
        exemplars.push({ labels: labelsOf(e['labels']), value: Number(e['value']), time: Number(e['timestamp']) });
      }
      out.push({ seriesLabels: labelsOf(s['seriesLabels']), exemplars });
    }
    return out;
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}
