// The self-monitoring rule files: every file of every example passes the real `promtool check rules`; promtool's
// own unit-test runner proves that alerts fire on the series the pinned collector and Loki expose; every metric an
// expression reads is a catalog family the environment's rendered pipeline produces.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { COLLECTOR_METRICS, LOKI_METRICS, familyOf, familyPresence, hasMetricsGenerator } from '../../../src/catalog/metrics.js';
import { expressionsOf, recordedNames, stackRules } from '../../../src/render/rules/index.js';
import { metricNamesOf } from '../../../src/render/rules/promql-names.js';
import { expand } from '../../../src/topology/expand.js';
import { EXAMPLES, example, promtool, render, ruleFiles } from './support.js';

const work = mkdtempSync(join(tmpdir(), 'otelstack-rules-'));
after(() => rmSync(work, { recursive: true, force: true }));

function run(bin: string, args: string[]): { code: number; out: string } {
  try {
    return { code: 0, out: execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 }) };
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    return { code: err.status ?? 1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

describe('rule files of the examples', () => {
  for (const name of EXAMPLES) {
    it(`${name}: one rule file per environment, each passing the real promtool check rules`, async () => {
      const bin = promtool();
      const stack = await example(name);
      const files = ruleFiles(render(stack));
      assert.deepEqual([...files.keys()].sort(), stack.environments.map((e) => e.name).sort());
      for (const [env, { path, text }] of files) {
        const file = join(work, `${name}-${env}.rules.yaml`);
        writeFileSync(file, text);
        const r = run(bin, ['check', 'rules', file]);
        assert.equal(r.code, 0, `promtool check rules ${path}:\n${r.out}`);
        assert.match(r.out, /SUCCESS: \d+ rules found/);
      }
    });

    it(`${name}: every expression parses and reads only catalog metrics the environment produces`, async () => {
      const stack = await example(name);
      for (const e of stack.environments) {
        const t = expand(stack, e.name);
        const { file } = stackRules(stack, t);
        const recorded = recordedNames(file);
        const exprs = expressionsOf(file);
        assert.ok(exprs.length > 0, `${e.name}: rules rendered`);
        for (const { where, expr } of exprs) {
          const { names, errors } = metricNamesOf(expr);
          assert.deepEqual(errors, [], `${where}: ${expr}`);
          assert.ok(names.length > 0, `${where}: reads a metric`);
          for (const n of names) {
            if (recorded.has(n)) continue;
            const f = familyOf(n);
            assert.ok(f, `${e.name} ${where}: ${n} is not in src/catalog/metrics.ts`);
            // RED recording rules are rendered wherever Tempo runs; span metrics need its metrics-generator (spanMetrics)
            if (where.includes('-red/') && !hasMetricsGenerator(t)) continue;
            assert.ok(familyPresence(t, f).present, `${e.name} ${where}: ${n} is not produced by the rendered pipeline`);
          }
        }
      }
    });
  }

  it('rendering is deterministic', async () => {
    const stack = await example('dts');
    const a = ruleFiles(render(stack));
    const b = ruleFiles(render(stack));
    assert.deepEqual([...a], [...b]);
  });

  it('scopes engine alerts to the environment namespace on Kubernetes, and does not scope a shared collector', async () => {
    const stack = await example('dts');
    const prod = ruleFiles(render(stack)).get('prod')!.text;
    const doc = parse(prod) as { groups: Array<{ name: string; rules: Array<{ alert?: string; expr: string }> }> };
    const tempoErrors = doc.groups.flatMap((g) => g.rules).find((r) => r.alert === 'TempoObjectStorageErrors')!;
    assert.match(tempoErrors.expr, /namespace="ca7f8f-prod"/);
    const alloy = doc.groups.find((g) => g.name === 'dts-collector')!.rules.find((r) => r.alert === 'AlloyExportFailures')!;
    assert.doesNotMatch(alloy.expr, /namespace=/, 'the shared Alloy runs outside the environment namespaces');
    assert.match(alloy.expr, new RegExp(COLLECTOR_METRICS.alloy.exporterSendFailed.traces));
  });
});

/** Expands the two template forms the rules use, like Prometheus' alert templating would. */
function expand1(text: string, labels: Record<string, string>, value: number): string {
  return text
    .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_m, k: string) => labels[k] ?? '')
    .replace(/\{\{ \$value \| humanizePercentage \}\}/g, () => `${Number((value * 100).toPrecision(4))}%`)
    .replace(/\{\{ \$value \}\}/g, () => String(value));
}

