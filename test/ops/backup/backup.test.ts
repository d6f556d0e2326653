// otelstack backup / restore (seed 002 §5) on temporary directories laid out like Docker's named volumes.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { create, extract } from 'tar';
import { loadStack } from '../../../src/model/load.js';
import type { Stack } from '../../../src/model/schema.js';
import {
  BackupError,
  DirectorySource,
  VolumeTarget,
  composeBackupPlan,
  createBackup,
  listArchives,
  readManifest,
  restoreBackup,
  verifyArchive,
  volumeDataPath,
  walkTree,
  type BackupOptions,
  type BackupProgress,
  type BackupResult,
  type VolumeLayout,
} from '../../../src/ops/backup/index.js';
import { otelstackSync, tempDirs } from '../../support/cli.js';
import { ROOT } from '../../support/paths.js';

const temp = tempDirs('otelstack-backup-test-');
const cli = (...args: string[]) => otelstackSync(args);

const stack: Stack = (await loadStack(join(ROOT, 'examples/single-node'))).stack;
const plan = composeBackupPlan(stack, 'local');

/** Fills every volume of the plan with a little tree: files, a nested dir, an empty dir, a symlink, a hard link. */
function seedVolumes(root: string, layout: VolumeLayout, salt = ''): void {
  for (const v of plan.volumes) {
    const d = volumeDataPath(root, layout, plan.project, v);
    mkdirSync(join(d, 'nested/deeper'), { recursive: true });
    mkdirSync(join(d, 'empty'), { recursive: true });
    writeFileSync(join(d, 'nested/deeper/data.bin'), Buffer.from(`${v}${salt}`.repeat(1000)));
    writeFileSync(join(d, 'top.txt'), `${v} top ${salt}\n`);
    chmodSync(join(d, 'top.txt'), 0o600);
    symlinkSync('nested/deeper/data.bin', join(d, 'link'));
    linkSync(join(d, 'top.txt'), join(d, 'hard'));
  }
  chmodSync(volumeDataPath(root, layout, plan.project, plan.volumes[0]!), 0o750);
}

function sources(root: string, layout: VolumeLayout) {
  return plan.volumes.map((v) => new DirectorySource(v, volumeDataPath(root, layout, plan.project, v)));
}

const targetFor = (root: string, layout: VolumeLayout) => (s: { name: string }, m: { project: string }) => new VolumeTarget(s.name, volumeDataPath(root, layout, m.project, s.name), layout);

async function backup(root: string, layout: VolumeLayout, out: string, extra: { retention?: number; now?: Date; onProgress?: BackupOptions['onProgress'] } = {}): Promise<BackupResult> {
  return createBackup({ stack: plan.stack, env: plan.env, project: plan.project, sources: sources(root, layout), configs: plan.configs, outDir: out, ...extra });
}

async function snapshot(root: string, layout: VolumeLayout) {
  const out: Record<string, unknown> = {};
  for (const v of plan.volumes) {
    const d = volumeDataPath(root, layout, plan.project, v);
    out[v] = { entries: (await walkTree(d, v)).entries, rootMode: statSync(d).mode & 0o7777 };
  }
  return out;
}

async function rejects(p: Promise<unknown>, kind: 'input' | 'verification', re: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof BackupError, String(e));
    assert.equal(e.kind, kind, e.message);
    assert.match(e.message, re);
    return true;
  });
}

