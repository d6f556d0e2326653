import {
  PYROSCOPE_CHART_VERSION,
  PYROSCOPE_LOG_LEVEL_ARG,
  PYROSCOPE_STORE_GATEWAY_RF_ARG,
  PYROSCOPE_STORE_GATEWAY_RF_USERS,
  PYROSCOPE_V1_COMPONENTS,
  PYROSCOPE_V1_READ_PATH,
  PYROSCOPE_V1_STATEFUL,
} from '../../catalog/charts/pyroscope.js';
import { PYROSCOPE_LOG_LEVEL, PYROSCOPE_STORE_GATEWAY_RF } from '../../catalog/pyroscope.js';
import type { EngineDeployment, Topology } from '../../topology/types.js';
import { S3_ENV, bucket, bytesQuantity, componentsOf, resourcesOf, s3Endpoint, type EngineValues, type ValuesNote } from './values.js';

type Values = Record<string, unknown>;

/**
 * pyroscope chart 1.16.0 values (key list and chart facts: src/catalog/charts/pyroscope.ts). Monolithic: the single
 * binary StatefulSet. Microservices: the v1 layout, each topology component overriding the chart's default for it,
 * and every chart default the topology does not deploy removed (null) — including the chart's default memory limits,
 * which the resource policy does not allow outside ingesters and store-gateways. S3 on the environment's instance
 * (keys only as ${AWS_*}, expanded from Secret-backed environment variables); the bundled Alloy and MinIO off.
 */
