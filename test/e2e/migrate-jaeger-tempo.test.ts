// Issue 10's "Jaeger → Tempo" parallel run (step 2) on real engines: the real collector (otelcol-otelstack) runs the
// step's dual-export config — the target's (examples/single-node) with the running definition's Jaeger exporter
// kept in the traces pipeline (dualExportConfig, the function `migrate render --step 2` writes the file with) — placed
// on loopback; it exports traces to the real Jaeger v2 (scripts/peers/jaeger.sh, in-memory storage, through a TCP
// relay the test can close) and to a Tempo stand-in (Tempo cannot be installed here: the OTLP sink of
// test/support/otlp-sink.ts behind LocalStack's Tempo query API — trace by id and the search form the gate sends).
// A real Prometheus scrapes the collector, so the gate's PromQL conditions run for real. Load flows; the step's gate
// is run by the real CLI (`migrate check --step 2`): it holds when both backends received everything (the
// accounting table: acknowledged traces found in Jaeger by id and in the stand-in), and fails with a line naming the
// traces Jaeger lacks once the relay is closed (Jaeger no longer fed) while load goes on.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';

import { loadStack } from '../../src/model/load.js';
import { JaegerClient, PrometheusClient } from '../../src/ops/backends/index.js';
import { dualExportConfig } from '../../src/ops/migrate/jaeger-tempo.js';
import { renderCollectorConfig } from '../../src/render/configs/otelcol.js';
import { freeLoopbackPorts, LOOPBACK_HOST } from '../../src/topology/loopback.js';
import { otelstackAsync, tempDir } from '../support/cli.js';
import { ROOT } from '../support/paths.js';
import { LocalStack } from '../ops/verify/support/local-stack.js';
import { Collector } from './support/collector.js';
import { JaegerServer, TcpRelay } from './support/jaeger.js';
import { SteadyLoad } from './support/load.js';
import { PrometheusServer } from './support/prometheus.js';
import { killAllTracked, waitUntil } from './support/proc.js';
import { loopbackInput } from './support/stacks.js';
import { Setup, makeTempDir, removeTempDir } from './support/tmp.js';

const FROM = join(ROOT, 'test/fixtures/migrate/single-jaeger.yaml');
const TO = join(ROOT, 'examples/single-node');
/** the load's service.name (test/e2e/support/load.ts) */
const SERVICE = 'otelstack-e2e';

interface CheckJson {
  ok: boolean;
  conditions: Array<{ kind: string; status: string; description: string; detail: string }>;
}

/** The trace id SteadyLoad gives the request of a seq `<run>-<tick>-<j>`. */
const traceOfSeq = (seq: string): string => {
  const [run, tick] = seq.split('-') as [string, string];
  return `${run}${(Number(tick) + 1).toString(16).padStart(24, '0')}`;
};

