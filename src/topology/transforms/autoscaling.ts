/**
 * Autoscaling (definition: signals.<s>.environments.<env>.components.<name>.autoscaling): the component carries its
 * HorizontalPodAutoscaler range and is budgeted at `max` replicas, so the plan's totals and the quota request cover
 * the most it can scale to. Whether the component may scale at all (stateless only) and whether its chart can
 * express it are the plan's rules (src/plan/rules/autoscaling.ts); this transform only records what was asked.
 */
import { AUTOSCALING_DEFAULT_CPU } from '../../model/schema.js';
import type { TopologyTransform } from '../resources.js';
import type { TopoComponent } from '../types.js';

export const applyAutoscaling: TopologyTransform = (t, { stack, env }) => {
  let changed = false;
  const components = t.components.map((c): TopoComponent => {
    const signal = t.engines.find((e) => e.engine === c.engine)?.signal;
    const a = signal ? stack.signals[signal]?.environments[env.name]?.components?.[c.component]?.autoscaling : undefined;
    if (!a) return c;
    changed = true;
    const targetCpu = a.targetCpu ?? (a.targetMemory === undefined ? AUTOSCALING_DEFAULT_CPU : undefined);
    return {
      ...c,
      replicas: a.max,
      autoscaling: { min: a.min, max: a.max, ...(targetCpu !== undefined ? { targetCpu } : {}), ...(a.targetMemory !== undefined ? { targetMemory: a.targetMemory } : {}) },
    };
  });
  return changed ? { ...t, components } : t;
};
