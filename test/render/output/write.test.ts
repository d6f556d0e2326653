import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { OutputError } from '../../../src/render/output/errors.js';
import { planOutput, recoverOutput, writeOutput, type OutputRequest } from '../../../src/render/output/write.js';
import { snapshot } from './tree.js';
import { tempDir } from '../../support/cli.js';

const tmp = () => tempDir('otelstack-output-');
function req(outDir: string, files: Record<string, string>, opts: { stack?: string; envs?: string[]; owners?: Record<string, string[]>; env?: string } = {}): OutputRequest {
  const envs = opts.envs ?? ['dev'];
  return {
    outDir,
    stack: opts.stack ?? 'demo',
    files: new Map(Object.entries(files).sort()),
    owners: new Map(Object.entries(opts.owners ?? {})),
    scope: { selected: Object.fromEntries(envs.map((e) => [e, 'compose'])), definitionEnvironments: opts.envs ?? ['dev', 'test'], target: 'all', ...(opts.env ? { envFilter: opts.env } : {}) },
  };
}
const leftovers = (dir: string) => (existsSync(join(dir, '.otelstack')) ? readdirSync(join(dir, '.otelstack')).filter((n) => !n.endsWith('.manifest.json')) : []);
const files = (dir: string) => new Map([...snapshot(dir, (r) => r.startsWith('.otelstack'))].filter(([, v]) => v.startsWith('file')));

