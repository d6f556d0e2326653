/**
 * "Add Kafka" on Kubernetes (seed 002 Migration Path Phase 1; issue 10 §2 runbook 2): the otelcol pools that
 * render/kubernetes/otelcol.ts renders go from gateway → engines to gateway → Kafka → processor without losing what
 * the gateways acknowledged. The steps are compose's, in manifest terms — each step's
 * kubernetes/<env>/{kafka,otelcol}/ is the whole set of those manifests to commit (or kubectl apply) at that step:
 *  1. the brokers and the buffer topics (the topics Job, an ArgoCD Sync hook, or a plain Job under kubectl);
 *  2. the processor pool, on the still-empty topics;
 *  3. the gateways onto the Kafka exporter by the workload's rolling update (one pod at a time).
 * What a gateway pod holds when it stops decides how step 3 goes (the collector's shutdown, catalog
 * OTELCOL_QUEUE_SHUTDOWN):
 *  - a memory queue drains at shutdown: the pod leaves the Service's endpoints, gets SIGTERM, its receivers stop and
 *    its exporters send what is queued, within terminationGracePeriodSeconds (STOP_GRACE_SECONDS.otelcol, already
 *    on every pool): one rolling update is enough;
 *  - a persistent queue on the pod's volume is NOT drained at shutdown: it waits on disk for the next start of the
 *    same exporter. The new config has no direct exporters, so their queues would never be read again. Step 3 then
 *    rolls the gateways onto a drain config: the target config plus the running config's direct exporters, each in
 *    a pipeline of its own signal fed by a loopback-only receiver (catalog OTELCOL_DRAIN_RECEIVER) — the restarted
 *    pod reopens its volume, its direct exporters find their queues (same id, same signal) and send them; the gate
 *    waits for those queues to be empty on every pod; step 4 rolls onto the target config, with nothing left in them;
 *  - a persistent queue on an emptyDir (no gateway queue storage) goes with the replaced pod: no rollout can be
 *    zero-loss, and the runbook is refused with the reason.
 * No preStop hook: the contrib image has no shell to wait on a queue, and the collector's own shutdown (receivers
 * first, then the exporters' memory queues) is what such a hook would wait for; a persistent queue is handled by the
 * drain config, not by waiting. Clients see connections refused only in the moment between SIGTERM and the
 * endpoint's removal, and retry (OTLP exporters and SDKs do).
 * Nothing here queries a cluster: the manifests are the renderers' own (target definition for Kafka, processors and
 * the final gateways; running definition for the gateways before step 3), the drain config a merge of the two.
 */
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { parse } from 'yaml';
import { CATALOG } from '../../catalog/index.js';
import { KAFKA_IMAGE_SCRIPTS_DIR } from '../../catalog/kafka.js';
import { COLLECTOR_METRICS } from '../../catalog/metrics.js';
import { OTELCOL_DRAIN_RECEIVER, OTELCOL_QUEUE_SHUTDOWN } from '../../catalog/otelcol.js';
import type { Stack } from '../../model/schema.js';
import { STOP_GRACE_SECONDS } from '../../render/configs/lifecycle.js';
import { toYaml, type FileSet } from '../../render/fileset.js';
import { renderKubernetes } from '../../render/kubernetes/index.js';
import { otelcolPoolName } from '../../render/kubernetes/otelcol.js';
import { sha256 } from '../../render/output/manifest.js';
import { renderTopology } from '../../render/topology.js';
import type { Topology } from '../../topology/types.js';
import { KAFKA_STEP, PROCESSORS_ON_FAILURE, PROCESSORS_STEP, addKafkaRunbook, addKafkaSteps, kafkaWriting, processorsUp, topicList, verifyStep } from './add-kafka-steps.js';
import { promql } from './gates.js';
import type { AddKafkaManifests, Runbook } from './types.js';

const OTEL = COLLECTOR_METRICS.otelcol;
const CONFIG_KEY = 'config.yaml';
const SHA_ANNOTATION = 'otelstack.io/config-sha256';

/** How the running gateways queue what they acknowledged (the running definition decides). */
export type GatewayQueue = 'memory' | 'volume' | 'emptyDir';

