import type { ComponentFacts, ComponentPath, Sizing } from './types.js';

/** Shorthand for catalog tables: comp('ingester', 'write', sizing, [1, 3], { stateful: true, replicated: true }). */
export function comp(
  name: string,
  path: ComponentPath,
  defaults: Sizing,
  replicas: [single: number, ha: number],
  opts: Partial<Pick<ComponentFacts, 'stateful' | 'replicated' | 'singleton' | 'optional' | 'note' | 'whenAbsent' | 'minReplicas' | 'runs'>> = {},
): ComponentFacts {
  return {
    name,
    path,
    stateful: opts.stateful ?? false,
    defaults,
    replicas: { single: replicas[0], ha: replicas[1] },
    // a component the engine needs (not optional) cannot run at 0 replicas; an optional one at 0 is simply off
    minReplicas: opts.minReplicas ?? (opts.optional ? 0 : 1),
    ...(opts.replicated ? { replicated: true } : {}),
    ...(opts.singleton ? { singleton: true } : {}),
    ...(opts.optional ? { optional: true } : {}),
    ...(opts.runs ? { runs: opts.runs } : {}),
    ...(opts.note ? { note: opts.note } : {}),
    ...(opts.whenAbsent ? { whenAbsent: opts.whenAbsent } : {}),
  };
}
