import { chartFacts } from '../../catalog/charts/index.js';
import { CATALOG } from '../../catalog/index.js';
import type { Stack } from '../../model/schema.js';
import type { TopoComponent, Topology } from '../../topology/types.js';
import type { Finding, Rule } from '../findings.js';

type Report = (severity: Finding['severity'], message: string, suggestion: string) => void;

/**
 * A collector pool's autoscaling on Kubernetes: the gateway on CPU through a HorizontalPodAutoscaler (the alloy
 * chart's controller.autoscaling.horizontal, or the one rendered beside otelstack's OTel Collector Deployment); a
 * Kafka-fed processor pool on consumer lag (seed 002 "Consumer lag → auto-scaling") through a KEDA ScaledObject,
 * where the environment says its cluster runs KEDA (environments[].keda).
 */
function collectorPool(stack: Stack, t: Topology, c: TopoComponent, f: Report): void {
  const ing = stack.ingestion!;
  const a = c.autoscaling!;
  const pools = ing.environments[t.env.name];
  if (t.env.target !== 'kubernetes') {
    f('warning', `${t.env.name} is a ${t.env.target} environment: nothing autoscales there, the ${c.component} pool runs ${a.max} replicas`, `remove ${c.component}.autoscaling, or set ${c.component}.replicas`);
    return;
  }
  if (ing.shared) {
    f('error', `the ${c.component} is the shared ${ing.collector} (ingestion.shared: true), deployed elsewhere: otelstack renders its configuration, not its pods, so it cannot autoscale it`, `remove ${c.component}.autoscaling, or set ingestion.shared: false so otelstack deploys the pools`);
    return;
  }
  if (c.component === 'processor') {
    if (ing.collector !== 'otelcol') {
      f('error', `the processor pool (${t.env.name}) reads Kafka and scales on consumer lag (seed 002) through a KEDA ScaledObject, and otelstack deploys a processor pool on Kubernetes for the OTel Collector only (the kubernetes-kafka-buffer rule says why)`, 'use ingestion.collector: otelcol, or remove processor.autoscaling');
      return;
    }
    if (!t.env.keda) {
      f('error', `the processor pool (${t.env.name}) reads Kafka: it scales on consumer lag (seed 002), not on CPU, through a KEDA ScaledObject, and ${t.env.name} does not say its cluster runs KEDA`, `set keda: true on environment ${t.env.name} where the cluster runs KEDA 2.x, or remove processor.autoscaling and size processor.replicas to the buffer topics' partitions`);
      return;
    }
    if (t.env.ha && a.min < 2) f('error', `the processor pool (${t.env.name}) may scale down to ${a.min} replica in an HA environment: a rolling update or a lost pod then stops the buffer's consumption`, 'set processor.autoscaling.min: 2');
    if (ing.persistentQueue.enabled) {
      f('warning', `the processor pool (${t.env.name}) keeps persistent queues on a volume per replica: when KEDA removes a pod, what its queue still holds waits on that volume until the pool grows back to it`, 'keep processor.autoscaling.min at the replicas normal load needs; the ScaledObject removes one pod a minute after a 5 min stabilisation window');
    }
    if (pools?.processor?.replicas !== undefined && pools.processor.replicas !== 1) f('warning', `the processor pool (${t.env.name}) gives both replicas (${pools.processor.replicas}) and autoscaling (${a.min}–${a.max}): replicas is ignored, the plan budgets ${a.max}`, 'drop processor.replicas');
    return;
  }
  if (a.targetLag !== undefined) f('warning', `targetLag applies to a Kafka-fed processor pool only: the gateway pool (${t.env.name}) scales on CPU / memory, targetLag is ignored`, 'remove gateway.autoscaling.targetLag');
  if (pools?.controller === 'daemonset') {
    f('error', 'the gateway runs as a DaemonSet (one pod per node): a HorizontalPodAutoscaler cannot scale it', 'use controller: deployment, or remove gateway.autoscaling');
    return;
  }
  if (t.env.ha && a.min < 2) f('error', `the gateway pool (${t.env.name}) may scale down to ${a.min} replica in an HA environment: a rolling update or a lost pod then stops ingestion`, 'set gateway.autoscaling.min: 2');
  if (ing.persistentQueue.enabled) {
    f('warning', `the gateway pool (${t.env.name}) keeps persistent queues on a volume per replica: when the autoscaler removes a pod, what its queue still holds waits on that volume until the pool grows back to it`, 'keep autoscaling.min at the replicas normal load needs, so scale-downs remove only pods that drained; or turn off ingestion.persistentQueue');
  }
  if (pools?.gateway.replicas !== undefined && pools.gateway.replicas !== 1) f('warning', `the gateway pool (${t.env.name}) gives both replicas (${pools.gateway.replicas}) and autoscaling (${a.min}–${a.max}): replicas is ignored, the plan budgets ${a.max}`, 'drop gateway.replicas');
}

