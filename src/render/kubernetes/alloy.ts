/**
 * The Alloy collection layer on Kubernetes: values for the grafana/alloy chart (1.4.0, see
 * src/catalog/charts/alloy.ts) carrying the rendered configuration in `alloy.configMap.content` and the receiver
 * ports in `alloy.extraPorts`, plus an ArgoCD Application when otelstack owns the deployment.
 *
 * Layout:
 *  - routing by-namespace (seed 000): ONE shared Alloy serves every environment, so its files belong to no
 *    environment: kubernetes/shared/values/alloy.yaml (and kubernetes/shared/applications/alloy.yaml). When
 *    otelstack deploys it (ingestion.shared: false) it runs in the namespace `<stack>-shared` (created by the
 *    Application), which holds only stack-wide pieces; it reaches each environment's Tempo and Mimir through
 *    their cluster-local service names.
 *  - routing per-environment: one Alloy per environment, in the environment's namespace:
 *    kubernetes/<env>/values/alloy.yaml (and kubernetes/<env>/applications/alloy.yaml).
 *  - ingestion.shared: true (seed 000: the Alloy exists and is deployed elsewhere): values only, no Application;
 *    the pod's controller, resources and volumes are left as they are (it may be a DaemonSet collecting logs), only
 *    the image tag, the configuration, the ports and GOMEMLIMIT are set.
 */
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application'; // the model's own module (start-up time)
import { ALLOY_CHART_DEFAULT_STORAGE_PATH, ALLOY_STORAGE_PATH, alloyComponentsIn, alloyImageTag, requiredStability } from '../../catalog/alloy.js';
import { ALLOY_CHART_DEFAULT_STABILITY, ALLOY_CHART_HPA, ALLOY_CHART_RBAC } from '../../catalog/charts/alloy.js';
import { CATALOG } from '../../catalog/index.js';
import type { ChartRef } from '../../catalog/types.js';
import type { Stack } from '../../model/schema.js';
import type { Finding } from '../../plan/findings.js';
import { collectorMemory } from '../../topology/collector-memory.js';
import type { Topology } from '../../topology/types.js';
import { alloyListenPorts, alloyScopes, alloyTopologies, renderAlloyConfig, type AlloyScope } from '../configs/alloy.js';
import { toYaml, type FileSet } from '../fileset.js';
import { renderTopology } from '../topology.js';
import type { RenderInput, RenderResult } from '../types.js';
import { bytesQuantity, resourcesOf, setPath } from './values.js';

const RULE = 'render-alloy';
const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'otelstack' };
const WAVE = 'argocd.argoproj.io/sync-wave';
export const SHARED_DIR = 'kubernetes/shared';
const STORAGE_VOLUME = 'alloy-storage';

/** Namespace of a shared Alloy that otelstack deploys itself (by-namespace routing, ingestion.shared: false). */
export function sharedNamespace(stack: Stack): string {
  return `${stack.name}-shared`;
}

function alloyChart(): ChartRef {
  const chart = CATALOG.alloy.versions[0]!.modes.monolithic!.chart;
  if ('none' in chart) throw new Error('catalog: alloy has no chart');
  return chart;
}

