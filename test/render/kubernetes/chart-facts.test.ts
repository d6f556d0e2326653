// Chart facts (src/catalog/charts: template guards, default workloads, list routes) against the rendered values of
// examples/dts: CI has no chart sources, so these facts stand in for `helm template` on the pinned charts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { ALLOY_COMPONENT_STABILITY, alloyComponentsIn, requiredStability } from '../../../src/catalog/alloy.js';
import { CHART_FACTS, TEMPO_DISTRIBUTED_FACTS, brokenGuards, workloadEnabled } from '../../../src/catalog/charts/index.js';
import { MIMIR_EXEMPLARS } from '../../../src/catalog/mimir.js';
import { PYROSCOPE_LOG_LEVEL, PYROSCOPE_STORE_GATEWAY_RF } from '../../../src/catalog/pyroscope.js';
import { mimirConfig } from '../../../src/render/configs/engines.js';
import { expand } from '../../../src/topology/expand.js';
import { renderKubernetesAll } from '../../../src/render/kubernetes/index.js';
import { stackOf } from '../../fixtures/stacks.js';
import { exampleStack, renderAll } from './support.js';

type V = Record<string, unknown>;
const get = (v: unknown, path: string): unknown => path.split('.').reduce<unknown>((c, s) => (c && typeof c === 'object' ? (c as V)[s] : undefined), v);

