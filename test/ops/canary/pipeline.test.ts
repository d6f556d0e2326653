// The canary against real engines: the real OpenTelemetry Collector running the rendered single-node gateway
// config as the ingestion endpoint, exporting to the OTLP test sink (which stands in for Tempo, Mimir and Loki:
// test/ops/verify/support/local-stack.ts), a real Prometheus fed by remote write with exemplars for the metrics,
// Tempo and Loki answering their query APIs from what the sink received. The canary's /metrics is scraped over
// HTTP. A round during a refusal longer than its deadline raises the missing counter, and promtool's test of the
// rendered loss alert fires on those scraped values; stopping the sink raises the write→visible latency, then loss.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { stringify } from 'yaml';

import { CANARY_METRICS as M } from '../../../src/catalog/canary.js';
import { CanaryMetrics, runRound, serveMetrics, type MetricsServer, type RoundReport } from '../../../src/ops/canary/index.js';
import { createVerifyClients, resolveTargets, type OwnedClients, type VerifyTargets } from '../../../src/ops/verify/index.js';
import { Collector } from '../../e2e/support/collector.js';
import { killAllTracked } from '../../e2e/support/proc.js';
import { loadExample, loopbackInput } from '../../e2e/support/stacks.js';
import { makeTempDir, removeTempDir } from '../../e2e/support/tmp.js';
import { PrometheusProcess } from '../backends/support/prometheus-process.js';
import { LocalStack } from '../verify/support/local-stack.js';
import { alertsOf, expected, run, withCanary } from '../../render/rules/canary-support.js';
import { promtool, render, ruleFiles } from '../../render/rules/support.js';

const FAST = { initialMs: 50, maxMs: 250, factor: 1.5 };
const SIGNALS = ['traces', 'metrics', 'logs'] as const;

/** One series' value in an exposition text (exact label set). */
function value(text: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inner = line.slice(name.length + 1, line.indexOf('}'));
    if (inner.split(',').sort().join(',') === want) return Number(line.slice(line.indexOf('}') + 1));
  }
  throw new Error(`no ${name}{${want}} in the scrape:\n${text}`);
}

