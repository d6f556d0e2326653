/**
 * "Loki single → simple-scalable / microservices" (seed 002 "Migration Path" Phase 2: "Loki single → Loki
 * microservices"), on Kubernetes with the loki chart. Loki's deployment modes share everything a migration needs to
 * keep: one object store and schema_config, and the rings on memberlist — so the new mode's targets join the old
 * ones' rings and read the same chunks. The loki chart (catalog LOKI_MODES_MIGRATION, verified at loki-7.0.0) runs
 * two neighbouring modes side by side in its transitional deploymentMode values, SingleBinary<->SimpleScalable and
 * SimpleScalable<->Distributed, and has none between SingleBinary and Distributed (validate.yaml refuses the mix):
 * monolithic → microservices goes through simple-scalable — two hops in one runbook, the intermediate
 * simple-scalable sized from the target's ingesters / queriers / index gateways (derived).
 * Each hop:
 *  1. the new mode's targets beside the old (the transitional mode; the chart's gateway still routes everything to
 *     the old mode); gate: the ingester ring holds both kinds ACTIVE, the new ingesters hold streams;
 *  2. writes move to the new write path (routing in front of the chart's gateway, or the collectors' Loki exporter);
 *     gate: Loki's own metrics — the new distributors receive lines, the old ones none;
 *  3. reads move to the new read path; gate: a LogQL query answers there, the new queriers serve queries;
 *  4. the old ingesters flush and leave the ring, one at a time (POST /ingester/shutdown, terminate=false);
 *     gate: no old instance in the ingester ring;
 *  5. the target deploymentMode: the chart removes the old targets, its gateway routes to the new mode (the routing
 *     of steps 2–3 can go);
 * then the PVCs the old StatefulSets left are listed for release.
 * Compose and VMs are refused: otelstack runs Loki there as one monolithic process only.
 */
import { LOKI_TARGET_KEYS } from '../../catalog/charts/loki.js';
import { LOKI_DEPLOYMENT_MODE } from '../../catalog/loki.js';
import { LOKI_MODES_MIGRATION as L } from '../../catalog/migrations.js';
import type { Mode, Stack } from '../../model/schema.js';
import { renderKubernetes } from '../../render/kubernetes/index.js';
import { renderTopology } from '../../render/topology.js';
import { expand } from '../../topology/expand.js';
import type { TopoComponent, Topology } from '../../topology/types.js';
import { parse } from 'yaml';
import { promql } from './gates.js';
import { Steps, type Difference, type HelmChange, type Runbook } from './types.js';

export const LOKI_MODES_RUNBOOK = 'loki-modes';

type Values = Record<string, unknown>;
type ChartMode = (typeof LOKI_DEPLOYMENT_MODE)[keyof typeof LOKI_DEPLOYMENT_MODE];

/** Why the runbook does not apply (undefined: it does). */
export function lokiModesRefusal(from: Topology, to: Topology): string | undefined {
  const a = from.engines.find((e) => e.signal === 'logs');
  const b = to.engines.find((e) => e.signal === 'logs');
  if (a?.engine !== 'loki' || b?.engine !== 'loki') return 'not a change of Loki\'s deployment mode';
  const order: Mode[] = ['monolithic', 'simple-scalable', 'microservices'];
  if (order.indexOf(b.mode) <= order.indexOf(a.mode)) return `the Loki runbook goes from a smaller mode to a larger one (monolithic → simple-scalable → microservices); ${a.mode} → ${b.mode} is not covered`;
  if (from.env.target !== 'kubernetes') return `the Loki mode runbook covers Kubernetes environments (the loki chart's transitional deployment modes); on ${from.env.target} otelstack runs Loki as one monolithic process only, so ${b.mode} cannot be rendered for ${from.env.name}`;
  if (!a.managed || !b.managed) return 'the Loki mode runbook needs Loki deployed by otelstack (managed) in both definitions';
  return undefined;
}

