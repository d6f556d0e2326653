import type { ReplicaResources } from './types.js';

const MiB = 1024 ** 2;

export interface CollectorMemory {
  /** the memory the settings are derived from: the container limit, or the request when the policy sets no limit */
  budgetBytes: number;
  basis: 'limit' | 'request';
  /** memory_limiter.limit_mib: above it the collector refuses data (hard limit) */
  limitMib: number;
  /** memory_limiter.spike_limit_mib: soft limit = limit − spike, where refusing starts */
  spikeLimitMib: number;
  /** GOMEMLIMIT for the Go runtime, in bytes: between the soft and hard limit, so GC works harder before refusing */
  goMemLimitBytes: number;
}

/**
 * Explicit collector memory settings. The memory_limiter's percentage options derive from the container's memory
 * limit (cgroup); a resource policy without collector memory limits would leave them with nothing to derive from,
 * so otelstack always renders absolute values: hard limit 80 % of the budget, soft limit 60 %, GOMEMLIMIT 70 %.
 */
export function collectorMemory(r: ReplicaResources): CollectorMemory {
  const basis = r.memoryLimitBytes !== undefined ? 'limit' : 'request';
  const budgetBytes = r.memoryLimitBytes ?? r.memoryRequestBytes;
  const limitMib = Math.floor((budgetBytes * 0.8) / MiB);
  const spikeLimitMib = Math.floor((budgetBytes * 0.2) / MiB);
  const goMemLimitBytes = Math.floor((budgetBytes * 0.7) / MiB) * MiB;
  return { budgetBytes, basis, limitMib, spikeLimitMib, goMemLimitBytes };
}
