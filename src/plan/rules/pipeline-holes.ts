import type { Finding, Rule } from '../findings.js';

/**
 * Known holes of the collection pipeline a definition describes, said plainly:
 * - a tail-sampling stage holds whole traces in memory while it waits for a decision; a crash loses them
 *   (opentelemetry-collector-contrib issue 26490) — Kafka in front lets the processor re-read, but only what it has
 *   not yet marked;
 * - an exporter without a persistent queue loses what is queued in memory on shutdown (opentelemetry-collector
 *   issue 15677).
 * The Kafka receiver's lossy defaults (latest offset, marking before processing) are never rendered, so they are
 * not findings here.
 */
export const pipelineHoles: Rule = {
  id: 'pipeline-holes',
  description: 'known ways the described collection pipeline can lose data',
  check({ stack, topologies }) {
    const out: Finding[] = [];
    const ing = stack.ingestion;
    if (!ing || ing.collector !== 'otelcol') return out;
    const used = topologies.filter((t) => t.ingestion);
    if (used.length === 0) return out;
    if (ing.sampling && ing.sampling.policies.length > 0) {
      const buffered = used.every((t) => t.ingestion?.kafkaBuffer);
      out.push({
        severity: 'warning', rule: this.id, path: 'ingestion.sampling',
        message: `tail sampling keeps each trace in memory for decision_wait (${ing.sampling.decisionWait}); if the collector running it crashes, those traces are lost (opentelemetry-collector-contrib issue 26490)` +
          (buffered ? '. The Kafka buffer narrows the window: offsets are marked only after the pipeline returns, so a restarted processor re-reads what it had not finished' : ''),
        suggestion: buffered ? 'keep decision_wait short and processors restarted gracefully (stop_grace_period above decision_wait)' : 'buffer through Kafka (ingestion.environments.<env>.kafkaBuffer) so a crashed processor can re-read',
      });
    }
    if (!ing.persistentQueue.enabled) {
      out.push({
        severity: 'warning', rule: this.id, path: 'ingestion.persistentQueue.enabled',
        message: 'exporters without a persistent queue lose everything queued in memory on shutdown or crash (opentelemetry-collector issue 15677)',
        suggestion: 'set persistentQueue.enabled: true (file_storage on a volume)',
      });
    } else if (!ing.persistentQueue.fsync) {
      out.push({
        severity: 'info', rule: this.id, path: 'ingestion.persistentQueue.fsync',
        message: 'the persistent queue does not fsync: a collector restart loses nothing, but a node crash may lose the last writes the kernel had not flushed',
        suggestion: 'set persistentQueue.fsync: true where a node crash must not lose data (costs write throughput)',
      });
    }
    return out;
  },
};