/** The differences the runbook makes: the logs engine's mode, zones and replication, Loki's components. */
export function lokiModesCovers(d: Difference): boolean {
  return (d.subject === 'logs' && ['mode', 'zoneAware', 'replicationFactor'].includes(d.what)) || d.subject.startsWith('loki/');
}

/** The environment's rendered loki chart values. */
function valuesOf(stack: Stack, env: string): Values {
  const files = renderKubernetes({ stack, topology: renderTopology(stack, env) }).files;
  const text = files.get(`kubernetes/${env}/values/loki.yaml`);
  if (!text) throw new Error(`the definition renders no loki values for ${env}`);
  return (parse(text) ?? {}) as Values;
}

/**
 * The intermediate simple-scalable definition of monolithic → microservices (derived: the chart has no direct
 * transition): write sized like the target's ingesters, read like its queriers, backend like its index gateways;
 * the caches as the target has them; no zones (the simple-scalable write target has no zone-aware StatefulSets).
 */
export function intermediateStack(to: Stack, env: string): Stack {
  const s = structuredClone(to);
  const logs = s.signals.logs!;
  const se = logs.environments[env]!;
  const c = se.components ?? {};
  const pick = (name: string) => (c[name] ? { ...c[name] } : undefined);
  const components: NonNullable<typeof se.components> = {};
  const write = pick('ingester');
  const read = pick('querier');
  const backend = pick('index-gateway');
  if (write) components['write'] = { ...write, autoscaling: undefined };
  if (read) components['read'] = { ...read, storage: undefined, autoscaling: undefined };
  if (backend) components['backend'] = { ...backend, autoscaling: undefined };
  for (const k of ['results-cache', 'chunks-cache']) if (c[k]) components[k] = { ...c[k] };
  for (const o of Object.values(components)) for (const k of Object.keys(o) as Array<keyof typeof o>) if (o[k] === undefined) delete o[k];
  logs.environments[env] = { ...se, mode: 'simple-scalable', zoneAware: false, components };
  return s;
}


interface Hop {
  fromMode: Mode;
  toMode: Mode;
  /** rendered values at the hop's start and end */
  running: Values;
  end: Values;
  /** Loki components before and after the hop */
  before: TopoComponent[];
  after: TopoComponent[];
}

