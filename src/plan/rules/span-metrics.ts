import { METRICS_GENERATOR_SETUP } from '../../catalog/metrics.js';
import { SIGNALS } from '../../model/schema.js';
import type { Finding, Rule } from '../findings.js';

/**
 * spanMetrics (Tempo's metrics-generator, remote-writing span metrics and service graphs to the environment's metrics
 * engine) needs something to write to: a metrics engine in the same environment, deployed no later than Tempo. The
 * generator component alone, without spanMetrics, runs with no processors and no remote write: it produces nothing.
 */
export const spanMetrics: Rule = {
  id: 'span-metrics',
  description: "Tempo's metrics-generator has a metrics engine in its environment to remote-write to",
  check({ stack, topologies }) {
    const out: Finding[] = [];
    const generator = METRICS_GENERATOR_SETUP.component;
    for (const t of topologies) {
      const env = t.env.name;
      for (const signal of SIGNALS) {
        const sig = stack.signals[signal];
        const se = sig?.environments[env];
        if (!sig || !se) continue;
        const base = `signals.${signal}.environments.${env}`;
        if (sig.engine !== 'tempo') {
          if (se.spanMetrics !== undefined) {
            out.push({
              severity: 'warning', rule: this.id, env, path: `${base}.spanMetrics`,
              message: `spanMetrics is a Tempo setting; ${sig.engine} (${signal}) has no metrics-generator, so it is ignored here`,
              suggestion: `remove spanMetrics from ${base}; set it on the Tempo traces environment instead`,
            });
          }
          continue;
        }
        const tempo = t.engines.find((e) => e.engine === 'tempo' && e.signal === signal);
        if (se.spanMetrics !== true) {
          if (se.components?.[generator] !== undefined && sig.managed) {
            out.push({
              severity: 'warning', rule: this.id, env, path: `${base}.components.${generator}`,
              message: `Tempo ${generator} (${env}) is budgeted and deployed, but spanMetrics is off: it runs with no processors and no remote write, and produces nothing`,
              suggestion: `set spanMetrics: true on ${base}, or remove the ${generator} component`,
            });
          }
          continue;
        }
        const metrics = t.engines.find((e) => e.signal === 'metrics');
        if (!metrics || !metrics.endpoints.push) {
          out.push({
            severity: 'error', rule: this.id, env, path: `${base}.spanMetrics`,
            message: `spanMetrics is on for Tempo in ${env}, but ${env} has no metrics engine${metrics ? ` with a remote-write endpoint (${metrics.title})` : ''} for the metrics-generator to remote-write span metrics and service graphs to`,
            suggestion: `add signals.metrics.environments.${env} (Mimir, or Prometheus for a single node), or set spanMetrics: false`,
          });
          continue;
        }
        if (metrics.phase > (tempo?.phase ?? 1)) {
          out.push({
            severity: 'warning', rule: this.id, env, path: `${base}.spanMetrics`,
            message: `Tempo's metrics-generator in ${env} (phase ${tempo?.phase ?? 1}) remote-writes to ${metrics.title}, which arrives only in phase ${metrics.phase}: until then its remote writes fail and the span metrics are dropped`,
            suggestion: `turn spanMetrics on in the phase ${metrics.title} arrives, or bring ${metrics.title} forward`,
          });
        }
        if (!sig.managed && tempo?.metricsGenerator) {
          out.push({
            severity: 'info', rule: this.id, env, path: `${base}.spanMetrics`,
            message: `Tempo in ${env} is not managed by otelstack: no metrics-generator configuration is rendered for it; the dashboards expect it to remote-write to ${tempo.metricsGenerator.remoteWrite} with the dimensions ${tempo.metricsGenerator.dimensions.join(', ')}`,
            suggestion: 'configure the existing Tempo accordingly (metrics_generator.storage.remote_write, processors in its overrides)',
          });
        }
      }
    }
    return out;
  },
};
