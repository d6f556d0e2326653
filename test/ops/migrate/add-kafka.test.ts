// The "Add Kafka" runbook's plan (seed 002 Migration Path Phase 1): picked for a compose environment going from
// direct export to a Kafka buffer, with brokers before processors before gateways, its peak resources counting the
// brokers and processors as they come; on Kubernetes (examples/buffered) the same order in manifest terms, the
// gateways rolled onto a drain config first where they queue on their volumes (the collector keeps a persistent
// queue on disk at shutdown, it drains only a memory queue), refused where the queue is on an emptyDir. No
// Kubernetes cluster here: the manifests are checked structurally and by the kubernetes-models, and the drain config
// by the real collector's `validate` in test/e2e (see the report).
// Its steps are carried out on the real engines in test/e2e/migrate-add-kafka.test.ts.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse, stringify } from 'yaml';

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { OTELCOL_DRAIN_RECEIVER } from '../../../src/catalog/otelcol.js';
import { loadStack, validateDefinition } from '../../../src/model/load.js';
import type { Stack } from '../../../src/model/schema.js';
import { drainGatewayConfig } from '../../../src/ops/migrate/add-kafka-kubernetes.js';
import { planMigration } from '../../../src/ops/migrate/plan.js';
import { renderMigrationStep, stepDir } from '../../../src/ops/migrate/render.js';
import type { MigrationPlan } from '../../../src/ops/migrate/types.js';
import type { FileSet } from '../../../src/render/fileset.js';
import { renderKubernetes } from '../../../src/render/kubernetes/index.js';
import { renderTopology } from '../../../src/render/topology.js';
import { assertObjectsValidate } from '../../render/kubernetes/inspect.js';
import { otelstackSync, tempDirs } from '../../support/cli.js';
import { ROOT } from '../../support/paths.js';

const FROM = join(ROOT, 'test/fixtures/migrate/scalable-direct.yaml');
const TO = join(ROOT, 'examples/scalable/stack.yaml');
const tmp = tempDirs('otelstack-add-kafka-');

const bufferedRaw = () => parse(readFileSync(join(ROOT, 'examples/buffered/stack.yaml'), 'utf8')) as Record<string, any>;
/** examples/buffered with prod exporting straight to the engines (no Kafka, no processors): the running definition */
function directOf(raw: Record<string, any>): Record<string, any> {
  const direct = structuredClone(raw);
  direct['ingestion'].environments.prod.kafkaBuffer = false;
  delete direct['ingestion'].environments.prod.processor;
  return direct;
}
/** The Kubernetes Add Kafka plan on examples/buffered (prod), both definitions edited alike / the running one alone. */
function kube(both?: (raw: Record<string, any>) => void, fromOnly?: (raw: Record<string, any>) => void): { plan: MigrationPlan; from: Stack; to: Stack } {
  const raw = bufferedRaw();
  both?.(raw);
  const direct = directOf(raw);
  fromOnly?.(direct);
  const from = validateDefinition('from.yaml', direct);
  const to = validateDefinition('to.yaml', raw);
  return { plan: planMigration({ fromFile: 'from.yaml', fromStack: from, toFile: 'to.yaml', toStack: to, env: 'prod' }), from, to };
}

