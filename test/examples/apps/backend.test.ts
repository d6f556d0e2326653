// The sample backend (examples/apps/backend) on its own: its CORS (the web app's origin only, of the request headers
// only the trace-context ones), the browser's traceparent continued by its server span, and its three signals over
// OTLP/HTTP, here straight to the OTLP test sink (test/e2e/browser-rum.test.ts runs it behind the real collector).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';

import { startBackend, TRACE_CONTEXT_HEADERS, type Backend, type ItemsReply } from '../../../examples/apps/backend/server.js';
import { startTelemetry, type Telemetry } from '../../../examples/apps/backend/telemetry.js';
import { attributesToRecord } from '../../../src/ops/otlp/decode.js';
import { randomSpanId, randomTraceId } from '../../../src/ops/otlp/index.js';
import { OtlpSink } from '../../support/otlp-sink.js';

const ORIGIN = 'http://127.0.0.1:5173';
const OTHER = 'http://127.0.0.1:5174';

async function call(url: string, method: 'GET' | 'OPTIONS', headers: Record<string, string>) {
  const res = await request(url, { method, headers, headersTimeout: 5000, bodyTimeout: 5000 });
  const text = await res.body.text();
  const h: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h[k] = v;
  return { status: res.statusCode, headers: h, text };
}

describe('examples/apps/backend: CORS, trace context, OTLP/HTTP traces, metrics and logs', () => {
  let sink: OtlpSink;
  let telemetry: Telemetry;
  let backend: Backend;
  before(async () => {
    sink = await OtlpSink.start({ transports: ['http'] });
    // what the exporters read for themselves (the README's way of pointing the backend at a gateway)
    process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] = sink.httpEndpoint;
    process.env['OTEL_SERVICE_NAME'] = 'shop-api';
    telemetry = startTelemetry({ serviceName: 'sample-backend' });
    backend = await startBackend({ service: 'shop-api', allowedOrigins: [ORIGIN], telemetry });
  });
  after(async () => {
    await backend?.close();
    await telemetry?.shutdown();
    await sink?.stop();
  });

  it('a preflight from the allowed origin is granted GET and, of the asked headers, only traceparent and tracestate', async () => {
    const r = await call(`${backend.url}/api/items`, 'OPTIONS', { origin: ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'traceparent,tracestate,x-secret' });
    assert.equal(r.status, 204);
    assert.equal(r.headers['access-control-allow-origin'], ORIGIN);
    assert.equal(r.headers['access-control-allow-methods'], 'GET');
    assert.deepEqual(r.headers['access-control-allow-headers']!.split(', ').sort(), [...TRACE_CONTEXT_HEADERS].sort());
    const other = await call(`${backend.url}/api/items`, 'OPTIONS', { origin: OTHER, 'access-control-request-method': 'GET', 'access-control-request-headers': 'traceparent' });
    assert.equal(other.headers['access-control-allow-origin'], undefined, 'another origin gets no grant');
    assert.equal(other.headers['access-control-allow-headers'], undefined);
    assert.equal(other.headers['vary'], 'Origin');
  });

  it('GET /api/items continues the traceparent it is sent; its server span, child span, log record and counter reach the OTLP endpoint', async () => {
    const traceId = randomTraceId();
    const parent = randomSpanId();
    const r = await call(`${backend.url}/api/items`, 'GET', { origin: ORIGIN, traceparent: `00-${traceId}-${parent}-01` });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers['access-control-allow-origin'], ORIGIN);
    const reply = JSON.parse(r.text) as ItemsReply;
    assert.equal(reply.traceparent, `00-${traceId}-${parent}-01`);
    assert.equal(reply.traceId, traceId);
    assert.equal(reply.items.length, 3);

    const fresh = JSON.parse((await call(`${backend.url}/api/items`, 'GET', { origin: ORIGIN })).text) as ItemsReply;
    assert.equal(fresh.traceparent, null);
    assert.notEqual(fresh.traceId, traceId, 'without traceparent a trace of its own');

    await telemetry.flush();
    const spans = sink.received('traces').items.filter((i) => i.span.span.traceId === traceId);
    const server = spans.find((i) => i.span.span.name === 'GET /api/items');
    assert.ok(server, JSON.stringify(spans.map((i) => i.span.span.name)));
    assert.equal(server.span.span.parentSpanId, parent);
    assert.equal(server.span.span.kind, 2, 'SERVER');
    assert.equal(attributesToRecord(server.span.resource?.attributes)['service.name'], 'shop-api', 'OTEL_SERVICE_NAME wins over the default name');
    assert.equal(attributesToRecord(server.span.span.attributes)['http.route'], '/api/items');
    assert.ok(spans.some((i) => i.span.span.name === 'load items' && i.span.span.parentSpanId === server.span.span.spanId));
    const log = sink.received('logs').items.find((i) => i.log.record.traceId === traceId);
    assert.ok(log, 'the log record carries the trace context');
    assert.equal(log.log.record.spanId, server.span.span.spanId);
    const points = sink.received('metrics').items.filter((i) => i.point.metric.name === 'sample_api_requests');
    assert.ok(points.length > 0, `metrics: ${[...new Set(sink.received('metrics').items.map((i) => i.point.metric.name))].join(', ')}`);
    assert.ok(sink.received('metrics').items.some((i) => i.point.metric.name === 'http.server.request.duration'));
    assert.ok([...sink.received('traces').requests, ...sink.received('logs').requests, ...sink.received('metrics').requests].every((q) => q.transport === 'http' && q.encoding === 'json'), 'OTLP/HTTP with JSON bodies (the *-otlp-http exporters; *-otlp-proto would send protobuf)');
  });

  it('answers 404 for other routes and /healthz without a span', async () => {
    assert.equal((await call(`${backend.url}/nope`, 'GET', { origin: ORIGIN })).status, 404);
    assert.equal((await call(`${backend.url}/healthz`, 'GET', {})).text, 'ok\n');
  });
});