/** Values of the alloy chart for one scope. */
export function alloyValues(stack: Stack, scope: AlloyScope, findings: Finding[] = []): Record<string, unknown> {
  const ing = stack.ingestion!;
  const owned = !ing.shared;
  const gw = scope.sizing.components.find((c) => c.engine === 'alloy' && c.component === 'gateway');
  const content = renderAlloyConfig(stack, scope, findings);
  // the chart runs Alloy at generally-available; the configuration may need a lower level (otelcol.storage.file)
  const stability = requiredStability(alloyComponentsIn(content));
  for (const u of stability.unknown) {
    findings.push({ severity: 'warning', rule: RULE, path: 'ingestion', message: `the catalog has no stability level for Alloy component ${u}; the rendered Alloy runs at experimental to load it`, suggestion: 'add the component to ALLOY_COMPONENT_STABILITY in src/catalog/alloy.ts' });
  }
  const alloy: Record<string, unknown> = {
    configMap: { create: true, content },
    ...(stability.level !== ALLOY_CHART_DEFAULT_STABILITY ? { stabilityLevel: stability.level } : {}),
    extraPorts: alloyListenPorts(scope).map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: 'TCP' })),
  };
  if (gw) alloy['extraEnv'] = [{ name: 'GOMEMLIMIT', value: `${Math.floor(collectorMemory(gw.perReplica).goMemLimitBytes / 1024 ** 2)}MiB` }];
  const values: Record<string, unknown> = { image: { tag: alloyImageTag(CATALOG.alloy.pinned) }, alloy };
  const reloader = scope.sizing.components.find((c) => c.engine === 'alloy' && c.component === 'config-reloader');
  // the plan budgets the chart's config-reloader sidecar: its requests written explicitly
  if (owned && reloader) values['configReloader'] = { resources: resourcesOf(reloader) };
  // self-monitoring discovers pods and nodes: the chart's ClusterRole (rbac.create, its default) grants it
  if (owned) values['rbac'] = { create: ALLOY_CHART_RBAC.createDefault };
  if (owned && gw) {
    alloy['resources'] = resourcesOf(gw);
    const storage = gw.perReplica.storageBytes;
    // per-environment routing: that environment's controller; a shared (by-namespace) Alloy follows its first route
    const controller = ing.environments[scope.routes[0]?.env ?? '']?.controller ?? 'deployment';
    if (controller === 'daemonset') {
      // one pod per node: the chart's replicas do not apply; a DaemonSet has no volumeClaimTemplates, so queues stay
      // under the chart's storage path in the pod
      values['controller'] = { type: 'daemonset' };
      if (ing.persistentQueue.enabled && storage > 0) {
        findings.push({ severity: 'warning', rule: RULE, path: `ingestion.environments.${scope.routes[0]!.env}.controller`, message: 'an Alloy DaemonSet gets no persistent volume from the alloy chart: the sending queues are lost when a pod restarts', suggestion: 'use controller: deployment for persistent queues, or set ingestion.persistentQueue.enabled: false' });
      }
    } else if (ing.persistentQueue.enabled && storage > 0) {
      // queues and the remote-write WAL live under --storage.path: a StatefulSet with a volume there
      alloy['storagePath'] = ALLOY_STORAGE_PATH;
      alloy['mounts'] = { extra: [{ name: STORAGE_VOLUME, mountPath: ALLOY_STORAGE_PATH }] };
      // replicas share the scrape targets (prometheus.scrape clustering) instead of each scraping them all
      if (gw.replicas > 1) alloy['clustering'] = { enabled: true };
      values['controller'] = {
        type: 'statefulset',
        replicas: gw.replicas,
        volumeClaimTemplates: [{ metadata: { name: STORAGE_VOLUME }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: bytesQuantity(storage) } } } }],
      };
    } else {
      if (gw.replicas > 1) alloy['clustering'] = { enabled: true };
      values['controller'] = { type: 'deployment', replicas: gw.replicas };
    }
    const a = gw.autoscaling;
    const ctl = values['controller'] as Record<string, unknown>;
    if (a && ctl['type'] !== 'daemonset') {
      // the controller keeps the budgeted max as its starting count; the HorizontalPodAutoscaler then owns it
      setPath(values, ALLOY_CHART_HPA.key, {
        [ALLOY_CHART_HPA.enabled]: true,
        [ALLOY_CHART_HPA.minReplicas]: a.min,
        [ALLOY_CHART_HPA.maxReplicas]: a.max,
        [ALLOY_CHART_HPA.targetCpu]: a.targetCpu ?? null,
        [ALLOY_CHART_HPA.targetMemory]: a.targetMemory ?? null,
      });
    }
  }
  if (!owned && scope.routes.some((r) => r.metrics)) {
    findings.push({
      severity: 'warning',
      rule: RULE,
      path: 'ingestion.shared',
      message: "the shared Alloy scrapes the stack's pods and the kubelets (self-monitoring): with more than one replica that is not clustered, or as a DaemonSet, every replica scrapes every target and the series are written more than once",
      suggestion: "run the shared Alloy clustered (alloy.clustering.enabled: true; the rendered scrapes opt in) or as one replica, and keep the alloy chart's rbac.create (get/list/watch on pods, get on nodes/metrics)",
    });
  }
  if (!owned && ing.persistentQueue.enabled) {
    findings.push({
      severity: 'warning',
      rule: RULE,
      path: 'ingestion.persistentQueue',
      message: `the shared Alloy keeps its sending queues under its --storage.path (chart default ${ALLOY_CHART_DEFAULT_STORAGE_PATH}, not a volume): queued data is lost when its pod restarts`,
      suggestion: `mount a volume at the shared Alloy's storage path (alloy.storagePath with alloy.mounts.extra), or set ingestion.shared: false so otelstack deploys it with one`,
    });
  }
  return values;
}

