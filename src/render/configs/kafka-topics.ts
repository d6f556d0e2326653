/**
 * The commands that create a Kafka cluster's topics with the apache/kafka image's own CLI, for every target that
 * creates them in a one-shot container (compose's kafka-init service, the Kubernetes topics Job): idempotent
 * (--if-not-exists), with the partitions, replication, min ISR and retention the topology planned, the replication
 * and min ISR capped at the cluster's broker count (the plan's kafka rule reports the cap).
 */
import { KAFKA_IMAGE_SCRIPTS_DIR } from '../../catalog/kafka.js';
import type { KafkaTopicPlan } from '../../topology/types.js';

export function kafkaTopicCommands(topics: readonly KafkaTopicPlan[], bootstrap: string, brokers: number): string[] {
  return topics.map(
    (tp) =>
      `${KAFKA_IMAGE_SCRIPTS_DIR}/kafka-topics.sh --bootstrap-server ${bootstrap} --create --if-not-exists --topic ${tp.name} --partitions ${tp.partitions} --replication-factor ${Math.min(tp.replication, brokers)} --config min.insync.replicas=${Math.min(tp.minInSyncReplicas, brokers)} --config retention.ms=${tp.retentionHours * 3600 * 1000}`,
  );
}