describe('e2e: migrate Jaeger → Tempo, the parallel run on the real collector and the real Jaeger', () => {
  let dir: string | undefined;
  let stack: LocalStack | undefined;
  let jaeger: JaegerServer | undefined;
  let relay: TcpRelay | undefined;
  let gateway: Collector | undefined;
  let prom: PrometheusServer | undefined;
  let load: SteadyLoad | undefined;

  const setup = new Setup(async () => {
    dir = makeTempDir('migrate-jaeger-tempo');
    stack = await LocalStack.start({ ignoreTenant: true });
    jaeger = await JaegerServer.start(dir);
    relay = await TcpRelay.start(jaeger.ports.otlpGrpc);
    const fromStack = (await loadStack(FROM)).stack;
    const toStack = (await loadStack(TO)).stack;
    // the running definition: traces to Jaeger (through the relay); the target: traces to Tempo (the stand-in's OTLP)
    const fromInput = await loopbackInput(fromStack, 'local', { sink: stack.sink, sinkSignals: ['metrics', 'logs'], standIns: { traces: { push: relay.endpoint } } });
    const toInput = await loopbackInput(toStack, 'local', { sink: stack.sink });
    gateway = await Collector.start({ name: 'gateway-0', role: 'gateway', input: toInput, dir, adjust: (cfg) => dualExportConfig(cfg, renderCollectorConfig(fromInput, 'gateway')) });
    const [pp] = (await freeLoopbackPorts(1)) as [number];
    const scrape = `global:\n  scrape_interval: 2s\nscrape_configs:\n  - job_name: gateway\n    static_configs:\n      - targets: ['${LOOPBACK_HOST}:${gateway.ports.metrics}']\n`;
    prom = await PrometheusServer.start(dir, pp, 60_000, { config: scrape });
    return { stack, jaeger, relay, gateway, prom };
  });
  before(setup.run);
  after(async () => {
    await load?.close().catch(() => undefined);
    await gateway?.stop().catch(() => undefined);
    await prom?.stop().catch(() => undefined);
    await relay?.close().catch(() => undefined);
    await jaeger?.stop().catch(() => undefined);
    await stack?.stop().catch(() => undefined);
    killAllTracked();
    removeTempDir(dir);
  });

  it("step 2's rendered config exports the traces pipeline to both backends; the collector runs it", async () => {
    const { gateway } = setup.get();
    const out = tempDir('otelstack-jaeger-tempo-step-');
    const r = await otelstackAsync(['migrate', 'render', FROM, TO, '--env', 'local', '--step', '2', '--force', '--out', out]);
    assert.equal(r.code, 0, r.err);
    const rendered = parse(readFileSync(join(out, 'migrate/local/step-02-parallel-run/otelcol-gateway.yaml'), 'utf8')) as { exporters: Record<string, { endpoint: string }>; service: { pipelines: Record<string, { exporters: string[] }> } };
    assert.deepEqual(rendered.service.pipelines['traces']!.exporters, ['otlp_grpc/tempo', 'otlp_grpc/jaeger']);
    assert.equal(rendered.exporters['otlp_grpc/jaeger']!.endpoint, 'jaeger:4317');
    assert.equal(rendered.exporters['otlp_grpc/tempo']!.endpoint, 'tempo:4317');
    // the process runs the same shape, placed on loopback
    const running = gateway.config as { service: { pipelines: Record<string, { exporters: string[] }> } };
    assert.deepEqual(running.service.pipelines['traces']!.exporters, rendered.service.pipelines['traces']!.exporters);
    for (const p of ['metrics', 'logs']) assert.deepEqual(running.service.pipelines[p]!.exporters, rendered.service.pipelines[p]!.exporters);
  });

  it('the gate holds while both receive everything, and fails naming what Jaeger lacks once it is no longer fed', async () => {
    const { stack, jaeger, relay, gateway, prom } = setup.get();
    const state = join(tempDir('otelstack-jaeger-tempo-state-'), 'state.json');
    const check = async (): Promise<{ code: number; j: CheckJson; raw: string }> => {
      const c = await otelstackAsync(['migrate', 'check', FROM, TO, '--env', 'local', '--step', '2', '--force', '--prometheus-url', prom.url, '--source-url', jaeger.queryUrl, '--target-url', stack.tempo.url, '--service', SERVICE, '--state', state, '--json'], 60_000);
      return { code: c.code ?? -1, j: JSON.parse(c.out || '{"ok":false,"conditions":[]}') as CheckJson, raw: c.out || c.err };
    };

    // phase 1: both fed; the gate's window ends 30 s ago, so the load runs past that before the check
    load = new SteadyLoad({ endpoint: gateway.otlpHttpEndpoint, signals: ['traces'], ticksPerSecond: 4 });
    load.start();
    await sleep(45_000);
    const first = await check();
    console.log(`# parallel run, both fed:\n${first.j.conditions.map((c) => `#   ${c.status.padEnd(5)} ${c.kind}: ${c.detail}`).join('\n')}`);
    assert.equal(first.code, 0, first.raw);
    assert.deepEqual(first.j.conditions.map((c) => [c.kind, c.status]), [['traces', 'hold'], ['promql', 'hold'], ['promql', 'hold']]);
    assert.match(first.j.conditions[0]!.detail, /all \d+ sampled trace ids found in both/);
    // the PromQL zero-gates are not vacuous: Prometheus holds the collector's per-exporter span counters
    const sent = await new PrometheusClient({ url: prom.url }).query('sum by (exporter) (otelcol_exporter_sent_spans)');
    assert.deepEqual(sent.map((s) => s.metric['exporter']).sort(), ['otlp_grpc/jaeger', 'otlp_grpc/tempo'], JSON.stringify(sent));

    // accounting of phase 1: every acknowledged trace reached both backends
    await load.close();
    const acked = [...new Set([...load.book('traces').acked].map(traceOfSeq))];
    const sentTraces = new Set([...load.book('traces').sent].map(traceOfSeq)).size;
    const client = new JaegerClient({ url: jaeger.queryUrl });
    const inTempo = () => new Set(stack.sink.received('traces').items.map((i) => i.span.span.traceId));
    let missingJaeger: string[] = [];
    await waitUntil('every acknowledged trace in Jaeger and in the Tempo stand-in', 60_000, async () => {
      const t = inTempo();
      missingJaeger = [];
      for (const id of acked) if (!(await client.getTrace(id))) missingJaeger.push(id);
      return missingJaeger.length === 0 && acked.every((id) => t.has(id));
    }, { intervalMs: 2000, details: () => `missing in Jaeger: ${missingJaeger.slice(0, 5).join(', ')}` });
    await client.close();
    console.log(['# accounting (phase 1, traces)', '#   sent  acknowledged  in Jaeger  in Tempo stand-in  lost', `#   ${String(sentTraces).padEnd(5)} ${String(acked.length).padEnd(13)} ${String(acked.length - missingJaeger.length).padEnd(10)} ${String(acked.filter((id) => inTempo().has(id)).length).padEnd(18)} 0`].join('\n'));
    assert.ok(acked.length > 100, `enough traces acknowledged: ${acked.length}`);

    // phase 2: Jaeger no longer fed (the relay closed; its query service still answers), load goes on
    await relay.close();
    load = new SteadyLoad({ endpoint: gateway.otlpHttpEndpoint, signals: ['traces'], ticksPerSecond: 4 });
    load.start();
    await sleep(45_000);
    const second = await check();
    const line = second.j.conditions.find((c) => c.kind === 'traces');
    console.log(`# Jaeger no longer fed:\n#   ${line?.status} ${line?.detail}`);
    assert.equal(second.code, 1, second.raw);
    assert.equal(line?.status, 'fail');
    assert.match(line!.detail, /Jaeger \d+, Tempo \d+ \(\d+\.\d % apart, at most 1 %\); Jaeger lacks \d+ of \d+ sampled Tempo traces \([0-9a-f]{32}/);
    // the collector's Jaeger exporter falling behind shows in the PromQL comparison too (it retries, never fails)
    const behind = second.j.conditions.find((c) => c.kind === 'promql' && /as many spans/.test(c.description));
    console.log(`#   ${behind?.status} ${behind?.description}: ${behind?.detail}`);
    assert.equal(behind?.status, 'fail', JSON.stringify(behind));
    const st = JSON.parse(readFileSync(state, 'utf8')) as { passed: Array<{ step: number }> };
    assert.deepEqual(st.passed.map((p) => p.step), [2], 'the passing check was recorded, the failing one was not');
  });
});
