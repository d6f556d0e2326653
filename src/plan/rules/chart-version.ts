import { CATALOG } from '../../catalog/index.js';
import { CHART_VALUE_KEYS, chartValueKeys, valueKeyVersions } from '../../catalog/charts/index.js';
import type { Finding, Rule } from '../findings.js';

/**
 * An engine version whose chart is not the chart version otelstack writes values for (the catalog's value-key list
 * of that chart): e.g. Tempo 2.x microservices needs tempo-distributed 2.x, and only 3.x values are written.
 */
export const chartVersion: Rule = {
  id: 'chart-version',
  description: 'managed Kubernetes engines use the chart version otelstack writes values for',
  check({ topologies }) {
    const out: Finding[] = [];
    for (const t of topologies) {
      if (t.env.target !== 'kubernetes') continue;
      for (const e of t.engines) {
        if (!e.managed || 'none' in e.chart) continue;
        if (!CHART_VALUE_KEYS[e.chart.name] || chartValueKeys(e.chart)) continue;
        out.push({
          severity: 'error', rule: this.id, env: t.env.name, path: e.definitionPath,
          message: `${e.title} ${e.version} needs the ${e.chart.name} chart ${e.chart.version}; otelstack writes values for ${e.chart.name} ${valueKeyVersions(e.chart.name).join(' and ')} only`,
          suggestion: `use ${e.title} ${CATALOG[e.engine].pinned} (the pinned version), or deploy this one by hand`,
        });
      }
    }
    return out;
  },
};
