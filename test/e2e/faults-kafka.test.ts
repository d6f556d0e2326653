// Test 4c/4d and the known hole (faults with Kafka): examples/scalable — gateway (persistent queues, fsync) → a real
// one-broker Kafka → processor (Kafka receiver marking offsets after the pipeline, tail sampling with an always-sample
// policy and the definition's decision_wait, persistent queues) → the OTLP sink — under steady load of
// sequence-numbered traces, metrics and logs.
//  (c) the Kafka broker is restarted (controlled shutdown, a pause, start again with its data);
//  (d) the processor is restarted (SIGTERM, then start again on its queue directory) while traces wait in its tail
//      sampler — on SIGTERM the v0.158 processor releases them before it exits (observed: spans reach the sink during
//      its shutdown), so a graceful restart loses nothing;
// each ending with every acknowledged item delivered, duplicates counted, queues at 0, no enqueue failures.
//  (hole) the processor is killed with SIGKILL while traces wait in the tail sampler for their decision. Those traces
//      were already marked consumed in Kafka, so they are lost: the loss the plan's `pipeline-holes` rule warns about
//      (opentelemetry-collector-contrib issue 26490). The test demonstrates and counts it, and shows that metrics and
//      logs — which do not pass a tail sampler — lose nothing in the same crash.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { pipelineHoles } from '../../src/plan/rules/pipeline-holes.js';
import type { Stack } from '../../src/model/schema.js';
import { expandAll } from '../../src/topology/expand.js';
import { OtlpSink } from '../support/otlp-sink.js';
import { Collector } from './support/collector.js';
import { endFaultTest, queueProblems, settle } from './support/faults.js';
import { KafkaCluster } from './support/kafka.js';
import { SteadyLoad, deliveredSeqs } from './support/load.js';
import { exampleVariant, loopbackInput } from './support/stacks.js';
import { Setup, makeTempDir } from './support/tmp.js';

const SIGNALS = ['traces', 'metrics', 'logs'] as const;