describe('backup: what is archived', () => {
  it('reports progress: each volume read, every entry archived, every entry verified', async () => {
    const root = temp();
    seedVolumes(root, 'docker');
    const seen: BackupProgress[] = [];
    const r = await backup(root, 'docker', join(root, 'out'), { onProgress: (p) => seen.push(p) });
    const reading = seen.filter((p) => p.phase === 'reading');
    assert.deepEqual(reading.map((p) => p.source), [...plan.volumes].sort());
    const total = r.manifest.entries.length + 1;
    for (const phase of ['archiving', 'verifying'] as const) {
      const ps = seen.filter((p) => p.phase === phase);
      assert.ok(ps.every((p) => p.total === total));
      assert.equal(ps.at(-1)!.done, total, `${phase} reaches every entry and the manifest`);
    }
    const lastArchiving = seen.map((p) => p.phase).lastIndexOf('archiving');
    assert.ok(seen.findIndex((p) => p.phase === 'verifying') > lastArchiving);
  });

  it('volume names and project come from the compose renderer', () => {
    const compose = [...plan.configs.entries()].find(([k]) => k.endsWith('docker-compose.yaml'))![1];
    for (const v of plan.volumes) assert.match(compose, new RegExp(`^  ${v}: \\{\\}$`, 'm'));
    assert.ok(plan.volumes.includes('tempo-data') && plan.volumes.length >= 4);
    assert.match(compose, new RegExp(`^name: ${plan.project}$`, 'm'));
  });

  it('a kubernetes environment or an unknown one is refused', async () => {
    const { stack: dts } = await loadStack(join(ROOT, 'examples/dts'));
    assert.throws(() => composeBackupPlan(dts, 'dev'), (e: unknown) => e instanceof BackupError && e.kind === 'input' && /not compose/.test(e.message));
    assert.throws(() => composeBackupPlan(stack, 'nope'), /no environment "nope"/);
  });

  it('manifest: stack, env, project, every volume with files, bytes and SHA-256; configs; archive starts with it', async () => {
    const root = temp();
    seedVolumes(root, 'docker');
    const r = await backup(root, 'docker', join(root, 'out'), { now: new Date('2026-01-22T02:00:00.000Z') });
    assert.equal(r.archive, join(root, 'out', 'single-local-20260122T020000.000Z.tar.gz'));
    const m = await readManifest(r.archive);
    assert.deepEqual(m, r.manifest);
    assert.equal(m.stack, 'single');
    assert.equal(m.env, 'local');
    assert.equal(m.project, 'single-local');
    assert.deepEqual(m.sources.map((s) => s.name), [...plan.volumes].sort());
    for (const s of m.sources) {
      assert.equal(s.files, 3, `${s.name}: data.bin, top.txt, hard`);
      assert.match(s.sha256, /^[0-9a-f]{64}$/);
      const data = m.entries.find((e) => e.path === `volumes/${s.name}/nested/deeper/data.bin`)!;
      const content = readFileSync(join(volumeDataPath(root, 'docker', plan.project, s.name), 'nested/deeper/data.bin'));
      assert.equal(data.size, content.length);
      assert.equal(data.sha256, createHash('sha256').update(content).digest('hex'));
      assert.deepEqual(m.entries.find((e) => e.path === `volumes/${s.name}/link`), { path: `volumes/${s.name}/link`, type: 'symlink', mode: m.entries.find((e) => e.path === `volumes/${s.name}/link`)!.mode, target: 'nested/deeper/data.bin' });
    }
    assert.equal(m.configs.files, plan.configs.size);
    assert.ok(m.entries.some((e) => e.path.startsWith('configs/') && e.path.endsWith('docker-compose.yaml')));
    assert.match(r.sha256, /^[0-9a-f]{64}$/);
    assert.equal(r.bytes, statSync(r.archive).size);
    await verifyArchive(r.archive);
    assert.deepEqual(readdirSync(join(root, 'out')), ['single-local-20260122T020000.000Z.tar.gz'], 'no staging or partial files left');
  });

  it('a volume missing on disk is an input error naming it', async () => {
    const root = temp();
    await rejects(backup(root, 'docker', join(root, 'out')), 'input', /no data for: .*single-local_tempo-data\/_data/);
  });
});

