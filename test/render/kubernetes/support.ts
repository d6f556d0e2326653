import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadStack } from '../../../src/model/load.js';
import type { Stack } from '../../../src/model/schema.js';
import { readFileSet, type FileSet } from '../../../src/render/fileset.js';
import { renderKubernetesAll } from '../../../src/render/kubernetes/index.js';
import type { RenderResult } from '../../../src/render/types.js';
import { expand } from '../../../src/topology/expand.js';

/** repository root (tests run from dist/test/render/kubernetes) */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const EXAMPLE = join(ROOT, 'examples/dts');
export const GOLDEN_DIR = join(EXAMPLE, 'rendered/kubernetes');

export async function exampleStack(): Promise<Stack> {
  return (await loadStack(EXAMPLE)).stack;
}

export function renderAll(stack: Stack): RenderResult {
  return renderKubernetesAll(stack, stack.environments.map((e) => expand(stack, e.name)));
}

/** The golden files, keyed like the renderer's FileSet (kubernetes/<env>/…). */
export function readGolden(): FileSet {
  return new Map([...readFileSet(GOLDEN_DIR)].map(([k, v]) => [`kubernetes/${k}`, v]));
}
