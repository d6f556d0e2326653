// Tenants' browser paths on the OpenTelemetry Collector (issue 11 §1, §2; seed 003): examples/rum's local gateway
// config with its per-tenant Faro receivers, run by the real collector on loopback (the OTLP test sink standing in for
// Tempo and Loki), behind the real HAProxy with the rendered per-tenant rate limits (haproxy.cfg, checked with
// `haproxy -c`). A tenant's payload reaches the stand-ins with X-Scope-OrgID = its id; above its rate HAProxy answers
// 429 and its Prometheus exporter counts the refusals per tenant frontend; preflights pass through to the collector,
// whose CORS grants a tenant's own origin only — another tenant's origin is refused.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { FARO_SDK_REQUEST_HEADERS, OTELCOL_FARO_RECEIVER } from '../../src/catalog/otelcol.js';
import { HAPROXY_FARO_RATE_LIMIT, HAPROXY_METRICS } from '../../src/catalog/support.js';
import { anyValueToJs } from '../../src/ops/otlp/decode.js';
import { randomSpanId, randomTraceId } from '../../src/ops/otlp/index.js';
import type { TenantPlan } from '../../src/topology/types.js';
import { OtlpSink } from '../support/otlp-sink.js';
import { Collector } from './support/collector.js';
import { haproxyBin, otelcolWith } from './support/peers.js';
import { checkRenderedComposeHaproxy, startLoadBalancer } from './support/lb.js';
import { ManagedProcess, killAllTracked, waitUntil } from './support/proc.js';
import { loadExample, loopbackInput } from './support/stacks.js';
import { send } from './support/http.js';
import { Setup, makeTempDir, removeTempDir } from './support/tmp.js';

/** A small Faro payload: one log and one browser span, marked with `run`. */
function payload(app: string, run: string, traceId: string): string {
  const now = Date.now();
  const nanos = (dt: number) => String(BigInt(now + dt) * 1_000_000n);
  return JSON.stringify({
    meta: { sdk: { name: '@grafana/faro-web-sdk', version: '2.12.1', integrations: [] }, app: { name: app, version: '1.0.0', environment: 'local' }, session: { id: run }, page: { url: `https://${app}.example.com/` } },
    logs: [{ level: 'info', message: `page opened ${run}`, timestamp: new Date(now).toISOString() }],
    traces: {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: app } }] },
          scopeSpans: [{ scope: { name: '@opentelemetry/instrumentation-document-load' }, spans: [{ traceId, spanId: randomSpanId(), name: 'documentLoad', kind: 1, startTimeUnixNano: nanos(-300), endTimeUnixNano: nanos(0), status: { code: 0 } }] }],
        },
      ],
    },
  });
}

