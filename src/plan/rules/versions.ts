import { engine, versionLine } from '../../catalog/index.js';

/** The component of an engine's monolithic mode at its pinned line (what a compose / VM definition sizes). */
function defaultMonolith(id: string): string {
  const facts = engine(id);
  const line = facts ? versionLine(facts, undefined) : undefined;
  return line?.modes.monolithic?.components[0]?.name ?? id;
}
import type { Finding, Rule } from '../findings.js';

/**
 * Deprecated version lines; modes no chart can deploy on a Kubernetes target; and modes the compose and VM targets do
 * not deploy — they run each engine as one process (`-target=all`, src/render/configs/engines.ts), so a
 * microservices / simple-scalable / read-write definition there would be budgeted as its components and deployed as
 * one process with the first component's limits. (A mode a version line removed is a load error.)
 */
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
          out.push({ severity: 'error', rule: this.id, env: t.env.name, path: `${e.definitionPath}.mode`, message: `${e.title} ${e.mode} cannot be deployed with Helm: ${e.chart.none}`, suggestion: `choose a mode a chart can express (\`otelstack catalog ${e.engine}\`)${e.mode === 'monolithic' ? ', or a compose / ansible target' : ''}` });
        }
        const parts = t.components.filter((c) => c.engine === e.engine && c.budgeted && !c.sidecarOf);
        if (e.managed && t.env.target !== 'kubernetes' && e.mode !== 'monolithic' && parts.length > 1) {
          out.push({
            severity: 'error', rule: this.id, env: t.env.name, path: `${e.definitionPath}.mode`,
            message: `the ${t.env.target} target runs ${e.title} as one process (-target=all), not in ${e.mode} mode: the plan would budget ${parts.length} components (${parts.map((c) => c.component).join(', ')}) and the one process would run with ${parts[0]!.component}'s resources`,
            suggestion: `use mode monolithic for ${e.title} in ${t.env.name} (size it with components.${defaultMonolith(e.engine)}), or a kubernetes target for ${e.mode}`,
          });
        }
      }
    }
    return out;
  },
};
