import { MIMIR_COMPONENT_KEYS, MIMIR_DISTRIBUTED_5 } from '../../catalog/charts/mimir-distributed.js';
import { MIMIR_HELM_KEYS_VERIFIED, MIMIR_READ_WRITE_MIGRATION as M, mimirGateQuery } from '../../catalog/migrations.js';
import { MIMIR_DISTRIBUTED_READ_WRITE as RW, MIMIR_READ_WRITE_TARGETS, type MimirReadWriteComponent } from '../../catalog/charts/mimir-distributed.js';
import { MIMIR_READ_WRITE_DIR, readWriteObjectName, splitOverZones, type MimirReadWriteSpec } from '../../render/kubernetes/mimir-read-write.js';
import type { TopoComponent, Topology } from '../../topology/types.js';
import { promql as promqlGate } from './gates.js';
import { Steps, type GateCondition, type HelmChange, type Runbook, type StepChange } from './types.js';

type Value = string | number | boolean;

/**
 * Two overlays of one step written as one jsonnet expression (merged left to right), so the step's file evaluates
 * as it stands: the seed prints them as separate snippets to paste.
 */
const OVERLAYS_JOIN = '\n+\n';

/** How `migrate check` treats this runbook's ring conditions (src/ops/migrate/check.ts checkGate / fetchRing). */
const RING_NOTE = "ring conditions: `migrate check --ring-url` (Mimir's HTTP port, e.g. a port-forward to a pod) checks them against the rings' status pages; without --ring-url they are listed as manual conditions";

const jv = (v: Value): string => (typeof v === 'string' ? `'${v}'` : String(v));

/** A `_config+::` overlay as the documentation writes it (deployment_mode first, then a blank line). */
export function configOverlay(entries: ReadonlyArray<readonly [string, Value]>): string {
  const lines = entries.map(([k, v]) => `    ${k}: ${jv(v)},`);
  if (entries[0]?.[0] === M.jsonnet.deploymentMode && lines.length > 1) lines.splice(1, 0, '');
  return `{\n  _config+:: {\n${lines.join('\n')}\n  },\n}`;
}

/** Object overlays: `<object>+:\n    <kind>.mixin.spec.withReplicas(n),` */
function replicasOverlay(objects: ReadonlyArray<readonly [string, 'deployment' | 'statefulSet', number]>, config: ReadonlyArray<readonly [string, Value]> = []): string {
  const parts: string[] = [];
  if (config.length) parts.push(`  _config+:: {\n${config.map(([k, v]) => `    ${k}: ${jv(v)},`).join('\n')}\n  },`);
  for (const [o, kind, n] of objects) parts.push(`  ${o}+:\n    ${kind}.mixin.spec.withReplicas(${n}),`);
  return `{\n${parts.join('\n\n')}\n}`;
}

const helm = (key: string, value: Value): HelmChange => ({ key, value, verified: MIMIR_HELM_KEYS_VERIFIED });
const replicasKey = (component: string): string | undefined => {
  const k = MIMIR_COMPONENT_KEYS[component];
  return k ? `${k}.replicas` : undefined;
};

interface Ctx {
  from: Topology;
  to: Topology;
  kubernetes: boolean;
  ms: Map<string, TopoComponent>;
  rw: Map<string, TopoComponent>;
  chart: string[];
  /**
   * components both modes run as themselves (the Alertmanager's own StatefulSet, which Mimir's read-write jsonnet
   * keeps): the runbook leaves them running at the running definition's replicas
   */
  kept: Map<string, TopoComponent>;
  zones: string[];
  /** Helm users on mimir-distributed: the read-write components rendered as Kubernetes objects (undefined: jsonnet only) */
  objects?: MimirReadWriteSpec;
}

/** Where the Helm keys were checked, for the chart the microservices side installs (catalog MIMIR_READ_WRITE_MIGRATION). */
function helmKeysNote(t: Topology): string {
  const e = t.engines.find((x) => x.engine === 'mimir');
  const chart = e && !('none' in e.chart) ? e.chart.version : undefined;
  return chart === MIMIR_DISTRIBUTED_5.version ? M.helmKeysNote5(chart) : M.helmKeysNote;
}

