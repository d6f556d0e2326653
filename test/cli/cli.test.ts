import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BIN, ROOT } from '../support/paths.js';

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('otelstack CLI', () => {
  it('plan of the corrected example exits 0', () => {
    const r = run('plan', 'examples/dts');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Quota increase request for ca7f8f-prod/);
  });
  it('plan of the seed as written exits 1 (error findings) and still prints the breakdown', () => {
    const r = run('plan', 'examples/dts/as-written', '--format', 'markdown');
    assert.equal(r.code, 1);
    assert.match(r.out, /Phase 1 total/);
    assert.match(r.out, /Tempo never had a store-gateway/);
  });
  it('--json prints one parseable object; --env filters', () => {
    const r = run('plan', 'examples/dts', '--json', '--env', 'prod');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as { environments: Array<{ name: string }> };
    assert.deepEqual(j.environments.map((e) => e.name), ['prod']);
  });
  it('bad input exits 2 with file, path, expectation and suggestion, printing nothing to stdout', () => {
    const dir = mkdtempSync(join(tmpdir(), 'otelstack-cli-'));
    const f = join(dir, 'stack.yaml');
    writeFileSync(f, 'name: demo\nobjectStorage: {}\nenvironments:\n  - { name: dev, namespace: d, target: kubernetes, objectStorage: nope }\nsignals: {}\n');
    const r = run('plan', f);
    assert.equal(r.code, 2);
    assert.equal(r.out, '');
    assert.match(r.err, new RegExp(`${escape(f)}: at environments\\[0\\]\\.objectStorage`));
    assert.match(r.err, /expected: /);
    assert.match(r.err, /suggestion: /);
    assert.deepEqual(readdirSync(dir), ['stack.yaml'], 'nothing written');
  });
  it('usage errors exit 2: unknown env, unknown format, missing file, unknown command', () => {
    assert.equal(run('plan', 'examples/dts', '--env', 'staging').code, 2);
    assert.equal(run('plan', 'examples/dts', '--format', 'xml').code, 2);
    assert.equal(run('plan', 'examples/nope').code, 2);
    assert.equal(run('frobnicate').code, 2);
  });
  it('--help works on every command', () => {
    for (const c of [[], ['plan'], ['schema']]) {
      const r = run(...c, '--help');
      assert.equal(r.code, 0);
      assert.match(r.out, /Usage: otelstack/);
    }
  });
  it('schema prints a JSON Schema that knows the definition keys', () => {
    const r = run('schema');
    assert.equal(r.code, 0);
    const s = JSON.parse(r.out) as { properties: Record<string, unknown> };
    for (const k of ['name', 'environments', 'signals', 'policy', 'objectStorage']) assert.ok(k in s.properties, k);
  });
});

describe('otelstack render / diff', () => {
  it('render writes all environments atomically, and --check agrees with the golden output', () => {
    const out = mkdtempSync(join(tmpdir(), 'otelstack-render-'));
    const dir = join(out, 'r');
    const r = run('render', 'examples/dts', '--target', 'kubernetes', '--out', dir);
    assert.equal(r.code, 0, r.err);
    assert.equal(run('render', 'examples/dts', '--target', 'kubernetes', '--out', dir, '--check').code, 0);
    assert.equal(run('render', 'examples/dts', '--target', 'kubernetes', '--out', `${ROOT}examples/dts/rendered`, '--check').code, 0, 'golden output is current');
    writeFileSync(join(dir, 'kubernetes', 'dev', 'extra.yaml'), 'x: 1\n');
    const c = run('render', 'examples/dts', '--target', 'kubernetes', '--out', dir, '--check');
    assert.equal(c.code, 1);
    assert.match(c.out, /not rendered any more: kubernetes\/dev\/extra.yaml/);
  });
  it('a definition that cannot render exits 1 (error findings) and writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'otelstack-render-'));
    const r = run('render', 'examples/dts/as-written', '--out', join(dir, 'out'));
    assert.equal(r.code, 1);
    assert.match(r.err, /nothing was written/);
    assert.deepEqual(readdirSync(dir), []);
  });
  it('render --target compose renders the single-node example', () => {
    const dir = mkdtempSync(join(tmpdir(), 'otelstack-render-'));
    const r = run('render', 'examples/single-node', '--target', 'compose', '--out', join(dir, 'out'), '--json');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as { files: string[] };
    assert.ok(j.files.some((f) => f.endsWith('docker-compose.yaml')));
  });
  it('diff shows what differs between dev and test', () => {
    const r = run('diff', 'examples/dts', '--from', 'dev', '--to', 'test');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /differs: kubernetes\/<env>\/values\/mimir.yaml/);
    assert.match(r.out, /dts-metrics-test-blocks/);
  });
});

describe('otelstack catalog', () => {
  it('lists engines with their versions, modes and charts; --json is parseable', () => {
    const r = run('catalog', 'mimir');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /read-write: mimir-write, mimir-read, mimir-backend — no chart/);
    const j = JSON.parse(run('catalog', '--json').out) as Array<{ engine: string }>;
    assert.ok(j.some((e) => e.engine === 'tempo') && j.some((e) => e.engine === 'kafka'));
  });
});
