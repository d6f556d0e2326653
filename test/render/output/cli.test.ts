import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { otelstackAsync, tempDir } from '../../support/cli.js';
import { BIN, ROOT } from '../../support/paths.js';
import { snapshot } from './tree.js';

const tmp = () => tempDir('otelstack-out-');
/** The CLI with extra environment variables (the crash hook); otherwise test/support/cli.ts. */
function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}
const notState = (r: string) => r.startsWith('.otelstack');
/** A user's repository: .git with a read-only object, a README with its own mode, a hand-written overlay. */
function gitRepoLike(): { dir: string; before: Map<string, string> } {
  const dir = tmp();
  mkdirSync(join(dir, '.git/objects/ab'), { recursive: true });
  writeFileSync(join(dir, '.git/HEAD'), 'ref: refs/heads/main\n');
  writeFileSync(join(dir, '.git/objects/ab/cdef'), 'blob');
  chmodSync(join(dir, '.git/objects/ab/cdef'), 0o444);
  writeFileSync(join(dir, 'README.md'), '# my gitops repo\n');
  chmodSync(join(dir, 'README.md'), 0o600);
  mkdirSync(join(dir, 'compose/local'), { recursive: true });
  writeFileSync(join(dir, 'compose/local/override.yaml'), 'services: {}\n');
  chmodSync(dir, 0o750);
  return { dir, before: snapshot(dir) };
}
function assertKept(dir: string, before: Map<string, string>) {
  const after = snapshot(dir);
  for (const [p, v] of before) assert.equal(after.get(p), v, `${p} byte- and mode-identical`);
}

