// The collector configs carry seed 002's guarantees: memory_limiter first with explicit limits, persistent queues
// and retries on every exporter, Kafka producer/consumer settings that do not lose data, tail sampling policies.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { loadStack } from '../../../src/model/load.js';
import { expand } from '../../../src/topology/expand.js';
import { collectorMemory } from '../../../src/topology/collector-memory.js';
import { collectorEnvironment, renderCollectorConfig, renderCollectorConfigs, type CollectorConfig } from '../../../src/render/configs/otelcol.js';
import type { RenderInput } from '../../../src/render/types.js';
import { CATALOG } from '../../../src/catalog/index.js';
import { FARO_CORS_MAX_AGE_SECONDS, FARO_SDK_REQUEST_HEADERS, OTELCOL_FARO_RECEIVER } from '../../../src/catalog/otelcol.js';

const example = (name: string) => fileURLToPath(new URL(`../../../../examples/${name}`, import.meta.url));
async function input(name: string): Promise<RenderInput> {
  const { stack } = await loadStack(example(name));
  return { stack, topology: expand(stack, 'local') };
}
type Pipe = { receivers: string[]; processors: string[]; exporters: string[] };
const pipelines = (c: CollectorConfig) => (c['service'] as { pipelines: Record<string, Pipe> }).pipelines;
const exporters = (c: CollectorConfig) => c['exporters'] as Record<string, Record<string, any>>;
const receivers = (c: CollectorConfig) => c['receivers'] as Record<string, Record<string, any>>;

function assertCommon(i: RenderInput, c: CollectorConfig, role: 'gateway' | 'processor') {
  const ing = i.stack.ingestion!;
  const comp = i.topology.components.find((x) => x.engine === 'otelcol' && x.component === role)!;
  const mem = collectorMemory(comp.perReplica);
  assert.deepEqual((c['processors'] as any).memory_limiter, { check_interval: '1s', limit_mib: mem.limitMib, spike_limit_mib: mem.spikeLimitMib });
  assert.ok(!JSON.stringify(c).includes('limit_percentage'));
  const ps = pipelines(c);
  assert.deepEqual(Object.keys(ps).sort(), ['logs', 'metrics', 'traces']);
  for (const [name, p] of Object.entries(ps)) {
    assert.equal(p.processors[0], 'memory_limiter', `${name}: memory_limiter first`);
    for (const e of p.exporters) assert.ok(exporters(c)[e], `${name}: exporter ${e} defined`);
    for (const r of p.receivers) assert.ok(receivers(c)[r], `${name}: receiver ${r} defined`);
  }
  for (const [id, e] of Object.entries(exporters(c))) {
    assert.equal(e['sending_queue'].storage, 'file_storage', `${id}: persistent queue`);
    assert.equal(e['sending_queue'].queue_size, ing.persistentQueue.queueSize);
    assert.ok(e['sending_queue'].batch, `${id}: batching inside the sending queue`);
    assert.deepEqual(e['retry_on_failure'], { enabled: true, initial_interval: ing.retry.initialInterval, max_interval: ing.retry.maxInterval, max_elapsed_time: ing.retry.maxElapsedTime, multiplier: 1.5 });
    assert.ok(!id.startsWith('otlp/') && !id.startsWith('otlphttp') && !id.startsWith('prometheusremotewrite'), `${id}: no deprecated type alias`);
  }
  const ext = c['extensions'] as any;
  assert.deepEqual(ext.file_storage, { directory: '/var/lib/otelcol/file_storage', create_directory: true, fsync: ing.persistentQueue.fsync, timeout: '1s' });
  assert.equal(ext.health_check.endpoint, '0.0.0.0:13133');
  const svc = c['service'] as any;
  assert.deepEqual(svc.extensions, ['file_storage', 'health_check']);
  assert.deepEqual(svc.telemetry.metrics.readers, [{ pull: { exporter: { prometheus: { host: '0.0.0.0', port: 8888 } } } }]);
  assert.equal(collectorEnvironment(i, role)['GOMEMLIMIT'], `${mem.goMemLimitBytes / 1024 ** 2}MiB`);
}

