import { requiredTopics } from '../../topology/expand.js';
import type { Finding, Rule } from '../findings.js';

/**
 * Cross-engine Kafka invariants: an engine version that writes through Kafka has a cluster budgeted; Tempo 3's
 * partitions equal its block-builder and live-store replicas; collector buffer topics never clash with an engine's
 * own ingest topic.
 */
export const kafka: Rule = {
  id: 'kafka',
  description: 'Kafka is budgeted where engines need it, partitions match consumers, topics do not clash',
  check({ topologies }) {
    const out: Finding[] = [];
    for (const t of topologies) {
      const users = t.engines.filter((e) => e.kafka && e.managed);
      const needsBuffer = t.ingestion?.kafkaBuffer ?? false;
      if ((users.length > 0 || needsBuffer) && !t.kafka) {
        for (const e of users) {
          const mimirDefault = e.engine === 'mimir';
          out.push({
            severity: 'error', rule: this.id, env: t.env.name, path: e.definitionPath,
            message: mimirDefault
              ? `Mimir ${e.versionLine}.x with the ${typeof e.chart === 'object' && 'name' in e.chart ? `${e.chart.name} ${e.chart.version}` : ''} chart writes through Kafka (ingest storage is on by default), but ${t.env.name} budgets no Kafka: the chart would deploy its single-node demo Kafka, unbudgeted and not meant for production`
              : `${e.title} ${e.versionLine}.x in ${e.mode} mode writes through Kafka, but ${t.env.name} budgets no Kafka cluster`,
            suggestion: mimirDefault
              ? `add kafka.environments.${t.env.name} (brokers, cpu, memory, storage), or set ingestStorage: false for classic ingesters with a WAL`
              : `add kafka.environments.${t.env.name}, or use monolithic mode (no Kafka)`,
          });
        }
        if (needsBuffer) {
          out.push({ severity: 'error', rule: this.id, env: t.env.name, path: `ingestion.environments.${t.env.name}.kafkaBuffer`, message: `collectors buffer through Kafka in ${t.env.name}, but no Kafka cluster is defined there`, suggestion: `add kafka.environments.${t.env.name}` });
        }
      }
      for (const e of users) {
        if (e.engine !== 'tempo' || !e.kafka) continue;
        for (const name of ['block-builder', 'live-store']) {
          const c = t.components.find((x) => x.engine === 'tempo' && x.component === name);
          if (!c) continue;
          const perZone = name === 'live-store' && e.zoneAware && e.zones.length > 1 ? c.replicas / e.zones.length : c.replicas;
          if (perZone !== e.kafka.partitions) {
            out.push({
              severity: 'error', rule: this.id, env: t.env.name, path: c.definitionPath,
              message: `Tempo ${name} replicas${name === 'live-store' && e.zoneAware ? ' per zone' : ''} (${perZone}) must equal the ${e.kafka.topic} partitions (${e.kafka.partitions}): each partition is consumed by exactly one ${name}`,
              suggestion: `set ${name} replicas to ${e.kafka.partitions}${name === 'live-store' && e.zoneAware ? ` per zone (${e.kafka.partitions * e.zones.length} in all)` : ''}, or kafka.partitions to ${perZone}`,
            });
          }
        }
      }
      const topics = requiredTopics(t);
      const seen = new Map<string, string>();
      for (const tp of topics) {
        const prev = seen.get(tp.name);
        if (prev && prev !== tp.owner) {
          out.push({
            severity: 'error', rule: this.id, env: t.env.name, path: tp.definitionPath,
            message: `Kafka topic "${tp.name}" is used by both ${prev} and ${tp.owner}: an engine's ingest topic carries its own record format and must not receive collector OTLP batches (or another engine's)`,
            suggestion: 'rename the collector buffer topic, e.g. otlp-traces',
          });
        }
        seen.set(tp.name, tp.owner);
        if (t.kafka && tp.replication > t.kafka.brokers) {
          out.push({ severity: 'error', rule: this.id, env: t.env.name, path: tp.definitionPath, message: `topic "${tp.name}" asks for replication ${tp.replication} on ${t.kafka.brokers} broker(s)`, suggestion: `lower replication to ${t.kafka.brokers} or add brokers` });
        }
        if (t.env.ha && tp.minInSyncReplicas >= tp.replication && tp.replication > 1) {
          out.push({ severity: 'warning', rule: this.id, env: t.env.name, path: tp.definitionPath, message: `topic "${tp.name}": min in-sync replicas ${tp.minInSyncReplicas} of ${tp.replication} means one stopped broker blocks acks=all writes`, suggestion: `use minInSyncReplicas: ${tp.replication - 1}` });
        }
      }
    }
    return out;
  },
};
