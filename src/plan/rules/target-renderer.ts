import type { Target } from '../../model/schema.js';
import type { Finding, Rule } from '../findings.js';

/** Deployment targets otelstack has a renderer for (src/render/index.ts RENDERERS asserts the same list). */
export const RENDERED_TARGETS: readonly Target[] = ['kubernetes', 'compose', 'ansible'];

/** An environment whose target has no renderer cannot be rendered (render refused it; now the plan does). */
export const targetRenderer: Rule = {
  id: 'target-renderer',
  description: "every environment's target has a renderer",
  check({ topologies }) {
    const out: Finding[] = [];
    for (const { env } of topologies) {
      if (RENDERED_TARGETS.includes(env.target)) continue;
      out.push({ severity: 'error', rule: this.id, env: env.name, path: `environments[${env.index}].target`, message: `the ${env.target} target has no renderer`, suggestion: 'use target kubernetes, compose or ansible' });
    }
    return out;
  },
};
