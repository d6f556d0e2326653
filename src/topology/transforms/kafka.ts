/**
 * Kafka: the topics the environment needs (the engines' ingest topics — Tempo 3 and Mimir 3 ingest storage — then
 * the collectors' OTLP buffer topics) and, where the definition has a Kafka for the environment, the cluster:
 * brokers budgeted when managed, bootstrap list, the one seed address, the KRaft cluster id.
 */
import { createHash } from 'node:crypto';
import { CATALOG } from '../../catalog/index.js';
import { resources, type TopologyTransform } from '../resources.js';
import type { KafkaTopicPlan, TopoComponent } from '../types.js';

export const addKafka: TopologyTransform = (t, { stack, env, memoryLimitRequired }) => {
  const kafkaDef = stack.kafka?.environments[env.name];
  if (!kafkaDef) return t;
  const topics: KafkaTopicPlan[] = [];
  for (const e of t.engines) {
    if (!e.kafka) continue;
    const own = stack.signals[e.signal]?.environments[env.name]?.kafka;
    topics.push({
      name: e.kafka.topic,
      partitions: e.kafka.partitions,
      replication: Math.min(3, kafkaDef.brokers),
      minInSyncReplicas: Math.min(2, kafkaDef.brokers),
      retentionHours: 24,
      owner: e.engine,
      definitionPath: own ? `${e.definitionPath}.kafka` : e.definitionPath,
    });
  }
  topics.push(...(t.ingestion?.topics ?? []));
  const components: TopoComponent[] = [...t.components];
  if (kafkaDef.managed) {
    const cf = CATALOG.kafka.versions[0]!.modes.monolithic!.components[0]!;
    components.push({
      engine: 'kafka',
      component: 'broker',
      phase: kafkaDef.phase,
      replicas: kafkaDef.brokers,
      path: 'write',
      stateful: true,
      replicated: true,
      singleton: false,
      known: true,
      budgeted: true,
      perReplica: resources(cf, kafkaDef, memoryLimitRequired('broker')),
      definitionPath: `kafka.environments.${env.name}`,
    });
  }
  const port = CATALOG.kafka.ports['client'];
  const host = (i: number) => (env.target === 'kubernetes' ? `kafka-${i}.kafka.${env.namespace}.svc.cluster.local` : `kafka-${i}`);
  return {
    ...t,
    components,
    kafka: {
      managed: kafkaDef.managed,
      brokers: kafkaDef.brokers,
      bootstrap: kafkaDef.bootstrap ?? Array.from({ length: kafkaDef.brokers }, (_, i) => `${host(i)}:${port}`).join(','),
      seed: kafkaDef.bootstrap
        ? (kafkaDef.bootstrap.split(',')[0] ?? '').trim()
        : env.target === 'kubernetes'
          ? `kafka.${env.namespace}.svc.cluster.local:${port}`
          : `${host(0)}:${port}`,
      clusterId: kraftClusterId(stack.name, env.name),
      topics,
      definitionPath: `kafka.environments.${env.name}`,
    },
  };
};

/**
 * A KRaft cluster id (16 bytes, base64url — the `kafka-storage random-uuid` format) derived from stack and
 * environment so renders are stable; like Kafka's own ids it never starts with "-", which kafka-storage's argument
 * parser would read as an option.
 */
export function kraftClusterId(stack: string, env: string): string {
  for (let i = 0; ; i++) {
    const id = createHash('sha256').update(`${stack}/${env}/kafka${i ? `/${i}` : ''}`).digest().subarray(0, 16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
