// Real user monitoring end to end with real parts (issue 11 §4): the sample web app (examples/apps/web, Faro Web SDK
// and Faro web tracing), built for tenant `shop` of a variant of examples/rum whose tenant origins are the page's
// loopback origins, runs in Debian's headless Chromium and sends to the tenant's own Faro receiver on the REAL
// collector running the gateway config rendered from that definition (the OTLP sink standing in for Loki and Tempo),
// through the REAL HAProxy running the rendered per-tenant rate limits — the compose path a browser takes. The sample
// backend (examples/apps/backend, the OpenTelemetry SDK for Node) runs as a child process exporting OTLP/HTTP to the
// same gateway; a second instance stands for a third-party API, one not in the tenant's propagateTo.
//
//  (a) the page load (Faro's navigation-timing event), web vitals (TTFB / FCP while the page is open, LCP once it
//      is hidden) and the page's uncaught error arrive as log records at the logs stand-in, with the session and
//      the app's identity;
//  (b) the browser's fetch span and the backend's server span are one trace: `traceparent` goes to the tenant's
//      backend, and not to the other API (which then starts a trace of its own);
//  (c) a burst from the page of tenant `blog` (the same app built for blog, whose limit the variant makes small)
//      beyond blog's rate is refused with 429 by the load balancer and counted there; the page can read the refusal
//      (CORS and Retry-After), the SDK retries after it, and exactly the batches that were accepted arrive;
//  (d) the same page served from an origin the definition does not allow is refused by the receiver's CORS: the
//      browser's requests to the receiver fail and nothing of that session arrives.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';

import { FARO_KINDS, FARO_LOG_FIELDS, FARO_WEB_SDK } from '../../src/catalog/faro.js';
import { OTELCOL_FARO_RECEIVER } from '../../src/catalog/otelcol.js';
import { HAPROXY_FARO_RATE_LIMIT, HAPROXY_METRICS } from '../../src/catalog/support.js';
import { anyValueToJs, attributesToRecord } from '../../src/ops/otlp/decode.js';
import { freeLoopbackPorts, LOOPBACK_HOST } from '../../src/topology/loopback.js';
import { buildWebApp, serveWebApp, webAppConfigFor, type StaticServer } from '../../examples/apps/web/build.js';
import { launchChromium } from '../report/browser.js';
import { OtlpSink, type SinkLogRecord, type SinkSpan } from '../support/otlp-sink.js';
import { ROOT } from '../support/paths.js';
import { Collector } from './support/collector.js';
import { send } from './support/http.js';
import { startLoadBalancer, type LoadBalancer } from './support/lb.js';
import { haproxyBin, otelcolWith } from './support/peers.js';
import { killAllTracked, ManagedProcess, waitUntil } from './support/proc.js';
import { exampleVariant, loadExample, loopbackInput } from './support/stacks.js';
import { Setup, makeTempDir, removeTempDir } from './support/tmp.js';

const TENANT = 'shop';
/** the tenant whose limit the variant makes small, for (c) */
const LIMITED = 'blog';
const LIMITED_RATE = { perSecond: 2, burst: 4 };
/** full SDK batches (FARO_WEB_SDK.batchItemLimit items each) the (c) page pushes at once: three times blog's burst */
const BATCHES = 12;
const randomRunId = (): string => Math.random().toString(36).slice(2, 10);
const ENV = 'local';
/** every wait for telemetry: the SDK batches (Faro 250 ms, the Node SDK 500 ms), the collector forwards at once */
const ARRIVAL_MS = 30_000;
const PAGE_MS = 30_000;
const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;
const K = { ...FARO_LOG_FIELDS, measurementType: FARO_LOG_FIELDS.type, exceptionType: FARO_LOG_FIELDS.type, exceptionValue: FARO_LOG_FIELDS.value };

/** The SDK's global (`window.faro`) as the page exposes it (the project compiles without the DOM library). */
type FaroGlobal = Record<string, { api: { getSession(): { id?: string } | undefined } } | undefined>;

interface ApiRow {
  readonly api: string;
  readonly status: string;
  readonly traceparent: string;
  readonly traceId: string;
}

