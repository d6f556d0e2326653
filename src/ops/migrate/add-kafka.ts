/**
 * "Add Kafka" (seed 002, Migration Path Phase 1): a compose environment whose gateways export straight to the
 * engines becomes gateway → Kafka → processor, without losing what the gateways acknowledged. The order keeps
 * every acknowledged item on a path that drains:
 *  1. the brokers and the buffer topics first (nothing writes to them yet);
 *  2. the processor pool, reading the still-empty topics and exporting to the engines;
 *  3. the gateways, one at a time through `otelstack deploy --only gateways` (drained in the load balancer, their
 *     exporter queues waited empty — a queue of a direct exporter the new config no longer has would never be
 *     read again — stopped with their grace, started on the Kafka exporter config, health-gated, back in rotation);
 *  4. the end-to-end check through the new path.
 * Rolling back step 3 is the same deploy with the running definition; the processors then drain the topics.
 * On compose the deploy command drains each gateway before its config changes. Kubernetes has its own runbook
 * (add-kafka-kubernetes.ts: the rolling update, with a drain config where the gateways queue on their volumes). On
 * VMs the playbook's serial update has no queue gate yet: the plan says so.
 */
import { CATALOG } from '../../catalog/index.js';
import { KAFKA_IMAGE_SCRIPTS_DIR } from '../../catalog/kafka.js';
import type { Stack } from '../../model/schema.js';
import type { Topology } from '../../topology/types.js';
import { addKafkaKubernetesRefusal } from './add-kafka-kubernetes.js';
import { KAFKA_STEP, PROCESSORS_ON_FAILURE, PROCESSORS_STEP, addKafkaRunbook, addKafkaSteps, kafkaWriting, processorsUp, topicList, verifyStep } from './add-kafka-steps.js';
import type { Difference, Runbook } from './types.js';

export { ADD_KAFKA_RUNBOOK } from './add-kafka-steps.js';

/** Why the runbook does not apply to a pair of topologies (undefined: it applies). The stacks decide Kubernetes. */
export function addKafkaRefusal(from: Topology, to: Topology, stacks?: { from: Stack; to: Stack }): string | undefined {
  const a = from.ingestion;
  const b = to.ingestion;
  if (!a || !b || a.kafkaBuffer || !b.kafkaBuffer) return 'not a change from direct export to a Kafka buffer';
  if (a.collector !== 'otelcol' || b.collector !== 'otelcol') return 'the Add Kafka runbook covers the OpenTelemetry Collector pools otelstack renders (ingestion.collector: otelcol)';
  if (from.env.target === 'kubernetes') return stacks ? addKafkaKubernetesRefusal(stacks.from, from, stacks.to, to) : 'the Kubernetes Add Kafka runbook needs both definitions';
  if (from.env.target !== 'compose') return `the Add Kafka runbook covers compose and Kubernetes environments; on ${from.env.name} (${from.env.target}) the playbook's serial update has no gate on a gateway's queues yet`;
  return undefined;
}

/** The differences the runbook itself makes: the ingestion shape, the collector pools, the brokers and their topics. */
export function addKafkaCovers(d: Difference): boolean {
  return (d.subject === 'environment' && d.what === 'ingestion') || d.subject.startsWith('otelcol/') || d.subject.startsWith('kafka/');
}

export function addKafka(from: Topology, to: Topology): Runbook {
  // the directories the README's deploy example uses: the running render and the target render
  const files = { fromDir: `out/compose/${to.env.name}`, toDir: `next/compose/${to.env.name}` };
  const k = to.kafka!;
  const ing = to.ingestion!;
  const gateways = ing.gatewayReplicas;
  const processors = ing.processorReplicas;
  const brokers = Array.from({ length: k.brokers }, (_, i) => `kafka-${i}`);
  const procs = Array.from({ length: processors }, (_, i) => `processor-${i}`);
  const topics = topicList(to);
  const compose = (dir: string) => `docker compose -f ${dir}/docker-compose.yaml`;
  const s = addKafkaSteps(from);

  const env = to.env.name;
  const lb = from.ingestion!.gatewayReplicas > 1;

  s.add(
    {
      ...KAFKA_STEP,
      change: {
        summary: `${k.brokers} KRaft broker${k.brokers > 1 ? 's' : ''} (${brokers.join(', ')}) and the topics ${topics.join(', ')}; nothing writes to them yet`,
        actions: [`render the target definition (otelstack render <to> --env ${env} --out <dir>) to ${files.toDir}, then \`${compose(files.toDir)} up -d --no-deps ${[...brokers, 'kafka-init'].join(' ')}\``],
      },
      gate: [
        { kind: 'manual', description: `every broker is healthy (${compose(files.toDir)} ps ${brokers.join(' ')}) and kafka-init exited 0` },
        { kind: 'manual', description: `the topics exist with their partitions: ${compose(files.toDir)} exec kafka-0 ${KAFKA_IMAGE_SCRIPTS_DIR}/kafka-topics.sh --bootstrap-server localhost:${CATALOG.kafka.ports['client']} --describe` },
      ],
      onFailure: 'fix the brokers (their logs) before anything writes to them; the gateways still export straight to the engines',
      rollback: `${compose(files.toDir)} rm -sf ${[...brokers, 'kafka-init'].join(' ')} (nothing was written to them)`,
    },
    { broker: k.brokers },
  );

  s.add(
    {
      ...PROCESSORS_STEP,
      change: {
        summary: `${processors} processor collector${processors > 1 ? 's' : ''} (${procs.join(', ')}) join the consumer groups of the buffer topics and export to the engines`,
        actions: [`\`${compose(files.toDir)} up -d --no-deps ${procs.join(' ')}\``],
      },
      gate: [
        { kind: 'manual', description: `every processor is healthy (${compose(files.toDir)} ps ${procs.join(' ')})` },
        processorsUp(),
      ],
      onFailure: PROCESSORS_ON_FAILURE,
      rollback: `${compose(files.toDir)} rm -sf ${procs.join(' ')} (the topics are still empty)`,
    },
    { processor: processors },
  );

  s.add(
    {
      id: 'gateways',
      title: `Switch the gateways to the Kafka exporter, one at a time`,
      source: 'derived: the rolling deploy of issue 16 (drain, queues empty, stop with grace, start, health, back in rotation)',
      change: {
        summary: lb
          ? `each of the ${gateways} gateways is drained in HAProxy, its exporter queues are waited empty (the direct exporters it has now are gone from the new config: what they still held would never be sent), restarted on the config that writes to Kafka, health-gated and put back in rotation`
          : 'the only gateway restarts on the config that writes to Kafka: with no load balancer in front it cannot be drained, so clients are refused while it restarts and must retry (scale the gateways to 2 first for a zero-downtime cutover)',
        actions: [`otelstack deploy <to> --env ${env} --only gateways --dir ${files.toDir} --previous ${files.fromDir}`],
      },
      gate: kafkaWriting(),
      onFailure: 'the deploy rolls the failing gateway back to the running config and stops; fix and run it again (the gateways not yet switched keep exporting straight to the engines)',
      rollback: `otelstack deploy <from> --env ${env} --only gateways --dir ${files.fromDir} --previous ${files.toDir} (the processors then drain what is left in the topics)`,
    },
    { gateway: gateways },
  );

  s.add(verifyStep(env, 'step 3'), {});

  return addKafkaRunbook(
    '',
    `the running render is ${files.fromDir} and the target render ${files.toDir} (render both definitions first; the deploy compares them)`,
    ['a gateway changes its exporters only after its queues are empty: a persistent queue of an exporter the new config no longer has is never read again'],
    s.steps,
  );
}