describe('render --out: owns only what it wrote (CLI)', () => {
  it('render --out . in a git repository keeps .git, README and overlays byte-identical, modes included', async () => {
    const { dir, before } = gitRepoLike();
    const r = await otelstackAsync(['render', `${ROOT}examples/single-node`, '--out', dir, '--json']);
    assert.equal(r.code, 0, r.err);
    assertKept(dir, before);
    const j = JSON.parse(r.out) as { created: string[]; findings: Array<{ rule: string }> };
    assert.ok(j.created.includes('compose/local/docker-compose.yaml'));
    assert.ok(j.findings.length > 0, '--json includes the findings');
    assert.ok(existsSync(join(dir, '.otelstack/single.manifest.json')));
    assert.equal((await otelstackAsync(['render', `${ROOT}examples/single-node`, '--out', dir])).code, 0, 'a re-render is fine');
    assertKept(dir, before);
  });
  it('--out an existing file is exit 2 with one message; the file is unchanged', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'f'), 'precious');
    const r = await otelstackAsync(['render', 'examples/single-node', '--out', join(dir, 'f')]);
    assert.equal(r.code, 2);
    assert.match(r.err, /cannot render into .*\/f: it is a file, not a directory/);
    assert.equal(readFileSync(join(dir, 'f'), 'utf8'), 'precious');
    assert.deepEqual(readdirSync(dir), ['f']);
  });
  it('the examples rendered into one out/ keep each other (dts then single-node), and --check agrees for both', async () => {
    const out = join(tmp(), 'out');
    assert.equal((await otelstackAsync(['render', 'examples/dts', '--out', out])).code, 0);
    const dts = snapshot(out, notState);
    assert.equal((await otelstackAsync(['render', 'examples/single-node', '--out', out])).code, 0);
    assertKept(out, dts);
    assert.ok(existsSync(join(out, 'compose/local/docker-compose.yaml')));
    assert.equal((await otelstackAsync(['render', 'examples/dts', '--out', out, '--check'])).code, 0);
    assert.equal((await otelstackAsync(['render', 'examples/single-node', '--out', out, '--check'])).code, 0);
  });
  it('environments share a directory: --env test keeps dev; an environment dropped from the definition is removed', async () => {
    const dir = tmp();
    const def = parse(readFileSync(`${ROOT}examples/single-node/stack.yaml`, 'utf8')) as Record<string, unknown>;
    const twoEnvs = structuredClone(def) as { environments: Array<Record<string, unknown>> } & Record<string, unknown>;
    twoEnvs.environments.push({ ...twoEnvs.environments[0], name: 'second', namespace: 'single-second' });
    const addSecond = (v: unknown): void => {
      if (!v || typeof v !== 'object') return;
      for (const [k, x] of Object.entries(v)) {
        if (k === 'environments' && x && typeof x === 'object' && !Array.isArray(x) && 'local' in x) (x as Record<string, unknown>)['second'] = structuredClone((x as Record<string, unknown>)['local']);
        else addSecond(x);
      }
    };
    addSecond(twoEnvs);
    mkdirSync(join(dir, 'def'));
    writeFileSync(join(dir, 'def/stack.yaml'), stringify(twoEnvs));
    const out = join(dir, 'out');
    assert.equal((await otelstackAsync(['render', join(dir, 'def'), '--env', 'local', '--out', out])).code, 0);
    const r = await otelstackAsync(['render', join(dir, 'def'), '--env', 'second', '--out', out]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(readdirSync(join(out, 'compose')).sort(), ['local', 'second']);
    const m = JSON.parse(readFileSync(join(out, '.otelstack/single.manifest.json'), 'utf8')) as { environments: Record<string, unknown> };
    assert.deepEqual(Object.keys(m.environments), ['local', 'second']);
    // drop "second" from the definition: --check calls its files stale, a full render removes them
    writeFileSync(join(dir, 'def/stack.yaml'), stringify(def));
    const c = await otelstackAsync(['render', join(dir, 'def'), '--out', out, '--check']);
    assert.equal(c.code, 1);
    assert.match(c.out, /not rendered any more: compose\/second\/docker-compose.yaml/);
    assert.equal((await otelstackAsync(['render', join(dir, 'def'), '--out', out])).code, 0);
    assert.deepEqual(readdirSync(join(out, 'compose')), ['local']);
  });
  it('an edited file is a refusal (exit 2, nothing changed, names the file and --force); --force overwrites just it', async () => {
    const { dir } = gitRepoLike();
    assert.equal((await otelstackAsync(['render', 'examples/single-node', '--out', dir])).code, 0);
    writeFileSync(join(dir, 'compose/local/loki.yaml'), 'edited: by hand\n');
    writeFileSync(join(dir, 'compose/local/tempo.yaml'), 'edited: too\n');
    const before = snapshot(dir);
    const r = await otelstackAsync(['render', 'examples/single-node', '--out', dir]);
    assert.equal(r.code, 2);
    assert.match(r.err, /refusing to overwrite 2 file\(s\)/);
    assert.match(r.err, /compose\/local\/loki.yaml \(edited since render wrote it\)/);
    assert.match(r.err, /--force to overwrite just those 2 file\(s\)/);
    assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
    assert.deepEqual(snapshot(dir), before, 'nothing changed');
    const f = await otelstackAsync(['render', 'examples/single-node', '--out', dir, '--force']);
    assert.equal(f.code, 0, f.err);
    assert.match(f.out, /overwrote \(--force\): compose\/local\/loki.yaml, compose\/local\/tempo.yaml/);
    const after = snapshot(dir);
    for (const [p, v] of before) if (!p.startsWith('.otelstack') && p !== 'compose/local/loki.yaml' && p !== 'compose/local/tempo.yaml') assert.equal(after.get(p), v, p);
    assert.equal((await otelstackAsync(['render', 'examples/single-node', '--out', dir, '--check'])).code, 0);
  });
  it('a hand-written file where render writes is refused too', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'compose/local'), { recursive: true });
    writeFileSync(join(dir, 'compose/local/docker-compose.yaml'), 'mine\n');
    const r = await otelstackAsync(['render', 'examples/single-node', '--out', dir]);
    assert.equal(r.code, 2);
    assert.match(r.err, /compose\/local\/docker-compose.yaml \(not written by otelstack render\)/);
    assert.deepEqual(readdirSync(join(dir, 'compose/local')), ['docker-compose.yaml']);
    assert.ok(!existsSync(join(dir, '.otelstack')), 'not even the state directory');
  });
  it('unwritable targets exit 2 with one message and write nothing: a directory root cannot write (/sys), /proc, a parent that is a file, a file where a directory must go', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'file'), 'x');
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'out/compose'), 'not a directory');
    const before = snapshot(dir);
    const cases: Array<[string, RegExp]> = [
      ['/sys', /cannot render into \/sys: permission denied/],
      ['/sys/otelstack-test', /cannot render into \/sys\/otelstack-test: permission denied/],
      ['/proc/otelstack-test', /cannot render into \/proc\/otelstack-test: it does not exist and cannot be created there/],
      [join(dir, 'file/out'), /file is a file, not a directory/],
      [join(dir, 'out'), /compose is a file where render needs a directory/],
    ];
    for (const [out, message] of cases) {
      const r = await otelstackAsync(['render', 'examples/single-node', '--out', out]);
      assert.equal(r.code, 2, out);
      assert.match(r.err, message);
      assert.equal(r.err.split('\n').filter((l) => l.startsWith('error:')).length, 1, 'one message');
      assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
    }
    assert.deepEqual(snapshot(dir), before);
    assert.ok(!existsSync('/proc/otelstack-test') && !existsSync('/sys/otelstack-test'));
  });
  it('kill -9 during the moves: the next render finishes the interrupted one, leaving the new set and no leftovers', () => {
    const { dir, before } = gitRepoLike();
    const out = dir;
    const killed = cli(['render', 'examples/single-node', '--out', out], { OTELSTACK_TEST_CRASH_AT: 'put:compose/local/loki.yaml' });
    assert.equal(killed.signal, 'SIGKILL');
    assert.ok(readdirSync(join(out, '.otelstack')).some((n) => n.startsWith('staging-')), 'killed mid-way');
    const c = cli(['render', 'examples/single-node', '--out', out, '--check']);
    assert.equal(c.code, 1);
    assert.match(c.out, /interrupted render pending/);
    const r = cli(['render', 'examples/single-node', '--out', out, '--json']);
    assert.equal(r.code, 0, r.err);
    assert.equal((JSON.parse(r.out) as { recovered: string[] }).recovered.length, 1);
    assert.deepEqual(readdirSync(join(out, '.otelstack')), ['single.manifest.json']);
    assert.equal(cli(['render', 'examples/single-node', '--out', out, '--check']).code, 0);
    assertKept(out, before);
  });
  it('kill -9 before the commit point: the old set is untouched, and the next run drops the staging area', () => {
    const out = join(tmp(), 'out');
    assert.equal(cli(['render', 'examples/dts', '--env', 'dev', '--out', out]).code, 0);
    const old = snapshot(out);
    const killed = cli(['render', 'examples/dts', '--out', out], { OTELSTACK_TEST_CRASH_AT: 'staged' });
    assert.equal(killed.signal, 'SIGKILL');
    assert.deepEqual(snapshot(out, (r) => r.startsWith('.otelstack/staging-') || r === '.otelstack/lock'), old);
    assert.equal(cli(['render', 'examples/dts', '--env', 'dev', '--out', out]).code, 0);
    assert.deepEqual(snapshot(out), old, 'old set, no leftovers');
  });
  it('error findings exit 1; --json carries them', async () => {
    const dir = tmp();
    const r = await otelstackAsync(['render', 'examples/dts/as-written', '--out', join(dir, 'out'), '--json']);
    assert.equal(r.code, 1);
    const j = JSON.parse(r.out) as { written: boolean; findings: Array<{ severity: string }> };
    assert.equal(j.written, false);
    assert.ok(j.findings.some((f) => f.severity === 'error'));
    assert.deepEqual(readdirSync(dir), []);
  });
});

