import type { Topology } from '../../topology/types.js';
import type { Finding, Rule } from '../findings.js';

/**
 * The gateway → Kafka → processor chain (ingestion.environments.<env>.kafkaBuffer) is rendered for compose and VM
 * environments, and on Kubernetes for the OTel Collector pools otelstack deploys there (render/kubernetes/otelcol.ts:
 * gateway and processor Deployments, the buffer topics Job). The Alloy on Kubernetes is rendered as a gateway only (no
 * Kafka exporter, no processor pool), and a shared collector deployed elsewhere gets no processor pool either:
 * accepting the flag there would plan and budget a processor pool that never gets deployed, so the plan refuses it,
 * and the Kubernetes renderer guards with the same finding.
 */
export function kubernetesKafkaBufferProblems(t: Topology): Finding[] {
  const ing = t.ingestion;
  if (t.env.target !== 'kubernetes' || !ing?.kafkaBuffer) return [];
  if (ing.collector === 'otelcol' && !ing.shared) return [];
  const why = ing.shared
    ? `the collector is the shared ${ing.collector} deployed elsewhere (ingestion.shared: true): otelstack deploys no processor pool for it`
    : 'the Kubernetes target renders the Alloy as a gateway only (no Kafka exporter, no processor pool)';
  return [
    {
      severity: 'error',
      rule: kubernetesKafkaBuffer.id,
      env: t.env.name,
      path: `ingestion.environments.${t.env.name}.kafkaBuffer`,
      message: `${why}: ${t.env.name} would get its gateway writing straight to the engines, and the processor pool the plan budgets would never be deployed`,
      suggestion: ing.shared
        ? `remove kafkaBuffer from ingestion.environments.${t.env.name}, or set ingestion.shared: false so otelstack deploys the pools`
        : `use ingestion.collector: otelcol (otelstack deploys its gateway and processor pools on Kubernetes), or remove kafkaBuffer from ingestion.environments.${t.env.name} (the engines' own Kafka, e.g. Tempo's ingest topic, is unaffected)`,
    },
  ];
}

export const kubernetesKafkaBuffer: Rule = {
  id: 'kubernetes-kafka-buffer',
  description: 'a collector Kafka buffer is asked for only where a renderer deploys it (compose, ansible, the OTel Collector on Kubernetes)',
  check({ topologies }) {
    return topologies.flatMap(kubernetesKafkaBufferProblems);
  },
};
