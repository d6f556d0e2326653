/**
 * What the two Add Kafka runbooks — compose (add-kafka.ts) and Kubernetes (add-kafka-kubernetes.ts) — share: the
 * runbook's id and header, the wording of the steps both take in the same order (brokers, processors, the end-to-end
 * check), the gates on the collectors' Kafka counters and the replicas the runbook starts from. Each runbook says
 * its steps' changes, actions and rollbacks in its target's own terms.
 */
import { COLLECTOR_METRICS } from '../../catalog/metrics.js';
import type { Topology } from '../../topology/types.js';
import { promql } from './gates.js';
import { Steps, type GateCondition, type Runbook, type Step } from './types.js';

export const ADD_KAFKA_RUNBOOK = 'add-kafka';

/** The collector's own counters (catalog COLLECTOR_METRICS: otelcol's pull exposition, no _total suffix). */
const OTEL = COLLECTOR_METRICS.otelcol;

/** Items per second through the Kafka exporters or receivers, over the three signals. */
function kafkaRate(names: Readonly<Record<'traces' | 'metrics' | 'logs', string>>, label: string): string {
  return (['traces', 'metrics', 'logs'] as const).map((s) => `sum(rate(${names[s]}{${label}=~"kafka.*"}[1m]))`).join(' + ');
}

/** The gate of a gateway step: the gateways write to Kafka and the processors read it (where a Prometheus scrapes the collectors). */
export function kafkaWriting(): GateCondition[] {
  return [
    promql('the gateways write to Kafka (where a Prometheus scrapes the collectors)', kafkaRate(OTEL.exporterSent, OTEL.exporterLabel), 'nonzero'),
    promql('the processors take what the gateways wrote', kafkaRate(OTEL.receiverAccepted, OTEL.receiverLabel), 'nonzero'),
  ];
}

/** Part of the processors step's gate: every processor is up (scraped). */
export function processorsUp(): GateCondition {
  return promql('every processor is up and has joined its consumer groups (where a Prometheus scrapes the collectors)', 'sum by (instance) (up{job=~".*processor.*"})', 'nonzero');
}

/** The buffer topics as a step's summary lists them (replication at most the brokers there are). */
export function topicList(to: Topology): string[] {
  const brokers = to.kafka!.brokers;
  return to.ingestion!.topics.map((t) => `${t.name} (${t.partitions} partitions, replication ${Math.min(t.replication, brokers)})`);
}

/** The replicas the runbook starts from: the running gateways and brokers, no processor. */
export function addKafkaSteps(from: Topology): Steps {
  return new Steps({ gateway: from.ingestion!.gatewayReplicas, broker: from.kafka?.brokers ?? 0, processor: 0 });
}

/** Step 1's id, title and source (brokers and topics first: nothing writes to them yet). */
export const KAFKA_STEP = { id: 'kafka', title: 'Start the Kafka brokers and create the buffer topics', source: 'seed 002 Migration Path, Phase 1: "Add Kafka"' } as const;

/** Step 2's id, title and source, and what to do when its gate fails. */
export const PROCESSORS_STEP = { id: 'processors', title: 'Start the processor pool on the (still empty) buffer topics', source: 'derived: consumers before producers, so nothing written to Kafka waits for a reader' } as const;
export const PROCESSORS_ON_FAILURE = 'fix the processors before a gateway writes to Kafka: what a gateway writes then waits in the topics until a processor reads it';

/** The last step: one item of each signal through the new path. `gatewaySteps` names the step(s) its failure rolls back. */
export function verifyStep(env: string, gatewaySteps: string): Omit<Step, 'n' | 'replicas'> {
  return {
    id: 'verify',
    title: 'Check the new path end to end',
    source: 'derived',
    change: { summary: 'one trace, one metric and one log line through the gateways, Kafka and the processors, read back from the engines', actions: [`otelstack verify <to> --env ${env}`] },
    gate: [],
    onFailure: `roll back ${gatewaySteps}: the gateways export straight to the engines again`,
    rollback: `roll back ${gatewaySteps}, then step 2 and step 1`,
  };
}

/** The runbook around its steps: `first` (where the step files go) and `gateways` (how the gateways switch) are the target's own notes. */
export function addKafkaRunbook(on: string, first: string, gateways: readonly string[], steps: Step[]): Runbook {
  return {
    id: ADD_KAFKA_RUNBOOK,
    title: `Add Kafka between the gateways and the engines (gateway → Kafka → processor)${on}`,
    engine: 'otelcol',
    engines: ['otelcol', 'kafka'],
    signal: 'ingestion',
    from: 'direct export',
    to: 'Kafka buffer',
    source: 'seed 002 "Migration Path" Phase 1 (Add Kafka); the order and the gates are derived',
    notes: [first, 'processors before gateways: nothing written to Kafka waits for a reader', ...gateways],
    steps,
  };
}
