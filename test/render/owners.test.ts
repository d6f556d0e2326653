// renderStack's file owners (which environments produce each file, for the manifest) are what rendering each
// environment alone gives — the definition of ownership — for every example, every environment subset and phase.
import assert from 'node:assert/strict';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadStack } from '../../src/model/load.js';
import type { Stack } from '../../src/model/schema.js';
import { renderStack } from '../../src/render/index.js';
import { ROOT } from '../support/paths.js';

/** Ownership by definition: a file of an environment's render alone is that environment's. */
function ownersByRenderingAlone(stack: Stack, envs: string[], phase?: number): Map<string, string[]> {
  const selected = renderStack(stack, { ...(envs.length === 1 ? { env: envs[0] } : {}), ...(phase !== undefined ? { phase } : {}) });
  const owners = new Map<string, string[]>();
  if (envs.length === 1) {
    for (const p of selected.files.keys()) owners.set(p, [envs[0]!]);
    return owners;
  }
  for (const env of envs) {
    for (const p of renderStack(stack, { env, ...(phase !== undefined ? { phase } : {}) }).files.keys()) if (selected.files.has(p)) owners.set(p, [...(owners.get(p) ?? []), env]);
  }
  for (const p of selected.files.keys()) if (!owners.has(p)) owners.set(p, [...envs]);
  return owners;
}

const examples = readdirSync(join(ROOT, 'examples'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && ['stack.ts', 'stack.yaml'].some((f) => existsSync(join(ROOT, 'examples', d.name, f))))
  .map((d) => d.name);

describe('renderStack owners: the same as rendering each environment alone', () => {
  for (const name of examples) {
    it(`examples/${name}: every environment, and each one alone`, async () => {
      const { stack } = await loadStack(join(ROOT, 'examples', name));
      const envs = stack.environments.map((e) => e.name);
      const phases = name === 'dts' ? [undefined, 3] : [undefined];
      for (const phase of phases) {
        const r = renderStack(stack, phase !== undefined ? { phase } : {});
        assert.deepEqual(r.owners, ownersByRenderingAlone(stack, envs, phase), `${name} phase ${phase ?? 'current'}`);
        for (const env of envs) assert.deepEqual(renderStack(stack, { env, ...(phase !== undefined ? { phase } : {}) }).owners, ownersByRenderingAlone(stack, [env], phase), `${name} ${env}`);
      }
      // a file several environments render belongs to all of them (the shared Alloy's values, when there is one)
      const shared = [...renderStack(stack).owners.values()].some((o) => o.length > 1);
      if (name === 'dts') assert.ok(shared, 'dts: kubernetes/shared files are shared by dev, test, prod');
    });
  }
});