describe('canary: real collector + real Prometheus + stand-ins', () => {
  let dir: string | undefined;
  let prom: PrometheusProcess | undefined;
  let stack: LocalStack | undefined;
  let gateway: Collector | undefined;
  let clients: OwnedClients | undefined;
  let server: MetricsServer | undefined;
  let targets: VerifyTargets;
  const metrics = new CanaryMetrics();

  before(async () => {
    dir = makeTempDir('canary');
    prom = await PrometheusProcess.start();
    stack = await LocalStack.start({ prometheus: prom, ignoreTenant: true });
    const definition = withCanary(await loadExample('single-node'));
    const input = await loopbackInput(definition, 'local', { sink: stack.sink });
    gateway = await Collector.start({ name: 'gateway', role: 'gateway', input, dir });
    assert.ok(input.topology.canary, 'the variant deploys a canary');
    targets = resolveTargets(input.topology, { otlpEndpoint: gateway.otlpGrpcEndpoint, tempoUrl: stack.tempo.url, prometheusUrl: prom.url, lokiUrl: stack.loki.url });
    clients = createVerifyClients(targets, { pushBudgetMs: 5000, requestTimeoutMs: 5000 });
    metrics.register(targets.env);
    server = await serveMetrics(metrics, '127.0.0.1', 0);
  });
  after(async () => {
    await server?.close();
    await clients?.close();
    await gateway?.stop();
    await stack?.stop();
    await prom?.stop();
    killAllTracked();
    removeTempDir(dir);
  });

  const round = async (deadlineMs: number): Promise<RoundReport> => {
    metrics.roundStarted(targets.env);
    const r = await runRound(targets, clients!, { deadlineMs, backoff: FAST });
    metrics.record(r);
    return r;
  };
  const scrape = async (): Promise<string> => {
    const res = await request(`http://127.0.0.1:${server!.port}/metrics`);
    assert.equal(res.statusCode, 200);
    return res.body.text();
  };
  const missing = (text: string) => Object.fromEntries(SIGNALS.map((s) => [s, value(text, M.missing, { env: 'local', signal: s })]));

  it('a healthy round through the real collector finds all three items and follows both links', async () => {
    const r = await round(30_000);
    assert.equal(r.ok, true, JSON.stringify(r.verify.checks, null, 2));
    for (const s of r.signals) {
      assert.equal(s.status, 'found', `${s.signal}: ${s.detail}`);
      assert.equal(s.copies, 1, `${s.signal}: exactly one copy`);
      assert.ok(s.stages.accepted !== undefined && s.stages.visible !== undefined);
    }
    assert.ok(r.signals.find((s) => s.signal === 'metrics')!.stages.linked !== undefined, 'exemplar → trace followed');
    assert.ok(r.signals.find((s) => s.signal === 'logs')!.stages.linked !== undefined, 'log → trace followed');
    const text = await scrape();
    for (const s of SIGNALS) assert.equal(value(text, M.found, { env: 'local', signal: s }), 1);
    assert.ok(value(text, M.lastSuccess, { env: 'local' }) * 1000 >= r.startedAt);
  });

  it('a round that loses its items raises the missing counter, and the rendered loss alert fires on the scraped values', async () => {
    const before = missing(await scrape());
    // the sink refuses everything for longer than the round's deadline: the collector keeps retrying, nothing
    // becomes visible in time
    stack!.sink.refuse(true);
    let r: RoundReport;
    try {
      r = await round(3000);
    } finally {
      stack!.sink.refuse(false);
    }
    assert.equal(r.ok, false);
    for (const s of r.signals) assert.equal(s.status, 'missing', `${s.signal}: ${s.detail}`);
    // the collector accepted every push: the loss is downstream of the ingestion endpoint
    for (const s of r.signals) assert.ok(s.stages.accepted !== undefined && s.pushError === undefined, `${s.signal} accepted`);
    const afterScrape = await scrape();
    const now = missing(afterScrape);
    for (const s of SIGNALS) assert.equal(now[s], before[s]! + 1, `${s}: missing +1`);
    assert.equal(value(afterScrape, M.rounds, { env: 'local', result: 'failed' }), 1);

    // promtool test rules: the rendered rule file of this very definition, on series with the scraped values
    const bin = promtool();
    const text = ruleFiles(render(withCanary(await loadExample('single-node')))).get('local')!.text;
    const rules = alertsOf(text);
    const rulesPath = join(dir!, 'canary.rules.yaml');
    writeFileSync(rulesPath, text);
    const series = SIGNALS.map((s) => ({ series: `${M.missing}{env="local",signal="${s}"}`, values: `${before[s]}x3 ${now[s]}x12` }));
    const tests = {
      rule_files: [rulesPath],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: series,
          alert_rule_test: [
            { eval_time: '2m', alertname: 'OtelstackCanaryLoss', exp_alerts: [] },
            { eval_time: '5m', alertname: 'OtelstackCanaryLoss', exp_alerts: SIGNALS.map((s) => expected(rules, 'OtelstackCanaryLoss', { env: 'local', signal: s })) },
          ],
        },
      ],
    };
    const testPath = join(dir!, 'canary.test.yaml');
    writeFileSync(testPath, stringify(tests, { lineWidth: 0 }));
    const p = run(bin, ['test', 'rules', testPath]);
    assert.equal(p.code, 0, `promtool test rules:\n${p.out}`);
  });

  it('stopping the sink raises the write→visible latency (the items arrive once it is back), then loss', async () => {
    // settle: what the refusal held back has been delivered, and a round passes again
    const settled = await round(60_000);
    assert.equal(settled.ok, true, JSON.stringify(settled.signals, null, 2));
    const latencySum = (text: string, s: string) => value(text, `${M.latency}_sum`, { env: 'local', signal: s, stage: 'visible' });
    const before = await scrape();

    // 1. the sink down for 3 s after the push: the collector queues and retries, the items are late, not lost
    const downMs = 3000;
    await stack!.sink.stop();
    const slow = round(60_000);
    await sleep(downMs);
    await stack!.sink.start();
    const r = await slow;
    assert.equal(r.ok, true, JSON.stringify(r.signals, null, 2));
    for (const s of r.signals) {
      // nothing can be visible before the sink is back (the round started before the sleep began)
      assert.ok(s.stages.visible! >= downMs - 100, `${s.signal} visible after ${s.stages.visible} ms, the sink was down ${downMs} ms`);
      assert.ok(s.stages.visible! > settled.signals.find((x) => x.signal === s.signal)!.stages.visible!, `${s.signal}: later than with the sink up`);
    }
    const mid = await scrape();
    for (const s of SIGNALS) assert.ok(latencySum(mid, s) - latencySum(before, s) >= (downMs - 100) / 1000, `${s}: the histogram saw the delay`);

    // 2. the sink down for longer than the deadline: loss
    const lostBefore = missing(mid);
    await stack!.sink.stop();
    let lost: RoundReport;
    try {
      lost = await round(3000);
    } finally {
      await stack!.sink.start();
    }
    for (const s of lost.signals) assert.equal(s.status, 'missing', `${s.signal}: ${s.detail}`);
    const end = await scrape();
    for (const s of SIGNALS) assert.equal(missing(end)[s], lostBefore[s]! + 1);
    // kept for the README's excerpt
    writeFileSync(join(process.env['OTELSTACK_CANARY_SCRAPE_DIR'] ?? dir!, 'canary-scrape.txt'), end);
    if (process.env['OTELSTACK_CANARY_SCRAPE_DIR']) process.stdout.write(`# scrape written to ${process.env['OTELSTACK_CANARY_SCRAPE_DIR']}/canary-scrape.txt\n`);
  });
});
