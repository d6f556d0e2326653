// The esbuild-based loader of TypeScript definitions (src/model/ts-definition.ts): the bundled example, a
// definition outside this checkout importing 'otelstack', a relative import, and a syntax error with its place.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { defineStack } from '../../src/index.js';
import { importTsDefinition, TsDefinitionError } from '../../src/model/ts-definition.js';
import { ROOT } from '../support/paths.js';
import { tempDir } from '../support/cli.js';

describe('importTsDefinition', () => {
  it('loads examples/dts/stack.ts', async () => {
    const mod = await importTsDefinition(join(ROOT, 'examples/dts/stack.ts'));
    assert.equal((mod['default'] as { name: string }).name, 'dts');
  });

  it("resolves 'otelstack' to this package from a directory outside the checkout, with relative imports", async () => {
    const dir = tempDir('otelstack-def-');
    try {
      writeFileSync(join(dir, 'names.ts'), "export const stackName: string = 'outside';\n");
      writeFileSync(join(dir, 'stack.ts'), "import { defineStack } from 'otelstack';\nimport { stackName } from './names';\nexport default defineStack({ name: stackName } as never);\nexport const same = defineStack;\n");
      const mod = await importTsDefinition(join(dir, 'stack.ts'));
      assert.equal((mod['default'] as { name: string }).name, 'outside');
      assert.equal(mod['same'], defineStack, "the definition's otelstack is this very module, not a second copy");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a syntax error with its line and column', async () => {
    const dir = tempDir('otelstack-def-');
    try {
      writeFileSync(join(dir, 'stack.ts'), "export default {\n  name: 'x',,\n};\n");
      await assert.rejects(importTsDefinition(join(dir, 'stack.ts')), (e: unknown) => {
        assert.ok(e instanceof TsDefinitionError);
        assert.equal(e.location, '2:13');
        assert.match(e.message, /line 2, column 13: name: 'x',,/);
        return true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
