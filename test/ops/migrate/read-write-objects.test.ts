// Mimir microservices → read-write for Helm users (issue 10 §2 runbook 1, last sentence): mimir-distributed has no
// read-write mode (grafana/mimir#8903), so `migrate render --step N` writes the read-write components as typed
// Kubernetes objects under kubernetes/mimir-read-write/. On examples/dts/mimir-2.ts → examples/dts/read-write.ts (prod): every
// object of every step validates with its kubernetes-models class after parsing; the replicas are the step's, from
// the read-write definition (mimir-read 2, mimir-write 3 and mimir-backend 3 over zones a/b/c), 0 at the step that
// deploys them at zero; the pods carry the labels the chart's gossip-ring Service selects, mount the release's
// config ConfigMap and key, and set the zone flags of their zone. No Kubernetes cluster here: the objects are
// checked structurally and by the models, not applied.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';

import { MIMIR_DISTRIBUTED_FACTS, MIMIR_DISTRIBUTED_READ_WRITE as RW } from '../../../src/catalog/charts/mimir-distributed.js';
import { loadStack } from '../../../src/model/load.js';
import { planMigration } from '../../../src/ops/migrate/plan.js';
import { renderMigrationStep, stepDir } from '../../../src/ops/migrate/render.js';
import { renderMigrationPlan } from '../../../src/ops/migrate/report.js';
import type { MigrationPlan, Step } from '../../../src/ops/migrate/types.js';
import type { FileSet } from '../../../src/render/fileset.js';
import { MIMIR_READ_WRITE_DIR, mimirReadWriteObjects, type MimirReadWriteSpec } from '../../../src/render/kubernetes/mimir-read-write.js';
import { assertObjectsValidate } from '../../render/kubernetes/inspect.js';
import { otelstackSync } from '../../support/cli.js';
import { ROOT } from '../../support/paths.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const FROM = join(ROOT, 'examples/dts/mimir-2.ts');
const TO = join(ROOT, 'examples/dts/read-write.ts');

async function setup(): Promise<{ plan: MigrationPlan; from: Awaited<ReturnType<typeof loadStack>> }> {
  const from = await loadStack(FROM);
  const to = await loadStack(TO);
  return { plan: planMigration({ fromFile: from.file, fromStack: from.stack, toFile: to.file, toStack: to.stack, env: 'prod' }), from };
}

/** The step's read-write objects, keyed from kubernetes/ (as the validation helper reads rendered trees). */
function objectsOf(plan: MigrationPlan, step: Step, files: FileSet): { files: FileSet; objs: Obj[] } {
  const prefix = `${stepDir(plan, step)}/`;
  const out: FileSet = new Map();
  for (const [p, text] of files) if (p.startsWith(`${prefix}${MIMIR_READ_WRITE_DIR}/`)) out.set(p.slice(prefix.length), text);
  return { files: out, objs: [...out.values()].map((t) => parse(t) as Obj) };
}

const workloads = (objs: Obj[], component: string) => objs.filter((o) => (o['kind'] === 'Deployment' || o['kind'] === 'StatefulSet') && o['metadata']['labels']['app.kubernetes.io/component'] === component);
const replicasOf = (objs: Obj[], component: string) => workloads(objs, component).reduce((n, o) => n + (o['spec']['replicas'] as number), 0);

