import { LOKI_CACHES, LOKI_CHART_DATA_DIR, LOKI_CHART_VERSION, LOKI_CHART_ZONES, LOKI_MAX_UNAVAILABLE, LOKI_PERSISTENCE, LOKI_RULER_TARGET, LOKI_SCHEMA, LOKI_TARGET_KEYS } from '../../catalog/charts/loki.js';
import { LOKI_DEPLOYMENT_MODE, LOKI_RULER_PATHS, LOKI_TENANT_LIMITS } from '../../catalog/loki.js';
import { lokiRumRuler, lokiTenantOverrides } from '../configs/engines.js';
import { lokiRumConfigMapItems, lokiRumConfigMapName } from '../rules/index.js';
import type { EngineDeployment, Topology } from '../../topology/types.js';
import { S3_ENV, bucket, bytesQuantity, componentsOf, resourcesOf, s3Endpoint, s3SecretEnv, type EngineValues, type ValuesNote, budgetedWorkloads, chartWorkloadValues } from './values.js';

type Values = Record<string, unknown>;

/** Every target key of every mode: those of the other modes are set to 0 replicas. */
const ALL_TARGETS = [...new Set(Object.values(LOKI_TARGET_KEYS).flatMap((m) => Object.values(m)))].sort();
/** The chart's defaults run 3 write/read/backend replicas; distributed targets and singleBinary default to 0. */
const NONZERO_BY_DEFAULT = new Set(Object.values(LOKI_TARGET_KEYS['SimpleScalable']!));

/**
 * loki chart 7.0.0 values (key list and chart facts: src/catalog/charts/loki.ts): deploymentMode from the topology's
 * mode, one block per target with replicas / resources / persistence, S3 on the environment's instance with its
 * chunks and ruler buckets (keys only as ${AWS_*} expanded from the Secret-backed environment), the replication
 * factor, zone-aware ingesters where the topology is zone-aware, and the chart's bundled MinIO, memcached caches and
 * canary switched off (the topology budgets none of them).
 */
