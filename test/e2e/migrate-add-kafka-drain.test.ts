// The Kubernetes Add Kafka runbook's drain config (src/ops/migrate/add-kafka-kubernetes.ts) on the real collector
// and a real Kafka: a gateway on the running config (direct exporters, persistent queue) acknowledges load while the
// OTLP sink (standing in for the engines) refuses, so what it acknowledged waits in its persistent queue; it is
// stopped (SIGTERM — the collector keeps a persistent queue on disk, it does not drain it) and started again on the
// same queue directory — as a StatefulSet pod reopens its volume — with the drain config: the target config (Kafka
// exporters) plus the running direct exporters in <signal>/drain pipelines fed by the loopback drain receiver. The
// sink accepts again: every acknowledged item arrives (lost = 0 in the accounting table) and the drained queues
// reach 0 — the gate of the runbook's gateways-drain step. A Kubernetes rolling update itself is not run (no
// cluster here): the pod's restart on its volume is what this reproduces.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';

import { OTELCOL_DRAIN_RECEIVER } from '../../src/catalog/otelcol.js';
import { loadStack } from '../../src/model/load.js';
import type { Stack } from '../../src/model/schema.js';
import { drainGatewayConfig } from '../../src/ops/migrate/add-kafka-kubernetes.js';
import type { CollectorConfig } from '../../src/render/configs/otelcol.js';
import { freeLoopbackPorts, LOOPBACK_HOST } from '../../src/topology/loopback.js';
import { OtlpSink } from '../support/otlp-sink.js';
import { ROOT } from '../support/paths.js';
import { Collector } from './support/collector.js';
import { endFaultTest, settle } from './support/faults.js';
import { KafkaCluster } from './support/kafka.js';
import { SteadyLoad } from './support/load.js';
import { exampleVariant, loopbackInput } from './support/stacks.js';
import { Setup, makeTempDir } from './support/tmp.js';
import { totalOf } from './support/telemetry.js';

const SIGNALS = ['traces', 'metrics', 'logs'] as const;
const FROM = join(ROOT, 'test/fixtures/migrate/scalable-direct.yaml');

describe('e2e: Add Kafka drain config — a gateway restarted on its queue volume sends what its direct exporters persisted', () => {
  let dir: string | undefined;
  let kafka: KafkaCluster | undefined;
  let sink: OtlpSink | undefined;
  let load: SteadyLoad | undefined;
  const collectors: Collector[] = [];

  const setup = new Setup(async () => {
    dir = makeTempDir('migrate-add-kafka-drain');
    const fromStack = (await loadStack(FROM)).stack;
    const toStack: Stack = exampleVariant('scalable', () => undefined);
    assert.equal(fromStack.ingestion?.persistentQueue.enabled, true, 'the running gateways queue persistently');
    sink = await OtlpSink.start();
    return { dir, sink, fromStack, toStack };
  });
  before(setup.run);
  after(() => endFaultTest({ table: 'migrate add-kafka drain config (gateway restarted on its queue → sink)', dir, loads: [load], collectors, others: [kafka], sinks: [sink] }));

  it('lost = 0: the drained exporters reopen their persisted queues and empty them', async () => {
    const { dir, sink, fromStack, toStack } = setup.get();
    const fromInput = await loopbackInput(fromStack, 'local', { sink });
    const running = await Collector.start({ name: 'gateway-0', role: 'gateway', input: fromInput, dir });
    collectors.push(running);
    sink.refuse(true);
    load = new SteadyLoad({ endpoint: running.otlpHttpEndpoint, signals: SIGNALS });
    load.start();
    await load.waitTicks(30, 30_000);
    await load.stop();
    const before = await running.queues();
    const queued = totalOf(before.queueSize);
    assert.ok(queued > 0, `the direct exporters hold what the gateway acknowledged: ${JSON.stringify(before)}`);
    assert.equal(SIGNALS.reduce((n, s) => n + sink.count(s), 0), 0, 'nothing reached the refusing sink');
    const runningConfig = parse(readFileSync(running.configFile, 'utf8')) as CollectorConfig;
    await running.stop();
    collectors.length = 0;

    kafka = await KafkaCluster.start(join(dir, 'kafka'), 1);
    const toInput = await loopbackInput(toStack, 'local', { sink, kafkaPorts: kafka.ports });
    await kafka.createTopics(toInput.topology.kafka!.topics);
    const [drainPort] = (await freeLoopbackPorts(1)) as [number];
    let drained: string[] = [];
    // the same name: the same queue directory, as a StatefulSet pod restarts on its volume
    const drain = await Collector.start({
      name: 'gateway-0',
      role: 'gateway',
      input: toInput,
      dir,
      adjust: (target) => {
        const r = drainGatewayConfig(runningConfig as never, target as never);
        drained = r.drained;
        const cfg = r.config as unknown as CollectorConfig;
        // the catalog's loopback drain port, moved to a free one so parallel tests do not collide
        (cfg['receivers'] as Record<string, any>)[OTELCOL_DRAIN_RECEIVER.id].protocols.grpc.endpoint = `${LOOPBACK_HOST}:${drainPort}`;
        return cfg;
      },
    });
    collectors.push(drain);
    assert.ok(drained.length >= 3, `direct exporters kept: ${drained.join(', ')}`);
    const cfg = readFileSync(drain.configFile, 'utf8');
    assert.match(cfg, /\n {2}kafka\/traces:\n/, 'the gateway writes to Kafka');
    assert.match(cfg, /traces\/drain:/);
    sink.refuse(false);
    const r = await settle({ fault: 'gateway restarted on its queue with the drain config', load, sink, signals: SIGNALS, collectors });
    assert.equal(r.total.lost, 0, `lost acknowledged items: ${r.total.lostSample.join(', ')}`);
    assert.ok(r.total.acknowledged > 0);
    const q = r.queues.get('gateway-0')!;
    for (const e of drained) assert.equal(q.queueSize[e] ?? 0, 0, `${e}: drained`);
    assert.ok(drained.some((e) => (q.sent[e] ?? 0) > 0), `the drained exporters sent their queues: ${JSON.stringify(q.sent)}`);
    assert.ok(drain.running, 'the drain gateway keeps running');
  });

  it('the control: restarted on the target config alone, the same queue is never read again (why the drain step exists)', async () => {
    const { dir, sink, fromStack, toStack } = setup.get();
    for (const c of collectors) await c.stop();
    collectors.length = 0;
    const running = await Collector.start({ name: 'gateway-1', role: 'gateway', input: await loopbackInput(fromStack, 'local', { sink }), dir });
    collectors.push(running);
    sink.refuse(true);
    const control = new SteadyLoad({ endpoint: running.otlpHttpEndpoint, signals: ['traces'] });
    load = control;
    control.start();
    await control.waitTicks(20, 30_000);
    await control.stop();
    assert.ok(totalOf((await running.queues()).queueSize) > 0, 'items persisted');
    await running.stop();
    collectors.length = 0;
    const target = await Collector.start({ name: 'gateway-1', role: 'gateway', input: await loopbackInput(toStack, 'local', { sink, kafkaPorts: kafka!.ports }), dir });
    collectors.push(target);
    sink.refuse(false);
    const r = await settle({ fault: 'control: gateway restarted on the target config (no drain)', load: control, sink, signals: ['traces'], collectors, deliveryTimeoutMs: 20_000, expectComplete: false });
    assert.equal(r.complete, false);
    assert.equal(r.total.lost, r.total.acknowledged, 'every acknowledged item stays in the orphaned queue');
  });
});
