import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parse } from 'yaml';

import { CALIBRATION_KIND, SEED_EVENTS_PER_CORE } from '../../src/catalog/capacity.js';
import { DefinitionError, type DefinitionIssue } from '../../src/model/errors.js';
import { validateDefinition } from '../../src/model/load.js';
import { formatRate, parseRate } from '../../src/model/quantity.js';
import type { Stack } from '../../src/model/schema.js';
import { calibrationBasis, parseCalibration, seedBasis, type Calibration } from '../../src/plan/calibration.js';
import { buildPlan } from '../../src/plan/index.js';
import { renderPlan } from '../../src/plan/report.js';
import { brokersFor, coresNeeded, partitionsFor, replicasFor, sizeEnvironment } from '../../src/plan/sizing.js';
import { expand } from '../../src/topology/expand.js';
import { ROOT } from '../support/paths.js';

type M = Record<string, any>;

/** examples/<name>/stack.yaml with `edit` applied to the raw value. */
function raw(name: string, edit: (r: M) => void = () => undefined): M {
  const r = parse(readFileSync(join(ROOT, 'examples', name, 'stack.yaml'), 'utf8')) as M;
  edit(r);
  return r;
}
const stackOf = (name: string, edit: (r: M) => void): Stack => validateDefinition('stack.yaml', raw(name, edit));

function issuesOf(name: string, edit: (r: M) => void): DefinitionIssue[] {
  try {
    validateDefinition('stack.yaml', raw(name, edit));
  } catch (e) {
    assert.ok(e instanceof DefinitionError, String(e));
    for (const i of e.issues) assert.ok(i.expected && i.suggestion, 'every issue says what was expected and what to do');
    return e.issues;
  }
  assert.fail('accepted');
}

const withLoad = (load: M) => (r: M) => {
  r['ingestion'].environments.local.load = load;
};

function calibration(perCore: number, roles: M = {}): Calibration {
  const figure = { eventsPerSecondPerCore: perCore, sustainedPerSecond: 10_000, cpuCores: 0.5 };
  const all = { traces: figure, metrics: figure, logs: figure };
  return parseCalibration(
    'calibration.json',
    JSON.stringify({
      kind: CALIBRATION_KIND,
      version: 1,
      date: '2026-12-02T19:00:00.000Z',
      machine: { cpus: 2, model: 'Test CPU' },
      collector: { engine: 'otelcol', version: '0.158.0' },
      roles: { gateway: { config: 'g', signals: all }, 'gateway-kafka': { config: 'gk', signals: all }, processor: { config: 'p', signals: all }, ...roles },
    }),
  );
}

describe('rates (expected load)', () => {
  it('parses k / M / G, per second, minute and hour; bare numbers are per second', () => {
    assert.deepEqual(parseRate('50k/s'), { ok: true, value: 50_000 });
    assert.deepEqual(parseRate('1.5M/s'), { ok: true, value: 1_500_000 });
    assert.deepEqual(parseRate('3000/min'), { ok: true, value: 50 });
    assert.deepEqual(parseRate('36k/h'), { ok: true, value: 10 });
    assert.deepEqual(parseRate('12000'), { ok: true, value: 12_000 });
    assert.deepEqual(parseRate(800), { ok: true, value: 800 });
    assert.deepEqual(parseRate('50K/s'), { ok: true, value: 50_000 });
  });
  it('points at the usual slips', () => {
    const milli = parseRate('50m/s');
    assert.equal(milli.ok, false);
    assert.match(!milli.ok ? milli.suggestion : '', /"m" is milli; did you mean "50M\/s"/);
    const kps = parseRate('50kps');
    assert.match(!kps.ok ? kps.suggestion : '', /did you mean "50k\/s"/);
    const perM = parseRate('50k/m');
    assert.match(!perM.ok ? perM.suggestion : '', /"50k\/min"/);
  });
  it('formats round-trip within three significant digits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5_000_000_000 }), (n) => {
        const r = parseRate(formatRate(n));
        assert.ok(r.ok);
        assert.ok(Math.abs(r.value - n) / n < 0.005, `${n} → ${formatRate(n)}`);
      }),
    );
  });
});