describe('otelcol config: single-node gateway (no Kafka)', async () => {
  const i = await input('single-node');
  const c = renderCollectorConfig(i, 'gateway');
  it('carries the common guarantees', () => assertCommon(i, c, 'gateway'));
  it('receives OTLP on 4317/4318 and exports straight to the backends', () => {
    assert.deepEqual(receivers(c)['otlp'], { protocols: { grpc: { endpoint: '0.0.0.0:4317' }, http: { endpoint: '0.0.0.0:4318' } } });
    assert.deepEqual(pipelines(c)['traces']!.exporters, ['otlp_grpc/tempo']);
    assert.equal(exporters(c)['otlp_grpc/tempo']!['endpoint'], 'tempo:4317');
    assert.equal(exporters(c)['otlp_http/mimir']!['endpoint'], 'http://mimir:8080/otlp');
    assert.equal(exporters(c)['otlp_http/loki']!['endpoint'], 'http://loki:3100/otlp');
  });
  it('renders only the gateway file', () => {
    assert.deepEqual([...renderCollectorConfigs(i).files.keys()], ['configs/local/otelcol-gateway.yaml']);
  });
});

describe('otelcol config: scalable gateway and processor (Kafka)', async () => {
  const i = await input('scalable');
  const gw = renderCollectorConfig(i, 'gateway');
  const pr = renderCollectorConfig(i, 'processor');
  it('carries the common guarantees', () => {
    assertCommon(i, gw, 'gateway');
    assertCommon(i, pr, 'processor');
  });
  it('gateway: one kafka exporter per signal, acks=all, no auto-creation, traces keyed by trace id', () => {
    for (const s of ['traces', 'metrics', 'logs']) {
      const e = exporters(gw)[`kafka/${s}`]!;
      assert.deepEqual(e['brokers'], ['kafka-0:9092', 'kafka-1:9092', 'kafka-2:9092']);
      assert.deepEqual(e[s], { topic: `otlp-${s}`, encoding: 'otlp_proto' });
      assert.equal(e['producer'].required_acks, -1);
      assert.equal(e['producer'].allow_auto_topic_creation, false);
      assert.deepEqual(pipelines(gw)[s]!.exporters, [`kafka/${s}`]);
    }
    assert.equal(exporters(gw)['kafka/traces']!['partition_traces_by_id'], true);
  });
  it('processor: kafka receivers from earliest, marking after the pipeline, one group per signal', () => {
    const groups = new Set<string>();
    for (const s of ['traces', 'metrics', 'logs']) {
      const r = receivers(pr)[`kafka/${s}`]!;
      assert.equal(r['initial_offset'], 'earliest');
      assert.deepEqual(r['message_marking'], { after: true, on_error: false });
      assert.deepEqual(r[s], { topics: [`otlp-${s}`], encoding: 'otlp_proto' });
      groups.add(r['group_id']);
    }
    assert.equal(groups.size, 3);
  });
  it('processor: tail sampling from the definition on traces only, after memory_limiter', () => {
    const ts = (pr['processors'] as any).tail_sampling;
    assert.equal(ts.decision_wait, '10s');
    assert.deepEqual(ts.policies, [
      { name: 'errors', type: 'status_code', status_code: { status_codes: ['ERROR'] } },
      { name: 'slow', type: 'latency', latency: { threshold_ms: 2000 } },
      { name: 'baseline', type: 'probabilistic', probabilistic: { sampling_percentage: 10 } },
    ]);
    assert.deepEqual(pipelines(pr)['traces']!.processors, ['memory_limiter', 'tail_sampling']);
    assert.deepEqual(pipelines(pr)['metrics']!.processors, ['memory_limiter']);
    assert.equal((pr['extensions'] as any).file_storage.fsync, true);
  });
  it('is deterministic', async () => {
    const again = await input('scalable');
    assert.deepEqual(renderCollectorConfigs(i).files, renderCollectorConfigs(again).files);
  });
});