describe('migrate plan: Add Kafka', () => {
  it('compose, direct → Kafka buffer: brokers, then processors, then the gateways by the rolling deploy, then verify; nothing uncovered', async () => {
    const from = await loadStack(FROM);
    const to = await loadStack(TO);
    const p = planMigration({ fromFile: from.file, fromStack: from.stack, toFile: to.file, toStack: to.stack, env: 'local' });
    assert.equal(p.runbook?.id, 'add-kafka');
    assert.deepEqual(p.runbook.steps.map((s) => [s.id, s.replicas]), [
      ['kafka', { gateway: 2, broker: 3, processor: 0 }],
      ['processors', { gateway: 2, broker: 3, processor: 2 }],
      ['gateways', { gateway: 2, broker: 3, processor: 2 }],
      ['verify', { gateway: 2, broker: 3, processor: 2 }],
    ]);
    assert.deepEqual(p.uncovered, []);
    assert.ok(p.covered.some((d) => d.subject === 'environment' && d.what === 'ingestion'));
    assert.deepEqual(p.findings, [], 'no Mimir zone-awareness finding on an ingestion runbook');
    assert.match(p.runbook.steps[2]!.change.actions!.join(' '), /otelstack deploy <to> --env local --only gateways/);
    // the peak: brokers from step 1, processors from step 2
    const s = p.peak!.states;
    assert.ok(s[1]!.totals.cpuRequestMillicores > s[0]!.totals.cpuRequestMillicores, 'brokers counted at step 1');
    assert.ok(s[2]!.totals.memoryRequestBytes > s[1]!.totals.memoryRequestBytes, 'processors counted at step 2');
    assert.equal(p.peak!.at.cpu, 2);
  });

  it('Kubernetes, gateways queuing on their volumes: brokers, processors, the drain roll, the target roll, verify; nothing uncovered', () => {
    const { plan: p } = kube();
    assert.equal(p.runbook?.id, 'add-kafka');
    assert.deepEqual(p.refusals, []);
    assert.deepEqual(p.uncovered, []);
    assert.deepEqual(p.runbook.steps.map((s) => [s.id, s.replicas]), [
      ['kafka', { gateway: 6, broker: 3, processor: 0 }],
      ['processors', { gateway: 6, broker: 3, processor: 6 }],
      ['gateways-drain', { gateway: 6, broker: 3, processor: 6 }],
      ['gateways', { gateway: 6, broker: 3, processor: 6 }],
      ['verify', { gateway: 6, broker: 3, processor: 6 }],
    ]);
    const drain = p.runbook.steps[2]!;
    // the gates: the Kafka path carries data, the drained queues report and are empty on every gateway pod
    const q = drain.gate.filter((g) => g.kind === 'promql').map((g) => (g.kind === 'promql' ? [g.query, g.expect] : []));
    assert.ok(q.some(([x, e]) => /otelcol_exporter_sent_spans\{exporter=~"kafka\.\*"\}/.test(x!) && e === 'nonzero'));
    assert.ok(q.some(([x, e]) => x === 'sum by (pod) (otelcol_exporter_queue_size{job=~".*gateway.*", exporter!~"kafka.*"})' && e === 'zero'));
    assert.ok(q.some(([x, e]) => x!.startsWith('count(otelcol_exporter_queue_size') && e === 'nonzero'), 'the drain exporters must be there to report');
    assert.match(p.runbook.notes.join(' '), /persistent queue is not drained at shutdown/);
    assert.match(p.runbook.notes.join(' '), /no preStop hook/);
  });

  it('Kubernetes render --step N: every manifest validates; the gateways run the running config, then the drain config, then the target config', () => {
    const { plan: p, from, to } = kube();
    const running = renderKubernetes({ stack: from, topology: renderTopology(from, 'prod') }).files;
    const target = renderKubernetes({ stack: to, topology: renderTopology(to, 'prod') }).files;
    const base = 'kubernetes/prod/otelcol';
    const at = (n: number) => {
      const step = p.runbook!.steps[n - 1]!;
      const dir = `${stepDir(p, step)}/`;
      const all = renderMigrationStep(p, n, from, to);
      return { all, files: new Map([...all].filter(([k]) => k.startsWith(`${dir}kubernetes/`)).map(([k, v]) => [k.slice(dir.length), v])) as FileSet, readme: all.get(`${dir}README.md`)! };
    };
    const s1 = at(1);
    assert.ok(assertObjectsValidate(s1.files) >= 8);
    assert.ok(s1.files.has('kubernetes/prod/kafka/statefulset.yaml') && s1.files.has(`${base}/topics-job.yaml`));
    assert.equal(s1.files.has(`${base}/processor-statefulset.yaml`), false, 'no processors before step 2');
    assert.equal(s1.files.get(`${base}/gateway-configmap.yaml`), running.get(`${base}/gateway-configmap.yaml`), 'step 1: the running gateways');
    assert.match(s1.readme, /kubectl apply -R -f kubernetes\/prod\//);
    const s2 = at(2);
    assertObjectsValidate(s2.files);
    assert.equal(s2.files.get(`${base}/processor-statefulset.yaml`), target.get(`${base}/processor-statefulset.yaml`));
    assert.equal(s2.files.get(`${base}/gateway-statefulset.yaml`), running.get(`${base}/gateway-statefulset.yaml`));
    // step 3: the drain config
    const s3 = at(3);
    assertObjectsValidate(s3.files);
    const cm = parse(s3.files.get(`${base}/gateway-configmap.yaml`)!) as Record<string, any>;
    const text = cm['data']['config.yaml'] as string;
    const cfg = parse(text) as Record<string, any>;
    const runCfg = parse((parse(running.get(`${base}/gateway-configmap.yaml`)!) as Record<string, any>)['data']['config.yaml']) as Record<string, any>;
    const tgtCfg = parse((parse(target.get(`${base}/gateway-configmap.yaml`)!) as Record<string, any>)['data']['config.yaml']) as Record<string, any>;
    for (const [id, pl] of Object.entries(tgtCfg['service']['pipelines'])) assert.deepEqual(cfg['service']['pipelines'][id], pl, `${id}: the target pipeline as it is`);
    for (const signal of ['traces', 'metrics', 'logs']) {
      const direct = (runCfg['service']['pipelines'][signal]['exporters'] as string[]).filter((e) => !(e in tgtCfg['exporters']));
      assert.ok(direct.length > 0, `${signal}: the running config exports directly`);
      assert.deepEqual(cfg['service']['pipelines'][`${signal}/drain`], { receivers: [OTELCOL_DRAIN_RECEIVER.id], exporters: direct.sort() });
      for (const e of direct) assert.deepEqual(cfg['exporters'][e], runCfg['exporters'][e], `${e}: the running exporter, its persistent queue included`);
    }
    assert.equal(cfg['receivers'][OTELCOL_DRAIN_RECEIVER.id]['protocols']['grpc']['endpoint'], '127.0.0.1:14317');
    assert.ok((cfg['service']['extensions'] as string[]).includes('file_storage'));
    const sts = parse(s3.files.get(`${base}/gateway-statefulset.yaml`)!) as Record<string, any>;
    assert.equal(sts['spec']['template']['metadata']['annotations']['otelstack.io/config-sha256'], createHash('sha256').update(text).digest('hex'), 'the drain config rolls the pods');
    assert.deepEqual(sts['spec']['volumeClaimTemplates'], (parse(running.get(`${base}/gateway-statefulset.yaml`)!) as Record<string, any>)['spec']['volumeClaimTemplates'], 'the same volumes: each restarted pod reopens its queue');
    // step 4: the target's own gateway
    const s4 = at(4);
    assertObjectsValidate(s4.files);
    for (const f of ['gateway-configmap.yaml', 'gateway-statefulset.yaml']) assert.equal(s4.files.get(`${base}/${f}`), target.get(`${base}/${f}`), f);
    assert.deepEqual([...renderMigrationStep(p, 3, from, to)], [...renderMigrationStep(p, 3, from, to)], 'deterministic');
  });

  it('Kubernetes, memory queues: one rolling update (the collector drains a memory queue at shutdown); an emptyDir queue is refused with the reason', () => {
    const mem = kube((raw) => (raw['ingestion'].persistentQueue = { enabled: false }));
    assert.deepEqual(mem.plan.runbook!.steps.map((s) => s.id), ['kafka', 'processors', 'gateways', 'verify']);
    assert.match(mem.plan.runbook!.steps[2]!.change.summary, /within 60 s, terminationGracePeriodSeconds/);
    const files = renderMigrationStep(mem.plan, 3, mem.from, mem.to);
    assert.ok([...files.keys()].some((k) => k.endsWith('otelcol/gateway-deployment.yaml')), 'memory-queued gateways are a Deployment');
    const cm = [...files].find(([k]) => k.endsWith('otelcol/gateway-configmap.yaml'))![1];
    assert.doesNotMatch(cm, /drain/);
    const empty = kube(undefined, (raw) => (raw['ingestion'].environments.prod.gateway.storage = '0'));
    assert.equal(empty.plan.runbook, null);
    assert.match(empty.plan.refusals.join(), /persistent queue on an emptyDir.*no cutover on Kubernetes can be zero-loss/);
  });

  it('drainGatewayConfig keeps only the persistently queued exporters the target drops', () => {
    const running = { exporters: { a: { sending_queue: { storage: 'file_storage' } }, b: { sending_queue: { enabled: true } }, k: {} }, extensions: { file_storage: { directory: '/q' } }, service: { extensions: ['file_storage'], pipelines: { traces: { receivers: ['otlp'], exporters: ['a', 'b'] }, 'logs/x': { receivers: ['otlp'], exporters: ['a', 'k'] } } } };
    const target = { exporters: { k: {} }, service: { pipelines: { traces: { receivers: ['otlp'], exporters: ['k'] } } } };
    const { config, drained } = drainGatewayConfig(running, target);
    assert.deepEqual(drained, ['a']);
    assert.deepEqual(Object.keys(config.service.pipelines).sort(), ['logs/drain', 'traces', 'traces/drain']);
    assert.deepEqual(config.service.extensions, ['file_storage']);
    assert.deepEqual(config.extensions, { file_storage: { directory: '/q' } });
  });

  it('CLI: migrate plan and render on Kubernetes exit 0', () => {
    const d = tmp();
    writeFileSync(join(d, 'from.yaml'), stringify(directOf(bufferedRaw())));
    const r = otelstackSync(['migrate', 'plan', join(d, 'from.yaml'), join(ROOT, 'examples/buffered'), '--env', 'prod']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /on Kubernetes/);
    const out = tmp();
    const w = otelstackSync(['migrate', 'render', join(d, 'from.yaml'), join(ROOT, 'examples/buffered'), '--env', 'prod', '--step', '3', '--force', '--out', out, '--state', join(d, 's.json')]);
    assert.equal(w.code, 0, w.err);
    assert.ok(existsSync(join(out, 'migrate/prod/step-03-gateways-drain/kubernetes/prod/otelcol/gateway-configmap.yaml')));
  });
});