function application(stack: Stack, name: string, namespace: string, env: string | undefined, values: Record<string, unknown>, wave: number, createNamespace: boolean): Application {
  const chart = alloyChart();
  return new Application({
    metadata: {
      name,
      namespace: stack.kubernetes.argocd.namespace,
      annotations: { [WAVE]: String(wave) },
      labels: { ...MANAGED_BY, ...(env ? { 'otelstack.io/environment': env } : {}), 'otelstack.io/engine': 'alloy' },
    },
    spec: {
      project: stack.kubernetes.argocd.project,
      source: { repoURL: chart.repository, chart: chart.name, targetRevision: chart.version, helm: { releaseName: 'alloy', valuesObject: values } },
      destination: { server: 'https://kubernetes.default.svc', namespace },
      syncPolicy: {
        ...(stack.kubernetes.argocd.automated ? { automated: { prune: true, selfHeal: true } } : {}),
        syncOptions: [`CreateNamespace=${createNamespace}`, 'ServerSideApply=true'],
      },
    },
  });
}

function yamlOf(model: { validate(): void; toJSON(): unknown }): string {
  model.validate();
  return toYaml(model.toJSON());
}

function valuesFile(stack: Stack, scope: AlloyScope, values: Record<string, unknown>): string {
  const chart = alloyChart();
  const lines = [
    `# alloy chart ${chart.version} values for ${stack.name} (${scope.routing === 'by-namespace' ? `shared Alloy: ${scope.routes.map((r) => r.env).join(', ')}` : scope.routes[0]!.env}) — rendered by otelstack.`,
  ];
  if (stack.ingestion!.shared) {
    lines.push(
      '# The Alloy is deployed elsewhere (ingestion.shared: true): merge these keys into its values. configMap.content replaces the',
      '# whole configuration — keep the existing blocks (e.g. the Loki forwarding) in it: the rendered text can be appended to them.',
    );
  }
  return `${lines.join('\n')}\n${toYaml(values)}`;
}

/**
 * Alloy files for one environment's render. With by-namespace routing every environment's render returns the same
 * shared files (merged as one); findings about one environment come with that environment's render, stack-wide ones
 * with the first served environment's.
 */
export function renderAlloyKubernetes(input: RenderInput, opts: { wave: number }): RenderResult {
  const { stack, topology: t } = input;
  const files: FileSet = new Map();
  const findings: Finding[] = [];
  if (stack.ingestion?.collector !== 'alloy' || t.env.target !== 'kubernetes' || t.ingestion?.collector !== 'alloy') return { files, findings };
  const all: Topology[] = stack.environments.filter((e) => e.target === 'kubernetes').map((e) => (e.name === t.env.name ? t : renderTopology(stack, e.name, input.phase)));
  const first = alloyTopologies(all)[0];
  const raw: Finding[] = [];
  const scopes = alloyScopes(stack, all, raw);
  const scope = scopes.find((s) => s.routes.some((r) => r.env === t.env.name));
  if (!scope) return { files, findings };
  const values = alloyValues(stack, scope, raw);
  for (const f of raw) if (f.env === t.env.name || (f.env === undefined && first?.env.name === t.env.name)) findings.push(f);
  if (scope.routing === 'by-namespace') {
    files.set(`${SHARED_DIR}/values/alloy.yaml`, valuesFile(stack, scope, values));
    if (!stack.ingestion.shared) files.set(`${SHARED_DIR}/applications/alloy.yaml`, yamlOf(application(stack, `${stack.name}-alloy`, sharedNamespace(stack), undefined, values, opts.wave, true)));
  } else {
    files.set(`kubernetes/${t.env.name}/values/alloy.yaml`, valuesFile(stack, scope, values));
    if (!stack.ingestion.shared && stack.kubernetes.argocd.style === 'applications') {
      files.set(`kubernetes/${t.env.name}/applications/alloy.yaml`, yamlOf(application(stack, `${stack.name}-alloy-${t.env.name}`, t.env.namespace, t.env.name, values, opts.wave, false)));
    }
  }
  return { files, findings };
}
