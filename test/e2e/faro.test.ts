// The browser path (issue 11 §1): examples/single-node's gateway config, with its faro receiver, run by the real
// collector on loopback (the OTLP test sink standing in for Tempo and Loki). A Faro Web SDK payload — meta, logs,
// an exception, a web-vitals measurement, an event, and browser spans as OTLP JSON resourceSpans (the shape of the
// receiver's and its translator's testdata at v0.158.0) — POSTed to the rendered endpoint arrives as log records at
// the logs stand-in and as spans at the traces stand-in. CORS is the rendered one: a preflight from an allowed origin
// is answered with that origin (and the Faro SDK's own request headers allowed), from any other origin it is not.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { FARO_KINDS, FARO_LOG_FIELDS, FARO_WEB_VITALS_TYPE, WEB_VITALS } from '../../src/catalog/faro.js';
import { FARO_SDK_REQUEST_HEADERS, OTELCOL_FARO_RECEIVER } from '../../src/catalog/otelcol.js';
import { exceptionsQuery, sessionsQuery, webVitalQuery } from '../../src/render/rules/index.js';
import { anyValueToJs, attributesToRecord } from '../../src/ops/otlp/decode.js';
import { randomSpanId, randomTraceId } from '../../src/ops/otlp/index.js';
import { OtlpSink } from '../support/otlp-sink.js';
import { Collector } from './support/collector.js';
import { otelcolWith } from './support/peers.js';
import { killAllTracked, waitUntil } from './support/proc.js';
import { loadExample, loopbackInput } from './support/stacks.js';
import { send } from './support/http.js';
import { Setup, makeTempDir, removeTempDir } from './support/tmp.js';

const OTHER_ORIGIN = 'https://elsewhere.example.net';


/** A Faro Web SDK payload (the JSON its fetch transport POSTs); `run` marks every item of this test run. */
function faroPayload(run: string, traceId: string, spanIds: readonly [string, string]) {
  const now = Date.now();
  const iso = (dt: number) => new Date(now + dt).toISOString();
  const nanos = (dt: number) => String(BigInt(now + dt) * 1_000_000n);
  const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
  return {
    meta: {
      sdk: { name: '@grafana/faro-web-sdk', version: '1.19.0', integrations: [] },
      app: { name: 'otelstack-e2e-shop', version: '1.2.3', environment: 'local' },
      session: { id: run },
      page: { url: 'http://localhost:5173/cart' },
      browser: { name: 'chromium', version: '140', os: 'linux', mobile: false },
      view: { name: 'cart' },
    },
    logs: [
      { level: 'info', message: `cart opened ${run}`, context: { component: 'Cart' }, timestamp: iso(0), trace: { trace_id: traceId, span_id: spanIds[0] } },
      { level: 'warn', message: `slow price list ${run}`, timestamp: iso(1) },
    ],
    exceptions: [{ type: 'TypeError', value: `price is undefined ${run}`, timestamp: iso(2), stacktrace: { frames: [{ filename: 'http://localhost:5173/assets/cart.js', function: 'total', lineno: 42, colno: 7 }] } }],
    measurements: [{ type: 'web-vitals', values: { lcp: 1830.5, cls: 0.02, inp: 96 }, timestamp: iso(3) }],
    events: [{ name: 'add_to_cart', domain: 'shop', attributes: { sku: 'A-17' }, timestamp: iso(4) }],
    traces: {
      resourceSpans: [
        {
          resource: { attributes: [str('service.name', 'otelstack-e2e-shop'), str('telemetry.sdk.language', 'webjs'), str('session_id', run)] },
          scopeSpans: [
            {
              scope: { name: '@opentelemetry/instrumentation-document-load', version: '0.44.0' },
              spans: [
                { traceId, spanId: spanIds[0], name: 'documentLoad', kind: 1, startTimeUnixNano: nanos(-500), endTimeUnixNano: nanos(0), attributes: [str('http.url', 'http://localhost:5173/cart')], status: { code: 0 } },
                { traceId, spanId: spanIds[1], parentSpanId: spanIds[0], name: 'HTTP GET', kind: 3, startTimeUnixNano: nanos(-300), endTimeUnixNano: nanos(-100), attributes: [str('http.method', 'GET')], status: { code: 0 } },
              ],
            },
          ],
        },
      ],
    },
  };
}

