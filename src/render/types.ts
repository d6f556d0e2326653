import type { Stack } from '../model/schema.js';
import type { Finding } from '../plan/findings.js';
import type { Topology } from '../topology/types.js';
import type { FileSet } from './fileset.js';

/** What a renderer gets: the whole validated stack (for cross-environment settings) and one environment's topology. */
export interface RenderInput {
  stack: Stack;
  topology: Topology;
  /**
   * `render --phase N`: the phase every environment is rendered at (its topology is already narrowed to it);
   * undefined = each environment's currentPhase. Renderers that read other environments' topologies (the shared
   * Alloy, the shared Grafana's dashboards) narrow them the same way (src/render/topology.ts).
   */
  phase?: number;
}

/** Findings of a renderer: warnings and infos for the CLI to print. Refusals are the plan's rules' (src/plan verdict); a renderer's own error finding is an internal guard (the CLI still exits 1, nothing written). */
export interface RenderResult {
  files: FileSet;
  findings: Finding[];
}

export type Renderer = (input: RenderInput) => RenderResult;
