// The "Prometheus → Mimir" runbook's plan: remote write first (the step's prometheus.yml, comparisons on both query
// APIs), then the collectors, the datasources, Prometheus's retention, and its retirement. Its dual-write gate runs on
// real Prometheus in test/e2e/migrate-prometheus-mimir.test.ts.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';

import { PROMETHEUS_MIGRATION as P } from '../../../src/catalog/migrations.js';
import { loadStack } from '../../../src/model/load.js';
import { checkGate } from '../../../src/ops/migrate/check.js';
import { planMigration } from '../../../src/ops/migrate/plan.js';
import { renderMigrationStep, stepDir } from '../../../src/ops/migrate/render.js';
import { ROOT } from '../../support/paths.js';

const FROM = join(ROOT, 'test/fixtures/migrate/single-prometheus.yaml');
const TO = join(ROOT, 'examples/single-node');

describe('migrate plan: Prometheus → Mimir', () => {
  it('the steps in order, everything covered, the remote-write config of step 2 with the push endpoint of the target Mimir', async () => {
    const from = await loadStack(FROM);
    const to = await loadStack(TO);
    const p = planMigration({ fromFile: from.file, fromStack: from.stack, toFile: to.file, toStack: to.stack, env: 'local' });
    assert.equal(p.runbook?.id, 'prometheus-to-mimir');
    assert.deepEqual(p.runbook.steps.map((s) => s.id), ['mimir-up', 'remote-write', 'collectors', 'datasources', 'keep-history', 'retire-prometheus']);
    assert.deepEqual(p.uncovered, []);
    assert.deepEqual(p.findings, []);
    const step2 = p.runbook.steps[1]!;
    const files = renderMigrationStep(p, 2, from.stack);
    const cfg = parse(files.get(`${stepDir(p, step2)}/prometheus.yml`)!) as { remote_write: Array<{ url: string }>; scrape_configs: unknown[] };
    assert.deepEqual(cfg.remote_write.map((r) => new URL(r.url).pathname), ['/api/v1/push']);
    assert.ok(cfg.scrape_configs.length > 0, "the running Prometheus's scrapes are kept");
    assert.deepEqual(step2.gate.map((g) => g.kind), ['promql', 'promql', 'compare', 'compare']);
    assert.equal(p.runbook.steps[4]!.gate[0]!.kind === 'wait' && p.runbook.steps[4]!.gate[0]!.seconds, P.defaultRetention.seconds);
    assert.deepEqual([p.runbook.steps[0]!.replicas['prometheus'], p.runbook.steps[5]!.replicas['prometheus']], [1, 0]);
    // without --target-url the comparisons are listed as manual, saying what to pass
    const g = await checkGate({ ...step2, gate: step2.gate.filter((x) => x.kind === 'compare') }, { url: 'http://127.0.0.1:1', api: 'prometheus' });
    assert.ok(g.conditions.every((c) => c.status === 'manual' && /--target-url/.test(c.detail)));
  });
});
