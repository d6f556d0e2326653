/**
 * Kubernetes target: per environment, ArgoCD Applications (or one ApplicationSet per engine) with Helm values built
 * from the topology, a PreSync Job creating the environment's buckets, PodDisruptionBudgets the charts do not
 * render, NetworkPolicies (default-deny ingress plus the topology's flows), and Grafana datasource provisioning. Objects are built with @kubernetes-models classes, validated, and
 * serialised once with toYaml.
 */
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application'; // per-model modules (start-up time)
import { ApplicationSet } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSet';
import { Job } from 'kubernetes-models/batch/v1/Job'; // one model's module, not the group's index (start-up time)
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget'; // one model's module, not the group's index (start-up time)
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap'; // one model's module, not the group's index (start-up time)
import { CHART_VALUE_KEYS, chartValueKeys, valueKeyVersions } from '../../catalog/charts/index.js';
import { GRAFANA_SIDECAR_LABELS } from '../../catalog/grafana.js';
import { CATALOG } from '../../catalog/index.js';
import type { ChartRef } from '../../catalog/types.js';
import type { Stack } from '../../model/schema.js';
import type { Finding } from '../../plan/findings.js';
import type { EngineDeployment, Topology } from '../../topology/types.js';
import { toYaml, type FileSet } from '../fileset.js';
import type { RenderInput, RenderResult, Renderer } from '../types.js';
import { VALUES_BY_CHART, autoscalingValues, s3SecretEnv } from './values.js';
import { datasourceProvisioning } from './datasources.js';
import { kafkaObjects } from './kafka.js';
import { renderAlloyKubernetes } from './alloy.js';
import { renderOtelcolKubernetes } from './otelcol.js';
import { canaryObjects } from './canary.js';
import { renderGrafanaKubernetes } from './grafana.js';
import { renderNetworkPolicies } from './network-policies.js';
import { renderFaroIngress } from './faro-ingress.js';
import { renderDashboardsKubernetes } from '../grafana/index.js';
import { renderRulesKubernetes } from '../rules/index.js';
import { kubernetesKafkaBufferProblems } from '../../plan/rules/kubernetes-kafka-buffer.js';

export { VALUES_BY_CHART } from './values.js';

const RULE = 'render-kubernetes';
/** ArgoCD sync waves: buckets, then Kafka, then engines (and the collectors' buffer topics), then collectors, datasources, Grafana and the canary. */
export const SYNC_WAVE = { buckets: -1, kafka: 0, engines: 1, collectors: 2, datasources: 2 } as const;
const WAVE = 'argocd.argoproj.io/sync-wave';
const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'otelstack' };

/** Image of the bucket job (aws-cli: `s3api head-bucket || create-bucket` is idempotent). */
export const BUCKETS_JOB_IMAGE = 'amazon/aws-cli:2.22.35';

