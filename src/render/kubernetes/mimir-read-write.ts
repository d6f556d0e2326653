/**
 * Mimir's read-write components as Kubernetes objects beside a mimir-distributed release. The chart has no
 * read-write mode (grafana/mimir#8903), so Helm users of the microservices ↔ read-write runbook get mimir-read,
 * mimir-write and mimir-backend as objects of their own, written by `otelstack migrate render --step N` under
 * kubernetes/mimir-read-write/ with that step's replicas. They run the release's own configuration and join its
 * memberlist ring, so the read-write components share every ring with the microservices as seed 004 requires
 * (chart facts: catalog MIMIR_DISTRIBUTED_READ_WRITE):
 *  - the release's config ConfigMap (`<fullname>-config`, key mimir.yaml, at /etc/mimir) and runtime ConfigMap
 *    (`<fullname>-runtime`, at /var/mimir), with the chart's own args (-config.expand-env, -config.file) and then
 *    `-target=read|write|backend`; the config's memberlist.join_members is the release's gossip-ring Service; where
 *    the backend runs the alertmanager, its fallback ConfigMap at /configs and an emptyDir at /tmp, as the chart's
 *    alertmanager has them;
 *  - pod labels the gossip-ring Service selects (app.kubernetes.io/name: mimir, app.kubernetes.io/instance:
 *    <release>, app.kubernetes.io/part-of: memberlist) — the same labels otelstack's scrape and network policies
 *    key the release's pods by — and a component of their own (mimir-read / mimir-write / mimir-backend), so no
 *    Service or PodDisruptionBudget of the chart selects them; no rollout-group label, so the rollout-operator
 *    leaves them alone;
 *  - mimir-read a Deployment (or an HPA-scaled one where the definition autoscales it); mimir-write and
 *    mimir-backend a StatefulSet per zone (`<fullname>-write-zone-a`, …) when Mimir is zone-aware, with the zone
 *    flags of every zone-aware component their target runs, a volume per replica at /data, and the chart's ingester
 *    grace period for mimir-write (1200 s in chart 6.0.4; an ingester flushes on shutdown); replicas split over the
 *    zones as the runbook splits the ingesters (otelstack's split: the chart itself runs ceil(replicas / zones) per
 *    zone);
 *  - the chart components' extraArgs (from the step's values) for the components each target runs, and the values'
 *    global.extraEnv (the S3 credentials' Secret references) in every container;
 *  - a Service per component (HTTP and gRPC: what the load balancer routes to in the runbook's routing steps), a
 *    headless Service per StatefulSet group, and a PodDisruptionBudget (maxUnavailable 1) where the definition has
 *    more than one replica and the environment renders disruption budgets.
 * Every object is a kubernetes-models object, validated before it is serialised.
 */
import { Deployment } from 'kubernetes-models/apps/v1/Deployment'; // one model's module, not the group's index (start-up time)
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Service } from 'kubernetes-models/v1/Service';
import { MIMIR_COMPONENT_KEYS, MIMIR_DISTRIBUTED_READ_WRITE as RW, MIMIR_READ_WRITE_TARGETS, type MimirReadWriteComponent } from '../../catalog/charts/mimir-distributed.js';
import { CATALOG } from '../../catalog/index.js';
import type { ComponentAutoscaling as Autoscaling, ReplicaResources } from '../../topology/types.js';
import { toYaml, type FileSet } from '../fileset.js';
import { bytesQuantity, resourcesOf } from './values.js';

/** What the objects need from the migration's topologies (the runbook carries it). */
export interface MimirReadWriteSpec {
  /** the mimir-distributed release and its namespace */
  release: string;
  namespace: string;
  environment: string;
  /** Mimir's version (the image tag when the values set none) */
  version: string;
  /** the zones of a zone-aware Mimir (empty: one StatefulSet per component) */
  zones: string[];
  /** the read-write components as the read-write definition sizes them */
  components: Partial<Record<MimirReadWriteComponent, { replicas: number; perReplica: ReplicaResources; autoscaling?: Autoscaling; definitionPath: string }>>;
  podDisruptionBudgets: boolean;
}

