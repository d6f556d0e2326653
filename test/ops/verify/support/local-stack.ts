// A local stand-in for one environment, for `verify` tests and the bench: the OTLP sink as the ingestion endpoint;
// a Tempo and a Loki answering their documented query APIs (Tempo HTTP API v3.0.x trace-by-id v1/v2; Loki v3.6.x
// query_range) from what the sink received; and — when `prometheus` is given — the sink's metric points forwarded
// to a real Prometheus by remote write (with exemplars), the way a collector's remote-write exporter would.
// Tenancy is modelled like Tempo/Loki with multitenancy on: data pushed with X-Scope-OrgID T is visible only to
// readers sending X-Scope-OrgID T (no header = the engine's no-auth tenant).
import { TEMPO_API } from '../../../../src/catalog/tempo.js';
import { LOKI_API } from '../../../../src/catalog/loki.js';
import { PROMETHEUS_API } from '../../../../src/catalog/prometheus.js';
import { anyValueToJs, attributesToRecord, type OtlpKeyValue } from '../../../../src/ops/otlp/index.js';
import { OtlpSink } from '../../../support/otlp-sink.js';
import { FakeHttp, type FakeReply, type FakeRequest } from '../../backends/support/fake-http.js';
import type { PrometheusProcess } from '../../backends/support/prometheus-process.js';
import { remoteWrite, type RwSeries } from '../../backends/support/remote-write.js';

export interface LocalStackOptions {
  readonly prometheus?: PrometheusProcess;
  /** Serve data to any tenant (a backend without multitenancy). Default false. */
  readonly ignoreTenant?: boolean;
  /** The tenant the "collector" writes everything as, whatever the push said (like an exporter's fixed X-Scope-OrgID). */
  readonly writeTenant?: string;
  /** Delay before pushed data becomes visible in the fakes (ms). Default 0. */
  readonly visibilityDelayMs?: number;
}

const tenantOf = (headers: Readonly<Record<string, string>>): string => headers['x-scope-orgid'] ?? '';