/** The read-write components as objects beside the microservices side's mimir-distributed release (Kubernetes only). */
function objectsSpec(msSide: Topology, rwSide: Topology, rw: Map<string, TopoComponent>, zones: string[]): MimirReadWriteSpec | undefined {
  if (msSide.env.target !== 'kubernetes') return undefined;
  const e = msSide.engines.find((x) => x.engine === 'mimir');
  if (!e || !e.managed || 'none' in e.chart || e.chart.name !== 'mimir-distributed') return undefined;
  const components: MimirReadWriteSpec['components'] = {};
  for (const k of Object.keys(MIMIR_READ_WRITE_TARGETS) as MimirReadWriteComponent[]) {
    const x = rw.get(k);
    if (x) components[k] = { replicas: x.replicas, perReplica: x.perReplica, ...(x.autoscaling ? { autoscaling: x.autoscaling } : {}), definitionPath: x.definitionPath };
  }
  const version = rwSide.engines.find((x) => x.engine === 'mimir')?.version ?? e.version;
  return { release: e.release, namespace: msSide.env.namespace, environment: msSide.env.name, version, zones, components, podDisruptionBudgets: msSide.env.podDisruptionBudgets };
}

function context(from: Topology, to: Topology, msSide: Topology, rwSide: Topology): Ctx {
  const mimirOf = (t: Topology) => new Map(t.components.filter((c) => c.engine === 'mimir').map((c) => [c.component, c]));
  const chartComponents = new Set((msSide.chartWorkloads ?? []).filter((w) => w.engine === 'mimir' && w.action !== 'component' && w.component).map((w) => w.component!));
  const ms = mimirOf(msSide);
  const chart = [...ms.keys()].filter((c) => chartComponents.has(c));
  for (const c of chart) ms.delete(c);
  const rwEngine = rwSide.engines.find((e) => e.engine === 'mimir');
  const rw = mimirOf(rwSide);
  const kept = new Map([...ms].filter(([k]) => rw.has(k)));
  for (const k of kept.keys()) {
    ms.delete(k);
    rw.delete(k);
  }
  const zones = rwEngine?.zoneAware ? rwEngine.zones : [];
  const objects = objectsSpec(msSide, rwSide, rw, zones);
  return { from, to, kubernetes: from.env.target === 'kubernetes', ms, rw, chart, kept, zones, ...(objects ? { objects } : {}) };
}


const ringBoth = (ring: string): GateCondition => ({ kind: 'ring', ring, expect: 'both', description: `the ${ring} ring includes both the microservices and the read-write components` });
const ringLeft = (ring: string, who: string): GateCondition => ({ kind: 'ring', ring, expect: 'left', description: `${who} left the ${ring} ring` });
const promql = (description: string, kind: Parameters<typeof mimirGateQuery>[0], expect: 'nonzero' | 'zero'): GateCondition => promqlGate(description, mimirGateQuery(kind), expect);

/** What a step that scales read-write components cannot say in Helm values: the objects that say it, or the jsonnet gap. */
function rwGap(c: Ctx): string {
  return c.objects ? `no Helm value deploys the read-write components (grafana/mimir#8903): ${MIMIR_READ_WRITE_DIR}/ holds them as Kubernetes objects with the replicas below; apply them after the values` : M.helmGap;
}

/** The Service a routing step points the load balancer at, where the read-write objects are rendered. */
function svc(c: Ctx, component: MimirReadWriteComponent): string {
  if (!c.objects) return '';
  return ` (the Service ${readWriteObjectName(c.objects.release, component)}.${c.objects.namespace}.svc, port ${RW.ports['http-metrics']} HTTP / ${RW.ports['grpc']} gRPC)`;
}

function withHelm(c: Ctx, change: StepChange, keys: HelmChange[], gap?: string): StepChange {
  if (!c.kubernetes) return change;
  return { ...change, ...(keys.length ? { helm: keys } : {}), ...(gap ? { helmGap: gap } : {}) };
}

/**
 * The cleanup in Helm values where the read-write objects run beside the release: every microservice at 0 and the
 * chart's own workloads (gateway, rollout-operator) off; the release stays for its config, ring Service and account.
 */
function objectsNote(o: MimirReadWriteSpec): string {
  const full = RW.fullname(o.release);
  return `the read-write objects use the release ${o.release}'s ConfigMap ${RW.config.name(full)} (${RW.config.key}) and join its memberlist ring through the Service ${RW.gossipRing.service(full)}:${RW.gossipRing.port} (chart facts ${RW.checked}); Mimir does not reload its config: after a values change of the release, restart mimir-read / mimir-write / mimir-backend (zone by zone)`;
}

