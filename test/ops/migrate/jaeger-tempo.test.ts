// The "Jaeger → Tempo" runbook's plan and step files: Tempo beside Jaeger, the parallel run (the target's collector
// config with the running Jaeger exporter kept), the datasource cutover (Jaeger kept, not default), Tempo only, the
// history, Jaeger retired last; the loader's refusal of a Jaeger otelstack would deploy. Its parallel run runs on the
// real collector and the real Jaeger in test/e2e/migrate-jaeger-tempo.test.ts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';

import { DefinitionError } from '../../../src/model/errors.js';
import { loadStack, validateDefinition } from '../../../src/model/load.js';
import { checkGate } from '../../../src/ops/migrate/check.js';
import { dualExportConfig, jaegerTempoRefusal } from '../../../src/ops/migrate/jaeger-tempo.js';
import { planMigration } from '../../../src/ops/migrate/plan.js';
import { renderMigrationPlan } from '../../../src/ops/migrate/report.js';
import { renderMigrationStep, stepDir } from '../../../src/ops/migrate/render.js';
import { expand } from '../../../src/topology/expand.js';
import { otelstackAsync, tempDir } from '../../support/cli.js';
import { ROOT } from '../../support/paths.js';

const FROM = join(ROOT, 'test/fixtures/migrate/single-jaeger.yaml');
const TO = join(ROOT, 'examples/single-node');

async function plan() {
  const from = await loadStack(FROM);
  const to = await loadStack(TO);
  return { from, to, p: planMigration({ fromFile: from.file, fromStack: from.stack, toFile: to.file, toStack: to.stack, env: 'local' }) };
}

type Cfg = { exporters: Record<string, { endpoint: string }>; service: { pipelines: Record<string, { exporters: string[] }> } };

describe('migrate plan: Jaeger → Tempo', () => {
  it('the steps in order, everything covered, Tempo counted (Jaeger is budgeted where it runs), Jaeger last', async () => {
    const { p } = await plan();
    assert.equal(p.runbook?.id, 'jaeger-to-tempo');
    assert.deepEqual(p.runbook.steps.map((s) => s.id), ['tempo-up', 'parallel-run', 'datasource', 'tempo-only', 'keep-history', 'retire-jaeger']);
    assert.deepEqual(p.uncovered, []);
    assert.deepEqual(p.findings, []);
    assert.deepEqual(p.runbook.steps[0]!.replicas, { tempo: 1 });
    // the peak: Tempo beside everything that was there (Jaeger is not in the namespace's budget)
    assert.ok(p.peak!.peak.cpuRequestMillicores > p.peak!.states[0]!.totals.cpuRequestMillicores);
    assert.deepEqual(p.runbook.steps[1]!.gate.map((g) => g.kind), ['traces', 'promql', 'promql']);
    const md = renderMigrationPlan(p, 'markdown');
    assert.match(md, /## Step 2: The gateways export traces to both Jaeger and Tempo/);
    assert.match(md, /traces on source and target \(service "otelstack-canary" unless --service/);
    assert.ok(JSON.parse(renderMigrationPlan(p, 'json')).runbook.steps.length === 6);
  });

  it('step 2 renders the target config with the running Jaeger exporter kept in the traces pipeline only', async () => {
    const { from, p } = await plan();
    const step = p.runbook!.steps[1]!;
    const files = renderMigrationStep(p, 2, from.stack);
    const cfg = parse(files.get(`${stepDir(p, step)}/otelcol-gateway.yaml`)!) as Cfg;
    assert.deepEqual(cfg.service.pipelines['traces']!.exporters, ['otlp_grpc/tempo', 'otlp_grpc/jaeger']);
    assert.equal(cfg.exporters['otlp_grpc/jaeger']!.endpoint, 'jaeger:4317');
    assert.ok(!cfg.service.pipelines['logs']!.exporters.includes('otlp_grpc/jaeger'));
    assert.match(files.get(`${stepDir(p, step)}/README.md`)!, /otelcol-gateway\.yaml/);
    // the running config (the from render) exports to Jaeger only
    const out = tempDir('otelstack-jaeger-render-');
    const r = await otelstackAsync(['render', FROM, '--out', out]);
    assert.equal(r.code, 0, r.err);
    const running = parse(readFileSync(join(out, 'compose/local/otelcol-gateway.yaml'), 'utf8')) as Cfg;
    assert.deepEqual(running.service.pipelines['traces']!.exporters, ['otlp_grpc/jaeger']);
  });

  it('dualExportConfig refuses a running config with no traces exporter the target lacks', () => {
    const c = { exporters: { 'otlp_grpc/tempo': {} }, service: { pipelines: { traces: { receivers: [], processors: [], exporters: ['otlp_grpc/tempo'] } } } };
    assert.throws(() => dualExportConfig(c, c), /no traces exporter the target lacks/);
  });

  it('step 3 renders the datasources: Tempo, and Jaeger kept but not default; step 6 none of Jaeger', async () => {
    const { from, p } = await plan();
    const files = renderMigrationStep(p, 3, from.stack);
    const ds = parse(files.get(`${stepDir(p, p.runbook!.steps[2]!)}/datasources.yaml`)!) as { datasources: Array<{ type: string; url: string; isDefault: boolean }> };
    const byType = Object.fromEntries(ds.datasources.map((d) => [d.type, d]));
    assert.equal(byType['tempo']?.url, 'http://tempo:3200');
    assert.equal(byType['jaeger']?.url, 'http://jaeger:16686');
    assert.equal(byType['jaeger']?.isDefault, false);
    assert.equal(byType['prometheus']?.isDefault, true);
  });

  it('the traces comparison is manual without --source-url / --target-url, saying what to pass', async () => {
    const { p } = await plan();
    const step = p.runbook!.steps[1]!;
    const g = await checkGate({ ...step, gate: step.gate.filter((x) => x.kind === 'traces') }, { url: 'http://127.0.0.1:1', api: 'prometheus' });
    assert.equal(g.conditions[0]!.status, 'manual');
    assert.match(g.conditions[0]!.detail, /--source-url \(Jaeger's query service.*--target-url \(Tempo's HTTP API/);
  });

  it('refuses targets other than compose, and a Jaeger otelstack would deploy (exit 2 at load)', async () => {
    const { from, to } = await plan();
    const a = expand(from.stack, 'local');
    const b = expand(to.stack, 'local');
    assert.equal(jaegerTempoRefusal(a, b), undefined);
    assert.match(jaegerTempoRefusal({ ...a, env: { ...a.env, target: 'kubernetes' } }, b)!, /covers compose environments/);
    const raw = parse(readFileSync(FROM, 'utf8')) as { signals: { traces: { managed?: boolean } } };
    delete raw.signals.traces.managed;
    assert.throws(
      () => validateDefinition('x.yaml', raw),
      (e: unknown) => e instanceof DefinitionError && /signals\.traces\.managed/.test(e.message) && /does not deploy one/.test(e.message),
    );
  });
});
