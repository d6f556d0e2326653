// Seed 003's three limits per tenant in the plan (src/plan/tenant-protection.ts, the report's table, --json) and the
// tenant-protection rule (src/plan/rules/tenant-protection.ts); faro-cors and rate-limits for tenants.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

import { loadStack } from '../../src/model/load.js';
import { validateDefinition } from '../../src/model/load.js';
import { buildPlan } from '../../src/plan/index.js';
import { renderPlan } from '../../src/plan/report.js';
import { stackOf } from '../fixtures/stacks.js';
import { vmsWithTenants } from '../render/ansible/support.js';

type M = Record<string, any>;
const file = fileURLToPath(new URL('../../../examples/rum/stack.yaml', import.meta.url));
const rum = (await loadStack(file)).stack;
/** examples/rum edited as a definition (validated again) */
const variant = (edit: (raw: M) => void) => {
  const raw = structuredClone(rum) as unknown as M;
  edit(raw);
  return validateDefinition('rum.yaml', raw);
};
const rule = (stack: ReturnType<typeof variant>, id = 'tenant-protection') => buildPlan(stack, 'rum.yaml').findings.filter((f) => f.rule === id);

describe('plan: the three limits per tenant', () => {
  const plan = buildPlan(rum, 'rum.yaml');
  it('--json: environments[].tenants with sampling, ingress and gateway levels and what enforces each', () => {
    const local = plan.environments.find((e) => e.name === 'local')!;
    const prod = plan.environments.find((e) => e.name === 'prod')!;
    const shop = (e: typeof local) => e.tenants!.find((t) => t.tenant === 'shop')!;
    assert.equal(shop(local).sampling, 0.1);
    assert.deepEqual([shop(local).gateway.perSecond, shop(local).gateway.burst, shop(local).gateway.enforcedBy], [50, 100, 'HAProxy stick-table (otlp-lb)']);
    assert.equal(shop(local).ingress.enforcedBy, null, 'no ingress on compose');
    assert.equal(shop(prod).ingress.enforcedBy, 'Contour HTTPProxy rateLimitPolicy.local');
    assert.equal(shop(prod).gateway.enforcedBy, null, 'the collector has no limiter; no HAProxy on Kubernetes');
    assert.equal(shop(prod).expectedPerSecond, undefined, 'no load given');
    const json = JSON.parse(renderPlan(plan, 'json')) as M;
    assert.equal(json['environments'][0].tenants.length, 2);
  });
  it('text and markdown: a table with the three levels side by side', () => {
    const md = renderPlan(plan, 'markdown');
    assert.match(md, /### Tenant limits \(seed 003: client sampling, ingress, gateway\)/);
    assert.match(md, /\| Tenant \| Client sampling \| Ingress limit \| Gateway limit \| Expected at the gateway \|/);
    assert.match(md, /\| shop \| 0\.1 \| 50\/s, burst 100 — Contour HTTPProxy rateLimitPolicy\.local \(per Envoy replica\) \| 50\/s, burst 100 — NOT enforced: /);
    assert.match(renderPlan(plan, 'table'), /Tenant limits/);
  });
  it('no tenants: no table', () => {
    const p = buildPlan(stackOf(), 'test.yaml');
    assert.ok(p.environments.every((e) => e.tenants === undefined));
    assert.doesNotMatch(renderPlan(p, 'markdown'), /Tenant limits/);
  });
});

describe('plan rule tenant-protection', () => {
  it('examples/rum: only the info that the gateway limit is not enforced on Kubernetes (the ingress is the only one)', () => {
    const f = rule(rum);
    assert.deepEqual(f.map((x) => [x.severity, x.env, x.path]), [
      ['info', 'prod', 'tenants.blog.rateLimit'],
      ['info', 'prod', 'tenants.shop.rateLimit'],
    ]);
  });
  it('no ingress/gateway comparison where one level is not enforced (OTel Collector on Kubernetes: no gateway limit)', () => {
    const below = variant((r) => {
      r['tenants'].shop.ingressRateLimit = { perSecond: 20, burst: 40 };
    });
    assert.ok(!rule(below).some((f) => /never reached/.test(f.message)));
  });
  it('Alloy on Kubernetes: ingress below gateway warns; ingress above is no finding', () => {
    const alloy = (ingress: M) =>
      variant((r) => {
        r['environments'] = r['environments'].filter((e: M) => e.name === 'prod');
        r['tenants'].blog.environments = undefined;
        r['ingestion'] = { collector: 'alloy', environments: {}, faro: { enabled: true, ingress: { controller: 'contour', tlsSecret: 'faro-tls' } } };
        r['tenants'].shop.ingressRateLimit = ingress;
        delete r['kafka'];
        r['signals'].traces.environments.prod = { mode: 'monolithic' };
        delete r['signals'].logs.environments.local;
        delete r['signals'].metrics.environments.local;
        delete r['signals'].traces.environments.local;
        r['signals'].metrics.environments.prod = { mode: 'monolithic' };
        r['objectStorage'] = { s3: r['objectStorage'].s3 };
        r['policy'] = { memoryLimits: [] };
      });
    const low = rule(alloy({ perSecond: 20, burst: 40 }));
    assert.deepEqual(low.map((f) => [f.severity, f.path]), [['warning', 'tenants.shop.ingressRateLimit']]);
    assert.match(low[0]!.message, /allows less \(20\/s, bursts of 40, per Envoy replica\) than its gateway expects \(50\/s, bursts of 100\): the gateway's limit is never reached/);
    assert.deepEqual(rule(alloy({ perSecond: 200, burst: 400 })), []);
  });
  it('a sampling the limits would cut: expected = sessions × sampling × requests/min ÷ 60 above the tightest enforced limit', () => {
    const loaded = (sampling: number) =>
      variant((r) => {
        r['tenants'].shop.sampling = sampling;
        r['tenants'].shop.load = { activeSessions: 10000, requestsPerMinute: 6 };
      });
    // local: gateway (HAProxy) 50/s; 10000 × 0.1 × 6 / 60 = 100/s → cut
    const f = rule(loaded(0.1)).filter((x) => x.path === 'tenants.shop.sampling');
    assert.deepEqual(f.map((x) => [x.severity, x.env]), [['warning', 'local'], ['warning', 'prod']]);
    assert.match(f[0]!.message, /expected 100 requests\/s \(10000 sessions × 0\.1 sampled × 6 requests\/min ÷ 60\), above its gateway limit of 50\/s/);
    assert.match(f[0]!.suggestion, /lower tenants\.shop\.sampling to at most 0\.05/);
    // 0.05 → 50/s: fits
    assert.deepEqual(rule(loaded(0.05)).filter((x) => x.path === 'tenants.shop.sampling'), []);
    const plan = buildPlan(loaded(0.1), 'rum.yaml');
    assert.equal(plan.environments[0]!.tenants!.find((t) => t.tenant === 'shop')!.expectedPerSecond, 100);
  });
  it('nothing enforced at all (Kubernetes, OTel Collector, no ingress) is a warning', () => {
    const none = variant((r) => {
      delete r['ingestion'].faro.ingress;
    });
    const f = rule(none).filter((x) => x.env === 'prod');
    assert.deepEqual(f.map((x) => x.severity), ['warning', 'warning']);
    assert.match(f[0]!.message, /nothing limits tenant blog's Faro requests in prod/);
  });
});

describe('plan rule tenant-protection on the VM target (HAProxy on each gateway host)', async () => {
  const vms = await vmsWithTenants((r) => {
    // a load the per-host limit would cut: 6000 sessions × 0.5 × 20 requests/min ÷ 60 = 1000/s above shop's 50/s
    r['tenants'].shop.load = { activeSessions: 6000, requestsPerMinute: 20 };
  });
  const f = buildPlan(vms, 'vms.yaml').findings.filter((x) => x.rule === 'tenant-protection');
  it('no "nothing limits" warning: the gateway level is enforced on every ansible environment', () => {
    assert.ok(!f.some((x) => /nothing limits|not enforced/.test(x.message)), f.map((x) => x.message).join('\n'));
  });
  it('the gateway limit is what a sampling is checked against, per host', () => {
    const cut = f.filter((x) => x.path === 'tenants.shop.sampling');
    assert.deepEqual(cut.map((x) => x.env), ['dev', 'test', 'prod']);
    assert.match(cut[0]!.message, /expected 1000 requests\/s .* above its gateway limit of 50\/s/);
  });
});

describe('faro-cors and rate-limits for tenants', () => {
  it('a tenant\'s "*" origin is a warning at its path', () => {
    const f = rule(variant((r) => { r['tenants'].blog.origins = ['*']; }), 'faro-cors');
    assert.deepEqual(f.map((x) => [x.severity, x.path]), [['warning', 'tenants.blog.origins[0]']]);
  });
  it('an ingestion.rateLimits entry naming a tenant is an error pointing at tenants.<name>.rateLimit (Alloy)', () => {
    const s = stackOf((x: M) => {
      x['ingestion'] = { collector: 'alloy', faro: { enabled: true, allowedOrigins: ['https://a.example.com'] }, rateLimits: [{ tenant: 'shop', requestsPerSecond: 5 }] };
      x['tenants'] = { shop: { origins: ['https://shop.example.com'], rateLimit: { perSecond: 5 } } };
    });
    const f = buildPlan(s, 'test.yaml').findings.filter((x) => x.rule === 'rate-limits');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'error');
    assert.match(f[0]!.suggestion, /tenants\.shop\.rateLimit/);
  });
});