describe('schema: ingestion.environments.<env>.load', () => {
  it('a bad rate names the path, the expectation and a suggestion', () => {
    const [i] = issuesOf('scalable', withLoad({ traces: '50m/s' }));
    assert.equal(i!.path, 'ingestion.environments.local.load.traces');
    assert.match(i!.message, /"50m\/s" is not a valid rate/);
    assert.match(i!.suggestion, /did you mean "50M\/s"/);
  });
  it('a misspelt signal gets "did you mean"', () => {
    const [i] = issuesOf('scalable', withLoad({ trace: '50k/s' }));
    assert.equal(i!.path, 'ingestion.environments.local.load.trace');
    assert.match(i!.suggestion, /did you mean "traces"/);
  });
  it('a load of no signal, or a negative one, is refused', () => {
    const [empty] = issuesOf('scalable', withLoad({}));
    assert.equal(empty!.path, 'ingestion.environments.local.load');
    assert.match(empty!.message, /at least one signal/);
    const [neg] = issuesOf('scalable', withLoad({ logs: -5 }));
    assert.equal(neg!.path, 'ingestion.environments.local.load.logs');
  });
  it('headroomPercent defaults to 30; the topology carries the load in events/s', () => {
    const s = stackOf('scalable', withLoad({ traces: '50k/s', logs: 2000 }));
    const t = expand(s, 'local');
    assert.deepEqual(t.ingestion?.load, { traces: 50_000, logs: 2000, headroomPercent: 30, definitionPath: 'ingestion.environments.local.load' });
  });
});

