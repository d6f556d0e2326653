// Autoscaling: the topology budgets an autoscaled component at max (the quota covers it), the plan shows min–max,
// the rule refuses stateful and partition-consuming components, and the Kubernetes values carry the chart's own
// HorizontalPodAutoscaler keys (chart facts), allowed by the chart's key list.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHART_VALUE_KEYS, keyAllowed, valueKeyPaths } from '../../src/catalog/charts/index.js';
import { loadStack } from '../../src/model/load.js';
import type { Stack } from '../../src/model/schema.js';
import { buildPlan } from '../../src/plan/index.js';
import { renderPlan } from '../../src/plan/report.js';
import { renderStack } from '../../src/render/index.js';
import { renderKubernetes } from '../../src/render/kubernetes/index.js';
import { expand } from '../../src/topology/expand.js';
import { parse } from 'yaml';
import { stackOf } from '../fixtures/stacks.js';
import { ROOT } from '../support/paths.js';

type M = Record<string, any>;
const rule = (s: Stack) => buildPlan(s, 'test.yaml').findings.filter((f) => f.rule === 'autoscaling');
const dts = async (mutate: (s: M) => void): Promise<Stack> => {
  const s = structuredClone((await loadStack(`${ROOT}examples/dts`)).stack) as unknown as M;
  mutate(s);
  return s as unknown as Stack;
};
const prodTraces = (s: M) => s['signals'].traces.environments.prod.components;

