import { highestPhase } from '../../topology/transforms/phase.js';
import type { Finding, Rule } from '../findings.js';

/**
 * Rollout phases as render emits them (src/topology/transforms/phase.ts): an environment's currentPhase names a phase
 * the definition has, and nothing rendered in a phase writes through a managed Kafka cluster that only arrives in a
 * later one (render of that phase would have no Kafka for it).
 */
export const phases: Rule = {
  id: 'phases',
  description: 'currentPhase is a phase the definition uses; Kafka arrives no later than what writes through it',
  check({ stack, topologies }) {
    const out: Finding[] = [];
    const highest = highestPhase(stack);
    for (const t of topologies) {
      const env = t.env.name;
      const current = stack.environments[t.env.index]?.currentPhase;
      if (current !== undefined && current > highest) {
        out.push({
          severity: 'error', rule: this.id, env, path: `environments[${t.env.index}].currentPhase`,
          message: `currentPhase ${current} is above the highest phase the definition uses (${highest})`,
          suggestion: `use a phase from 1 to ${highest}, or remove currentPhase (every phase renders)`,
        });
      }
      const broker = t.kafka?.managed ? t.components.find((c) => c.engine === 'kafka' && c.component === 'broker') : undefined;
      if (!broker || !t.kafka) continue;
      const writers = [
        ...t.engines.filter((e) => e.kafka && e.phase < broker.phase).map((e) => ({ what: `${e.title} (${e.signal})`, phase: e.phase })),
        ...(t.ingestion?.kafkaBuffer && broker.phase > 1 ? [{ what: 'the collectors\' Kafka buffer', phase: 1 }] : []),
      ];
      for (const w of writers) {
        out.push({
          severity: 'error', rule: this.id, env, path: `${t.kafka.definitionPath}.phase`,
          message: `${w.what} writes through Kafka from phase ${w.phase}, but the Kafka cluster of ${env} arrives only in phase ${broker.phase}: the phase ${w.phase} render has no Kafka for it`,
          suggestion: `set kafka.environments.${env}.phase to ${w.phase}, or move ${w.what} to phase ${broker.phase}`,
        });
      }
    }
    return out;
  },
};
