// Tenants' browser paths (seed 003, issue 11 §1–§2) in every rendered form: the OTel Collector gateway's faro/<tenant>
// receivers and pipelines, Alloy's per-tenant faro.receiver (parsed with the Alloy-syntax parser), the compose
// HAProxy's per-tenant limits, the ports on compose / Kubernetes / NetworkPolicies, the Kubernetes ingress (Contour and
// ingress-nginx) and the Faro SDK snippets. The real collector and HAProxy check the same outputs in test/e2e
// (validate.test.ts, faro-tenants.test.ts).
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { parse } from 'yaml';

import { disallowedTraceHeaders, INGRESS_NGINX, urlPrefixPattern } from '../../src/catalog/rum.js';
import { loadStack } from '../../src/model/load.js';
import type { Stack } from '../../src/model/schema.js';
import { alloyListenPorts, alloyScopes, renderAlloyConfigs } from '../../src/render/configs/alloy.js';
import { renderCollectorConfig } from '../../src/render/configs/otelcol.js';
import { composeHaproxyServers, haproxyConfig } from '../../src/render/compose/haproxy.js';
import { renderStack } from '../../src/render/index.js';
import { contourLocalLimit, nginxLimitAnnotations, refusalHeaders } from '../../src/render/kubernetes/faro-ingress.js';
import { expand, expandAll } from '../../src/topology/expand.js';
import { flowsOf } from '../../src/topology/network-flows.js';
import { blockAt, componentGraph, parseAlloy } from '../support/alloy-parser.js';

const example = (name: string) => fileURLToPath(new URL(`../../../examples/${name}`, import.meta.url));
const rum = (await loadStack(example('rum'))).stack;
const files = renderStack(rum).files;
type M = Record<string, any>;

function withStack(s: Stack, patch: (s: Stack) => void): Stack {
  const c = structuredClone(s);
  patch(c);
  return c;
}

