import type { ChartFacts, ChartValueKeys } from './types.js';

/**
 * grafana-community/helm-charts charts/grafana at tag grafana-10.1.0 (appVersion 12.2.0), read from its values.yaml
 * and templates (key names and template behaviour only, nothing copied):
 * - `datasources` is a map of provisioning file name → Grafana provisioning content (apiVersion 1, datasources:
 *   [...]); the content is Grafana's format, not chart values, hence `.**`. Likewise `grafana.ini` is Grafana's own
 *   ini content (section → key → value), each value passed through `tpl`.
 * - `replicas` (Deployment; default 1), `resources` (default {}), `persistence.enabled` (default false; with a
 *   StatefulSet type it adds a volume per pod), `podDisruptionBudget` (default {}: no PDB; any content renders one
 *   with its minAvailable / maxUnavailable), `headlessService` (default false: the `<fullname>-headless` Service with
 *   the 9094 gossip port the unified-alerting HA peers use), `testFramework.enabled` (default true: a helm test Pod).
 * - `envValueFrom` is a map env name → valueFrom (secretKeyRef / fieldRef), rendered into the grafana container.
 *   The container always has `POD_IP` (fieldRef status.podIP).
 * - `assertNoLeakedSecrets` (default true): `helm template` fails when grafana.ini sets database.password,
 *   security.secret_key, security.admin_password, unified_alerting.ha_redis_password (and others) to anything but a
 *   variable expansion (`$__env{…}`, `$__file{…}`, `${…}`).
 * - `sidecar.datasources.enabled` / `sidecar.dashboards.enabled` (default false): k8s-sidecar containers watching
 *   ConfigMaps labelled grafana_datasource / grafana_dashboard; both take `sidecar.resources` (default {}).
 * - `admin.{existingSecret,userKey,passwordKey}`: an existing admin Secret (else the chart generates one).
 */
export const grafanaKeys: ChartValueKeys = {
  chart: 'grafana',
  version: '10.1.0',
  source: 'github.com/grafana-community/helm-charts tag grafana-10.1.0 charts/grafana/values.yaml',
  keys: [
    'datasources.*.**',
    // the key "grafana.ini" contains a dot: key paths escape it as \u002e (valueKeyPaths)
    'grafana\\u002eini.**',
    'envValueFrom.*.**',
    'image.tag',
    'replicas',
    'resources.requests.cpu',
    'resources.requests.memory',
    'resources.limits.cpu',
    'resources.limits.memory',
    'persistence.enabled',
    'podDisruptionBudget.maxUnavailable',
    'headlessService',
    'testFramework.enabled',
    'sidecar.resources.requests.cpu',
    'sidecar.resources.requests.memory',
    'sidecar.datasources.enabled',
    'sidecar.dashboards.enabled',
    'admin.existingSecret',
    'admin.userKey',
    'admin.passwordKey',
  ],
};

/** grafana.ini keys the chart refuses as plain text (assertNoLeakedSecrets); otelstack writes them only as `$__env{…}`. */
export const GRAFANA_SENSITIVE_INI = ['database.password', 'security.secret_key', 'security.admin_password', 'unified_alerting.ha_redis_password'] as const;

/** grafana 10.1.0 chart facts. */
export const GRAFANA_FACTS: ChartFacts = {
  chart: 'grafana',
  version: '10.1.0',
  verified: true,
  source: 'grafana-community/helm-charts charts/grafana 10.1.0 templates/ and values.yaml',
  guards: [],
  workloads: [
    { key: 'grafana', kind: 'Deployment', enabled: 'always', defaultResources: '{}', otelstack: { action: 'component', component: 'grafana' }, replicasKey: 'replicas', resourcesKey: 'resources' },
    { key: 'sidecar.datasources', kind: 'Sidecar', enabled: { path: 'sidecar.datasources.enabled', default: false }, defaultResources: '{} (sidecar.resources)', otelstack: { action: 'component', component: 'sidecar' }, resourcesKey: 'sidecar.resources' },
    { key: 'sidecar.dashboards', kind: 'Sidecar', enabled: { path: 'sidecar.dashboards.enabled', default: false }, defaultResources: '{} (sidecar.resources)', otelstack: { action: 'component', component: 'sidecar' }, resourcesKey: 'sidecar.resources' },
    { key: 'testFramework', kind: 'Deployment', enabled: { path: 'testFramework.enabled', default: true }, defaultResources: '{} (a helm test hook Pod)', otelstack: { action: 'disable', reason: 'a test Pod outside the budget' } },
  ],
  lists: [
    { setting: 'datasources', how: 'merged-map', reaches: ['the datasources provisioning ConfigMap'], note: 'each key becomes one provisioning file' },
    { setting: 'envValueFrom', how: 'merged-map', reaches: ['the grafana container'], note: 'env name → valueFrom; not the sidecars or init containers' },
  ],
};
