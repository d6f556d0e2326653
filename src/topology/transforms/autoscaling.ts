/**
 * Autoscaling: a component carries its HorizontalPodAutoscaler range and is budgeted at `max` replicas, so the
 * plan's totals and the quota request cover the most it can scale to. Two places in the definition ask for it:
 *  - an engine's component: signals.<s>.environments.<env>.components.<name>.autoscaling;
 *  - a collector pool: ingestion.environments.<env>.gateway.autoscaling (CPU), and .processor.autoscaling (a
 *    Kafka-fed pool: consumer lag through KEDA, where the environment says the cluster has it); sidecars of the
 *    pool (the alloy chart's config-reloader) follow it to max.
 * Whether the component may scale at all (stateless only) and whether its chart can express it are the plan's
 * rules (src/plan/rules/autoscaling.ts); this transform only records what was asked. It runs after the
 * collection layer is added, so the pools are there to scale, and sets the layer's pool sizes to max as well:
 * what renders the pools (compose, VMs, deploy) and the sizing read those, and must count what the plan budgets.
 */
import { AUTOSCALING_DEFAULT_CPU, type Autoscaling } from '../../model/schema.js';
import type { z } from 'zod';
import type { TopologyTransform } from '../resources.js';
import type { ComponentAutoscaling, IngestionPlan, TopoComponent } from '../types.js';

type Asked = NonNullable<z.infer<typeof Autoscaling>>;

/**
 * The range as asked. A CPU target is implied only where CPU is what scales the component: a Kafka-fed processor
 * pool scales on consumer lag (its ScaledObject adds CPU or memory triggers only when the definition names them).
 */
function range(a: Asked, onLag: boolean): ComponentAutoscaling {
  const targetCpu = a.targetCpu ?? (a.targetMemory === undefined && !onLag ? AUTOSCALING_DEFAULT_CPU : undefined);
  return {
    min: a.min,
    max: a.max,
    scaler: onLag ? 'keda' : 'hpa',
    ...(targetCpu !== undefined ? { targetCpu } : {}),
    ...(a.targetMemory !== undefined ? { targetMemory: a.targetMemory } : {}),
    ...(a.targetLag !== undefined ? { targetLag: a.targetLag } : {}),
  };
}

export const applyAutoscaling: TopologyTransform = (t, { stack, env }) => {
  const ing = stack.ingestion;
  const pools = ing?.environments[env.name];
  const asked = (c: TopoComponent): Asked | undefined => {
    if (ing && c.engine === ing.collector) return c.component === 'gateway' ? pools?.gateway.autoscaling : c.component === 'processor' ? pools?.processor?.autoscaling : undefined;
    const signal = t.engines.find((e) => e.engine === c.engine)?.signal;
    return signal ? stack.signals[signal]?.environments[env.name]?.components?.[c.component]?.autoscaling : undefined;
  };
  const scaled = new Map<string, ComponentAutoscaling>();
  for (const c of t.components) {
    const a = asked(c);
    if (a) scaled.set(`${c.engine}/${c.component}`, range(a, c.engine === ing?.collector && c.component === 'processor'));
  }
  if (scaled.size === 0) return t;
  const components = t.components.map((c): TopoComponent => {
    const a = scaled.get(`${c.engine}/${c.component}`);
    if (a) return { ...c, replicas: a.max, autoscaling: a };
    // a sidecar runs in every pod of the component it belongs to
    const of = c.sidecarOf ? scaled.get(`${c.engine}/${c.sidecarOf.component}`) : undefined;
    return of ? { ...c, replicas: of.max } : c;
  });
  const ingestion = t.ingestion && ing ? poolSizes(t.ingestion, scaled.get(`${ing.collector}/gateway`), scaled.get(`${ing.collector}/processor`)) : t.ingestion;
  return { ...t, components, ...(ingestion ? { ingestion } : {}) };
};

function poolSizes(layer: IngestionPlan, gateway: ComponentAutoscaling | undefined, processor: ComponentAutoscaling | undefined): IngestionPlan {
  return {
    ...layer,
    ...(gateway ? { gatewayReplicas: gateway.max } : {}),
    ...(processor && layer.kafkaBuffer ? { processorReplicas: processor.max } : {}),
  };
}
