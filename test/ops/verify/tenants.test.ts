// verify --tenant with the definition's tenants (examples/rum): a tenant's name or id becomes its id, and since the
// gateway writes the OTLP path as the environment's own tenant, the push goes straight to each engine's OTLP/HTTP
// receiver as the tenant; the isolation checks read as another of the environment's tenants.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createVerifyClients } from '../../../src/ops/verify/clients.js';
import { buildProbe } from '../../../src/ops/verify/probe.js';
import { otherTenantOf, resolveTargets, VerifyInputError } from '../../../src/ops/verify/targets.js';
import { OtlpSink } from '../../support/otlp-sink.js';
import { expand } from '../../../src/topology/expand.js';
import { withStack } from '../../render/kubernetes/inspect.js';
import { example } from '../../render/rules/support.js';

describe('verify --tenant with tenants', () => {
  it('by name or id: reads as the id and pushes to each engine (compose: through the published ports where there are)', async () => {
    const stack = withStack(await example('rum'), (s) => {
      s.tenants!['shop']!.id = 'team-shop';
    });
    const t = expand(stack, 'prod');
    for (const given of ['shop', 'team-shop']) {
      const r = resolveTargets(t, { tenant: given });
      assert.deepEqual(r.tenant, { name: 'shop', id: 'team-shop' });
      assert.equal(r.otlp.headers['X-Scope-OrgID'], 'team-shop');
      assert.deepEqual([r.traces?.tenant, r.metrics?.tenant, r.logs?.tenant], ['team-shop', 'team-shop', 'team-shop']);
      assert.deepEqual(r.direct, {
        traces: { endpoint: 'http://tempo-distributor.rum-prod.svc.cluster.local:4318', protocol: 'http/protobuf' },
        metrics: { endpoint: 'http://mimir-gateway.rum-prod.svc.cluster.local:80/otlp', protocol: 'http/protobuf' },
        logs: { endpoint: 'http://loki-gateway.rum-prod.svc.cluster.local/otlp', protocol: 'http/protobuf' },
      });
      assert.equal(otherTenantOf(t, r, undefined), 'blog', 'another of the environment\'s tenants');
      assert.equal(otherTenantOf(t, r, 'blog'), 'blog');
      assert.throws(() => otherTenantOf(t, r, 'shop'), VerifyInputError);
    }
    const local = resolveTargets(expand(stack, 'local'), { tenant: 'shop' });
    assert.equal(local.direct?.metrics?.endpoint, 'http://127.0.0.1:8080/otlp');
    assert.equal(local.direct?.logs?.endpoint, 'http://127.0.0.1:3100/otlp');
    // compose does not publish Tempo's OTLP port on the host: the flag gives it
    assert.equal(local.direct?.traces?.endpoint, 'http://tempo:4318');
    assert.equal(resolveTargets(expand(stack, 'local'), { tenant: 'shop', tempoOtlpUrl: 'http://127.0.0.1:14318' }).direct?.traces?.endpoint, 'http://127.0.0.1:14318');
  });
  it('any other id, or --otlp-endpoint: pushed through the gateway (or there) with the header, as before', async () => {
    const t = expand(await example('rum'), 'prod');
    const r = resolveTargets(t, { tenant: 'someone' });
    assert.equal(r.direct, undefined);
    assert.equal(r.tenant, undefined);
    assert.equal(r.otlp.headers['X-Scope-OrgID'], 'someone');
    assert.equal(otherTenantOf(t, r, undefined), 'blog');
    const viaGateway = resolveTargets(t, { tenant: 'shop', otlpEndpoint: 'http://gw:4317' });
    assert.equal(viaGateway.direct, undefined);
    assert.equal(viaGateway.otlp.headers['X-Scope-OrgID'], 'shop');
  });
});

describe('verify --tenant: the push as a tenant of tenants', () => {
  it('sends each signal to its own engine endpoint over OTLP/HTTP with the tenant\'s X-Scope-OrgID, nothing to the gateway', async () => {
    const sinks = await Promise.all(['traces', 'metrics', 'logs', 'gateway'].map(() => OtlpSink.start({ transports: ['http'] })));
    const [tempo, mimir, loki, gateway] = sinks as [OtlpSink, OtlpSink, OtlpSink, OtlpSink];
    try {
      const stack = withStack(await example('rum'), (s) => {
        s.tenants!['shop']!.id = 'team-shop';
      });
      const r = resolveTargets(expand(stack, 'prod'), { tenant: 'shop', tempoOtlpUrl: tempo.httpEndpoint });
      // the stand-ins in place of the engines' receivers (the targets' other fields as resolved)
      const targets = { ...r, otlp: { ...r.otlp, endpoint: gateway.httpEndpoint }, direct: { ...r.direct, metrics: { endpoint: mimir.httpEndpoint, protocol: 'http/protobuf' as const }, logs: { endpoint: loki.httpEndpoint, protocol: 'http/protobuf' as const } } };
      const clients = createVerifyClients(targets, { pushBudgetMs: 5000 });
      try {
        const probe = buildProbe({ stack: 'rum', env: 'prod', namespace: 'rum-prod', now: Date.now() });
        for (const signal of ['traces', 'metrics', 'logs'] as const) {
          const res = await clients.sender.send(signal, probe[signal] as never);
          assert.equal(res.ok, true, `${signal}: ${res.error ?? ''}`);
        }
      } finally {
        await clients.close();
      }
      for (const [sink, signal] of [[tempo, 'traces'], [mimir, 'metrics'], [loki, 'logs']] as const) {
        const reqs = sink.requests();
        assert.deepEqual(reqs.map((q) => [q.signal, q.transport, q.outcome, q.headers['x-scope-orgid']]), [[signal, 'http', 'accepted', 'team-shop']]);
      }
      assert.equal(gateway.requests().length, 0, 'nothing through the gateway');
    } finally {
      await Promise.all(sinks.map((x) => x.stop()));
    }
  });
});
