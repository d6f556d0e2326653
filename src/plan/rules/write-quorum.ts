import type { Finding, Rule } from '../findings.js';

/**
 * A replicated write succeeds once a quorum of floor(RF/2)+1 replicas acknowledge it, so it survives
 * RF − (floor(RF/2)+1) lost replicas: RF 1 → 0, RF 2 → 0, RF 3 → 1, RF 5 → 2.
 */
export function quorum(rf: number): { acks: number; tolerates: number } {
  const acks = Math.floor(rf / 2) + 1;
  return { acks, tolerates: rf - acks };
}

export const writeQuorum: Rule = {
  id: 'write-quorum',
  description: 'replication factors that survive a lost replica in HA environments',
  check({ topologies }) {
    const out: Finding[] = [];
    for (const t of topologies) {
      for (const e of t.engines) {
        if (!e.managed || e.replicationFactor === undefined) continue;
        const rf = e.replicationFactor;
        const { acks, tolerates } = quorum(rf);
        const path = `${e.definitionPath}.replicationFactor`;
        const replicated = t.components.filter((c) => c.engine === e.engine && c.replicated);
        if (e.kafka && e.engine === 'tempo') {
          if (rf > 1) {
            out.push({
              severity: 'warning', rule: this.id, env: t.env.name, path,
              message: `Tempo ${e.versionLine}.x writes through Kafka, which carries durability; its write path runs with replication factor 1 and replicationFactor ${rf} only multiplies storage`,
              suggestion: 'omit replicationFactor for Tempo 3; make the Kafka topic replicated (3, min in-sync 2) instead',
            });
          }
          continue;
        }
        for (const c of replicated) {
          if (c.replicas < rf) {
            out.push({
              severity: 'error', rule: this.id, env: t.env.name, path,
              message: `${e.title} replication factor ${rf} needs ${rf} ${c.component} replicas but ${t.env.name} runs ${c.replicas}: every write would fail to reach its ${acks} acknowledgements`,
              suggestion: `set replicationFactor: ${Math.max(1, c.replicas)} or replicas: ${rf}`,
            });
          }
        }
        if (t.env.ha && tolerates === 0) {
          out.push({
            severity: 'error', rule: this.id, env: t.env.name, path,
            message: `${e.title} replication factor ${rf} in HA environment ${t.env.name} survives no lost replica: a write needs floor(${rf}/2)+1 = ${acks} acknowledgement(s) out of ${rf}, so with one ${replicated[0]?.component ?? 'replica'} down the series it owns cannot be written` +
              (rf === 2 ? ' — "replication factor 2 survives a pod failure" does not hold' : ''),
            suggestion: 'use replicationFactor: 3 (quorum 2, survives one lost replica) with at least 3 replicas, ideally one per zone',
          });
        }
      }
    }
    return out;
  },
};
