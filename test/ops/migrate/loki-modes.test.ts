// The "Loki single → simple-scalable / microservices" runbook on Kubernetes (the loki chart 7.0.0's transitional
// deployment modes): the plan's steps and gates for staging (monolithic → simple-scalable) and prod (monolithic →
// microservices, through simple-scalable: the chart has no SingleBinary<->Distributed mode), the values each step's
// render writes (the running values with the Helm changes of every step so far), the peak with the intermediate
// mode counted, the ring conditions on Loki's ingester ring page, and the refusal on compose. The PromQL gates run
// against a real Prometheus in test/e2e/migrate-loki-modes.test.ts.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';

import { loadStack } from '../../../src/model/load.js';
import { checkGate, ringHolds } from '../../../src/ops/migrate/check.js';
import { intermediateStack, lokiModesRefusal } from '../../../src/ops/migrate/loki-modes.js';
import { planMigration } from '../../../src/ops/migrate/plan.js';
import { renderMigrationStep, stepDir } from '../../../src/ops/migrate/render.js';
import { renderKubernetes } from '../../../src/render/kubernetes/index.js';
import { expand } from '../../../src/topology/expand.js';
import { ROOT } from '../../support/paths.js';
import { ringPage, ringReply } from '../../support/ring-page.js';

const FROM = join(ROOT, 'test/fixtures/migrate/loki-monolithic.yaml');
const TO = join(ROOT, 'examples/production');

async function plan(env: string) {
  const from = await loadStack(FROM);
  const to = await loadStack(TO);
  return { from, to, p: planMigration({ fromFile: from.file, fromStack: from.stack, toFile: to.file, toStack: to.stack, env }) };
}

type Values = Record<string, any>;

