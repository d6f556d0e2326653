// Test 3 (scalable): examples/scalable rendered and run for real: OTLP → gateway collector → a real Kafka (KRaft,
// one broker; the definition's topics created beforehand with their partitions, since the rendered producer must not
// auto-create) → processor collector (Kafka receiver, tail sampling) → the OTLP sink standing in for Tempo, Mimir and
// Loki. The definition is changed in one place: its sampling policies become one always-sample policy, so every
// trace must come out of the tail sampler (the example's errors/latency/10 % policies would drop most test traces).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { COLLECTOR_METRICS, OTELCOL_KAFKA_METRICS } from '../../src/catalog/metrics.js';
import { createOtlpSender, randomSpanId, randomTraceId } from '../../src/ops/otlp/index.js';
import { OtlpSink } from '../support/otlp-sink.js';
import { Collector } from './support/collector.js';
import { KafkaCluster } from './support/kafka.js';
import { RUN_ATTRIBUTE, SEQ_ATTRIBUTE, deliveredSeqs } from './support/load.js';
import { killAllTracked, waitUntil } from './support/proc.js';
import { exampleVariant, loopbackInput } from './support/stacks.js';
import { totalOf } from './support/telemetry.js';
import { Setup, makeTempDir, removeTempDir } from './support/tmp.js';

const TRACES = 10;
const SPANS_PER_TRACE = 4;
const N = 20;

