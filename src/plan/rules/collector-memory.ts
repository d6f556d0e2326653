import { formatBytes } from '../../model/quantity.js';
import { collectorMemory } from '../../topology/collector-memory.js';
import type { Finding, Rule } from '../findings.js';

/**
 * Collectors without a container memory limit (the seed's policy) cannot use memory_limiter percentages, which
 * derive from the cgroup limit: otelstack renders absolute limits and GOMEMLIMIT instead, and says so.
 */
export const collectorMemoryRule: Rule = {
  id: 'collector-memory',
  description: 'collectors get explicit memory_limiter limits and GOMEMLIMIT',
  check({ topologies }) {
    const out: Finding[] = [];
    for (const t of topologies) {
      for (const c of t.components) {
        // sidecars in a collector's pod (the alloy chart's config-reloader) are not collectors
        if ((c.engine !== 'otelcol' && c.engine !== 'alloy') || c.sidecarOf) continue;
        const m = collectorMemory(c.perReplica);
        if (m.basis === 'request') {
          out.push({
            severity: 'info', rule: this.id, env: t.env.name, path: c.definitionPath,
            message: `${c.engine} ${c.component} (${t.env.name}) has no memory limit under the policy, so percentage-based memory_limiter settings would have nothing to derive from; rendered instead: limit_mib ${m.limitMib}, spike_limit_mib ${m.spikeLimitMib}, GOMEMLIMIT ${formatBytes(m.goMemLimitBytes)} (from the ${formatBytes(m.budgetBytes)} request)`,
            suggestion: 'raise the memory request if the collector needs more room; the limits follow it',
          });
        }
      }
    }
    return out;
  },
};
