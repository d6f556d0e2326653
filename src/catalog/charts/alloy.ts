import type { ChartValueKeys } from './types.js';

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
  ],
};