describe('chart facts: the rendered values of examples/dts satisfy every fact of the pinned charts', async () => {
  const stack = await exampleStack();
  const r = renderAll(stack);
  const topologies = stack.environments.map((e) => expand(stack, e.name));
  const values = (env: string, engine: string) => parse(r.files.get(`kubernetes/${env}/values/${engine}.yaml`)!) as V;
  const rendered = topologies.flatMap((t) =>
    t.engines
      .filter((e) => e.managed && 'name' in e.chart && r.files.has(`kubernetes/${t.env.name}/values/${e.engine}.yaml`))
      .map((e) => ({ t, e, chart: (e.chart as { name: string }).name, values: values(t.env.name, e.engine) })),
  );

  it('renders values for every managed engine, each chart with facts', () => {
    assert.ok(rendered.length >= 9);
    for (const x of rendered) assert.ok(CHART_FACTS[x.chart], `chart facts for ${x.chart}`);
  });

  it('no template guard is broken (prod Tempo: backendWorker.podDisruptionBudget with 2 backend-workers)', () => {
    for (const x of rendered) assert.deepEqual(brokenGuards(x.values, CHART_FACTS[x.chart]!), [], `${x.t.env.name} ${x.chart}`);
    const prod = values('prod', 'tempo');
    assert.equal(get(prod, 'backendWorker.replicas'), 2);
    // the fact catches the nil pointer helm hit before the fix
    const broken = structuredClone(prod);
    delete (broken['backendWorker'] as V)['podDisruptionBudget'];
    assert.deepEqual(brokenGuards(broken, TEMPO_DISTRIBUTED_FACTS).map((g) => g.requires), ['backendWorker.podDisruptionBudget']);
    const alloy = parse(r.files.get('kubernetes/shared/values/alloy.yaml')!.replace(/^#.*$/gm, '')) as V;
    assert.deepEqual(brokenGuards(alloy, CHART_FACTS['alloy']!), []);
  });

  it('every workload a chart deploys is budgeted in the plan (with requests in the values) or switched off', () => {
    for (const x of rendered) {
      for (const w of CHART_FACTS[x.chart]!.workloads) {
        if (!workloadEnabled(x.values, w)) continue;
        const o = w.otelstack;
        assert.notEqual(o.action, 'disable', `${x.t.env.name} ${x.chart} ${w.key} should be switched off`);
        if (o.action === 'disable') continue;
        const c = x.t.components.find((k) => k.engine === x.e.engine && k.component === o.component);
        assert.ok(c?.budgeted, `${x.t.env.name} ${x.chart} ${w.key} runs: the plan budgets ${o.component}`);
        const res = get(x.values, w.resourcesKey ?? `${w.key}.resources`) as V | undefined;
        assert.ok(get(res, 'requests.cpu') && get(res, 'requests.memory'), `${x.t.env.name} ${x.chart} ${w.key} has requests`);
      }
    }
    const prod = topologies.find((t) => t.env.name === 'prod')!;
    assert.ok(prod.components.some((c) => c.engine === 'tempo' && c.component === 'memcached'));
    assert.ok(prod.components.some((c) => c.engine === 'mimir' && c.component === 'gateway'));
    assert.ok(prod.components.some((c) => c.engine === 'mimir' && c.component === 'rollout-operator'));
    assert.ok(!topologies[0]!.components.some((c) => c.component === 'rollout-operator'), 'no rollout-operator without zones');
    assert.equal(get(values('dev', 'mimir'), 'rollout_operator.enabled'), false);
    // memcached: item memory inside its memory request
    const m = get(values('prod', 'tempo'), 'memcached') as V;
    const mib = Number(/--memory-limit=(\d+)/.exec(String((m['extraArgs'] as string[])[0]))![1]);
    assert.ok(mib > 0 && mib < 512);
  });

  it('plan and render agree on volumes: no component keeps storage its chart cannot mount', () => {
    for (const x of rendered) {
      for (const w of CHART_FACTS[x.chart]!.workloads) {
        if (!w.noVolume || w.otelstack.action !== 'component') continue;
        const name = w.otelstack.component;
        const c = x.t.components.find((k) => k.engine === x.e.engine && k.component === name);
        if (c) assert.equal(c.perReplica.storageBytes, 0, `${x.t.env.name} ${name}`);
      }
    }
    const ls = topologies.find((t) => t.env.name === 'prod')!.components.find((c) => c.component === 'live-store')!;
    assert.match(ls.note ?? '', /no volume/);
  });

  it('list routes: engine-only flags and the S3 secret never go through a setting that reaches another workload', () => {
    for (const x of rendered) {
      for (const l of CHART_FACTS[x.chart]!.lists) {
        // only while one of the other workloads it reaches runs (a name without a workload fact counts as running)
        const running = (l.alsoReaches ?? []).filter((k) => {
          const w = CHART_FACTS[x.chart]!.workloads.find((y) => y.key === k);
          return !w || workloadEnabled(x.values, w);
        });
        if (!running.length) continue;
        const text = JSON.stringify(get(x.values, l.setting) ?? null);
        assert.doesNotMatch(text, /secretKeyRef|config\.expand-env/, `${x.t.env.name} ${x.chart} ${l.setting} reaches ${running.join(', ')}`);
      }
    }
    assert.deepEqual(get(values('prod', 'tempo'), 'defaults.extraArgs'), ['-config.expand-env=true']);
  });

  it('the shared Alloy runs at the lowest stability level its configuration needs', () => {
    const alloy = parse(r.files.get('kubernetes/shared/values/alloy.yaml')!) as V;
    const content = String(get(alloy, 'alloy.configMap.content'));
    const used = alloyComponentsIn(content);
    assert.ok(used.includes('otelcol.storage.file'));
    for (const u of used) assert.ok(u in ALLOY_COMPONENT_STABILITY, `stability of ${u}`);
    assert.equal(requiredStability(used).level, 'public-preview');
    assert.equal(get(alloy, 'alloy.stabilityLevel'), 'public-preview');
    assert.equal(requiredStability(['otelcol.receiver.otlp']).level, 'generally-available');
  });

  it('Mimir stores exemplars wherever they are sent (chart values and the compose config)', () => {
    for (const x of rendered.filter((y) => y.e.engine === 'mimir')) {
      assert.equal(get(x.values, `mimir.structuredConfig.limits.${MIMIR_EXEMPLARS.limit}`), MIMIR_EXEMPLARS.defaultPerTenant);
      assert.ok(x.e.exemplars!.maxGlobalPerTenant > 0);
      assert.equal(get(mimirConfig(x.t, x.e), `limits.${MIMIR_EXEMPLARS.limit}`), MIMIR_EXEMPLARS.defaultPerTenant);
    }
  });

  it('Pyroscope: the catalog log level, and a store-gateway replication factor within the store-gateway count', () => {
    for (const env of ['dev', 'test', 'prod']) assert.equal(get(values(env, 'pyroscope'), 'pyroscope.extraArgs.log\\.level') ?? (get(values(env, 'pyroscope'), 'pyroscope.extraArgs') as V)['log.level'], PYROSCOPE_LOG_LEVEL);
    const v1 = get(values('prod', 'pyroscope'), 'architecture.microservices.v1') as V;
    const sg = get(v1, 'store-gateway.replicaCount') as number;
    const rf = String(Math.min(PYROSCOPE_STORE_GATEWAY_RF, sg));
    assert.equal(rf, '2');
    for (const c of ['querier', 'store-gateway']) assert.equal((get(v1, `${c}.extraArgs`) as V)['store-gateway.sharding-ring.replication-factor'], rf);
  });
});

describe('chart facts: Loki (every mode) and Pyroscope values of a fixture satisfy the loki and pyroscope chart facts', () => {
  const stack = stackOf((s) => {
    s.environments.splice(1, 0, { name: 'test', namespace: 'demo-test', target: 'kubernetes', objectStorage: 's3' });
    s.signals.logs = {
      engine: 'loki',
      environments: {
        dev: { mode: 'monolithic' },
        test: { mode: 'simple-scalable', components: { write: { replicas: 3 } } },
        prod: { mode: 'microservices', components: { ingester: { replicas: 3 }, distributor: { replicas: 2 }, querier: { replicas: 2 }, 'query-frontend': { replicas: 2 }, 'index-gateway': { replicas: 2 }, ruler: { replicas: 2 } } },
      },
    };
    s.signals.profiles = { engine: 'pyroscope', environments: { dev: { mode: 'monolithic' }, prod: { mode: 'microservices', components: { 'query-scheduler': { replicas: 2 }, 'store-gateway': { replicas: 1 } } } } };
  });
  const topologies = stack.environments.map((e) => expand(stack, e.name));
  const r = renderKubernetesAll(stack, topologies);

  it('no broken guard (Distributed PDBs with maxUnavailable, bucket names); every enabled workload budgeted with requests', () => {
    let checked = 0;
    for (const t of topologies) {
      for (const e of t.engines.filter((x) => x.engine === 'loki' || x.engine === 'pyroscope')) {
        const file = r.files.get(`kubernetes/${t.env.name}/values/${e.engine}.yaml`);
        if (!file) continue;
        const v = parse(file) as V;
        const facts = CHART_FACTS[e.engine]!;
        assert.deepEqual(brokenGuards(v, facts), [], `${t.env.name} ${e.engine}`);
        for (const l of facts.lists) {
          const running = (l.alsoReaches ?? []).filter((k) => {
            const w = facts.workloads.find((y) => y.key === k);
            return !w || workloadEnabled(v, w);
          });
          if (running.length) assert.doesNotMatch(JSON.stringify(get(v, l.setting) ?? null), /secretKeyRef/, `${t.env.name} ${e.engine} ${l.setting}`);
        }
        for (const w of facts.workloads) {
          if (!workloadEnabled(v, w)) continue;
          const o = w.otelstack;
          assert.notEqual(o.action, 'disable', `${t.env.name} ${e.engine} ${w.key} must be switched off`);
          if (o.action === 'disable') continue;
          assert.ok(t.components.some((c) => c.engine === e.engine && c.component === o.component && c.budgeted), `${t.env.name} ${w.key}`);
          checked++;
        }
      }
    }
    assert.ok(checked >= 8);
    // without the maxUnavailable the renderer writes, loki's Distributed distributor PDB fails
    const prod = parse(r.files.get('kubernetes/prod/values/loki.yaml')!) as V;
    delete (prod['distributor'] as V)['maxUnavailable'];
    assert.deepEqual(brokenGuards(prod, CHART_FACTS['loki']!).map((g) => g.requires), ['distributor.maxUnavailable']);
  });

  it('Pyroscope with fewer store-gateways than the chart default RF: the RF follows them', () => {
    const v1 = get(parse(r.files.get('kubernetes/prod/values/pyroscope.yaml')!), 'architecture.microservices.v1') as V;
    assert.equal((get(v1, 'querier.extraArgs') as V)['store-gateway.sharding-ring.replication-factor'], '1');
  });
});
