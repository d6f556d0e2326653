import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadStack } from '../../../src/model/load.js';
import type { Stack } from '../../../src/model/schema.js';
import { readFileSet, type FileSet } from '../../../src/render/fileset.js';
import { renderStack } from '../../../src/render/index.js';
import { renderKubernetesAll } from '../../../src/render/kubernetes/index.js';
import type { RenderResult } from '../../../src/render/types.js';
import { renderTopology } from '../../../src/render/topology.js';
import { highestPhase } from '../../../src/topology/transforms/phase.js';

/** repository root (tests run from dist/test/render/kubernetes) */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const EXAMPLE = join(ROOT, 'examples/dts');
/** the golden copy of `otelstack render examples/dts --target kubernetes` */
export const GOLDEN_DIR = join(EXAMPLE, 'rendered');

/** examples/production (seed 001's production topology) and its golden copy of `otelstack render examples/production` */
export const PRODUCTION = join(ROOT, 'examples/production');
export const PRODUCTION_GOLDEN_DIR = join(PRODUCTION, 'rendered');

/** examples/buffered (OTel Collector pools with a Kafka buffer and KEDA on Kubernetes) and its golden render */
export const BUFFERED = join(ROOT, 'examples/buffered');
export const BUFFERED_GOLDEN_DIR = join(BUFFERED, 'rendered');
/** examples/rum (tenants, seed 003): compose local and Kubernetes prod, rendered with --target all */
export const RUM = join(ROOT, 'examples/rum');
export const RUM_GOLDEN_DIR = join(RUM, 'rendered');

export async function productionStack(): Promise<{ stack: Stack; file: string }> {
  return loadStack(PRODUCTION);
}

/** What `otelstack render examples/production` writes (every target of the example; all are Kubernetes). */
export function renderProduction(stack: Stack): FileSet {
  return renderStack(stack, {}).files;
}

export async function exampleStack(): Promise<Stack> {
  return (await loadStack(EXAMPLE)).stack;
}

/**
 * The Kubernetes renderer over every environment at every phase (what `render --phase <highest>` writes, minus the
 * shared review configs): examples/dts renders Pyroscope (phase 3) only like this, its default render stops at
 * currentPhase 1.
 */
export function renderAll(stack: Stack, phase: number = highestPhase(stack)): RenderResult {
  return renderKubernetesAll(stack, stack.environments.map((e) => renderTopology(stack, e.name, phase)), phase);
}

/** What `otelstack render examples/dts --target kubernetes [--phase N]` writes (Kubernetes objects plus shared configs). */
export function renderGolden(stack: Stack, phase?: number): FileSet {
  return renderStack(stack, { target: 'kubernetes', ...(phase !== undefined ? { phase } : {}) }).files;
}

/** The golden files, keyed like the rendered FileSet. */
export function readGolden(): FileSet {
  return readFileSet(GOLDEN_DIR);
}