describe('autoscaling', () => {
  it('topology: budgeted at max, with the range and a default CPU target; totals grow with max', () => {
    const base = expand(stackOf(), 'prod');
    const s = stackOf((x: M) => { x['signals'].metrics.environments.prod.components = { querier: { autoscaling: { min: 2, max: 6 } } }; });
    const t = expand(s, 'prod');
    const q = t.components.find((c) => c.component === 'querier')!;
    assert.equal(q.replicas, 6);
    assert.deepEqual(q.autoscaling, { min: 2, max: 6, scaler: 'hpa', targetCpu: 80 });
    const p = buildPlan(s, 'test.yaml').environments.find((e) => e.name === 'prod')!;
    const pb = buildPlan(stackOf(), 'test.yaml').environments.find((e) => e.name === 'prod')!;
    const before = base.components.find((c) => c.component === 'querier')!;
    assert.equal(p.totals.cpuRequestMillicores - pb.totals.cpuRequestMillicores, (6 - before.replicas) * q.perReplica.cpuRequestMillicores);
    assert.deepEqual(p.components.find((c) => c.component === 'querier')!.autoscaling, { min: 2, max: 6, scaler: 'hpa', targetCpu: 80 });
    assert.match(renderPlan(buildPlan(s, 'test.yaml'), 'markdown'), /×2–6 \(HPA; budget ×6\)/);
    // only a memory target: no CPU target is invented
    const m = expand(stackOf((x: M) => { x['signals'].metrics.environments.prod.components = { querier: { autoscaling: { min: 2, max: 4, targetMemory: 70 } } }; }), 'prod');
    assert.deepEqual(m.components.find((c) => c.component === 'querier')!.autoscaling, { min: 2, max: 4, scaler: 'hpa', targetMemory: 70 });
  });

  it('rule: a stateful write-path component (Mimir ingester) is refused with an error', () => {
    const f = rule(stackOf((x: M) => { x['signals'].metrics.environments.prod.components = { ingester: { autoscaling: { min: 3, max: 6 } } }; }));
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'error');
    assert.equal(f[0]!.path, 'signals.metrics.environments.prod.components.ingester.autoscaling');
    assert.match(f[0]!.message, /stateful \(write path\)/);
  });
  it('rule: mimir-distributed has no autoscaling values otelstack writes (unverified): a warning, runs max', () => {
    const f = rule(stackOf((x: M) => { x['signals'].metrics.environments.prod.components = { distributor: { autoscaling: { min: 2, max: 5 } } }; }));
    assert.deepEqual(f.map((x) => x.severity), ['warning']);
    assert.match(f[0]!.message, /unverified.*runs 5 replicas, fixed/);
  });
  it('rule: HA min below 2 on a serving path is an error; replicas beside autoscaling is a warning', () => {
    const f = rule(stackOf((x: M) => { x['signals'].metrics.environments.prod.components = { querier: { replicas: 3, autoscaling: { min: 1, max: 5 } } }; }));
    assert.deepEqual(f.map((x) => x.severity).sort(), ['error', 'warning', 'warning']);
    assert.ok(f.some((x) => x.severity === 'error' && /scale down to 1/.test(x.message)));
    assert.ok(f.some((x) => /replicas is ignored/.test(x.message)));
  });
  it('rule: Tempo\'s block-builder (a Kafka partition consumer) is refused', async () => {
    const f = rule(await dts((s) => { prodTraces(s)['block-builder'] = { ...(prodTraces(s)['block-builder'] ?? {}), autoscaling: { min: 2, max: 4 } }; }));
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'error');
    assert.match(f[0]!.message, /partition/);
  });
  it('render: tempo-distributed querier and distributor get the chart\'s HPA values, allowed by its key list', async () => {
    const s = await dts((x) => {
      prodTraces(x)['querier'] = { ...(prodTraces(x)['querier'] ?? {}), autoscaling: { min: 2, max: 8, targetCpu: 70 } };
      delete prodTraces(x)['querier'].replicas;
      prodTraces(x)['distributor'] = { ...(prodTraces(x)['distributor'] ?? {}), autoscaling: { min: 2, max: 4, targetMemory: 75 } };
      delete prodTraces(x)['distributor'].replicas;
    });
    assert.deepEqual(rule(s), []);
    const t = expand(s, 'prod');
    const r = renderKubernetes({ stack: s, topology: t });
    assert.deepEqual(r.findings.filter((f) => f.severity === 'error'), []);
    const values = parse(r.files.get('kubernetes/prod/values/tempo.yaml')!) as M;
    assert.deepEqual(values['querier'].autoscaling, { enabled: true, minReplicas: 2, maxReplicas: 8, targetCPUUtilizationPercentage: 70, targetMemoryUtilizationPercentage: null });
    assert.deepEqual(values['distributor'].autoscaling, { enabled: true, minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: null, targetMemoryUtilizationPercentage: 75 });
    assert.equal(values['querier'].replicas, 8, 'the budgeted max (the chart drops replicas while the HPA is on)');
    for (const k of valueKeyPaths(values)) assert.ok(keyAllowed(k, CHART_VALUE_KEYS['tempo-distributed']!.keys), `${k} is a tempo-distributed value`);
  });
  it('the chart facts name HPA keys for the stateless components of Tempo, Loki and Pyroscope', async () => {
    const { TEMPO_DISTRIBUTED_AUTOSCALING, LOKI_AUTOSCALING, PYROSCOPE_AUTOSCALING, MIMIR_DISTRIBUTED_FACTS } = await import('../../src/catalog/charts/index.js');
    assert.deepEqual(Object.keys(TEMPO_DISTRIBUTED_AUTOSCALING.components).sort(), ['backend-worker', 'distributor', 'querier', 'query-frontend']);
    assert.deepEqual(TEMPO_DISTRIBUTED_AUTOSCALING.components['backend-worker']!.enabled, ['backendWorker.autoscaling.enabled', 'backendWorker.autoscaling.hpa.enabled']);
    assert.equal(LOKI_AUTOSCALING.components['read']!.targetCpu, 'read.autoscaling.targetCPUUtilizationPercentage');
    assert.equal(PYROSCOPE_AUTOSCALING.components['querier']!.maxReplicas, 'architecture.microservices.v1.querier.autoscaling.maxReplicas');
    assert.equal(MIMIR_DISTRIBUTED_FACTS.autoscaling?.verified, false);
  });

  describe('collector pools (ingestion.environments.<env>.gateway / .processor)', () => {
    const owned = (mutate: (x: M) => void = () => {}) =>
      dts((x) => {
        x['ingestion'].shared = false;
        x['ingestion'].environments = { ...(x['ingestion'].environments ?? {}), prod: { ...(x['ingestion'].environments?.prod ?? {}), gateway: { replicas: 1, autoscaling: { min: 2, max: 6 } } } };
        mutate(x);
      });
    it('the Alloy gateway is budgeted at max with its config-reloader sidecar, and the alloy chart gets its HPA values', async () => {
      const s = await owned();
      const t = expand(s, 'prod');
      const gw = t.components.find((c) => c.engine === 'alloy' && c.component === 'gateway')!;
      assert.equal(gw.replicas, 6);
      assert.deepEqual(gw.autoscaling, { min: 2, max: 6, scaler: 'hpa', targetCpu: 80 });
      assert.equal(t.components.find((c) => c.engine === 'alloy' && c.component === 'config-reloader')!.replicas, 6, 'one sidecar per gateway pod');
      const f = rule(s).filter((x) => x.env === 'prod');
      assert.deepEqual(f.map((x) => x.severity), ['warning'], JSON.stringify(f));
      assert.match(f[0]!.message, /persistent queues on a volume per replica/);
      const r = renderKubernetes({ stack: s, topology: t });
      const file = [...r.files.keys()].find((k) => /values\/alloy\.yaml$/.test(k))!;
      const values = parse(r.files.get(file)!) as M;
      assert.deepEqual(values['controller'].autoscaling, { horizontal: { enabled: true, minReplicas: 2, maxReplicas: 6, targetCPUUtilizationPercentage: 80, targetMemoryUtilizationPercentage: null } });
      assert.ok(values['alloy'].resources.requests.cpu, 'the chart requires a CPU request for a CPU target');
    });
    it('the pool size the renderers and the sizing read is max too: a compose gateway pool runs max gateways behind its load balancer', async () => {
      const s = await loadStack(`${ROOT}examples/single-node`);
      const m = structuredClone(s.stack) as unknown as M;
      const env = m['environments'][0].name as string;
      m['ingestion'].environments = { ...(m['ingestion'].environments ?? {}), [env]: { ...(m['ingestion'].environments?.[env] ?? {}), gateway: { replicas: 1, autoscaling: { min: 2, max: 3 } } } };
      const t = expand(m as unknown as Stack, env);
      assert.equal(t.ingestion!.gatewayReplicas, 3);
      assert.equal(t.components.find((c) => c.engine === 'otelcol' && c.component === 'gateway')!.replicas, 3);
      const f = rule(m as unknown as Stack);
      assert.ok(f.some((x) => x.severity === 'warning' && /runs 3 replicas/.test(x.message)), JSON.stringify(f));
      const compose = parse(renderStack(m as unknown as Stack).files.get(`compose/${env}/docker-compose.yaml`)!) as M;
      assert.deepEqual(Object.keys(compose['services']).filter((k) => /^gateway-\d+$/.test(k)).sort(), ['gateway-0', 'gateway-1', 'gateway-2']);
      assert.ok(compose['services']['otlp-lb'], 'the gateways share one endpoint');
    });
    it('refused where it cannot work: the shared Alloy, a DaemonSet, a Kafka-fed processor pool, and HA min 1', async () => {
      const shared = rule(await dts((x) => { x['ingestion'].environments = { prod: { gateway: { replicas: 1, autoscaling: { min: 2, max: 4 } } } }; }));
      assert.ok(shared.some((f) => f.severity === 'error' && /ingestion\.shared: true/.test(f.message)), JSON.stringify(shared));
      const ds = rule(await owned((x) => { x['ingestion'].environments.prod.controller = 'daemonset'; }));
      assert.ok(ds.some((f) => f.severity === 'error' && /DaemonSet/.test(f.message)));
      const proc = rule(await owned((x) => { Object.assign(x['ingestion'].environments.prod, { kafkaBuffer: true, processor: { replicas: 1, autoscaling: { min: 2, max: 4 } } }); }));
      const p = proc.find((f) => f.path === 'ingestion.environments.prod.processor.autoscaling');
      assert.ok(p && p.severity === 'error' && /consumer lag/.test(p.message), JSON.stringify(proc));
      const one = rule(await owned((x) => { x['ingestion'].environments.prod.gateway.autoscaling.min = 1; }));
      assert.ok(one.some((f) => f.severity === 'error' && /scale down to 1/.test(f.message)));
    });
  });
});
