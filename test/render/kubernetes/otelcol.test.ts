// The OTel Collector pools on Kubernetes (render/kubernetes/otelcol.ts), on examples/buffered: gateway → Kafka →
// processor, the gateway on a HorizontalPodAutoscaler, the processor on a KEDA ScaledObject reading the consumer lag
// of exactly the groups and topics its rendered receivers use. Every object is validated by @kubernetes-models (the
// renderer does; the test validates again after parsing); the config each pod mounts is validated by the real
// collector in test/e2e/validate.test.ts.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { loadStack } from '../../../src/model/load.js';
import type { Stack } from '../../../src/model/schema.js';
import { buildPlan } from '../../../src/plan/index.js';

const planStack = (stack: Stack) => buildPlan(stack, 'examples/buffered/stack.yaml');
import { collectorConfigFile } from '../../../src/render/configs/otelcol.js';
import { renderKubernetes } from '../../../src/render/kubernetes/index.js';
import { renderTopology } from '../../../src/render/topology.js';
import { renderStack } from '../../../src/render/index.js';
import { diffFileSets, readFileSet } from '../../../src/render/fileset.js';
import { assertObjectsValidate } from './inspect.js';
import { BUFFERED, BUFFERED_GOLDEN_DIR } from './support.js';

const EXAMPLE = BUFFERED;