describe('sizing arithmetic', () => {
  const perCore = fc.record({ traces: fc.integer({ min: 100, max: 200_000 }), metrics: fc.integer({ min: 100, max: 200_000 }), logs: fc.integer({ min: 100, max: 200_000 }) });
  const load = fc.record({ traces: fc.integer({ min: 0, max: 5_000_000 }), metrics: fc.integer({ min: 0, max: 5_000_000 }), logs: fc.integer({ min: 0, max: 5_000_000 }) });
  const cpu = fc.integer({ min: 50, max: 16_000 });
  const headroom = fc.integer({ min: 0, max: 400 });

  it('the sized pool covers the load with the headroom, and one replica fewer would not', () => {
    fc.assert(
      fc.property(load, perCore, cpu, headroom, (l, pc, m, h) => {
        const cores = coresNeeded(l, h, pc);
        const n = replicasFor(cores, m);
        assert.ok(n >= 1);
        // what n replicas handle, signal by signal at their share of the CPU, is at least the load × (1 + h)
        assert.ok((n * m) / 1000 >= cores * (1 - 1e-9), `${n} × ${m}m < ${cores} cores`);
        if (n > 1) assert.ok(((n - 1) * m) / 1000 < cores, `${n - 1} replicas would already cover ${cores} cores`);
      }),
    );
  });
  it('more load never means fewer replicas, partitions or brokers', () => {
    fc.assert(
      fc.property(load, load, perCore, cpu, headroom, (a, extra, pc, m, h) => {
        const b = { traces: a.traces + extra.traces, metrics: a.metrics + extra.metrics, logs: a.logs + extra.logs };
        const na = replicasFor(coresNeeded(a, h, pc), m);
        const nb = replicasFor(coresNeeded(b, h, pc), m);
        assert.ok(nb >= na);
        const per = (pc.traces * m) / 1000;
        assert.ok(partitionsFor(b.traces, h, per, nb) >= partitionsFor(a.traces, h, per, na));
        const total = (x: typeof a) => (x.traces + x.metrics + x.logs) * (1 + h / 100);
        assert.ok(brokersFor(total(b)).brokers >= brokersFor(total(a)).brokers);
      }),
    );
  });
  it('more headroom, or slower cores, never means fewer replicas', () => {
    fc.assert(
      fc.property(load, perCore, cpu, headroom, fc.integer({ min: 0, max: 100 }), fc.double({ min: 0.1, max: 1, noNaN: true }), (l, pc, m, h, more, slower) => {
        const n = replicasFor(coresNeeded(l, h, pc), m);
        assert.ok(replicasFor(coresNeeded(l, h + more, pc), m) >= n);
        const slow = { traces: pc.traces * slower, metrics: pc.metrics * slower, logs: pc.logs * slower };
        assert.ok(replicasFor(coresNeeded(l, h, slow), m) >= n);
      }),
    );
  });
  it('partitions: no partition carries more than one processor replica handles, and every replica gets one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), headroom, fc.integer({ min: 100, max: 1_000_000 }), fc.integer({ min: 1, max: 200 }), (l, h, per, replicas) => {
        const p = partitionsFor(l, h, per, replicas);
        assert.ok(p >= replicas);
        assert.ok((l * (1 + h / 100)) / p <= per * (1 + 1e-9));
      }),
    );
  });
  it("brokers follow seed 002's tiers, and beyond 2M events/s the Enterprise ratio", () => {
    assert.equal(brokersFor(50_000).brokers, 3);
    assert.equal(brokersFor(100_000).brokers, 3);
    assert.equal(brokersFor(100_001).brokers, 5);
    assert.equal(brokersFor(600_000).brokers, 9);
    assert.equal(brokersFor(2_000_001).brokers, 16);
    assert.equal(brokersFor(3_000_000).brokers, 23);
    assert.equal(brokersFor(600_000).tier.scale, 'Large');
  });
  it("seed basis: the scalable example at 50k spans/s needs ceil(65 000 / 3 125) = 21 gateway and processor replicas", () => {
    const t = expand(stackOf('scalable', withLoad({ traces: '50k/s' })), 'local');
    const z = sizeEnvironment(t, seedBasis())!;
    assert.equal(z.source, 'seed');
    const gw = z.pools.find((p) => p.pool === 'gateway')!;
    assert.equal(gw.role, 'gateway-kafka');
    assert.equal(gw.perReplica.traces, (SEED_EVENTS_PER_CORE * 500) / 1000);
    assert.equal(gw.needed, 21);
    assert.equal(z.pools.find((p) => p.pool === 'processor')!.needed, 21);
    assert.deepEqual(z.topics.map((x) => [x.topic, x.needed]), [['otlp-traces', 21]]);
    assert.deepEqual(z.kafka && { needed: z.kafka.needed, tier: z.kafka.tier }, { needed: 3, tier: 'Small' });
  });
  it('a topic gets a partition for every processor replica the definition runs, beyond what the load needs', () => {
    const t = expand(stackOf('scalable', (r) => { withLoad({ traces: '1k/s' })(r); r['ingestion'].environments.local.processor = { ...(r['ingestion'].environments.local.processor ?? {}), replicas: 5 }; }), 'local');
    const z = sizeEnvironment(t, seedBasis())!;
    assert.equal(z.pools.find((p) => p.pool === 'processor')!.needed, 1);
    assert.deepEqual(z.topics.map((x) => [x.topic, x.needed]), [['otlp-traces', 5]]);
  });

  it('calibration basis: its per-core figures, per role; a role it lacks falls back to the seed figure', () => {
    const t = expand(stackOf('scalable', withLoad({ traces: '50k/s' })), 'local');
    const c = calibration(40_000);
    delete (c.roles as M)['processor'];
    const z = sizeEnvironment(t, calibrationBasis('calibration.json', c))!;
    assert.equal(z.source, 'calibration');
    assert.match(z.basis, /calibration file calibration\.json \(measured 2026-12-02 on 2 × Test CPU, otelcol 0\.158\.0\)/);
    const gw = z.pools.find((p) => p.pool === 'gateway')!;
    assert.equal(gw.needed, Math.ceil(65_000 / 20_000));
    assert.equal(gw.sources.traces, 'calibration');
    const pr = z.pools.find((p) => p.pool === 'processor')!;
    assert.equal(pr.sources.traces, 'seed');
    assert.equal(pr.needed, 21);
  });
  it('a single-node gateway is sized as the "gateway" role and has no topics or brokers', () => {
    const t = expand(stackOf('single-node', withLoad({ logs: '5k/s' })), 'local');
    const z = sizeEnvironment(t, calibrationBasis('c.json', calibration(10_000)))!;
    // 5k × 1.3 / 10k per core = 0.65 cores: two replicas of 500m
    assert.deepEqual(z.pools.map((p) => [p.pool, p.role, p.needed]), [['gateway', 'gateway', 2]]);
    assert.deepEqual(z.topics, []);
    assert.equal(z.kafka, undefined);
  });
  it('no load, no sizing', () => {
    assert.equal(sizeEnvironment(expand(stackOf('scalable', () => undefined), 'local'), seedBasis()), undefined);
  });
});