describe('diff: structured', () => {
  it('--json lists file, change and the YAML key paths that differ; text mode ends with a summary line', async () => {
    const r = await otelstackAsync(['diff', 'examples/dts', '--from', 'dev', '--to', 'test', '--json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as { summary: { changed: number }; diffs: Array<{ file: string; change: string; values?: Array<{ path: string; keys: unknown[]; change: string; from?: unknown; to?: unknown }> }> };
    const mimir = j.diffs.find((d) => d.file === 'kubernetes/<env>/values/mimir.yaml');
    assert.ok(mimir && mimir.change === 'changed' && mimir.values);
    const bucket = mimir.values.find((v) => v.to === 'dts-metrics-test-blocks');
    assert.ok(bucket, 'the bucket name is one changed value');
    assert.equal(bucket.from, 'dts-metrics-dev-blocks');
    assert.match(bucket.path, /bucket_name$/);
    assert.equal(j.summary.changed, j.diffs.filter((d) => d.change === 'changed').length);
    const t = await otelstackAsync(['diff', 'examples/dts', '--from', 'dev', '--to', 'test']);
    assert.match(t.out, new RegExp(`\\n${j.summary.changed} files differ[^\\n]*\\n$`));
    assert.match(t.out, /~ \S*bucket_name: "dts-metrics-dev-blocks" → "dts-metrics-test-blocks"/);
  });
});