function b64(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

export class LocalStack {
  private forwarded = 0;
  private forwardTimer: NodeJS.Timeout | undefined;
  private forwarding: Promise<void> = Promise.resolve();
  forwardError: Error | undefined;

  private constructor(
    readonly sink: OtlpSink,
    readonly tempo: FakeHttp,
    readonly loki: FakeHttp,
    readonly prometheus: PrometheusProcess | undefined,
    private readonly opts: LocalStackOptions,
  ) {}

  static async start(opts: LocalStackOptions = {}): Promise<LocalStack> {
    const sink = await OtlpSink.start();
    let self: LocalStack | undefined;
    const tempo = await FakeHttp.start((r) => self!.tempoRoute(r));
    const loki = await FakeHttp.start((r) => self!.lokiRoute(r));
    self = new LocalStack(sink, tempo, loki, opts.prometheus, opts);
    if (opts.prometheus) self.forwardTimer = setInterval(() => self!.forward(), 25);
    return self;
  }

  private visible(receivedAt: number): boolean {
    return Date.now() - receivedAt >= (this.opts.visibilityDelayMs ?? 0);
  }

  private tenantOk(pushHeaders: Readonly<Record<string, string>>, req: FakeRequest): boolean {
    if (this.opts.ignoreTenant === true) return true;
    return (this.opts.writeTenant ?? tenantOf(pushHeaders)) === tenantOf(req.headers);
  }

  private tempoRoute(req: FakeRequest): FakeReply {
    if (req.path === TEMPO_API.search) return this.tempoSearch(req);
    const v2 = req.path.startsWith(TEMPO_API.traceByIdV2);
    const prefix = v2 ? TEMPO_API.traceByIdV2 : req.path.startsWith(TEMPO_API.traceById) ? TEMPO_API.traceById : undefined;
    if (!prefix) return { status: 404, text: '404 page not found' };
    const id = req.path.slice(prefix.length).toLowerCase();
    const requests = this.sink.requests();
    const spans = this.sink.received('traces').items.filter((s) => {
      const r = requests[s.request];
      return s.span.span.traceId === id && r !== undefined && this.visible(r.receivedAt) && this.tenantOk(r.headers, req);
    });
    if (spans.length === 0) return { status: 404, text: 'trace not found' };
    // Tempo's JSON: protobuf JSON mapping, so ids in base64; v1 names the list "batches"
    const resourceSpans = spans.map((s) => ({
      resource: { attributes: s.span.resource?.attributes ?? [] },
      scopeSpans: [{ scope: { name: s.span.scope?.name ?? '' }, spans: [{ ...s.span.span, traceId: b64(s.span.span.traceId), spanId: b64(s.span.span.spanId), ...(s.span.span.parentSpanId ? { parentSpanId: b64(s.span.span.parentSpanId) } : {}) }] }],
    }));
    return v2 ? { json: { trace: { resourceSpans }, status: 'COMPLETE' } } : { json: { batches: resourceSpans } };
  }

  /**
   * Tempo's search (GET /api/search?q=&start=&end=&limit=, seconds), for the one TraceQL form the Jaeger → Tempo
   * gate sends — `{ resource.service.name = "<name>" }` — over what the sink received: the traces with a span of
   * that service whose root started in [start, end], newest first, at most `limit` (Tempo's answer shape:
   * `{traces: [{traceID, rootServiceName, rootTraceName, startTimeUnixNano, durationMs}]}`).
   */
  private tempoSearch(req: FakeRequest): FakeReply {
    const m = /^\{\s*resource\.service\.name\s*=\s*"([^"]*)"\s*\}$/.exec((req.query.get('q') ?? '').trim());
    if (!m) return { status: 400, text: `unsupported TraceQL: ${req.query.get('q') ?? ''}` };
    const service = m[1]!;
    const start = Number(req.query.get('start') ?? '0') * 1e9;
    const end = req.query.get('end') ? Number(req.query.get('end')) * 1e9 : Number.POSITIVE_INFINITY;
    const limit = Number(req.query.get('limit') ?? '20');
    const requests = this.sink.requests();
    const traces = new Map<string, { start: number; name: string }>();
    for (const s of this.sink.received('traces').items) {
      const r = requests[s.request];
      if (!r || !this.visible(r.receivedAt) || !this.tenantOk(r.headers, req)) continue;
      if (String(attributesToRecord(s.span.resource?.attributes ?? [])['service.name'] ?? '') !== service) continue;
      const t = Number(BigInt(s.span.span.startTimeUnixNano ?? '0'));
      const cur = traces.get(s.span.span.traceId);
      if (!cur || t < cur.start) traces.set(s.span.span.traceId, { start: t, name: s.span.span.name ?? '' });
    }
    const hits = [...traces].filter(([, t]) => t.start >= start && t.start <= end).sort((a, b) => b[1].start - a[1].start).slice(0, limit);
    // search results print trace ids in hex without leading zeros
    return { json: { traces: hits.map(([id, t]) => ({ traceID: id.replace(/^0+/, ''), rootServiceName: service, rootTraceName: t.name, startTimeUnixNano: String(t.start), durationMs: 0 })), metrics: { inspectedTraces: traces.size } } };
  }

  private lokiRoute(req: FakeRequest): FakeReply {
    if (req.path !== LOKI_API.queryRange) return { status: 404, text: '404 page not found' };
    const q = req.query.get('query') ?? '';
    // supports the forms verify sends: {label="value"} |= "needle"
    const m = /^\{(\w+)="([^"]*)"\}\s*(?:\|=\s*"([^"]*)")?$/.exec(q.trim());
    if (!m) return { status: 400, json: { status: 'error', error: `parse error: ${q}` }, contentType: 'application/json' };
    const [, label, value, needle] = m;
    const requests = this.sink.requests();
    const result: unknown[] = [];
    for (const l of this.sink.received('logs').items) {
      const r = requests[l.request];
      if (!r || !this.visible(r.receivedAt) || !this.tenantOk(r.headers, req)) continue;
      const res = attributesToRecord(l.log.resource?.attributes ?? []);
      const service = String(res['service.name'] ?? '');
      const stream: Record<string, string> = { [LOKI_API.serviceNameLabel]: service };
      if (label !== LOKI_API.serviceNameLabel || service !== value) continue;
      const line = String(anyValueToJs(l.log.record.body) ?? '');
      if (needle !== undefined && !line.includes(needle)) continue;
      // OTLP ingestion: the record's trace id lands in structured metadata, returned among the stream labels
      if (l.log.record.traceId) stream[LOKI_API.traceIdField] = l.log.record.traceId;
      result.push({ stream, values: [[String(BigInt(l.log.record.timeUnixNano ?? '0')), line]] });
    }
    return { json: { status: 'success', data: { resultType: 'streams', result, stats: {} } } };
  }

  /** Sends metric points the sink received since the last call to Prometheus (remote write). */
  private forward(): void {
    const prom = this.prometheus;
    if (!prom) return;
    this.forwarding = this.forwarding.then(async () => {
      const items = this.sink.received('metrics').items;
      const fresh = items.slice(this.forwarded);
      if (fresh.length === 0) return;
      this.forwarded = items.length;
      const series: RwSeries[] = [];
      for (const it of fresh) {
        const p = it.point.point as { attributes: OtlpKeyValue[]; asDouble?: number; asInt?: string; timeUnixNano?: string; exemplars?: { traceId?: string; spanId?: string; asDouble?: number; asInt?: string; timeUnixNano?: string }[] };
        const res = attributesToRecord(it.point.resource?.attributes ?? []);
        const labels: Record<string, string> = { __name__: it.point.metric.name ?? '', job: String(res['service.name'] ?? '') };
        for (const [k, v] of Object.entries(attributesToRecord(p.attributes))) labels[k] = String(v);
        const ms = Number(BigInt(p.timeUnixNano ?? '0') / 1_000_000n);
        series.push({
          labels,
          samples: [{ value: p.asDouble ?? Number(p.asInt ?? 0), timestampMs: ms }],
          exemplars: (p.exemplars ?? [])
            .filter((e) => e.traceId)
            .map((e) => ({ labels: { [PROMETHEUS_API.exemplarTraceIdLabel]: e.traceId!, ...(e.spanId ? { [PROMETHEUS_API.exemplarSpanIdLabel]: e.spanId } : {}) }, value: e.asDouble ?? Number(e.asInt ?? 0), timestampMs: Number(BigInt(e.timeUnixNano ?? '0') / 1_000_000n) || ms })),
        });
      }
      try {
        await remoteWrite(`${prom.url}${PROMETHEUS_API.remoteWrite}`, series);
      } catch (e) {
        this.forwardError = e as Error;
      }
    });
  }

  async stop(): Promise<void> {
    if (this.forwardTimer) clearInterval(this.forwardTimer);
    await this.forwarding;
    await Promise.all([this.sink.stop(), this.tempo.stop(), this.loki.stop()]);
  }
}