/** One instance of the sample backend (examples/apps/backend/main.ts), as its README starts it. */
async function startBackend(name: string, port: number, allowedOrigin: string, otlpEndpoint: string, dir: string): Promise<ManagedProcess> {
  const p = ManagedProcess.start(name, process.execPath, {
    args: [join(ROOT, 'dist', 'examples', 'apps', 'backend', 'main.js')],
    logFile: join(dir, `${name}.log`),
    env: {
      HOST: LOOPBACK_HOST,
      PORT: String(port),
      ALLOWED_ORIGINS: allowedOrigin,
      OTEL_SERVICE_NAME: name,
      OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
    },
  });
  await waitUntil(`${name} (sample backend) to answer /healthz`, 30_000, async () => {
    if (!p.running) throw new Error(`${name} exited (${JSON.stringify(p.exit)}):\n${p.logTail()}`);
    try {
      return (await fetch(`http://${LOOPBACK_HOST}:${port}/healthz`, { signal: AbortSignal.timeout(2000) })).status === 200;
    } catch {
      return false;
    }
  }, { details: () => p.logTail() });
  return p;
}

/** The value of `key` in a Faro log line (the receiver writes logfmt: key=value or key="quoted value"). */
function logfmtValue(line: string, key: string): string | undefined {
  const m = new RegExp(`(?:^|\\s)${key.replace(/\./g, '\\.')}=(?:"((?:[^"\\\\]|\\\\.)*)"|(\\S*))`).exec(line);
  return m ? (m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]) : undefined;
}

const bodyOf = (i: SinkLogRecord): string => String(anyValueToJs(i.log.record.body));
const attrs = (i: SinkSpan) => attributesToRecord(i.span.span.attributes);
const serviceOf = (i: SinkSpan | SinkLogRecord) => attributesToRecord(('span' in i ? i.span : i.log).resource?.attributes)['service.name'];

/** A page of the app with what it did on the wire to the Faro receiver. */
interface OpenedPage {
  readonly page: Page;
  readonly faroResponses: number[];
  readonly faroFailures: string[];
  /** what each batch POSTed to the receiver carried: its item kinds and counts, for failure messages */
  readonly faroBatches: string[];
  readonly pageErrors: string[];
}

async function openApp(browser: Browser, origin: string, faroUrl: string): Promise<OpenedPage> {
  const page = await browser.newPage();
  const isFaro = (u: string) => u === faroUrl || u.startsWith(faroUrl);
  const opened: OpenedPage = { page, faroResponses: [], faroFailures: [], faroBatches: [], pageErrors: [] };
  page.on('request', (q) => {
    if (!isFaro(q.url()) || q.method() !== 'POST') return;
    try {
      const body = JSON.parse(q.postData() ?? '{}') as Record<string, unknown>;
      opened.faroBatches.push(Object.entries(body).filter(([k]) => k !== 'meta').map(([k, v]) => `${k}:${k === 'traces' ? JSON.stringify(v).length : Array.isArray(v) ? v.length : '?'}`).join(' '));
    } catch {
      opened.faroBatches.push('(not JSON)');
    }
  });
  page.on('response', (r) => {
    if (isFaro(r.url()) && r.request().method() === 'POST') opened.faroResponses.push(r.status());
  });
  page.on('requestfailed', (q) => {
    if (isFaro(q.url())) opened.faroFailures.push(`${q.method()} ${q.failure()?.errorText ?? '?'}`);
  });
  page.on('pageerror', (e) => opened.pageErrors.push(e.message));
  await page.goto(`${origin}/`, { waitUntil: 'load', timeout: PAGE_MS });
  await page.waitForSelector('body[data-ready="true"]', { timeout: PAGE_MS });
  return opened;
}

async function rows(page: Page): Promise<ApiRow[]> {
  return page.locator('#apis li').evaluateAll((lis) =>
    (lis as unknown as { dataset: Record<string, string | undefined> }[]).map((li) => ({
      api: li.dataset['api'] ?? '',
      status: li.dataset['status'] ?? '',
      traceparent: li.dataset['traceparent'] ?? '',
      traceId: li.dataset['traceId'] ?? '',
    })),
  );
}