describe('otelcol config: the Faro receiver (browser path) on the gateway', async () => {
  const withFaro = async (name: string, faro: Record<string, unknown> | undefined): Promise<RenderInput> => {
    const { stack } = await loadStack(example(name));
    const s = structuredClone(stack);
    s.ingestion!.faro = faro as never;
    return { stack: s, topology: expand(s, 'local') };
  };

  it('single-node (the example enables it): faro on the catalog port with the allowed origins, the Faro SDK headers and a preflight cache', async () => {
    const i = await input('single-node');
    const c = renderCollectorConfig(i, 'gateway');
    assert.deepEqual(receivers(c)['faro'], {
      endpoint: `0.0.0.0:${CATALOG.otelcol.ports['faro']}`,
      cors: { allowed_origins: i.stack.ingestion!.faro!.allowedOrigins, allowed_headers: [...FARO_SDK_REQUEST_HEADERS], max_age: FARO_CORS_MAX_AGE_SECONDS },
    });
    assert.equal(CATALOG.otelcol.ports['faro'], CATALOG.alloy.ports['faro'], 'one Faro port whichever the collector');
  });

  it('feeds the logs and traces pipelines beside OTLP, never metrics (the receiver has no metrics)', async () => {
    const c = renderCollectorConfig(await input('single-node'), 'gateway');
    assert.deepEqual(pipelines(c)['logs']!.receivers, ['otlp', OTELCOL_FARO_RECEIVER.type]);
    assert.deepEqual(pipelines(c)['traces']!.receivers, ['otlp', OTELCOL_FARO_RECEIVER.type]);
    assert.deepEqual(pipelines(c)['metrics']!.receivers, ['otlp']);
  });

  it('a definition port, origins sorted and each once; a placement (tests) moves the listen address', async () => {
    const i = await withFaro('single-node', { enabled: true, port: 13000, allowedOrigins: ['https://b.example.com', 'https://a.example.com', 'https://b.example.com'] });
    const c = renderCollectorConfig(i, 'gateway');
    assert.equal(receivers(c)['faro']!['endpoint'], '0.0.0.0:13000');
    assert.deepEqual(receivers(c)['faro']!['cors'].allowed_origins, ['https://a.example.com', 'https://b.example.com']);
    const placed = renderCollectorConfig(i, 'gateway', [], { host: '127.0.0.1', ports: { faro: 40001 } });
    assert.equal(receivers(placed)['faro']!['endpoint'], '127.0.0.1:40001');
  });

  it('no allowed origin: no cors block (no CORS handler: browsers refused, as the plan says)', async () => {
    const c = renderCollectorConfig(await withFaro('single-node', { enabled: true, allowedOrigins: [] }), 'gateway');
    assert.deepEqual(receivers(c)['faro'], { endpoint: `0.0.0.0:${CATALOG.otelcol.ports['faro']}` });
  });

  it('disabled or absent: no faro receiver anywhere', async () => {
    for (const faro of [undefined, { enabled: false, allowedOrigins: ['https://a.example.com'] }]) {
      const c = renderCollectorConfig(await withFaro('single-node', faro), 'gateway');
      assert.equal(receivers(c)['faro'], undefined);
      for (const p of Object.values(pipelines(c))) assert.deepEqual(p.receivers, ['otlp']);
    }
  });

  it('scalable: the gateway sends Faro logs and traces into their Kafka topics; the processor has no Faro receiver', async () => {
    const i = await withFaro('scalable', { enabled: true, allowedOrigins: ['https://app.example.com'] });
    const gw = renderCollectorConfig(i, 'gateway');
    assertCommon(i, gw, 'gateway');
    assert.deepEqual(pipelines(gw)['logs'], { receivers: ['otlp', 'faro'], processors: ['memory_limiter'], exporters: ['kafka/logs'] });
    assert.deepEqual(pipelines(gw)['traces'], { receivers: ['otlp', 'faro'], processors: ['memory_limiter'], exporters: ['kafka/traces'] });
    const pr = renderCollectorConfig(i, 'processor');
    assert.equal(receivers(pr)['faro'], undefined);
  });
});