export function lokiValues(t: Topology, e: EngineDeployment): EngineValues {
  const notes: ValuesNote[] = [];
  const mode = (LOKI_DEPLOYMENT_MODE as Record<string, string | undefined>)[e.mode];
  const targetKeys = mode ? LOKI_TARGET_KEYS[mode] : undefined;
  if (!mode || !targetKeys) {
    notes.push({ severity: 'error', message: `the loki chart ${LOKI_CHART_VERSION} has no deploymentMode for ${e.mode}`, suggestion: `use one of: ${Object.keys(LOKI_DEPLOYMENT_MODE).join(', ')}` });
    return { values: {}, notes, uncoveredPdb: [] };
  }
  const s3 = s3Endpoint(t);
  const workloads = budgetedWorkloads(t, e);
  const comps = componentsOf(t, e).filter((c) => !workloads.has(c.component)); // chart workloads: chartWorkloadValues
  // The ruler runs inside the single binary and the backend target; in Distributed mode only when deployed.
  const rulerOn = mode !== 'Distributed' || comps.some((c) => targetKeys[c.component] === 'ruler');
  const chunks = bucket(t, e, 'chunks');
  const ruler = bucket(t, e, 'ruler');
  if (!chunks) notes.push({ severity: 'error', message: 'Loki needs a chunks bucket and the topology has none', suggestion: 'name one under buckets.chunks or in conventions.bucket' });
  if (rulerOn && !ruler) notes.push({ severity: 'error', message: 'the Loki ruler needs a ruler bucket and the topology has none', suggestion: 'name one under buckets.ruler' });

  const expandEnv = ['-config.expand-env=true'];
  // the tenants' limits (LOKI_TENANT_LIMITS): the chart's runtime ConfigMap, which its config names in runtime_config.file
  const perTenant = lokiTenantOverrides(t, e);
  const values: Values = {
    deploymentMode: mode,
    loki: {
      image: { tag: e.version },
      auth_enabled: e.tenant !== undefined,
      ...(Object.keys(perTenant).length > 0 ? { runtimeConfig: { [LOKI_TENANT_LIMITS.overrides]: perTenant } } : {}),
      commonConfig: { replication_factor: e.replicationFactor ?? 1 },
      schemaConfig: { configs: [{ ...LOKI_SCHEMA, object_store: 's3' }] },
      storage: {
        type: 's3',
        bucketNames: { ...(chunks ? { chunks } : {}), ...(rulerOn && ruler ? { ruler } : {}) },
        s3: {
          endpoint: s3.hostPort,
          region: t.objectStorage.region,
          insecure: s3.insecure,
          // SeaweedFS and MinIO serve buckets by path, not by virtual host
          s3ForcePathStyle: t.objectStorage.kind !== 's3',
          accessKeyId: `\${${S3_ENV.accessKeyId}}`,
          secretAccessKey: `\${${S3_ENV.secretAccessKey}}`,
        },
      },
    },
    // the environment's S3 instance, never the chart's bundled MinIO
    minio: { enabled: false },
    // the memcached caches (budgeted when the definition names them, off otherwise) are set by chartWorkloadValues;
    // the canary DaemonSet is not part of the topology
    lokiCanary: { enabled: false },
    test: { enabled: false },
    ruler: { enabled: rulerOn },
  };
  // singleBinary does not take the global extra args / env (chart 7.0.0 templates)
  // global.extraEnv also reaches the memcached caches (chart facts, LOKI_FACTS.lists): with a cache budgeted, the S3
  // keys go to each target's own extraEnv instead
  const cacheRuns = LOKI_CACHES.some((c) => workloads.has(c.component));
  if (mode === 'SingleBinary') values['singleBinary'] = { extraArgs: expandEnv, extraEnv: s3SecretEnv(t) };
  else values['global'] = cacheRuns ? { extraArgs: expandEnv } : { extraArgs: expandEnv, extraEnv: s3SecretEnv(t) };

  const present = new Set<string>();
  for (const c of comps) {
    const key = targetKeys[c.component];
    if (!key) {
      notes.push({ severity: 'error', message: `the loki chart ${LOKI_CHART_VERSION} (${mode}) has no target for component ${c.component}`, suggestion: 'remove the component or choose another mode' });
      continue;
    }
    present.add(key);
    const v: Values = { ...((values[key] as Values | undefined) ?? {}), replicas: c.replicas, resources: resourcesOf(c) };
    if (cacheRuns && mode !== 'SingleBinary') v['extraEnv'] = s3SecretEnv(t);
    if ((LOKI_MAX_UNAVAILABLE as readonly string[]).includes(key)) v['maxUnavailable'] = 1;
    const size = c.perReplica.storageBytes > 0 ? bytesQuantity(c.perReplica.storageBytes) : undefined;
    switch (LOKI_PERSISTENCE[key]) {
      case 'enabled-size':
        v['persistence'] = size ? { enabled: true, size } : { enabled: false };
        break;
      case 'claims-size':
        v['persistence'] = size ? { volumeClaimsEnabled: true, size } : { volumeClaimsEnabled: false };
        break;
      case 'claims-list':
        v['persistence'] = size ? { enabled: true, claims: [{ name: 'data', accessModes: ['ReadWriteOnce'], size }] } : { enabled: false };
        break;
      default:
        if (size) notes.push({ severity: 'warning', message: `the loki chart runs ${c.component} without a volume; its ${size} of storage is not rendered`, suggestion: `drop storage from ${c.component}` });
    }
    if (key === 'ingester') {
      v['zoneAwareReplication'] = { enabled: e.zoneAware };
      if (e.zoneAware && c.replicas % LOKI_CHART_ZONES !== 0) {
        const perZone = Math.ceil(c.replicas / LOKI_CHART_ZONES);
        notes.push({
          severity: 'warning',
          message: `the loki chart splits zone-aware ingesters into ${LOKI_CHART_ZONES} zones of ceil(${c.replicas}/${LOKI_CHART_ZONES}) = ${perZone}: ${perZone * LOKI_CHART_ZONES} ingesters run, not ${c.replicas}`,
          suggestion: `use a multiple of ${LOKI_CHART_ZONES} ingester replicas`,
        });
      }
    }
    values[key] = v;
  }
  if (mode !== 'Distributed' && e.zoneAware) {
    notes.push({ severity: 'warning', message: `the loki chart has zone-aware replication only for Distributed ingesters; ${mode} runs without it`, suggestion: 'use mode microservices for zone-aware replication, or set zoneAware: false' });
  }
  // targets of the other modes that the chart would otherwise start (validate.yaml refuses mixed modes)
  for (const key of ALL_TARGETS) {
    if (present.has(key) || !NONZERO_BY_DEFAULT.has(key)) continue;
    values[key] = { ...((values[key] as Values | undefined) ?? {}), replicas: 0 };
  }
  if (t.rum) rumRulerValues(t, mode, rulerOn, values, notes);
  // the gateway (budgeted), canary and caches (switched off): chart facts, LOKI_FACTS.workloads
  chartWorkloadValues(t, e, values);
  return { values, notes, uncoveredPdb: [] };
}

/** Name of the volume carrying the RUM rule ConfigMap in the ruler's pods. */
const RUM_RULES_VOLUME = 'otelstack-rum-rules';

/**
 * The RUM recording rules on Kubernetes: the ruler reads them from local storage at the rules directory, where the
 * pods running it mount the environment's rule ConfigMap (rules/index.ts), each tenant's key at
 * <tenant id>/<namespace file>; it remote-writes the series to the metrics engine (lokiRumRuler).
 */
function rumRulerValues(t: Topology, mode: string, rulerOn: boolean, values: Values, notes: ValuesNote[]): void {
  const key = LOKI_RULER_TARGET[mode]!;
  if (!rulerOn) {
    notes.push({ severity: 'warning', message: `the RUM recording rules need Loki's ruler, and ${t.env.name}'s Distributed Loki runs none: no web-vitals series reach the metrics engine`, suggestion: 'add the ruler component to the logs engine' });
    return;
  }
  const loki = values['loki'] as Values;
  loki['rulerConfig'] = lokiRumRuler(t.rum!, LOKI_CHART_DATA_DIR);
  const target = (values[key] as Values | undefined) ?? {};
  values[key] = {
    ...target,
    extraVolumes: [{ name: RUM_RULES_VOLUME, configMap: { name: lokiRumConfigMapName(t.stack, t.env.name), items: lokiRumConfigMapItems(t) } }],
    extraVolumeMounts: [{ name: RUM_RULES_VOLUME, mountPath: LOKI_RULER_PATHS.rulesDirectory, readOnly: true }],
  };
}