async function sessionOf(page: Page): Promise<string> {
  const id = await page.evaluate((key) => (globalThis as unknown as FaroGlobal)[key]?.api.getSession()?.id, FARO_WEB_SDK.globalObjectKey);
  assert.ok(id, 'the page has a Faro session (window.faro.api.getSession())');
  return id;
}

describe('e2e browser RUM: the sample web app in headless Chromium → the rendered Faro receiver (real collector); the sample backend over OTLP; one trace', () => {
  let dir: string | undefined;
  let sink: OtlpSink | undefined;
  let gateway: Collector | undefined;
  let browser: Browser | undefined;
  let lb: LoadBalancer | undefined;
  const servers: StaticServer[] = [];
  const backends: ManagedProcess[] = [];

  const setup = new Setup(async () => {
    // both fail with what to install when missing (never a skip)
    otelcolWith([OTELCOL_FARO_RECEIVER.type]);
    haproxyBin();
    browser = await launchChromium();
    dir = makeTempDir('browser-rum');
    sink = await OtlpSink.start();
    const [webPort, strangerPort, apiPort, partnerPort, blogPort] = (await freeLoopbackPorts(5)) as [number, number, number, number, number];
    const appOrigin = `http://${LOOPBACK_HOST}:${webPort}`;
    const blogOrigin = `http://${LOOPBACK_HOST}:${blogPort}`;
    const strangerOrigin = `http://${LOOPBACK_HOST}:${strangerPort}`;
    const apiBase = `http://${LOOPBACK_HOST}:${apiPort}`;
    const partnerBase = `http://${LOOPBACK_HOST}:${partnerPort}`;

    // The definition: examples/rum with tenant shop's pages on the loopback origin and its backend on the loopback
    // API; sampling 1 so every test session is kept (the example's 0.1 would drop nine in ten). Blog's pages on a
    // loopback origin of their own, with a limit a test can exceed in a second.
    const stack = exampleVariant('rum', (raw) => {
      raw['ingestion'].faro.allowedOrigins = [appOrigin];
      Object.assign(raw['tenants'][TENANT], { origins: [appOrigin], propagateTo: [apiBase], sampling: 1 });
      Object.assign(raw['tenants'][LIMITED], { origins: [blogOrigin], rateLimit: LIMITED_RATE });
    });
    const input = await loopbackInput(stack, ENV, { sink });
    gateway = await Collector.start({ name: 'gateway', role: 'gateway', input, dir });
    lb = await startLoadBalancer(dir, [gateway], input.topology.tenants ?? []);
    const faroUrl = lb.tenantUrl(TENANT);
    const blogUrl = lb.tenantUrl(LIMITED);
    const limited = input.topology.tenants!.find((t) => t.name === LIMITED)!;

    backends.push(await startBackend('shop-api', apiPort, appOrigin, gateway.otlpHttpEndpoint, dir));
    backends.push(await startBackend('partner-api', partnerPort, appOrigin, gateway.otlpHttpEndpoint, dir));

    const apis = [
      { name: 'shop-api', url: `${apiBase}/api/items` },
      { name: 'partner-api', url: `${partnerBase}/api/items` },
    ];
    const config = webAppConfigFor(stack, ENV, TENANT, { faroUrl, apis });
    const out = join(dir, 'web');
    await buildWebApp(config, out);
    const blogOut = join(dir, 'web-blog');
    await buildWebApp(webAppConfigFor(stack, ENV, LIMITED, { faroUrl: blogUrl, apis: [] }), blogOut);
    servers.push(await serveWebApp(out, LOOPBACK_HOST, webPort), await serveWebApp(out, LOOPBACK_HOST, strangerPort), await serveWebApp(blogOut, LOOPBACK_HOST, blogPort));
    return { sink, gateway, lb, browser, stack, config, appOrigin, strangerOrigin, apis, faroUrl, blogUrl, blogOrigin, limited };
  });
  before(setup.run);
  after(async () => {
    await browser?.close();
    for (const s of servers) await s.close();
    for (const b of backends) await b.stop({ graceMs: 10_000 });
    await lb?.haproxy.stop({ graceMs: 5000 }).catch(() => undefined);
    await gateway?.stop();
    await sink?.stop();
    killAllTracked();
    removeTempDir(dir);
  });

  it('the app is built from the definition: the tenant\'s sampling and trace-context targets (examples/rum as checked in, and the test\'s variant)', async () => {
    const { config, faroUrl, stack } = setup.get();
    const checkedIn = webAppConfigFor(await loadExample('rum'), ENV, TENANT, { faroUrl: 'http://localhost:12347/', apis: [] });
    assert.equal(checkedIn.samplingRate, 0.1);
    assert.deepEqual(checkedIn.propagateTraceHeaderCorsUrls, ['https://api.shop.example.com']);
    assert.deepEqual(checkedIn.app, { name: 'shop-web', version: '0.1.0', environment: ENV });
    assert.equal(config.samplingRate, 1);
    assert.equal(config.faroUrl, faroUrl);
    assert.throws(() => webAppConfigFor(stack, ENV, 'nobody', { faroUrl, apis: [] }), /environment "local" of rum serves no tenant "nobody" \(tenants there: blog, shop\)/);
  });

  it('(a) from the allowed origin the receiver accepts the page\'s batches; the page load, web vitals and the uncaught error arrive as logs', async () => {
    const { browser, gateway, sink, appOrigin, config, faroUrl } = setup.get();
    const opened = await openApp(browser, appOrigin, faroUrl);
    try {
      const session = await sessionOf(opened.page);
      // the bug: an uncaught error from the button's click handler (Faro's errors instrumentation reads window 'error')
      await opened.page.click('#checkout');
      await waitUntil('the page error', 5000, () => opened.pageErrors.length > 0);
      assert.match(opened.pageErrors[0]!, /checkout failed: total is undefined/);

      const ours = () => sink.received('logs').items.filter((i) => logfmtValue(bodyOf(i), K.sessionId) === session);
      const kindOf = (i: SinkLogRecord) => attributesToRecord(i.log.record.attributes)[OTELCOL_FARO_RECEIVER.kindAttribute];
      const pageLoad = () => ours().filter((i) => logfmtValue(bodyOf(i), K.eventName) === FARO_WEB_SDK.navigationEvent);
      const vitals = () => ours().filter((i) => logfmtValue(bodyOf(i), K.measurementType) === FARO_WEB_SDK.webVitalsType);
      const vital = (name: string) => vitals().filter((i) => logfmtValue(bodyOf(i), name) !== undefined);
      const errors = () => ours().filter((i) => kindOf(i) === FARO_KINDS.exception);
      const details = () =>
        `session ${session}: ${ours().length} log records (kinds ${JSON.stringify(ours().map(kindOf))}); batches ${JSON.stringify(opened.faroBatches)}, answers ${JSON.stringify(opened.faroResponses)}, failures ${JSON.stringify(opened.faroFailures)}\n${ours().map(bodyOf).join('\n')}\n${gateway.logTail()}`;

      // Web vitals (web-vitals 6 through Faro's web-vitals instrumentation): TTFB and FCP are reported as soon as
      // they are known, so they come while the page is open, in the same batches as the page load and the error.
      await waitUntil('the page load event, TTFB or FCP, and the exception at the logs stand-in (page open)', ARRIVAL_MS, () => pageLoad().length > 0 && (vital('ttfb').length > 0 || vital('fcp').length > 0) && errors().length > 0, { details });
      // LCP and CLS are reported only when the page is hidden: navigating away hides the document (the HTML unload
      // steps set visibilityState to "hidden"), web-vitals reports them and Faro sends its last batch on pagehide
      // as a keepalive request, which outlives the page.
      await opened.page.goto('about:blank');
      await waitUntil('LCP at the logs stand-in after the page was hidden', ARRIVAL_MS, () => vital('lcp').length > 0, { details });
      console.log(`# web vitals that arrived: ${FARO_WEB_SDK.webVitals.filter((v) => vital(v).length > 0).join(', ')}`);
      const lcp = Number(logfmtValue(bodyOf(vital('lcp')[0]!), 'lcp'));
      assert.ok(Number.isFinite(lcp) && lcp > 0, `LCP is a duration in ms: ${bodyOf(vital('lcp')[0]!)}`);

      assert.ok(opened.faroResponses.length > 0 && opened.faroResponses.every((s) => s === OTELCOL_FARO_RECEIVER.acceptedStatus), `every batch answered was accepted: ${JSON.stringify(opened.faroResponses)}`);
      const err = bodyOf(errors()[0]!);
      assert.equal(logfmtValue(err, K.exceptionType), 'Error');
      assert.match(logfmtValue(err, K.exceptionValue) ?? '', /checkout failed: total is undefined/);
      assert.equal(logfmtValue(bodyOf(pageLoad()[0]!), K.pageUrl), `${appOrigin}/`);
      // the app's identity (from the build's configuration) is the log resource: the logs engine's labels
      const resource = attributesToRecord(ours()[0]!.log.resource?.attributes);
      assert.equal(resource['service.name'], config.app.name);
      assert.equal(resource['service.version'], config.app.version);
      assert.equal(resource['deployment.environment.name'] ?? resource['deployment.environment'], ENV);
      assert.ok(ours().every((i) => i.transport === 'http'), 'logs reach the stand-in over OTLP/HTTP (Loki\'s)');
    } finally {
      await opened.page.close();
    }
  });

  it('(b) the browser\'s fetch span and the backend\'s server span are one trace; traceparent goes to the tenant\'s backend, not to the other API', async () => {
    const { browser, sink, gateway, appOrigin, apis, faroUrl } = setup.get();
    const [shop, partner] = apis as [{ name: string; url: string }, { name: string; url: string }];
    // A page of its own, kept open until its spans arrived: Faro web tracing's span processor exports on a 1 s
    // schedule, and a page that is left sooner can lose them (its last Faro batch leaves on pagehide, possibly
    // before the span processor handed the spans over).
    const opened = await openApp(browser, appOrigin, faroUrl);
    try {
      const session = await sessionOf(opened.page);
      const pageRows = await rows(opened.page);
      const byApi = new Map(pageRows.map((r) => [r.api, r]));
      const shopRow = byApi.get(shop.name);
      const partnerRow = byApi.get(partner.name);
      assert.equal(shopRow?.status, '200', JSON.stringify(pageRows));
      assert.equal(partnerRow?.status, '200', JSON.stringify(pageRows));
      // the tenant's backend received W3C trace context; the other API none
      const tp = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(shopRow!.traceparent);
      assert.ok(tp, `the tenant's backend received a sampled W3C traceparent: ${JSON.stringify(shopRow)}`);
      const [, traceId, parentId] = tp as unknown as [string, string, string];
      assert.equal(partnerRow!.traceparent, '', 'the partner API (not in propagateTo) received no traceparent');

      const spans = () => sink.received('traces').items;
      const ofSession = (i: SinkSpan) => attrs(i)[FARO_WEB_SDK.sessionSpanAttribute] === session;
      const browserFetch = (url: string) => spans().find((i) => i.span.span.kind === SPAN_KIND_CLIENT && ofSession(i) && (attrs(i)['http.url'] === url || attrs(i)['url.full'] === url));
      const serverSpan = (service: string, trace: string) => spans().find((i) => serviceOf(i) === service && i.span.span.kind === SPAN_KIND_SERVER && i.span.span.traceId === trace);
      await waitUntil('the browser fetch spans and both backends\' server spans at the traces stand-in', ARRIVAL_MS, () => !!browserFetch(shop.url) && !!browserFetch(partner.url) && !!serverSpan('shop-api', traceId) && !!serverSpan('partner-api', partnerRow!.traceId), {
        details: () => `session ${session}; page rows ${JSON.stringify(pageRows)}; batches ${JSON.stringify(opened.faroBatches)}\nspans: ${spans().map((i) => `${serviceOf(i)} ${i.span.span.name} kind=${i.span.span.kind} ${JSON.stringify(attrs(i))}`).join('\n')}\n${gateway.logTail()}`,
      });

      // one trace: the header the backend received is the browser fetch span's context, its server span that span's child
      const fetchSpan = browserFetch(shop.url)!.span.span;
      assert.equal(fetchSpan.traceId, traceId);
      assert.equal(fetchSpan.spanId, parentId, 'traceparent carries the fetch span as parent');
      const server = serverSpan('shop-api', traceId)!.span.span;
      assert.equal(server.parentSpanId, fetchSpan.spanId, 'the server span is the browser fetch span\'s child');
      assert.equal(server.name, 'GET /api/items');
      assert.equal(shopRow!.traceId, traceId, 'the backend answered from inside that trace');
      assert.equal(serviceOf(browserFetch(shop.url)!), setup.get().config.app.name, 'the browser span carries the app\'s identity');
      // the backend's own child span, log record and metrics went through the same gateway (OTLP/HTTP in)
      assert.ok(spans().some((i) => serviceOf(i) === 'shop-api' && i.span.span.name === 'load items' && i.span.span.traceId === traceId && i.span.span.parentSpanId === server.spanId));
      const backendLog = () => sink.received('logs').items.find((i) => serviceOf(i) === 'shop-api' && i.log.record.traceId === traceId);
      const backendMetric = () => sink.received('metrics').items.find((i) => attributesToRecord(i.point.resource?.attributes)['service.name'] === 'shop-api' && i.point.metric.name === 'sample_api_requests');
      await waitUntil('the backend\'s log record (in the trace) and its request counter', ARRIVAL_MS, () => !!backendLog() && !!backendMetric(), {
        details: () => `logs from shop-api: ${sink.received('logs').items.filter((i) => serviceOf(i) === 'shop-api').length}; metrics: ${[...new Set(sink.received('metrics').items.map((i) => i.point.metric.name))].join(', ')}`,
      });
      assert.equal(backendLog()!.log.record.spanId, server.spanId);
      assert.match(bodyOf(backendLog()!), /served 3 items to http:\/\/127\.0\.0\.1:/);

      // the other API: the browser traced the call but sent no context, so the partner's server span is the root of
      // a trace of its own
      const partnerFetch = browserFetch(partner.url)!.span.span;
      const partnerServer = serverSpan('partner-api', partnerRow!.traceId)!.span.span;
      assert.notEqual(partnerServer.traceId, partnerFetch.traceId);
      assert.ok(!partnerServer.parentSpanId, 'a root span');
      assert.ok(!serverSpan('partner-api', partnerFetch.traceId), 'no partner span in the browser call\'s trace');
    } finally {
      await opened.page.close();
    }
  });

  it('(d) the same app from an origin the definition does not allow: the receiver\'s CORS refuses it, the browser\'s requests fail and nothing of that session arrives', async () => {
    const { browser, sink, strangerOrigin, appOrigin, faroUrl } = setup.get();
    const stranger = await openApp(browser, strangerOrigin, faroUrl);
    const session = await sessionOf(stranger.page);
    await waitUntil('the browser to give up a request to the receiver (CORS)', ARRIVAL_MS, () => stranger.faroFailures.length > 0, {
      details: () => `answers ${JSON.stringify(stranger.faroResponses)}`,
    });
    assert.deepEqual(stranger.faroResponses, [], 'no POST from the refused origin was answered: the preflight failed, so the browser never sent one');
    // the backend's CORS is the tenant's too: the refused origin's page cannot read the API either
    assert.ok((await rows(stranger.page)).every((r) => r.status === 'failed'), JSON.stringify(await rows(stranger.page)));
    await stranger.page.close();

    // then a page from the allowed origin, whose batches arrive; by then anything sent before would have too
    const marker = await openApp(browser, appOrigin, faroUrl);
    const markerSession = await sessionOf(marker.page);
    await marker.page.goto('about:blank');
    const ofSession = (id: string) => sink.received('logs').items.filter((i) => logfmtValue(bodyOf(i), K.sessionId) === id);
    await waitUntil('the allowed page\'s logs after the refused one', ARRIVAL_MS, () => ofSession(markerSession).length > 0);
    assert.equal(ofSession(session).length, 0, `nothing of the refused session ${session} arrived`);
    assert.ok(sink.received('traces').items.every((i) => attrs(i)[FARO_WEB_SDK.sessionSpanAttribute] !== session));
    await marker.page.close();
  });

  it("(c) a burst from blog's page beyond blog's rate: the load balancer refuses the excess with 429 and counts it; the page can read the refusal; the SDK waits Retry-After; exactly the accepted batches arrive; shop is not limited", async () => {
    const { browser, sink, lb, blogUrl, blogOrigin, limited } = setup.get();
    const deniedBefore = await lb.deniedRequests(LIMITED);
    interface Attempt {
      readonly key: string;
      readonly at: number;
      readonly tokens: string[];
      status?: number;
      answeredAt?: number;
      headers?: Record<string, string>;
    }
    const attempts: Attempt[] = [];
    const byRequest = new Map<unknown, Attempt>();
    const page = await browser.newPage();
    const run = randomRunId();
    page.on('request', (q) => {
      if (!q.url().startsWith(blogUrl) || q.method() !== 'POST') return;
      let tokens: string[] = [];
      try {
        const body = JSON.parse(q.postData() ?? '{}') as { logs?: { message?: string }[] };
        tokens = (body.logs ?? []).map((l) => l.message ?? '').filter((m) => m.startsWith(`b${run}x`));
      } catch {
        /* a body that is not JSON carries no token */
      }
      const at: Attempt = { key: q.headers()[FARO_WEB_SDK.idempotencyHeader.toLowerCase()] ?? 'probe', at: Date.now(), tokens };
      attempts.push(at);
      byRequest.set(q, at);
    });
    page.on('response', (r) => {
      const at = byRequest.get(r.request());
      if (!at) return;
      at.status = r.status();
      at.answeredAt = Date.now();
      at.headers = r.headers();
    });
    try {
      await page.goto(`${blogOrigin}/`, { waitUntil: 'load', timeout: PAGE_MS });
      await page.waitForSelector('body[data-ready="true"]', { timeout: PAGE_MS });
      // the burst: BATCHES full batches of the SDK's batch size, pushed at once (each full batch leaves at once)
      const perBatch = FARO_WEB_SDK.batchItemLimit;
      const total = BATCHES * perBatch;
      await page.evaluate(([key, prefix, n]) => {
        const faro = (globalThis as unknown as Record<string, { api: { pushLog(args: unknown[]): void } }>)[key as string]!;
        for (let i = 0; i < (n as number); i++) faro.api.pushLog([`${prefix as string}${i}y`]);
      }, [FARO_WEB_SDK.globalObjectKey, `b${run}x`, total] as const);
      await waitUntil('the first refusal of the burst', PAGE_MS, () => attempts.some((a) => a.status === HAPROXY_FARO_RATE_LIMIT.status), { details: () => JSON.stringify(attempts.map((a) => a.status)) });
      // while the tenant is over its limit the page itself reads a refusal: without the load balancer's CORS grant
      // fetch() would reject instead (refused requests count too, so the window is still over the limit)
      const probe = await page.evaluate(async (url) => {
        const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"meta":{}}' });
        return { status: r.status, retryAfter: r.headers.get('Retry-After') };
      }, blogUrl);
      assert.equal(probe.status, HAPROXY_FARO_RATE_LIMIT.status, `the page read the refusal: ${JSON.stringify(probe)}`);
      assert.ok(probe.retryAfter === String(HAPROXY_FARO_RATE_LIMIT.shortWindowSeconds) || probe.retryAfter === String(HAPROXY_FARO_RATE_LIMIT.longWindowSeconds), `the page read Retry-After: ${JSON.stringify(probe)}`);

      // every batch settles: accepted, or refused on each of the SDK's attempts
      const batches = () => {
        const m = new Map<string, Attempt[]>();
        for (const a of attempts.filter((x) => x.key !== 'probe')) m.set(a.key, [...(m.get(a.key) ?? []), a]);
        return m;
      };
      const accepted = (list: Attempt[]) => list.some((a) => a.status === OTELCOL_FARO_RECEIVER.acceptedStatus);
      const settled = () => [...batches().values()].every((list) => list.every((a) => a.status !== undefined) && (accepted(list) || list.length >= FARO_WEB_SDK.rateLimited.maxAttempts));
      const table = () => [...batches().entries()].map(([k, list]) => `${k.slice(0, 6)} ${list[0]!.tokens.length} logs: ${list.map((a) => `${a.status ?? '…'}${a.headers?.['retry-after'] ? `(${a.headers['retry-after']}s)` : ''}@${a.at - attempts[0]!.at}ms`).join(' → ')}`).join('\n');
      await waitUntil("every batch accepted, or refused on each of the SDK's attempts", 60_000, settled, { details: table });
      const all = [...batches().values()];
      const refusals = attempts.filter((a) => a.status === HAPROXY_FARO_RATE_LIMIT.status);
      assert.ok(refusals.length > 0 && all.some(accepted), `some batches refused, some accepted:\n${table()}`);
      assert.ok(attempts.every((a) => a.status === OTELCOL_FARO_RECEIVER.acceptedStatus || a.status === HAPROXY_FARO_RATE_LIMIT.status), `only 202 and 429:\n${table()}`);
      // counted: the load balancer's counter went up by exactly the refusals the browser saw (the probe's included)
      assert.equal((await lb.deniedRequests(LIMITED)) - deniedBefore, refusals.length, `${HAPROXY_METRICS.frontendRequestsDenied}{proxy="${HAPROXY_FARO_RATE_LIMIT.frontend(LIMITED)}"}:\n${table()}`);
      // each refusal granted the page's origin and said when to come back; the SDK's next attempt waited that long
      for (const r of refusals) {
        assert.equal(r.headers?.['access-control-allow-origin'], blogOrigin, JSON.stringify(r.headers));
        assert.equal(r.headers?.['access-control-expose-headers'], HAPROXY_FARO_RATE_LIMIT.retryAfterHeader);
      }
      for (const list of all) {
        for (let i = 1; i < list.length; i++) {
          const wait = Number(list[i - 1]!.headers?.['retry-after']) * 1000;
          assert.ok(list[i]!.at - list[i - 1]!.answeredAt! >= wait * 0.9, `retry ${i} of ${list[i]!.key} waited Retry-After (${wait} ms):\n${table()}`);
        }
      }

      // exactly the accepted batches arrive, each log once, written as blog
      const ofRun = () => sink.received('logs').items.filter((i) => bodyOf(i).includes(`b${run}x`));
      const expected = all.filter(accepted).flatMap((list) => list[0]!.tokens);
      await waitUntil("the accepted batches' logs at the logs stand-in", ARRIVAL_MS, () => expected.every((t) => ofRun().some((i) => bodyOf(i).includes(t))), { details: () => `${ofRun().length} of ${expected.length} arrived` });
      await new Promise((r) => setTimeout(r, 1000));
      const arrived = ofRun().map((i) => new RegExp(`b${run}x\\d+y`).exec(bodyOf(i))![0]);
      assert.deepEqual([...arrived].sort(), [...expected].sort(), `the logs of accepted batches arrive once each, and none of the refused ones:\n${table()}`);
      const requests = sink.requests();
      assert.ok(ofRun().every((i) => requests[i.request]!.headers['x-scope-orgid'] === limited.id), `written with blog's id ${limited.id}`);
      const retried = all.filter((l) => accepted(l) && l.length > 1).length;
      // only accepted requests count against the limit: once the window has room, retries get through at blog's rate
      assert.ok(retried > 0, `some refused batches were accepted on a later attempt:\n${table()}`);
      console.log(`# (c) ${all.length} batches (${BATCHES} of the burst, ${total} logs; ${all.length - BATCHES} of the page): ${all.filter((l) => accepted(l) && l.length === 1).length} accepted at once, ${retried} after Retry-After, ${all.filter((l) => !accepted(l)).length} refused on all ${FARO_WEB_SDK.rateLimited.maxAttempts} attempts; ${refusals.length} × 429 seen by the browser = the load balancer's counter; ${arrived.length} logs arrived = ${expected.length} accepted`);
      // the other tenant's limit is its own: shop, browsing the whole suite, was never refused
      assert.equal(await lb.deniedRequests(TENANT), 0);
    } finally {
      await page.close();
    }
  });

  it('the browser path leaves no error in the collector\'s log', async () => {
    const { gateway } = setup.get();
    assert.doesNotMatch(gateway.logTail(200), /\berror\b.*faro/i, gateway.logTail(200));
  });
});