function cleanupHelm(c: Ctx): HelmChange[] {
  const keys = [...c.ms.keys()].map((x) => replicasKey(x)).filter((k): k is string => k !== undefined).map((k) => helm(k, 0));
  const off = c.chart.map((x) => ({ gateway: 'gateway.enabled', 'rollout-operator': 'rollout_operator.enabled' } as Record<string, string>)[x]).filter((k): k is string => k !== undefined).map((k) => helm(k, false));
  return [...keys, ...off];
}

/** Mimir microservices → read-write: the documentation's steps, with the definitions' own replica counts. */
export function microservicesToReadWrite(from: Topology, to: Topology): Runbook {
  const c = context(from, to, from, to);
  const J = M.jsonnet;
  const has = (comp: string) => c.ms.has(comp);
  const rwReplicas = (comp: string) => c.rw.get(comp)?.replicas ?? 0;
  const initial: Record<string, number> = {};
  for (const [k, v] of c.ms) initial[k] = v.replicas;
  for (const k of c.chart) initial[k] = from.components.find((x) => x.engine === 'mimir' && x.component === k)!.replicas;
  for (const k of c.rw.keys()) initial[k] = 0;
  for (const [k, v] of c.kept) initial[k] = v.replicas;
  const s = new Steps(initial);
  const fromEngine = from.engines.find((e) => e.engine === 'mimir')!;
  const gap = rwGap(c);

  s.add({
    id: 'zone-awareness',
    title: 'Configure the prerequisite zone-awareness (multi-zone ingesters and store-gateways)',
    source: 'Step 1',
    change: withHelm(
      c,
      {
        summary: fromEngine.zoneAware ? `already in place: the running definition has zoneAware: true (zones ${fromEngine.zones.join(', ')})` : 'enable multi-zone ingesters and store-gateways (read-write mode requires them)',
        jsonnet: configOverlay(J.zoneAware.map((k) => [k, true] as const)),
      },
      [helm('ingester.zoneAwareReplication.enabled', true), helm('store_gateway.zoneAwareReplication.enabled', true)],
    ),
    gate: [{ kind: 'manual', description: `ingesters and store-gateways run in the zones ${c.zones.join(', ') || '(none given)'} and their rings are healthy` }],
    onFailure: 'do not continue: read-write mode requires multi-zone ingesters and store-gateways; finish the zone-aware rollout first',
    rollback: 'not covered by this runbook: turning zone-awareness off again moves ingester data and is a migration of its own',
  });

  s.add({
    id: 'deploy-read-write-at-zero',
    title: 'Deploy the read-write components with 0 replicas (deployment_mode: migration)',
    source: 'Step 2',
    change: withHelm(c, {
      summary: 'configure the components of both modes; mimir-write, mimir-read and mimir-backend start at 0 replicas',
      jsonnet: configOverlay([[J.deploymentMode, J.modes.migration], [J.replicas['mimir-write'], 0], [J.replicas['mimir-read'], 0], [J.replicas['mimir-backend'], 0], [J.readAutoscaling.enabled, false]]),
    }, [], gap),
    gate: [{ kind: 'manual', description: 'optional: compare the component configuration of both modes (kubectl get -o yaml of each Deployment / StatefulSet, .spec diffed: distributor and ingester-zone-* against mimir-write-zone-*, query-frontend and querier against mimir-read, the backend microservices against mimir-backend-zone-*)' }],
    onFailure: 'fix the configuration before any read-write replica runs',
    rollback: `set ${J.deploymentMode} back to '${J.modes.microservices}' (nothing runs yet)`,
  });

  const read = c.rw.get('mimir-read');
  const readAuto = read?.autoscaling;
  s.add({
    id: 'scale-up-read',
    title: 'Scale up mimir-read (the microservices keep their replicas)',
    source: 'Step 3.1, 3.2',
    change: withHelm(c, {
      summary: readAuto ? `mimir-read autoscaling between ${readAuto.min} and ${readAuto.max} replicas` : `mimir-read to ${rwReplicas('mimir-read')} replicas; it starts running queries from the query-scheduler (they share the ring)`,
      jsonnet: configOverlay([
        [J.deploymentMode, J.modes.migration],
        [J.replicas['mimir-write'], 0],
        ...(readAuto ? [] : [[J.replicas['mimir-read'], rwReplicas('mimir-read')] as const]),
        [J.replicas['mimir-backend'], 0],
        [J.readAutoscaling.enabled, readAuto !== undefined],
        ...(readAuto ? [[J.readAutoscaling.min, readAuto.min] as const, [J.readAutoscaling.max, readAuto.max] as const] : []),
      ]),
      actions: ['run a test query through a port-forward to mimir-read'],
    }, [], gap),
    gate: [promql('mimir-read is running queries', 'read-serving', 'nonzero')],
    onFailure: 'keep all traffic on the microservices; check that the mimir-read pods are ready and reach the query-scheduler; if they cannot be fixed, scale mimir-read back to 0',
    rollback: `${J.replicas['mimir-read']}: 0${readAuto ? ` and ${J.readAutoscaling.enabled}: false` : ''}`,
  }, { 'mimir-read': rwReplicas('mimir-read') });

  s.add({
    id: 'route-reads',
    title: 'Route read requests to mimir-read',
    source: 'Step 3.3',
    change: { summary: 'configure the load balancer to route read requests to mimir-read', actions: [`route read requests (the Prometheus query API) at the load balancer to mimir-read${svc(c, 'mimir-read')}`] },
    gate: [promql('the microservice query-frontend no longer gets requests', 'query-frontend-idle', 'zero')],
    onFailure: 'some reads still reach the microservice query-frontend: find the pods still serving (the gate lists them) and the routes that lead there; do not scale the read microservices down',
    rollback: 'route read requests back to the query-frontend microservice',
  });

  s.add({
    id: 'scale-up-backend',
    title: 'Scale up mimir-backend',
    source: 'Step 4.1, 4.2',
    change: withHelm(c, { summary: `mimir-backend to ${rwReplicas('mimir-backend')} replicas`, jsonnet: configOverlay([[J.replicas['mimir-backend'], rwReplicas('mimir-backend')]]) }, [], gap),
    gate: [...M.rings.map(ringBoth), { kind: 'manual', description: 'a few test queries on long-term data answer' }],
    onFailure: 'leave the backend endpoints on the microservices; check the mimir-backend pods joined each ring (memberlist); scale mimir-backend back to 0 if they cannot join',
    rollback: `${J.replicas['mimir-backend']}: 0`,
  }, { 'mimir-backend': rwReplicas('mimir-backend') });

  s.add({
    id: 'route-backend',
    title: 'Route the compactor and ruler endpoints to mimir-backend',
    source: 'Step 4.3',
    change: { summary: 'configure the load balancer to route the compactor and ruler endpoints to mimir-backend', actions: [`route the compactor and ruler endpoints at the load balancer to mimir-backend${svc(c, 'mimir-backend')}`] },
    gate: [{ kind: 'manual', description: 'the ruler and compactor APIs answer through mimir-backend' }],
    onFailure: 'route the endpoints back to the microservices and check mimir-backend',
    rollback: 'route the compactor and ruler endpoints back to the microservices',
  });

  const downRead = ['query-frontend', 'query-scheduler', 'querier', 'ruler', 'overrides-exporter', 'compactor', 'store-gateway'].filter(has);
  const objects = downRead.filter((x) => J.objects[x]).map((x) => [J.objects[x]!.object, J.objects[x]!.kind, 0] as const);
  const flag = M.storeGatewayUnregisterFlag;
  s.add({
    id: 'scale-down-read-backend-microservices',
    title: 'Scale down the read-path and backend microservices',
    source: 'Step 5',
    change: withHelm(c, {
      summary: `first let the microservice store-gateway leave the ring on shutdown, then scale ${downRead.join(', ')} to 0`,
      jsonnet: [
        `{\n  // Configure microservices store-gateway to leave the ring.\n  ${J.storeGatewayArgs}+:: {\n    '${flag}': true,\n  },\n\n  ${J.backendArgs}+:: {\n    '${flag}': false,\n  },\n}`,
        replicasOverlay(objects, [...(has('store-gateway') ? [[J.storeGatewayReplicas, 0] as const] : []), [J.querierAutoscaling, false]]),
      ].join(OVERLAYS_JOIN),
    }, [...(has('store-gateway') ? [helm(`store_gateway.extraArgs.${flag}`, true)] : []), ...downRead.map((x) => replicasKey(x)).filter((k): k is string => k !== undefined).map((k) => helm(k, 0))]),
    gate: M.rings.filter((r) => has(r)).map((r) => ringLeft(r, `the microservice ${r}`)),
    onFailure: 'a microservice is still in its ring: forget it from the ring page of the engine (its /…/ring endpoint) only once its pod is gone; do not disable ruler remote evaluation yet',
    rollback: 'scale the microservices back to their replicas (and the store-gateway flag back); route the endpoints back',
  }, Object.fromEntries(downRead.map((x) => [x, 0])));

  if (has('ruler')) {
    s.add({
      id: 'disable-ruler-remote-evaluation',
      title: 'Disable ruler remote evaluation (only now that the microservice ruler is gone)',
      source: 'Step 5',
      change: withHelm(c, { summary: 'rule evaluation moves into mimir-backend; earlier, rule evaluations could fail', jsonnet: configOverlay([[J.rulerRemoteEvaluation, false], [J.rulerQuerierAutoscaling, false]]) }, [helm(M.rulerRemoteEvaluationHelm, false)]),
      gate: [{ kind: 'manual', description: 'rule groups keep evaluating without failures' }],
      onFailure: `set ${J.rulerRemoteEvaluation} back to true`,
      rollback: `${J.rulerRemoteEvaluation}: true`,
    });
  }

  s.add({
    id: 'scale-up-write',
    title: 'Scale up mimir-write',
    source: 'Step 6.1',
    change: withHelm(c, { summary: `mimir-write to ${rwReplicas('mimir-write')} replicas`, jsonnet: configOverlay([[J.replicas['mimir-write'], rwReplicas('mimir-write')]]) }, [], gap),
    gate: [{ kind: 'manual', description: 'the mimir-write pods are ready' }],
    onFailure: 'keep writes on the distributors; scale mimir-write back to 0 if its pods do not become ready',
    rollback: `${J.replicas['mimir-write']}: 0 — with the ingester shutdown procedure once it has received writes`,
  }, { 'mimir-write': rwReplicas('mimir-write') });

  s.add({
    id: 'route-writes',
    title: 'Route write requests to mimir-write',
    source: 'Step 6.2',
    change: { summary: 'configure the load balancer to route write requests to mimir-write', actions: [`route write requests (/api/v1/push, OTLP) at the load balancer to mimir-write${svc(c, 'mimir-write')}`] },
    gate: [promql('the microservice distributor no longer receives write requests', 'distributor-idle', 'zero')],
    onFailure: 'some writers still reach the distributors: find them (the gate lists the jobs) and re-route; do not scale the distributors down',
    rollback: 'route write requests back to the distributors',
  });

  s.add({
    id: 'scale-down-distributors',
    title: 'Scale down the distributors',
    source: 'Step 7.1',
    change: withHelm(c, { summary: 'distributors to 0', jsonnet: replicasOverlay([[J.objects['distributor']!.object, 'deployment', 0]]) }, [helm('distributor.replicas', 0)]),
    gate: [{ kind: 'wait', seconds: M.headCompactionWait.seconds, description: `wait ${M.headCompactionWait.what}` }],
    onFailure: 'do not shut ingesters down before the head compaction has happened',
    rollback: `distributor replicas back to ${c.ms.get('distributor')?.replicas ?? 0} and writes routed back`,
  }, { distributor: 0 });

  const ing = c.ms.get('ingester');
  const zones = c.zones.length ? c.zones : [''];
  const split = splitOverZones(ing?.replicas ?? 0, zones.length);
  let left = ing?.replicas ?? 0;
  zones.forEach((z, i) => {
    const letter = J.zoneLetters[i] ?? String(i);
    left -= split[i] ?? 0;
    const last = i === zones.length - 1;
    s.add({
      id: `scale-down-ingesters${z ? `-${z}` : ''}`,
      title: `Shut down and scale down the ingesters${z ? ` of ${z}` : ''}`,
      source: 'Step 7.2',
      change: withHelm(c, {
        summary: `follow ${M.ingesterShutdown}${z ? ` in ingester-zone-${letter}` : ''}, then scale ${z ? `ingester-zone-${letter}` : 'the ingesters'} (${split[i]} replica(s)) to 0`,
        jsonnet: replicasOverlay([[J.ingesterZoneObject(letter), 'statefulSet', 0]]),
        actions: [`the ingester shutdown procedure${z ? ` in ingester-zone-${letter}` : ''} (it avoids data loss)`],
      }, last ? [helm('ingester.replicas', 0)] : [], last ? undefined : 'mimir-distributed has no per-zone replicas value (ingester.replicas is the total, ceil(replicas / zones) per zone): scale the zone\'s StatefulSet; ingester.replicas goes to 0 with the last zone'),
      gate: [{ kind: 'wait', description: `wait ${M.ingesterShutdownWait}` }],
      onFailure: 'stop: an ingester that did not flush still holds data; scale the zone back up and repeat the shutdown procedure',
      rollback: `scale ${z ? `ingester-zone-${letter}` : 'the ingesters'} back to ${split[i]} replica(s)`,
    }, { ingester: left });
  });

  const volumes = [...c.ms.values()].filter((x) => x.perReplica.storageBytes > 0).map((x) => x.component);
  s.add({
    id: 'cleanup',
    title: `Final cleanup: deployment_mode '${J.modes.readWrite}'`,
    source: 'Step 8',
    change: withHelm(c, {
      summary: 'the microservice objects are removed; remove the scaling overlays of the steps above and any left-over microservice configuration',
      jsonnet: configOverlay([[J.deploymentMode, J.modes.readWrite]]),
      actions: [
        `release the volumes of ${volumes.join(', ') || 'no component'}: kubectl get pvc -n ${from.env.namespace} --no-headers | grep -E '${M.pvcPattern}' | awk '{print $1}'`,
        ...(c.objects
          ? [`keep the mimir-distributed release: ${M.helmObjectsKeep}; its ${c.chart.join(', ') || 'chart workloads'} are switched off (route whatever its gateway still serves to the read-write Services first)`]
          : c.chart.length
            ? [`uninstall the mimir-distributed release last: its ${c.chart.join(', ')} go with it (route whatever its gateway still serves to the read-write services first)`]
            : []),
      ],
    }, c.objects ? cleanupHelm(c) : [], c.objects ? undefined : c.chart.length ? 'no Helm value removes the microservices of mimir-distributed: the release is uninstalled' : undefined),
    gate: [],
    onFailure: 'nothing to check: the migration is complete',
    rollback: 'none: from here on, going back is the reverse runbook',
  }, Object.fromEntries([...c.ms.keys(), ...c.chart].map((k) => [k, 0])));

  return {
    id: M.id,
    title: 'Mimir microservices → read-write without downtime',
    engine: 'mimir',
    signal: 'metrics',
    from: 'microservices',
    to: 'read-write',
    source: M.source,
    notes: [M.experimental, ...(c.kubernetes ? [`Helm: ${c.objects ? M.helmObjects : M.helmGap}`, ...(c.chart.includes('gateway') ? [M.gatewayRouting] : []), helmKeysNote(from)] : []), ...(c.objects ? [objectsNote(c.objects)] : []), ...M.queryFixes, RING_NOTE],
    steps: s.steps,
    ...(c.objects ? { readWriteObjects: c.objects } : {}),
  };
}