function hopSteps(s: Steps, h: Hop, t: Topology, tag: string | undefined): void {
  const fromChart = LOKI_DEPLOYMENT_MODE[h.fromMode as keyof typeof LOKI_DEPLOYMENT_MODE] as ChartMode;
  const toChart = LOKI_DEPLOYMENT_MODE[h.toMode as keyof typeof LOKI_DEPLOYMENT_MODE] as ChartMode;
  const transition = L.transitions[`${h.fromMode}>${h.toMode}`]!;
  const release = t.engines.find((e) => e.signal === 'logs')!.release;
  const ns = t.env.namespace;
  const fill = (x: string) => x.replace(/\{release\}/g, release);
  const oldM = L.modes[fromChart]!;
  const newM = L.modes[toChart]!;
  const svc = (name: string) => `http://${fill(name)}.${ns}.svc.cluster.local:${L.httpPort}`;
  const oldKeys = new Set(Object.values(LOKI_TARGET_KEYS[fromChart] ?? {}));
  const newKeys = Object.values(LOKI_TARGET_KEYS[toChart] ?? {});
  const id = (x: string) => (tag ? `${tag}-${x}` : x);
  const hopName = `${h.fromMode} → ${h.toMode}`;
  const src = `Loki's deployment modes share object storage, schema and the memberlist rings; ${L.chart} values.yaml / templates/_helpers.tpl: deploymentMode ${transition}`;
  const w = L.rateWindow;
  const m = L.metrics;

  // 1. the new targets beside the old: every top-level value the end state changes, but the old targets' blocks
  const alongside: HelmChange[] = [{ key: L.deploymentMode, value: transition, verified: true }];
  for (const k of Object.keys(h.end).sort()) {
    if (k === L.deploymentMode || oldKeys.has(k)) continue;
    if (JSON.stringify(h.end[k]) !== JSON.stringify(h.running[k])) alongside.push({ key: k, value: h.end[k] as HelmChange['value'], verified: true });
  }
  const newReplicas = Object.fromEntries(h.after.map((c) => [c.component, c.replicas]));
  s.add(
    {
      id: id('alongside'),
      title: `Deploy Loki ${h.toMode} beside ${h.fromMode} (deploymentMode ${transition})`,
      source: src,
      change: {
        summary: `the chart's transitional mode runs both: ${h.after.filter((c) => !h.before.some((b) => b.component === c.component)).map((c) => `${c.component} ×${c.replicas}`).join(', ')} join the ${h.fromMode} targets' rings on the same object storage and schema; the chart's gateway still routes every request to ${h.fromMode}`,
        helm: alongside,
        helmChart: L.chart,
        actions: ['commit the step\'s values/loki.yaml (or applications/loki.yaml) and let ArgoCD sync the loki Application (or helm upgrade with it)'],
      },
      gate: [
        { kind: 'ring', ring: L.ringName, page: L.ringPage, expect: 'both', newInstance: fill(newM.ingesters), kinds: { old: h.fromMode, new: h.toMode }, description: `the ingester ring (${L.ringPage}) holds ACTIVE ${h.fromMode} and ${h.toMode} ingesters` },
        promql(`the ${h.toMode} ingesters hold streams (the ${h.fromMode} distributors replicate to them through the shared ring)`, `sum by (pod) (${m.memoryStreams}{pod=~"${fill(newM.ingesterPods)}"})`, 'nonzero'),
      ],
      onFailure: `check that the new pods are Ready and joined memberlist (GET /memberlist on any pod); the ${h.fromMode} targets still serve everything`,
      rollback: `commit the previous values/loki.yaml (deploymentMode ${fromChart}): the chart removes the new targets; their PVCs stay to be released`,
    },
    newReplicas,
  );

  s.add(
    {
      id: id('writes'),
      title: `Move writes to the ${h.toMode} write path (${fill(newM.writeService)})`,
      source: `derived (Loki: writes move first, then reads); the chart's gateway routes to the older mode until step ${s.steps.length + 4}`,
      change: {
        summary: `the push paths (${L.pushPaths.join(', ')}) go to ${svc(newM.writeService)} instead of the ${h.fromMode} distributors`,
        actions: [
          `route ${L.pushPaths.join(' and ')} to ${svc(newM.writeService)} at the ingress / load balancer in front of ${fill('{release}')}-gateway, or point the collectors' Loki exporter at ${svc(newM.writeService)}/otlp`,
        ],
      },
      gate: [
        promql(`the ${h.toMode} distributors receive lines`, `sum by (pod) (rate(${m.linesReceived}{pod=~"${fill(newM.distributors)}"}[${w}]))`, 'nonzero'),
        promql(`the ${h.fromMode} distributors receive none`, `sum by (pod) (rate(${m.linesReceived}{pod=~"${fill(oldM.distributors)}"}[${w}]))`, 'zero'),
      ],
      onFailure: `route the push paths back to the gateway (the ${h.fromMode} distributors); nothing is lost: both kinds of ingesters are in the ring`,
      rollback: 'route the push paths back to the chart\'s gateway',
    },
    {},
  );

  s.add(
    {
      id: id('reads'),
      title: `Move reads to the ${h.toMode} read path (${fill(newM.readService)})`,
      source: 'derived (Loki: reads move after writes)',
      change: {
        summary: `the query paths (${L.queryPaths.join(', ')}) and Grafana's Loki datasource go to ${svc(newM.readService)}`,
        actions: [`route the query paths to ${svc(newM.readService)} at the ingress / load balancer in front of ${fill('{release}')}-gateway`],
      },
      gate: [
        { kind: 'logql', description: `a LogQL query answers on the ${h.toMode} read path (--loki-url ${svc(newM.readService)})`, query: L.readQuery, windowSeconds: 300 },
        promql(`the ${h.toMode} queriers serve queries`, `sum by (pod) (rate(${m.requests}{pod=~"${fill(newM.queriers)}", route=~"${L.queryRoutes}"}[${w}]))`, 'nonzero'),
        promql(`the ${h.fromMode} targets serve no queries`, `sum by (pod) (rate(${m.requests}{pod=~"${fill(oldM.queriers)}", route=~"${L.queryRoutes}"}[${w}]))`, 'zero'),
      ],
      onFailure: 'route the query paths back to the gateway',
      rollback: 'route the query paths back to the chart\'s gateway',
    },
    {},
  );

  const oldIngesters = h.before.filter((c) => oldKeys.has(LOKI_TARGET_KEYS[fromChart]?.[c.component] ?? '') && c.stateful && (c.component === 'loki' || c.component === 'write'));
  const pods = oldIngesters.flatMap((c) => Array.from({ length: c.replicas }, (_, i) => c.component === 'loki' ? `${release}-${i}` : `${release}-${c.component}-${i}`));
  s.add(
    {
      id: id('leave-ring'),
      title: `The ${h.fromMode} ingesters flush and leave the ring, one at a time`,
      source: `grafana/loki v3.6.3 POST ${L.shutdown.path} (flush, delete_ring_tokens, terminate)`,
      change: {
        summary: `each ${h.fromMode} ingester (${pods.join(', ')}) flushes its chunks to object storage and leaves the ingester ring without stopping; the next only after the ring no longer lists it (the replication factor holds on the ${h.toMode} ingesters)`,
        // the Loki image has no shell or HTTP client (catalog loki.imageTools): through a port-forward
        actions: pods.map((p) => `kubectl -n ${ns} port-forward pod/${p} ${L.httpPort}:${L.httpPort} & curl -fsS -X POST 'http://127.0.0.1:${L.httpPort}${L.shutdown.path}?${L.shutdown.params}'; then wait until ${L.ringPage} no longer lists ${p}`),
      },
      gate: [{ kind: 'ring', ring: L.ringName, page: L.ringPage, expect: 'left', newInstance: fill(newM.ingesters), kinds: { old: h.fromMode, new: h.toMode }, description: `no ${h.fromMode} ingester is left in the ingester ring` }],
      onFailure: `an ingester that does not leave: read its log (flush errors are object-storage errors); restarting the pod puts it back in the ring`,
      rollback: `restart the ${h.fromMode} pods (kubectl delete pod): they join the ring again`,
    },
    {},
  );

  const retire: HelmChange[] = [{ key: L.deploymentMode, value: toChart, verified: true }, ...[...oldKeys].filter((k) => !newKeys.includes(k)).sort().map((k) => ({ key: `${k}.replicas`, value: 0, verified: true }))];
  s.add(
    {
      id: id('retire'),
      title: `deploymentMode ${toChart}: the ${h.fromMode} targets go`,
      source: `${L.chart}: deploymentMode ${toChart}`,
      change: {
        summary: `the chart removes the ${h.fromMode} targets and its gateway routes to the ${h.toMode} ones: the routing of the two previous steps can go back to the gateway`,
        helm: retire,
        helmChart: L.chart,
        actions: ['commit the step\'s values/loki.yaml and sync', `route the push and query paths back to ${fill('{release}')}-gateway`],
      },
      gate: [
        promql(`the ${h.toMode} distributors receive lines through the gateway`, `sum by (pod) (rate(${m.linesReceived}{pod=~"${fill(newM.distributors)}"}[${w}]))`, 'nonzero'),
        { kind: 'logql', description: `a LogQL query answers through the gateway (--loki-url ${svc('{release}-gateway').replace(`:${L.httpPort}`, '')})`, query: L.readQuery, windowSeconds: 300 },
      ],
      onFailure: `commit the previous values (deploymentMode ${transition}) to bring the ${h.fromMode} targets back`,
      rollback: `deploymentMode ${transition} with the ${h.fromMode} replicas of the running definition`,
    },
    Object.fromEntries(h.before.filter((c) => !h.after.some((a) => a.component === c.component)).map((c) => [c.component, 0])),
  );
}

