import type { Finding, Rule } from '../findings.js';

/** HA environments: PodDisruptionBudgets on; stateless serving components ≥ 2; stateful write-path components ≥ 3. */
export const haReplicas: Rule = {
  id: 'ha-replicas',
  description: 'HA environments keep serving through one lost pod and a rolling update',
  check({ topologies, stack }) {
    const out: Finding[] = [];
    for (const t of topologies) {
      if (!t.env.ha) continue;
      if (!t.env.podDisruptionBudgets) {
        out.push({
          severity: 'error', rule: this.id, env: t.env.name, path: `environments[${t.env.index}].podDisruptionBudgets`,
          message: `${t.env.name} is HA but PodDisruptionBudgets are off: a node drain may evict every replica of a component at once`,
          suggestion: 'set podDisruptionBudgets: true (the default)',
        });
      }
      void stack;
      for (const c of t.components) {
        if (!c.budgeted || !c.known || c.singleton) continue;
        const who = `${c.engine} ${c.component} (${t.env.name})`;
        if (c.stateful && c.path === 'write' && c.replicas < 3) {
          out.push({
            severity: 'error', rule: this.id, env: t.env.name, path: c.definitionPath,
            message: `${who} runs ${c.replicas} replica(s); a stateful write-path component needs at least 3 to keep a write quorum while one pod is down`,
            suggestion: 'set replicas: 3',
          });
        } else if (!c.stateful && c.replicas < 2) {
          const serving = c.path !== 'backend';
          out.push({
            severity: serving ? 'error' : 'warning', rule: this.id, env: t.env.name, path: c.definitionPath,
            message: serving
              ? `${who} runs 1 replica: a rolling update or a lost pod interrupts the ${c.path} path`
              : `${who} runs 1 replica: background work pauses during a restart (no data is lost, it catches up)`,
            suggestion: 'set replicas: 2',
          });
        }
      }
    }
    return out;
  },
};