describe('OTel Collector gateway: one faro/<tenant> receiver per tenant with its own pipelines and tenant-id exporters', () => {
  for (const env of ['local', 'prod']) {
    it(`${env}: receiver on the tenant's port, CORS for its origins only, logs/traces pipelines exporting with X-Scope-OrgID`, () => {
      const t = expand(rum, env);
      const c = renderCollectorConfig({ stack: rum, topology: t }, 'gateway') as M;
      for (const tn of t.tenants!) {
        const r = c['receivers'][`faro/${tn.name}`];
        assert.equal(r.endpoint, `0.0.0.0:${tn.faroPort}`);
        assert.deepEqual(r.cors.allowed_origins, tn.origins);
        assert.deepEqual(r.cors.allowed_headers, ['Content-Type', 'Idempotency-Key', 'x-faro-session-id']);
        for (const s of ['logs', 'traces']) {
          const p = c['service'].pipelines[`${s}/faro-${tn.name}`];
          assert.deepEqual(p.receivers, [`faro/${tn.name}`]);
          assert.equal(p.exporters.length, 1);
          assert.equal(c['exporters'][p.exporters[0]].headers['X-Scope-OrgID'], tn.id);
        }
      }
      // the shared pipelines are untouched: OTLP (and the shared faro receiver) only
      assert.deepEqual(c['service'].pipelines['logs'].receivers, ['otlp', 'faro']);
      assert.ok(!Object.keys(c['service'].pipelines).includes('metrics/faro-shop'), 'Faro has no metrics');
    });
  }
  it('behind a Kafka buffer the tenant pipelines export straight to the backends (the topics carry no tenant), with a NetworkPolicy flow for it', () => {
    const s = withStack(rum, (x) => {
      Object.assign(x.ingestion!.environments['prod']!, { kafkaBuffer: true, processor: { replicas: 2, cpu: '500m', memory: '1Gi', memoryLimit: '1Gi', storage: '2Gi' } });
    });
    const t = expand(s, 'prod');
    assert.equal(t.ingestion!.kafkaBuffer, true);
    const c = renderCollectorConfig({ stack: s, topology: t }, 'gateway') as M;
    assert.match(c['service'].pipelines['traces'].exporters[0], /^kafka\//);
    assert.match(c['service'].pipelines['traces/faro-shop'].exporters[0], /^otlp_grpc\/tempo-shop$/);
    const flows = flowsOf(t);
    assert.ok(flows.some((f) => /tenants' Faro traces/.test(f.why)), flows.map((f) => f.why).join('\n'));
    const app = flows.find((f) => f.from.kind === 'anywhere' && f.to.what === 'the OTel Collector gateways')!;
    for (const tn of t.tenants!) assert.ok(app.ports.includes(tn.faroPort), `tenant port ${tn.faroPort} open to applications`);
  });
  it('a tenant limited to some environments gets receivers there only', () => {
    const s = withStack(rum, (x) => {
      x.tenants['blog']!.environments = ['prod'];
    });
    const c = renderCollectorConfig({ stack: s, topology: expand(s, 'local') }, 'gateway') as M;
    assert.ok(c['receivers']['faro/shop'] && !c['receivers']['faro/blog']);
  });
});

describe('Alloy: one rate-limited faro.receiver per tenant with its own exporters (parsed)', async () => {
  const { stack } = await loadStack(example('dts'));
  const s = withStack(stack, (x) => {
    x.ingestion!.faro = { enabled: true, allowedOrigins: [] };
    x.tenants = { shop: { origins: ['https://shop.example.com'], environments: ['prod'], sampling: 0.5, rateLimit: { perSecond: 30, burst: 90 }, propagateTo: [], propagation: ['w3c'], limits: {} } } as never;
  });
  const r = renderAlloyConfigs(s, expandAll(s));
  const text = r.files.get('configs/alloy/config.alloy')!;
  const graph = componentGraph(parseAlloy(text));

  it("listens on the tenant's port with its origins and rate_limiting (rate, burst_size), sending to tenant-id exporters", () => {
    assert.deepEqual(r.findings.filter((f) => f.severity === 'error'), []);
    const id = 'faro.receiver.otelstack_prod_tenant_shop';
    const server = blockAt(graph.components.get(id)!.block, 'server')!;
    assert.equal(server.attrs.get('listen_port'), expand(s, 'prod').tenants![0]!.faroPort);
    assert.deepEqual(server.attrs.get('cors_allowed_origins'), ['https://shop.example.com']);
    const rl = blockAt(server, 'rate_limiting')!;
    assert.equal(rl.attrs.get('enabled'), true);
    assert.equal(rl.attrs.get('rate'), 30);
    assert.equal(rl.attrs.get('burst_size'), 90);
    const traces = graph.edges.filter((e) => e.from === id && e.at === 'output.traces').map((e) => e.to);
    assert.deepEqual(traces, ['otelcol.exporter.otlp.otelstack_tempo_prod_tenant_shop']);
    const exp = graph.components.get(traces[0]!)!;
    assert.deepEqual(blockAt(exp.block, 'client')!.attrs.get('headers'), { 'X-Scope-OrgID': 'shop' });
    // not in the environments it does not serve
    assert.ok(![...graph.components.keys()].some((k) => k.includes('dev_tenant_shop')));
    // the Alloy container and Service expose the tenant's port (named by port: at most 15 characters)
    const scope = alloyScopes(s, expandAll(s))[0]!;
    assert.ok(alloyListenPorts(scope).some((p) => p.name === `faro-${expand(s, 'prod').tenants![0]!.faroPort}`));
  });
  it('a tenant served by two environments of one shared Alloy is an error (its port would be taken twice)', () => {
    const twice = withStack(s, (x) => {
      x.tenants['shop']!.environments = ['dev', 'prod'];
    });
    const f = renderAlloyConfigs(twice, expandAll(twice)).findings.filter((x) => x.severity === 'error');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.path, 'tenants.shop.environments');
  });
});

describe('compose: HAProxy rate-limits each tenant in front of the gateway (the collector has no limiter)', () => {
  const cfg = files.get('compose/local/haproxy.cfg')!;
  const compose = parse(files.get('compose/local/docker-compose.yaml')!) as M;
  it('renders the load balancer for tenants even with one gateway, publishing every tenant port', () => {
    assert.ok(cfg, 'haproxy.cfg rendered');
    const ports: string[] = compose['services']['otlp-lb'].ports;
    for (const tn of expand(rum, 'local').tenants!) {
      assert.ok(ports.includes(`${tn.faroPort}:${tn.faroPort}`), ports.join(','));
      assert.ok(compose['services']['gateway-0'].expose.includes(String(tn.faroPort)));
    }
  });
  it("per tenant: two windows read before the request is counted (only accepted requests count), 429 once burst in 1s or rate×10 in 10s were accepted, readable by the tenant's pages, and the Prometheus exporter", () => {
    const fe = cfg.slice(cfg.indexOf('frontend faro_shop\n'), cfg.indexOf('backend faro_shop_1s'));
    const lines = fe.split('\n').map((l) => l.trim());
    const deny = lines.filter((l) => l.startsWith('http-request deny'));
    assert.deepEqual(deny, [
      'http-request deny status 429 hdr Retry-After 1 hdr Access-Control-Allow-Origin "%[req.hdr(origin)]" hdr Access-Control-Expose-Headers Retry-After hdr Vary Origin if !METH_OPTIONS { int(0),table_http_req_rate(faro_shop_1s) ge 100 } faro_shop_origin',
      'http-request deny status 429 hdr Retry-After 1 if !METH_OPTIONS { int(0),table_http_req_rate(faro_shop_1s) ge 100 }',
      'http-request deny status 429 hdr Retry-After 10 hdr Access-Control-Allow-Origin "%[req.hdr(origin)]" hdr Access-Control-Expose-Headers Retry-After hdr Vary Origin if !METH_OPTIONS { int(0),table_http_req_rate(faro_shop_10s) ge 500 } faro_shop_origin',
      'http-request deny status 429 hdr Retry-After 10 if !METH_OPTIONS { int(0),table_http_req_rate(faro_shop_10s) ge 500 }',
    ]);
    // the origin grant is the tenant's own origins, exactly
    assert.ok(lines.includes('acl faro_shop_origin req.hdr(origin) -m str https://shop.example.com'), fe);
    // tracked (counted) only after the denies: a refused request does not count
    const track = lines.findIndex((l) => l === 'http-request track-sc0 int(0) table faro_shop_1s if !METH_OPTIONS');
    assert.ok(track > lines.indexOf(deny.at(-1)!), fe);
    assert.ok(lines.includes('http-request track-sc1 int(0) table faro_shop_10s if !METH_OPTIONS'), fe);
    assert.match(cfg, /backend faro_blog_10s\n  stick-table type integer size 1 expire 30s store http_req_rate\(10s\)\n/);
    assert.match(cfg, /backend faro_shop_gateways\n(?:.*\n)*?  server gateway-0 gateway-0:12401 check port 13133/);
    assert.match(cfg, /http-request use-service prometheus-exporter if \{ path \/metrics \}/);
  });
  it('a tenant open to any origin ("*") has its refusals granted to whichever origin asked', () => {
    const any = haproxyConfig(composeHaproxyServers(['gateway-0']), {}, [{ name: 'open', port: 12400, rateLimit: { perSecond: 5, burst: 10 }, origins: ['*'] }]);
    assert.doesNotMatch(any, /acl faro_open_origin/);
    assert.match(any, /hdr Access-Control-Allow-Origin "%\[req\.hdr\(origin\)\]" hdr Access-Control-Expose-Headers Retry-After hdr Vary Origin if !METH_OPTIONS \{ int\(0\),table_http_req_rate\(faro_open_1s\) ge 10 \} \{ req\.hdr\(origin\) -m found \}/);
  });
  it('an alert per tenant on its refused requests', () => {
    const rules = parse(files.get('compose/local/rules/rum.rules.yaml')!) as M;
    const g = rules['groups'].find((x: M) => x.name === 'rum-faro-tenants');
    assert.ok(g, rules['groups'].map((x: M) => x.name).join(','));
    assert.deepEqual(g.rules.map((r: M) => r.labels.tenant), ['blog', 'shop']);
    assert.match(g.rules[1].expr, /haproxy_frontend_requests_denied_total\{proxy="faro_shop"\}/);
  });
});

describe('Kubernetes: tenant ports on the gateway Service; one ingress route per tenant host', () => {
  it('the gateway Service and pods carry each tenant port (named faro-<port>)', () => {
    const svc = parse(files.get('kubernetes/prod/otelcol/gateway-service.yaml')!) as M;
    assert.ok(svc['spec'].ports.some((p: M) => p.name === 'faro-12401' && p.port === 12401), JSON.stringify(svc['spec'].ports));
  });
  it('Contour: HTTPProxy with the tenant host, TLS, the local rate limit and the disallowed trace headers removed', () => {
    const p = parse(files.get('kubernetes/prod/faro-ingress/shop.yaml')!) as M;
    assert.equal(p['kind'], 'HTTPProxy');
    assert.deepEqual(p['spec'].virtualhost, { fqdn: 'faro.shop.example.com', tls: { secretName: 'faro-tls' } });
    const route = p['spec'].routes[0];
    assert.deepEqual(route.services, [{ name: 'otelcol-gateway', port: 12401 }]);
    // shop: 50/s bursts of 100 → Envoy bucket of requests + burst = 100
    // …and its 429 readable by shop's pages: Retry-After, the CORS grant for its one origin
    assert.deepEqual(route.rateLimitPolicy.local, {
      requests: 50,
      unit: 'second',
      burst: 50,
      responseHeadersToAdd: [
        { name: 'Retry-After', value: '1' },
        { name: 'Access-Control-Allow-Origin', value: 'https://shop.example.com' },
        { name: 'Access-Control-Expose-Headers', value: 'Retry-After' },
        { name: 'Vary', value: 'Origin' },
      ],
    });
    assert.ok(route.requestHeadersPolicy.remove.includes('uber-trace-id'));
    assert.ok(!route.requestHeadersPolicy.remove.includes('traceparent'));
  });
  it('ingress-nginx: Ingress with limit-rps, the burst multiplier, the header-clearing snippet and TLS; an info finding on its caveats', () => {
    const s = withStack(rum, (x) => {
      x.ingestion!.faro!.ingress = { controller: 'ingress-nginx', className: 'nginx', tlsSecret: 'faro-tls' };
      x.tenants['shop']!.propagation = ['jaeger', 'w3c'];
    });
    const r = renderStack(s);
    const ing = parse(r.files.get('kubernetes/prod/faro-ingress/shop.yaml')!) as M;
    assert.equal(ing['kind'], 'Ingress');
    assert.equal(ing['metadata'].annotations[INGRESS_NGINX.limitRps], '50');
    assert.equal(ing['metadata'].annotations[INGRESS_NGINX.limitBurstMultiplier], '2');
    assert.match(ing['metadata'].annotations[INGRESS_NGINX.configurationSnippet], /^more_clear_input_headers b3 /);
    assert.doesNotMatch(ing['metadata'].annotations[INGRESS_NGINX.configurationSnippet], /uber-trace-id/, 'jaeger asked: uber-trace-id passes');
    assert.deepEqual(ing['spec'].tls, [{ hosts: ['faro.shop.example.com'], secretName: 'faro-tls' }]);
    assert.equal(ing['spec'].ingressClassName, 'nginx');
    assert.deepEqual(ing['spec'].rules[0].http.paths[0].backend, { service: { name: 'otelcol-gateway', port: { number: 12401 } } });
    assert.ok(r.findings.some((f) => f.rule === 'render-faro-ingress' && /per client IP|each client IP/.test(f.message)));
  });
  it("Contour's static refusal headers: one origin granted, \"*\" granted to all, several origins not (an info finding says so); per-minute buckets say 60 s", () => {
    const l = { perSecond: 0.5, burst: 2 };
    assert.deepEqual(refusalHeaders(l, ['*']), [{ name: 'Retry-After', value: '60' }, { name: 'Access-Control-Allow-Origin', value: '*' }, { name: 'Access-Control-Expose-Headers', value: 'Retry-After' }]);
    assert.deepEqual(refusalHeaders({ perSecond: 5, burst: 10 }, ['https://a.example.com', 'https://b.example.com']), [{ name: 'Retry-After', value: '1' }]);
    const r = renderStack(withStack(rum, (x) => (x.tenants['shop']!.origins = ['https://shop.example.com', 'https://m.shop.example.com'])));
    assert.ok(r.findings.some((f) => f.path === 'tenants.shop.origins' && f.severity === 'info' && /cannot grant the asking origin/.test(f.message)), JSON.stringify(r.findings.map((f) => f.message)));
  });
  it('limits translate: Contour burst = bucket − rate, fractional rates per minute; nginx multiplier rounded up', () => {
    assert.deepEqual(contourLocalLimit({ perSecond: 10, burst: 20 }), { requests: 10, unit: 'second', burst: 10 });
    assert.deepEqual(contourLocalLimit({ perSecond: 2.5, burst: 5 }), { requests: 150, unit: 'minute', burst: 2 });
    assert.deepEqual(nginxLimitAnnotations({ perSecond: 10, burst: 25 }), { [INGRESS_NGINX.limitRps]: '10', [INGRESS_NGINX.limitBurstMultiplier]: '3' });
    assert.deepEqual(disallowedTraceHeaders(['w3c', 'jaeger']).filter((h) => ['traceparent', 'tracestate', 'uber-trace-id'].includes(h)), []);
  });
  it('a tenant without a host gets no route, and a warning', () => {
    const s = withStack(rum, (x) => {
      delete x.tenants['blog']!.host;
    });
    const r = renderStack(s);
    assert.equal(r.files.get('kubernetes/prod/faro-ingress/blog.yaml'), undefined);
    assert.ok(r.findings.some((f) => f.path === 'tenants.blog.host' && f.severity === 'warning'));
  });
});

describe('Faro SDK snippets: faro/<env>/<tenant>.json', () => {
  it("carry the url, app, the tenant's sampling and propagateTraceHeaderCorsUrls as anchored regexes of its backends", () => {
    const shop = JSON.parse(files.get('faro/prod/shop.json')!) as M;
    assert.equal(shop['faro'].url, 'https://faro.shop.example.com/');
    assert.deepEqual(shop['faro'].app, { name: 'shop', environment: 'prod' });
    assert.deepEqual(shop['faro'].sessionTracking, { enabled: true, samplingRate: 0.1 });
    const [pattern] = shop['tracing'].instrumentationOptions.propagateTraceHeaderCorsUrls as string[];
    const re = new RegExp(pattern!);
    assert.ok(re.test('https://api.shop.example.com/cart?x=1') && re.test('https://api.shop.example.com'));
    assert.ok(!re.test('https://api.shop.example.com.evil.net/') && !re.test('https://blog.example.com/'));
    const local = JSON.parse(files.get('faro/local/blog.json')!) as M;
    assert.equal(local['faro'].url, 'http://faro.blog.example.com:12400/');
    // blog names no backends: its own origin
    assert.deepEqual(local['tracing'].instrumentationOptions.propagateTraceHeaderCorsUrls, [urlPrefixPattern('https://blog.example.com')]);
  });
});
