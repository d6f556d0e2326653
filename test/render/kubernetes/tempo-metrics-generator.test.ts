// spanMetrics rendered: Tempo's metrics-generator in both Tempo charts' values (tempo-distributed 3.0.x for Tempo 3 —
// dts dev, test and prod —, tempo 2.0.0 for Tempo 2.10 monolithic, a variant of dts) and in the compose Tempo config — remote write to the environment's metrics engine, the processors turned on in
// the overrides, the namespace dimensions — using only documented value keys; nothing of it when spanMetrics is off.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { CHART_VALUE_KEYS, keyAllowed } from '../../../src/catalog/charts/index.js';
import type { Stack } from '../../../src/model/schema.js';
import { renderStack, type RenderAllResult } from '../../../src/render/index.js';
import { tempoDistributedValues } from '../../../src/render/kubernetes/values.js';
import { expand } from '../../../src/topology/expand.js';
import { example } from '../rules/support.js';
import { assertKnownKeys, withStack, type Obj } from './inspect.js';

const at = (o: unknown, ...path: string[]): unknown => path.reduce<unknown>((x, k) => (x && typeof x === 'object' ? (x as Obj)[k] : undefined), o);
const values = (r: RenderAllResult, env: string) => parse(r.files.get(`kubernetes/${env}/values/tempo.yaml`)!) as Obj;
const push = (stack: Stack, env: string) => expand(stack, env).engines.find((e) => e.signal === 'metrics')!.endpoints.push!;
const PROCESSORS = ['service-graphs', 'span-metrics'];

function assertProcessorConfig(processor: unknown, where: string): void {
  for (const p of ['span_metrics', 'service_graphs']) {
    const dims = at(processor, p, 'dimensions') as string[];
    assert.ok(dims.includes('k8s.namespace.name'), `${where} ${p}: k8s.namespace.name`);
    assert.ok(dims.includes('service.namespace'), `${where} ${p}: service.namespace`);
  }
  // the dashboards read client_/server_k8s_namespace_name from the service graphs
  assert.equal(at(processor, 'service_graphs', 'enable_client_server_prefix'), true, where);
}

/**
 * dts with Tempo 2.10 monolithic on the tempo chart 2.0.0 in dev and test (the chart ships Tempo 2.10; no chart
 * deploys monolithic Tempo 3). prod's Tempo 3 layout (block-builders, live-stores) has no 2.x counterpart: no traces.
 */
function tempo2Monolithic(stack: Stack): Stack {
  return withStack(stack, (s) => {
    const traces = s.signals.traces!;
    traces.version = '2.10.0';
    traces.environments = {
      dev: { mode: 'monolithic', spanMetrics: true, components: { tempo: { cpu: '100m', memory: '512Mi', storage: '2Gi' } } },
      test: { mode: 'monolithic', spanMetrics: true, components: { tempo: { cpu: '200m', memory: '1Gi', storage: '4Gi' } } },
    };
  });
}

function withoutSpanMetrics(stack: Stack): Stack {
  return withStack(stack, (s) => {
    for (const env of Object.values(s.signals.traces!.environments)) {
      delete env.spanMetrics;
      if (env.components) delete env.components['metrics-generator'];
    }
  });
}

