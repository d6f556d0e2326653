import { engine, versionLine } from '../../catalog/index.js';
import type { Finding, Rule } from '../findings.js';

/** Deprecated version lines, and modes no chart can deploy on a Kubernetes target (a mode a line removed is a load error). */
export const versions: Rule = {
  id: 'versions',
  description: 'engine versions are current and deployable on the chosen target',
  check({ topologies, stack }) {
    const out: Finding[] = [];
    const warned = new Set<string>();
    for (const t of topologies) {
      for (const e of t.engines) {
        const line = versionLine(engine(e.engine)!, stack.signals[e.signal]?.version);
        if (line?.deprecated && !warned.has(e.engine)) {
          warned.add(e.engine);
          out.push({ severity: 'warning', rule: this.id, path: `signals.${e.signal}.version`, message: `${e.title} ${e.version}: ${line.deprecated}`, suggestion: `plan the move to ${e.title} ${engine(e.engine)!.pinned}` });
        }
        if (e.managed && t.env.target === 'kubernetes' && 'none' in e.chart) {
          out.push({ severity: 'error', rule: this.id, env: t.env.name, path: `${e.definitionPath}.mode`, message: `${e.title} ${e.mode} cannot be deployed with Helm: ${e.chart.none}`, suggestion: 'choose a mode a chart can express (see the catalog), or a compose / ansible target' });
        }
      }
    }
    return out;
  },
};