describe('promtool test rules (alerting behaviour)', () => {
  it('export failures, queue near capacity and Loki append timeouts fire — and stay quiet on healthy series', async () => {
    const bin = promtool();
    const stack = await example('scalable');
    const text = ruleFiles(render(stack)).get('local')!.text;
    const rulesPath = join(work, 'scalable.rules.yaml');
    writeFileSync(rulesPath, text);
    const rules = new Map(
      (parse(text) as { groups: Array<{ rules: Array<{ alert?: string; annotations?: Record<string, string>; labels?: Record<string, string> }> }> }).groups
        .flatMap((g) => g.rules)
        .filter((r) => r.alert)
        .map((r) => [r.alert!, r]),
    );
    const n = COLLECTOR_METRICS.otelcol;
    const target = { job: 'gateway', instance: 'gateway-0:8888', exporter: 'otlp_grpc/tempo' };
    const lbl = (o: Record<string, string>) => `{${Object.entries(o).map(([k, v]) => `${k}="${v}"`).join(',')}}`;
    const expected = (alert: string, labels: Record<string, string>, value: number) => {
      const r = rules.get(alert);
      assert.ok(r, `rule ${alert} rendered`);
      const annotations = Object.fromEntries(Object.entries(r.annotations ?? {}).map(([k, v]) => [k, expand1(v, labels, value)]));
      return { exp_labels: { ...r.labels, ...labels }, exp_annotations: annotations };
    };
    const tests = {
      rule_files: [rulesPath],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: `${n.exporterSendFailed.traces}${lbl(target)}`, values: '0+60x20' },
            { series: `${n.exporterQueueSize}${lbl({ ...target, data_type: 'traces' })}`, values: '900x20' },
            { series: `${n.exporterQueueCapacity}${lbl({ ...target, data_type: 'traces' })}`, values: '1000x20' },
            { series: `${LOKI_METRICS.ingesterAppendTimeouts}{ingester="10.0.0.7:9095"}`, values: '0+30x20' },
            // a healthy exporter: no failures, a nearly empty queue
            { series: `${n.exporterSendFailed.metrics}${lbl({ ...target, exporter: 'otlp_http/mimir' })}`, values: '5x20' },
            { series: `${n.exporterQueueSize}${lbl({ ...target, exporter: 'otlp_http/mimir', data_type: 'metrics' })}`, values: '3x20' },
            { series: `${n.exporterQueueCapacity}${lbl({ ...target, exporter: 'otlp_http/mimir', data_type: 'metrics' })}`, values: '1000x20' },
          ],
          alert_rule_test: [
            // pending (for: 5m) at minute 3, firing at minute 10
            { eval_time: '3m', alertname: 'OTelCollectorExportFailures', exp_alerts: [] },
            { eval_time: '10m', alertname: 'OTelCollectorExportFailures', exp_alerts: [expected('OTelCollectorExportFailures', target, 1)] },
            { eval_time: '10m', alertname: 'OTelCollectorQueueNearCapacity', exp_alerts: [expected('OTelCollectorQueueNearCapacity', target, 0.9)] },
            // 90 % is below the critical threshold
            { eval_time: '10m', alertname: 'OTelCollectorQueueFull', exp_alerts: [] },
            { eval_time: '10m', alertname: 'OTelCollectorEnqueueFailures', exp_alerts: [] },
            { eval_time: '10m', alertname: 'LokiIngesterAppendTimeouts', exp_alerts: [expected('LokiIngesterAppendTimeouts', { ingester: '10.0.0.7:9095' }, 0.5)] },
          ],
        },
      ],
    };
    const testPath = join(work, 'scalable.test.yaml');
    writeFileSync(testPath, stringify(tests, { lineWidth: 0 }));
    const r = run(bin, ['test', 'rules', testPath]);
    assert.equal(r.code, 0, `promtool test rules:\n${r.out}`);
    assert.match(r.out, /SUCCESS/);
  });
});
