/**
 * Grafana deployed by otelstack (grafana.deploy) on Kubernetes: values for the grafana chart 10.1.0 (keys and chart
 * facts: src/catalog/charts/grafana.ts) and its ArgoCD Application. HA replicas share the EXTERNAL PostgreSQL named
 * in the definition (grafana.ini [database]) and keep sessions and cache in the EXTERNAL Redis ([remote_cache]);
 * unified alerting gossips between the replicas through the chart's headless Service. Every credential reaches the
 * pod as a secretKeyRef (envValueFrom) and grafana.ini refers to it only by Grafana's `$__env{…}` expansion, so
 * neither the values nor the ConfigMap the chart renders carry a secret.
 */
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import { CHART_FACTS } from '../../catalog/charts/index.js';
import { GRAFANA_HA_PORT } from '../../catalog/grafana.js';
import { CATALOG } from '../../catalog/index.js';
import type { GrafanaDeploymentDef, Stack } from '../../model/schema.js';
import type { Topology } from '../../topology/types.js';
import { toYaml, type FileSet } from '../fileset.js';
import { datasourceProvisioning } from './datasources.js';
import { resourcesOf } from './values.js';

type Values = Record<string, unknown>;

/** Helm release (and, with the chart's fullname rule, the name of its Deployment and Services). */
export const GRAFANA_RELEASE = 'grafana';

/** Environment variables carrying the referenced secrets into the grafana container (read by `$__env{…}`). */
export const GRAFANA_SECRET_ENV = {
  dbUser: 'OTELSTACK_GRAFANA_DB_USER',
  dbPassword: 'OTELSTACK_GRAFANA_DB_PASSWORD',
  redisPassword: 'OTELSTACK_GRAFANA_REDIS_PASSWORD',
  secretKey: 'OTELSTACK_GRAFANA_SECRET_KEY',
} as const;

const env = (name: string) => `$__env{${name}}`;
const ref = (r: { secretName: string; key: string }) => ({ secretKeyRef: { name: r.secretName, key: r.key } });

function grafanaChart(): { repository: string; name: string; version: string } {
  const chart = CATALOG.grafana.versions[0]!.modes.monolithic!.chart;
  if ('none' in chart) throw new Error('catalog: grafana has no chart');
  return chart;
}

/** Values of the grafana chart for one environment. */
export function grafanaValues(stack: Stack, t: Topology, d: GrafanaDeploymentDef): Values {
  const g = t.components.find((c) => c.engine === 'grafana' && c.component === 'grafana');
  const sidecar = t.components.find((c) => c.engine === 'grafana' && c.component === 'sidecar');
  const ha = d.replicas > 1;
  const envValueFrom: Values = {
    [GRAFANA_SECRET_ENV.dbUser]: ref(d.database.user),
    [GRAFANA_SECRET_ENV.dbPassword]: ref(d.database.password),
    ...(d.sessions.password ? { [GRAFANA_SECRET_ENV.redisPassword]: ref(d.sessions.password) } : {}),
    ...(d.secretKey ? { [GRAFANA_SECRET_ENV.secretKey]: ref(d.secretKey) } : {}),
  };
  const connstr = [`addr=${d.sessions.address}`, `db=${d.sessions.db}`, ...(d.sessions.password ? [`password=${env(GRAFANA_SECRET_ENV.redisPassword)}`] : [])].join(',');
  const ini: Values = {
    database: {
      type: d.database.type,
      host: d.database.host,
      name: d.database.name,
      ssl_mode: d.database.sslMode,
      user: env(GRAFANA_SECRET_ENV.dbUser),
      password: env(GRAFANA_SECRET_ENV.dbPassword),
    },
    remote_cache: { type: d.sessions.type, connstr },
    ...(d.secretKey ? { security: { secret_key: env(GRAFANA_SECRET_ENV.secretKey) } } : {}),
    // unified alerting: replicas gossip (port 9094) so each alert fires once; POD_IP is set by the chart
    ...(ha
      ? {
          unified_alerting: {
            enabled: true,
            ha_peers: `${GRAFANA_RELEASE}-headless.${t.env.namespace}.svc.cluster.local:${GRAFANA_HA_PORT}`,
            ha_listen_address: `\${POD_IP}:${GRAFANA_HA_PORT}`,
            ha_advertise_address: `\${POD_IP}:${GRAFANA_HA_PORT}`,
          },
        }
      : {}),
  };
  const values: Values = {
    image: { tag: CATALOG.grafana.pinned },
    replicas: d.replicas,
    ...(g ? { resources: resourcesOf(g) } : {}),
    // state lives in PostgreSQL: no volume per pod (a shared RWO volume would pin every replica to one node)
    persistence: { enabled: false },
    ...(ha ? { headlessService: true } : {}),
    ...(ha && t.env.podDisruptionBudgets ? { podDisruptionBudget: { maxUnavailable: 1 } } : {}),
    testFramework: { enabled: false },
    ...(d.admin ? { admin: { existingSecret: d.admin.secretName, userKey: d.admin.userKey, passwordKey: d.admin.passwordKey } } : {}),
    envValueFrom,
    'grafana.ini': ini,
  };
  if (stack.grafana.provisioning === 'sidecar') {
    // the datasource and dashboard ConfigMaps this render writes carry the sidecars' labels
    values['sidecar'] = { ...(sidecar ? { resources: resourcesOf(sidecar) } : {}), datasources: { enabled: true }, dashboards: { enabled: true } };
  } else {
    const prov = datasourceProvisioning(stack, t);
    if (prov.datasources.length > 0) values['datasources'] = { [`${stack.name}-${t.env.name}.yaml`]: prov };
  }
  return values;
}

/** Grafana's values and Application for one environment (nothing when grafana.deploy does not name it). */
export function renderGrafanaKubernetes(stack: Stack, t: Topology, opts: { wave: number; managedBy: Record<string, string> }): FileSet {
  const files: FileSet = new Map();
  const d = stack.grafana.deploy?.[t.env.name];
  if (!d || t.env.target !== 'kubernetes') return files;
  if (!CHART_FACTS['grafana']) throw new Error('catalog: no grafana chart facts');
  const values = grafanaValues(stack, t, d);
  files.set(`kubernetes/${t.env.name}/values/grafana.yaml`, toYaml(values));
  if (stack.kubernetes.argocd.style === 'applications') {
    const chart = grafanaChart();
    const app = new Application({
      metadata: {
        name: `${stack.name}-grafana-${t.env.name}`,
        namespace: stack.kubernetes.argocd.namespace,
        annotations: { 'argocd.argoproj.io/sync-wave': String(opts.wave) },
        labels: { ...opts.managedBy, 'otelstack.io/environment': t.env.name, 'otelstack.io/engine': 'grafana' },
      },
      spec: {
        project: stack.kubernetes.argocd.project,
        source: { repoURL: chart.repository, chart: chart.name, targetRevision: chart.version, helm: { releaseName: GRAFANA_RELEASE, valuesObject: values } },
        destination: { server: 'https://kubernetes.default.svc', namespace: t.env.namespace },
        syncPolicy: {
          ...(stack.kubernetes.argocd.automated ? { automated: { prune: true, selfHeal: true } } : {}),
          syncOptions: ['CreateNamespace=false', 'ServerSideApply=true'],
        },
      },
    });
    app.validate();
    files.set(`kubernetes/${t.env.name}/applications/grafana.yaml`, toYaml(app.toJSON()));
  }
  return files;
}