describe('restore', () => {
  it('round trip: contents, modes, symlinks and hard links come back; configs written where asked', async () => {
    const root = temp();
    seedVolumes(root, 'docker');
    const before = await snapshot(root, 'docker');
    const r = await backup(root, 'docker', join(root, 'out'));
    // the stack's volumes are recreated empty (as `docker compose down -v && docker compose create` would)
    for (const v of plan.volumes) {
      const d = volumeDataPath(root, 'docker', plan.project, v);
      rmSync(d, { recursive: true });
      mkdirSync(d);
    }
    const res = await restoreBackup({ archive: r.archive, targetFor: targetFor(root, 'docker'), stagingDir: root, configsOut: join(root, 'configs') });
    assert.equal(res.verified, true);
    assert.equal(res.restored.length, plan.volumes.length);
    assert.deepEqual(await snapshot(root, 'docker'), before);
    const d = volumeDataPath(root, 'docker', plan.project, 'tempo-data');
    assert.equal(statSync(join(d, 'hard')).ino, statSync(join(d, 'top.txt')).ino, 'hard link restored');
    const compose = [...plan.configs.keys()].find((k) => k.endsWith('docker-compose.yaml'))!;
    assert.equal(readFileSync(join(root, 'configs', compose), 'utf8'), plan.configs.get(compose));
    assert.ok(!readdirSync(root).some((n) => n.startsWith('.otelstack-restore-')), 'staging removed');
  });

  it('refuses to overwrite non-empty volumes without --force, and replaces them with it', async () => {
    const root = temp();
    seedVolumes(root, 'plain', 'old');
    const r = await backup(root, 'plain', join(root, 'out'));
    const oldSnap = await snapshot(root, 'plain');
    // the data moves on after the backup
    const touched = volumeDataPath(root, 'plain', plan.project, 'tempo-data');
    writeFileSync(join(touched, 'top.txt'), 'newer data\n');
    writeFileSync(join(touched, 'extra.txt'), 'written after the backup\n');
    await rejects(restoreBackup({ archive: r.archive, targetFor: targetFor(root, 'plain'), stagingDir: root }), 'input', /refusing to overwrite .*tempo-data/);
    assert.equal(readFileSync(join(touched, 'extra.txt'), 'utf8'), 'written after the backup\n', 'nothing touched');
    await restoreBackup({ archive: r.archive, targetFor: targetFor(root, 'plain'), stagingDir: root, force: true });
    assert.deepEqual(await snapshot(root, 'plain'), oldSnap);
    assert.ok(!existsSync(join(touched, 'extra.txt')));
  });

  it('docker layout: volumes that do not exist yet are an input error (Docker must know them)', async () => {
    const src = temp();
    seedVolumes(src, 'docker');
    const r = await backup(src, 'docker', join(src, 'out'));
    const root = temp();
    await rejects(restoreBackup({ archive: r.archive, targetFor: targetFor(root, 'docker'), stagingDir: root }), 'input', /do not exist yet/);
  });

  it('a corrupted archive fails verification and touches nothing', async () => {
    const root = temp();
    seedVolumes(root, 'plain');
    const r = await backup(root, 'plain', join(root, 'out'));
    const bytes = readFileSync(r.archive);
    const bad = join(root, 'bad.tar.gz');
    const flipped = Buffer.from(bytes);
    for (let i = Math.floor(bytes.length / 2); i < Math.floor(bytes.length / 2) + 64; i++) flipped[i] = flipped[i]! ^ 0xff;
    writeFileSync(bad, flipped);
    const target = join(root, 'restore');
    await rejects(restoreBackup({ archive: bad, targetFor: targetFor(target, 'plain'), stagingDir: target }), 'verification', /corrupt|does not match|checksum/);
    assert.ok(!existsSync(target), 'nothing written');
    const truncated = join(root, 'truncated.tar.gz');
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 3)));
    await rejects(restoreBackup({ archive: truncated, targetFor: targetFor(target, 'plain'), stagingDir: target }), 'verification', /corrupt|truncated|does not match|missing/);
    assert.ok(!existsSync(target), 'nothing written');
  });

  it('an archive whose content does not match its manifest fails with "checksum mismatch"', async () => {
    const root = temp();
    seedVolumes(root, 'plain');
    const r = await backup(root, 'plain', join(root, 'out'));
    const x = join(root, 'x');
    mkdirSync(x);
    await extract({ file: r.archive, cwd: x });
    writeFileSync(join(x, 'volumes/tempo-data/nested/deeper/data.bin'), 'tampered\n');
    const tampered = join(root, 'tampered.tar.gz');
    const names = ['manifest.json', ...r.manifest.entries.map((e) => e.path)];
    await create({ file: tampered, gzip: true, cwd: x, noDirRecurse: true }, names);
    await rejects(verifyArchive(tampered), 'verification', /checksum mismatch: volumes\/tempo-data\/nested\/deeper\/data.bin/);
    const target = join(root, 'restore');
    await rejects(restoreBackup({ archive: tampered, targetFor: targetFor(target, 'plain'), stagingDir: target }), 'verification', /checksum mismatch: volumes\/tempo-data\/nested\/deeper\/data.bin/);
    assert.ok(!existsSync(join(target, 'tempo-data')));
  });

  it('a tar.gz that is not an otelstack backup is an input error', async () => {
    const root = temp();
    writeFileSync(join(root, 'a.txt'), 'a');
    const other = join(root, 'other.tar.gz');
    await create({ file: other, gzip: true, cwd: root }, ['a.txt']);
    await rejects(readManifest(other), 'input', /not an otelstack backup/);
    await rejects(readManifest(join(root, 'missing.tar.gz')), 'input', /no archive/);
  });
});