describe('writeOutput: render owns only what it wrote', () => {
  it('replaces and removes only its own files; everything else stays byte- and mode-identical', () => {
    const d = tmp();
    mkdirSync(join(d, '.git/objects'), { recursive: true });
    writeFileSync(join(d, '.git/objects/ab'), 'blob');
    chmodSync(join(d, '.git/objects/ab'), 0o444);
    writeFileSync(join(d, 'README'), 'mine\n');
    chmodSync(join(d, 'README'), 0o640);
    mkdirSync(join(d, 'compose'));
    writeFileSync(join(d, 'compose/overlay.yaml'), 'hand: written\n');
    chmodSync(d, 0o751);
    const before = snapshot(d);
    const w1 = writeOutput(req(d, { 'compose/dev/a.yaml': 'a: 1\n', 'compose/dev/b.yaml': 'b: 1\n' }));
    assert.deepEqual(w1.created, ['compose/dev/a.yaml', 'compose/dev/b.yaml']);
    const w2 = writeOutput(req(d, { 'compose/dev/a.yaml': 'a: 2\n' }));
    assert.deepEqual([w2.replaced, w2.removed], [['compose/dev/a.yaml'], ['compose/dev/b.yaml']]);
    const after = snapshot(d);
    for (const [p, v] of before) assert.equal(after.get(p), v, p);
    assert.equal(readFileSync(join(d, 'compose/dev/a.yaml'), 'utf8'), 'a: 2\n');
    assert.ok(!existsSync(join(d, 'compose/dev/b.yaml')));
    assert.deepEqual(leftovers(d), []);
  });
  it('removes the directories it created once they are empty, never one it did not create', () => {
    const d = tmp();
    mkdirSync(join(d, 'k'));
    writeOutput(req(d, { 'k/dev/x/a.yaml': '1\n' }));
    writeOutput(req(d, {}));
    assert.deepEqual(readdirSync(d).sort(), ['.otelstack', 'k']);
    assert.deepEqual(readdirSync(join(d, 'k')), []);
  });
  it('refuses a file in the way it did not write, and an owned file edited since; --force overwrites just those', () => {
    const d = tmp();
    writeOutput(req(d, { 'a.yaml': '1\n', 'b.yaml': '1\n' }));
    writeFileSync(join(d, 'a.yaml'), 'edited\n');
    writeFileSync(join(d, 'c.yaml'), 'hand\n');
    writeFileSync(join(d, 'd.yaml'), 'other\n');
    const before = snapshot(d);
    const r = req(d, { 'a.yaml': '2\n', 'b.yaml': '2\n', 'c.yaml': '2\n' });
    assert.throws(() => writeOutput(r), (e: unknown) => e instanceof OutputError && e.kind === 'conflict' && e.files.join() === 'a.yaml,c.yaml' && /--force/.test(e.suggestion));
    assert.deepEqual(snapshot(d), before, 'nothing changed');
    const w = writeOutput(r, { force: true });
    assert.deepEqual(w.forced, ['a.yaml', 'c.yaml']);
    assert.equal(readFileSync(join(d, 'd.yaml'), 'utf8'), 'other\n');
    assert.equal(readFileSync(join(d, 'c.yaml'), 'utf8'), '2\n');
  });
  it('a file with the rendered bytes already is adopted; an edited file no longer rendered is left in place', () => {
    const d = tmp();
    writeFileSync(join(d, 'a.yaml'), 'same\n');
    assert.deepEqual(writeOutput(req(d, { 'a.yaml': 'same\n', 'b.yaml': 'b\n' })).unchanged, ['a.yaml']);
    writeFileSync(join(d, 'b.yaml'), 'b edited\n');
    const w = writeOutput(req(d, { 'a.yaml': 'same\n' }));
    assert.deepEqual(w.disowned, ['b.yaml']);
    assert.equal(readFileSync(join(d, 'b.yaml'), 'utf8'), 'b edited\n');
    assert.throws(() => writeOutput(req(d, { 'a.yaml': 'same\n', 'b.yaml': 'b\n' })), /b\.yaml \(not written by otelstack render\)/, 'not owned any more');
  });
  it('two stacks share a directory; a path of another stack is refused, with --force taken over', () => {
    const d = tmp();
    writeOutput(req(d, { 'one/a.yaml': '1\n' }, { stack: 'one' }));
    writeOutput(req(d, { 'two/a.yaml': '2\n' }, { stack: 'two' }));
    writeOutput(req(d, {}, { stack: 'two' }));
    assert.ok(existsSync(join(d, 'one/a.yaml')) && !existsSync(join(d, 'two/a.yaml')));
    assert.throws(() => writeOutput(req(d, { 'one/a.yaml': 'x\n' }, { stack: 'two' })), /written by the render of stack "one"/);
    writeOutput(req(d, { 'one/a.yaml': 'x\n' }, { stack: 'two' }), { force: true });
    writeOutput(req(d, {}, { stack: 'one' }));
    assert.equal(readFileSync(join(d, 'one/a.yaml'), 'utf8'), 'x\n', 'stack one gave it up');
  });
  it('several environments: rendering one keeps the others; a shared file goes only when no environment renders it', () => {
    const d = tmp();
    const all = { 'dev/a': 'd\n', 'test/a': 't\n', 'shared/s': 's\n' };
    writeOutput(req(d, all, { envs: ['dev', 'test'], owners: { 'dev/a': ['dev'], 'test/a': ['test'], 'shared/s': ['dev', 'test'] } }));
    writeOutput(req(d, { 'dev/a': 'd2\n' }, { envs: ['dev'], env: 'dev' }));
    assert.deepEqual([...files(d).keys()], ['dev/a', 'shared/s', 'test/a']);
    writeOutput(req(d, {}, { envs: ['test'], env: 'test' }));
    assert.deepEqual([...files(d).keys()], ['dev/a']);
    // an environment removed from the definition: a full render removes its files
    writeOutput(req(d, { 'test/a': 't\n' }, { envs: ['test'], env: 'test' }));
    writeOutput(req(d, { 'dev/a': 'd2\n' }, { envs: ['dev'] }));
    assert.deepEqual([...files(d).keys()], ['dev/a']);
  });
  it('a live render\'s lock makes another wait (busy); a dead one\'s lock is taken over', () => {
    const d = tmp();
    writeOutput(req(d, { 'a.yaml': '1\n' }));
    writeFileSync(join(d, '.otelstack/lock'), '1\n'); // pid 1 is alive
    assert.throws(() => writeOutput(req(d, { 'a.yaml': '2\n' })), (e: unknown) => e instanceof OutputError && e.kind === 'busy');
    assert.equal(readFileSync(join(d, 'a.yaml'), 'utf8'), '1\n');
    writeFileSync(join(d, '.otelstack/lock'), '999999999\n'); // no such process
    writeOutput(req(d, { 'a.yaml': '2\n' }));
    assert.equal(readFileSync(join(d, 'a.yaml'), 'utf8'), '2\n');
    assert.deepEqual(leftovers(d), []);
  });
  it('unwritable targets are one OutputError and nothing is written', () => {
    const d = tmp();
    writeFileSync(join(d, 'file'), 'x');
    const before = snapshot(d);
    for (const out of [join(d, 'file'), join(d, 'file/sub'), '/proc/otelstack-nope', '/sys', '/sys/otelstack-nope']) {
      assert.throws(() => writeOutput(req(out, { 'a.yaml': '1\n' })), (e: unknown) => e instanceof OutputError && e.kind === 'unwritable' && e.message.includes(out), out);
    }
    mkdirSync(join(d, 'out'));
    writeFileSync(join(d, 'out/compose'), 'a file where a directory must go');
    const inner = snapshot(d);
    assert.throws(() => writeOutput(req(join(d, 'out'), { 'compose/dev/a.yaml': '1\n' }), { force: true }), /compose is a file where render needs a directory/);
    assert.deepEqual(snapshot(d), inner);
    assert.equal(before.get('file'), inner.get('file'));
    assert.ok(!existsSync('/proc/otelstack-nope') && !existsSync('/sys/otelstack-nope'));
  });
});