async function buffered(edit?: (raw: Record<string, any>) => void): Promise<Stack> {
  if (!edit) return (await loadStack(EXAMPLE)).stack;
  const { readFileSync, writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const raw = parse(readFileSync(join(EXAMPLE, 'stack.yaml'), 'utf8')) as Record<string, any>;
  edit(raw);
  const dir = mkdtempSync(join(tmpdir(), 'otelstack-buffered-'));
  try {
    writeFileSync(join(dir, 'stack.yaml'), JSON.stringify(raw));
    return (await loadStack(dir)).stack;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function render(stack: Stack) {
  const topology = renderTopology(stack, 'prod');
  return { topology, ...renderKubernetes({ stack, topology }) };
}

const doc = (files: Map<string, string>, path: string): any => {
  const text = files.get(path);
  assert.ok(text, `${path} rendered (have: ${[...files.keys()].filter((k) => k.includes('otelcol')).join(', ')})`);
  return parse(text);
};

describe('kubernetes: OTel Collector pools with a Kafka buffer (examples/buffered)', () => {
  it('golden: `otelstack render examples/buffered` matches examples/buffered/rendered, and every object validates', async () => {
    const files = renderStack(await buffered()).files;
    const diffs = diffFileSets(files, readFileSet(BUFFERED_GOLDEN_DIR));
    const text = diffs.map((d) => `${d.change}: ${d.path}${d.detail ? `\n${d.detail}` : ''}`).join('\n');
    assert.equal(diffs.length, 0, `rendered output differs from the golden files (to accept: node dist/test/render/kubernetes/update-golden.js):\n${text}`);
    assert.ok(assertObjectsValidate(files) > 20);
  });

  it('renders both pools, their services, autoscalers, PDBs and the topics Job, without error findings', async () => {
    const { files, findings } = render(await buffered());
    assert.deepEqual(findings.filter((f) => f.severity === 'error'), []);
    const got = [...files.keys()].filter((k) => k.startsWith('kubernetes/prod/otelcol/')).sort();
    assert.deepEqual(got, [
      'kubernetes/prod/otelcol/gateway-configmap.yaml',
      'kubernetes/prod/otelcol/gateway-hpa.yaml',
      'kubernetes/prod/otelcol/gateway-pdb.yaml',
      'kubernetes/prod/otelcol/gateway-service.yaml',
      'kubernetes/prod/otelcol/gateway-statefulset.yaml',
      'kubernetes/prod/otelcol/processor-configmap.yaml',
      'kubernetes/prod/otelcol/processor-pdb.yaml',
      'kubernetes/prod/otelcol/processor-scaledobject.yaml',
      'kubernetes/prod/otelcol/processor-service.yaml',
      'kubernetes/prod/otelcol/processor-statefulset.yaml',
      'kubernetes/prod/otelcol/topics-job.yaml',
    ]);
  });

  it('each pod mounts the same config bytes the compose and ansible targets place, and rolls when they change (sha256 in the pod template)', async () => {
    const stack = await buffered();
    const { files, topology } = render(stack);
    for (const role of ['gateway', 'processor'] as const) {
      const cm = doc(files, `kubernetes/prod/otelcol/${role}-configmap.yaml`);
      assert.equal(cm.data['config.yaml'], collectorConfigFile({ stack, topology }, role));
      const sts = doc(files, `kubernetes/prod/otelcol/${role}-statefulset.yaml`);
      new StatefulSet(sts).validate();
      assert.equal(sts.spec.template.metadata.annotations['otelstack.io/config-sha256'], createHash('sha256').update(cm.data['config.yaml']).digest('hex'));
      assert.deepEqual(sts.spec.template.spec.containers[0].args, ['--config=/etc/otelcol/config.yaml']);
      // the persistent queue's volume where file_storage writes
      const queueDir = (parse(cm.data['config.yaml']) as any).extensions.file_storage.directory;
      assert.ok(sts.spec.template.spec.containers[0].volumeMounts.some((m: any) => m.mountPath === queueDir && m.name === 'queue'));
      assert.equal(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage, '2Gi');
      // the autoscaler owns the count: ArgoCD has no replicas to revert
      assert.equal(sts.spec.replicas, undefined, `${role}: no replicas in an autoscaled workload`);
      assert.equal(sts.spec.template.spec.terminationGracePeriodSeconds, 60);
    }
  });

  it("verify and the canary push to the gateway Service the renderer writes", async () => {
    const stack = await buffered();
    const { files, topology } = render(stack);
    const svc = doc(files, 'kubernetes/prod/otelcol/gateway-service.yaml');
    const { ingestionEndpoint } = await import('../../../src/ops/verify/targets.js');
    assert.equal(ingestionEndpoint(topology, 'grpc', 'network'), `http://${svc.metadata.name}.${svc.metadata.namespace}.svc.cluster.local:4317`);
    assert.ok(svc.spec.ports.some((p: any) => p.port === 4317) && svc.spec.ports.some((p: any) => p.port === 4318));
  });

  it('the gateway scales on CPU (autoscaling/v2 HPA, 2–6 at 70 %) and the processor on consumer lag (KEDA, 2–6)', async () => {
    const { files } = render(await buffered());
    const hpa = doc(files, 'kubernetes/prod/otelcol/gateway-hpa.yaml');
    new HorizontalPodAutoscaler(hpa).validate();
    assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'otelcol-gateway' });
    assert.equal(hpa.spec.minReplicas, 2);
    assert.equal(hpa.spec.maxReplicas, 6);
    assert.deepEqual(hpa.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }]);
    const so = doc(files, 'kubernetes/prod/otelcol/processor-scaledobject.yaml');
    new ScaledObject(so).validate();
    assert.equal(so.apiVersion, 'keda.sh/v1alpha1');
    assert.deepEqual(so.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'otelcol-processor' });
    assert.equal(so.spec.minReplicaCount, 2);
    assert.equal(so.spec.maxReplicaCount, 6);
    // no CPU trigger: the definition names no CPU target for the processor
    assert.ok(so.spec.triggers.every((t: any) => t.type === 'kafka'));
  });

  it("the ScaledObject's triggers read exactly the consumer groups and topics of the processor's rendered receivers", async () => {
    const { files, topology } = render(await buffered());
    const config = parse(doc(files, 'kubernetes/prod/otelcol/processor-configmap.yaml').data['config.yaml']) as any;
    const receivers = Object.entries(config.receivers as Record<string, any>).map(([id, r]) => {
      const signal = id.split('/')[1]!;
      return { group: r.group_id, topic: r[signal].topics[0], brokers: r.brokers.join(',') };
    });
    assert.equal(receivers.length, 3);
    const triggers = doc(files, 'kubernetes/prod/otelcol/processor-scaledobject.yaml').spec.triggers.map((t: any) => ({ group: t.metadata.consumerGroup, topic: t.metadata.topic, brokers: t.metadata.bootstrapServers }));
    const byTopic = (a: { topic: string }, b: { topic: string }) => (a.topic < b.topic ? -1 : 1);
    assert.deepEqual(triggers.sort(byTopic), receivers.sort(byTopic));
    // the gateway writes the same topics
    const gw = parse(doc(files, 'kubernetes/prod/otelcol/gateway-configmap.yaml').data['config.yaml']) as any;
    const written = Object.entries(gw.exporters as Record<string, any>).map(([id, e]) => e[id.split('/')[1]!].topic).sort();
    assert.deepEqual(written, receivers.map((r) => r.topic).sort());
    // and KEDA never asks for more consumers than a topic has partitions
    for (const tp of topology.ingestion!.topics) assert.ok(tp.partitions >= 6, `${tp.name}: ${tp.partitions} partitions for up to 6 processors`);
    for (const t of doc(files, 'kubernetes/prod/otelcol/processor-scaledobject.yaml').spec.triggers) {
      assert.equal(t.metadata.lagThreshold, '50');
      assert.equal(t.metadata.allowIdleConsumers, 'false');
      assert.equal(t.metadata.offsetResetPolicy, 'earliest');
    }
  });

  it('the topics Job (ArgoCD Sync hook, after the brokers) creates each buffer topic with the planned partitions, replication, min ISR and retention', async () => {
    const { files, topology } = render(await buffered());
    const job = doc(files, 'kubernetes/prod/otelcol/topics-job.yaml');
    new Job(job).validate();
    assert.equal(job.metadata.annotations['argocd.argoproj.io/hook'], 'Sync');
    assert.equal(job.metadata.annotations['argocd.argoproj.io/sync-wave'], '1');
    const script: string = job.spec.template.spec.containers[0].command[2];
    for (const tp of topology.ingestion!.topics) {
      assert.match(script, new RegExp(`--topic ${tp.name} --partitions ${tp.partitions} --replication-factor 3 --config min.insync.replicas=2 --config retention.ms=86400000`));
    }
    assert.match(script, /--bootstrap-server kafka-0\.kafka\.buffered-prod\.svc\.cluster\.local:9092,kafka-1/);
  });

  it('the plan budgets both pools at max, scaled by an HPA and by KEDA', async () => {
    const plan = planStack(await buffered());
    const env = plan.environments.find((e) => e.name === 'prod')!;
    const pool = (c: string) => env.components.find((x) => x.engine === 'otelcol' && x.component === c)!;
    assert.equal(pool('gateway').replicas, 6);
    assert.equal(pool('gateway').autoscaling?.scaler, 'hpa');
    assert.equal(pool('processor').replicas, 6);
    assert.equal(pool('processor').autoscaling?.scaler, 'keda');
    assert.equal(pool('processor').autoscaling?.targetCpu, undefined, 'no CPU target implied for a lag-scaled pool');
    assert.deepEqual(plan.findings.filter((f) => f.severity === 'error'), []);
  });

  it('without keda: true, an autoscaled processor pool is refused by the plan and by the renderer (error, with the fix)', async () => {
    const stack = await buffered((raw) => { raw['environments'][0].keda = false; });
    const plan = planStack(stack).findings.filter((f) => f.severity === 'error');
    assert.equal(plan.length, 1, JSON.stringify(plan));
    assert.equal(plan[0]!.rule, 'autoscaling');
    assert.equal(plan[0]!.path, 'ingestion.environments.prod.processor.autoscaling');
    assert.match(plan[0]!.message, /consumer lag.*KEDA/);
    assert.match(plan[0]!.suggestion, /keda: true/);
    const r = render(stack);
    assert.ok(r.findings.some((f) => f.severity === 'error' && /KEDA/.test(f.message)));
    assert.equal(r.files.has('kubernetes/prod/otelcol/processor-scaledobject.yaml'), false);
  });

  it('fixed pools: replicas written, no autoscalers; without a persistent queue: Deployments', async () => {
    const stack = await buffered((raw) => {
      const p = raw['ingestion'].environments.prod;
      p.gateway = { replicas: 3, cpu: '500m', memory: '1Gi' };
      p.processor = { replicas: 2, cpu: '500m', memory: '2Gi' };
      raw['ingestion'].persistentQueue = { enabled: false };
    });
    const { files } = render(stack);
    assert.equal(doc(files, 'kubernetes/prod/otelcol/gateway-deployment.yaml').spec.replicas, 3);
    assert.equal(doc(files, 'kubernetes/prod/otelcol/processor-deployment.yaml').spec.replicas, 2);
    for (const f of ['gateway-hpa', 'processor-scaledobject', 'gateway-statefulset']) assert.equal(files.has(`kubernetes/prod/otelcol/${f}.yaml`), false, f);
  });

  it('the Alloy on Kubernetes still refuses a Kafka buffer, pointing to the OTel Collector', async () => {
    const stack = await buffered((raw) => {
      raw['ingestion'].collector = 'alloy';
      delete raw['ingestion'].environments.prod.processor;
      raw['environments'][0].keda = false;
    });
    const errors = planStack(stack).findings.filter((f) => f.rule === 'kubernetes-kafka-buffer');
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.suggestion, /ingestion\.collector: otelcol/);
  });
});
