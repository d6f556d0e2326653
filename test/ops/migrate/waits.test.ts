// Timed waits of `migrate check` (e.g. "the next TSDB head compaction: 2 h" after the distributors are scaled to 0):
// the first check of the step starts the clock and records it in the state file; the wait holds once its time has
// passed since then, and fails with what is left before.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { MIMIR_READ_WRITE_MIGRATION as M } from '../../../src/catalog/migrations.js';
import { loadStack } from '../../../src/model/load.js';
import { checkGate } from '../../../src/ops/migrate/check.js';
import { planMigration } from '../../../src/ops/migrate/plan.js';
import { otelstackSync, tempDirs } from '../../support/cli.js';
import { ROOT } from '../../support/paths.js';

const FROM = join(ROOT, 'test/fixtures/migrate/mimir-microservices.yaml');
const TO = join(ROOT, 'test/fixtures/migrate/mimir-read-write.yaml');
const tmp = tempDirs('otelstack-migrate-waits-');

describe('migrate check: timed waits', () => {
  it('holds once the wait has passed since the first check, fails with what is left before', async () => {
    const from = await loadStack(FROM);
    const to = await loadStack(TO);
    const plan = planMigration({ fromFile: from.file, fromStack: from.stack, toFile: to.file, toStack: to.stack, env: 'prod' });
    const step = plan.runbook!.steps.find((s) => s.id === 'scale-down-distributors')!;
    assert.deepEqual(step.gate.map((g) => [g.kind, g.kind === 'wait' ? g.seconds : undefined]), [['wait', M.headCompactionWait.seconds]]);
    const now = new Date('2026-12-03T12:00:00Z');
    const early = await checkGate(step, { url: 'http://127.0.0.1:1', api: 'prometheus', waitStartedAt: new Date('2026-12-03T11:00:00Z'), now });
    assert.equal(early.ok, false);
    assert.match(early.conditions[0]!.detail, /^1h 0m of 2h 0m left, since 2026-12-03T11:00:00.000Z .*not before 2026-12-03T13:00:00.000Z/);
    const late = await checkGate(step, { url: 'http://127.0.0.1:1', api: 'prometheus', waitStartedAt: new Date('2026-12-03T09:59:00Z'), now });
    assert.equal(late.ok, true);
    assert.equal(late.conditions[0]!.status, 'hold');
  });

  it('CLI: the first check starts the clock (exit 1, recorded); once the time has passed the step passes', () => {
    const state = join(tmp(), 'state.json');
    const args = ['migrate', 'check', FROM, TO, '--env', 'prod', '--step', '11', '--force', '--prometheus-url', 'http://127.0.0.1:1', '--state', state, '--json'];
    const first = otelstackSync(args);
    assert.equal(first.code, 1, first.err);
    const j = JSON.parse(first.out) as { ok: boolean; conditions: Array<{ status: string; detail: string }> };
    assert.equal(j.ok, false);
    assert.match(j.conditions[0]!.detail, /2h 0m of 2h 0m left, starting now/);
    const s = JSON.parse(readFileSync(state, 'utf8')) as { waits: Array<{ step: number; startedAt: string }>; passed: unknown[] };
    assert.equal(s.waits.length, 1);
    assert.equal(s.waits[0]!.step, 11);
    assert.deepEqual(s.passed, []);
    // the clock keeps its start: a second check does not restart it
    const second = otelstackSync(args);
    assert.equal(second.code, 1);
    assert.equal((JSON.parse(readFileSync(state, 'utf8')) as typeof s).waits[0]!.startedAt, s.waits[0]!.startedAt);
    // two and a half hours later (the recorded start moved back)
    s.waits[0]!.startedAt = new Date(Date.now() - 2.5 * 3600 * 1000).toISOString();
    writeFileSync(state, JSON.stringify(s));
    const after = otelstackSync(args);
    assert.equal(after.code, 0, after.out);
    const passed = JSON.parse(readFileSync(state, 'utf8')) as { passed: Array<{ step: number; forced: boolean }>; waits: unknown[] };
    assert.deepEqual(passed.passed.map((p) => [p.step, p.forced]), [[11, true]]);
    assert.equal(passed.waits.length, 1);
  });
});
