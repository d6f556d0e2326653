import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadStack } from '../../../src/model/load.js';
import type { Stack } from '../../../src/model/schema.js';
import { readFileSet, type FileSet } from '../../../src/render/fileset.js';
import { renderStack } from '../../../src/render/index.js';
import { renderKubernetesAll } from '../../../src/render/kubernetes/index.js';
import type { RenderResult } from '../../../src/render/types.js';
import { expand } from '../../../src/topology/expand.js';

/** repository root (tests run from dist/test/render/kubernetes) */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const EXAMPLE = join(ROOT, 'examples/dts');
/** the golden copy of `otelstack render examples/dts --target kubernetes` */
export const GOLDEN_DIR = join(EXAMPLE, 'rendered');

/** examples/production (seed 001's production topology) and its golden copy of `otelstack render examples/production` */
export const PRODUCTION = join(ROOT, 'examples/production');
export const PRODUCTION_GOLDEN_DIR = join(PRODUCTION, 'rendered');

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

export function renderAll(stack: Stack): RenderResult {
  return renderKubernetesAll(stack, stack.environments.map((e) => expand(stack, e.name)));
}

/** What `otelstack render examples/dts --target kubernetes` writes (Kubernetes objects plus shared configs). */
export function renderGolden(stack: Stack): FileSet {
  return renderStack(stack, { target: 'kubernetes' }).files;
}

/** The golden files, keyed like the rendered FileSet. */
export function readGolden(): FileSet {
  return readFileSet(GOLDEN_DIR);
}