describe('render: Tempo metrics-generator (spanMetrics)', async () => {
  const dts = await example('dts');
  const r = renderStack(dts, { target: 'kubernetes' });
  const dts2 = tempo2Monolithic(dts);
  const r2 = renderStack(dts2, { target: 'kubernetes' });

  it('renders without errors and with only documented chart keys (tempo-distributed for Tempo 3, tempo for Tempo 2.10)', () => {
    assert.deepEqual(r.findings.filter((f) => f.severity === 'error'), []);
    const charts = new Set(assertKnownKeys(r.files).map((v) => v.chart));
    assert.ok(charts.has('tempo-distributed'));
    assert.ok(!charts.has('tempo'), 'no chart deploys monolithic Tempo 3: dts runs tempo-distributed everywhere');
    assert.deepEqual(r2.findings.filter((f) => f.severity === 'error'), []);
    assert.ok(new Set(assertKnownKeys(r2.files).map((v) => v.chart)).has('tempo'));
  });

  it('tempo-distributed (dev and test): one metrics-generator replica writing to the environment’s Mimir', () => {
    for (const env of ['dev', 'test']) {
      const v = values(r, env);
      const g = v['metricsGenerator'] as Obj;
      assert.equal(g['enabled'], true, env);
      assert.equal(g['replicas'], 1, env);
      const rw = at(g, 'config', 'storage', 'remote_write') as Obj[];
      assert.deepEqual(rw, [{ url: push(dts, env), send_exemplars: true }], env);
      assert.equal(rw[0]!['url'], `http://mimir-gateway.ca7f8f-${env}.svc.cluster.local:80/api/v1/push`);
      assertProcessorConfig(at(g, 'config', 'processor'), env);
      assert.deepEqual(at(v, 'overrides', 'defaults', 'metrics_generator', 'processors'), PROCESSORS);
      assert.equal(at(v, 'tempo', 'image', 'tag'), '3.0.1', env);
    }
  });

  it('tempo-distributed 3.0.0 (prod): the component, remote write to prod’s Mimir, processors on in overrides.defaults', () => {
    const v = values(r, 'prod');
    const g = v['metricsGenerator'] as Obj;
    assert.equal(g['enabled'], true);
    assert.equal(g['replicas'], 2);
    assert.deepEqual(g['resources'], { requests: { cpu: '100m', memory: '512Mi' } });
    const rw = at(g, 'config', 'storage', 'remote_write') as Obj[];
    assert.equal(rw.length, 1);
    assert.equal(rw[0]!['url'], push(dts, 'prod'));
    assert.equal(rw[0]!['url'], 'http://mimir-gateway.ca7f8f-prod.svc.cluster.local:80/api/v1/push');
    assert.equal(rw[0]!['send_exemplars'], true);
    assert.equal(rw[0]!['headers'], undefined, 'Mimir without a tenant: no X-Scope-OrgID');
    assertProcessorConfig(at(g, 'config', 'processor'), 'prod');
    assert.deepEqual(at(v, 'overrides', 'defaults', 'metrics_generator', 'processors'), PROCESSORS);
    // a Deployment: leave the Kafka consumer group on shutdown so a rollout hands partitions over at once
    assert.equal(at(v, 'tempo', 'structuredConfig', 'metrics_generator', 'leave_consumer_group_on_shutdown'), true);
    assert.equal(at(v, 'tempo', 'image', 'tag'), '3.0.1', 'the image tag is kept beside structuredConfig');
  });

  it('tempo-distributed: the pinned 3.0.3 has no stale traces_storage block; 3.0.0–3.0.2 are reported with the fixed version', () => {
    assert.ok(!r.findings.some((x) => x.env === 'prod' && /traces_storage/.test(x.message)), 'nothing to report at the pinned version');
    const t = expand(dts, 'prod');
    const e = t.engines.find((x) => x.engine === 'tempo')!;
    const stale = tempoDistributedValues(t, { ...e, chart: { ...(e.chart as { repository: string; name: string; version: string }), version: '3.0.0' } });
    const f = stale.notes.filter((n) => /traces_storage/.test(n.message));
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'warning');
    assert.match(f[0]!.suggestion, /3\.0\.3/);
  });

  it('tempo 2.0.0 (Tempo 2.10 monolithic, dev and test): the in-process generator with remote write, WAL path and processors', () => {
    for (const env of ['dev', 'test']) {
      const v = values(r2, env);
      assert.equal(at(v, 'tempo', 'tag'), '2.10.0', env);
      const g = at(v, 'tempo', 'metricsGenerator') as Obj;
      assert.equal(g['enabled'], true, env);
      assert.equal(g['remoteWriteUrl'], push(dts, env));
      assert.equal(g['remoteWriteUrl'], `http://mimir-gateway.ca7f8f-${env}.svc.cluster.local:80/api/v1/push`);
      const rw = at(g, 'storage', 'remote_write') as Obj[];
      assert.deepEqual(rw, [{ url: push(dts, env), send_exemplars: true }]);
      assert.match(String(at(g, 'storage', 'path')), /^\/var\/tempo\//, 'on the chart’s data volume');
      assertProcessorConfig(g['processor'], env);
      assert.deepEqual(at(v, 'tempo', 'overrides', 'defaults', 'metrics_generator', 'processors'), PROCESSORS);
      assert.equal(v['metricsGenerator'], undefined, 'monolithic chart: no component of its own');
    }
    // the chart ships the Tempo line it is given: nothing to warn about its image or its tempo.yaml template
    assert.deepEqual(r2.findings.filter((f) => /image tag|ships Tempo|traces_storage/.test(f.message)), []);
  });

  it('a multi-tenant Mimir gets its tenant as X-Scope-OrgID on the remote write, in both charts', () => {
    const tenants = (s: Stack) => {
      s.signals.metrics!.environments['dev']!.tenant = 'team-dev';
      s.signals.metrics!.environments['prod']!.tenant = 'team-prod';
    };
    const out = renderStack(withStack(dts, tenants), { target: 'kubernetes' });
    const distributedRw = (env: string) => (at(values(out, env), 'metricsGenerator', 'config', 'storage', 'remote_write') as Obj[])[0]!['headers'];
    assert.deepEqual(distributedRw('dev'), { 'X-Scope-OrgID': 'team-dev' });
    assert.deepEqual(distributedRw('prod'), { 'X-Scope-OrgID': 'team-prod' });
    assert.equal(distributedRw('test'), undefined);
    const mono = renderStack(withStack(dts2, tenants), { target: 'kubernetes' });
    const monoRw = (env: string) => (at(values(mono, env), 'tempo', 'metricsGenerator', 'storage', 'remote_write') as Obj[])[0]!['headers'];
    assert.deepEqual(monoRw('dev'), { 'X-Scope-OrgID': 'team-dev' });
    assert.equal(monoRw('test'), undefined);
  });

  it('spanMetrics off: no generator in either chart’s values, and the pinned chart keys still cover everything', () => {
    const out = renderStack(withoutSpanMetrics(dts), { target: 'kubernetes' });
    for (const env of ['dev', 'test', 'prod']) {
      assert.deepEqual(at(values(out, env), 'metricsGenerator'), { enabled: false }, env);
      assert.equal(at(values(out, env), 'overrides'), undefined, env);
      assert.equal(at(values(out, env), 'tempo', 'structuredConfig'), undefined, env);
    }
    assert.ok(!out.findings.some((f) => /traces_storage/.test(f.message)));
    assertKnownKeys(out.files);
    const mono = renderStack(withoutSpanMetrics(dts2), { target: 'kubernetes' });
    for (const env of ['dev', 'test']) {
      assert.equal(at(values(mono, env), 'tempo', 'metricsGenerator'), undefined, env);
      assert.equal(at(values(mono, env), 'tempo', 'overrides'), undefined, env);
    }
    assertKnownKeys(mono.files);
  });

  it('the key lists name the documented metrics-generator keys of each pinned chart', () => {
    const td = CHART_VALUE_KEYS['tempo-distributed']!;
    assert.equal(td.version, '3.0.3');
    for (const k of ['metricsGenerator.enabled', 'metricsGenerator.config.storage.remote_write', 'metricsGenerator.config.processor.span_metrics.dimensions', 'overrides.defaults.metrics_generator.processors']) {
      assert.ok(keyAllowed(k, td.keys), `tempo-distributed: ${k}`);
    }
    assert.ok(!keyAllowed('global_overrides.defaults.metrics_generator.processors', td.keys), 'chart 3 renamed global_overrides to overrides');
    const mono = CHART_VALUE_KEYS['tempo']!;
    for (const k of ['tempo.metricsGenerator.enabled', 'tempo.metricsGenerator.remoteWriteUrl', 'tempo.metricsGenerator.storage.remote_write', 'tempo.overrides.defaults.metrics_generator.processors']) {
      assert.ok(keyAllowed(k, mono.keys), `tempo: ${k}`);
    }
  });
});