describe('writeOutput: an interrupted render (crash at any step) ends as the old or the new set', () => {
  const oldSet = { 'k/dev/a.yaml': 'a1\n', 'k/dev/b.yaml': 'b1\n', 'k/dev/gone.yaml': 'g\n' };
  const newSet = { 'k/dev/a.yaml': 'a2\n', 'k/dev/b.yaml': 'b2\n', 'k/dev/new/c.yaml': 'c\n' };
  const prepare = () => {
    const d = tmp();
    writeFileSync(join(d, 'README'), 'keep\n');
    writeOutput(req(d, oldSet));
    return d;
  };
  // every step the write reports, found by a run that does not crash
  const steps: string[] = [];
  writeOutput(req(prepare(), newSet), { onStep: (s) => steps.push(s) });
  const oldTree = (() => {
    const d = prepare();
    return snapshot(d, (r) => r.startsWith('.otelstack/staging') || r === '.otelstack/lock');
  })();
  const newTree = (() => {
    const d = prepare();
    writeOutput(req(d, newSet));
    return snapshot(d);
  })();
  it('knows the steps', () => assert.ok(steps.includes('staged') && steps.includes('committed') && steps.some((s) => s.startsWith('put:')) && steps.includes('cleaned'), steps.join()));
  for (const step of ['staged', 'committed', 'remove:k/dev/gone.yaml', 'mkdirs', 'put:k/dev/a.yaml', 'put:k/dev/b.yaml', 'manifests']) {
    it(`crash after ${step}: the next run recovers to ${step === 'staged' ? 'the old' : 'the new'} set, no leftovers`, () => {
      const d = prepare();
      class Crash extends Error {}
      // a throw from the hook leaves the disk as a kill -9 would: the write does no clean-up after the commit point
      assert.throws(() => writeOutput(req(d, newSet), { onStep: (s) => { if (s === step) throw new Crash(); } }), Crash);
      const r = recoverOutput(d);
      assert.equal(r.length, step === 'staged' ? 0 : 1);
      assert.deepEqual(snapshot(d), step === 'staged' ? oldTree : newTree);
      assert.deepEqual(leftovers(d), []);
      assert.deepEqual(planOutput(req(d, step === 'staged' ? oldSet : newSet)).findings.filter((f) => f.state !== 'unchanged'), []);
    });
  }
});

describe('writeOutput: property — every file render did not own is unchanged', () => {
  const segment = fc.constantFrom('k', 'dev', 'a.yaml', 'b.yaml', 'x', 'README', '.git');
  const relPath = fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join('/'));
  it('random pre-existing trees, random renders (refusals included)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(relPath, fc.string({ maxLength: 8 }), fc.constantFrom(0o644, 0o600, 0o755)), { maxLength: 8 }), fc.array(fc.array(fc.tuple(relPath, fc.string({ maxLength: 8 })), { maxLength: 6 }), { minLength: 1, maxLength: 3 }), fc.boolean(), (existing, renders, force) => {
        const d = tmp();
        for (const [p, c, mode] of existing) {
          try {
            mkdirSync(join(d, p, '..'), { recursive: true });
            writeFileSync(join(d, p), c);
            chmodSync(join(d, p), mode);
          } catch {
            /* a prefix is already a file or a directory: skip, as a user's tree would */
          }
        }
        const before = snapshot(d);
        const owned = new Set<string>();
        for (const files of renders) {
          try {
            const w = writeOutput(req(d, Object.fromEntries(files)), { force });
            for (const p of [...w.created, ...w.replaced, ...w.forced, ...w.unchanged]) owned.add(p);
          } catch (e) {
            if (!(e instanceof OutputError)) throw e;
          }
        }
        const after = snapshot(d);
        for (const [p, v] of before) {
          if (owned.has(p)) continue;
          assert.equal(after.get(p), v, `${p} unchanged`);
        }
        assert.deepEqual(leftovers(d), []);
      }),
      { numRuns: 150 },
    );
  });
});