/**
 * logfmt key/value pairs of a line (test-side reader: bare or double-quoted values, as go-logfmt writes them; no
 * logfmt library is a dependency and only the lines of this test are read).
 */
function logfmtFields(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of line.matchAll(/([^\s=]+)=("(?:[^"\\]|\\.)*"|[^\s]*)/g)) out[m[1]!] = m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!;
  return out;
}

/** The `|= "…"` line filters of a LogQL query. */
function lineFilters(logql: string): string[] {
  return [...logql.matchAll(/\|= ("(?:[^"\\]|\\.)*")/g)].map((m) => JSON.parse(m[1]!) as string);
}

/** The `|~ "…"` regex line filters of a LogQL query (RE2; the ones rendered are also valid JavaScript regexes). */
function regexFilters(logql: string): RegExp[] {
  return [...logql.matchAll(/\|~ ("(?:[^"\\]|\\.)*")/g)].map((m) => new RegExp(JSON.parse(m[1]!) as string));
}

describe('e2e faro: browser payloads → the rendered gateway faro receiver (real collector) → logs and traces backends', () => {
  let dir: string | undefined;
  let sink: OtlpSink | undefined;
  let gateway: Collector | undefined;
  const setup = new Setup(async () => {
    otelcolWith([OTELCOL_FARO_RECEIVER.type]);
    dir = makeTempDir('faro');
    sink = await OtlpSink.start();
    const stack = await loadExample('single-node');
    const origins = stack.ingestion?.faro?.allowedOrigins ?? [];
    assert.ok(stack.ingestion?.faro?.enabled && origins.length > 0 && !origins.includes('*'), 'examples/single-node enables Faro with listed origins');
    const input = await loopbackInput(stack, 'local', { sink });
    gateway = await Collector.start({ name: 'gateway', role: 'gateway', input, dir });
    return { sink, gateway, origin: origins[0]! };
  });
  before(setup.run);
  after(async () => {
    await gateway?.stop();
    await sink?.stop();
    killAllTracked();
    removeTempDir(dir);
  });

  it('the rendered receiver listens on its loopback placement, beside OTLP in the logs and traces pipelines', () => {
    const { gateway, origin } = setup.get();
    const faro = (gateway.config['receivers'] as Record<string, any>)[OTELCOL_FARO_RECEIVER.type];
    assert.equal(faro.endpoint, `127.0.0.1:${gateway.ports.faro}`);
    assert.ok(faro.cors.allowed_origins.includes(origin));
    const pipelines = (gateway.config['service'] as any).pipelines as Record<string, { receivers: string[] }>;
    for (const s of OTELCOL_FARO_RECEIVER.signals) assert.ok(pipelines[s]!.receivers.includes(OTELCOL_FARO_RECEIVER.type), s);
  });

  it('a Faro payload from an allowed origin is accepted (202, the origin echoed); its logs reach the logs stand-in and its spans the traces stand-in', async () => {
    const { gateway, sink, origin } = setup.get();
    const run = randomSpanId();
    const traceId = randomTraceId();
    const spanIds = [randomSpanId(), randomSpanId()] as const;
    const r = await send(gateway.faroUrl, 'POST', { 'content-type': OTELCOL_FARO_RECEIVER.contentType, origin, 'x-faro-session-id': run }, JSON.stringify(faroPayload(run, traceId, spanIds)));
    assert.equal(r.status, OTELCOL_FARO_RECEIVER.acceptedStatus, `POST ${gateway.faroUrl}: ${r.status} ${r.body}`);
    assert.equal(r.headers['access-control-allow-origin'], origin);

    const ours = () => sink.received('logs').items.filter((i) => String(anyValueToJs(i.log.record.body)).includes(`session_id=${run}`));
    const spans = () => sink.received('traces').items.filter((i) => i.span.span.traceId === traceId);
    await waitUntil('the Faro log records and spans at the sink', 60_000, () => ours().length >= 5 && spans().length >= 2, {
      details: () => `sink: logs ${sink.count('logs')} (ours ${ours().length}), traces ${sink.count('traces')} (ours ${spans().length})\n${gateway.logTail()}`,
    });
    // every Faro item once: two logs, the exception, the measurement, the event — told apart by the `kind` attribute
    const kinds = ours().map((i) => attributesToRecord(i.log.record.attributes)[OTELCOL_FARO_RECEIVER.kindAttribute]).sort();
    assert.deepEqual(kinds, ['event', 'exception', 'log', 'log', 'measurement']);
    const bodies = ours().map((i) => String(anyValueToJs(i.log.record.body)));
    for (const want of [`cart opened ${run}`, `slow price list ${run}`, `price is undefined ${run}`, 'add_to_cart', 'lcp']) {
      assert.ok(bodies.some((b) => b.includes(want)), `a log record carries ${want}: ${bodies.join('\n')}`);
    }
    // the fields the Loki ruler's RUM rules read (catalog src/catalog/faro.ts), in the body the real collector wrote
    const measurement = ours().find((i) => attributesToRecord(i.log.record.attributes)[OTELCOL_FARO_RECEIVER.kindAttribute] === FARO_KINDS.measurement)!;
    const mBody = String(anyValueToJs(measurement.log.record.body));
    const fields = logfmtFields(mBody);
    assert.equal(fields[FARO_LOG_FIELDS.kind], FARO_KINDS.measurement, mBody);
    assert.equal(fields[FARO_LOG_FIELDS.type], FARO_WEB_VITALS_TYPE, mBody);
    assert.equal(fields[FARO_LOG_FIELDS.pageUrl], 'http://localhost:5173/cart');
    assert.equal(fields[FARO_LOG_FIELDS.sessionId], run);
    for (const v of ['lcp', 'inp', 'cls'] as const) assert.ok(Number.isFinite(Number(fields[WEB_VITALS[v].field])), `${v} is a number in ${mBody}`);
    assert.equal(Number(fields['lcp']), 1830.5);
    // every line filter of the rendered rules matches the line it is meant for (and the exception's, its own)
    for (const v of ['lcp', 'inp', 'cls'] as const) for (const f of lineFilters(webVitalQuery(v))) assert.ok(mBody.includes(f), `${v}: |= ${JSON.stringify(f)} on ${mBody}`);
    for (const v of ['lcp', 'inp', 'cls'] as const) for (const re of regexFilters(webVitalQuery(v))) assert.match(mBody, re);
    const exception = ours().find((i) => attributesToRecord(i.log.record.attributes)[OTELCOL_FARO_RECEIVER.kindAttribute] === FARO_KINDS.exception)!;
    const eBody = String(anyValueToJs(exception.log.record.body));
    for (const f of lineFilters(exceptionsQuery())) assert.ok(eBody.includes(f), `exceptions: |= ${JSON.stringify(f)} on ${eBody}`);
    for (const re of regexFilters(exceptionsQuery())) assert.match(eBody, re);
    assert.ok(!regexFilters(webVitalQuery('lcp')).every((re) => re.test(eBody)), 'the web-vitals filters do not take the exception line');
    assert.equal(logfmtFields(eBody)[FARO_LOG_FIELDS.pageUrl], 'http://localhost:5173/cart');
    for (const i of ours()) for (const f of lineFilters(sessionsQuery())) assert.ok(String(anyValueToJs(i.log.record.body)).includes(f), 'every Faro item carries its session id');
    // the log linked to the page-load span keeps its trace context
    const linked = ours().find((i) => String(anyValueToJs(i.log.record.body)).includes('cart opened'))!;
    assert.equal(linked.log.record.traceId, traceId);
    assert.equal(linked.log.record.spanId, spanIds[0]);
    // the app's identity becomes the log resource (the logs engine's labels)
    const resource = attributesToRecord(linked.log.resource?.attributes);
    assert.equal(resource['service.name'], 'otelstack-e2e-shop');
    assert.equal(resource['service.version'], '1.2.3');
    // the spans, over the protocol the rendered Tempo exporter speaks; the logs over Loki's OTLP/HTTP
    assert.deepEqual(spans().map((i) => i.span.span.spanId).sort(), [...spanIds].sort());
    assert.equal(spans().find((i) => i.span.span.spanId === spanIds[1])!.span.span.parentSpanId, spanIds[0]);
    assert.ok(spans().every((i) => i.transport === 'grpc'));
    assert.ok(ours().every((i) => i.transport === 'http'));
    for (const [signal, n] of [['logs', 5], ['traces', 2]] as const) {
      const got = signal === 'logs' ? ours().length : spans().length;
      assert.equal(got, n, `${signal}: each item once`);
    }
  });

  it('CORS preflight: an allowed origin gets Access-Control-Allow-Origin (and the Faro SDK headers allowed); another origin does not', async () => {
    const { gateway, origin } = setup.get();
    const preflight = (from: string) =>
      // as a browser names them: lowercase, sorted, comma-separated (the Fetch standard's CORS-unsafe request-header names)
      send(gateway.faroUrl, 'OPTIONS', { origin: from, 'access-control-request-method': 'POST', 'access-control-request-headers': FARO_SDK_REQUEST_HEADERS.map((h) => h.toLowerCase()).sort().join(',') });
    const ok = await preflight(origin);
    assert.ok(ok.status >= 200 && ok.status < 300, `preflight from ${origin}: ${ok.status}`);
    assert.equal(ok.headers['access-control-allow-origin'], origin);
    assert.match(ok.headers['access-control-allow-methods'] ?? '', /\bPOST\b/);
    const allowedHeaders = (ok.headers['access-control-allow-headers'] ?? '').toLowerCase();
    for (const h of FARO_SDK_REQUEST_HEADERS.map((x) => x.toLowerCase())) assert.ok(allowedHeaders.includes(h), `${h} allowed: ${allowedHeaders}`);
    // the JSON POST alone (no Faro session header) preflights with content-type only: allowed too
    const jsonOnly = await send(gateway.faroUrl, 'OPTIONS', { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' });
    assert.equal(jsonOnly.headers['access-control-allow-origin'], origin, 'content-type is listed in allowed_headers (rs/cors allows only what is listed)');
    const other = await preflight(OTHER_ORIGIN);
    assert.ok(other.status < 500, `preflight from ${OTHER_ORIGIN}: ${other.status}`);
    assert.equal(other.headers['access-control-allow-origin'], undefined, `no CORS grant for ${OTHER_ORIGIN}: ${JSON.stringify(other.headers)}`);
    assert.equal(other.headers['access-control-allow-methods'], undefined);
  });

  it('a POST from another origin gets no CORS grant either (the browser hides the answer; CORS binds browsers only)', async () => {
    const { gateway } = setup.get();
    const r = await send(gateway.faroUrl, 'POST', { 'content-type': OTELCOL_FARO_RECEIVER.contentType, origin: OTHER_ORIGIN }, JSON.stringify({ meta: {} }));
    assert.equal(r.headers['access-control-allow-origin'], undefined);
  });

  it('the catalog facts of the receiver hold: only POST, only application/json', async () => {
    const { gateway } = setup.get();
    const get = await send(gateway.faroUrl, 'GET', {});
    assert.equal(get.status, 405, get.body);
    const text = await send(gateway.faroUrl, 'POST', { 'content-type': 'text/plain' }, '{}');
    assert.equal(text.status, 415, text.body);
  });
});
