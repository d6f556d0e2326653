import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

import { MIMIR_READ_WRITE_MIGRATION } from '../../../src/catalog/migrations.js';
import { validateDefinition } from '../../../src/model/load.js';
import type { Stack } from '../../../src/model/schema.js';
import { differences, peakOf, planMigration, stateTotals, topologies } from '../../../src/ops/migrate/plan.js';
import { defaultStateFile, nextStep, readState, recordPass } from '../../../src/ops/migrate/state.js';
import type { ResourceState } from '../../../src/ops/migrate/types.js';
import type { ReplicaResources } from '../../../src/topology/types.js';
import { otelstackSync, tempDirs } from '../../support/cli.js';
import { ROOT } from '../../support/paths.js';

const FROM = join(ROOT, 'test/fixtures/migrate/mimir-microservices.yaml');
const TO = join(ROOT, 'test/fixtures/migrate/mimir-read-write.yaml');
const tmp = tempDirs('otelstack-migrate-');

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const raw = (file: string): Raw => parseYaml(readFileSync(file, 'utf8')) as Raw;
const stack = (file: string, edit: (r: Raw) => void = () => {}): Stack => {
  const r = raw(file);
  edit(r);
  return validateDefinition(file, r);
};
const planTopologies = () => topologies({ fromFile: FROM, fromStack: stack(FROM), toFile: TO, toStack: stack(TO), env: 'prod' });
const plan = (from: Stack, to: Stack, env = 'prod') => planMigration({ fromFile: FROM, fromStack: from, toFile: TO, toStack: to, env });
/** writes an edited copy of a fixture and returns its path */
const variant = (file: string, edit: (r: Raw) => void): string => {
  const r = raw(file);
  edit(r);
  const out = join(tmp(), 'stack.yaml');
  writeFileSync(out, stringifyYaml(r));
  return out;
};

