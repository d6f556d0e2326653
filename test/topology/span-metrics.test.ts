// spanMetrics: Tempo's metrics-generator in the topology — the component where the mode has one, and on the
// Tempo deployment where it remote-writes (the same environment's metrics engine), with which tenant and dimensions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expand } from '../../src/topology/expand.js';
import type { Topology } from '../../src/topology/types.js';
import { stackOf } from '../fixtures/stacks.js';

type M = Record<string, any>;
const Mi = 1024 ** 2;

const tempo = (t: Topology) => t.engines.find((e) => e.engine === 'tempo')!;
const mimir = (t: Topology) => t.engines.find((e) => e.engine === 'mimir')!;
const generator = (t: Topology) => t.components.find((c) => c.engine === 'tempo' && c.component === 'metrics-generator');

/** the fixture with Tempo: monolithic in dev, microservices in prod */
function withTempo(mutate: (traces: M, s: M) => void = () => {}) {
  return stackOf((s) => {
    const traces: M = { engine: 'tempo', environments: { dev: { mode: 'monolithic', spanMetrics: true }, prod: { mode: 'microservices', spanMetrics: true } } };
    (s as M)['signals'].traces = traces;
    mutate(traces, s as M);
  });
}

describe('expand: spanMetrics (Tempo metrics-generator)', () => {
  it('microservices: adds the metrics-generator with catalog defaults (HA replicas in an HA environment)', () => {
    const t = expand(withTempo(), 'prod');
    const g = generator(t);
    assert.ok(g, 'metrics-generator component');
    assert.equal(g.replicas, 2, 'catalog HA default');
    assert.equal(g.perReplica.cpuRequestMillicores, 100);
    assert.equal(g.perReplica.memoryRequestBytes, 512 * Mi);
    assert.equal(g.path, 'write');
    assert.equal(g.known, true);
    assert.equal(g.budgeted, true);
    assert.equal(g.definitionPath, 'signals.traces.environments.prod');
  });

  it('microservices: remote-writes to the push endpoint of the same environment’s Mimir, with the namespace dimensions', () => {
    const t = expand(withTempo(), 'prod');
    const mg = tempo(t).metricsGenerator;
    assert.ok(mg);
    assert.equal(mg.remoteWrite, mimir(t).endpoints.push);
    assert.equal(mg.remoteWrite, 'http://mimir-gateway.demo-prod.svc.cluster.local:80/api/v1/push');
    assert.equal(mg.tenant, undefined, 'Mimir without a tenant');
    assert.ok(mg.dimensions.includes('k8s.namespace.name'));
    assert.ok(mg.dimensions.includes('service.namespace'));
  });

  it('microservices: the definition’s overrides size a named metrics-generator', () => {
    const t = expand(withTempo((traces) => { traces['environments'].prod.components = { 'metrics-generator': { replicas: 3, cpu: '250m', memory: '1Gi' } }; }), 'prod');
    const g = generator(t)!;
    assert.equal(g.replicas, 3);
    assert.equal(g.perReplica.cpuRequestMillicores, 250);
    assert.equal(g.perReplica.memoryRequestBytes, 1024 * Mi);
    assert.equal(g.definitionPath, 'signals.traces.environments.prod.components.metrics-generator');
    assert.equal(t.components.filter((c) => c.component === 'metrics-generator').length, 1, 'once');
  });

  it('monolithic: the generator runs in-process — no extra component, the remote write is still recorded', () => {
    const t = expand(withTempo(), 'dev');
    assert.equal(generator(t), undefined);
    assert.deepEqual(t.components.filter((c) => c.engine === 'tempo').map((c) => c.component), ['tempo']);
    assert.equal(tempo(t).metricsGenerator?.remoteWrite, 'http://mimir-gateway.demo-dev.svc.cluster.local:80/api/v1/push');
    assert.equal(tempo(t).metricsGenerator?.remoteWrite, mimir(t).endpoints.push);
  });

  it('writes to the environment’s own metrics engine, with its tenant', () => {
    const stack = withTempo((_, s) => { s['signals'].metrics.environments.prod.tenant = 'platform'; });
    const prod = expand(stack, 'prod');
    const dev = expand(stack, 'dev');
    assert.equal(tempo(prod).metricsGenerator?.tenant, 'platform');
    assert.equal(tempo(dev).metricsGenerator?.tenant, undefined);
    assert.notEqual(tempo(prod).metricsGenerator?.remoteWrite, tempo(dev).metricsGenerator?.remoteWrite);
  });

  it('compose with Prometheus: the Prometheus remote-write receiver path', () => {
    const stack = stackOf((s) => {
      (s as M)['environments'] = [{ name: 'local', namespace: 'demo-local', target: 'compose', objectStorage: 's3' }];
      (s as M)['signals'] = {
        traces: { engine: 'tempo', environments: { local: { mode: 'monolithic', spanMetrics: true } } },
        metrics: { engine: 'prometheus', environments: { local: { mode: 'monolithic' } } },
      };
    });
    const t = expand(stack, 'local');
    assert.equal(tempo(t).metricsGenerator?.remoteWrite, 'http://prometheus:9090/api/v1/write');
  });

  it('spanMetrics off: no generator component, nothing recorded', () => {
    const stack = withTempo((traces) => { traces['environments'].prod.spanMetrics = false; delete traces['environments'].dev.spanMetrics; });
    for (const env of ['dev', 'prod']) {
      const t = expand(stack, env);
      assert.equal(generator(t), undefined, env);
      assert.equal(tempo(t).metricsGenerator, undefined, env);
    }
  });

  it('no metrics engine in the environment: the component is still budgeted, no remote write is recorded', () => {
    const stack = withTempo((_, s) => { delete s['signals'].metrics.environments.prod; });
    const t = expand(stack, 'prod');
    assert.ok(generator(t));
    assert.equal(tempo(t).metricsGenerator, undefined);
  });
});
