/**
 * KEDA (Kubernetes Event-driven Autoscaling) 2.x, the facts otelstack renders a Kafka-fed processor pool's
 * ScaledObject from (environments[].keda: the cluster runs KEDA; otelstack does not deploy it).
 * Sources: the KEDA documentation's "Apache Kafka" scaler page (keda.sh/docs/2.x/scalers/apache-kafka: the
 * trigger's metadata keys, lagThreshold default 10, the replica cap at the topic's partitions unless
 * allowIdleConsumers), the ScaledObject specification page (minReplicaCount, maxReplicaCount, pollingInterval 30 s,
 * cooldownPeriod 300 s, advanced.horizontalPodAutoscalerConfig.behavior), and the @kubernetes-models/keda models.
 */

/** The ScaledObject's API (keda.sh/v1alpha1). */
export const KEDA_API_VERSION = 'keda.sh/v1alpha1';

/** The kafka scaler: trigger type and the metadata keys otelstack writes (values are strings in the CRD). */
export const KEDA_KAFKA_TRIGGER = {
  type: 'kafka',
  keys: {
    bootstrapServers: 'bootstrapServers',
    consumerGroup: 'consumerGroup',
    topic: 'topic',
    lagThreshold: 'lagThreshold',
    activationLagThreshold: 'activationLagThreshold',
    offsetResetPolicy: 'offsetResetPolicy',
    allowIdleConsumers: 'allowIdleConsumers',
  },
  /** the scaler's own default target lag per replica (messages) */
  defaultLagThreshold: 10,
} as const;

/**
 * otelstack's default target lag per processor replica, in Kafka messages. A message the gateway writes is one
 * exporter batch (flushed every 200 ms or at the byte batch, src/render/configs/otelcol.ts), so one gateway writes
 * about 5 messages a second per signal: 50 messages behind is about 10 s of one gateway's output, well inside any
 * decision_wait a tail-sampling processor is given. KEDA's own default (10) suits one event per message.
 */
export const PROCESSOR_TARGET_LAG_DEFAULT = 50;

/**
 * The KEDA operator's pods read consumer-group offsets from the brokers: a NetworkPolicy must let them reach
 * Kafka's client port. Labels of the operator pods of the kedacore/charts `keda` chart (2.x rendered manifests:
 * app.kubernetes.io/name: keda-operator); the namespace is the cluster's (KEDA's docs install it in `keda`), so the
 * flow allows them from any namespace. Not checked against a running cluster here (no API server).
 */
export const KEDA_OPERATOR_POD_LABELS: Readonly<Record<string, string>> = { 'app.kubernetes.io/name': 'keda-operator' };