describe('migrate plan: Loki monolithic → simple-scalable (staging)', () => {
  it('the steps, everything covered, the gates of each step', async () => {
    const { p } = await plan('staging');
    assert.equal(p.runbook?.id, 'loki-modes');
    assert.deepEqual(p.runbook.steps.map((s) => s.id), ['alongside', 'writes', 'reads', 'leave-ring', 'retire', 'cleanup']);
    assert.deepEqual(p.uncovered, []);
    assert.deepEqual(p.findings, []);
    const kinds = p.runbook.steps.map((s) => s.gate.map((g) => g.kind).join(','));
    assert.deepEqual(kinds, ['ring,promql', 'promql,promql', 'logql,promql,promql', 'ring', 'promql,logql', '']);
    const q = (n: number) => p.runbook!.steps[n - 1]!.gate.flatMap((g) => (g.kind === 'promql' ? [g.query] : []));
    assert.deepEqual(q(2), ['sum by (pod) (rate(loki_distributor_lines_received_total{pod=~"loki-write-.*"}[1m]))', 'sum by (pod) (rate(loki_distributor_lines_received_total{pod=~"loki-[0-9]+"}[1m]))']);
    assert.match(p.runbook.steps[3]!.change.actions![0]!, /port-forward pod\/loki-0 3100:3100 .*\/ingester\/shutdown\?flush=true&delete_ring_tokens=true&terminate=false/);
    // replicas: the new targets at step 1, the single binary gone at step 5
    assert.deepEqual([p.runbook.steps[0]!.replicas['write'], p.runbook.steps[0]!.replicas['loki'], p.runbook.steps[4]!.replicas['loki']], [3, 1, 0]);
    // the peak is both modes side by side, and the single binary's volume is counted until the cleanup
    const st = p.peak!.states;
    assert.ok(st[1]!.totals.cpuRequestMillicores > st[0]!.totals.cpuRequestMillicores && st[1]!.totals.cpuRequestMillicores > st[6]!.totals.cpuRequestMillicores);
    assert.ok(st[5]!.totals.storageBytes > st[6]!.totals.storageBytes, 'the cleanup releases storage');
  });

  it('render: step 1 values run both modes (transitional mode), step 5 the simple-scalable mode with the single binary at 0', async () => {
    const { from, to, p } = await plan('staging');
    const valuesAt = (n: number): Values => parse(renderMigrationStep(p, n, from.stack).get(`${stepDir(p, p.runbook!.steps[n - 1]!)}/values/loki.yaml`)!) as Values;
    const v1 = valuesAt(1);
    assert.equal(v1['deploymentMode'], 'SingleBinary<->SimpleScalable');
    assert.equal(v1['singleBinary'].replicas, 1);
    assert.equal(v1['write'].replicas, 3);
    assert.equal(v1['read'].replicas, 2);
    assert.equal(v1['backend'].replicas, 3);
    // the same object storage and schema as the running monolith
    const running = parse(renderKubernetes({ stack: from.stack, topology: expand(from.stack, 'staging') }).files.get('kubernetes/staging/values/loki.yaml')!) as Values;
    assert.equal(running['deploymentMode'], 'SingleBinary');
    assert.deepEqual(v1['loki'].storage, running['loki'].storage);
    assert.deepEqual(v1['loki'].schemaConfig, running['loki'].schemaConfig);
    const v5 = valuesAt(5);
    assert.equal(v5['deploymentMode'], 'SimpleScalable');
    assert.equal(v5['singleBinary'].replicas, 0);
    // the target blocks are the target definition's own render
    const target = parse(renderKubernetes({ stack: to.stack, topology: expand(to.stack, 'staging') }).files.get('kubernetes/staging/values/loki.yaml')!) as Values;
    for (const k of ['write', 'read', 'backend']) assert.deepEqual(v5[k], target[k], k);
  });

  it('the ring conditions read Loki\'s ingester ring page (/ring): both kinds ACTIVE, then the single binary gone', async () => {
    const { p } = await plan('staging');
    const rings: Record<string, unknown> = {};
    const server = http.createServer((req, res) => {
      const body = rings[req.url ?? ''];
      if (body === undefined) return void res.writeHead(404).end('404 page not found\n');
      const r = ringReply(req.headers.accept, body);
      res.writeHead(r.status, { 'content-type': r.contentType }).end(r.text);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const shards = (xs: Array<[string, string]>) => ringPage(xs);
    try {
      const ringOnly = (n: number) => ({ ...p.runbook!.steps[n - 1]!, gate: p.runbook!.steps[n - 1]!.gate.filter((g) => g.kind === 'ring') });
      rings['/ring'] = shards([['loki-0', 'ACTIVE'], ['loki-write-0', 'JOINING']]);
      let g = await checkGate(ringOnly(1), { url: 'http://127.0.0.1:1', api: 'prometheus', ringUrl: base });
      assert.equal(g.ok, false);
      assert.match(g.conditions[0]!.detail, /simple-scalable: loki-write-0 JOINING; monolithic: loki-0 ACTIVE/);
      rings['/ring'] = shards([['loki-0', 'ACTIVE'], ['loki-write-0', 'ACTIVE'], ['loki-write-1', 'ACTIVE']]);
      g = await checkGate(ringOnly(1), { url: 'http://127.0.0.1:1', api: 'prometheus', ringUrl: base });
      assert.equal(g.ok, true, JSON.stringify(g));
      g = await checkGate(ringOnly(4), { url: 'http://127.0.0.1:1', api: 'prometheus', ringUrl: base });
      assert.equal(g.ok, false);
      assert.match(g.conditions[0]!.detail, /expected no monolithic instance; .*monolithic: loki-0 ACTIVE/);
      rings['/ring'] = shards([['loki-write-0', 'ACTIVE'], ['loki-write-1', 'ACTIVE']]);
      g = await checkGate(ringOnly(4), { url: 'http://127.0.0.1:1', api: 'prometheus', ringUrl: base });
      assert.equal(g.ok, true, JSON.stringify(g));
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
    // without --ring-url: manual, naming the page
    const g = await checkGate({ ...p.runbook!.steps[3]! }, { url: 'http://127.0.0.1:1', api: 'prometheus' });
    assert.match(g.conditions[0]!.detail, /pass --ring-url \(the engine's HTTP port, serving \/ring\)/);
    assert.equal(ringHolds('left', [{ id: 'loki-ingester-zone-a-0', state: 'ACTIVE', zone: 'zone-a' }], '^loki-ingester-').holds, true);
  });
});

describe('migrate plan: Loki monolithic → microservices (prod), through simple-scalable', () => {
  it('two hops with the chart\'s two transitional modes; the intermediate simple-scalable sized from the target', async () => {
    const { to, p } = await plan('prod');
    const rb = p.runbook!;
    assert.equal(rb.title, 'Loki monolithic → microservices (through simple-scalable)');
    assert.deepEqual(rb.steps.map((s) => s.id), [
      'simple-scalable-alongside', 'simple-scalable-writes', 'simple-scalable-reads', 'simple-scalable-leave-ring', 'simple-scalable-retire',
      'microservices-alongside', 'microservices-writes', 'microservices-reads', 'microservices-leave-ring', 'microservices-retire', 'cleanup',
    ]);
    assert.deepEqual(p.uncovered, []);
    const modes = rb.steps.flatMap((s) => (s.change.helm ?? []).filter((h) => h.key === 'deploymentMode').map((h) => h.value));
    assert.deepEqual(modes, ['SingleBinary<->SimpleScalable', 'SimpleScalable', 'SimpleScalable<->Distributed', 'Distributed']);
    const mid = expand(intermediateStack(to.stack, 'prod'), 'prod');
    const write = mid.components.find((c) => c.engine === 'loki' && c.component === 'write')!;
    const ingester = expand(to.stack, 'prod').components.find((c) => c.engine === 'loki' && c.component === 'ingester')!;
    assert.deepEqual([write.replicas, write.perReplica.memoryRequestBytes], [ingester.replicas, ingester.perReplica.memoryRequestBytes]);
    // the intermediate write target is counted in the peak while it runs
    assert.ok(rb.extraComponents?.some((c) => c.component === 'write'));
    const st = p.peak!.states;
    assert.equal(st[5]!.label, 'simple-scalable-retire');
    assert.ok(st[6]!.totals.cpuRequestMillicores > st[11]!.totals.cpuRequestMillicores, 'both simple-scalable and microservices run at step 6');
    // the values of step 10: Distributed, the simple-scalable targets at 0, the single binary at 0
    const { from } = await plan('prod');
    const v = parse(renderMigrationStep(p, 10, from.stack).get(`${stepDir(p, rb.steps[9]!)}/values/loki.yaml`)!) as Values;
    assert.equal(v['deploymentMode'], 'Distributed');
    assert.deepEqual([v['singleBinary'].replicas, v['write'].replicas, v['read'].replicas, v['backend'].replicas], [0, 0, 0, 0]);
    assert.equal(v['ingester'].replicas, ingester.replicas);
    assert.match(rb.steps[10]!.change.actions![0]!, /storage-loki-\|persistentvolumeclaim\/data-loki-\(write\|backend\)-/);
  });

  it('refuses compose (otelstack runs Loki as one process there) and a change to a smaller mode', async () => {
    const { from, to } = await plan('prod');
    const a = expand(from.stack, 'prod');
    const b = expand(to.stack, 'prod');
    assert.equal(lokiModesRefusal(a, b), undefined);
    assert.match(lokiModesRefusal({ ...a, env: { ...a.env, target: 'compose' } }, b)!, /on compose otelstack runs Loki as one monolithic process only/);
    assert.match(lokiModesRefusal(b, a)!, /from a smaller mode to a larger one/);
  });
});
