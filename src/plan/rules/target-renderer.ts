import type { Target } from '../../model/schema.js';
import type { Finding, Rule } from '../findings.js';

/** Deployment targets otelstack has a renderer for (src/render/index.ts RENDERERS asserts the same list). */
export const RENDERED_TARGETS: readonly Target[] = ['kubernetes', 'compose'];

/** An environment whose target has no renderer yet cannot be rendered (render refused it; now the plan does). */
export const targetRenderer: Rule = {
  id: 'target-renderer',
  description: "every environment's target has a renderer",
  check({ stack }) {
    const out: Finding[] = [];
    stack.environments.forEach((e, i) => {
      if (RENDERED_TARGETS.includes(e.target)) return;
      out.push({ severity: 'error', rule: this.id, env: e.name, path: `environments[${i}].target`, message: `the ${e.target} renderer is not available yet`, suggestion: 'use target kubernetes or compose for now' });
    });
    return out;
  },
};
