/**
 * The OpenTelemetry Collector pools on Kubernetes (ingestion.collector: otelcol, not shared): plain manifests per
 * pool — gateway, and with a Kafka buffer the processor pool behind it — in the environment's namespace:
 *  - a ConfigMap holding the pool's collector config: the same bytes the compose and ansible targets place
 *    (collectorConfigFile; brokers and engines are the topology's cluster-local names);
 *  - a Deployment, or a StatefulSet with a volume per replica when the persistent queue has storage, running the
 *    contrib image on that file; the config's sha256 in the pod template, so a changed config rolls the pods (the
 *    collector does not reload its file); the health_check extension as readiness and liveness probe; the grace
 *    period of the other targets (STOP_GRACE_SECONDS) so queues flush before the kill;
 *  - a Service: the gateway's OTLP (and Faro) receivers; the processor's is headless (the StatefulSet's pod names
 *    and /metrics);
 *  - autoscaling: the gateway on CPU / memory through an autoscaling/v2 HorizontalPodAutoscaler; the Kafka-fed
 *    processor pool on consumer lag through a KEDA ScaledObject (environments[].keda), one kafka trigger per buffer
 *    topic with the consumer group its receiver joins. An autoscaled workload carries no `replicas`, so ArgoCD's
 *    self-heal never fights the autoscaler over the count;
 *  - a PodDisruptionBudget (maxUnavailable 1) where a pool has more than one replica;
 *  - with a Kafka buffer, an ArgoCD Sync-hook Job creating the buffer topics (kafkaTopicCommands, the compose
 *    kafka-init's commands) after the brokers' wave.
 * Without KEDA an autoscaled processor pool is refused (the plan's autoscaling rule; the renderer guards with the
 * same finding and renders the pool at its budgeted max).
 */
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject'; // the model's own module (start-up time)
import { Deployment } from 'kubernetes-models/apps/v1/Deployment'; // one model's module, not the group's index (start-up time)
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import { tenantPortName } from '../configs/alloy.js';
import { CATALOG } from '../../catalog/index.js';
import { KEDA_KAFKA_TRIGGER, PROCESSOR_TARGET_LAG_DEFAULT } from '../../catalog/keda.js';
import { OTELCOL_IMAGE_USER } from '../../catalog/otelcol.js';
import type { Finding } from '../../plan/findings.js';
import { FLOW_RELEASES, kubernetesGatewayService, otelcolPoolLabels } from '../../topology/network-flows.js';
import type { TopoComponent, Topology } from '../../topology/types.js';
import { COLLECTOR_CONFIG_PATH, COLLECTOR_QUEUE_DIR, collectorConfigFile, collectorEnvironment, collectorRoles, renderCollectorConfig, type CollectorRole } from '../configs/otelcol.js';
import { kafkaTopicCommands } from '../configs/kafka-topics.js';
import { STOP_GRACE_SECONDS } from '../configs/lifecycle.js';
import { sha256 } from '../output/manifest.js';
import { toYaml, type FileSet } from '../fileset.js';
import type { RenderInput, RenderResult } from '../types.js';
import { bytesQuantity, resourcesOf } from './values.js';

const RULE = 'render-otelcol-kubernetes';
const WAVE = 'argocd.argoproj.io/sync-wave';
const CONFIG_FILE = COLLECTOR_CONFIG_PATH.slice(COLLECTOR_CONFIG_PATH.lastIndexOf('/') + 1);
const CONFIG_DIR = COLLECTOR_CONFIG_PATH.slice(0, COLLECTOR_CONFIG_PATH.lastIndexOf('/'));
const QUEUE_VOLUME = 'queue';

/** Name of a pool's objects (and the pods' app.kubernetes.io/instance, otelcolPoolLabels). */
export function otelcolPoolName(role: CollectorRole): string {
  return `${FLOW_RELEASES.otelcol}-${role}`;
}

function yamlOf(model: { validate(): void; toJSON(): unknown }): string {
  model.validate();
  return toYaml(model.toJSON());
}

/** The receiver ports a pool's pods listen on, by catalog port name (the processor has no receivers to serve). */
function containerPorts(t: Topology, role: CollectorRole): Array<{ name: string; containerPort: number; protocol: 'TCP' }> {
  const p = CATALOG.otelcol.ports;
  const named: Array<[string, number]> =
    role === 'gateway'
      ? [
          ['otlp-grpc', p['otlpGrpc']!],
          ['otlp-http', p['otlpHttp']!],
          ...(t.ingestion?.faro ? ([['faro', t.ingestion.faro.port]] as Array<[string, number]>) : []),
          // tenants' Faro receivers (seed 003), named by port (a port name has at most 15 characters)
          ...(t.tenants ?? []).map((tn): [string, number] => [tenantPortName(tn.faroPort), tn.faroPort]),
        ]
      : [];
  named.push(['metrics', p['metrics']!], ['health', p['health']!]);
  return named.map(([name, containerPort]) => ({ name, containerPort, protocol: 'TCP' }));
}