export function pyroscopeValues(t: Topology, e: EngineDeployment): EngineValues {
  const notes: ValuesNote[] = [];
  const s3 = s3Endpoint(t);
  const blocks = bucket(t, e, 'blocks');
  if (!blocks) notes.push({ severity: 'error', message: 'Pyroscope needs a blocks bucket and the topology has none', suggestion: 'name one under buckets.blocks or in conventions.bucket' });
  const cred = t.objectStorage.credentials;
  const structuredConfig: Values = {
    multitenancy_enabled: e.tenant !== undefined,
    storage: {
      backend: 's3',
      s3: {
        ...(blocks ? { bucket_name: blocks } : {}),
        endpoint: s3.hostPort,
        region: t.objectStorage.region,
        insecure: s3.insecure,
        access_key_id: `\${${S3_ENV.accessKeyId}}`,
        secret_access_key: `\${${S3_ENV.secretAccessKey}}`,
      },
    },
  };
  if (e.replicationFactor !== undefined) structuredConfig['ingester'] = { lifecycler: { ring: { replication_factor: e.replicationFactor } } };
  const pyroscope: Values = {
    image: { tag: e.version },
    // the chart's default extraArgs set -log.level=debug on every pod
    extraArgs: { 'config.expand-env': 'true', [PYROSCOPE_LOG_LEVEL_ARG]: PYROSCOPE_LOG_LEVEL },
    extraEnvVars: {
      [S3_ENV.accessKeyId]: { valueFrom: { secretKeyRef: { name: cred.secretName, key: cred.accessKeyIdKey } } },
      [S3_ENV.secretAccessKey]: { valueFrom: { secretKeyRef: { name: cred.secretName, key: cred.secretAccessKeyKey } } },
    },
    podDisruptionBudget: { enabled: t.env.ha && t.env.podDisruptionBudgets },
    structuredConfig,
  };
  const values: Values = {
    pyroscope,
    // profiles arrive through the stack's own collectors; the chart's bundled Alloy would scrape the cluster again
    alloy: { enabled: false },
    minio: { enabled: false },
  };
  const comps = componentsOf(t, e);

  if (e.mode === 'monolithic') {
    const c = comps[0];
    if (c) {
      pyroscope['replicaCount'] = c.replicas;
      pyroscope['resources'] = resourcesOf(c);
      pyroscope['persistence'] = c.perReplica.storageBytes > 0 ? { enabled: true, size: bytesQuantity(c.perReplica.storageBytes) } : { enabled: false };
    }
  } else if (e.mode === 'microservices') {
    const v1: Values = {};
    const names = new Set<string>(PYROSCOPE_V1_COMPONENTS);
    // the chart's querier and store-gateway defaults pass store-gateway RF 3 whatever the store-gateway count
    const storeGateways = comps.find((c) => c.component === 'store-gateway')?.replicas ?? 0;
    const sgRf = Math.max(1, Math.min(PYROSCOPE_STORE_GATEWAY_RF, storeGateways));
    if (sgRf > storeGateways) {
      notes.push({
        severity: 'warning',
        message: `Pyroscope's store-gateway replication factor is ${sgRf} and ${t.env.name} runs ${storeGateways} store-gateways: blocks cannot be served`,
        suggestion: `run at least ${sgRf} store-gateway replicas`,
      });
    }
    for (const c of comps) {
      if (!names.has(c.component)) notes.push({ severity: 'error', message: `the pyroscope chart ${PYROSCOPE_CHART_VERSION} has no microservices component ${c.component}`, suggestion: 'remove the component' });
    }
    for (const name of PYROSCOPE_V1_COMPONENTS) {
      const c = comps.find((x) => x.component === name);
      if (!c) {
        v1[name] = null; // Helm drops the chart's default component
        continue;
      }
      const resources = resourcesOf(c);
      if (!('limits' in resources)) resources['limits'] = null; // drop the chart's default memory limit
      const v: Values = { replicaCount: c.replicas, resources };
      if ((PYROSCOPE_STORE_GATEWAY_RF_USERS as readonly string[]).includes(name)) v['extraArgs'] = { [PYROSCOPE_STORE_GATEWAY_RF_ARG]: String(sgRf) };
      const size = c.perReplica.storageBytes > 0 ? bytesQuantity(c.perReplica.storageBytes) : undefined;
      if ((PYROSCOPE_V1_STATEFUL as readonly string[]).includes(name)) v['persistence'] = size ? { enabled: true, size } : { enabled: false };
      else if (size) notes.push({ severity: 'warning', message: `the pyroscope chart runs ${name} as a Deployment without a volume; its ${size} of storage is not rendered`, suggestion: `drop storage from ${name}` });
      v1[name] = v;
    }
    const missing = PYROSCOPE_V1_READ_PATH.filter((n) => !comps.some((c) => c.component === n));
    if (missing.length > 0) {
      notes.push({
        severity: 'warning',
        message: `Pyroscope microservices read profiles through the query-scheduler and serve stored blocks from store-gateways; the topology deploys no ${missing.join(' and no ')}, so queries fail (or see only the ingesters' recent data)`,
        suggestion: `add ${missing.join(' and ')} to the profiles components of ${t.env.name}`,
      });
    }
    const dropped = ['tenant-settings', 'ad-hoc-profiles'].filter((n) => !comps.some((c) => c.component === n));
    if (dropped.length > 0) {
      notes.push({
        severity: 'warning',
        message: `the pyroscope chart's ${dropped.join(' and ')} ${dropped.length > 1 ? 'components are' : 'component is'} not in the topology and not deployed: the settings and ad-hoc profile upload APIs are unavailable`,
        suggestion: 'accept it, or add the components to the catalog\'s Pyroscope microservices mode to deploy and budget them',
      });
    }
    values['architecture'] = { microservices: { enabled: true, v1 } };
  } else {
    notes.push({ severity: 'error', message: `the pyroscope chart ${PYROSCOPE_CHART_VERSION} deploys monolithic or microservices, not ${e.mode}`, suggestion: 'use mode monolithic or microservices' });
  }
  if (e.zoneAware) {
    notes.push({
      severity: 'warning',
      message: `the pyroscope chart ${PYROSCOPE_CHART_VERSION} has no zone-aware replication: ingesters replicate ${e.replicationFactor ?? 1} ways without regard to zones`,
      suggestion: 'spread the ingesters over zones by scheduling, or set zoneAware: false for profiles',
    });
  }
  return { values, notes, uncoveredPdb: [] };
}
