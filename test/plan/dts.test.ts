import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadStack } from '../../src/model/load.js';
import { buildPlan } from '../../src/plan/index.js';
import { renderPlan } from '../../src/plan/report.js';
import { ROOT } from '../support/paths.js';

const Gi = 1024 ** 3;

describe('examples/dts/as-written: the seed exactly as written', async () => {
  const { stack, file } = await loadStack(`${ROOT}examples/dts/as-written`);
  const plan = buildPlan(stack, file);
  const prod = plan.environments.find((e) => e.name === 'prod')!;
  // workloads the engines' charts deploy beyond the seed's components (Tempo's memcached, Mimir's gateway): the
  // seed does not count them; the plan budgets them on top (chart facts)
  const chartExtra = (n: string, phase?: number) => {
    const env = plan.environments.find((e) => e.name === n)!;
    const extra = env.components.filter((c) => (phase === undefined || c.phase === phase) && env.chartWorkloads.some((w) => w.action === 'budget' && w.engine === c.engine && w.component === c.component));
    return { cpu: extra.reduce((a, c) => a + c.cpuRequestMillicores, 0), memory: extra.reduce((a, c) => a + c.memoryRequestBytes, 0), storage: extra.reduce((a, c) => a + c.storageBytes, 0) };
  };

  it('adds prod phase 1 up exactly as the seed does: 2900m / 13.5Gi / 16Gi, plus the chart workloads', () => {
    const p1 = prod.phases.find((p) => p.phase === 1)!;
    const x = chartExtra('prod', 1);
    assert.ok(x.cpu > 0 && x.memory > 0, 'the charts deploy workloads the seed leaves out');
    assert.equal(p1.cpuRequestMillicores - x.cpu, 2900);
    assert.equal(p1.memoryRequestBytes - x.memory, 13.5 * Gi);
    assert.equal(p1.storageBytes - x.storage, 16 * Gi);
  });
  it('reproduces dev and test estimates (~400m/2Gi/4Gi, ~900m/4Gi/8Gi), plus the chart workloads', () => {
    const t = (n: string) => {
      const e = plan.environments.find((x) => x.name === n)!.totals;
      const x = chartExtra(n);
      return [e.cpuRequestMillicores - x.cpu, e.memoryRequestBytes - x.memory, e.storageBytes - x.storage];
    };
    assert.deepEqual(t('dev'), [400, 2 * Gi, 4 * Gi]);
    assert.deepEqual(t('test'), [900, 4 * Gi, 8 * Gi]);
  });
  it('reproduces the quota table: required 6480m (plus the chart workloads), requested 10000m / 32Gi / 96Gi with ~35% / ~21% / ~24% headroom', () => {
    const q = prod.quota!;
    assert.equal(q.cpu.required - chartExtra('prod').cpu, 6480);
    assert.equal(q.cpu.requested, 10000);
    assert.equal(q.memory.requested, 32 * Gi);
    assert.equal(q.storage.required, 73 * Gi);
    assert.equal(q.storage.requested, 96 * Gi);
    assert.ok(Math.abs(q.cpu.headroomPercent - 35) < 1.5, 'the chart workloads take about 1% of the requested CPU');
    assert.equal(Math.round(q.memory.headroomPercent), 21);
    assert.equal(Math.round(q.storage.headroomPercent), 24);
  });
  it('reports the Tempo store-gateway and "RF 2 survives a pod failure" as errors with reasons', () => {
    const errors = plan.findings.filter((f) => f.severity === 'error');
    assert.ok(errors.some((f) => f.rule === 'known-components' && /Tempo never had a store-gateway/.test(f.message)));
    assert.equal(errors.filter((f) => f.rule === 'write-quorum' && /survives no lost replica/.test(f.message)).length, 2);
    assert.ok(errors.some((f) => f.rule === 'kafka' && f.env === 'prod'), 'Mimir chart 6 ingest storage has no Kafka budget');
  });
  it('still prints the full breakdown and totals', () => {
    const text = renderPlan(plan, 'markdown');
    assert.match(text, /store-gateway \(!\)/);
    const p1 = prod.phases.find((p) => p.phase === 1)!;
    assert.match(text, new RegExp(`\\| +\\| Phase 1 total \\| 1 \\| +\\| ${p1.cpuRequestMillicores}m \\|`));
    assert.match(text, /### Chart workloads/);
    assert.match(text, /Quota increase request for ca7f8f-prod/);
  });
});

describe('examples/dts: the corrected rollout', async () => {
  const { stack, file } = await loadStack(`${ROOT}examples/dts`);
  const plan = buildPlan(stack, file);
  it('has no error findings', () => {
    assert.deepEqual(plan.findings.filter((f) => f.severity === 'error'), []);
  });
  it('budgets Kafka for Tempo 3 in prod and matches partitions to consumers', () => {
    const prod = plan.environments.find((e) => e.name === 'prod')!;
    assert.ok(prod.components.some((c) => c.engine === 'kafka' && c.replicas === 3));
    assert.equal(prod.engines.find((e) => e.engine === 'tempo')!.kafkaTopic, 'tempo-ingest');
    assert.ok(!prod.components.some((c) => c.component === 'store-gateway' && c.engine === 'tempo'));
  });
  it('asks for a quota that keeps the target headroom, rounded to the steps', () => {
    const q = plan.environments.find((e) => e.name === 'prod')!.quota!;
    for (const l of [q.cpu, q.memory, q.storage]) {
      assert.ok(l.headroomPercent >= 20, `headroom ${l.headroomPercent}`);
      assert.ok(l.requested >= l.required);
    }
    assert.equal(q.cpu.requested % 2000, 0);
    assert.equal(q.memory.requested % (8 * Gi), 0);
  });
  it('is in phase 1 everywhere: the plan still budgets and requests Pyroscope (phase 3), and says what phase 1 alone needs', () => {
    for (const e of plan.environments) {
      assert.deepEqual({ phase: e.currentPhase.phase, set: e.currentPhase.set }, { phase: 1, set: true }, e.name);
      const p1 = e.phases.find((p) => p.phase === 1)!;
      assert.equal(e.currentPhase.totals.cpuRequestMillicores, p1.cpuRequestMillicores);
      assert.equal(e.currentPhase.totals.memoryRequestBytes, p1.memoryRequestBytes);
      assert.ok(e.components.some((c) => c.engine === 'pyroscope' && c.phase === 3), `${e.name}: Pyroscope stays in the plan`);
      assert.ok(e.buckets.some((b) => b.engine === 'pyroscope' && b.phase === 3));
    }
    const prod = plan.environments.find((e) => e.name === 'prod')!;
    assert.ok(prod.quota!.cpu.byPhase.some((p) => p.phase === 3 && p.amount > 0), 'the quota request covers phase 3');
    assert.equal(prod.currentPhase.fits, false, 'phase 1 alone does not fit the free quota either');
    assert.ok(plan.environments.find((e) => e.name === 'dev')!.currentPhase.fits);
    assert.match(renderPlan(plan, 'table'), /Current phase: 1 \(currentPhase\) — render deploys phases ≤ 1: .*phase 3 not rendered yet \(render --phase 3\)/);
  });
  it('lists the per-namespace Prometheus datasources to deprecate', () => {
    assert.equal(plan.deprecatedDatasources.length, 3);
    assert.match(renderPlan(plan, 'table'), /Datasources to deprecate/);
  });
  it('emits the documented JSON shape', () => {
    const j = JSON.parse(renderPlan(plan, 'json')) as Record<string, any>;
    assert.ok(Array.isArray(j['environments']) && Array.isArray(j['findings']));
    const e = j['environments'][2];
    for (const k of ['name', 'namespace', 'components', 'phases', 'totals', 'currentPhase', 'quota']) assert.ok(k in e, k);
    for (const k of ['phase', 'set', 'totals', 'fits']) assert.ok(k in e.currentPhase, `currentPhase.${k}`);
    for (const k of ['engine', 'component', 'replicas', 'cpuRequestMillicores', 'memoryRequestBytes', 'memoryLimitBytes', 'storageBytes']) assert.ok(k in e.components[0], k);
    for (const k of ['phase', 'cpuRequestMillicores', 'memoryRequestBytes', 'storageBytes']) assert.ok(k in e.phases[0], k);
    for (const r of ['cpu', 'memory', 'storage']) for (const k of ['current', 'used', 'required', 'requested', 'headroomPercent']) assert.ok(k in e.quota[r], `${r}.${k}`);
    assert.equal(j['environments'][0].quota, null);
  });
});

describe('the READMEs show the plan as it prints today', async () => {
  const { readFileSync } = await import('node:fs');
  const { stack, file } = await loadStack(`${ROOT}examples/dts`);
  const markdown = renderPlan(buildPlan(stack, file), 'markdown');
  it("README.md's quota-request table for prod is the plan's own rows", () => {
    const readme = readFileSync(`${ROOT}README.md`, 'utf8');
    const rows = readme.split('\n').filter((l) => /^\| (CPU|Memory|Storage) \| /.test(l));
    assert.equal(rows.length, 3, 'the README has the CPU, Memory and Storage rows');
    for (const r of rows) assert.ok(markdown.includes(r), `README row not in the plan: ${r}`);
  });
  it("examples/dts/README.md's pasted plan is the plan's markdown (headings two levels down)", () => {
    const readme = readFileSync(`${ROOT}examples/dts/README.md`, 'utf8');
    const pasted = readme.slice(readme.indexOf('### Plan for dts'));
    assert.equal(pasted.trimEnd(), markdown.replace(/^(#+) /gm, (_m, h: string) => `${h}## `).trimEnd());
  });
});
