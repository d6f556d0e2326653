import type { ChartFacts, ChartValueKeys } from './types.js';

/**
 * grafana-community/helm-charts charts/grafana at tag grafana-10.1.0: `datasources` is a map of provisioning file
 * name → Grafana provisioning content (apiVersion 1, datasources: [...]); the content is Grafana's format, not
 * chart values, hence `.**`.
 */
export const grafanaKeys: ChartValueKeys = {
  chart: 'grafana',
  version: '10.1.0',
  source: 'github.com/grafana-community/helm-charts tag grafana-10.1.0 charts/grafana/values.yaml',
  keys: ['datasources.*.**'],
};

/** grafana 10.1.0 chart facts: otelstack writes only datasource provisioning (a map of file name → content). */
export const GRAFANA_FACTS: ChartFacts = {
  chart: 'grafana',
  version: '10.1.0',
  verified: true,
  source: 'grafana-community/helm-charts charts/grafana 10.1.0 templates/ and values.yaml',
  guards: [],
  workloads: [],
  lists: [{ setting: 'datasources', how: 'merged-map', reaches: ['the datasources provisioning ConfigMap'], note: 'each key becomes one provisioning file' }],
};