export function lokiModes(from: Topology, to: Topology, stacks: { from: Stack; to: Stack }): Runbook {
  const env = to.env.name;
  const a = from.engines.find((e) => e.signal === 'logs')!;
  const b = to.engines.find((e) => e.signal === 'logs')!;
  const lokiOf = (t: Topology) => t.components.filter((c) => c.engine === 'loki' && c.budgeted);
  const hops: Hop[] = [];
  const extra: TopoComponent[] = [];
  if (a.mode === 'monolithic' && b.mode === 'microservices') {
    const mid = intermediateStack(stacks.to, env);
    const midT = expand(mid, env);
    const midV = valuesOf(mid, env);
    hops.push({ fromMode: 'monolithic', toMode: 'simple-scalable', running: valuesOf(stacks.from, env), end: midV, before: lokiOf(from), after: lokiOf(midT) });
    hops.push({ fromMode: 'simple-scalable', toMode: 'microservices', running: midV, end: valuesOf(stacks.to, env), before: lokiOf(midT), after: lokiOf(to) });
    extra.push(...lokiOf(midT).filter((c) => !lokiOf(to).some((x) => x.component === c.component)));
  } else {
    hops.push({ fromMode: a.mode, toMode: b.mode, running: valuesOf(stacks.from, env), end: valuesOf(stacks.to, env), before: lokiOf(from), after: lokiOf(to) });
  }
  const all = [...new Set(hops.flatMap((h) => [...h.before, ...h.after].map((c) => c.component)))];
  const s = new Steps(Object.fromEntries(all.map((c) => [c, lokiOf(from).find((x) => x.component === c)?.replicas ?? 0])));
  for (const h of hops) hopSteps(s, h, to, hops.length > 1 ? h.toMode : undefined);

  const pvcs = hops.map((h) => L.pvcs[LOKI_DEPLOYMENT_MODE[h.fromMode as keyof typeof LOKI_DEPLOYMENT_MODE]]).filter((x): x is string => x !== undefined).map((p) => p.replace(/\{release\}/g, a.release));
  s.add(
    {
      id: 'cleanup',
      title: 'Release the volumes the old targets left',
      source: 'derived: Kubernetes keeps a StatefulSet\'s PVCs when it is removed',
      change: {
        summary: `the PVCs of the removed StatefulSets (${pvcs.map((p) => `${p}*`).join(', ')}) hold only what is already in object storage (flushed at the leave-ring steps)`,
        actions: [`kubectl -n ${to.env.namespace} get pvc -o name | grep -E '${pvcs.map((p) => `persistentvolumeclaim/${p}`).join('|')}' — review, then kubectl delete them`],
      },
      gate: [],
      onFailure: 'nothing depends on them any more',
      rollback: 'none once deleted',
    },
    {},
  );

  return {
    id: LOKI_MODES_RUNBOOK,
    title: `Loki ${a.mode} → ${b.mode}${hops.length > 1 ? ' (through simple-scalable)' : ''}`,
    engine: 'loki',
    signal: 'logs',
    from: a.mode,
    to: b.mode,
    source: `seed 002 "Migration Path" Phase 2 (Loki single → Loki microservices); issue 10 runbook 5; ${L.chart} transitional deployment modes; the order of writes, reads and the ring is derived`,
    notes: [
      'Loki\'s modes share the object storage, the schema and the memberlist rings: the new targets join the old ones\' rings and read the same chunks',
      ...(hops.length > 1 ? ['the loki chart has no transition between SingleBinary and Distributed (validate.yaml refuses the mix): the runbook goes through simple-scalable, sized from the target\'s ingesters (write), queriers (read) and index gateways (backend) — derived'] : []),
      `the steps' values/loki.yaml are the running definition's rendered values with the Helm changes of every step up to it (render --step N)`,
      'gates: PromQL on Loki\'s own metrics through --prometheus-url, the ingester ring through --ring-url (any Loki pod\'s HTTP port), LogQL on the new read path through --loki-url',
    ],
    steps: s.steps,
    ...(extra.length ? { extraComponents: extra.map((c) => ({ component: c.component, perReplica: c.perReplica })) } : {}),
  };
}