describe('migrate plan: runbook selection and steps', () => {
  it('microservices → read-write selects the seed 004 runbook, its steps in the documented order', () => {
    const p = plan(stack(FROM), stack(TO));
    assert.equal(p.runbook?.id, 'mimir-microservices-to-read-write');
    assert.deepEqual(p.runbook!.steps.map((s) => s.id), [
      'zone-awareness',
      'deploy-read-write-at-zero',
      'scale-up-read',
      'route-reads',
      'scale-up-backend',
      'route-backend',
      'scale-down-read-backend-microservices',
      'disable-ruler-remote-evaluation',
      'scale-up-write',
      'route-writes',
      'scale-down-distributors',
      'scale-down-ingesters-zone-a',
      'scale-down-ingesters-zone-b',
      'scale-down-ingesters-zone-c',
      'cleanup',
    ]);
    assert.deepEqual(p.runbook!.steps.map((s) => s.n), p.runbook!.steps.map((_, i) => i + 1));
    assert.deepEqual(p.uncovered, []);
  });

  it('steps carry the definitions\' replica counts, the seed\'s jsonnet keys, gates and waits', () => {
    const rb = plan(stack(FROM), stack(TO)).runbook!;
    const by = (id: string) => rb.steps.find((s) => s.id === id)!;
    assert.match(by('deploy-read-write-at-zero').change.jsonnet!, /deployment_mode: 'migration',\n\n {4}mimir_write_replicas: 0,\n {4}mimir_read_replicas: 0,\n {4}mimir_backend_replicas: 0,\n {4}autoscaling_mimir_read_enabled: false,/);
    assert.match(by('scale-up-read').change.jsonnet!, /mimir_read_replicas: 3,/);
    assert.equal(by('scale-up-read').replicas['mimir-read'], 3);
    const g = by('scale-up-read').gate[0]!;
    assert.ok(g.kind === 'promql' && g.expect === 'nonzero' && g.query.includes('cortex_querier_request_duration_seconds_count{job=~".*mimir-read.*"'));
    const qf = by('route-reads').gate[0]!;
    assert.ok(qf.kind === 'promql' && qf.expect === 'zero' && qf.query.includes('cortex_query_frontend_queries_total') && qf.query.includes('pod!~"ruler-query-frontend.*"'));
    assert.deepEqual(by('scale-up-backend').gate.filter((c) => c.kind === 'ring').map((c) => (c.kind === 'ring' ? c.ring : '')), ['query-scheduler', 'store-gateway', 'compactor', 'ruler']);
    const wait = by('scale-down-distributors').gate[0]!;
    assert.ok(wait.kind === 'wait' && wait.seconds === MIMIR_READ_WRITE_MIGRATION.headCompactionWait.seconds && wait.seconds === 7200);
    assert.match(by('scale-down-ingesters-zone-b').change.jsonnet!, /ingester_zone_b_statefulset\+:\n {4}statefulSet\.mixin\.spec\.withReplicas\(0\),/);
    assert.equal(by('scale-down-ingesters-zone-b').replicas['ingester'], 1);
    assert.match(by('cleanup').change.jsonnet!, /deployment_mode: 'read-write',/);
    // Helm keys on kubernetes, each checked in the stored values.yaml (the fixtures' Mimir 2.17 runs chart 5.8.0), as the notes say
    const helm = by('scale-down-read-backend-microservices').change.helm!;
    assert.ok(helm.some((k) => k.key === 'querier.replicas' && k.value === 0));
    assert.ok(rb.steps.flatMap((s) => s.change.helm ?? []).every((k) => k.verified === true));
    assert.ok(rb.notes.includes(MIMIR_READ_WRITE_MIGRATION.helmKeysNote5('5.8.0')), rb.notes.join('\n'));
    assert.ok(!rb.notes.some((n) => /every Helm key below is unverified/.test(n)));
    // the chart's ruler remote evaluation goes off in the same step as the jsonnet's
    assert.deepEqual(by('disable-ruler-remote-evaluation').change.helm, [{ key: 'ruler.remoteEvaluationDedicatedQueryPath', value: false, verified: true }]);
    assert.equal(by('disable-ruler-remote-evaluation').change.helmGap, undefined);
    // the fixtures run Mimir 2.17: Mimir 3.0 removed read-write mode (the loader refuses it there; see below)
    // no Helm value scales mimir-write (grafana/mimir#8903): the step's objects under kubernetes/mimir-read-write/ do
    assert.match(by('scale-up-write').change.helmGap!, /grafana\/mimir#8903.*kubernetes\/mimir-read-write\//);
    // the ruler's remote evaluation goes off only after the microservice ruler is scaled down
    assert.ok(by('disable-ruler-remote-evaluation').n > by('scale-down-read-backend-microservices').n);
    assert.equal(by('scale-down-read-backend-microservices').replicas['ruler'], 0);
  });

  it('every gate query parses as PromQL', () => {
    for (const to of [stack(TO)]) {
      const p = plan(stack(FROM), to);
      const back = planMigration({ fromFile: TO, fromStack: to, toFile: FROM, toStack: stack(FROM), env: 'prod' });
      for (const s of [...p.runbook!.steps, ...back.runbook!.steps]) {
        for (const g of s.gate) {
          if (g.kind !== 'promql') continue;
          let bad = '';
          promqlParser.parse(g.query).iterate({ enter: (n) => { if (n.type.isError) bad = `error node at ${n.from}`; } });
          assert.equal(bad, '', `${s.id}: ${g.query}`);
        }
      }
    }
  });

  it('read-write → microservices is the mirrored runbook, marked derived', () => {
    const p = planMigration({ fromFile: TO, fromStack: stack(TO), toFile: FROM, toStack: stack(FROM), env: 'prod' });
    assert.equal(p.runbook?.id, 'mimir-read-write-to-microservices');
    assert.ok(p.runbook!.steps.every((s) => s.source === 'derived'));
    const ids = p.runbook!.steps.map((s) => s.id);
    assert.ok(ids.indexOf('route-writes') < ids.indexOf('scale-down-write') && ids.indexOf('scale-down-write') < ids.indexOf('route-reads'));
    assert.ok(p.runbook!.notes.some((n) => /vice-versa/.test(n)));
    const last = p.runbook!.steps.at(-1)!;
    assert.equal(last.replicas['mimir-write'], 0);
    assert.equal(last.replicas['ingester'], 3);
  });

  it('both directions say how migrate check treats their ring conditions: checked with --ring-url, else manual', () => {
    for (const p of [plan(stack(FROM), stack(TO)), planMigration({ fromFile: TO, fromStack: stack(TO), toFile: FROM, toStack: stack(FROM), env: 'prod' })]) {
      const note = p.runbook!.notes.find((n) => n.startsWith('ring conditions'));
      assert.ok(note, p.runbook!.id);
      assert.match(note, /--ring-url`? .* checks them against the rings' status pages; without --ring-url they are listed as manual/);
      assert.ok(!p.runbook!.notes.some((n) => /not checked/.test(n)));
    }
  });

  it('differences no runbook covers are listed (and an error finding) beside the runbook', () => {
    const to = stack(TO, (r) => {
      r['signals'].logs.environments.prod.components.querier.replicas = 3;
    });
    const p = plan(stack(FROM), to);
    assert.ok(p.runbook);
    assert.deepEqual(p.uncovered.map((d) => `${d.subject} ${d.what} ${d.from}→${d.to}`), ['loki/querier replicas 2→3']);
    assert.ok(p.findings.some((f) => f.rule === 'migration-uncovered' && /loki\/querier replicas/.test(f.message)));
  });

  it('a running definition without zone-awareness: step 1 enables it; a target without it is an error finding', () => {
    const noZones = (r: Raw) => {
      r['signals'].metrics.environments.prod.zoneAware = false;
    };
    const p = plan(stack(FROM, noZones), stack(TO));
    assert.match(p.runbook!.steps[0]!.change.summary, /^enable multi-zone ingesters and store-gateways/);
    assert.ok(p.covered.some((d) => d.subject === 'metrics' && d.what === 'zoneAware'));
    assert.deepEqual(p.uncovered, []);
    const q = plan(stack(FROM), stack(TO, noZones));
    assert.ok(q.findings.some((f) => f.rule === 'migration-zone-awareness' && f.severity === 'error'));
  });

  it('the same topology on both sides: no differences, no runbook', () => {
    const p = plan(stack(FROM), stack(FROM));
    assert.equal(p.runbook, null);
    assert.deepEqual(differences(planTopologies().from, planTopologies().from), []);
    assert.deepEqual(p.uncovered, []);
  });

  it('Mimir 3 (no read-write mode, grafana/mimir#12584): refused with exit 2 and the reason, on either side', () => {
    const v3 = (r: Raw) => {
      r['signals'].metrics.version = '3.0.1';
    };
    // the target: the loader refuses read-write on Mimir 3
    const target = otelstackSync(['migrate', 'plan', variant(FROM, v3), variant(TO, v3), '--env', 'prod']);
    assert.equal(target.code, 2, target.err);
    assert.match(target.err, /signals\.metrics\.environments\.prod\.mode/);
    assert.match(target.err, /Mimir 3\.x has no read-write mode: Mimir 3\.0 removed the experimental read-write deployment mode/);
    // the running side on Mimir 3 and a 2.x read-write target: not a migration Mimir supports
    const running = otelstackSync(['migrate', 'plan', variant(FROM, v3), TO, '--env', 'prod']);
    assert.equal(running.code, 2, running.err);
    assert.match(running.err, /the running definition runs Mimir 3\.0\.1 in prod, which has no read-write mode — Mimir 3\.0 removed/);
    assert.match(running.err, /going from Mimir 3\.x back to 2\.x is not a migration Mimir supports/);
    assert.match(running.err, /suggestion: on Mimir 3\.0\.1 stay on microservices; a Mimir 2\.x stack follows the runbook/);
  });
});

describe('migrate plan: peak resources', () => {
  it('the fixture: the peak exceeds the free quota although both end states fit; the finding asks for the peak', () => {
    const p = plan(stack(FROM), stack(TO));
    const pk = p.peak!;
    const first = pk.states[0]!.totals;
    const last = pk.states.at(-1)!.totals;
    assert.ok(first.memoryRequestBytes <= pk.available!.memoryBytes && last.memoryRequestBytes <= pk.available!.memoryBytes);
    assert.equal(pk.fits, false);
    assert.equal(pk.at.memory, p.runbook!.steps.find((s) => s.id === 'scale-up-write')!.n);
    const f = p.findings.find((x) => x.rule === 'migration-peak')!;
    assert.equal(f.severity, 'error');
    assert.equal(f.path, 'environments.1.capacity');
    assert.match(f.suggestion, /ask for a quota of CPU 40000m, memory 136Gi, storage 544Gi/);
    // volumes of scaled-down StatefulSets count until the cleanup releases them
    const zoneC = pk.states.find((s) => s.label === 'scale-down-ingesters-zone-c')!.totals;
    assert.equal(zoneC.storageBytes, pk.peak.storageBytes);
    assert.ok(last.storageBytes < zoneC.storageBytes);
  });

  it('without a shortage there is no peak finding', () => {
    const roomy = (r: Raw) => {
      r['environments'][1].capacity.quota = { cpu: '64000m', memory: '256Gi', storage: '1Ti' };
    };
    const p = plan(stack(FROM, roomy), stack(TO, roomy));
    assert.equal(p.peak!.fits, true);
    assert.ok(!p.findings.some((f) => f.rule === 'migration-peak'));
  });

  it('property: the peak is ≥ both end states and equals the max over the states, per dimension', () => {
    const res = fc.record({ cpuRequestMillicores: fc.integer({ min: 1, max: 4000 }), memoryRequestBytes: fc.integer({ min: 1, max: 2 ** 34 }), storageBytes: fc.integer({ min: 0, max: 2 ** 36 }) });
    fc.assert(
      fc.property(fc.array(res, { minLength: 1, maxLength: 6 }), fc.array(fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 6, maxLength: 6 }), { minLength: 2, maxLength: 12 }), (per, steps) => {
        const migrating = new Map<string, ReplicaResources>(per.map((r, i) => [`c${i}`, r]));
        const unchanged = { cpuRequestMillicores: 100, memoryRequestBytes: 2 ** 20, memoryLimitBytes: 0, storageBytes: 0 };
        const states: ResourceState[] = steps.map((reps, n) => ({ step: n, label: `s${n}`, totals: stateTotals(unchanged, migrating, Object.fromEntries(per.map((_, i) => [`c${i}`, reps[i]!]))) }));
        const { peak, at } = peakOf(states);
        for (const [dim, key] of [['cpu', 'cpuRequestMillicores'], ['memory', 'memoryRequestBytes'], ['storage', 'storageBytes']] as const) {
          const max = Math.max(...states.map((s) => s.totals[key]));
          assert.equal(peak[key], max);
          assert.ok(peak[key] >= states[0]!.totals[key] && peak[key] >= states.at(-1)!.totals[key]);
          assert.equal(states.find((s) => s.step === at[dim])!.totals[key], max);
        }
      }),
    );
  });
});

describe('migrate state file', () => {
  it('records passed steps, refuses another migration\'s file, finds the next step', () => {
    const dir = tmp();
    const file = defaultStateFile('lgtm', 'prod', dir);
    assert.equal(file, join(dir, '.otelstack-migrate-lgtm-prod.json'));
    const base = { stack: 'lgtm', env: 'prod', runbook: 'mimir-microservices-to-read-write' };
    assert.equal(readState(file, base), undefined);
    const s1 = recordPass(file, base, undefined, 1, false, new Date('2026-01-01T00:00:00Z'));
    const s2 = recordPass(file, base, s1, 2, true, new Date('2026-01-01T01:00:00Z'));
    assert.deepEqual(readState(file, base), s2);
    assert.deepEqual(s2.passed, [{ step: 1, passedAt: '2026-01-01T00:00:00.000Z', forced: false }, { step: 2, passedAt: '2026-01-01T01:00:00.000Z', forced: true }]);
    assert.equal(nextStep(s2, 15), 3);
    assert.throws(() => readState(file, { ...base, env: 'staging' }), /records env "prod", not "staging"/);
  });
});

describe('otelstack migrate (CLI)', () => {
  it("examples/dts/mimir-2.ts → examples/dts/read-write.ts (prod): the whole seed 004 runbook with prod's own replicas, its peak against prod's quota and the quota request for it", () => {
    const r = otelstackSync(['migrate', 'plan', join(ROOT, 'examples/dts/mimir-2.ts'), join(ROOT, 'examples/dts/read-write.ts'), '--env', 'prod', '--json', '--state', join(tmp(), 's.json')]);
    assert.equal(r.code, 1, r.err); // the peak does not fit prod's quota: an error finding
    const p = JSON.parse(r.out) as { runbook: { id: string; steps: Array<{ id: string; replicas: Record<string, number> }> }; peak: { fits: boolean; available: { kind: string }; quotaRequest: { cpuMillicores: number } }; findings: Array<{ rule: string }>; uncovered: Array<{ subject: string }> };
    assert.equal(p.runbook.id, 'mimir-microservices-to-read-write');
    assert.equal(p.runbook.steps.length, 15);
    const last = p.runbook.steps[p.runbook.steps.length - 1]!;
    assert.deepEqual([last.replicas['mimir-write'], last.replicas['mimir-read'], last.replicas['mimir-backend']], [3, 2, 3], 'the definition\'s own read-write replicas');
    assert.equal(p.runbook.steps[0]!.replicas['ingester'], 3, "prod's ingesters");
    assert.equal(p.peak.available.kind, 'quota');
    assert.equal(p.peak.fits, false);
    assert.ok(p.peak.quotaRequest.cpuMillicores > 0);
    assert.ok(p.findings.some((f) => f.rule === 'migration-peak'));
    // the Alertmanager keeps its own StatefulSet in read-write mode (as Mimir's jsonnet keeps it): left running, at
    // its replicas in every step, and no difference to cover
    assert.deepEqual(p.uncovered, []);
    assert.ok(p.runbook.steps.every((s) => s.replicas['alertmanager'] === 3), JSON.stringify(p.runbook.steps.map((s) => s.replicas['alertmanager'])));
  });

  it('plan: exit 1 on the peak finding; table shows the steps; --json has the documented shape', () => {
    const t = otelstackSync(['migrate', 'plan', FROM, TO, '--env', 'prod', '--state', join(tmp(), 's.json')]);
    assert.equal(t.code, 1, t.err);
    assert.match(t.out, /Step 3: Scale up mimir-read/);
    assert.doesNotMatch(t.out, /\(unverified\)/);
    assert.match(t.out, /checked in mimir-distributed 6\.0\.4's values\.yaml/);
    assert.match(t.out, /error \[migration-peak\]/);
    const j = otelstackSync(['migrate', 'plan', FROM, TO, '--env', 'prod', '--json', '--state', join(tmp(), 's.json')]);
    assert.equal(j.code, 1, j.err);
    const p = JSON.parse(j.out) as Record<string, unknown> & { runbook: { steps: Array<Record<string, unknown>> } };
    assert.deepEqual(Object.keys(p).sort(), ['covered', 'env', 'findings', 'from', 'peak', 'progress', 'refusals', 'runbook', 'stack', 'target', 'to', 'uncovered']);
    assert.deepEqual(Object.keys(p.runbook.steps[0]!).sort(), ['change', 'gate', 'id', 'n', 'onFailure', 'replicas', 'rollback', 'source', 'title']);
    assert.equal(p['progress'], null);
  });

  it('plan: exit 0 when the peak fits; exit 2 and every difference listed when nothing covers the change', () => {
    const roomy = (r: Raw) => {
      r['environments'][1].capacity.quota = { cpu: '64000m', memory: '256Gi', storage: '1Ti' };
    };
    const ok = otelstackSync(['migrate', 'plan', variant(FROM, roomy), variant(TO, roomy), '--env', 'prod', '--format', 'markdown', '--state', join(tmp(), 's.json')]);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /^# Migration of lgtm/m);
    const other = variant(FROM, (r) => {
      r['signals'].logs.environments.prod.components.querier.replicas = 4;
      r['signals'].traces.environments.prod.components.distributor.replicas = 3;
    });
    const none = otelstackSync(['migrate', 'plan', FROM, other, '--env', 'prod']);
    assert.equal(none.code, 2);
    assert.match(none.err, /no runbook covers the change of prod .* 2 difference\(s\) no runbook covers:\n {2}- loki\/querier replicas: 2 → 4\n {2}- tempo\/distributor replicas: 2 → 3/);
    const json = otelstackSync(['migrate', 'plan', FROM, other, '--env', 'prod', '--json']);
    assert.equal(json.code, 2);
    assert.equal((JSON.parse(json.out) as { ok: boolean; error: { kind: string } }).error.kind, 'input');
  });

  it('--help of migrate, migrate plan and migrate check', () => {
    for (const c of [['migrate'], ['migrate', 'plan'], ['migrate', 'check']]) {
      const r = otelstackSync([...c, '--help']);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /Usage: otelstack migrate/);
    }
    assert.match(otelstackSync(['--help']).out, /migrate/);
  });

  it('plan / check: bad input exits 2 (unknown environment, missing --env, bad step)', () => {
    assert.equal(otelstackSync(['migrate', 'plan', FROM, TO, '--env', 'nope']).code, 2);
    assert.equal(otelstackSync(['migrate', 'plan', FROM, TO]).code, 2);
    assert.equal(otelstackSync(['migrate', 'check', FROM, TO, '--env', 'prod', '--step', '99', '--prometheus-url', 'http://127.0.0.1:1']).code, 2);
    assert.equal(otelstackSync(['migrate', 'check', FROM, TO, '--env', 'prod', '--step', 'x', '--prometheus-url', 'http://127.0.0.1:1']).code, 2);
    assert.equal(otelstackSync(['migrate', 'check', FROM, TO, '--env', 'prod', '--step', '1']).code, 2);
  });

  it('check: refuses step N while step N-1 has not passed (exit 2), unless --force; plan shows where it stands', () => {
    const state = join(tmp(), 'state.json');
    const refused = otelstackSync(['migrate', 'check', FROM, TO, '--env', 'prod', '--step', '2', '--prometheus-url', 'http://127.0.0.1:1', '--state', state]);
    assert.equal(refused.code, 2);
    assert.match(refused.err, /step 1 \(zone-awareness\) has not passed/);
    assert.match(refused.err, /--force/);
    // step 2's gate is manual only: with --force it runs, holds and is recorded as forced
    const forced = otelstackSync(['migrate', 'check', FROM, TO, '--env', 'prod', '--step', '2', '--prometheus-url', 'http://127.0.0.1:1', '--state', state, '--force', '--json']);
    assert.equal(forced.code, 0, forced.err);
    const r = JSON.parse(forced.out) as { ok: boolean; forced: boolean; conditions: Array<{ status: string }> };
    assert.equal(r.ok, true);
    assert.equal(r.forced, true);
    assert.deepEqual(r.conditions.map((c) => c.status), ['manual']);
    const saved = JSON.parse(readFileSync(state, 'utf8')) as { passed: Array<{ step: number; forced: boolean }> };
    assert.deepEqual(saved.passed.map((p) => [p.step, p.forced]), [[2, true]]);
    const p = otelstackSync(['migrate', 'plan', FROM, TO, '--env', 'prod', '--state', state]);
    assert.match(p.out, /Where the migration stands/);
    assert.match(p.out, /next: step 1/);
    assert.match(p.out, /Step 2: .*\[passed\]/);
    // a PromQL gate against an unreachable API fails (exit 1) and the state is left as it was
    const unreachable = otelstackSync(['migrate', 'check', FROM, TO, '--env', 'prod', '--step', '3', '--prometheus-url', 'http://127.0.0.1:1', '--state', state]);
    assert.equal(unreachable.code, 1, unreachable.err);
    assert.match(unreachable.out, /^fail {3}mimir-read is running queries: query failed/m);
    assert.deepEqual((JSON.parse(readFileSync(state, 'utf8')) as { passed: unknown[] }).passed.length, 1);
  });
});
