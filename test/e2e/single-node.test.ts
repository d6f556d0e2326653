// Test 2 (single-node): examples/single-node rendered and run for real. The definition's topology is placed on
// loopback (src/topology/loopback.ts) with the OTLP test sink standing in for Tempo (OTLP/gRPC), Mimir and Loki
// (OTLP/HTTP) — Tempo, Mimir and Loki cannot be installed here, and the Debian Prometheus (2.42) has no OTLP
// receiver (prometheus-remote-write.test.ts covers real Prometheus). Traces, metrics and logs pushed with
// src/ops/otlp into the real collector running the rendered gateway config arrive at the sink, each exactly once,
// over the protocol the rendered exporter uses; the collector's own metrics agree.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { COLLECTOR_METRICS } from '../../src/catalog/metrics.js';
import { createOtlpSender, randomSpanId, randomTraceId } from '../../src/ops/otlp/index.js';
import { OtlpSink } from '../support/otlp-sink.js';
import { Collector } from './support/collector.js';
import { RUN_ATTRIBUTE, SEQ_ATTRIBUTE, deliveredSeqs } from './support/load.js';
import { killAllTracked, waitUntil } from './support/proc.js';
import { loadExample, loopbackInput } from './support/stacks.js';
import { totalOf } from './support/telemetry.js';
import { Setup, makeTempDir, removeTempDir } from './support/tmp.js';

const N = 20;

describe('e2e single-node: OTLP → rendered gateway (real collector) → backends', () => {
  let dir: string | undefined;
  let sink: OtlpSink | undefined;
  let gateway: Collector | undefined;
  const setup = new Setup(async () => {
    dir = makeTempDir('single-node');
    sink = await OtlpSink.start();
    const stack = await loadExample('single-node');
    const input = await loopbackInput(stack, 'local', { sink });
    gateway = await Collector.start({ name: 'gateway', role: 'gateway', input, dir });
    return { sink, gateway, input };
  });
  before(setup.run);
  after(async () => {
    await gateway?.stop();
    await sink?.stop();
    killAllTracked();
    removeTempDir(dir);
  });

  it('the loopback topology points the rendered exporters at the stand-ins, not at container names', () => {
    const { gateway, sink } = setup.get();
    const exporters = gateway.config['exporters'] as Record<string, { endpoint: string }>;
    assert.equal(exporters['otlp_grpc/tempo']?.endpoint, `127.0.0.1:${sink.grpcPort}`);
    assert.equal(exporters['otlp_http/mimir']?.endpoint, sink.httpEndpoint);
    assert.equal(exporters['otlp_http/loki']?.endpoint, sink.httpEndpoint);
    assert.doesNotMatch(JSON.stringify(gateway.config), /tempo:|mimir:|loki:|0\.0\.0\.0/);
  });

  it('traces (OTLP/gRPC in), metrics and logs (OTLP/HTTP in) all reach the sink exactly once', async () => {
    const { gateway, sink } = setup.get();
    const run = randomSpanId().slice(0, 8);
    const resource = { 'service.name': 'otelstack-e2e-single', [RUN_ATTRIBUTE]: run };
    const seqs = Array.from({ length: N }, (_, i) => `${run}-${i}`);
    const grpc = createOtlpSender({ endpoint: gateway.otlpGrpcEndpoint, protocol: 'grpc', retry: { maxAttempts: 20, maxElapsedMs: 30_000 } });
    const http = createOtlpSender({ endpoint: gateway.otlpHttpEndpoint, protocol: 'http/protobuf', retry: { maxAttempts: 20, maxElapsedMs: 30_000 } });
    try {
      const traceId = randomTraceId();
      const t = await grpc.sendTraces({ resource, spans: seqs.map((seq) => ({ traceId, spanId: randomSpanId(), name: 'e2e', attributes: { [SEQ_ATTRIBUTE]: seq } })) });
      const m = await http.sendMetrics({ resource, metrics: [{ name: 'otelstack_e2e_single', kind: 'sum', points: seqs.map((seq, i) => ({ value: i, attributes: { [SEQ_ATTRIBUTE]: seq } })) }] });
      const l = await http.sendLogs({ resource, records: seqs.map((seq) => ({ body: `e2e ${seq}`, attributes: { [SEQ_ATTRIBUTE]: seq } })) });
      for (const r of [t, m, l]) assert.ok(r.ok, `${r.signal}: ${r.error ?? ''}`);
    } finally {
      await grpc.close();
      await http.close();
    }
    await waitUntil('all items at the sink', 60_000, () => (['traces', 'metrics', 'logs'] as const).every((s) => seqs.every((q) => deliveredSeqs(sink, s).has(q))), {
      details: () => `sink: traces ${sink.count('traces')}, metrics ${sink.count('metrics')}, logs ${sink.count('logs')}\n${gateway.logTail()}`,
    });
    for (const s of ['traces', 'metrics', 'logs'] as const) {
      const got = deliveredSeqs(sink, s);
      for (const q of seqs) assert.equal(got.get(q), 1, `${s} ${q} received once`);
    }
    // Tempo's exporter speaks OTLP/gRPC, Mimir's and Loki's OTLP/HTTP (protobuf)
    assert.ok(sink.received('traces').requests.filter((r) => r.outcome === 'accepted').every((r) => r.transport === 'grpc'));
    for (const s of ['metrics', 'logs'] as const) {
      assert.ok(sink.received(s).requests.filter((r) => r.outcome === 'accepted').every((r) => r.transport === 'http' && r.encoding === 'protobuf'), `${s} over OTLP/HTTP protobuf`);
    }
  });

  it("the collector's own metrics (catalog names) count what it exported, with empty queues and no enqueue failures", async () => {
    const { gateway } = setup.get();
    const names = COLLECTOR_METRICS.otelcol;
    const q = await gateway.waitQueuesDrained(30_000);
    assert.deepEqual(Object.keys(q.queueSize).sort(), ['otlp_grpc/tempo', 'otlp_http/loki', 'otlp_http/mimir']);
    assert.equal(totalOf(q.enqueueFailed), 0);
    const samples = await gateway.samples();
    const sent = (name: string, exporter: string) => samples.filter((s) => s.name === name && s.labels[names.exporterLabel] === exporter).reduce((a, s) => a + s.value, 0);
    assert.equal(sent(names.exporterSent.traces, 'otlp_grpc/tempo'), N);
    assert.equal(sent(names.exporterSent.metrics, 'otlp_http/mimir'), N);
    assert.equal(sent(names.exporterSent.logs, 'otlp_http/loki'), N);
  });
});