describe('migrate render: the read-write components as Kubernetes objects (mimir-distributed, #8903)', () => {
  it('every step writes the objects, every object validates, and the replicas are the step\'s (examples/dts/read-write.ts)', async () => {
    const { plan, from } = await setup();
    const rb = plan.runbook!;
    assert.equal(rb.id, 'mimir-microservices-to-read-write');
    assert.ok(rb.readWriteObjects, 'prod runs mimir-distributed: the runbook carries the objects');
    assert.deepEqual(rb.readWriteObjects.zones, ['zone-a', 'zone-b', 'zone-c']);
    let checked = 0;
    for (const step of rb.steps) {
      const { files, objs } = objectsOf(plan, step, renderMigrationStep(plan, step.n, from.stack));
      checked += assertObjectsValidate(files);
      for (const c of ['mimir-read', 'mimir-write', 'mimir-backend']) assert.equal(replicasOf(objs, c), step.replicas[c], `step ${step.n} (${step.id}): ${c}`);
      // zone-aware write and backend: one StatefulSet per zone; mimir-read one Deployment
      assert.equal(workloads(objs, 'mimir-write').length, 3, `step ${step.n}: mimir-write zones`);
      assert.ok(workloads(objs, 'mimir-write').every((o) => o['kind'] === 'StatefulSet'));
      assert.equal(workloads(objs, 'mimir-backend').length, 3);
      assert.deepEqual(workloads(objs, 'mimir-read').map((o) => o['kind']), ['Deployment']);
    }
    assert.ok(checked >= rb.steps.length * 15, `objects validated: ${checked}`);
    // the seed's sequence with the read-write definition's own counts
    const at = (id: string) => rb.steps.find((s) => s.id === id)!.replicas;
    assert.deepEqual([at('deploy-read-write-at-zero')['mimir-read'], at('deploy-read-write-at-zero')['mimir-write'], at('deploy-read-write-at-zero')['mimir-backend']], [0, 0, 0]);
    assert.equal(at('scale-up-read')['mimir-read'], 2);
    assert.equal(at('scale-up-read')['mimir-backend'], 0);
    assert.equal(at('scale-up-backend')['mimir-backend'], 3);
    assert.equal(at('scale-up-backend')['mimir-write'], 0);
    assert.equal(at('scale-up-write')['mimir-write'], 3);
    assert.deepEqual([at('cleanup')['mimir-read'], at('cleanup')['mimir-write'], at('cleanup')['mimir-backend']], [2, 3, 3]);
    // per zone: 1 / 1 / 1 once scaled up
    const step = rb.steps.find((s) => s.id === 'scale-up-write')!;
    const { objs } = objectsOf(plan, step, renderMigrationStep(plan, step.n, from.stack));
    assert.deepEqual(workloads(objs, 'mimir-write').map((o) => [o['metadata']['name'], o['spec']['replicas']]), [['mimir-write-zone-a', 1], ['mimir-write-zone-b', 1], ['mimir-write-zone-c', 1]]);
  });

  it("the pods join the chart's memberlist ring and run the release's config (catalog chart facts)", async () => {
    const { plan, from } = await setup();
    const rb = plan.runbook!;
    const step = rb.steps.find((s) => s.id === 'scale-up-write')!;
    const { objs } = objectsOf(plan, step, renderMigrationStep(plan, step.n, from.stack));
    const release = rb.readWriteObjects!.release;
    const full = RW.fullname(release);
    assert.equal(full, 'mimir', 'release "mimir" contains the infix: the fullname is the release');
    const ring = RW.gossipRing.selector(release);
    // the ring selector is the chart's selector labels (name = the infix the scrape keys on) + part-of: memberlist
    assert.equal(ring['app.kubernetes.io/name'], MIMIR_DISTRIBUTED_FACTS.scrape?.name);
    assert.equal(ring['app.kubernetes.io/part-of'], 'memberlist');
    const pods = objs.filter((o) => o['kind'] === 'Deployment' || o['kind'] === 'StatefulSet');
    assert.equal(pods.length, 7);
    for (const w of pods) {
      const name = w['metadata']['name'] as string;
      const labels = w['spec']['template']['metadata']['labels'] as Record<string, string>;
      for (const [k, v] of Object.entries(ring)) assert.equal(labels[k], v, `${name}: ${k} (the gossip-ring Service selects on it)`);
      // no chart Service / PDB selects them: their component is their own, and no rollout-group label
      assert.match(labels['app.kubernetes.io/component']!, /^mimir-(read|write|backend)$/);
      assert.equal(labels['rollout-group'], undefined);
      const selector = w['spec']['selector']['matchLabels'] as Record<string, string>;
      for (const [k, v] of Object.entries(selector)) assert.equal(labels[k], v, `${name}: the selector matches its pods`);
      const pod = w['spec']['template']['spec'];
      const c = (pod['containers'] as Obj[])[0]!;
      assert.ok(c['ports'].some((p: Obj) => p['containerPort'] === RW.gossipRing.port && p['protocol'] === 'TCP'), `${name}: memberlist port`);
      const config = (pod['volumes'] as Obj[]).find((v) => v['name'] === RW.config.volume)!;
      assert.equal(config['configMap']['name'], `${full}-config`);
      assert.deepEqual(config['configMap']['items'], [{ key: 'mimir.yaml', path: 'mimir.yaml' }]);
      assert.equal((pod['volumes'] as Obj[]).find((v) => v['name'] === RW.runtime.volume)!['configMap']['name'], `${full}-runtime`);
      assert.ok((c['volumeMounts'] as Obj[]).some((m) => m['name'] === RW.config.volume && m['mountPath'] === '/etc/mimir'));
      // where the backend runs the alertmanager: its fallback config and, the root being read-only, a writable /tmp (as the chart's)
      const mounts = c['volumeMounts'] as Obj[];
      if (mounts.some((m) => m['name'] === RW.alertmanagerFallback.volume)) {
        assert.ok(mounts.some((m) => m['name'] === RW.alertmanagerTmp.volume && m['mountPath'] === '/tmp'), `${name}: the alertmanager's /tmp`);
        assert.deepEqual((pod['volumes'] as Obj[]).find((v) => v['name'] === RW.alertmanagerTmp.volume)!['emptyDir'], {});
      } else assert.ok(!mounts.some((m) => m['name'] === RW.alertmanagerTmp.volume), `${name}: no /tmp without the alertmanager`);
      const args = c['args'] as string[];
      assert.ok(args.includes('-config.file=/etc/mimir/mimir.yaml') && args.includes('-config.expand-env=true'), `${name}: the chart's args`);
      assert.equal(args[0], `-target=${labels['app.kubernetes.io/component']!.slice('mimir-'.length)}`);
      assert.equal(new Set(args.map((a) => a.split('=')[0])).size, args.length, `${name}: no flag twice`);
      assert.equal(pod['serviceAccountName'], full);
      assert.equal(c['image'], `grafana/mimir:${plan.runbook!.readWriteObjects!.version}`);
      // the S3 credentials come as the values' Secret references, never values
      assert.ok((c['env'] as Obj[]).every((e) => e['valueFrom']?.['secretKeyRef']), `${name}: env from Secrets`);
      const zone = labels['otelstack.io/zone'];
      if (w['kind'] === 'StatefulSet') {
        assert.ok(zone, `${name}: a zone`);
        assert.equal(w['metadata']['name'], `${full}-${labels['app.kubernetes.io/component']!.slice('mimir-'.length)}-${zone}`);
        assert.ok(args.includes(`-ingester.ring.zone-awareness-enabled=true`));
        if (name.includes('write')) {
          assert.ok(args.includes(`-ingester.ring.instance-availability-zone=${zone}`), `${name}: ingester zone`);
          assert.equal(pod['terminationGracePeriodSeconds'], RW.ingesterTerminationGraceSeconds);
          assert.equal(RW.ingesterTerminationGraceSeconds, 1200, "chart 6.0.4's ingester.terminationGracePeriodSeconds");
        } else {
          assert.ok(args.includes(`-store-gateway.sharding-ring.instance-availability-zone=${zone}`), `${name}: store-gateway zone`);
          assert.ok(args.includes('-store-gateway.sharding-ring.unregister-on-shutdown=false'), 'seed 004 step 5: mimir-backend keeps its store-gateway in the ring');
          assert.ok(!args.includes('-store-gateway.sharding-ring.unregister-on-shutdown=true'));
        }
        assert.equal(w['spec']['volumeClaimTemplates'][0]['metadata']['name'], RW.storage.volume);
      }
    }
    // Services the routing steps name
    const services = objs.filter((o) => o['kind'] === 'Service').map((o) => o['metadata']['name']).sort();
    assert.deepEqual(services, ['mimir-backend', 'mimir-backend-headless', 'mimir-read', 'mimir-write', 'mimir-write-headless']);
    assert.match(rb.steps.find((s) => s.id === 'route-reads')!.change.actions!.join(), /the Service mimir-read\.ca7f8f-prod\.svc, port 8080/);
  });

  it('the plan says read-write is experimental and why Helm users get objects (#8903); the cleanup keeps the release', async () => {
    const { plan, from } = await setup();
    const text = renderMigrationPlan(plan, 'markdown');
    assert.match(text, /experimental/);
    assert.match(text, /grafana\/mimir#8903/);
    assert.match(text, /kubernetes\/mimir-read-write\//);
    const rb = plan.runbook!;
    const cleanup = rb.steps.find((s) => s.id === 'cleanup')!;
    assert.ok(!cleanup.change.actions!.some((a) => /^uninstall/.test(a)), 'the release is not uninstalled: the objects use its config');
    assert.match(cleanup.change.actions!.join(), /keep the mimir-distributed release/);
    const keys = new Map((cleanup.change.helm ?? []).map((h) => [h.key, h.value]));
    for (const k of ['distributor', 'ingester', 'querier', 'query_frontend', 'store_gateway']) assert.equal(keys.get(`${k}.replicas`), 0, k);
    // the Alertmanager keeps its own StatefulSet in read-write mode (as Mimir's jsonnet keeps it)
    assert.equal(keys.get('alertmanager.replicas'), undefined);
    assert.equal(keys.get('gateway.enabled'), false);
    const files = renderMigrationStep(plan, cleanup.n, from.stack);
    const readme = files.get(`${stepDir(plan, cleanup)}/README.md`)!;
    assert.match(readme, /kubectl apply -n ca7f8f-prod -f kubernetes\/mimir-read-write\//);
    assert.match(readme, /ArgoCD Application with a directory source/);
  });

  it('the reverse runbook renders them too, and CLI render writes them', async () => {
    const r = otelstackSync(['migrate', 'plan', TO, FROM, '--env', 'prod', '--json']);
    assert.ok(r.code === 0 || r.code === 1, r.err);
    const plan = JSON.parse(r.out) as MigrationPlan;
    assert.equal(plan.runbook!.id, 'mimir-read-write-to-microservices');
    assert.ok(plan.runbook!.readWriteObjects);
    assert.ok(plan.runbook!.notes.some((n) => n.includes('#8903')));
  });

  it("mimir-backend runs the alertmanager as the chart's does: its fallback ConfigMap at /configs and a writable /tmp; neither when the values switch the alertmanager off", () => {
    const per = { cpuRequestMillicores: 100, memoryRequestBytes: 256 * 1024 ** 2, storageBytes: 1024 ** 3 };
    const spec: MimirReadWriteSpec = {
      release: 'mimir',
      namespace: 'ns',
      environment: 'prod',
      version: '3.0.1',
      zones: [],
      components: { 'mimir-backend': { replicas: 1, perReplica: per, definitionPath: 'z' } },
      podDisruptionBudgets: false,
    };
    const podOf = (values: Record<string, unknown>) => {
      const files = mimirReadWriteObjects(spec, { 'mimir-backend': 1 }, values);
      assert.ok(assertObjectsValidate(files) >= 1);
      return (parse(files.get(`${MIMIR_READ_WRITE_DIR}/mimir-backend-statefulset.yaml`)!) as Obj)['spec']['template']['spec'];
    };
    const on = podOf({});
    const mounts = (on['containers'][0]['volumeMounts'] as Obj[]).map((m) => `${m['name']}:${m['mountPath']}`);
    assert.ok(mounts.includes(`${RW.alertmanagerFallback.volume}:/configs`), mounts.join());
    assert.ok(mounts.includes('tmp:/tmp'), mounts.join());
    assert.equal(on['containers'][0]['securityContext']['readOnlyRootFilesystem'], true);
    assert.equal((on['volumes'] as Obj[]).find((v) => v['name'] === RW.alertmanagerFallback.volume)!['configMap']['name'], 'mimir-alertmanager-fallback-config');
    assert.deepEqual((on['volumes'] as Obj[]).find((v) => v['name'] === 'tmp')!['emptyDir'], {});
    const off = podOf({ alertmanager: { enabled: false } });
    assert.ok(!(off['volumes'] as Obj[]).some((v) => v['name'] === 'tmp' || v['name'] === RW.alertmanagerFallback.volume));
  });

  it('an autoscaled mimir-read: an HPA owns the count once it runs (none at 0 replicas); no zones: one StatefulSet per component; a release without the infix gets <release>-mimir', () => {
    const per = { cpuRequestMillicores: 100, memoryRequestBytes: 256 * 1024 ** 2, storageBytes: 1024 ** 3 };
    const spec: MimirReadWriteSpec = {
      release: 'metrics',
      namespace: 'ns',
      environment: 'prod',
      version: '3.0.1',
      zones: [],
      components: { 'mimir-read': { replicas: 4, perReplica: per, autoscaling: { min: 2, max: 4, targetCpu: 70, scaler: 'hpa' }, definitionPath: 'x' }, 'mimir-write': { replicas: 3, perReplica: per, definitionPath: 'y' } },
      podDisruptionBudgets: true,
    };
    const up = mimirReadWriteObjects(spec, { 'mimir-read': 4, 'mimir-write': 3 }, {});
    assert.ok(assertObjectsValidate(up) >= 6);
    const hpa = parse(up.get(`${MIMIR_READ_WRITE_DIR}/mimir-read-hpa.yaml`)!) as Obj;
    assert.deepEqual([hpa['spec']['minReplicas'], hpa['spec']['maxReplicas'], hpa['spec']['scaleTargetRef']['name']], [2, 4, 'metrics-mimir-read']);
    assert.equal((parse(up.get(`${MIMIR_READ_WRITE_DIR}/mimir-read-deployment.yaml`)!) as Obj)['spec']['replicas'], undefined);
    const sts = parse(up.get(`${MIMIR_READ_WRITE_DIR}/mimir-write-statefulset.yaml`)!) as Obj;
    assert.equal(sts['metadata']['name'], 'metrics-mimir-write');
    assert.equal(sts['spec']['replicas'], 3);
    assert.equal((sts['spec']['template']['spec']['volumes'] as Obj[]).find((v) => v['name'] === 'config')!['configMap']['name'], 'metrics-mimir-config');
    assert.deepEqual(sts['spec']['template']['metadata']['labels']['app.kubernetes.io/instance'], 'metrics');
    assert.ok(!(sts['spec']['template']['spec']['containers'][0]['args'] as string[]).some((a) => a.includes('availability-zone')), 'no zones: no zone flags');
    const zero = mimirReadWriteObjects(spec, { 'mimir-read': 0, 'mimir-write': 0 }, {});
    assert.equal(zero.has(`${MIMIR_READ_WRITE_DIR}/mimir-read-hpa.yaml`), false);
    assert.equal((parse(zero.get(`${MIMIR_READ_WRITE_DIR}/mimir-read-deployment.yaml`)!) as Obj)['spec']['replicas'], 0);
  });
});
