// The npm package as a VM gets it (the canary and backup roles run `npm install --global --prefix … <package>`):
// `npm pack` of this checkout, installed into a temporary prefix by the real npm, then its bin run — the files
// list, the bundle, the code-cache loader and the TypeScript definition loader, outside the repository.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { tempDirs } from '../support/cli.js';
import { ROOT } from '../support/paths.js';

const temp = tempDirs('otelstack-npm-install-');
const npm = (args: string[], cwd: string) => spawnSync('npm', args, { cwd, encoding: 'utf8', timeout: 300_000, env: { ...process.env, npm_config_update_notifier: 'false' } });

describe('the npm package, installed', () => {
  let bin = '';
  let work = '';
  before(() => {
    work = temp();
    const pack = npm(['pack', '--pack-destination', work, '--silent'], ROOT);
    assert.equal(pack.status, 0, `npm pack failed:\n${pack.stderr}`);
    const tgz = readdirSync(work).find((f) => f.endsWith('.tgz'));
    assert.ok(tgz, `npm pack wrote no archive in ${work}`);
    const prefix = join(work, 'prefix');
    // --prefer-offline: the dependencies npm ci already fetched into the npm cache
    const install = npm(['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', join(work, tgz)], work);
    assert.equal(install.status, 0, `npm install of the packed otelstack failed:\n${install.stderr}`);
    bin = join(prefix, 'bin', 'otelstack');
  });
  const run = (args: string[], cwd: string) => spawnSync(bin, args, { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, OTELSTACK_CODE_CACHE: join(work, 'code-cache') } });

  it('answers --version with the package version', () => {
    const r = run(['--version'], work);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout.trim(), /^\d+\.\d+\.\d+/);
  });

  it('plans and renders a TypeScript definition that imports otelstack, from a directory of its own', () => {
    const dir = join(work, 'definition');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'stack.ts'),
      `import { defineStack } from 'otelstack';
export default defineStack({
  name: 'packed',
  environments: [{ name: 'local', target: 'compose', namespace: 'packed-local', objectStorage: 's3' }],
  objectStorage: { s3: { kind: 'seaweedfs', endpoint: 'http://seaweedfs:8333', region: 'us-east-1', credentials: { secretName: 's3', accessKeyIdKey: 'AWS_ACCESS_KEY_ID', secretAccessKeyKey: 'AWS_SECRET_ACCESS_KEY' } } },
  signals: { traces: { engine: 'tempo', version: '3.0.1', environments: { local: { mode: 'monolithic' } } } },
  ingestion: { collector: 'otelcol' },
});
`,
    );
    const plan = run(['plan', 'stack.ts'], dir);
    assert.equal(plan.status, 0, plan.stderr);
    assert.match(plan.stdout, /Plan for packed/);
    for (let i = 0; i < 2; i++) {
      // the second run through the code cache the first one left
      const render = run(['render', 'stack.ts', '--out', `out-${i}`], dir);
      assert.equal(render.status, 0, render.stderr);
      assert.match(render.stdout, /rendered \d+ files for local/);
    }
  });

  it('has the commands the VM roles run (canary, backup)', () => {
    for (const c of ['canary', 'backup']) {
      const r = run([c, '--help'], work);
      assert.equal(r.status, 0, `${c} --help: ${r.stderr}`);
    }
  });
});