describe('e2e faults: gateway → Kafka (one broker) → processor with tail sampling', () => {
  let dir: string | undefined;
  let kafka: KafkaCluster | undefined;
  const sinks: OtlpSink[] = [];
  const collectors: Collector[] = [];
  const loads: SteadyLoad[] = [];
  const setup = new Setup(async () => {
    dir = makeTempDir('faults-kafka');
    kafka = await KafkaCluster.start(join(dir, 'kafka'), 1);
    const stack: Stack = exampleVariant('scalable', (raw) => {
      raw['ingestion'].sampling.policies = [{ name: 'everything', type: 'always' }];
    });
    // the topics once: every fault below runs fresh collectors (own queues) against the same topics and groups
    const probe = await loopbackInput(stack, 'local', { kafkaPorts: kafka.ports });
    await kafka.createTopics(probe.topology.kafka!.topics);
    return { dir, kafka, stack };
  });
  before(setup.run);
  after(() => endFaultTest({ table: 'fault table (gateway → Kafka → processor)', dir, loads, collectors, others: [kafka], sinks }));

  async function start(name: string): Promise<{ sink: OtlpSink; gateway: Collector; processor: Collector; load: SteadyLoad; kafka: KafkaCluster }> {
    const { dir, kafka, stack } = setup.get();
    const sink = await OtlpSink.start();
    sinks.push(sink);
    const input = await loopbackInput(stack, 'local', { sink, kafkaPorts: kafka.ports });
    const processor = await Collector.start({ name: `${name}-processor`, role: 'processor', input, dir });
    collectors.push(processor);
    const gateway = await Collector.start({ name: `${name}-gateway`, role: 'gateway', input, dir });
    collectors.push(gateway);
    const load = new SteadyLoad({ endpoint: gateway.otlpHttpEndpoint, signals: SIGNALS });
    loads.push(load);
    return { sink, gateway, processor, load, kafka };
  }

  /** Acknowledged spans not yet at the sink: with the backend up, these wait in the tail sampler for their decision. */
  function pendingSpans(load: SteadyLoad, sink: OtlpSink): number {
    const got = deliveredSeqs(sink, 'traces');
    return [...load.book('traces').acked].filter((s) => !got.has(s)).length;
  }

  async function finish(...cs: Collector[]): Promise<void> {
    for (const c of cs) await c.stop();
  }

  it('(c) Kafka broker restart: nothing acknowledged is lost', async () => {
    const { sink, gateway, processor, load, kafka } = await start('broker-restart');
    load.start();
    await load.waitTicks(30, 30_000);
    await kafka.stopNode(1);
    await sleep(5000); // no broker at all: the gateway's persistent queues take the load
    await kafka.startNode(1);
    await sleep(5000);
    const r = await settle({ fault: 'kafka broker restart', load, sink, signals: SIGNALS, collectors: [gateway, processor] });
    assert.equal(r.total.lost, 0, `lost acknowledged items: ${r.total.lostSample.join(', ')}`);
    assert.deepEqual(queueProblems(r.queues), []);
    assert.equal(r.total.acknowledged, r.total.sent, 'the gateway kept acknowledging while the broker was away');
    await finish(gateway, processor);
  });

  it('(d) processor restart (SIGTERM, start again): nothing acknowledged is lost', async () => {
    const { sink, gateway, processor, load } = await start('processor-restart');
    load.start();
    // longer than decision_wait (10 s) and the consumer's offset commits: a steady state, traces always pending
    await load.waitTicks(150, 60_000);
    const pending = pendingSpans(load, sink);
    assert.ok(pending > 0, 'spans wait in the tail sampler when the processor is stopped');
    await processor.stop();
    await sleep(3000);
    await processor.restart();
    await sleep(5000);
    const r = await settle({ fault: 'processor restart', load, sink, signals: SIGNALS, collectors: [gateway, processor] });
    assert.equal(r.total.lost, 0, `lost acknowledged items: ${r.total.lostSample.join(', ')}`);
    assert.deepEqual(queueProblems(r.queues), []);
    await finish(gateway, processor);
  });

  it('(hole) processor kill -9 mid-decision loses the traces waiting in the tail sampler — pipeline-holes, contrib issue 26490', async () => {
    const { stack } = setup.get();
    // the plan says so before anything runs
    const warned = pipelineHoles.check({ stack, file: 'examples/scalable (e2e variant)', topologies: expandAll(stack) }).find((f) => f.path === 'ingestion.sampling');
    assert.ok(warned, 'pipeline-holes warns about tail sampling');
    assert.match(warned.message, /26490/);

    const { sink, gateway, processor, load } = await start('processor-kill9');
    load.start();
    // steady state (longer than decision_wait, 10 s in the definition): the last decision_wait of traces is buffered,
    // undecided, and all but the last moments of it already committed as consumed in Kafka
    await load.waitTicks(150, 60_000);
    assert.ok(pendingSpans(load, sink) > 0, 'spans wait in the tail sampler when the processor is killed');
    await processor.kill9();
    await sleep(2000);
    await processor.restart();
    const fault = 'processor kill -9 mid-decision (pipeline-holes, contrib #26490)';
    const r = await settle({ fault, load, sink, signals: SIGNALS, collectors: [gateway, processor], deliveryTimeoutMs: 45_000, expectComplete: false });
    const bySignal = Object.fromEntries(r.rows.map((row) => [row.signal, row]));
    console.log(`# ${fault}: ${bySignal['traces']!.lost} acknowledged spans lost in the tail sampler's memory; metrics and logs lost ${bySignal['metrics']!.lost + bySignal['logs']!.lost}`);
    assert.equal(r.complete, false, 'expected the known tail-sampling loss; if this configuration no longer loses data, update the pipeline-holes rule');
    assert.ok(bySignal['traces']!.lost > 0, 'traces buffered in the tail sampler are lost');
    assert.equal(bySignal['metrics']!.lost, 0, 'metrics (no tail sampler) lose nothing');
    assert.equal(bySignal['logs']!.lost, 0, 'logs (no tail sampler) lose nothing');
    assert.deepEqual(queueProblems(r.queues), []);
    await finish(gateway, processor);
  });
});
