import { formatBytes, formatCpu } from '../../model/quantity.js';
import { policyNames } from '../../topology/resources.js';
import type { Finding, Rule } from '../findings.js';

/**
 * The resource policy (seed 000): CPU limits only on the components it lists (none: CFS throttling hurts the write
 * path even when the node has spare CPU); memory limits exactly on the components it lists (ingesters and
 * store-gateways: unbounded growth there risks a node OOM, while one OOM-killed replica is recoverable). A target that
 * runs a listed component (Mimir's mimir-write runs the ingester) is listed with it (policyNames).
 */
export const resourcePolicy: Rule = {
  id: 'resource-policy',
  description: 'CPU and memory limits only where the resource policy says',
  check({ topologies }) {
    const out: Finding[] = [];
    for (const t of topologies) {
      const k = t.canary;
      if (k?.perReplica.memoryLimitBytes !== undefined && !t.policy.memoryLimits.includes(k.name)) {
        out.push({
          severity: 'error', rule: this.id, env: t.env.name, path: `${k.definitionPath}.memoryLimit`,
          message: `the canary (${t.env.name}) has a memory limit of ${formatBytes(k.perReplica.memoryLimitBytes)}, but the policy limits memory only on ${t.policy.memoryLimits.join(', ') || 'nothing'}`,
          suggestion: `remove canary.memoryLimit, or add "${k.name}" to policy.memoryLimits`,
        });
      }
      for (const c of t.components) {
        if (!c.budgeted) continue;
        const who = `${c.engine} ${c.component} (${t.env.name})`;
        if (c.perReplica.cpuLimitMillicores !== undefined && !policyNames(t.policy.cpuLimits, c)) {
          out.push({
            severity: 'error', rule: this.id, env: t.env.name, path: `${c.definitionPath}.cpuLimit`,
            message: `${who} has a CPU limit of ${formatCpu(c.perReplica.cpuLimitMillicores)}, which the policy forbids: CFS quota throttles the pod in 100 ms windows even when the node has idle CPU`,
            suggestion: 'remove cpuLimit; the CPU request still drives scheduling and autoscaling',
          });
        }
        const mustLimit = policyNames(t.policy.memoryLimits, c);
        const lim = c.perReplica.memoryLimitBytes;
        if (lim !== undefined && !mustLimit) {
          out.push({
            severity: 'error', rule: this.id, env: t.env.name, path: `${c.definitionPath}.memoryLimit`,
            message: `${who} has a memory limit of ${formatBytes(lim)}, but the policy limits memory only on ${t.policy.memoryLimits.join(', ') || 'nothing'}`,
            suggestion: `remove memoryLimit, or add "${c.component}" to policy.memoryLimits`,
          });
        }
        if (lim !== undefined && lim < c.perReplica.memoryRequestBytes) {
          out.push({
            severity: 'error', rule: this.id, env: t.env.name, path: `${c.definitionPath}.memoryLimit`,
            message: `${who}: memory limit ${formatBytes(lim)} is below its request ${formatBytes(c.perReplica.memoryRequestBytes)}; Kubernetes rejects such a pod`,
            suggestion: `raise memoryLimit to at least ${formatBytes(c.perReplica.memoryRequestBytes)}`,
          });
        }
      }
    }
    return out;
  },
};
