import type { Stack } from '../model/schema.js';
import type { Finding } from '../plan/findings.js';
import type { Topology } from '../topology/types.js';
import type { FileSet } from './fileset.js';

/** What a renderer gets: the whole validated stack (for cross-environment settings) and one environment's topology. */
export interface RenderInput {
  stack: Stack;
  topology: Topology;
}

/** A renderer refuses what it cannot express with findings (severity error → the CLI exits 1, nothing written). */
export interface RenderResult {
  files: FileSet;
  findings: Finding[];
}

export type Renderer = (input: RenderInput) => RenderResult;
