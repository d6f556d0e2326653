import { formatCpu, formatRate } from '../../model/quantity.js';
import { seedBasis } from '../calibration.js';
import type { Topology } from '../../topology/types.js';
import type { Finding, Rule } from '../findings.js';
import { sizeEnvironment } from '../sizing.js';

/** On VMs a replica or broker is a host: the suggestion also says how many the host group then lists (ansible-hosts). */
function vms(t: Topology, group: string, n: number): string {
  return t.env.target === 'ansible' ? `, and list ${n} VMs under environments[${t.env.index}].hosts.${group} (one per ${group === 'kafka' ? 'broker' : 'replica'})` : '';
}

/**
 * An environment with an expected load (ingestion.environments.<env>.load): its gateway and processor pools, buffer
 * topics and Kafka brokers must cover it with the headroom (src/plan/sizing.ts). A warning, not an error: the per-core
 * figures come from one machine's calibration (or the seed's coarse table), so the plan says what is needed and where
 * to change it without refusing to render.
 */
export const poolSizing: Rule = {
  id: 'pool-sizing',
  description: 'collector pools, buffer-topic partitions and Kafka brokers cover the expected load',
  check({ topologies, sizing }) {
    const out: Finding[] = [];
    const basis = sizing ?? seedBasis();
    for (const t of topologies) {
      const z = sizeEnvironment(t, basis);
      if (!z) continue;
      const from = z.source === 'calibration' ? 'the calibration file' : "seed 002's figures";
      const loadText = (['traces', 'metrics', 'logs'] as const)
        .filter((s) => z.load[s] !== undefined)
        .map((s) => `${s} ${formatRate(z.load[s]!)}`)
        .join(', ');
      for (const p of z.pools) {
        if (p.replicas >= p.needed) continue;
        out.push({
          severity: 'warning',
          rule: this.id,
          env: t.env.name,
          path: p.path,
          message: `the ${p.pool} pool (${t.env.name}) is under-provisioned: ${p.replicas} replica(s) of ${formatCpu(p.cpuPerReplicaMillicores)} CPU, but ${loadText} with ${z.headroomPercent}% headroom needs ${p.coresNeeded.toFixed(2)} cores = ${p.needed} replicas (${p.role} per-core figures from ${from})`,
          suggestion: `set ${p.path}: ${p.needed} (or raise its cpu so ${p.replicas} replica(s) give ${p.coresNeeded.toFixed(2)} cores)${vms(t, p.pool, p.needed)}`,
        });
      }
      for (const tp of z.topics) {
        if (tp.partitions >= tp.needed) continue;
        out.push({
          severity: 'warning',
          rule: this.id,
          env: t.env.name,
          path: tp.path,
          message: `topic ${tp.topic} (${t.env.name}) has ${tp.partitions} partition(s); ${tp.signal} ${formatRate(z.load[tp.signal]!)} with ${z.headroomPercent}% headroom needs ${tp.needed} (one partition is read by one processor replica, and every replica needs a share)`,
          suggestion: `set ${tp.path}: ${tp.needed}`,
        });
      }
      if (z.kafka && z.kafka.managed && z.kafka.brokers < z.kafka.needed) {
        out.push({
          severity: 'warning',
          rule: this.id,
          env: t.env.name,
          path: z.kafka.path,
          message: `Kafka (${t.env.name}) has ${z.kafka.brokers} broker(s); ${formatRate(z.totalWithHeadroom).replace('/s', '')} events/s with headroom is the ${z.kafka.tier} tier of ${z.kafka.tierSource}: ${z.kafka.needed} brokers`,
          suggestion: `set ${z.kafka.path}: ${z.kafka.needed}${vms(t, 'kafka', z.kafka.needed)}`,
        });
      }
    }
    return out;
  },
};
