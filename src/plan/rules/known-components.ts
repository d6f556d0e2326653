import { engine, versionLine } from '../../catalog/index.js';
import type { Finding, Rule } from '../findings.js';

const WHY: Record<string, string> = {
  'tempo/store-gateway': 'Tempo never had a store-gateway (that is a Mimir, Loki and Pyroscope component): Tempo queriers read blocks from object storage directly',
  'tempo/ingester': 'Tempo 3 replaced ingesters with block-builders and live-stores fed from Kafka',
  'tempo/compactor': 'Tempo 3 replaced the compactor with the backend-scheduler and backend-workers',
};

/** A component the engine, at the version and mode asked for, does not have. */
export const knownComponents: Rule = {
  id: 'known-components',
  description: 'components exist in the engine version and mode the definition asks for',
  check({ topologies, stack }) {
    const out: Finding[] = [];
    for (const t of topologies) {
      for (const c of t.components) {
        if (c.known) continue;
        const e = t.engines.find((x) => x.engine === c.engine)!;
        const facts = engine(c.engine)!;
        const line = versionLine(facts, stack.signals[e.signal]?.version);
        const has = line?.modes[e.mode]?.components.map((x) => x.name) ?? [];
        const why = WHY[`${c.engine}/${c.component}`] ?? `${e.title} ${e.versionLine}.x in ${e.mode} mode has no ${c.component}`;
        out.push({
          severity: 'error', rule: this.id, env: t.env.name, path: c.definitionPath,
          message: `${why}. ${e.title} ${e.versionLine}.x ${e.mode} has: ${has.join(', ')}`,
          suggestion: `remove ${c.component}; its ${c.replicas} replica(s) are still counted in the totals below`,
        });
      }
    }
    return out;
  },
};
