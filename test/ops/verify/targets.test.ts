// Where verify pushes and reads, from the topology (catalog ports and API prefixes) and from flags.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ingestionEndpoint, resolveTargets, VerifyInputError } from '../../../src/ops/verify/targets.js';
import { expand } from '../../../src/topology/expand.js';
import { stackOf } from '../../fixtures/stacks.js';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { loadStack } from '../../../src/model/load.js';
import { renderCompose } from '../../../src/render/compose/index.js';

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
    assert.equal(t.otlp.endpoint, 'http://127.0.0.1:4318');
    // compose service names do not resolve on the host: the loopback ports the renderer publishes
    assert.deepEqual(t.metrics, { engine: 'prometheus', url: 'http://127.0.0.1:9090' });
    assert.equal(t.storage.endpoint, 'http://127.0.0.1:8333');
    // the flags still win
    assert.equal(resolveTargets(expand(s, 'dev'), { prometheusUrl: 'http://10.0.0.1:9090' }).metrics?.url, 'http://10.0.0.1:9090');
  });

  it('examples/single-node: 127.0.0.1 URLs on exactly the ports its compose file publishes', async () => {
    const { stack } = await loadStack(fileURLToPath(new URL('../../../../examples/single-node', import.meta.url)));
    const topology = expand(stack, 'local');
    const doc = parse(renderCompose({ stack, topology }).files.get('compose/local/docker-compose.yaml')!) as { services: Record<string, { ports?: string[] }> };
    // host port of each container port a service publishes: "127.0.0.1:H:C" or "H:C"
    const published = (service: string): Map<number, { host: string; port: number }> =>
      new Map(
        (doc.services[service]?.ports ?? []).map((p) => {
          const parts = p.split(':');
          const host = parts.length === 3 ? parts[0]! : '0.0.0.0';
          return [Number(parts.at(-1)), { host, port: Number(parts.at(-2)) }] as const;
        }),
      );
    const t = resolveTargets(topology);
    const check = (url: string | undefined, service: string, containerPort: number, loopbackOnly: boolean) => {
      assert.ok(url, `${service}: a URL`);
      const u = new URL(url!);
      assert.equal(u.hostname, '127.0.0.1', url);
      const p = published(service).get(containerPort);
      assert.ok(p, `${service} publishes ${containerPort}`);
      assert.equal(Number(u.port), p!.port, `${service}: ${url} is the published port`);
      if (loopbackOnly) assert.equal(p!.host, '127.0.0.1', `${service}: published on loopback only`);
    };
    check(t.otlp.endpoint, 'gateway-0', 4317, false);
    check(resolveTargets(topology, { protocol: 'http' }).otlp.endpoint, 'gateway-0', 4318, false);
    check(t.traces?.url, 'tempo', 3200, true);
    check(t.metrics?.url, 'mimir', 8080, true);
    assert.match(t.metrics!.url, /\/prometheus$/);
    check(t.logs?.url, 'loki', 3100, true);
    check(t.storage.endpoint, 'seaweedfs', 8333, true);
  });

  it('rejects bad input with the flag named', () => {
    const topo = expand(full, 'dev');
    assert.throws(() => resolveTargets(topo, { tempoUrl: 'tempo:3200' }), /--tempo-url must be an http:\/\/ or https:\/\/ URL/);
    assert.throws(() => resolveTargets(topo, { tenant: 'a/b' }), VerifyInputError);
    assert.throws(() => resolveTargets(topo, { protocol: 'udp' as never }), /--protocol must be grpc or http/);
    assert.throws(() => resolveTargets(expand(stackOf(), 'dev')), /no ingestion layer/);
  });
});
