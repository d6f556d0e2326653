import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BIN, ROOT } from '../support/paths.js';

// bin/otelstack.js runs the CLI bundle through a V8 code cache (src/cli/code-cache.ts): these run the real bin
const work = mkdtempSync(join(tmpdir(), 'otelstack-code-cache-'));
after(() => rmSync(work, { recursive: true, force: true }));

function run(env: Record<string, string>, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
/** Every file under dir, relative, with its content. */
function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), `${rel}${e.name}/`);
      else out.set(`${rel}${e.name}`, readFileSync(join(d, e.name), 'utf8'));
    }
  };
  walk(dir, '');
  return out;
}
/** The bundle's code cache entries (<bundle hash>/<command>.bin); compiled definitions are under definitions/. */
const entries = (cache: string): string[] => (existsSync(cache) ? readdirSync(cache).filter((d) => d !== 'definitions').flatMap((d) => readdirSync(join(cache, d)).map((f) => join(cache, d, f))) : []);
const definitions = (cache: string): string[] => (existsSync(join(cache, 'definitions')) ? readdirSync(join(cache, 'definitions')) : []);

describe('the CLI code cache', () => {
  // a TypeScript definition: esbuild and the compiled definition are imported from inside the cached bundle
  const render = (cache: string, out: string) => run({ OTELSTACK_CODE_CACHE: cache }, 'render', 'examples/dts', '--target', 'kubernetes', '--out', join(work, out));

  it('the first run of a command keeps an entry for it; the next run uses it and renders the same bytes', () => {
    const cache = join(work, 'cache-a');
    const first = render(cache, 'a1');
    assert.equal(first.code, 0, first.err);
    const [entry, ...more] = entries(cache);
    assert.ok(entry && entry.endsWith('render.bin'), `one entry for render: ${entries(cache).join(', ')}`);
    assert.deepEqual(more, []);
    const before = statSync(entry).mtimeMs;
    const second = render(cache, 'a2');
    assert.equal(second.code, 0, second.err);
    assert.equal(statSync(entry).mtimeMs, before, 'an accepted entry is not written again');
    const off = render('off', 'a3');
    assert.equal(off.code, 0, off.err);
    assert.deepEqual(tree(join(work, 'a2', 'kubernetes')), tree(join(work, 'a3', 'kubernetes')));
    assert.deepEqual(tree(join(work, 'a1', 'kubernetes')), tree(join(work, 'a3', 'kubernetes')));
    assert.equal(second.err, off.err, 'the same findings');
  });

  it('a corrupt or foreign entry is recompiled and replaced, never trusted', () => {
    const cache = join(work, 'cache-b');
    assert.equal(render(cache, 'b1').code, 0);
    const [entry] = entries(cache);
    const header = readFileSync(entry!).subarray(0, readFileSync(entry!).indexOf(10)).toString();
    for (const bad of [Buffer.from('not a header\nxx'), Buffer.concat([Buffer.from(`${header}\n`), Buffer.alloc(4096, 7)]), Buffer.from(`${header.replace(/"size":\d+/, '"size":1')}\nxx`)]) {
      writeFileSync(entry!, bad);
      const r = render(cache, 'b2');
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(tree(join(work, 'b2', 'kubernetes')), tree(join(work, 'b1', 'kubernetes')));
      const now = readFileSync(entry!);
      assert.ok(now.length > 100_000 && now.subarray(0, now.indexOf(10)).toString() === header, 'replaced by a fresh entry');
    }
  });

  it('a usage error keeps nothing, and OTELSTACK_CODE_CACHE=off writes nothing under the cache home', () => {
    const cache = join(work, 'cache-c');
    const r = run({ OTELSTACK_CODE_CACHE: cache }, 'rendr', 'examples/dts');
    assert.equal(r.code, 2);
    assert.deepEqual(entries(cache), []);
    const home = join(work, 'home');
    const off = run({ OTELSTACK_CODE_CACHE: 'off', XDG_CACHE_HOME: join(home, '.cache'), HOME: home }, 'plan', 'examples/single-node');
    assert.equal(off.code, 0, off.err);
    assert.equal(existsSync(home), false);
    // by default the entry lives under $XDG_CACHE_HOME/otelstack/code-cache
    const env = { XDG_CACHE_HOME: join(home, '.cache'), OTELSTACK_CODE_CACHE: '' };
    assert.equal(run(env, 'plan', 'examples/single-node').code, 0);
    assert.deepEqual(entries(join(home, '.cache', 'otelstack', 'code-cache')).map((f) => f.split('/').pop()), ['plan.bin']);
  });

  it('an unwritable cache costs nothing but time', () => {
    const file = join(work, 'not-a-dir');
    writeFileSync(file, 'x');
    const r = run({ OTELSTACK_CODE_CACHE: join(file, 'cache') }, 'plan', 'examples/single-node');
    assert.equal(r.code, 0, r.err);
    assert.equal(readFileSync(file, 'utf8'), 'x');
  });

  it('an unchanged TypeScript definition is not compiled again; an edit to it or to a file it imports is', () => {
    const cache = join(work, 'cache-d');
    const dir = join(work, 'def');
    mkdirSync(dir);
    const stack = readFileSync(join(ROOT, 'examples', 'dts', 'stack.ts'), 'utf8');
    writeFileSync(join(dir, 'name.ts'), "export const NAME = 'first';\n");
    writeFileSync(join(dir, 'stack.ts'), `import { NAME } from './name.js';\n${stack.replace(/name: '([^']+)'/, 'name: `${NAME}-$1`')}`);
    const plan = () => run({ OTELSTACK_CODE_CACHE: cache, NODE_DEBUG: 'esm' }, 'plan', join(dir, 'stack.ts'), '--json');
    const esbuildLoaded = (r: { err: string }) => /node_modules\/esbuild\//.test(r.err);
    const nameOf = (r: { out: string }) => (JSON.parse(r.out) as { stack: string }).stack;
    const a = plan();
    assert.ok(esbuildLoaded(a), 'the first run compiles');
    assert.match(nameOf(a), /^first-/);
    const b = plan();
    assert.ok(!esbuildLoaded(b), 'the second run reads the compiled definition');
    assert.equal(nameOf(b), nameOf(a));
    writeFileSync(join(dir, 'name.ts'), "export const NAME = 'second';\n");
    const c = plan();
    assert.ok(esbuildLoaded(c), 'an edited import compiles again');
    assert.match(nameOf(c), /^second-/);
    assert.equal(definitions(cache).length, 1, 'one entry per definition, replaced when it changes');
  });
});