describe('retention', () => {
  it('keeps the newest N archives of the environment, and nothing else is removed', async () => {
    const root = temp();
    seedVolumes(root, 'plain');
    const out = join(root, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'single-other-20200101T000000.000Z.tar.gz'), 'another environment');
    writeFileSync(join(out, 'notes.txt'), 'not an archive');
    const made: BackupResult[] = [];
    for (let i = 0; i < 4; i++) made.push(await backup(root, 'plain', out, { retention: 2, now: new Date(Date.UTC(2026, 0, 20 + i, 2)) }));
    assert.deepEqual(made[3]!.pruned, [made[1]!.archive]);
    assert.deepEqual(await listArchives(out, 'single', 'local'), [made[3]!.archive, made[2]!.archive]);
    assert.deepEqual(readdirSync(out).sort(), ['notes.txt', 'single-local-20260122T020000.000Z.tar.gz', 'single-local-20260123T020000.000Z.tar.gz', 'single-other-20200101T000000.000Z.tar.gz']);
  });
});

describe('otelstack backup / restore (CLI)', () => {
  it('backup --json, restore refusal (exit 2), --force, --verify-only, corrupt archive (exit 1)', () => {
    const root = temp();
    seedVolumes(root, 'docker');
    const out = join(root, 'out');
    const b = cli('backup', 'examples/single-node', '--env', 'local', '--out', out, '--volumes-root', root, '--retention', '3', '--json');
    assert.equal(b.code, 0, b.err);
    const j = JSON.parse(b.out) as { ok: boolean; archive: string; sha256: string; project: string; sources: Array<{ name: string; files: number; bytes: number; sha256: string }>; configs: { files: number }; pruned: string[] };
    assert.equal(j.ok, true);
    assert.equal(j.project, 'single-local');
    assert.deepEqual(j.sources.map((s) => s.name), [...plan.volumes].sort());
    assert.ok(j.configs.files > 0);
    assert.deepEqual(j.pruned, []);

    const refused = cli('restore', j.archive, '--volumes-root', root, '--json');
    assert.equal(refused.code, 2, refused.err);
    assert.match(refused.err, /refusing to overwrite/);
    assert.equal((JSON.parse(refused.out) as { error: { kind: string } }).error.kind, 'input');

    const forced = cli('restore', j.archive, '--volumes-root', root, '--force');
    assert.equal(forced.code, 0, forced.err);
    assert.match(forced.out, /every checksum verified/);

    assert.equal(cli('restore', j.archive, '--verify-only').code, 0);
    assert.equal(cli('restore', j.archive).code, 2, 'no --volumes-root');

    const bytes = readFileSync(j.archive);
    const bad = join(root, 'bad.tar.gz');
    writeFileSync(bad, bytes.subarray(0, bytes.length - 200));
    const c = cli('restore', bad, '--volumes-root', join(root, 'elsewhere'), '--layout', 'plain');
    assert.equal(c.code, 1, c.err);
    assert.match(c.err, /error: .*(corrupt|truncated|does not match)/);
  });

  it('usage errors exit 2: missing volumes, unknown volume, bad retention', () => {
    const root = temp();
    const missing = cli('backup', 'examples/single-node', '--out', join(root, 'out'), '--volumes-root', root);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /no data for/);
    const unknown = cli('backup', 'examples/single-node', '--out', join(root, 'out'), '--volumes-root', root, '--volume', 'nope');
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /no volume nope/);
    assert.equal(cli('backup', 'examples/single-node', '--out', join(root, 'out'), '--retention', '0').code, 2);
  });
});
