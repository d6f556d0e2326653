// Where verify pushes and reads, from the topology (catalog ports and API prefixes) and from flags.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ingestionEndpoint, resolveTargets, VerifyInputError } from '../../../src/ops/verify/targets.js';
import { expand } from '../../../src/topology/expand.js';
import { stackOf } from '../../fixtures/stacks.js';

const full = stackOf((s) => {
  s.signals.traces = { engine: 'tempo', environments: { dev: { mode: 'monolithic', tenant: 'team-a' }, prod: { mode: 'monolithic' } } } as never;
  s.signals.logs = { engine: 'loki', environments: { dev: { mode: 'monolithic' }, prod: { mode: 'monolithic' } } } as never;
  (s as Record<string, unknown>)['ingestion'] = { collector: 'alloy', shared: true, routing: 'by-namespace' };
});

describe('verify targets', () => {
  it('pushes to the collector of the namespace and reads the engines\' query endpoints (Kubernetes)', () => {
    const t = resolveTargets(expand(full, 'dev'));
    assert.equal(t.otlp.endpoint, 'http://alloy.demo-dev.svc.cluster.local:4317');
    assert.equal(t.otlp.protocol, 'grpc');
    assert.equal(ingestionEndpoint(expand(full, 'dev'), 'http'), 'http://alloy.demo-dev.svc.cluster.local:4318');
    assert.deepEqual(t.traces, { engine: 'tempo', url: 'http://tempo.demo-dev.svc.cluster.local:3200', api: 'v2', tenant: 'team-a' });
    assert.equal(t.metrics?.engine, 'mimir');
    assert.match(t.metrics!.url, /\/prometheus$/);
    assert.equal(t.logs?.engine, 'loki');
    // one data bucket per engine, under the tenant (or the engine's no-auth tenant)
    assert.deepEqual(
      t.storage.buckets.map((b) => `${b.signal} ${b.bucket} ${b.prefix}`),
      ['logs demo-logs-dev-chunks fake/', 'metrics demo-metrics-dev-blocks anonymous/', 'traces demo-traces-dev-blocks team-a/'],
    );
    assert.equal(t.storage.endpoint, 'http://s3.local:8333');
  });

  it('lets flags override every endpoint and the tenant', () => {
    const t = resolveTargets(expand(full, 'prod'), {
      otlpEndpoint: 'http://127.0.0.1:14318',
      protocol: 'http',
      tempoUrl: 'http://127.0.0.1:3200',
      mimirUrl: 'http://127.0.0.1:8080/',
      lokiUrl: 'http://127.0.0.1:3100',
      s3Endpoint: 'http://127.0.0.1:8333',
      tenant: 'team-b',
      headers: { authorization: 'Bearer x' },
    });
    assert.deepEqual(t.otlp, { endpoint: 'http://127.0.0.1:14318', protocol: 'http/protobuf', headers: { authorization: 'Bearer x', 'X-Scope-OrgID': 'team-b' } });
    assert.deepEqual(t.metrics, { engine: 'mimir', url: 'http://127.0.0.1:8080/prometheus', tenant: 'team-b' });
    assert.equal(t.traces?.tenant, 'team-b');
    assert.ok(t.storage.buckets.every((b) => b.prefix === 'team-b/'));
    const p = resolveTargets(expand(full, 'prod'), { prometheusUrl: 'http://127.0.0.1:9090' });
    assert.equal(p.metrics?.url, 'http://127.0.0.1:9090');
  });

  it('pushes to the published host ports on Docker Compose', () => {
    const s = stackOf((x) => {
      x.environments = [{ name: 'dev', namespace: 'demo-dev', target: 'compose', objectStorage: 's3' }] as never;
      x.signals.metrics = { engine: 'prometheus', environments: { dev: { mode: 'monolithic' } } } as never;
      (x as Record<string, unknown>)['ingestion'] = { collector: 'otelcol' };
    });
    const t = resolveTargets(expand(s, 'dev'), { protocol: 'http' });
    assert.equal(t.otlp.endpoint, 'http://localhost:4318');
    assert.deepEqual(t.metrics, { engine: 'prometheus', url: 'http://prometheus:9090' });
  });

  it('rejects bad input with the flag named', () => {
    const topo = expand(full, 'dev');
    assert.throws(() => resolveTargets(topo, { tempoUrl: 'tempo:3200' }), /--tempo-url must be an http:\/\/ or https:\/\/ URL/);
    assert.throws(() => resolveTargets(topo, { tenant: 'a/b' }), VerifyInputError);
    assert.throws(() => resolveTargets(topo, { protocol: 'udp' as never }), /--protocol must be grpc or http/);
    assert.throws(() => resolveTargets(expand(stackOf(), 'dev')), /no ingestion layer/);
  });
});