/**
 * Components with `autoscaling` (budgeted at max by the topology's autoscaling transform): only stateless ones may
 * scale — a stateful component (WAL, local blocks, ring ownership) or a Kafka partition consumer (replicas = the
 * topic's partitions) is refused; the chart must have HPA values for it (else it runs max replicas, fixed); on
 * compose / VM targets nothing scales; in HA environments min keeps the replicas ha-replicas asks for.
 */
export const autoscaling: Rule = {
  id: 'autoscaling',
  description: 'only stateless components autoscale, through their chart\'s own HorizontalPodAutoscaler values, budgeted at max',
  check({ topologies, stack }) {
    const out: Finding[] = [];
    for (const t of topologies) {
      for (const c of t.components) {
        const a = c.autoscaling;
        if (!a) continue;
        const path = `${c.definitionPath}.autoscaling`;
        const who = `${c.engine} ${c.component} (${t.env.name})`;
        const f = (severity: Finding['severity'], message: string, suggestion: string) => out.push({ severity, rule: this.id, env: t.env.name, path, message, suggestion });
        if (stack.ingestion && c.engine === stack.ingestion.collector) {
          collectorPool(stack, t, c, f);
          continue;
        }
        if (a.targetLag !== undefined) f('warning', `targetLag applies to a Kafka-fed processor pool only: ${who} scales on CPU / memory, targetLag is ignored`, `remove targetLag from ${c.component}.autoscaling`);
        const e = t.engines.find((x) => x.engine === c.engine);
        const line = e ? CATALOG[e.engine].versions.find((v) => v.line === e.versionLine) : undefined;
        if (c.stateful || c.singleton) {
          f('error', `${who} is ${c.singleton ? 'a singleton' : `stateful (${c.path} path)`}: an autoscaler adding and removing its pods ${c.path === 'write' ? 'moves ring ownership and WAL data on every scale-down, risking writes' : 'drops its local state on every scale-down'}`, `remove autoscaling from ${c.component} and size its replicas; autoscale its stateless neighbours instead`);
          continue;
        }
        if (line?.partitionConsumers?.includes(c.component)) {
          f('error', `${who} consumes one Kafka partition per replica: its replicas must equal the ingest topic's partitions, which an autoscaler cannot follow`, `remove autoscaling from ${c.component}; set replicas (and kafka.partitions) instead`);
          continue;
        }
        const override = e ? stack.signals[e.signal]?.environments[t.env.name]?.components?.[c.component] : undefined;
        if (override?.replicas !== undefined) f('warning', `${who} gives both replicas (${override.replicas}) and autoscaling (${a.min}–${a.max}): replicas is ignored, the plan budgets ${a.max}`, 'drop replicas');
        if (t.env.ha && a.min < 2) {
          f(c.path === 'backend' ? 'warning' : 'error', `${who} may scale down to ${a.min} replica in an HA environment: a rolling update or a lost pod then interrupts the ${c.path} path`, 'set autoscaling.min: 2');
        }
        if (t.env.target !== 'kubernetes') {
          f('warning', `${t.env.name} is a ${t.env.target} environment: nothing autoscales there, ${c.component} runs ${a.max} replicas`, 'remove autoscaling, or set replicas');
          continue;
        }
        if (!e || 'none' in e.chart) continue;
        const facts = chartFacts(e.chart)?.autoscaling;
        if (!facts?.components[c.component]) {
          f(
            'warning',
            `the ${e.chart.name} chart has no autoscaling values otelstack writes for ${c.component}${facts && !facts.verified ? ` (its autoscaling facts are unverified: ${facts.source})` : ''}: ${who} runs ${a.max} replicas, fixed`,
            `remove autoscaling and set replicas, or add a HorizontalPodAutoscaler for ${c.component} by hand`,
          );
        }
      }
    }
    return out;
  },
};
