// Test 4e (replicated Kafka): examples/scalable as defined — three brokers, buffer topics with replication 3 and
// min.insync.replicas 2, producer acks=all — on a real three-node KRaft cluster on loopback. Under steady load of
// sequence-numbered traces, metrics and logs, one broker is stopped (controlled shutdown) and stays down: writes still
// reach two in-sync replicas, partition leadership moves, the processor keeps consuming, and every acknowledged item
// is delivered; duplicates counted, queues back at 0, no enqueue failures.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { OtlpSink } from '../support/otlp-sink.js';
import { Collector } from './support/collector.js';
import { endFaultTest, queueProblems, settle } from './support/faults.js';
import { KafkaCluster } from './support/kafka.js';
import { SteadyLoad } from './support/load.js';
import { exampleVariant, loopbackInput } from './support/stacks.js';
import { Setup, makeTempDir } from './support/tmp.js';

const SIGNALS = ['traces', 'metrics', 'logs'] as const;
const BROKERS = 3;

describe('e2e faults: three Kafka brokers (replication 3, min in-sync 2), one stopped', () => {
  let dir: string | undefined;
  let kafka: KafkaCluster | undefined;
  let sink: OtlpSink | undefined;
  let load: SteadyLoad | undefined;
  const collectors: Collector[] = [];
  const setup = new Setup(async () => {
    dir = makeTempDir('faults-replicated');
    kafka = await KafkaCluster.start(join(dir, 'kafka'), BROKERS, 150);
    sink = await OtlpSink.start();
    const stack = exampleVariant('scalable', (raw) => {
      raw['ingestion'].sampling.policies = [{ name: 'everything', type: 'always' }];
    });
    const input = await loopbackInput(stack, 'local', { sink, kafkaPorts: kafka.ports });
    await kafka.createTopics(input.topology.kafka!.topics);
    const processor = await Collector.start({ name: 'processor', role: 'processor', input, dir });
    collectors.push(processor);
    const gateway = await Collector.start({ name: 'gateway', role: 'gateway', input, dir });
    collectors.push(gateway);
    load = new SteadyLoad({ endpoint: gateway.otlpHttpEndpoint, signals: SIGNALS });
    return { kafka, sink, input, stack, processor, gateway, load };
  });
  before(setup.run);
  after(() => endFaultTest({ table: 'fault table (three brokers)', dir, loads: [load], collectors, others: [kafka], sinks: [sink] }));

  it("the topics carry the definition's replication and min in-sync replicas, unchanged by the loopback placement", async () => {
    const { kafka, stack } = setup.get();
    const settings = await kafka.topicSettings();
    for (const s of SIGNALS) {
      const def = stack.ingestion!.topics![s]!;
      assert.deepEqual(settings.get(def.name), { partitions: def.partitions, replication: def.replication, minInSync: def.minInSyncReplicas });
    }
  });

  it('(e) one of three brokers stopped under load: nothing acknowledged is lost', async () => {
    const { kafka, sink, processor, gateway, load } = setup.get();
    load.start();
    await load.waitTicks(30, 30_000);
    await kafka.stopNode(2);
    await sleep(15_000); // two brokers carry the load
    const r = await settle({ fault: 'kafka 1 of 3 brokers stopped', load, sink, signals: SIGNALS, collectors: [gateway, processor] });
    assert.equal(r.total.lost, 0, `lost acknowledged items: ${r.total.lostSample.join(', ')}`);
    assert.deepEqual(queueProblems(r.queues), []);
    assert.equal(r.total.acknowledged, r.total.sent, 'acks=all with min.insync.replicas 2 still succeeds on two brokers');
  });
});
