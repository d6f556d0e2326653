import type { Finding, Rule } from '../findings.js';

/** The compose target runs OpenTelemetry Collector pools only; an Alloy collection layer there cannot be rendered. */
export const composeCollector: Rule = {
  id: 'compose-collector',
  description: 'compose environments collect with the OpenTelemetry Collector',
  check({ stack, topologies }) {
    const out: Finding[] = [];
    for (const t of topologies) {
      if (t.env.target !== 'compose' || !t.ingestion || stack.ingestion?.collector === 'otelcol') continue;
      out.push({ severity: 'error', rule: this.id, env: t.env.name, path: 'ingestion.collector', message: 'the compose target renders OpenTelemetry Collector pools only', suggestion: 'set ingestion.collector: otelcol' });
    }
    return out;
  },
};
