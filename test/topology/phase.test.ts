import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { loadStack } from '../../src/model/load.js';
import { expand } from '../../src/topology/expand.js';
import { currentPhase, highestPhase, selectPhase } from '../../src/topology/transforms/phase.js';
import type { Topology } from '../../src/topology/types.js';
import { stackOf } from '../fixtures/stacks.js';
import { ROOT } from '../support/paths.js';

describe('selectPhase(topology, n)', async () => {
  const { stack } = await loadStack(`${ROOT}examples/dts`);
  const prod = expand(stack, 'prod');

  it('phase 1 of examples/dts prod: no Pyroscope component, engine, bucket or chart workload; the rest unchanged', () => {
    const t = selectPhase(prod, 1);
    assert.ok(prod.components.some((c) => c.engine === 'pyroscope'), 'the full topology has Pyroscope');
    assert.ok(!t.components.some((c) => c.engine === 'pyroscope'));
    assert.ok(!t.engines.some((e) => e.engine === 'pyroscope'));
    assert.ok(!t.buckets.some((b) => b.engine === 'pyroscope'));
    assert.ok(!(t.chartWorkloads ?? []).some((w) => w.engine === 'pyroscope'));
    assert.deepEqual(t.components, prod.components.filter((c) => c.engine !== 'pyroscope'));
    assert.deepEqual(t.engines.map((e) => e.engine), ['tempo', 'mimir', 'loki']);
    assert.deepEqual(t.kafka, prod.kafka, 'the phase 1 Kafka and its Tempo topic stay');
    assert.deepEqual({ ...t, components: [], engines: [], buckets: [], chartWorkloads: [] }, { ...prod, components: [], engines: [], buckets: [], chartWorkloads: [] });
  });

  it('the highest phase keeps everything, and the input is never changed', () => {
    const before = structuredClone(prod);
    assert.deepEqual(selectPhase(prod, 3), prod);
    selectPhase(prod, 1);
    assert.deepEqual(prod, before);
  });

  it('a managed Kafka cluster of a later phase leaves with its brokers; engine topics leave with their engine', () => {
    const s = stackOf((d) => {
      (d.signals as any).traces = { engine: 'tempo', phase: 2, environments: { dev: { mode: 'microservices' } } };
      d.kafka = { environments: { dev: { phase: 2, brokers: 1 } } };
    });
    const full = expand(s, 'dev');
    assert.ok(full.kafka?.topics.some((tp) => tp.owner === 'tempo'));
    const t = selectPhase(full, 1);
    assert.equal(t.kafka, undefined);
    assert.ok(!t.components.some((c) => c.engine === 'kafka' || c.engine === 'tempo'));
    const unmanaged = selectPhase(expand(stackOf((d) => {
      (d.signals as any).traces = { engine: 'tempo', phase: 2, environments: { dev: { mode: 'microservices' } } };
      d.kafka = { environments: { dev: { managed: false, bootstrap: 'kafka.example:9092' } } };
    }), 'dev'), 1);
    assert.deepEqual(unmanaged.kafka?.topics, [], 'an existing cluster stays; the phase 2 Tempo topic does not');
  });

  // every item of a topology with random phases, and a random n: nothing of phase > n stays, everything ≤ n does
  it('property: selecting phase n never keeps an item of phase > n and keeps every item of phase ≤ n', () => {
    const phases = (k: number) => fc.array(fc.integer({ min: 1, max: 5 }), { minLength: k, maxLength: k });
    fc.assert(
      fc.property(phases(prod.components.length), phases(prod.engines.length), phases(prod.buckets.length), fc.integer({ min: 1, max: 6 }), (cp, ep, bp, n) => {
        const t: Topology = {
          ...prod,
          components: prod.components.map((c, i) => ({ ...c, phase: cp[i]! })),
          engines: prod.engines.map((e, i) => ({ ...e, phase: ep[i]! })),
          buckets: prod.buckets.map((b, i) => ({ ...b, phase: bp[i]! })),
        };
        const s = selectPhase(t, n);
        for (const items of [s.components, s.engines, s.buckets]) assert.ok(items.every((x) => x.phase <= n));
        assert.deepEqual(s.components, t.components.filter((c) => c.phase <= n));
        assert.deepEqual(s.engines, t.engines.filter((e) => e.phase <= n));
        assert.deepEqual(s.buckets, t.buckets.filter((b) => b.phase <= n));
        const kept = new Set(s.engines.map((e) => e.engine));
        const dropped: string[] = t.engines.filter((e) => e.phase > n).map((e) => e.engine);
        for (const tp of s.kafka?.topics ?? []) assert.ok(!dropped.includes(tp.owner), `topic ${tp.name} of a dropped engine`);
        for (const w of s.chartWorkloads ?? []) assert.ok(kept.has(w.engine), `chart workload of ${w.engine}`);
        const broker = t.components.find((c) => c.engine === 'kafka');
        assert.equal(s.kafka === undefined, broker !== undefined && broker.phase > n);
      }),
      { numRuns: 200 },
    );
  });
});

describe('highestPhase / currentPhase', () => {
  it('the highest phase any signal, signal environment or Kafka cluster uses; 1 when none says', () => {
    assert.equal(highestPhase(stackOf()), 1);
    assert.equal(highestPhase(stackOf((d) => { (d.signals as any).metrics.environments.prod.phase = 4; })), 4);
    assert.equal(highestPhase(stackOf((d) => { d.kafka = { environments: { dev: { phase: 2 } } }; })), 2);
  });
  it("an environment's currentPhase, else the highest phase (everything renders)", () => {
    const s = stackOf((d) => {
      (d.signals as any).metrics.phase = 3;
      (d.environments as any)[0].currentPhase = 2;
    });
    assert.equal(currentPhase(s, 'dev'), 2);
    assert.equal(currentPhase(s, 'prod'), 3);
  });
});
