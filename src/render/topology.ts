import type { Stack } from '../model/schema.js';
import { expand } from '../topology/expand.js';
import { currentPhase, selectPhase } from '../topology/transforms/phase.js';
import type { Topology } from '../topology/types.js';

/**
 * One environment's topology as the renderers see it: expanded, then narrowed to the phases it has reached —
 * `phase` (render/diff `--phase N`) when given, else the environment's currentPhase (default: every phase).
 * The plan expands without this selection, so it still shows every phase.
 */
export function renderTopology(stack: Stack, envName: string, phase?: number): Topology {
  return selectPhase(expand(stack, envName), phase ?? currentPhase(stack, envName));
}
