/**
 * Span metrics: Tempo's metrics-generator remote-writes into the same environment's metrics engine (with its
 * tenant). The generator's component itself is part of the traces engine's components (expand); this links it.
 * No metrics engine: nothing is linked and the plan's span-metrics rule reports it.
 */
import { METRICS_GENERATOR_SETUP } from '../../catalog/metrics.js';
import type { TopologyTransform } from '../resources.js';

export const linkSpanMetrics: TopologyTransform = (t, { stack, env }) => {
  const metricsEngine = t.engines.find((e) => e.signal === 'metrics');
  if (!metricsEngine?.endpoints.push) return t;
  const engines = t.engines.map((e) =>
    e.engine === 'tempo' && stack.signals[e.signal]?.environments[env.name]?.spanMetrics === true
      ? { ...e, metricsGenerator: { remoteWrite: metricsEngine.endpoints.push!, ...(metricsEngine.tenant ? { tenant: metricsEngine.tenant } : {}), dimensions: [...METRICS_GENERATOR_SETUP.dimensions] } }
      : e,
  );
  return { ...t, engines };
};