describe('rule pool-sizing and the plan output', () => {
  it('an under-provisioned pool is a warning with the number needed and the definition path to change', () => {
    const s = stackOf('scalable', withLoad({ traces: '50k/s', metrics: '20k/s' }));
    const plan = buildPlan(s, 'stack.yaml', undefined, calibrationBasis('calibration.json', calibration(20_000)));
    const f = plan.findings.filter((x) => x.rule === 'pool-sizing');
    // (50k + 20k) × 1.3 / 20k per core = 4.55 cores = 10 replicas of 500m
    const gw = f.find((x) => x.path === 'ingestion.environments.local.gateway.replicas')!;
    assert.equal(gw.severity, 'warning');
    assert.match(gw.message, /2 replica\(s\) of 500m CPU, but traces 50k\/s, metrics 20k\/s with 30% headroom needs 4\.55 cores = 10 replicas/);
    assert.equal(gw.suggestion.split(' (')[0], 'set ingestion.environments.local.gateway.replicas: 10');
    assert.ok(f.some((x) => x.path === 'ingestion.environments.local.processor.replicas' && /= 10 replicas/.test(x.message)));
    assert.ok(f.some((x) => x.path === 'ingestion.topics.traces.partitions' && /needs 10/.test(x.message)));
    // seed 002 Small tier (≤100K events/s): 3 brokers, which the example has
    assert.ok(!f.some((x) => x.path.startsWith('kafka.')));
    assert.equal(plan.summary.errors, 0, 'sizing never makes the plan refuse a render');
  });
  it('on VMs (ansible) a replica is a host: the suggestion says how many VMs the host group then lists', () => {
    const s = stackOf('vms', (r) => { r['ingestion'].environments.prod.load = { traces: '200k/s' }; });
    const f = buildPlan(s, 'stack.yaml').findings.filter((x) => x.rule === 'pool-sizing' && x.env === 'prod');
    const gw = f.find((x) => x.path === 'ingestion.environments.prod.gateway.replicas')!;
    const n = /replicas: (\d+)/.exec(gw.suggestion)![1];
    assert.match(gw.suggestion, new RegExp(`list ${n} VMs under environments\\[2\\]\\.hosts\\.gateway`));
    assert.ok(f.some((x) => x.path === 'kafka.environments.prod.brokers' && /VMs under environments\[2\]\.hosts\.kafka \(one per broker\)/.test(x.suggestion)));
  });

  it('a pool that covers the load has no finding; too few brokers for the tier do', () => {
    const s = stackOf('scalable', (r) => {
      withLoad({ logs: '200k/s' })(r);
      r['ingestion'].environments.local.gateway.replicas = 8;
      r['ingestion'].environments.local.processor.replicas = 8;
      r['ingestion'].topics.logs.partitions = 8;
    });
    const f = buildPlan(s, 'stack.yaml', undefined, calibrationBasis('c.json', calibration(100_000))).findings.filter((x) => x.rule === 'pool-sizing');
    // 260k / 100k per core = 2.6 cores = 6 replicas ≤ 8; 260k events/s is seed 002's Medium tier: 5 brokers
    assert.deepEqual(f.map((x) => x.path), ['kafka.environments.local.brokers']);
    assert.match(f[0]!.message, /Medium tier of seed 002 Kafka Cluster Sizing: 5 brokers/);
  });
  it('the plan says which source it sized from, in text and JSON', () => {
    const s = stackOf('scalable', withLoad({ traces: '10k/s' }));
    const seedText = renderPlan(buildPlan(s, 'stack.yaml'), 'table');
    assert.match(seedText, /Sizing for the expected load/);
    assert.match(seedText, /sized from seed 002 tables \(Single-Node Capacity Limits/);
    const calPlan = buildPlan(s, 'stack.yaml', undefined, calibrationBasis('/x/calibration.json', calibration(30_000)));
    assert.match(renderPlan(calPlan, 'markdown'), /sized from calibration file \/x\/calibration\.json/);
    const json = JSON.parse(renderPlan(calPlan, 'json')) as M;
    assert.equal(json['environments'][0].sizing.source, 'calibration');
    assert.equal(json['environments'][0].sizing.pools[0].needed, 1);
  });
  it('environments without a load carry no sizing (the JSON shape of existing plans is unchanged)', () => {
    const json = JSON.parse(renderPlan(buildPlan(stackOf('scalable', () => undefined), 'stack.yaml'), 'json')) as M;
    assert.equal('sizing' in json['environments'][0], false);
  });
});

describe('calibration file', () => {
  it('a JSON file of another kind, or a figure that is not positive, is refused with the path inside it', () => {
    assert.throws(() => parseCalibration('c.json', JSON.stringify({ kind: 'something-else' })), (e: unknown) => e instanceof DefinitionError && e.issues.some((i) => i.path === 'kind' && i.file === 'c.json'));
    const bad = JSON.parse(JSON.stringify(calibration(1000))) as M;
    bad['roles'].gateway.signals.traces.eventsPerSecondPerCore = 0;
    assert.throws(() => parseCalibration('c.json', JSON.stringify(bad)), (e: unknown) => e instanceof DefinitionError && e.issues.some((i) => i.path === 'roles.gateway.signals.traces.eventsPerSecondPerCore'));
    assert.throws(() => parseCalibration('c.json', '{not json'), (e: unknown) => e instanceof DefinitionError && /not JSON/.test(e.issues[0]!.message));
  });
});