describe('render: compose Tempo config with spanMetrics', () => {
  for (const name of ['single-node', 'scalable']) {
    it(`${name}: metrics_generator remote-writes to the compose Mimir; processors on; no span-metrics warning`, async () => {
      const stack = await example(name);
      const r = renderStack(stack);
      const env = stack.environments[0]!.name;
      const text = r.files.get(`compose/${env}/tempo.yaml`)!;
      const cfg = parse(text) as Obj;
      assert.equal(cfg['target'], 'all');
      const mg = cfg['metrics_generator'] as Obj;
      assert.ok(mg, 'metrics_generator block');
      assert.ok(String(at(mg, 'storage', 'path')).length > 0, 'a storage path (Tempo disables the generator without one)');
      assert.deepEqual(at(mg, 'storage', 'remote_write'), [{ url: 'http://mimir:8080/api/v1/push', send_exemplars: true }]);
      assert.equal(at(mg, 'storage', 'remote_write', '0', 'url'), push(stack, env));
      assertProcessorConfig(mg['processor'], name);
      assert.equal(mg['traces_storage'], undefined, 'Tempo 3.0 removed traces_storage');
      assert.deepEqual(at(cfg, 'overrides', 'defaults', 'metrics_generator', 'processors'), PROCESSORS);
      assert.ok(!r.findings.some((f) => f.rule === 'render-grafana' && /traces_spanmetrics|traces_service_graph/.test(f.message)), JSON.stringify(r.findings));
      // the engine the generator writes to runs in the same compose project
      const compose = parse(r.files.get(`compose/${env}/docker-compose.yaml`)!) as Obj;
      assert.ok(at(compose, 'services', 'tempo'), 'tempo service');
      assert.ok(at(compose, 'services', 'mimir'), 'mimir service the generator writes to');
    });
  }

  it('spanMetrics off: no metrics_generator block nor overrides defaults (only the per-tenant overrides file), and the span-metrics warning is back', async () => {
    const stack = withoutSpanMetrics(await example('single-node'));
    const r = renderStack(stack);
    const cfg = parse(r.files.get('compose/local/tempo.yaml')!) as Obj;
    assert.equal(cfg['metrics_generator'], undefined);
    // the overrides block names the per-tenant file only (ENGINE_RUNTIME_FILES; tests/render/tenants): no defaults
    assert.deepEqual(cfg['overrides'], { per_tenant_override_config: '/etc/otelstack/tempo-overrides.yaml' });
    assert.ok(r.findings.some((f) => f.rule === 'render-grafana' && f.severity === 'warning' && /traces_spanmetrics_calls_total/.test(f.message)));
  });
});
