import type { ChartFacts, ChartValueKeys } from './types.js';

/**
 * grafana/alloy operations/helm/charts/alloy at tag helm-chart/1.4.0 (appVersion v1.11.3; otelstack pins the image
 * tag to the catalog's Alloy): `alloy.configMap.{create,content}` (the whole configuration as one string),
 * `alloy.extraPorts` (list of {name, port, targetPort, protocol}: ports added to the container and the Service),
 * `alloy.extraEnv`, `alloy.resources`, `alloy.storagePath`, `alloy.mounts.extra` (list of volume mounts),
 * `controller.{type,replicas,volumeClaimTemplates}`, `image.tag`.
 */
export const alloyKeys: ChartValueKeys = {
  chart: 'alloy',
  version: '1.4.0',
  source: 'github.com/grafana/alloy tag helm-chart/1.4.0 operations/helm/charts/alloy/values.yaml',
  keys: [
    'image.tag',
    'alloy.configMap.create',
    'alloy.clustering.enabled',
    'rbac.create',
    'alloy.stabilityLevel',
    'alloy.configMap.content',
    'alloy.extraPorts',
    'alloy.extraEnv',
    'alloy.storagePath',
    'alloy.mounts.extra',
    'alloy.resources.requests.cpu',
    'alloy.resources.requests.memory',
    'alloy.resources.limits.cpu',
    'alloy.resources.limits.memory',
    'controller.type',
    'controller.replicas',
    'controller.volumeClaimTemplates',
    'configReloader.resources.requests.cpu',
    'configReloader.resources.requests.memory',
  ],
};

/**
 * alloy 1.4.0 chart facts: `alloy.stabilityLevel` (default "generally-available") becomes `--stability.level`; Alloy
 * refuses to load a configuration with a component below it. hpa.yaml `required`s `alloy.resources.requests.cpu` /
 * `.memory` when a Deployment / StatefulSet autoscales on that resource (configReloader has defaults). Workload: the
 * controller (`controller.type`, default daemonset). `alloy.extraEnv` is concatenated into the Alloy container's env;
 * `alloy.extraPorts` into its ports and the Service; `alloy.mounts.extra` into its volume mounts.
 */
export const ALLOY_CHART_DEFAULT_STABILITY = 'generally-available';
/**
 * alloy 1.4.0 RBAC (templates/rbac.yaml, values.yaml `rbac`): `rbac.create` (default true) with `rbac.namespaces`
 * empty creates a ClusterRole bound to Alloy's ServiceAccount with the chart's `rbac.rules` (get/list/watch on pods,
 * services, endpoints… for discovery.kubernetes) and `rbac.clusterRules` (nodes, nodes/proxy, nodes/metrics; the
 * /metrics non-resource URL). `alloy.clustering.enabled` (default false) adds `--cluster.enabled` and the headless
 * `<fullname>-cluster` Service the replicas join through.
 */
export const ALLOY_CHART_RBAC = { createDefault: true, podDiscovery: true, nodeMetrics: true } as const;
/** The chart's config-reloader sidecar in every Alloy pod (container `config-reloader`; chart default requests 10m / 50Mi). */
export const ALLOY_CONFIG_RELOADER = { container: 'config-reloader', cpu: 10, memory: 50 * 1024 ** 2 } as const;
/**
 * The alloy chart's HorizontalPodAutoscaler for the controller (1.4.0 templates/hpa.yaml, values.yaml
 * controller.autoscaling.horizontal): Deployment or StatefulSet only; a target left null renders no such metric
 * (the chart's own default for memory is 80 %, so otelstack writes both).
 */
export const ALLOY_CHART_HPA = {
  key: 'controller.autoscaling.horizontal',
  enabled: 'enabled',
  minReplicas: 'minReplicas',
  maxReplicas: 'maxReplicas',
  targetCpu: 'targetCPUUtilizationPercentage',
  targetMemory: 'targetMemoryUtilizationPercentage',
} as const;

export const ALLOY_FACTS: ChartFacts = {
  chart: 'alloy',
  version: '1.4.0',
  verified: true,
  source: 'grafana/alloy operations/helm/charts/alloy 1.4.0 templates/ and values.yaml',
  guards: (['cpu', 'memory'] as const).flatMap((r) =>
    (['deployment', 'statefulset'] as const).map((type) => ({
      template: 'templates/hpa.yaml',
      when: [
        { path: 'controller.type', op: 'eq' as const, value: type, default: 'daemonset' },
        { path: 'controller.autoscaling.horizontal.enabled', op: 'truthy' as const, default: false },
        { path: `controller.autoscaling.horizontal.target${r === 'cpu' ? 'CPU' : 'Memory'}UtilizationPercentage`, op: 'truthy' as const, default: r === 'cpu' ? 0 : 80 },
      ],
      requires: `alloy.resources.requests.${r}`,
      error: `.Values.alloy.resources.requests.${r} is required when using autoscaling based on ${r} utilization.`,
    })),
  ),
  workloads: [
    { key: 'controller', kind: 'DaemonSet', enabled: 'always', defaultResources: '{}', otelstack: { action: 'component', component: 'gateway' }, replicasKey: 'controller.replicas', resourcesKey: 'alloy.resources' },
    { key: 'configReloader', kind: 'Sidecar', enabled: { path: 'configReloader.enabled', default: true }, defaultResources: 'requests 10m / 50Mi', otelstack: { action: 'component', component: 'config-reloader' }, resourcesKey: 'configReloader.resources' },
  ],
  lists: [
    { setting: 'alloy.extraEnv', how: 'concatenated-env', reaches: ['the alloy container'], note: 'not the config-reloader' },
    { setting: 'alloy.extraPorts', how: 'replaces-list', reaches: ['the alloy container ports and the Service'], note: 'added after the http-metrics port' },
    { setting: 'alloy.mounts.extra', how: 'replaces-list', reaches: ['the alloy container volume mounts'], note: 'volumes themselves go in controller.volumes.extra' },
  ],
};
