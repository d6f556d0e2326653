/**
 * The signals: for each signal the environment has, its engine deployment (version line, mode, chart, replication,
 * zones, Kafka ingest topic, endpoints, tenant, datasource), its components when otelstack manages it, and its
 * buckets. Components are in the catalog's order within each engine.
 */
import { engine as engineFacts, versionLine } from '../../catalog/index.js';
import { METRICS_GENERATOR_SETUP } from '../../catalog/metrics.js';
import type { EngineFacts } from '../../catalog/types.js';
import { SIGNALS } from '../../model/schema.js';
import { resources, type TopologyTransform } from '../resources.js';
import type { Bucket, EngineDeployment, TopoComponent } from '../types.js';

export const DEFAULT_ZONES = ['zone-a', 'zone-b', 'zone-c'];

function fill(template: string, vars: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);
}

export const expandSignals: TopologyTransform = (t, { stack, env, memoryLimitRequired }) => {
  const components: TopoComponent[] = [...t.components];
  const engines: EngineDeployment[] = [...t.engines];
  const buckets: Bucket[] = [...t.buckets];
  for (const signal of SIGNALS) {
    const sig = stack.signals[signal];
    const se = sig?.environments[env.name];
    if (!sig || !se) continue;
    const facts = engineFacts(sig.engine) as EngineFacts;
    const line = versionLine(facts, sig.version)!;
    const mode = line.modes[se.mode]!;
    const base = `signals.${signal}.environments.${env.name}`;
    const phase = se.phase ?? sig.phase;
    const release = facts.id;
    const overrides = se.components ?? {};

    // Required components of the mode, plus optional ones and any other the definition names (unknown ones are
    // kept, marked known: false, so the plan can report them while the totals still add up what was written).
    // spanMetrics: Tempo's metrics-generator, a component of its own where the mode has one (microservices)
    const generator = facts.id === 'tempo' && se.spanMetrics === true ? METRICS_GENERATOR_SETUP.component : undefined;
    const names = [
      ...mode.components.filter((c) => !c.optional || overrides[c.name] !== undefined || c.name === generator).map((c) => c.name),
      ...Object.keys(overrides).filter((n) => !mode.components.some((c) => c.name === n)).sort(),
    ];
    if (sig.managed) {
      for (const name of names) {
        const cf = mode.components.find((c) => c.name === name);
        const o = overrides[name];
        components.push({
          engine: facts.id,
          component: name,
          phase,
          replicas: o?.replicas ?? (cf ? (env.ha ? cf.replicas.ha : cf.replicas.single) : 1),
          path: cf?.path ?? 'read',
          stateful: cf?.stateful ?? false,
          replicated: cf?.replicated ?? false,
          singleton: cf?.singleton ?? false,
          known: cf !== undefined,
          budgeted: true,
          ...(cf?.runs ? { runs: cf.runs } : {}),
          perReplica: resources(cf, o, memoryLimitRequired(name, cf?.runs)),
          definitionPath: o ? `${base}.components.${name}` : base,
        });
      }
    }

    let replicationFactor: number | undefined;
    // The replicated component: the one the version names (ingester), else the mode's replicated monolith.
    const rc = line.replicationFactor
      ? (components.find((c) => c.engine === facts.id && c.component === line.replicationFactor!.component) ??
        components.find((c) => c.engine === facts.id && c.replicated))
      : undefined;
    if (line.replicationFactor && rc) {
      replicationFactor = se.replicationFactor ?? Math.min(line.replicationFactor.default, rc.replicas);
    } else if (se.replicationFactor !== undefined) {
      replicationFactor = se.replicationFactor;
    }
    const zoneAware = se.zoneAware ?? (env.ha && replicationFactor !== undefined && replicationFactor > 1);
    const zones = zoneAware ? (env.zones ?? DEFAULT_ZONES).slice(0, Math.max(replicationFactor ?? 1, 1)) : [];

    // Kafka ingest storage: the topic and its partitions (one per partition consumer); the cluster is transforms/kafka.ts
    const usesKafka = mode.kafka === 'required' || (mode.kafka === 'default-on' && se.ingestStorage !== false);
    let kafka: EngineDeployment['kafka'];
    if (usesKafka) {
      const consumers = (line.partitionConsumers ?? []).map((n) => components.find((c) => c.engine === facts.id && c.component === n)?.replicas ?? 0);
      const partitions = se.kafka?.partitions ?? (consumers.length ? Math.max(...consumers) : 1);
      kafka = { topic: se.kafka?.topic ?? line.ingestTopic ?? `${facts.id}-ingest`, partitions };
    }

    const vars = { Engine: facts.title, engine: facts.id, env: env.name, stack: stack.name, signal };
    engines.push({
      signal,
      engine: facts.id,
      title: facts.title,
      version: sig.version ?? facts.pinned,
      versionLine: line.line,
      documented: line.documented,
      mode: se.mode,
      managed: sig.managed,
      phase,
      chart: mode.chart,
      release,
      ...(replicationFactor !== undefined ? { replicationFactor } : {}),
      zoneAware,
      zones,
      ...(kafka ? { kafka } : {}),
      endpoints: facts.endpoints?.({ target: env.target, namespace: env.namespace, release, mode: se.mode }) ?? {},
      ...(se.tenant ? { tenant: se.tenant } : {}),
      ...(facts.datasourceType
        ? { datasource: { name: fill(stack.grafana.datasourceName, vars), uid: fill(stack.grafana.datasourceUid, vars), type: facts.datasourceType } }
        : {}),
      definitionPath: base,
    });

    if (sig.managed) {
      for (const b of facts.buckets) {
        const explicit = se.buckets?.[b.purpose];
        buckets.push({
          name: explicit ?? fill(stack.conventions.bucket, { ...vars, purpose: b.purpose }),
          engine: facts.id,
          signal,
          purpose: b.purpose,
          objectStorage: env.objectStorage,
          ...(b.usedBy ? { usedBy: b.usedBy } : {}),
          phase,
          definitionPath: explicit ? `${base}.buckets.${b.purpose}` : 'conventions.bucket',
          explicit: explicit !== undefined,
        });
      }
      for (const purpose of Object.keys(se.buckets ?? {}).filter((p) => !facts.buckets.some((b) => b.purpose === p)).sort()) {
        buckets.push({ name: se.buckets![purpose]!, engine: facts.id, signal, purpose, objectStorage: env.objectStorage, phase, definitionPath: `${base}.buckets.${purpose}`, explicit: true });
      }
    }
  }
  return { ...t, engines, components, buckets };
};
