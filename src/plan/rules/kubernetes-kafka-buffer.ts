import type { Topology } from '../../topology/types.js';
import type { Finding, Rule } from '../findings.js';

/**
 * The gateway → Kafka → processor chain (ingestion.environments.<env>.kafkaBuffer) is rendered for compose and VM
 * environments; the Kubernetes target deploys the Alloy gateway only (no Kafka exporter, no processor pool, no
 * buffer topics). Accepting the flag there would plan and budget a processor pool that never gets deployed, so
 * the plan refuses it, and the Kubernetes renderer guards with the same finding.
 */
export function kubernetesKafkaBufferProblems(t: Topology): Finding[] {
  if (t.env.target !== 'kubernetes' || !t.ingestion?.kafkaBuffer) return [];
  return [
    {
      severity: 'error',
      rule: kubernetesKafkaBuffer.id,
      env: t.env.name,
      path: `ingestion.environments.${t.env.name}.kafkaBuffer`,
      message: `the Kubernetes target renders no Kafka buffer between collectors yet: ${t.env.name} would get its gateway writing straight to the engines, and the processor pool the plan budgets would never be deployed`,
      suggestion: `remove kafkaBuffer from ingestion.environments.${t.env.name} (the engines' own Kafka, e.g. Mimir ingest storage, is unaffected), or buffer on a compose / ansible environment`,
    },
  ];
}

export const kubernetesKafkaBuffer: Rule = {
  id: 'kubernetes-kafka-buffer',
  description: 'a collector Kafka buffer is asked for only where a renderer deploys it (compose, ansible)',
  check({ topologies }) {
    return topologies.flatMap(kubernetesKafkaBufferProblems);
  },
};