export function gatewayQueue(fromStack: Stack, from: Topology): GatewayQueue {
  if (!fromStack.ingestion?.persistentQueue.enabled) return 'memory';
  const gw = from.components.find((c) => c.engine === 'otelcol' && c.component === 'gateway');
  return (gw?.perReplica.storageBytes ?? 0) > 0 ? 'volume' : 'emptyDir';
}

/** Why the Kubernetes runbook does not apply (undefined: it applies). */
export function addKafkaKubernetesRefusal(fromStack: Stack, from: Topology, toStack: Stack, to: Topology): string | undefined {
  if (fromStack.ingestion?.shared || toStack.ingestion?.shared) return 'the gateways are a shared deployment otelstack does not render (ingestion.shared): their cutover is not otelstack\'s';
  const q = gatewayQueue(fromStack, from);
  if (q === 'volume' && gatewayQueue(toStack, to) !== 'volume') {
    return `the running gateways of ${from.env.name} queue on their volumes, but the target's gateways do not: the rolled pods would not reopen those volumes and their queues would never be read; keep the gateway queue storage in the target (change it in a rollout of its own after Kafka is in)`;
  }
  if (q === 'emptyDir') {
    return `the running gateways of ${from.env.name} keep their persistent queue on an emptyDir (no gateway storage in the definition): a pod replaced by the rolling update loses what it holds, so no cutover on Kubernetes can be zero-loss; give the gateway pool queue storage (ingestion.environments.${from.env.name}.gateway.storage) and roll that out first`;
  }
  return undefined;
}

type Cfg = { exporters?: Record<string, Record<string, unknown>>; receivers?: Record<string, unknown>; extensions?: Record<string, unknown>; service: { extensions?: string[]; pipelines: Record<string, { receivers: string[]; processors?: string[]; exporters: string[] }> } };

/**
 * The drain config: the target gateway config plus the running config's exporters it no longer has that queue
 * persistently, each signal's in a `<signal>/drain` pipeline fed only by the loopback drain receiver (a pipeline's
 * signal is the part of its id before the slash; the persisted queue is found by exporter id and signal).
 * Returns the config and the drained exporter ids.
 */
