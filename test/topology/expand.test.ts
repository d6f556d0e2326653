import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expand } from '../../src/topology/expand.js';
import { stackOf } from '../fixtures/stacks.js';

const Mi = 1024 ** 2;
const Gi = 1024 ** 3;

describe('expand(stack, env)', () => {
  it('gives required components with catalog defaults, single replicas outside HA', () => {
    const t = expand(stackOf(), 'dev');
    const names = t.components.map((c) => c.component);
    // the mimir-distributed gateway, a chart workload the plan budgets (chart-workloads transform), comes last
    assert.deepEqual(names, ['distributor', 'ingester', 'query-frontend', 'querier', 'store-gateway', 'compactor', 'gateway']);
    assert.ok(t.chartWorkloads?.some((w) => w.action === 'budget' && w.component === 'gateway'));
    assert.ok(t.components.every((c) => c.replicas === 1));
    assert.equal(t.engines[0]!.replicationFactor, 1, 'RF follows the single ingester');
  });
  it('a compose or VM environment installs no chart: no chart workload is budgeted or decided there', () => {
    for (const target of ['compose', 'ansible'] as const) {
      const t = expand(stackOf((s) => { (s.environments as any)[0].target = target; }), 'dev');
      assert.deepEqual(t.components.map((c) => c.component), ['distributor', 'ingester', 'query-frontend', 'querier', 'store-gateway', 'compactor'], target);
      assert.equal(t.chartWorkloads, undefined, target);
    }
  });
  it('uses HA replica defaults in HA environments', () => {
    const t = expand(stackOf(), 'prod');
    assert.equal(t.components.find((c) => c.component === 'ingester')!.replicas, 3);
    assert.equal(t.components.find((c) => c.component === 'querier')!.replicas, 2);
    assert.equal(t.engines[0]!.replicationFactor, 3);
    assert.deepEqual(t.engines[0]!.zones, ['zone-a', 'zone-b', 'zone-c']);
  });
  it('applies overrides and sets memory limits only where the policy requires', () => {
    const t = expand(stackOf((s) => { (s.signals as any).metrics.environments.dev.components = { querier: { cpu: '300m', memory: '1Gi' }, ingester: { memoryLimit: '3Gi' } }; }), 'dev');
    const q = t.components.find((c) => c.component === 'querier')!;
    assert.equal(q.perReplica.cpuRequestMillicores, 300);
    assert.equal(q.perReplica.memoryRequestBytes, Gi);
    assert.equal(q.perReplica.memoryLimitBytes, undefined);
    assert.equal(t.components.find((c) => c.component === 'ingester')!.perReplica.memoryLimitBytes, 3 * Gi);
    assert.equal(t.components.find((c) => c.component === 'store-gateway')!.perReplica.memoryLimitBytes, 2 * Gi);
    assert.ok(t.components.every((c) => c.perReplica.cpuLimitMillicores === undefined));
  });
  it('names buckets by the convention, one per engine and purpose', () => {
    const t = expand(stackOf(), 'dev');
    assert.deepEqual(t.buckets.map((b) => b.name), ['demo-metrics-dev-blocks', 'demo-metrics-dev-ruler', 'demo-metrics-dev-alertmanager']);
  });
  it('derives Tempo 3 partitions from block-builder replicas and records the ingest topic', () => {
    const t = expand(stackOf((s) => { (s.signals as any).traces = { engine: 'tempo', environments: { prod: { mode: 'microservices', components: { 'block-builder': { replicas: 3 }, 'live-store': { replicas: 3 } } } } }; }), 'prod');
    const e = t.engines.find((x) => x.engine === 'tempo')!;
    assert.deepEqual(e.kafka, { topic: 'tempo-ingest', partitions: 3 });
    assert.equal(e.replicationFactor, undefined);
  });
  it('Mimir writes through Kafka unless ingestStorage is false', () => {
    const on = expand(stackOf((s) => { delete (s.signals as any).metrics.environments.dev.ingestStorage; }), 'dev');
    assert.equal(on.engines[0]!.kafka?.topic, 'ingest');
    assert.equal(expand(stackOf(), 'dev').engines[0]!.kafka, undefined);
  });
  it('is deterministic', () => {
    assert.deepEqual(expand(stackOf(), 'prod'), expand(stackOf(), 'prod'));
  });
  it('budgets collectors unless shared', () => {
    const t = expand(stackOf((s) => { s.ingestion = { collector: 'otelcol', environments: { dev: { gateway: { replicas: 2, memory: '512Mi' } } } }; }), 'dev');
    const gw = t.components.find((c) => c.engine === 'otelcol')!;
    assert.equal(gw.replicas, 2);
    assert.equal(gw.budgeted, true);
    assert.equal(gw.perReplica.memoryRequestBytes, 512 * Mi);
  });
});