function sorted<T>(xs: T[], key: (x: T) => string): T[] {
  return [...xs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function yamlOf(model: { validate(): void; toJSON(): unknown }): string {
  model.validate();
  return toYaml(model.toJSON());
}

function isChart(c: EngineDeployment['chart']): c is ChartRef {
  return !('none' in c);
}

/** Engines deployed by this renderer in one environment: managed, with a chart, and not the ingestion collector. */
function deployable(t: Topology): EngineDeployment[] {
  return sorted(
    t.engines.filter((e) => e.managed),
    (e) => e.engine,
  );
}

function appName(stack: Stack, e: EngineDeployment, env: string): string {
  return `${stack.name}-${e.engine}-${env}`;
}

function syncPolicy(stack: Stack): Record<string, unknown> {
  return {
    ...(stack.kubernetes.argocd.automated ? { automated: { prune: true, selfHeal: true } } : {}),
    syncOptions: ['CreateNamespace=false', 'ServerSideApply=true'],
  };
}

function application(stack: Stack, t: Topology, e: EngineDeployment, chart: ChartRef, values: Record<string, unknown>): Application {
  return new Application({
    metadata: {
      name: appName(stack, e, t.env.name),
      namespace: stack.kubernetes.argocd.namespace,
      annotations: { [WAVE]: String(SYNC_WAVE.engines) },
      labels: { ...MANAGED_BY, 'otelstack.io/environment': t.env.name, 'otelstack.io/engine': e.engine },
    },
    spec: {
      project: stack.kubernetes.argocd.project,
      source: { repoURL: chart.repository, chart: chart.name, targetRevision: chart.version, helm: { releaseName: e.release, valuesObject: values } },
      destination: { server: 'https://kubernetes.default.svc', namespace: t.env.namespace },
      syncPolicy: syncPolicy(stack),
    },
  });
}

function bucketsJob(stack: Stack, t: Topology): Job | undefined {
  const names = [...new Set(t.buckets.map((b) => b.name))].sort();
  if (names.length === 0) return undefined;
  const script = [
    'set -eu',
    ...names.map((n) => `aws s3api head-bucket --bucket ${n} --endpoint-url "$S3_ENDPOINT" 2>/dev/null || aws s3api create-bucket --bucket ${n} --endpoint-url "$S3_ENDPOINT"`),
  ].join('\n');
  return new Job({
    metadata: {
      name: `${stack.name}-buckets-${t.env.name}`,
      namespace: t.env.namespace,
      labels: { ...MANAGED_BY, 'otelstack.io/environment': t.env.name },
      annotations: {
        'argocd.argoproj.io/hook': 'PreSync',
        'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
        [WAVE]: String(SYNC_WAVE.buckets),
      },
    },
    spec: {
      backoffLimit: 4,
      template: {
        metadata: { labels: { ...MANAGED_BY, 'otelstack.io/environment': t.env.name } },
        spec: {
          restartPolicy: 'OnFailure',
          containers: [
            {
              name: 'create-buckets',
              image: BUCKETS_JOB_IMAGE,
              command: ['/bin/sh', '-c', script],
              env: [
                ...(s3SecretEnv(t) as Array<{ name: string; valueFrom: { secretKeyRef: { name: string; key: string } } }>),
                { name: 'AWS_DEFAULT_REGION', value: t.objectStorage.region },
                { name: 'S3_ENDPOINT', value: t.objectStorage.endpoint },
              ],
              resources: { requests: { cpu: '10m', memory: '64Mi' } },
            },
          ],
        },
      },
    },
  });
}

function pdb(t: Topology, e: EngineDeployment, component: string, selector: Record<string, string>): PodDisruptionBudget {
  return new PodDisruptionBudget({
    metadata: {
      name: `${e.release}-${component}`,
      namespace: t.env.namespace,
      labels: { ...MANAGED_BY, 'otelstack.io/environment': t.env.name },
      annotations: { [WAVE]: String(SYNC_WAVE.engines) },
    },
    spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
  });
}

const CATALOG_PINNED = (e: EngineDeployment): string => CATALOG[e.engine].pinned;

function finding(t: Topology, path: string, severity: Finding['severity'], message: string, suggestion: string): Finding {
  return { severity, rule: RULE, env: t.env.name, path, message, suggestion };
}

/** Everything for one environment except ArgoCD objects; returns per-engine values for Applications/ApplicationSets. */
function renderEnvironment(input: RenderInput): { files: FileSet; findings: Finding[]; engineValues: Array<{ engine: EngineDeployment; chart: ChartRef; values: Record<string, unknown> }> } {
  const { stack, topology: t } = input;
  const files: FileSet = new Map();
  const findings: Finding[] = [];
  const base = `kubernetes/${t.env.name}`;
  const engineValues: Array<{ engine: EngineDeployment; chart: ChartRef; values: Record<string, unknown> }> = [];
  if (t.env.target !== 'kubernetes') return { files, findings, engineValues };
  findings.push(...kubernetesKafkaBufferProblems(t));

  for (const e of deployable(t)) {
    if (!isChart(e.chart)) {
      findings.push(finding(t, `${e.definitionPath}.mode`, 'error', `${e.title} ${e.mode} cannot be deployed on Kubernetes: ${e.chart.none}`, 'choose a mode the chart deploys (see `otelstack plan`)'));
      continue;
    }
    const build = VALUES_BY_CHART[e.chart.name];
    if (build && CHART_VALUE_KEYS[e.chart.name] && !chartValueKeys(e.chart)) {
      findings.push(finding(t, e.definitionPath, 'error', `${e.title} ${e.version} needs the ${e.chart.name} chart ${e.chart.version}; otelstack writes values for ${e.chart.name} ${valueKeyVersions(e.chart.name).join(' and ')} only`, `use ${e.title} ${CATALOG_PINNED(e)} (the pinned version), or deploy this one by hand`));
      continue;
    }
    if (!build) {
      findings.push(finding(t, e.definitionPath, 'warning', `values for the ${e.chart.name} chart are not rendered yet; ${e.title} (${t.env.name}) gets no Application`, `deploy ${e.title} by hand or set managed: false`));
      continue;
    }
    if (e.kafka && !t.kafka) {
      findings.push(finding(t, `${e.definitionPath}.mode`, 'error', `${e.title} ${e.mode} writes through Kafka, and ${t.env.name} has no Kafka`, `add kafka.environments.${t.env.name} (managed: false with bootstrap)${e.engine === 'mimir' ? ', or set ingestStorage: false' : ''}`));
    }
    const r = build(t, e);
    autoscalingValues(t, e, r.values);
    for (const n of r.notes) findings.push(finding(t, e.definitionPath, n.severity, n.message, n.suggestion));
    files.set(`${base}/values/${e.engine}.yaml`, toYaml(r.values));
    for (const u of r.uncoveredPdb) files.set(`${base}/pdbs/${e.release}-${u.component}.yaml`, yamlOf(pdb(t, e, u.component, u.selector)));
    engineValues.push({ engine: e, chart: e.chart, values: r.values });
  }

  if (t.kafka?.managed) {
    // KRaft brokers as plain manifests (sync wave 0: after the bucket hook, before the engines that write to it)
    for (const o of kafkaObjects(stack.name, t, SYNC_WAVE.kafka)) {
      const kind = o.kind === 'StatefulSet' ? 'statefulset' : o.kind === 'Service' ? 'service' : 'pdb';
      files.set(`${base}/kafka/${kind}.yaml`, yamlOf(o));
    }
  }

  // default-deny ingress plus exactly the topology's flows (environments[].networkPolicies), before anything runs
  const policies = renderNetworkPolicies(stack, t, { wave: SYNC_WAVE.kafka });
  if (policies) files.set(`${base}/network-policies.yaml`, policies);

  if (t.buckets.length > 0) {
    const job = bucketsJob(stack, t);
    if (job) files.set(`${base}/buckets-job.yaml`, yamlOf(job));
  }

  const prov = datasourceProvisioning(stack, t);
  if (prov.datasources.length > 0) {
    if (stack.grafana.provisioning === 'sidecar') {
      const cm = new ConfigMap({
        metadata: {
          name: `${stack.name}-datasources-${t.env.name}`,
          namespace: t.env.namespace,
          labels: { ...MANAGED_BY, [GRAFANA_SIDECAR_LABELS.datasource]: '1', 'otelstack.io/environment': t.env.name },
          annotations: { [WAVE]: String(SYNC_WAVE.datasources) },
        },
        data: { [`${stack.name}-${t.env.name}.yaml`]: toYaml(prov) },
      });
      files.set(`${base}/grafana-datasources.yaml`, yamlOf(cm));
    } else {
      files.set(`${base}/values/grafana-datasources.yaml`, toYaml({ datasources: { [`${stack.name}-${t.env.name}.yaml`]: prov } }));
    }
  }
  return { files, findings, engineValues };
}

/** One environment: its files plus its Applications (style 'applications'). */
export const renderKubernetes: Renderer = (input: RenderInput): RenderResult => {
  const { stack, topology: t } = input;
  const r = renderEnvironment(input);
  // the Alloy collection layer (shared files under kubernetes/shared/ when one Alloy routes by namespace)
  const alloy = renderAlloyKubernetes(input, { wave: SYNC_WAVE.engines });
  for (const [k, v] of alloy.files) r.files.set(k, v);
  r.findings.push(...alloy.findings);
  // the OTel Collector pools (ingestion.collector: otelcol), with the Kafka buffer's processor pool and topics
  const otelcol = renderOtelcolKubernetes(input, { wave: SYNC_WAVE.collectors, topicsWave: SYNC_WAVE.engines, managedBy: MANAGED_BY });
  for (const [k, v] of otelcol.files) r.files.set(k, v);
  r.findings.push(...otelcol.findings);
  // the tenants' ingress routes (ingestion.faro.ingress: Contour HTTPProxy or ingress-nginx), with the collectors
  const faroIngress = renderFaroIngress(stack, t, { wave: SYNC_WAVE.collectors });
  for (const [k, v] of faroIngress.files) r.files.set(k, v);
  r.findings.push(...faroIngress.findings);
  // Grafana dashboards (sidecar ConfigMaps or chart values) and the self-monitoring rule files
  if (t.env.target === 'kubernetes') {
    // Grafana itself where the definition deploys it (grafana.deploy), after the datasources it reads
    for (const [k, v] of renderGrafanaKubernetes(stack, t, { wave: SYNC_WAVE.datasources, managedBy: MANAGED_BY })) r.files.set(k, v);
    // the canary after the engines it reads from (definition: canary)
    for (const [k, v] of canaryObjects(stack, t, { wave: SYNC_WAVE.datasources, managedBy: MANAGED_BY })) r.files.set(k, v);
    for (const part of [renderDashboardsKubernetes(input, { syncWave: SYNC_WAVE.datasources }), renderRulesKubernetes(input, { lokiRulesSyncWave: SYNC_WAVE.buckets })]) {
      for (const [k, v] of part.files) r.files.set(k, v);
      r.findings.push(...part.findings);
    }
  }
  if (stack.kubernetes.argocd.style === 'applications') {
    for (const { engine, chart, values } of r.engineValues) {
      r.files.set(`kubernetes/${t.env.name}/applications/${engine.engine}.yaml`, yamlOf(application(stack, t, engine, chart, values)));
    }
  }
  return { files: new Map(sorted([...r.files.entries()], ([k]) => k)), findings: r.findings };
};

/**
 * ApplicationSets (style 'applicationset'): one per engine over every environment that deploys it, with a list
 * generator whose elements carry the environment, namespace, chart and values (as a YAML string).
 */
export function renderApplicationSets(stack: Stack, topologies: Topology[]): RenderResult {
  const files: FileSet = new Map();
  const byEngine = new Map<string, Array<{ t: Topology; chart: ChartRef; values: Record<string, unknown>; e: EngineDeployment }>>();
  for (const t of topologies) {
    for (const { engine, chart, values } of renderEnvironment({ stack, topology: t }).engineValues) {
      const list = byEngine.get(engine.engine) ?? [];
      list.push({ t, chart, values, e: engine });
      byEngine.set(engine.engine, list);
    }
  }
  for (const [engineId, list] of sorted([...byEngine.entries()], ([k]) => k)) {
    const set = new ApplicationSet({
      metadata: { name: `${stack.name}-${engineId}`, namespace: stack.kubernetes.argocd.namespace, labels: { ...MANAGED_BY, 'otelstack.io/engine': engineId }, annotations: { [WAVE]: String(SYNC_WAVE.engines) } },
      spec: {
        goTemplate: true,
        goTemplateOptions: ['missingkey=error'],
        generators: [
          {
            list: {
              elements: list.map(({ t, chart, values, e }) => ({
                env: t.env.name,
                namespace: t.env.namespace,
                release: e.release,
                repoURL: chart.repository,
                chart: chart.name,
                targetRevision: chart.version,
                values: toYaml(values),
              })),
            },
          },
        ],
        template: {
          metadata: { name: `${stack.name}-${engineId}-{{.env}}`, labels: { ...MANAGED_BY, 'otelstack.io/engine': engineId, 'otelstack.io/environment': '{{.env}}' } },
          spec: {
            project: stack.kubernetes.argocd.project,
            source: { repoURL: '{{.repoURL}}', chart: '{{.chart}}', targetRevision: '{{.targetRevision}}', helm: { releaseName: '{{.release}}', values: '{{.values}}' } },
            destination: { server: 'https://kubernetes.default.svc', namespace: '{{.namespace}}' },
            syncPolicy: syncPolicy(stack),
          },
        },
      },
    });
    files.set(`kubernetes/applicationsets/${engineId}.yaml`, yamlOf(set));
  }
  return { files, findings: [] };
}

/** All environments of a stack for the kubernetes target (what the CLI calls). */
export function renderKubernetesAll(stack: Stack, topologies: Topology[], phase?: number): RenderResult {
  const files: FileSet = new Map();
  const findings: Finding[] = [];
  for (const t of topologies) {
    const r = renderKubernetes({ stack, topology: t, ...(phase !== undefined ? { phase } : {}) });
    for (const [k, v] of r.files) files.set(k, v);
    findings.push(...r.findings);
  }
  if (stack.kubernetes.argocd.style === 'applicationset') {
    for (const [k, v] of renderApplicationSets(stack, topologies).files) files.set(k, v);
  }
  return { files: new Map(sorted([...files.entries()], ([k]) => k)), findings };
}
