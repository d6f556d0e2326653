import { formatBytes, formatCpu } from '../../model/quantity.js';
import { quotaPlan } from '../quota.js';
import { environmentTotals, phaseTotals } from '../resources.js';
import type { Finding, Rule } from '../findings.js';

/** Fit against headroom; for quota environments, the requested quota must cover the required with the target headroom. */
export const capacity: Rule = {
  id: 'capacity',
  description: 'the plan fits the namespace, or the quota request leaves the target headroom',
  check({ topologies }) {
    const out: Finding[] = [];
    for (const t of topologies) {
      const cap = t.capacity;
      if (!cap) continue;
      const path = `environments[${t.env.index}].capacity`;
      const totals = environmentTotals(t);
      if (cap.kind === 'headroom') {
        const over: string[] = [];
        if (totals.cpuRequestMillicores > cap.available.cpuMillicores) over.push(`CPU ${formatCpu(totals.cpuRequestMillicores)} > ${formatCpu(cap.available.cpuMillicores)}`);
        if (totals.memoryRequestBytes > cap.available.memoryBytes) over.push(`memory ${formatBytes(totals.memoryRequestBytes)} > ${formatBytes(cap.available.memoryBytes)}`);
        if (totals.storageBytes > cap.available.storageBytes) over.push(`storage ${formatBytes(totals.storageBytes)} > ${formatBytes(cap.available.storageBytes)}`);
        if (over.length) out.push({ severity: 'error', rule: this.id, env: t.env.name, path, message: `${t.env.name} does not fit its headroom: ${over.join('; ')}`, suggestion: 'shrink the components or ask for more quota (give capacity.quota + used to get a request table)' });
        continue;
      }
      const q = quotaPlan(cap, phaseTotals(t));
      if (!q) continue;
      for (const [name, l, fmt] of [['CPU', q.cpu, formatCpu], ['memory', q.memory, formatBytes], ['storage', q.storage, formatBytes]] as const) {
        if (l.givenRequested && l.headroomPercent < q.targetHeadroomPercent) {
          out.push({
            severity: 'error', rule: this.id, env: t.env.name, path: `${path}.requested`,
            message: `requested ${name} ${fmt(l.requested)} leaves ${l.headroomPercent}% headroom over the required ${fmt(l.required)}; the target is ${q.targetHeadroomPercent}%`,
            suggestion: `request at least ${fmt(Math.ceil(l.required / (1 - q.targetHeadroomPercent / 100)))}`,
          });
        }
        if (!l.givenRequested && l.required > l.current) {
          out.push({
            severity: 'warning', rule: this.id, env: t.env.name, path,
            message: `${t.env.name} needs a ${name} quota increase: ${fmt(l.required)} required against a ${fmt(l.current)} quota; request ${fmt(l.requested)} (${l.headroomPercent}% headroom)`,
            suggestion: 'file the quota-increase request shown in the quota table before deploying',
          });
        }
      }
    }
    return out;
  },
};
