// The sample web app's build (examples/apps/web/build.ts) without a browser: the configuration taken from the
// definition's tenant, the bundle carrying it, the static server serving the build and nothing else, the CLI's bad
// input. test/e2e/browser-rum.test.ts runs the built page in headless Chromium.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { request } from 'undici';

import { buildWebApp, serveWebApp, webAppConfigFor } from '../../../examples/apps/web/build.js';
import { loadStack } from '../../../src/model/load.js';
import { tempDir } from '../../support/cli.js';
import { ROOT } from '../../support/paths.js';

const BUILD = join(ROOT, 'dist', 'examples', 'apps', 'web', 'build.js');

describe('examples/apps/web: built for a tenant of the definition', () => {
  const dir = tempDir('otelstack-sample-web-');
  const closers: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of closers) await c();
  });

  it('takes the tenant\'s sampling and propagateTo from the topology (examples/rum: shop 0.1, blog 1 with its origins)', async () => {
    const { stack } = await loadStack(join(ROOT, 'examples', 'rum'));
    const shop = webAppConfigFor(stack, 'prod', 'shop', { faroUrl: 'https://faro.shop.example.com/', apis: [] });
    assert.equal(shop.samplingRate, 0.1);
    assert.deepEqual(shop.propagateTraceHeaderCorsUrls, ['https://api.shop.example.com']);
    assert.deepEqual(shop.app, { name: 'shop-web', version: '0.1.0', environment: 'prod' });
    // blog names no propagateTo: its own origins
    const blog = webAppConfigFor(stack, 'prod', 'blog', { faroUrl: 'https://faro.blog.example.com/', apis: [] });
    assert.equal(blog.samplingRate, 1);
    assert.deepEqual(blog.propagateTraceHeaderCorsUrls, ['https://blog.example.com']);
  });

  it('bundles the app with its configuration, offline, and serves only the built files', async () => {
    const { stack } = await loadStack(join(ROOT, 'examples', 'rum'));
    const config = webAppConfigFor(stack, 'local', 'shop', { faroUrl: 'http://127.0.0.1:12347/', apis: [{ name: 'shop-api', url: 'http://127.0.0.1:8081/api/items' }] });
    const out = join(dir, 'web');
    const { files } = await buildWebApp(config, out);
    assert.deepEqual(files.map((f) => f.slice(out.length + 1)), ['index.html', 'app.js', 'app.js.map']);
    const js = readFileSync(join(out, 'app.js'), 'utf8');
    // esbuild prints the define's string literal in single quotes (nothing in this configuration needs escaping)
    assert.equal(js.split(`JSON.parse('${JSON.stringify(config)}')`).length, 2, 'the configuration is one string constant of the bundle, parsed once');
    assert.ok(!js.includes('__SAMPLE_WEB_CONFIG__'), 'nothing left to inject');
    assert.ok(!/^\s*import\s/m.test(js), 'one file: every module bundled');

    const server = await serveWebApp(out);
    closers.push(() => server.close());
    const get = async (path: string) => {
      const r = await request(`${server.origin}${path}`, { headersTimeout: 5000, bodyTimeout: 5000 });
      return { status: r.statusCode, type: r.headers['content-type'], text: await r.body.text() };
    };
    const index = await get('/');
    assert.equal(index.status, 200);
    assert.match(index.text, /<script type="module" src="app.js"><\/script>/);
    assert.equal((await get('/app.js')).type, 'text/javascript; charset=utf-8');
    assert.equal((await get('/../package.json')).status, 404);
    assert.equal((await get('/build.js')).status, 404);
  });

  it('the CLI refuses bad input with the reason and exit code 2, writing nothing', () => {
    const out = join(dir, 'cli-out');
    const unknown = spawnSync(process.execPath, [BUILD, '--definition', join(ROOT, 'examples', 'rum'), '--env', 'local', '--tenant', 'nobody', '--faro-url', 'http://127.0.0.1:12347/', '--out', out], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(unknown.status, 2, unknown.stderr);
    assert.match(unknown.stderr, /environment "local" of rum serves no tenant "nobody" \(tenants there: blog, shop\)/);
    const missing = spawnSync(process.execPath, [BUILD, '--env', 'local'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /--definition is required[\s\S]*usage:/);
    const badApi = spawnSync(process.execPath, [BUILD, '--definition', join(ROOT, 'examples', 'rum'), '--env', 'local', '--tenant', 'shop', '--faro-url', 'http://127.0.0.1:12347/', '--out', out, '--api', 'no-equals-sign'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(badApi.status, 2);
    assert.match(badApi.stderr, /--api takes <name>=<url>/);
    assert.throws(() => readFileSync(join(out, 'index.html')), /ENOENT/, 'nothing written');
  });
});