/** Mimir read-write → microservices: the same steps mirrored (derived; the documentation only says "vice-versa"). */
export function readWriteToMicroservices(from: Topology, to: Topology): Runbook {
  const c = context(from, to, to, from);
  const J = M.jsonnet;
  const msReplicas = (comp: string) => c.ms.get(comp)?.replicas ?? 0;
  const initial: Record<string, number> = {};
  for (const [k, v] of c.rw) initial[k] = v.replicas;
  for (const k of [...c.ms.keys(), ...c.chart]) initial[k] = 0;
  for (const k of c.kept.keys()) initial[k] = from.components.find((x) => x.engine === 'mimir' && x.component === k)!.replicas;
  const s = new Steps(initial);
  const derived = 'derived';
  const objectsOf = (comps: string[], n: (x: string) => number) => comps.filter((x) => J.objects[x]).map((x) => [J.objects[x]!.object, J.objects[x]!.kind, n(x)] as const);
  const all = [...c.ms.keys()];
  const zones = c.zones.length ? c.zones : [''];
  const ingesterSplit = splitOverZones(msReplicas('ingester'), zones.length);
  const ingesterObjects = zones.map((_, i) => [J.ingesterZoneObject(J.zoneLetters[i] ?? String(i)), 'statefulSet', 0] as const);
  const helmReplicas = (comps: string[], n: (x: string) => number) => comps.map((x) => [replicasKey(x), n(x)] as const).filter((e): e is readonly [string, number] => e[0] !== undefined).map(([k, v]) => helm(k, v));

  s.add({
    id: 'deploy-microservices-at-zero',
    title: 'Deploy the microservices with 0 replicas (deployment_mode: migration)',
    source: derived,
    change: withHelm(c, {
      summary: 'configure the components of both modes; every microservice starts at 0 replicas, the read-write components keep theirs',
      jsonnet: [configOverlay([[J.deploymentMode, J.modes.migration], [J.replicas['mimir-write'], c.rw.get('mimir-write')?.replicas ?? 0], [J.replicas['mimir-read'], c.rw.get('mimir-read')?.replicas ?? 0], [J.replicas['mimir-backend'], c.rw.get('mimir-backend')?.replicas ?? 0]]), replicasOverlay([...objectsOf(all, () => 0), ...ingesterObjects], [[J.storeGatewayReplicas, 0]])].join(OVERLAYS_JOIN),
    }, helmReplicas(all, () => 0), 'installing mimir-distributed with every replica at 0 is otelstack\'s derivation (the keys are the chart\'s; no documented procedure does it)'),
    gate: [{ kind: 'manual', description: 'optional: compare the component configuration of both modes' }],
    onFailure: 'fix the configuration before any microservice runs',
    rollback: `set ${J.deploymentMode} back to '${J.modes.readWrite}'`,
  });
  s.add({
    id: 'scale-up-write-microservices',
    title: 'Scale up the ingesters (zone by zone) and the distributors',
    source: derived,
    change: withHelm(c, {
      summary: `ingesters to ${msReplicas('ingester')} (${ingesterSplit.join(' / ')} per zone), distributors to ${msReplicas('distributor')}`,
      jsonnet: replicasOverlay([...zones.map((_, i) => [J.ingesterZoneObject(J.zoneLetters[i] ?? String(i)), 'statefulSet', ingesterSplit[i] ?? 0] as const), ...objectsOf(['distributor'], msReplicas)]),
    }, helmReplicas(['ingester', 'distributor'], msReplicas)),
    gate: [{ kind: 'manual', description: 'the ingesters joined the ingester ring and the distributors are ready' }],
    onFailure: 'keep writes on mimir-write; scale the write microservices back to 0 (ingesters with the shutdown procedure)',
    rollback: 'ingesters and distributors back to 0',
  }, { ingester: msReplicas('ingester'), distributor: msReplicas('distributor') });
  s.add({
    id: 'route-writes',
    title: 'Route write requests to the distributors',
    source: derived,
    change: { summary: 'configure the load balancer to route write requests to the distributors', actions: ['route write requests at the load balancer to the distributors'] },
    gate: [promql('mimir-write no longer receives write requests', 'write-idle', 'zero')],
    onFailure: 'some writers still reach mimir-write: re-route them; do not scale mimir-write down',
    rollback: 'route write requests back to mimir-write',
  });
  s.add({
    id: 'scale-down-write',
    title: 'Shut down mimir-write (after the head compaction, zone by zone)',
    source: derived,
    change: withHelm(c, {
      summary: `wait ${M.headCompactionWait.what}, then follow ${M.ingesterShutdown} in each mimir-write zone and scale mimir-write to 0`,
      jsonnet: configOverlay([[J.replicas['mimir-write'], 0]]),
      actions: ['the ingester shutdown procedure in each mimir-write zone'],
    }, [], rwGap(c)),
    gate: [{ kind: 'wait', seconds: M.headCompactionWait.seconds, description: `wait ${M.headCompactionWait.what} before the shutdown` }, { kind: 'wait', description: `wait ${M.ingesterShutdownWait}, per zone` }],
    onFailure: 'stop: scale the zone back up and repeat the shutdown procedure',
    rollback: `${J.replicas['mimir-write']} back to ${c.rw.get('mimir-write')?.replicas ?? 0}`,
  }, { 'mimir-write': 0 });
  const backend = ['query-scheduler', 'store-gateway', 'compactor', 'ruler', 'overrides-exporter'].filter((x) => c.ms.has(x));
  const flag = M.storeGatewayUnregisterFlag;
  s.add({
    id: 'scale-up-backend-microservices',
    title: 'Scale up the backend microservices',
    source: derived,
    change: withHelm(c, {
      summary: `${backend.map((x) => `${x} ${msReplicas(x)}`).join(', ')}; mimir-backend's store-gateway now leaves the ring on shutdown`,
      jsonnet: [`{\n  ${J.backendArgs}+:: {\n    '${flag}': true,\n  },\n\n  ${J.storeGatewayArgs}+:: {\n    '${flag}': false,\n  },\n}`, replicasOverlay(objectsOf(backend, msReplicas), c.ms.has('store-gateway') ? [[J.storeGatewayReplicas, msReplicas('store-gateway')]] : [])].join(OVERLAYS_JOIN),
    }, helmReplicas(backend, msReplicas)),
    gate: backend.filter((r) => (M.rings as readonly string[]).includes(r)).map(ringBoth),
    onFailure: 'keep the backend endpoints on mimir-backend; scale the backend microservices back to 0',
    rollback: 'backend microservices back to 0',
  }, Object.fromEntries(backend.map((x) => [x, msReplicas(x)])));
  s.add({
    id: 'route-backend',
    title: 'Route the compactor and ruler endpoints to the microservices',
    source: derived,
    change: { summary: 'configure the load balancer to route the compactor and ruler endpoints to the microservices', actions: ['route the compactor and ruler endpoints to the microservices'] },
    gate: [{ kind: 'manual', description: 'the ruler and compactor APIs answer through the microservices' }],
    onFailure: 'route them back to mimir-backend',
    rollback: 'route the compactor and ruler endpoints back to mimir-backend',
  });
  s.add({
    id: 'scale-down-backend',
    title: 'Scale down mimir-backend',
    source: derived,
    change: withHelm(c, { summary: 'mimir-backend to 0', jsonnet: configOverlay([[J.replicas['mimir-backend'], 0]]) }, [], rwGap(c)),
    gate: M.rings.filter((r) => c.ms.has(r)).map((r) => ringLeft(r, 'mimir-backend')),
    onFailure: 'forget the left-over mimir-backend instances from the ring once their pods are gone',
    rollback: `${J.replicas['mimir-backend']} back to ${c.rw.get('mimir-backend')?.replicas ?? 0}`,
  }, { 'mimir-backend': 0 });
  const readMs = ['querier', 'query-frontend'].filter((x) => c.ms.has(x));
  s.add({
    id: 'scale-up-read-microservices',
    title: 'Scale up the queriers and query-frontends',
    source: derived,
    change: withHelm(c, { summary: readMs.map((x) => `${x} ${msReplicas(x)}`).join(', '), jsonnet: replicasOverlay(objectsOf(readMs, msReplicas)) }, helmReplicas(readMs, msReplicas)),
    gate: [promql('the microservice queriers are running queries', 'querier-serving', 'nonzero')],
    onFailure: 'keep reads on mimir-read; scale the read microservices back to 0',
    rollback: 'queriers and query-frontends back to 0',
  }, Object.fromEntries(readMs.map((x) => [x, msReplicas(x)])));
  s.add({
    id: 'route-reads',
    title: 'Route read requests to the query-frontend',
    source: derived,
    change: { summary: 'configure the load balancer to route read requests to the query-frontend', actions: ['route read requests at the load balancer to the query-frontend'] },
    gate: [promql("mimir-read's query-frontend no longer gets requests", 'read-frontend-idle', 'zero')],
    onFailure: 'some reads still reach mimir-read: re-route them; do not scale mimir-read down',
    rollback: 'route read requests back to mimir-read',
  });
  s.add({
    id: 'cleanup',
    title: `Final cleanup: scale mimir-read to 0, deployment_mode '${J.modes.microservices}'`,
    source: derived,
    change: withHelm(c, {
      summary: 'the read-write objects are removed; remove the scaling overlays of the steps above',
      jsonnet: [configOverlay([[J.replicas['mimir-read'], 0]]), configOverlay([[J.deploymentMode, J.modes.microservices]])].join(OVERLAYS_JOIN),
      actions: [`release the volumes of mimir-write and mimir-backend: kubectl get pvc -n ${from.env.namespace} --no-headers | grep -E '(mimir-write|mimir-backend)' | awk '{print $1}'`],
    }, [], rwGap(c)),
    gate: [],
    onFailure: 'nothing to check: the migration is complete',
    rollback: 'none: from here on, going back is the forward runbook',
  }, Object.fromEntries([...c.rw.keys()].map((k) => [k, 0])));
  // chart workloads (gateway, rollout-operator) run from the first step on: the chart is installed then
  for (const st of s.steps) for (const k of c.chart) st.replicas[k] = to.components.find((x) => x.engine === 'mimir' && x.component === k)!.replicas;

  return {
    id: M.reverseId,
    title: 'Mimir read-write → microservices (derived: the documented steps mirrored)',
    engine: 'mimir',
    signal: 'metrics',
    from: 'read-write',
    to: 'microservices',
    source: `${M.source}; mirrored`,
    notes: [
      M.experimental,
      M.reverse,
      M.reverseRuler,
      ...(c.kubernetes ? [`Helm: ${c.objects ? M.helmObjects : M.helmGap}`, helmKeysNote(to)] : []),
      ...(c.objects ? [objectsNote(c.objects), 'the read-write objects of each step assume the read-write components run as those objects beside the release (as the forward runbook leaves them); the release is installed with its microservices at 0 in step 1'] : []),
      RING_NOTE,
    ],
    steps: s.steps,
    ...(c.objects ? { readWriteObjects: c.objects } : {}),
  };
}
