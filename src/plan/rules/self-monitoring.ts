import { kubernetesSelfScrape } from '../../catalog/metrics.js';
import type { Finding, Rule } from '../findings.js';

/**
 * Kubernetes self-monitoring: the stack's dashboards and alert rules read its own /metrics, which otelstack scrapes
 * with the rendered Alloy into the environment's metrics engine (src/render/configs/alloy-self-monitoring.ts). An
 * environment without a metrics engine (or without Alloy) gets no scrape: its self-monitoring is empty, and the plan
 * says so instead of staying silent.
 */
export const selfMonitoring: Rule = {
  id: 'self-monitoring',
  description: "Kubernetes environments scrape the stack's own /metrics into a metrics engine",
  check({ topologies }) {
    const out: Finding[] = [];
    for (const t of topologies) {
      if (t.env.target !== 'kubernetes') continue;
      const k = kubernetesSelfScrape(t);
      if (k.scraped) continue;
      const noMetrics = !t.engines.some((e) => e.signal === 'metrics');
      out.push({
        severity: 'warning',
        rule: this.id,
        env: t.env.name,
        path: noMetrics ? 'signals.metrics' : 'ingestion.collector',
        message: `the stack's self-monitoring dashboards and alert rules are empty in ${t.env.name}: ${k.reason}`,
        suggestion: noMetrics
          ? `add a metrics engine (signals.metrics) to ${t.env.name}, or scrape the stack's pods into another metrics backend yourself`
          : "set ingestion.collector: alloy (the rendered Alloy scrapes the stack's pods, the kubelets and itself), or scrape the stack's pods yourself",
      });
    }
    return out;
  },
};
