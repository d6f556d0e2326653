// The sample backend: a small JSON API (GET /api/items) for the sample web app, every request a SERVER span that
// continues the browser's trace from its `traceparent`, a request counter and duration histogram, and a log record
// linked to the span.
//
// Why a hand-made server span and not @opentelemetry/instrumentation-http: the instrumentation patches node:http
// through module hooks, which for an ES module application means starting Node with a `--import` loader; the span
// here is the same (kind SERVER, the HTTP semantic conventions, the parent taken from the request headers) and shows
// the one thing the sample is about: the trace context the browser sends, extracted with the registered W3C
// propagator.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { context, propagation, SpanKind, ROOT_CONTEXT, type Span } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  METRIC_HTTP_SERVER_REQUEST_DURATION,
} from '@opentelemetry/semantic-conventions';

import type { Telemetry } from './telemetry.js';

/**
 * The trace-context request headers a browser may send cross-origin (the seed's allow-list: W3C trace context,
 * which is what the Faro SDK's fetch instrumentation injects). A CORS preflight asking for anything else is not
 * granted it.
 */
export const TRACE_CONTEXT_HEADERS = ['traceparent', 'tracestate'] as const;

export interface Item {
  readonly sku: string;
  readonly name: string;
  readonly price: number;
}

const ITEMS: readonly Item[] = [
  { sku: 'A-17', name: 'Espresso cup', price: 9.5 },
  { sku: 'B-02', name: 'Milk jug', price: 14 },
  { sku: 'C-33', name: 'Tamper', price: 21.9 },
];

/** What GET /api/items answers: the items, and what the request carried (so a page can show it). */
export interface ItemsReply {
  readonly service: string;
  readonly items: readonly Item[];
  /** the `traceparent` request header as received, null when the browser sent none */
  readonly traceparent: string | null;
  /** the trace id of this request's server span */
  readonly traceId: string;
}

export interface BackendOptions {
  /** the name reported in replies (the resource's service.name is the telemetry's) */
  readonly service: string;
  /** origins (scheme://host[:port]) whose pages may call the API: CORS */
  readonly allowedOrigins: readonly string[];
  readonly telemetry: Telemetry;
  readonly host?: string;
  /** 0: any free port */
  readonly port?: number;
}

export interface Backend {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

function corsHeaders(origin: string | undefined, allowed: readonly string[]): Record<string, string> {
  // Vary: Origin on every answer, granted or not, so a cache never hands one origin's grant to another
  const base = { vary: 'Origin' };
  return origin !== undefined && allowed.includes(origin) ? { ...base, 'access-control-allow-origin': origin } : base;
}

export async function startBackend(options: BackendOptions): Promise<Backend> {
  const { telemetry, allowedOrigins } = options;
  const requests = telemetry.meter.createCounter('sample_api_requests', { description: 'API requests served, by route and status', unit: '{request}' });
  const duration = telemetry.meter.createHistogram(METRIC_HTTP_SERVER_REQUEST_DURATION, { description: 'Duration of HTTP server requests', unit: 's' });

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://backend.invalid');
    const origin = req.headers.origin;
    const cors = corsHeaders(origin, allowedOrigins);

    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (req.method === 'OPTIONS' && url.pathname.startsWith('/api/')) {
      // a preflight: grant GET and, of the headers asked for, only the trace-context ones
      const asked = String(req.headers['access-control-request-headers'] ?? '')
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter((h) => h !== '');
      const granted = asked.filter((h) => (TRACE_CONTEXT_HEADERS as readonly string[]).includes(h));
      const grant = 'access-control-allow-origin' in cors ? { 'access-control-allow-methods': 'GET', 'access-control-allow-headers': granted.join(', '), 'access-control-max-age': '600' } : {};
      res.writeHead(204, { ...cors, ...grant }).end();
      return;
    }
    if (req.method !== 'GET' || url.pathname !== '/api/items') {
      res.writeHead(404, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify({ error: `no route ${req.method} ${url.pathname}` }));
      return;
    }

    const started = process.hrtime.bigint();
    // the browser's trace context (traceparent / tracestate), if it sent one, becomes the server span's parent
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const route = '/api/items';
    telemetry.tracer.startActiveSpan(
      `GET ${route}`,
      { kind: SpanKind.SERVER, attributes: { [ATTR_HTTP_REQUEST_METHOD]: 'GET', [ATTR_HTTP_ROUTE]: route, [ATTR_URL_PATH]: url.pathname, [ATTR_URL_SCHEME]: 'http' } },
      parent,
      (span: Span) => {
        const items = telemetry.tracer.startActiveSpan('load items', (child) => {
          child.setAttribute('sample.items.count', ITEMS.length);
          child.end();
          return ITEMS;
        });
        const reply: ItemsReply = {
          service: options.service,
          items,
          traceparent: typeof req.headers.traceparent === 'string' ? req.headers.traceparent : null,
          traceId: span.spanContext().traceId,
        };
        telemetry.logger.emit({
          severityNumber: SeverityNumber.INFO,
          severityText: 'INFO',
          body: `served ${items.length} items to ${origin ?? 'a client without Origin'}`,
          attributes: { 'http.route': route, 'sample.continued_trace': reply.traceparent !== null },
          context: context.active(),
        });
        res.writeHead(200, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify(reply));
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, 200);
        span.end();
        const attrs = { [ATTR_HTTP_ROUTE]: route, [ATTR_HTTP_RESPONSE_STATUS_CODE]: 200 };
        requests.add(1, attrs);
        duration.record(Number(process.hrtime.bigint() - started) / 1e9, { ...attrs, [ATTR_HTTP_REQUEST_METHOD]: 'GET' });
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
