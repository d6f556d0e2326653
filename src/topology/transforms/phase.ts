import type { Stack } from '../../model/schema.js';
import type { Topology } from '../types.js';

/**
 * Rollout phases. The definition marks each signal (or one environment of it) and each Kafka cluster with a phase;
 * the plan shows every phase, while render, render --check and diff emit only what an environment's current phase
 * (environments[].currentPhase, or `--phase N`) has reached: selectPhase below.
 */

/** The highest phase the definition uses anywhere (signals, their environments, Kafka clusters); 1 when none is set. */
export function highestPhase(stack: Stack): number {
  const phases = [1];
  for (const sig of Object.values(stack.signals)) {
    if (!sig) continue;
    phases.push(sig.phase);
    for (const se of Object.values(sig.environments)) if (se.phase !== undefined) phases.push(se.phase);
  }
  for (const k of Object.values(stack.kafka?.environments ?? {})) phases.push(k.phase);
  return Math.max(...phases);
}

/** The phase an environment is in: its currentPhase, else the highest phase the definition uses (everything). */
export function currentPhase(stack: Stack, envName: string): number {
  return stack.environments.find((e) => e.name === envName)?.currentPhase ?? highestPhase(stack);
}

/**
 * The topology as deployed in phase n: components, engines (with their datasources, dashboards and rules, which
 * the renderers derive from the engines), buckets, engine-owned Kafka topics and chart-workload decisions of phases
 * ≤ n. A managed Kafka cluster whose brokers arrive after phase n is left out as a whole; the collectors' buffer
 * topics belong to the collection layer (phase 1) and stay. Pure: returns a new topology, `t` is unchanged.
 */
export function selectPhase(t: Topology, n: number): Topology {
  const engines = t.engines.filter((e) => e.phase <= n);
  const components = t.components.filter((c) => c.phase <= n);
  const buckets = t.buckets.filter((b) => b.phase <= n);
  const droppedEngines = new Set<string>(t.engines.filter((e) => e.phase > n).map((e) => e.engine));
  const keptTopic = (owner: string) => !droppedEngines.has(owner);
  const out: Topology = { ...t, engines, components, buckets };
  if (t.kafka) {
    const broker = t.components.find((c) => c.engine === 'kafka' && c.component === 'broker');
    if (t.kafka.managed && broker && broker.phase > n) delete out.kafka;
    else out.kafka = { ...t.kafka, topics: t.kafka.topics.filter((tp) => keptTopic(tp.owner)) };
  }
  if (t.ingestion) out.ingestion = { ...t.ingestion, topics: t.ingestion.topics.filter((tp) => keptTopic(tp.owner)) };
  if (t.chartWorkloads) out.chartWorkloads = t.chartWorkloads.filter((w) => !droppedEngines.has(w.engine));
  return out;
}