/** The buffer topics the processor pool consumes, with the consumer group its receiver for that signal joins. */
function consumedTopics(input: RenderInput): Array<{ topic: string; group: string }> {
  const config = renderCollectorConfig(input, 'processor') as { receivers: Record<string, { group_id: string } & Record<string, { topics?: string[] }>> };
  const out: Array<{ topic: string; group: string }> = [];
  for (const r of Object.values(config.receivers)) {
    for (const [k, v] of Object.entries(r)) {
      if (k !== 'group_id' && v && typeof v === 'object' && Array.isArray(v.topics)) for (const topic of v.topics) out.push({ topic, group: r.group_id });
    }
  }
  return out.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
}

export function renderOtelcolKubernetes(input: RenderInput, o: { wave: number; topicsWave: number; managedBy: Record<string, string> }): RenderResult {
  const { stack, topology: t } = input;
  const files: FileSet = new Map();
  const findings: Finding[] = [];
  const ing = stack.ingestion;
  if (t.env.target !== 'kubernetes' || !ing || ing.collector !== 'otelcol' || ing.shared || !t.ingestion) return { files, findings };
  const ns = t.env.namespace;
  const base = `kubernetes/${t.env.name}/otelcol`;
  const annotations = { [WAVE]: String(o.wave) };
  const image = `${CATALOG.otelcol.image}:${CATALOG.otelcol.pinned}`;

  for (const role of collectorRoles(t)) {
    const comp = t.components.find((c): c is TopoComponent => c.engine === 'otelcol' && c.component === role);
    if (!comp) continue;
    const name = otelcolPoolName(role);
    const selector = otelcolPoolLabels(role);
    const labels = { ...selector, ...o.managedBy, 'app.kubernetes.io/component': role, 'otelstack.io/environment': t.env.name };
    const metadata = { name, namespace: ns, labels, annotations };
    const config = collectorConfigFile(input, role, findings);
    files.set(`${base}/${role}-configmap.yaml`, yamlOf(new ConfigMap({ metadata, data: { [CONFIG_FILE]: config } })));

    const a = comp.autoscaling;
    const lagScaled = role === 'processor' && a !== undefined;
    if (lagScaled && !t.env.keda) {
      findings.push({
        severity: 'error',
        rule: RULE,
        env: t.env.name,
        path: `${comp.definitionPath}.autoscaling`,
        message: `the processor pool (${t.env.name}) reads Kafka and scales on consumer lag, which needs KEDA: ${t.env.name} does not say its cluster has it`,
        suggestion: `set environments[${t.env.name}].keda: true where the cluster runs KEDA 2.x, or remove processor.autoscaling and size processor.replicas to the buffer topics' partitions`,
      });
    }
    const queued = ing.persistentQueue.enabled;
    const storage = queued ? comp.perReplica.storageBytes : 0;
    const queueMount = queued ? [{ name: QUEUE_VOLUME, mountPath: COLLECTOR_QUEUE_DIR }] : [];
    const podSpec = {
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: STOP_GRACE_SECONDS.otelcol,
      securityContext: { runAsNonRoot: true, runAsUser: OTELCOL_IMAGE_USER.uid, runAsGroup: OTELCOL_IMAGE_USER.gid, fsGroup: OTELCOL_IMAGE_USER.gid },
      containers: [
        {
          name: 'otelcol',
          image,
          args: [`--config=${COLLECTOR_CONFIG_PATH}`],
          env: Object.entries(collectorEnvironment(input, role)).map(([k, value]) => ({ name: k, value })),
          ports: containerPorts(t, role),
          resources: resourcesOf(comp) as never,
          readinessProbe: { httpGet: { path: CATALOG.otelcol.ready?.path ?? '/', port: 'health' }, periodSeconds: 10 },
          livenessProbe: { httpGet: { path: CATALOG.otelcol.ready?.path ?? '/', port: 'health' }, periodSeconds: 20, failureThreshold: 6 },
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
          volumeMounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }, ...queueMount],
        },
      ],
      volumes: [{ name: 'config', configMap: { name } }, ...(queued && storage === 0 ? [{ name: QUEUE_VOLUME, emptyDir: {} }] : [])],
    };
    const template = { metadata: { labels, annotations: { 'otelstack.io/config-sha256': sha256(config) } }, spec: podSpec };
    // the autoscaler owns the count: no replicas in the workload (ArgoCD then has nothing to revert)
    const replicas = a ? {} : { replicas: comp.replicas };
    const serviceName = role === 'gateway' ? kubernetesGatewayService('otelcol') : `${name}-headless`;
    const kind = storage > 0 ? 'StatefulSet' : 'Deployment';
    if (kind === 'StatefulSet') {
      const sts = new StatefulSet({
        metadata,
        spec: {
          ...replicas,
          serviceName,
          podManagementPolicy: 'Parallel',
          selector: { matchLabels: selector },
          template,
          volumeClaimTemplates: [{ metadata: { name: QUEUE_VOLUME }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: bytesQuantity(storage) } } } }],
        },
      });
      files.set(`${base}/${role}-statefulset.yaml`, yamlOf(sts));
    } else {
      const dep = new Deployment({ metadata, spec: { ...replicas, selector: { matchLabels: selector }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } }, template } });
      files.set(`${base}/${role}-deployment.yaml`, yamlOf(dep));
    }

    const svcPorts = containerPorts(t, role).map((p) => ({ name: p.name, port: p.containerPort, targetPort: p.name, protocol: p.protocol }));
    const svc =
      role === 'gateway'
        ? new Service({ metadata: { ...metadata, name: kubernetesGatewayService('otelcol') }, spec: { selector, ports: svcPorts.filter((p) => p.name !== 'health') } })
        : new Service({ metadata: { ...metadata, name: serviceName }, spec: { clusterIP: 'None', selector, ports: svcPorts.filter((p) => p.name === 'metrics') } });
    files.set(`${base}/${role}-service.yaml`, yamlOf(svc));

    const scaleTargetRef = { apiVersion: 'apps/v1', kind, name };
    if (a && role === 'gateway') {
      const metrics = [
        ...(a.targetCpu !== undefined ? [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: a.targetCpu } } }] : []),
        ...(a.targetMemory !== undefined ? [{ type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: a.targetMemory } } }] : []),
      ];
      const hpa = new HorizontalPodAutoscaler({ metadata, spec: { scaleTargetRef, minReplicas: a.min, maxReplicas: a.max, metrics: metrics as never } });
      files.set(`${base}/${role}-hpa.yaml`, yamlOf(hpa));
    }
    if (a && lagScaled && t.env.keda) {
      const k = KEDA_KAFKA_TRIGGER.keys;
      const lag = a.targetLag ?? PROCESSOR_TARGET_LAG_DEFAULT;
      const triggers: Array<Record<string, unknown>> = consumedTopics(input).map(({ topic, group }) => ({
        type: KEDA_KAFKA_TRIGGER.type,
        metadata: {
          [k.bootstrapServers]: t.kafka?.bootstrap ?? '',
          [k.consumerGroup]: group,
          [k.topic]: topic,
          [k.lagThreshold]: String(lag),
          // a group that has not committed yet (first start): its lag counts from the earliest offset, as the
          // receiver's initial_offset reads
          [k.offsetResetPolicy]: 'earliest',
          // never more consumers than partitions: an idle consumer would hold memory and no partition
          [k.allowIdleConsumers]: 'false',
        },
      }));
      for (const [res, target] of [['cpu', a.targetCpu], ['memory', a.targetMemory]] as const) {
        if (target !== undefined) triggers.push({ type: res, metricType: 'Utilization', metadata: { value: String(target) } });
      }
      const so = new ScaledObject({
        metadata,
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind, name },
          minReplicaCount: a.min,
          maxReplicaCount: a.max,
          // a scale-down waits out the tail-sampling decision and the queue flush of the pods it removes
          advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } } } },
          triggers: triggers as never,
        },
      });
      files.set(`${base}/${role}-scaledobject.yaml`, yamlOf(so));
    }
    const fewest = a ? a.min : comp.replicas;
    if (t.env.podDisruptionBudgets && fewest > 1) {
      files.set(`${base}/${role}-pdb.yaml`, yamlOf(new PodDisruptionBudget({ metadata, spec: { maxUnavailable: 1, selector: { matchLabels: selector } } })));
    }
  }

  const topics = t.ingestion.topics.filter((tp) => renderedTopics(input).has(tp.name));
  if (t.ingestion.kafkaBuffer && t.kafka && topics.length > 0) {
    // the CLI takes the whole bootstrap list: any broker that is up answers
    const script = ['set -eu', ...kafkaTopicCommands(topics, t.kafka.bootstrap, t.kafka.brokers)].join('\n');
    const job = new Job({
      metadata: {
        name: `${stack.name}-collector-topics-${t.env.name}`,
        namespace: ns,
        labels: { ...o.managedBy, 'otelstack.io/environment': t.env.name },
        // a Sync hook, re-created on every sync (a Job's template cannot be patched), after the brokers' wave
        annotations: { 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation', [WAVE]: String(o.topicsWave) },
      },
      spec: {
        backoffLimit: 6,
        template: {
          metadata: { labels: { ...o.managedBy, 'otelstack.io/environment': t.env.name } },
          spec: {
            restartPolicy: 'OnFailure',
            containers: [
              {
                name: 'create-topics',
                image: `${CATALOG.kafka.image}:${CATALOG.kafka.pinned}`,
                command: ['/bin/sh', '-c', script],
                // the Kafka CLI is a JVM
                resources: { requests: { cpu: '100m', memory: '384Mi' }, limits: { memory: '512Mi' } },
              },
            ],
          },
        },
      },
    });
    files.set(`${base}/topics-job.yaml`, yamlOf(job));
  }
  return { files, findings };
}

/** Topic names the rendered collector configs read or write (only signals with an engine get a pipeline). */
function renderedTopics(input: RenderInput): Set<string> {
  const out = new Set<string>();
  for (const { topic } of input.topology.ingestion?.kafkaBuffer ? consumedTopics(input) : []) out.add(topic);
  return out;
}