type Values = Record<string, unknown>;
type Model = { validate(): void; toJSON(): unknown };

/** The directory (relative to a step's directory) the objects are written to. */
export const MIMIR_READ_WRITE_DIR = 'kubernetes/mimir-read-write';

const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'otelstack' };
const ZONE_LABEL = 'otelstack.io/zone';

function yamlOf(model: Model): string {
  model.validate();
  return toYaml(model.toJSON());
}

/** Splits `replicas` over `zones` (the first zones take the remainder), as the runbook splits the ingesters. */
export function splitOverZones(replicas: number, zones: number): number[] {
  const z = Math.max(1, zones);
  return Array.from({ length: z }, (_, i) => Math.floor(replicas / z) + (i < replicas % z ? 1 : 0));
}

/** The object name of one component (and zone): `<fullname>-read`, `<fullname>-write-zone-a`. */
export function readWriteObjectName(release: string, component: MimirReadWriteComponent, zone?: string): string {
  const full = RW.fullname(release);
  const short = component.slice('mimir-'.length);
  return zone ? `${full}-${short}-${zone}` : `${full}-${short}`;
}

/** `<component>.extraArgs` of the chart components a target runs, as flags (first writer of a flag wins; sorted). */
function extraArgs(values: Values, runs: readonly string[], own: readonly string[]): string[] {
  const out = new Map<string, string>();
  for (const comp of runs) {
    const key = MIMIR_COMPONENT_KEYS[comp];
    const section = key ? (values[key] as Values | undefined) : undefined;
    const args = (section?.['extraArgs'] ?? {}) as Record<string, unknown>;
    for (const [k, v] of Object.entries(args)) if (!out.has(k)) out.set(k, String(v));
  }
  // the chart's own args and the runbook's flags of this target win over a copied extraArg
  const skip = new Set([...RW.args, ...own].map((a) => a.slice(1, a.indexOf('='))));
  return [...out.entries()].filter(([k]) => !skip.has(k)).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `-${k}=${v}`);
}

/** Whether the values leave a chart component enabled (`<key>.enabled`, true unless written false). */
function chartEnabled(values: Values, component: string): boolean {
  const key = MIMIR_COMPONENT_KEYS[component];
  const section = key ? (values[key] as Values | undefined) : undefined;
  return section?.['enabled'] !== false;
}

/** Whether the values make a chart component zone-aware. */
function zoneAware(values: Values, component: string): boolean {
  const key = MIMIR_COMPONENT_KEYS[component];
  const section = key ? (values[key] as Values | undefined) : undefined;
  return (section?.['zoneAwareReplication'] as Values | undefined)?.['enabled'] === true;
}

/** The zone flags of a target in one zone: every zone-aware component it runs. */
function zoneArgs(values: Values, runs: readonly string[], zone: string | undefined): string[] {
  const out: string[] = [];
  const zoneAwareIngesters = zoneAware(values, 'ingester');
  // the zone-awareness of the ingester ring matters to every reader of it (distributors, queriers, rulers)
  if (zoneAwareIngesters) out.push(`${RW.zoneAwarenessFlags['ingester']}=true`);
  for (const comp of ['store-gateway', 'alertmanager']) if (runs.includes(comp) && zoneAware(values, comp) && chartEnabled(values, comp)) out.push(`${RW.zoneAwarenessFlags[comp]}=true`);
  if (zone) for (const comp of ['ingester', 'store-gateway', 'alertmanager']) if (runs.includes(comp) && zoneAware(values, comp) && chartEnabled(values, comp)) out.push(`${RW.zoneFlags[comp]}=${zone}`);
  return out;
}

/** The runbook's own flags per target: seed 004 step 5 keeps mimir-backend's store-gateway in the ring on shutdown. */
const OWN_ARGS: Record<MimirReadWriteComponent, string[]> = {
  'mimir-read': [],
  'mimir-write': [],
  'mimir-backend': ['-store-gateway.sharding-ring.unregister-on-shutdown=false'],
};

