// The canary's alert rules: rendered only where the definition deploys the canary, checked by the real
// `promtool check rules`, and exercised by `promtool test rules` on series named as the canary exposes them
// (src/catalog/canary.ts): a lost item, a slow write→read path, the canary down, no successful round.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { stringify } from 'yaml';

import { CANARY_ALERTS, CANARY_METRICS as M } from '../../../src/catalog/canary.js';
import { stackRules } from '../../../src/render/rules/index.js';
import { expand } from '../../../src/topology/expand.js';
import { alertsOf, expected, run, withCanary } from './canary-support.js';
import { example, promtool, render, ruleFiles } from './support.js';

const work = mkdtempSync(join(tmpdir(), 'otelstack-canary-rules-'));
after(() => rmSync(work, { recursive: true, force: true }));

const lbl = (o: Record<string, string>) => `{${Object.entries(o).map(([k, v]) => `${k}="${v}"`).join(',')}}`;

describe('canary alert rules', () => {
  it('are rendered only with the canary, for every target, and pass promtool check rules', async () => {
    const bin = promtool();
    for (const name of ['dts', 'single-node', 'scalable'] as const) {
      const { canary: _c, ...plain } = await example(name);
      for (const e of plain.environments) assert.equal(stackRules(plain, expand(plain, e.name)).file.groups.some((g) => g.name.endsWith('-canary')), false, `${name}/${e.name}: no canary, no canary rules`);
      const stack = withCanary(plain);
      for (const [env, { text }] of ruleFiles(render(stack))) {
        const alerts = alertsOf(text);
        for (const a of ['OtelstackCanaryLoss', 'OtelstackCanarySlow', 'OtelstackCanaryDown', 'OtelstackCanaryNoSuccess']) assert.ok(alerts.has(a), `${name}/${env}: ${a}`);
        const file = join(work, `${name}-${env}.rules.yaml`);
        writeFileSync(file, text);
        const r = run(bin, ['check', 'rules', file]);
        assert.equal(r.code, 0, `promtool check rules ${name}/${env}:\n${r.out}`);
      }
    }
  });

  it('Kubernetes: the canary down alert also reads the scrape of its pod (job <namespace>/otelstack-canary)', async () => {
    const stack = withCanary(await example('dts'));
    const down = stackRules(stack, expand(stack, 'prod')).file.groups.flatMap((g) => g.rules).find((r) => 'alert' in r && r.alert === 'OtelstackCanaryDown')!;
    assert.equal(down.expr, `(up{job="ca7f8f-prod/otelstack-canary"} == 0) or absent(${M.rounds}{env="prod"})`);
  });

  it('promtool test rules: loss, latency, down and no-success fire on the canary\'s series, and stay quiet when healthy', async () => {
    const bin = promtool();
    const stack = withCanary(await example('single-node'));
    const text = ruleFiles(render(stack)).get('local')!.text;
    const rules = alertsOf(text);
    const rulesPath = join(work, 'single-node-canary.rules.yaml');
    writeFileSync(rulesPath, text);
    const env = { env: 'local' };
    const sig = (signal: string) => ({ ...env, signal });
    const bucket = (signal: string, le: string, values: string) => ({ series: `${M.latency}_bucket${lbl({ ...sig(signal), stage: 'visible', le })}`, values });
    // latency: traces become slow (every observation above 60 s from minute 0), logs stay fast
    const latency = [
      bucket('traces', '1', '0+0x40'),
      bucket('traces', '30', '0+0x40'),
      bucket('traces', '60', '0+0x40'),
      bucket('traces', '+Inf', '0+2x40'),
      bucket('logs', '1', '0+2x40'),
      bucket('logs', '30', '0+2x40'),
      bucket('logs', '60', '0+2x40'),
      bucket('logs', '+Inf', '0+2x40'),
    ];
    const tests = {
      rule_files: [rulesPath],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            // one logs item missing at minute 4; traces never
            { series: `${M.missing}${lbl(sig('logs'))}`, values: '0 0 0 0 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1' },
            { series: `${M.missing}${lbl(sig('traces'))}`, values: '0x20' },
            { series: `${M.rounds}${lbl({ ...env, result: 'ok' })}`, values: '0+2x40' },
            // last success 60 s into the test, never again: stale after 10 intervals (300 s) + for 5m
            { series: `${M.lastSuccess}${lbl(env)}`, values: '60x40' },
            ...latency,
          ],
          alert_rule_test: [
            { eval_time: '3m', alertname: 'OtelstackCanaryLoss', exp_alerts: [] },
            { eval_time: '5m', alertname: 'OtelstackCanaryLoss', exp_alerts: [expected(rules, 'OtelstackCanaryLoss', sig('logs'))] },
            // the window has passed: the loss is no longer news
            { eval_time: '16m', alertname: 'OtelstackCanaryLoss', exp_alerts: [] },
            { eval_time: '5m', alertname: 'OtelstackCanarySlow', exp_alerts: [] },
            { eval_time: '25m', alertname: 'OtelstackCanarySlow', exp_alerts: [expected(rules, 'OtelstackCanarySlow', sig('traces'))] },
            { eval_time: '25m', alertname: 'OtelstackCanaryDown', exp_alerts: [] },
            { eval_time: '5m', alertname: 'OtelstackCanaryNoSuccess', exp_alerts: [] },
            { eval_time: `${Math.ceil((60 + CANARY_ALERTS.staleIntervals * 30) / 60) + 6}m`, alertname: 'OtelstackCanaryNoSuccess', exp_alerts: [expected(rules, 'OtelstackCanaryNoSuccess', env)] },
          ],
        },
        {
          // the canary's series are gone (it is down): down fires after its for: 5m
          interval: '1m',
          input_series: [{ series: `${M.rounds}${lbl({ env: 'other', result: 'ok' })}`, values: '0+2x20' }],
          alert_rule_test: [
            { eval_time: '3m', alertname: 'OtelstackCanaryDown', exp_alerts: [] },
            { eval_time: '6m', alertname: 'OtelstackCanaryDown', exp_alerts: [expected(rules, 'OtelstackCanaryDown', env)] },
          ],
        },
      ],
    };
    const testPath = join(work, 'single-node-canary.test.yaml');
    writeFileSync(testPath, stringify(tests, { lineWidth: 0 }));
    const r = run(bin, ['test', 'rules', testPath]);
    assert.equal(r.code, 0, `promtool test rules:\n${r.out}`);
    assert.match(r.out, /SUCCESS/);
  });
});
