import assert from 'node:assert/strict';
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadStack } from '../../src/model/load.js';
import { otelstackAsync, tempDir } from '../support/cli.js';
import { ROOT } from '../support/paths.js';

/** A TypeScript definition as a platform team writes it in its own repository: typed, importing 'otelstack'. */
function definition(name: string): string {
  return `import { defineStack } from 'otelstack';
import type { StackInput } from 'otelstack';

interface Sizes { gateway: number }
const sizes: Sizes = { gateway: 2 };

const stack: StackInput = defineStack({
  name: '${name}',
  objectStorage: { s3: { kind: 'seaweedfs', endpoint: 'http://seaweedfs:8333', credentials: { secretName: 's3.env' } } },
  environments: [{ name: 'local', namespace: '${name}-local', target: 'compose', objectStorage: 's3' }],
  signals: { traces: { engine: 'tempo', environments: { local: { mode: 'monolithic' } } } },
  ingestion: { collector: 'otelcol', environments: { local: { gateway: { replicas: sizes.gateway } } } },
});
export default stack;
`;
}

describe('TypeScript definitions outside this repository import otelstack', () => {
  it('a definition in a temporary directory with no node_modules (and no package.json) loads', async () => {
    const dir = tempDir('otelstack-outside-');
    assert.ok(!realpathSync(dir).startsWith(realpathSync(ROOT)), 'the directory is outside the checkout');
    writeFileSync(join(dir, 'stack.ts'), definition('outside'));
    const { stack } = await loadStack(dir);
    assert.equal(stack.name, 'outside');
    assert.equal(stack.ingestion?.environments['local']?.gateway.replicas, 2);
  });

  it('a project with otelstack in its node_modules (a CommonJS-scoped package.json) loads', async () => {
    const dir = tempDir('otelstack-project-');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'platform-stacks', private: true }));
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules', 'otelstack'), 'dir');
    mkdirSync(join(dir, 'stacks'));
    writeFileSync(join(dir, 'stacks', 'stack.ts'), definition('project'));
    const { stack } = await loadStack(join(dir, 'stacks', 'stack.ts'));
    assert.equal(stack.name, 'project');
  });

  it('a JavaScript definition outside the checkout loads as well (an ES module, no tsx needed)', async () => {
    const dir = tempDir('otelstack-js-');
    const js = definition('javascript')
      .replace(/^import type .*\n/m, '')
      .replace(/^interface Sizes .*\n/m, '')
      .replace('const sizes: Sizes =', 'const sizes =')
      .replace('const stack: StackInput =', 'const stack =');
    writeFileSync(join(dir, 'stack.js'), js);
    assert.equal((await loadStack(dir)).stack.name, 'javascript');
  });

  it('an edited definition is evaluated again in the same process', async () => {
    const dir = tempDir('otelstack-edit-');
    const file = join(dir, 'stack.ts');
    writeFileSync(file, definition('first'));
    assert.equal((await loadStack(file)).stack.name, 'first');
    writeFileSync(file, definition('second'));
    assert.equal((await loadStack(file)).stack.name, 'second');
  });

  it('the CLI plans a definition from outside the checkout (exit 0)', async () => {
    const dir = tempDir('otelstack-cli-');
    writeFileSync(join(dir, 'stack.ts'), definition('cli'));
    const r = await otelstackAsync(['plan', dir]);
    assert.equal(r.err, '');
    assert.equal(r.code, 0);
    assert.match(r.out, /Plan for cli/);
  });
});

describe('the definition loader loads the TypeScript compiler (esbuild) only for TypeScript', () => {
  // NODE_DEBUG=esm makes Node log every module it links: the evidence of what a command loaded.
  const loaded = async (def: string): Promise<string> => {
    const { spawn } = await import('node:child_process');
    return new Promise((resolve) => {
      const p = spawn(process.execPath, [join(ROOT, 'bin/otelstack.js'), 'plan', def], { cwd: ROOT, env: { ...process.env, NODE_DEBUG: 'esm', OTELSTACK_CODE_CACHE: 'off' }, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
      p.on('exit', () => {
        clearTimeout(timer);
        resolve(err);
      });
    });
  };
  it('a YAML definition does not load esbuild', async () => {
    const log = await loaded('examples/single-node');
    // the CLI runs from its bundle (scripts/bundle.mjs) through the code-cache loader, whose import()s the log shows
    assert.match(log, /Storing file:\/\/.*\/dist\/src\/cli\/code-cache\.js/, 'the log lists loaded modules');
    assert.doesNotMatch(log, /node_modules\/(esbuild|tsx)\//);
  });
  it('a TypeScript definition loads esbuild', async () => {
    const log = await loaded('examples/dts');
    assert.match(log, /node_modules\/esbuild\//);
  });
});