/**
 * The objects of one step: every read-write component of the spec with `replicas[component]` replicas (0 keeps the
 * objects, scaled to nothing — seed 004's "deploy with 0 replicas"). `values` are the chart values at that step.
 * Paths are relative to the step's directory.
 */
export function mimirReadWriteObjects(spec: MimirReadWriteSpec, replicas: Readonly<Record<string, number>>, values: Values): FileSet {
  const files: FileSet = new Map();
  const full = RW.fullname(spec.release);
  const ns = spec.namespace;
  const tag = ((values['image'] as Values | undefined)?.['tag'] as string | undefined) ?? spec.version;
  const image = `${CATALOG.mimir.image}:${tag}`;
  const extraEnv = (((values['global'] as Values | undefined)?.['extraEnv'] ?? []) as unknown[]).map((e) => structuredClone(e));
  const ring = RW.gossipRing.selector(spec.release);
  const ports = Object.entries(RW.ports).map(([name, containerPort]) => ({ name, containerPort, protocol: 'TCP' as const }));
  const svcPorts = [
    { name: 'http-metrics', port: RW.ports['http-metrics']!, targetPort: 'http-metrics', protocol: 'TCP' as const },
    { name: 'grpc', port: RW.ports['grpc']!, targetPort: 'grpc', protocol: 'TCP' as const },
  ];

  for (const component of Object.keys(MIMIR_READ_WRITE_TARGETS) as MimirReadWriteComponent[]) {
    const comp = spec.components[component];
    if (!comp) continue;
    const { target, runs } = MIMIR_READ_WRITE_TARGETS[component];
    const n = replicas[component] ?? 0;
    const stateful = component !== 'mimir-read';
    const group = readWriteObjectName(spec.release, component);
    const selectorBase = { 'app.kubernetes.io/name': RW.infixName, 'app.kubernetes.io/instance': spec.release, 'app.kubernetes.io/component': component };
    const labels = { ...selectorBase, ...ring, ...MANAGED_BY, 'otelstack.io/environment': spec.environment };
    const alertmanager = runs.includes('alertmanager' as never) && chartEnabled(values, 'alertmanager');
    const volumes = [
      { name: RW.config.volume, configMap: { name: RW.config.name(full), items: [{ key: RW.config.key, path: RW.config.key }] } },
      { name: RW.runtime.volume, configMap: { name: RW.runtime.name(full) } },
      { name: RW.activeQueries.volume, emptyDir: {} },
      ...(stateful ? [] : [{ name: RW.storage.volume, emptyDir: {} }]),
      ...(alertmanager ? [{ name: RW.alertmanagerFallback.volume, configMap: { name: RW.alertmanagerFallback.name(full) } }, { name: RW.alertmanagerTmp.volume, emptyDir: {} }] : []),
    ];
    const mounts = [
      { name: RW.config.volume, mountPath: RW.config.mountPath },
      { name: RW.runtime.volume, mountPath: RW.runtime.mountPath },
      { name: RW.storage.volume, mountPath: RW.storage.mountPath },
      { name: RW.activeQueries.volume, mountPath: RW.activeQueries.mountPath },
      ...(alertmanager ? [{ name: RW.alertmanagerFallback.volume, mountPath: RW.alertmanagerFallback.mountPath }, { name: RW.alertmanagerTmp.volume, mountPath: RW.alertmanagerTmp.mountPath }] : []),
    ];
    const podSpec = (zone: string | undefined) => ({
      serviceAccountName: RW.serviceAccount(full),
      securityContext: { runAsNonRoot: true, runAsUser: RW.securityContext.uid, runAsGroup: RW.securityContext.gid, fsGroup: RW.securityContext.gid, seccompProfile: { type: 'RuntimeDefault' } },
      ...(component === 'mimir-write' ? { terminationGracePeriodSeconds: RW.ingesterTerminationGraceSeconds } : {}),
      containers: [
        {
          name: component,
          image,
          args: [`-target=${target}`, ...RW.args, ...extraArgs(values, runs, OWN_ARGS[component]), ...zoneArgs(values, runs, zone), ...OWN_ARGS[component]],
          ports,
          ...(extraEnv.length ? { env: extraEnv } : {}),
          readinessProbe: { httpGet: { path: RW.readiness.path, port: RW.readiness.port }, initialDelaySeconds: RW.readiness.initialDelaySeconds },
          resources: resourcesOf(comp) as never,
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
          volumeMounts: mounts,
        },
      ],
      volumes,
    });

    if (!stateful) {
      const auto = comp.autoscaling && n > 0 ? comp.autoscaling : undefined;
      const metadata = { name: group, namespace: ns, labels };
      files.set(
        `${MIMIR_READ_WRITE_DIR}/${component}-deployment.yaml`,
        yamlOf(
          new Deployment({
            metadata,
            spec: {
              // the autoscaler owns the count once it runs (ArgoCD then has nothing to revert)
              ...(auto ? {} : { replicas: n }),
              selector: { matchLabels: selectorBase },
              strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
              template: { metadata: { labels }, spec: podSpec(undefined) as never },
            },
          }),
        ),
      );
      if (auto) {
        const metrics = [
          ...(auto.targetCpu !== undefined ? [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: auto.targetCpu } } }] : []),
          ...(auto.targetMemory !== undefined ? [{ type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: auto.targetMemory } } }] : []),
        ];
        const hpa = new HorizontalPodAutoscaler({ metadata, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: group }, minReplicas: auto.min, maxReplicas: auto.max, ...(metrics.length ? { metrics: metrics as never } : {}) } });
        files.set(`${MIMIR_READ_WRITE_DIR}/${component}-hpa.yaml`, yamlOf(hpa));
      }
    } else {
      const zones = spec.zones.length ? spec.zones : [undefined];
      const split = splitOverZones(n, zones.length);
      const headless = `${group}-headless`;
      zones.forEach((zone, i) => {
        const name = readWriteObjectName(spec.release, component, zone);
        const selector = { ...selectorBase, ...(zone ? { [ZONE_LABEL]: zone } : {}) };
        const zLabels = { ...labels, ...(zone ? { [ZONE_LABEL]: zone } : {}) };
        const sts = new StatefulSet({
          metadata: { name, namespace: ns, labels: zLabels },
          spec: {
            replicas: split[i] ?? 0,
            serviceName: headless,
            podManagementPolicy: 'Parallel',
            selector: { matchLabels: selector },
            updateStrategy: { type: 'RollingUpdate' },
            template: { metadata: { labels: zLabels }, spec: podSpec(zone) as never },
            volumeClaimTemplates: [{ metadata: { name: RW.storage.volume }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: bytesQuantity(comp.perReplica.storageBytes || 1024 ** 3) } } } }],
          },
        });
        files.set(`${MIMIR_READ_WRITE_DIR}/${component}${zone ? `-${zone}` : ''}-statefulset.yaml`, yamlOf(sts));
      });
      files.set(
        `${MIMIR_READ_WRITE_DIR}/${component}-headless-service.yaml`,
        yamlOf(new Service({ metadata: { name: headless, namespace: ns, labels }, spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: selectorBase, ports: svcPorts } })),
      );
    }
    files.set(`${MIMIR_READ_WRITE_DIR}/${component}-service.yaml`, yamlOf(new Service({ metadata: { name: group, namespace: ns, labels }, spec: { selector: selectorBase, ports: svcPorts } })));
    const fewest = comp.autoscaling ? comp.autoscaling.min : comp.replicas;
    if (spec.podDisruptionBudgets && fewest > 1) {
      files.set(`${MIMIR_READ_WRITE_DIR}/${component}-pdb.yaml`, yamlOf(new PodDisruptionBudget({ metadata: { name: group, namespace: ns, labels }, spec: { maxUnavailable: 1, selector: { matchLabels: selectorBase } } })));
    }
  }
  return files;
}