const preflight = (url: string, origin: string) =>
  send(url, 'OPTIONS', { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': FARO_SDK_REQUEST_HEADERS.map((h) => h.toLowerCase()).sort().join(',') });

describe('e2e faro-tenants: haproxy -c accepts the rendered compose haproxy.cfg with the tenants\' rate limits', () => {
  it('examples/rum local, as `otelstack render` writes it', async () => {
    const cfg = checkRenderedComposeHaproxy(await loadExample('rum'), 'local');
    assert.ok(cfg.includes('frontend faro_shop'), 'a haproxy.cfg with the tenants is rendered');
  });
});

describe('e2e faro-tenants: per-tenant Faro receivers (real collector) behind the rendered per-tenant HAProxy rate limits (real HAProxy)', () => {
  let dir: string | undefined;
  let sink: OtlpSink | undefined;
  let gateway: Collector | undefined;
  let haproxy: ManagedProcess | undefined;
  const setup = new Setup(async () => {
    otelcolWith([OTELCOL_FARO_RECEIVER.type]);
    haproxyBin();
    dir = makeTempDir('faro-tenants');
    sink = await OtlpSink.start();
    const stack = await loadExample('rum');
    const input = await loopbackInput(stack, 'local', { sink, sinkSignals: ['traces', 'logs'] });
    const tenants = input.topology.tenants ?? [];
    assert.deepEqual(tenants.map((t) => t.name), ['blog', 'shop'], 'examples/rum serves blog and shop locally');
    gateway = await Collector.start({ name: 'gateway-0', role: 'gateway', input, dir });
    const lb = await startLoadBalancer(dir, [gateway], tenants);
    haproxy = lb.haproxy;
    const byName = (n: string) => tenants.find((t) => t.name === n)!;
    return { sink, gateway, shop: byName('shop'), blog: byName('blog'), url: lb.tenantUrl, denied: lb.deniedRequests };
  });
  before(setup.run);
  after(async () => {
    await haproxy?.stop();
    await gateway?.stop();
    await sink?.stop();
    killAllTracked();
    removeTempDir(dir);
  });

  it("each tenant's payload arrives at the logs and traces stand-ins with X-Scope-OrgID = the tenant's id", async () => {
    const { sink, gateway, shop, blog, url } = setup.get();
    for (const tn of [shop, blog] as TenantPlan[]) {
      const run = randomSpanId();
      const traceId = randomTraceId();
      const r = await send(url(tn.name), 'POST', { 'content-type': OTELCOL_FARO_RECEIVER.contentType, origin: tn.origins[0]!, 'x-faro-session-id': run }, payload(tn.name, run, traceId));
      assert.equal(r.status, OTELCOL_FARO_RECEIVER.acceptedStatus, `POST through HAProxy for ${tn.name}: ${r.status} ${r.body}`);
      assert.equal(r.headers['access-control-allow-origin'], tn.origins[0]);
      const logs = () => sink.received('logs').items.filter((i) => String(anyValueToJs(i.log.record.body)).includes(run));
      const spans = () => sink.received('traces').items.filter((i) => i.span.span.traceId === traceId);
      await waitUntil(`${tn.name}'s log and span at the sink`, 60_000, () => logs().length >= 1 && spans().length >= 1, { details: () => gateway.logTail() });
      const requests = sink.requests();
      for (const item of [...logs(), ...spans()]) assert.equal(requests[item.request]!.headers['x-scope-orgid'], tn.id, `${tn.name}: ${item.signal} written with its tenant id`);
    }
  });

  it("above a tenant's rate HAProxy answers 429, counts each refusal on the tenant's frontend, and lets the other tenant through", async () => {
    const { blog, shop, url, denied } = setup.get();
    const before = await denied(blog.name);
    const n = blog.rateLimit.burst * 2 + 5;
    // all at once: well inside the one-second window, so at most `burst` pass
    const replies = await Promise.all(Array.from({ length: n }, () => send(url(blog.name), 'POST', { 'content-type': OTELCOL_FARO_RECEIVER.contentType, origin: blog.origins[0]! }, payload(blog.name, randomSpanId(), randomTraceId()))));
    const refused = replies.filter((r) => r.status === HAPROXY_FARO_RATE_LIMIT.status).length;
    const accepted = replies.filter((r) => r.status === OTELCOL_FARO_RECEIVER.acceptedStatus).length;
    assert.equal(refused + accepted, n, `only 202 and 429: ${replies.map((r) => r.status).join(',')}`);
    assert.ok(accepted <= blog.rateLimit.burst && accepted > 0, `at most the burst (${blog.rateLimit.burst}) passes: ${accepted}`);
    assert.ok(refused >= n - blog.rateLimit.burst, `the rest is refused: ${refused}`);
    assert.equal((await denied(blog.name)) - before, refused, `${HAPROXY_METRICS.frontendRequestsDenied}{proxy="${HAPROXY_FARO_RATE_LIMIT.frontend(blog.name)}"} counts every 429`);
    // a refusal the page can read: it says when to come back, and grants the tenant's own origin (CORS)
    const no = replies.find((r) => r.status === HAPROXY_FARO_RATE_LIMIT.status)!;
    assert.equal(no.headers['retry-after'], String(HAPROXY_FARO_RATE_LIMIT.shortWindowSeconds), JSON.stringify(no.headers));
    assert.equal(no.headers['access-control-allow-origin'], blog.origins[0]);
    assert.equal(no.headers['access-control-expose-headers'], HAPROXY_FARO_RATE_LIMIT.retryAfterHeader);
    // …and no other origin
    const foreign = await send(url(blog.name), 'POST', { 'content-type': OTELCOL_FARO_RECEIVER.contentType, origin: shop.origins[0]! }, payload(blog.name, randomSpanId(), randomTraceId()));
    assert.equal(foreign.status, HAPROXY_FARO_RATE_LIMIT.status);
    assert.equal(foreign.headers['access-control-allow-origin'], undefined, `no CORS grant for ${shop.origins[0]} on blog's refusal: ${JSON.stringify(foreign.headers)}`);
    // the other tenant's limit is its own
    const other = await send(url(shop.name), 'POST', { 'content-type': OTELCOL_FARO_RECEIVER.contentType, origin: shop.origins[0]! }, payload(shop.name, randomSpanId(), randomTraceId()));
    assert.equal(other.status, OTELCOL_FARO_RECEIVER.acceptedStatus);
    assert.equal(await denied(shop.name), 0);
    // preflights are neither counted nor refused: while blog is over its limit, its preflight still reaches the collector
    const pf = await preflight(url(blog.name), blog.origins[0]!);
    assert.ok(pf.status >= 200 && pf.status < 300, `preflight over the limit: ${pf.status}`);
    assert.equal(pf.headers['access-control-allow-origin'], blog.origins[0]);
  });

  it("CORS is the tenant's own: a preflight from another tenant's origin gets no grant", async () => {
    const { blog, shop, url } = setup.get();
    const own = await preflight(url(shop.name), shop.origins[0]!);
    assert.equal(own.headers['access-control-allow-origin'], shop.origins[0]);
    const foreign = await preflight(url(shop.name), blog.origins[0]!);
    assert.ok(foreign.status < 500, `preflight from ${blog.origins[0]}: ${foreign.status}`);
    assert.equal(foreign.headers['access-control-allow-origin'], undefined, `no CORS grant for blog's origin on shop's receiver: ${JSON.stringify(foreign.headers)}`);
  });
});
