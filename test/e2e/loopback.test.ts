// The loopback placement the e2e harness relies on (src/topology/loopback.ts) and the collector placement option
// (CollectorPlacement in src/render/configs/otelcol.ts). Offline: no engine runs here.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { COLLECTOR_QUEUE_DIR, renderCollectorConfig } from '../../src/render/configs/otelcol.js';
import { expand } from '../../src/topology/expand.js';
import { allocateLoopbackPorts, freeLoopbackPorts, toLoopback, topologyAuthorities } from '../../src/topology/loopback.js';
import { loadExample } from './support/stacks.js';

describe('toLoopback: a topology placed on 127.0.0.1', async () => {
  const scalable = await loadExample('scalable');
  const t = expand(scalable, 'local');

  it('names every authority of the topology once', () => {
    assert.deepEqual(topologyAuthorities(t), ['kafka-0:9092', 'kafka-1:9092', 'kafka-2:9092', 'loki:3100', 'mimir:8080', 'seaweedfs:8333', 'tempo:3200', 'tempo:4317']);
  });

  it('maps endpoints to loopback ports keeping their paths, without touching the input', async () => {
    const before = JSON.stringify(t);
    const ports = await allocateLoopbackPorts(t);
    const l = toLoopback(t, { ports });
    assert.equal(JSON.stringify(t), before, 'input unchanged');
    const mimir = l.engines.find((e) => e.engine === 'mimir')!;
    assert.equal(mimir.endpoints.push, `http://127.0.0.1:${ports['mimir:8080']}/api/v1/push`);
    assert.equal(mimir.endpoints.query, `http://127.0.0.1:${ports['mimir:8080']}/prometheus`);
    assert.equal(l.kafka!.bootstrap, ['kafka-0:9092', 'kafka-1:9092', 'kafka-2:9092'].map((a) => `127.0.0.1:${ports[a]}`).join(','));
    assert.equal(l.objectStorage.endpoint, `http://127.0.0.1:${ports['seaweedfs:8333']}`);
    assert.doesNotMatch(JSON.stringify(l.engines.map((e) => e.endpoints)), /tempo:|mimir:|loki:/);
  });

  it('stand-ins replace endpoints outright; a smaller Kafka caps replication and min in-sync replicas', async () => {
    const ports = await allocateLoopbackPorts(t);
    const l = toLoopback(t, { ports, standIns: { traces: { push: 'http://127.0.0.1:1' } }, kafkaPorts: [2] });
    assert.equal(l.engines.find((e) => e.signal === 'traces')!.endpoints.push, 'http://127.0.0.1:1');
    assert.equal(l.kafka!.bootstrap, '127.0.0.1:2');
    assert.equal(l.kafka!.brokers, 1);
    for (const topic of [...l.kafka!.topics, ...l.ingestion!.topics]) {
      assert.equal(topic.replication, 1);
      assert.equal(topic.minInSyncReplicas, 1);
      assert.equal(topic.partitions, 6, 'partitions as defined');
    }
  });

  it('refuses to leave an authority unmapped', () => {
    assert.throws(() => toLoopback(t, { ports: { 'tempo:4317': 1 } }), /no loopback port for .*kafka-0:9092/);
  });

  it('allocates distinct free ports', async () => {
    const ports = await freeLoopbackPorts(5);
    assert.equal(new Set(ports).size, 5);
  });
});

describe('renderCollectorConfig placement', async () => {
  const single = await loadExample('single-node');
  const input = { stack: single, topology: expand(single, 'local') };

  it('defaults to the container layout (identical to no placement)', () => {
    assert.deepEqual(renderCollectorConfig(input, 'gateway', [], {}), renderCollectorConfig(input, 'gateway'));
    const c = renderCollectorConfig(input, 'gateway') as any;
    assert.equal(c.extensions.file_storage.directory, COLLECTOR_QUEUE_DIR);
    assert.equal(c.receivers.otlp.protocols.grpc.endpoint, '0.0.0.0:4317');
  });

  it('places listeners, telemetry and the queue directory of one process', () => {
    const c = renderCollectorConfig(input, 'gateway', [], { host: '127.0.0.1', ports: { otlpGrpc: 1, otlpHttp: 2, health: 3, metrics: 4 }, storageDirectory: '/tmp/q' }) as any;
    assert.deepEqual(c.receivers.otlp.protocols, { grpc: { endpoint: '127.0.0.1:1' }, http: { endpoint: '127.0.0.1:2' } });
    assert.equal(c.extensions.health_check.endpoint, '127.0.0.1:3');
    assert.deepEqual(c.service.telemetry.metrics.readers, [{ pull: { exporter: { prometheus: { host: '127.0.0.1', port: 4 } } } }]);
    assert.equal(c.extensions.file_storage.directory, '/tmp/q');
  });
});
