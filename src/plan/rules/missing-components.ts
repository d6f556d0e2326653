import { engine, versionLine } from '../../catalog/index.js';
import type { Finding, Rule } from '../findings.js';

/** Components a definition left out that the engine or its chart needs anyway (the catalog says why). */
export const missingComponents: Rule = {
  id: 'missing-components',
  description: 'components the engine needs, or its chart deploys anyway, are budgeted',
  check({ topologies, stack }) {
    const out: Finding[] = [];
    for (const t of topologies) {
      for (const e of t.engines) {
        if (!e.managed) continue;
        const mode = versionLine(engine(e.engine)!, stack.signals[e.signal]?.version)?.modes[e.mode];
        for (const c of mode?.components ?? []) {
          if (!c.whenAbsent || t.components.some((x) => x.engine === e.engine && x.component === c.name)) continue;
          out.push({
            severity: c.whenAbsent.severity, rule: this.id, env: t.env.name, path: `${e.definitionPath}.components`,
            message: `${e.title} ${c.name} (${t.env.name}) is not in the definition: ${c.whenAbsent.reason}`,
            suggestion: `add ${c.name} to ${e.definitionPath}.components (catalog default ${c.defaults.cpu}m / ${Math.round(c.defaults.memory / 1024 ** 2)}Mi per replica)`,
          });
        }
      }
    }
    return out;
  },
};
