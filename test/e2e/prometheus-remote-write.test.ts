// Test 2b (metrics into a real Prometheus): examples/single-node with Prometheus as the metrics engine, pinned to the
// 2.x release the Debian package installs (2.42). The topology is placed on loopback — Prometheus listens on the port
// its push/query endpoints were mapped to — and metrics pushed with src/ops/otlp through the real collector are read
// back with PromQL through the topology's query endpoint (src/ops/backends PrometheusClient).
//
// One deliberate change to the rendered gateway config, and why: the renderer exports metrics over OTLP/HTTP (the
// Prometheus 3 / Mimir OTLP endpoint), and Prometheus before 2.47 has no OTLP receiver at all (2.42 here: `prometheus
// --help` lists no otlp-write-receiver feature). So this test swaps the metrics exporter for the collector's
// prometheus_remote_write exporter aimed at the topology's push endpoint (/api/v1/write, remote-write receiver on).
// The rest of the rendered config (receiver, memory_limiter, traces and logs exporters, telemetry) is as rendered.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';

import { PrometheusClient } from '../../src/ops/backends/index.js';
import { createOtlpSender } from '../../src/ops/otlp/index.js';
import { renderCollectorConfig, type CollectorConfig } from '../../src/render/configs/otelcol.js';
import { OtlpSink } from '../support/otlp-sink.js';
import { Collector } from './support/collector.js';
import { PrometheusServer } from './support/prometheus.js';
import { killAllTracked, waitUntil } from './support/proc.js';
import { exampleVariant, loopbackInput } from './support/stacks.js';
import { Setup, makeTempDir, removeTempDir } from './support/tmp.js';

const N = 25;
/** Component type at v0.158.0 (deprecated alias prometheusremotewrite), see scripts/peers/otelcol-builder.yaml. */
const PRW = 'prometheus_remote_write';

describe('e2e metrics: rendered gateway (real collector) → remote write → real Prometheus, read back with PromQL', () => {
  let dir: string | undefined;
  let sink: OtlpSink | undefined;
  let prometheus: PrometheusServer | undefined;
  let gateway: Collector | undefined;
  const setup = new Setup(async () => {
    dir = makeTempDir('prometheus');
    sink = await OtlpSink.start();
    const stack = exampleVariant('single-node', (raw) => {
      raw['signals'].metrics = { engine: 'prometheus', version: '2.42.0', environments: { local: { mode: 'monolithic' } } };
    });
    // traces and logs to the sink; metrics to wherever the loopback topology put Prometheus
    const input = await loopbackInput(stack, 'local', { sink, sinkSignals: ['traces', 'logs'] });
    const metricsEngine = input.topology.engines.find((e) => e.signal === 'metrics')!;
    assert.equal(metricsEngine.engine, 'prometheus');
    const port = Number(new URL(metricsEngine.endpoints.push!).port);
    prometheus = await PrometheusServer.start(dir, port);
    const swap = (config: CollectorConfig): CollectorConfig => {
      const exporters = config['exporters'] as Record<string, unknown>;
      const pipelines = (config['service'] as { pipelines: Record<string, { exporters: string[] }> }).pipelines;
      const old = pipelines['metrics']!.exporters[0]!;
      delete exporters[old];
      const id = `${PRW}/prometheus`;
      // prometheusremotewriteexporter README (contrib v0.158.0): endpoint, remote_write_queue, retry_on_failure
      exporters[id] = {
        endpoint: metricsEngine.endpoints.push,
        remote_write_queue: { enabled: true, queue_size: 10000, num_consumers: 2 },
        retry_on_failure: { enabled: true, initial_interval: '1s', max_interval: '5s', max_elapsed_time: '0s' },
      };
      pipelines['metrics']!.exporters = [id];
      return config;
    };
    gateway = await Collector.start({ name: 'gateway', role: 'gateway', input, dir, adjust: swap });
    return { input, prometheus, gateway, query: metricsEngine.endpoints.query! };
  });
  before(setup.run);
  after(async () => {
    await gateway?.stop();
    await prometheus?.stop();
    await sink?.stop();
    killAllTracked();
    removeTempDir(dir);
  });

  it('the topology put Prometheus on loopback, push and query on the same port', () => {
    const { input, prometheus } = setup.get();
    const e = input.topology.engines.find((x) => x.signal === 'metrics')!;
    assert.equal(e.endpoints.push, `http://127.0.0.1:${prometheus.port}/api/v1/write`);
    assert.equal(e.endpoints.query, `http://127.0.0.1:${prometheus.port}`);
  });

  it('why the exporter is swapped: the rendered OTLP metrics endpoint does not exist on Prometheus 2.42', async () => {
    const { input } = setup.get();
    const rendered = renderCollectorConfig(input, 'gateway');
    const otlp = (rendered['exporters'] as Record<string, { endpoint?: string }>)['otlp_http/prometheus'];
    assert.ok(otlp?.endpoint, 'the renderer exports metrics to Prometheus over OTLP/HTTP');
    // the otlp_http exporter appends /v1/metrics to its endpoint
    const res = await request(`${otlp.endpoint}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array(0) });
    await res.body.dump();
    assert.equal(res.statusCode, 404, 'Prometheus 2.42 has an OTLP receiver after all; drop the exporter swap');
  });

  it('every data point pushed over OTLP is queryable in Prometheus', async () => {
    const { gateway, query } = setup.get();
    const run = `r${Date.now().toString(36)}`;
    const sender = createOtlpSender({ endpoint: gateway.otlpHttpEndpoint, retry: { maxAttempts: 20, maxElapsedMs: 30_000 } });
    try {
      const r = await sender.sendMetrics({
        resource: { 'service.name': 'otelstack-e2e-prw' },
        metrics: [{ name: 'otelstack_e2e_prw', kind: 'gauge', points: Array.from({ length: N }, (_, i) => ({ value: i, attributes: { run, seq: String(i) } })) }],
      });
      assert.ok(r.ok, r.error);
    } finally {
      await sender.close();
    }
    const client = new PrometheusClient({ url: query });
    try {
      const promql = `otelstack_e2e_prw{run="${run}"}`;
      const samples = await waitUntil(`${N} series of ${promql} in Prometheus`, 60_000, async () => {
        const s = await client.query(promql);
        return s.length === N ? s : undefined;
      }, { intervalMs: 500, details: () => `${gateway.logTail(15)}\n--- prometheus ---\n${prometheus!.logTail(15)}` });
      const bySeq = new Map(samples.map((s) => [s.metric['seq'], s]));
      for (let i = 0; i < N; i++) {
        const s = bySeq.get(String(i));
        assert.ok(s, `seq ${i} queryable`);
        assert.equal(s.value, i);
        // service.name becomes the job label (Prometheus OTLP/remote-write translation)
        assert.equal(s.metric['job'], 'otelstack-e2e-prw');
      }
      const count = await client.query(`count(${promql})`);
      assert.equal(count[0]?.value, N);
    } finally {
      await client.close();
    }
  });
});