describe('e2e scalable: OTLP → gateway → real Kafka → processor (tail sampling) → backends', () => {
  let dir: string | undefined;
  let sink: OtlpSink | undefined;
  let kafka: KafkaCluster | undefined;
  let gateway: Collector | undefined;
  let processor: Collector | undefined;
  const setup = new Setup(async () => {
    dir = makeTempDir('scalable');
    sink = await OtlpSink.start();
    kafka = await KafkaCluster.start(join(dir, 'kafka'), 1);
    const stack = exampleVariant('scalable', (raw) => {
      raw['ingestion'].sampling.policies = [{ name: 'everything', type: 'always' }];
    });
    const input = await loopbackInput(stack, 'local', { sink, kafkaPorts: kafka.ports });
    await kafka.createTopics(input.topology.kafka!.topics);
    processor = await Collector.start({ name: 'processor', role: 'processor', input, dir });
    gateway = await Collector.start({ name: 'gateway', role: 'gateway', input, dir });
    return { sink, kafka, gateway, processor, input, stack };
  });
  before(setup.run);
  after(async () => {
    await gateway?.stop();
    await processor?.stop();
    await kafka?.stop().catch(() => undefined);
    await sink?.stop();
    killAllTracked();
    removeTempDir(dir);
  });

  it("the definition's buffer topics exist in Kafka with their partitions", async () => {
    const { kafka, input, stack } = setup.get();
    const settings = await kafka.topicSettings();
    for (const s of ['traces', 'metrics', 'logs'] as const) {
      const def = stack.ingestion!.topics![s]!;
      const plan = input.topology.kafka!.topics.find((t) => t.owner === `collector:${s}`)!;
      assert.equal(plan.name, def.name);
      // one broker: toLoopback capped replication (and min in-sync replicas) at 1
      assert.deepEqual(settings.get(def.name), { partitions: def.partitions, replication: 1, minInSync: 1 });
    }
  });

  it('the rendered processor samples with the always policy and reads the loopback brokers', () => {
    const { processor, kafka } = setup.get();
    const ts = (processor.config['processors'] as Record<string, { policies?: Array<{ type: string }> }>)['tail_sampling'];
    assert.deepEqual(ts?.policies?.map((p) => p.type), ['always_sample']);
    const recv = (processor.config['receivers'] as Record<string, { brokers: string[] }>)['kafka/traces'];
    assert.deepEqual(recv?.brokers, kafka.bootstrap.split(','));
  });

  it('whole traces, metrics and logs cross Kafka and the tail sampler, each item exactly once', async () => {
    const { gateway, processor, sink } = setup.get();
    const run = randomSpanId().slice(0, 8);
    const resource = { 'service.name': 'otelstack-e2e-scalable', [RUN_ATTRIBUTE]: run };
    const spanSeqs: string[] = [];
    const grpc = createOtlpSender({ endpoint: gateway.otlpGrpcEndpoint, protocol: 'grpc', retry: { maxAttempts: 20, maxElapsedMs: 30_000 } });
    const http = createOtlpSender({ endpoint: gateway.otlpHttpEndpoint, retry: { maxAttempts: 20, maxElapsedMs: 30_000 } });
    const seqs = Array.from({ length: N }, (_, i) => `${run}-${i}`);
    try {
      for (let t = 0; t < TRACES; t++) {
        const traceId = randomTraceId();
        const root = randomSpanId();
        const spans = Array.from({ length: SPANS_PER_TRACE }, (_, j) => {
          const seq = `${run}-t${t}-${j}`;
          spanSeqs.push(seq);
          return { traceId, spanId: j === 0 ? root : randomSpanId(), ...(j > 0 ? { parentSpanId: root } : {}), name: `e2e-${j}`, attributes: { [SEQ_ATTRIBUTE]: seq } };
        });
        const r = await grpc.sendTraces({ resource, spans });
        assert.ok(r.ok, r.error);
      }
      const m = await http.sendMetrics({ resource, metrics: [{ name: 'otelstack_e2e_scalable', kind: 'gauge', points: seqs.map((seq, i) => ({ value: i, attributes: { [SEQ_ATTRIBUTE]: seq } })) }] });
      const l = await http.sendLogs({ resource, records: seqs.map((seq) => ({ body: seq, attributes: { [SEQ_ATTRIBUTE]: seq } })) });
      assert.ok(m.ok, m.error);
      assert.ok(l.ok, l.error);
    } finally {
      await grpc.close();
      await http.close();
    }
    const want = { traces: spanSeqs, metrics: seqs, logs: seqs };
    // decision_wait of the definition (10 s) passes before sampled traces leave the processor
    await waitUntil('every item at the sink', 90_000, () => (['traces', 'metrics', 'logs'] as const).every((s) => want[s].every((q) => deliveredSeqs(sink, s).has(q))), {
      intervalMs: 500,
      details: () => `sink: traces ${sink.count('traces')}/${spanSeqs.length}, metrics ${sink.count('metrics')}, logs ${sink.count('logs')}\n--- gateway ---\n${gateway.logTail(10)}\n--- processor ---\n${processor.logTail(10)}`,
    });
    for (const s of ['traces', 'metrics', 'logs'] as const) {
      const got = deliveredSeqs(sink, s);
      for (const q of want[s]) assert.equal(got.get(q), 1, `${s} ${q} exactly once`);
    }
    // every span of a trace arrives in one export request: the processor saw and released whole traces
    const byTrace = new Map<string, Set<number>>();
    for (const it of sink.received('traces').items) {
      const set = byTrace.get(it.span.span.traceId) ?? new Set<number>();
      set.add(it.request);
      byTrace.set(it.span.span.traceId, set);
    }
    for (const [traceId, reqs] of byTrace) assert.equal(reqs.size, 1, `trace ${traceId} released whole`);
  });

  it("the collectors' own metrics: Kafka producer successes, empty queues, no enqueue failures", async () => {
    const { gateway, processor } = setup.get();
    for (const c of [gateway, processor]) {
      const q = await c.waitQueuesDrained(30_000);
      assert.equal(totalOf(q.enqueueFailed), 0, `${c.name}: enqueue failures`);
    }
    const gw = await gateway.samples();
    const ok = gw.filter((s) => s.name === OTELCOL_KAFKA_METRICS.exporterMessages && s.labels['outcome'] === 'success').reduce((a, s) => a + s.value, 0);
    const failed = gw.filter((s) => s.name === OTELCOL_KAFKA_METRICS.exporterMessages && s.labels['outcome'] === 'failure').reduce((a, s) => a + s.value, 0);
    assert.ok(ok > 0, `${OTELCOL_KAFKA_METRICS.exporterMessages}{outcome="success"} > 0`);
    assert.equal(failed, 0);
    const pr = await processor.samples();
    const names = COLLECTOR_METRICS.otelcol;
    const sent = pr.filter((s) => s.name === names.exporterSent.traces).reduce((a, s) => a + s.value, 0);
    assert.equal(sent, TRACES * SPANS_PER_TRACE);
  });
});
