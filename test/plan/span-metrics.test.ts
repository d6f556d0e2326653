// The span-metrics plan rule: Tempo's metrics-generator needs a metrics engine in its environment to write to.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadStack } from '../../src/model/load.js';
import { buildPlan } from '../../src/plan/index.js';
import { stackOf } from '../fixtures/stacks.js';
import { ROOT } from '../support/paths.js';

type M = Record<string, any>;
const findings = (mutate: (s: M) => void) => buildPlan(stackOf(mutate as never), 'test.yaml').findings.filter((f) => f.rule === 'span-metrics');
const tempo = (envs: M) => ({ engine: 'tempo', environments: envs });

describe('plan rule span-metrics', () => {
  it('spanMetrics without a metrics engine in the environment is an error with the path and a suggestion', () => {
    const f = findings((s) => {
      s['signals'].traces = tempo({ dev: { mode: 'monolithic', spanMetrics: true }, prod: { mode: 'monolithic', spanMetrics: true } });
      delete s['signals'].metrics.environments.dev;
    });
    assert.equal(f.length, 1, JSON.stringify(f));
    assert.equal(f[0]!.severity, 'error');
    assert.equal(f[0]!.env, 'dev');
    assert.equal(f[0]!.path, 'signals.traces.environments.dev.spanMetrics');
    assert.match(f[0]!.message, /no metrics engine/);
    assert.match(f[0]!.suggestion, /signals\.metrics\.environments\.dev/);
    assert.match(f[0]!.suggestion, /spanMetrics: false/);
  });

  it('no metrics signal at all: an error per environment that asks for span metrics', () => {
    const f = findings((s) => {
      s['signals'] = { traces: tempo({ dev: { mode: 'monolithic', spanMetrics: true }, prod: { mode: 'monolithic' } }) };
    });
    assert.deepEqual(f.map((x) => `${x.severity} ${x.env} ${x.path}`), ['error dev signals.traces.environments.dev.spanMetrics']);
  });

  it('spanMetrics with Mimir beside Tempo: no finding', () => {
    assert.deepEqual(findings((s) => { s['signals'].traces = tempo({ dev: { mode: 'monolithic', spanMetrics: true } }); }), []);
  });

  it('a metrics-generator named without spanMetrics produces nothing: a warning', () => {
    const f = findings((s) => {
      s['signals'].traces = tempo({ prod: { mode: 'microservices', components: { 'metrics-generator': { replicas: 2 } } } });
    });
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'warning');
    assert.equal(f[0]!.path, 'signals.traces.environments.prod.components.metrics-generator');
    assert.match(f[0]!.suggestion, /spanMetrics: true/);
  });

  it('spanMetrics on an engine other than Tempo is ignored, with a warning', () => {
    const f = findings((s) => { s['signals'].metrics.environments.dev.spanMetrics = true; });
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'warning');
    assert.equal(f[0]!.path, 'signals.metrics.environments.dev.spanMetrics');
  });

  it('a metrics engine arriving in a later phase than Tempo: a warning', () => {
    const f = findings((s) => {
      s['signals'].traces = tempo({ dev: { mode: 'monolithic', spanMetrics: true } });
      s['signals'].metrics.phase = 2;
    });
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'warning');
    assert.match(f[0]!.message, /phase 2/);
  });

  it('an unmanaged Tempo: an info saying where its generator is expected to write', () => {
    const f = findings((s) => {
      s['signals'].traces = { ...tempo({ dev: { mode: 'monolithic', spanMetrics: true } }), managed: false };
    });
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'info');
    assert.match(f[0]!.message, /mimir-gateway\.demo-dev\.svc\.cluster\.local:80\/api\/v1\/push/);
  });

  it('examples/dts (spanMetrics in dev, test and prod) has no span-metrics finding and budgets the prod generator', async () => {
    const { stack, file } = await loadStack(`${ROOT}examples/dts`);
    const plan = buildPlan(stack, file);
    assert.deepEqual(plan.findings.filter((f) => f.rule === 'span-metrics'), []);
    const prod = plan.environments.find((e) => e.name === 'prod')!;
    const g = prod.components.find((c) => c.engine === 'tempo' && c.component === 'metrics-generator');
    assert.ok(g);
    assert.equal(g.replicas, 2);
    assert.equal(g.perReplica.cpuRequestMillicores, 100);
    assert.equal(g.perReplica.memoryRequestBytes, 512 * 1024 ** 2);
  });
});