export function drainGatewayConfig(running: Cfg, target: Cfg): { config: Cfg; drained: string[] } {
  const out = structuredClone(target);
  const keep = new Set(Object.keys(target.exporters ?? {}));
  const bySignal = new Map<string, Set<string>>();
  const storages = new Set<string>();
  for (const [id, p] of Object.entries(running.service.pipelines)) {
    const signal = id.split('/')[0]!;
    for (const e of p.exporters) {
      if (keep.has(e)) continue;
      const storage = ((running.exporters?.[e]?.['sending_queue'] ?? {}) as Record<string, unknown>)['storage'];
      if (typeof storage !== 'string') continue; // a memory queue drains at shutdown
      storages.add(storage);
      if (!bySignal.has(signal)) bySignal.set(signal, new Set());
      bySignal.get(signal)!.add(e);
    }
  }
  const drained = [...new Set([...bySignal.values()].flatMap((s) => [...s]))].sort();
  if (drained.length === 0) return { config: out, drained };
  out.exporters = { ...(out.exporters ?? {}) };
  for (const e of drained) out.exporters[e] = structuredClone(running.exporters![e]!);
  out.receivers = { ...(out.receivers ?? {}), [OTELCOL_DRAIN_RECEIVER.id]: { protocols: { grpc: { endpoint: OTELCOL_DRAIN_RECEIVER.endpoint } } } };
  for (const [signal, exporters] of [...bySignal.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    out.service.pipelines[`${signal}/${OTELCOL_DRAIN_RECEIVER.pipelineName}`] = { receivers: [OTELCOL_DRAIN_RECEIVER.id], exporters: [...exporters].sort() };
  }
  // the storage extension the drained queues live in, and any extension they use, stay configured and started
  const used = [...storages, ...drained.flatMap((e) => extensionRefs(running.exporters![e]!))];
  for (const x of used) {
    if (running.extensions?.[x] !== undefined && out.extensions?.[x] === undefined) out.extensions = { ...(out.extensions ?? {}), [x]: structuredClone(running.extensions[x]) };
    if (running.extensions?.[x] !== undefined && !(out.service.extensions ?? []).includes(x)) out.service.extensions = [...(out.service.extensions ?? []), x].sort();
  }
  return { config: out, drained };
}

/** Extension ids an exporter refers to (auth: { authenticator }). */
function extensionRefs(exporter: Record<string, unknown>): string[] {
  const auth = exporter['auth'] as { authenticator?: string } | undefined;
  return auth?.authenticator ? [auth.authenticator] : [];
}

/** The Kubernetes Add Kafka runbook. */
export function addKafkaKubernetes(fromStack: Stack, from: Topology, to: Topology): Runbook {
  const k = to.kafka!;
  const ing = to.ingestion!;
  const ns = to.env.namespace;
  const env = to.env.name;
  const queue = gatewayQueue(fromStack, from);
  const gatewayName = otelcolPoolName('gateway');
  const processorName = otelcolPoolName('processor');
  const kindOf = (role: 'gateway' | 'processor', t: Topology, s: boolean) => (s && (t.components.find((c) => c.engine === 'otelcol' && c.component === role)?.perReplica.storageBytes ?? 0) > 0 ? 'statefulset' : 'deployment');
  const gwKind = kindOf('gateway', from, queue !== 'memory');
  const topicsJob = `${to.stack}-collector-topics-${env}`;
  const topics = topicList(to);
  const s = addKafkaSteps(from);
  const apply = `commit the step's kubernetes/${env}/ where the environment's manifests are synced (ArgoCD), or \`kubectl apply -n ${ns} -R -f kubernetes/${env}/\``;
  const m = (x: AddKafkaManifests): { manifests: AddKafkaManifests } => ({ manifests: x });

  s.add(
    {
      ...KAFKA_STEP,
      change: {
        summary: `${k.brokers} KRaft broker${k.brokers > 1 ? 's' : ''} (StatefulSet kafka) and the topics ${topics.join(', ')} (Job ${topicsJob}); nothing writes to them yet — the gateways' manifests are the running ones`,
        actions: [apply],
        ...m({ kafka: true, processor: false, gateway: 'running' }),
      },
      gate: [
        { kind: 'manual', description: `every broker is ready: kubectl -n ${ns} rollout status statefulset/kafka` },
        { kind: 'manual', description: `the topics Job completed: kubectl -n ${ns} wait --for=condition=complete job/${topicsJob} --timeout=10m` },
        { kind: 'manual', description: `the topics exist with their partitions: kubectl -n ${ns} exec kafka-0 -- ${KAFKA_IMAGE_SCRIPTS_DIR}/kafka-topics.sh --bootstrap-server localhost:${CATALOG.kafka.ports['client']} --describe` },
      ],
      onFailure: 'fix the brokers (kubectl logs) before anything writes to them; the gateways still export straight to the engines',
      rollback: `apply the running manifests again (the brokers and the Job go; delete their PVCs: nothing was written to them)`,
    },
    { broker: k.brokers },
  );

  s.add(
    {
      ...PROCESSORS_STEP,
      change: {
        summary: `the processor pool (${processorName}, ${ing.processorReplicas} replica${ing.processorReplicas > 1 ? 's' : ''}) joins the consumer groups of the buffer topics and exports to the engines`,
        actions: [apply],
        ...m({ kafka: true, processor: true, gateway: 'running' }),
      },
      gate: [
        { kind: 'manual', description: `the processors are ready: kubectl -n ${ns} rollout status ${kindOf('processor', to, fromStack.ingestion!.persistentQueue.enabled)}/${processorName}` },
        processorsUp(),
      ],
      onFailure: PROCESSORS_ON_FAILURE,
      rollback: 'apply step 1\'s manifests again (the topics are still empty)',
    },
    { processor: ing.processorReplicas },
  );

  const writing = kafkaWriting();
  const rolled = { kind: 'manual' as const, description: `the rolling update finished: kubectl -n ${ns} rollout status ${gwKind}/${gatewayName}` };

  if (queue === 'volume') {
    s.add(
      {
        id: 'gateways-drain',
        title: 'Switch the gateways to the Kafka exporter, keeping the direct exporters until their queues are empty',
        source: `derived: a persistent queue is ${OTELCOL_QUEUE_SHUTDOWN.persistent} (${OTELCOL_QUEUE_SHUTDOWN.source})`,
        change: {
          summary: `the gateway pods roll one at a time onto the drain config: their pipelines write to Kafka, and the running config's direct exporters stay in ${OTELCOL_DRAIN_RECEIVER.pipelineName} pipelines fed only by a loopback receiver (${OTELCOL_DRAIN_RECEIVER.endpoint}), so each restarted pod sends what its volume's queues still hold`,
          actions: [apply],
          ...m({ kafka: true, processor: true, gateway: 'drain' }),
        },
        gate: [rolled, ...writing, { kind: 'promql', description: 'the direct exporters of the drain pipelines run and report their queues', query: `count(${OTEL.exporterQueueSize}{job=~".*gateway.*", ${OTEL.exporterLabel}!~"kafka.*"})`, expect: 'nonzero' }, promql('every gateway\'s direct-exporter queue is empty (nothing left to drain)', `sum by (pod) (${OTEL.exporterQueueSize}{job=~".*gateway.*", ${OTEL.exporterLabel}!~"kafka.*"})`, 'zero')],
        onFailure: 'the rolling update stops at a pod that does not become ready (the others keep their config); a queue that does not empty means its engine refuses the writes: fix the engine and wait — never go to the next step while a direct queue holds items',
        rollback: `apply step 2's manifests again: the gateways roll back onto the direct exporters and reopen their queues; what a Kafka exporter still queues on a pod's volume waits there for a later roll forward — for a clean rollback first wait for ${OTEL.exporterQueueSize}{${OTEL.exporterLabel}=~"kafka.*"} to be 0`,
      },
      { gateway: ing.gatewayReplicas },
    );
    s.add(
      {
        id: 'gateways',
        title: 'Roll the gateways onto the target config (the drain pipelines go)',
        source: 'derived',
        change: { summary: 'the drain pipelines and the direct exporters leave the gateway config: their queues are empty (the previous gate)', actions: [apply], ...m({ kafka: true, processor: true, gateway: 'target' }) },
        gate: [rolled, ...writing],
        onFailure: 'the rolling update stops at a pod that does not become ready; apply step 3\'s manifests again',
        rollback: 'apply step 3\'s manifests, then step 2\'s (the processors then drain what is left in the topics)',
      },
      {},
    );
  } else {
    s.add(
      {
        id: 'gateways',
        title: 'Switch the gateways to the Kafka exporter by a rolling update',
        source: `derived: a memory queue is ${OTELCOL_QUEUE_SHUTDOWN.memory} (${OTELCOL_QUEUE_SHUTDOWN.source})`,
        change: {
          summary: `the gateway pods roll one at a time onto the config that writes to Kafka; each old pod leaves the Service's endpoints, stops its receivers and sends what its memory queues hold before it exits (within ${STOP_GRACE_SECONDS.otelcol} s, terminationGracePeriodSeconds)`,
          actions: [apply],
          ...m({ kafka: true, processor: true, gateway: 'target' }),
        },
        gate: [rolled, ...writing, promql('no gateway dropped items at shutdown', `sum(increase(${OTEL.exporterEnqueueFailed.traces}[10m])) + sum(increase(${OTEL.exporterEnqueueFailed.metrics}[10m])) + sum(increase(${OTEL.exporterEnqueueFailed.logs}[10m]))`, 'zero')],
        onFailure: 'the rolling update stops at a pod that does not become ready (the others keep the direct exporters); apply step 2\'s manifests to roll back',
        rollback: 'apply step 2\'s manifests again (the processors then drain what is left in the topics)',
      },
      { gateway: ing.gatewayReplicas },
    );
  }

  s.add(verifyStep(env, 'the gateway step(s)'), {});

  return addKafkaRunbook(
    ', on Kubernetes',
    'each step\'s kubernetes/<env>/kafka/ and otelcol/ are the whole set of those manifests at that step: commit them in place of the environment\'s (ArgoCD) or kubectl apply them; render both definitions\' other files as usual',
    [
      queue === 'volume'
        ? 'the gateways queue on their volumes: a persistent queue is not drained at shutdown, so the gateways first run a drain config (the direct exporters kept, fed by nothing) until those queues are empty'
        : 'the gateways queue in memory: the collector drains a memory queue at shutdown, within the pods\' grace period',
      'no preStop hook: the contrib image has no shell to wait on a queue; the collector\'s own shutdown order is what it would wait for',
      'checked here structurally and by the kubernetes-models (no cluster): the drain config is a merge of the two rendered gateway configs',
    ],
    s.steps,
  );
}

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Union by name, `prefer` first (the target's env / volumes win over the running ones of the same name). */
function unionByName(prefer: Obj[] | undefined, other: Obj[] | undefined): Obj[] | undefined {
  const out = [...(prefer ?? [])];
  for (const x of other ?? []) if (!out.some((y) => y['name'] === x['name'])) out.push(x);
  return out.length ? out : undefined;
}

/**
 * The manifests of one Add Kafka step, relative to the step's directory: kubernetes/<env>/kafka/ and
 * kubernetes/<env>/otelcol/ as they must be at that step.
 */
export function addKafkaManifests(x: AddKafkaManifests, env: string, fromStack: Stack, toStack: Stack): FileSet {
  const base = `kubernetes/${env}`;
  const running = renderKubernetes({ stack: fromStack, topology: renderTopology(fromStack, env) }).files;
  const target = renderKubernetes({ stack: toStack, topology: renderTopology(toStack, env) }).files;
  const out: FileSet = new Map();
  const take = (files: FileSet, pred: (p: string) => boolean) => {
    for (const [p, t] of files) if (pred(p)) out.set(p, t);
  };
  const under = (p: string, dir: string) => p.startsWith(`${base}/${dir}/`);
  const gateway = (p: string) => under(p, 'otelcol') && p.slice(`${base}/otelcol/`.length).startsWith('gateway-');
  if (x.kafka) take(target, (p) => under(p, 'kafka') || p === `${base}/otelcol/topics-job.yaml`);
  if (x.processor) take(target, (p) => under(p, 'otelcol') && p.slice(`${base}/otelcol/`.length).startsWith('processor-'));
  take(x.gateway === 'running' ? running : target, gateway);
  if (x.gateway === 'drain') {
    const cmPath = `${base}/otelcol/gateway-configmap.yaml`;
    const runningCm = parse(running.get(cmPath)!) as Obj;
    const targetCm = parse(target.get(cmPath)!) as Obj;
    const runningCfg = parse(runningCm['data'][CONFIG_KEY]) as Cfg;
    const { config, drained } = drainGatewayConfig(runningCfg, parse(targetCm['data'][CONFIG_KEY]) as Cfg);
    const text = `# OpenTelemetry Collector gateway v${CATALOG.otelcol.pinned}, Add Kafka drain config (the direct exporters ${drained.join(', ')} kept until their queues are empty) — rendered by otelstack.\n${toYaml(config)}`;
    const cm = new ConfigMap({ ...(targetCm as object), data: { [CONFIG_KEY]: text } } as never);
    cm.validate();
    out.set(cmPath, toYaml(cm.toJSON()));
    for (const kind of ['statefulset', 'deployment'] as const) {
      const path = `${base}/otelcol/gateway-${kind}.yaml`;
      const t = target.get(path);
      if (!t) continue;
      const w = parse(t) as Obj;
      const r = parse(running.get(path) ?? t) as Obj;
      // the drained exporters may read env and files the running pods had (tokens, certificates): kept
      const pod = w['spec']['template']['spec'];
      const rpod = r['spec']['template']['spec'];
      pod['volumes'] = unionByName(pod['volumes'], rpod['volumes']);
      const c = pod['containers'][0];
      const rc = rpod['containers'][0];
      c['env'] = unionByName(c['env'], rc['env']);
      c['volumeMounts'] = unionByName(c['volumeMounts'], rc['volumeMounts']);
      w['spec']['template']['metadata']['annotations'] = { ...(w['spec']['template']['metadata']['annotations'] ?? {}), [SHA_ANNOTATION]: sha256(text) };
      const model = kind === 'statefulset' ? new StatefulSet(w as never) : new Deployment(w as never);
      model.validate();
      out.set(path, toYaml(model.toJSON()));
    }
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}
