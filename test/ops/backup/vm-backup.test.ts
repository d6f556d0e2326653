// otelstack backup / restore on a storage VM of an ansible environment (examples/vms), against a temporary root laid
// out as the rendered roles lay it out: the directories their tasks create and the configs their copy tasks place
// (read from the rendered tasks/main.yml, not from the layout the backup uses), with the rendered bytes. The archive
// restores byte-identical, retention removes only this host's older archives, and bad input exits 2.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { validateDefinition } from '../../../src/model/load.js';
import {
  BackupError,
  createBackup,
  createVmBackup,
  listArchives,
  readManifest,
  restoreBackup,
  vmArchiveLabel,
  vmHostBackupPlan,
  vmRestoreTargets,
  walkTree,
  type BackupResult,
} from '../../../src/ops/backup/index.js';
import { renderStack } from '../../../src/render/index.js';
import { vmsStack } from '../../render/ansible/support.js';
import { otelstackSync, tempDirs } from '../../support/cli.js';

const temp = tempDirs('otelstack-vm-backup-test-');
const cli = (...args: string[]) => otelstackSync(args);

type Obj = Record<string, any>;
const stack = await vmsStack();
const files = renderStack(stack).files;
const inventory = (env: string) => (parse(files.get(`ansible/inventory/${env}.yml`)!) as Obj)['all'];

/** The few inventory variables the storage roles' paths use; anything else left in a path fails the test. */
function expand(s: string, env: string): string {
  const vars: Record<string, string> = { otelstack_env: env, otelstack_backup_definition: inventory(env).children.backup.vars.otelstack_backup_definition };
  // on a VM otelstack_root is unset (only the applied-run test installs under a temporary root): the paths as written
  const out = s.replace(/\{\{ otelstack_root \| default\(''\) \}\}/g, '').replace(/\{\{ (\w+) \}\}/g, (m, v: string) => vars[v] ?? m);
  assert.doesNotMatch(out, /\{\{/, `unexpanded variable in ${s}`);
  return out;
}

/**
 * What the roles of one storage host place: for each group the host is in (inventory) and the backup role, the
 * directories its "Create the … directories" task makes (less the install home) and the files its copy tasks place.
 */
function placedByRoles(env: string, host: string): { dirs: string[]; configs: Array<{ dest: string; bytes: string }> } {
  const all = inventory(env);
  const groups = Object.entries(all.children.storage.children as Record<string, Obj>).filter(([, g]) => host in g['hosts']).map(([name]) => name);
  const dirs: string[] = [];
  const configs: Array<{ dest: string; bytes: string }> = [];
  for (const role of [...groups, 'otelstack-backup']) {
    const tasks = parse(files.get(`ansible/roles/${role}/tasks/main.yml`)!) as Obj[];
    for (const t of tasks) {
      if (/^Create the .* directories$/.test(t['name'])) dirs.push(...(t['loop'] as string[]).filter((d) => !d.includes('_home }}')).map((d) => expand(d, env)));
      const copy = t['ansible.builtin.copy'];
      if (copy) configs.push({ dest: expand(copy.dest, env), bytes: files.get(`ansible/roles/${role}/files/${expand(copy.src, env)}`)! });
    }
  }
  for (const c of configs) assert.ok(typeof c.bytes === 'string', `${c.dest}: the role's source file is rendered`);
  return { dirs, configs };
}

/** A temporary root holding one host's files as the roles place them, the data directories filled with a small tree. */
function seedHost(env: string, host: string, salt = ''): { root: string; placed: ReturnType<typeof placedByRoles> } {
  const root = temp();
  const placed = placedByRoles(env, host);
  for (const d of placed.dirs) {
    const p = join(root, d);
    mkdirSync(join(p, 'wal/blocks'), { recursive: true });
    mkdirSync(join(p, 'empty'), { recursive: true });
    writeFileSync(join(p, 'wal/blocks/000001'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31 + salt.length) % 256)));
    writeFileSync(join(p, 'meta.json'), `{"dir":"${d}","salt":"${salt}"}\n`);
    chmodSync(join(p, 'meta.json'), 0o600);
    symlinkSync('wal/blocks/000001', join(p, 'latest'));
    chmodSync(p, 0o750);
  }
  for (const c of placed.configs) {
    mkdirSync(dirname(join(root, c.dest)), { recursive: true });
    writeFileSync(join(root, c.dest), c.bytes);
  }
  // the credentials the common role writes from the vault: on the host, never in an archive
  writeFileSync(join(root, 'etc/otelstack/s3.env'), 'AWS_ACCESS_KEY_ID=AKIA-NOT-IN-ARCHIVES\nAWS_SECRET_ACCESS_KEY=do-not-archive-me\n');
  return { root, placed };
}

async function tree(root: string, dirs: string[]) {
  const out: Record<string, unknown> = {};
  for (const d of dirs) out[d] = { entries: (await walkTree(join(root, d), d)).entries, mode: statSync(join(root, d)).mode & 0o7777 };
  return out;
}

async function rejects(p: Promise<unknown> | (() => unknown), kind: 'input' | 'verification', message: RegExp) {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    assert.ok(e instanceof BackupError, String(e));
    assert.equal(e.kind, kind);
    assert.match(e.message, message);
    return;
  }
  assert.fail('expected a BackupError');
}

describe('VM backup plan: what a storage host archives', () => {
  it('the engines the placement put on the host, their data directories and configs — exactly what the roles place there', () => {
    for (const env of ['dev', 'prod']) {
      for (const host of Object.keys(inventory(env).children.backup.hosts)) {
        const plan = vmHostBackupPlan(stack, env, host);
        const placed = placedByRoles(env, host);
        assert.deepEqual(plan.data.map((d) => d.path).sort(), [...placed.dirs].sort(), `${env} ${host}: data directories`);
        assert.deepEqual(plan.configs, placed.configs.map((c) => c.dest).sort(), `${env} ${host}: configs`);
        assert.ok(!plan.configs.some((c) => c.endsWith('s3.env')), 'the credentials file is not archived');
      }
    }
    const p = vmHostBackupPlan(stack, 'prod', 'storage-1');
    assert.deepEqual([p.host, p.groups, p.data, p.keep, p.dir], ['storage-1', ['tempo'], [{ name: 'tempo', path: '/var/tempo' }], 14, '/var/backups/otelstack']);
    assert.deepEqual(vmHostBackupPlan(stack, 'prod', '10.0.3.10').groups, ['seaweedfs'], 'the host by its address');
  });

  it('input errors: not ansible, unknown environment, several storage hosts without --host, a host that is not a storage host', async () => {
    await rejects(() => vmHostBackupPlan(stack, 'nope'), 'input', /no environment "nope"/);
    await rejects(() => vmHostBackupPlan(stack, 'prod'), 'input', /4 storage hosts: say which one with --host/);
    await rejects(() => vmHostBackupPlan(stack, 'prod', 'kafka-0'), 'input', /"kafka-0" is not a storage host of environment prod/);
    const raw = structuredClone(stack) as Obj;
    raw['environments'][0].hosts.storage = ['10.10.3.10'];
    // one storage host for four processes: the placement refuses it, and so does the backup
    await rejects(() => vmHostBackupPlan(validateDefinition('vms.yaml', raw), 'dev'), 'input', /does not place on its hosts/);
  });
});

describe('VM backup: archive, restore, retention', () => {
  it('archives the host\'s data directories and configs (not the credentials) and restores them byte-identical', async () => {
    const { root, placed } = seedHost('prod', 'storage-2');
    const plan = vmHostBackupPlan(stack, 'prod', 'storage-2');
    const out = join(root, 'var/backups/otelstack');
    const r = await createVmBackup({ plan, root, outDir: out, now: new Date('2026-03-01T02:00:00.000Z') });
    assert.equal(r.archive, join(out, 'vms-prod-storage-2-20260301T020000.000Z.tar.gz'));
    const m = await readManifest(r.archive);
    assert.deepEqual([m.target, m.host, m.project, m.stack, m.env], ['ansible', 'storage-2', 'storage-2', 'vms', 'prod']);
    assert.deepEqual(m.sources.map((s) => [s.name, s.location, s.files]), [['mimir', join(root, '/data'), 2]]);
    assert.deepEqual(m.entries.filter((e) => e.path.startsWith('configs/')).map((e) => e.path).filter((p) => !p.endsWith('/etc') && !p.endsWith('/otelstack')), ['configs/etc/otelstack/mimir-runtime.yaml', 'configs/etc/otelstack/mimir.yaml', 'configs/etc/otelstack/vms.stack.yaml']);
    assert.doesNotMatch(readFileSync(r.archive).toString('latin1'), /AKIA-NOT-IN-ARCHIVES/);
    assert.ok(!m.entries.some((e) => e.path.includes('s3.env')));

    // into an empty root, as on a rebuilt VM: data byte-identical (content, modes, symlinks), configs where asked
    const fresh = temp();
    const configsOut = join(fresh, 'configs');
    const { targets, stagingDir, units } = await vmRestoreTargets(m, fresh);
    assert.deepEqual(units, ['otelstack-mimir.service']);
    const restored = await restoreBackup({ archive: r.archive, targetFor: (s) => targets.get(s.name)!, stagingDir, configsOut });
    assert.deepEqual(restored.restored.map((x) => [x.name, x.location]), [['mimir', join(fresh, '/data')]]);
    assert.deepEqual(await tree(fresh, placed.dirs), await tree(root, placed.dirs));
    for (const c of placed.configs) assert.equal(readFileSync(join(configsOut, c.dest), 'utf8'), c.bytes, c.dest);
    assert.deepEqual(readdirSync(fresh).sort(), ['configs', 'data'], 'no staging directory left');

    // over the live root: refused while not empty, replaced with force (after the data changed)
    writeFileSync(join(root, 'data/meta.json'), 'changed since the backup\n');
    await rejects(restoreBackup({ archive: r.archive, targetFor: (s) => targets.get(s.name)!, stagingDir }), 'input', /refusing to overwrite/);
    const live = await vmRestoreTargets(m, root);
    await restoreBackup({ archive: r.archive, targetFor: (s) => live.targets.get(s.name)!, stagingDir: live.stagingDir, force: true });
    assert.equal(readFileSync(join(root, 'data/meta.json'), 'utf8'), '{"dir":"/data","salt":""}\n');
  });

  it('a host running two engines archives both; a data directory the roles made but that is missing is an input error', async () => {
    const raw = structuredClone(stack) as Obj;
    raw['environments'][0].hosts.storage = ['10.10.3.10', '10.10.3.11', '10.10.3.12'];
    const s3 = validateDefinition('vms.yaml', raw);
    const plan = vmHostBackupPlan(s3, 'dev', 'storage-0');
    assert.deepEqual(plan.groups, ['seaweedfs', 'loki'], 'four processes over three hosts: storage-0 carries the object store and Loki');
    const root = temp();
    await rejects(createVmBackup({ plan, root, outDir: join(root, 'out') }), 'input', /storage-0 has no seaweedfs \(.*\/var\/lib\/seaweedfs\), loki \(.*\/loki\), config .*loki\.yaml/);
    assert.equal(existsSync(join(root, 'out')), false, 'nothing written');
  });

  it('retention keeps the newest N archives of this host and removes nothing else', async () => {
    const { root } = seedHost('prod', 'storage-1');
    const plan = vmHostBackupPlan(stack, 'prod', 'storage-1');
    const out = join(root, 'backups');
    mkdirSync(out);
    const others = [
      'vms-prod-storage-2-20200101T000000.000Z.tar.gz', // another host of the environment (a shared backup disk)
      'vms-prod-storage-10-20200101T000000.000Z.tar.gz', // a host whose name starts like this one's
      'vms-dev-storage-1-20200101T000000.000Z.tar.gz', // the same host name in another environment
      'vms-prod-20200101T000000.000Z.tar.gz', // a compose-style archive of the same stack and environment
      'notes.txt',
    ];
    for (const o of others) writeFileSync(join(out, o), 'not ours');
    const made: BackupResult[] = [];
    for (let i = 0; i < 4; i++) made.push(await createVmBackup({ plan, root, outDir: out, retention: 2, now: new Date(Date.UTC(2026, 2, 1 + i, 2)) }));
    assert.deepEqual(made[2]!.pruned, [made[0]!.archive]);
    assert.deepEqual(made[3]!.pruned, [made[1]!.archive]);
    assert.deepEqual(await listArchives(out, 'vms', vmArchiveLabel('prod', 'storage-1')), [made[3]!.archive, made[2]!.archive]);
    assert.deepEqual(readdirSync(out).sort(), [...others, 'vms-prod-storage-1-20260303T020000.000Z.tar.gz', 'vms-prod-storage-1-20260304T020000.000Z.tar.gz'].sort());
  });
});

describe('otelstack backup / restore on a VM (CLI)', () => {
  it('backup --host --root --retention --json; restore --root: refusal (exit 2), --force, --verify-only, a corrupt archive (exit 1)', () => {
    const { root, placed } = seedHost('dev', 'storage-1');
    const out = join(root, 'var/backups/otelstack');
    const b = cli('backup', 'examples/vms', '--env', 'dev', '--host', 'storage-1', '--root', root, '--out', out, '--retention', '3', '--json');
    assert.equal(b.code, 0, b.err);
    const j = JSON.parse(b.out) as Obj;
    assert.deepEqual([j['ok'], j['target'], j['host'], j['project'], j['env']], [true, 'ansible', 'storage-1', 'storage-1', 'dev']);
    assert.deepEqual((j['sources'] as Obj[]).map((s) => s['name']), ['tempo']);
    // tempo.yaml, its per-tenant overrides file, and the definition copy
    assert.equal(j['configs'].files, 3);
    assert.match(j['archive'], /\/vms-dev-storage-1-\d{8}T\d{6}\.\d{3}Z\.tar\.gz$/);

    const refused = cli('restore', j['archive'], '--root', root, '--json');
    assert.equal(refused.code, 2, refused.err);
    assert.match(refused.err, /refusing to overwrite data that is not empty: tempo/);
    assert.equal((JSON.parse(refused.out) as Obj)['error'].kind, 'input');

    const fresh = temp();
    const ok = cli('restore', j['archive'], '--root', fresh);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /restored vms\/dev storage-1 .*every checksum verified/);
    assert.match(ok.out, /start the engines again: systemctl start otelstack-tempo\.service/);
    assert.equal(readFileSync(join(fresh, 'var/tempo/wal/blocks/000001')).compare(readFileSync(join(root, 'var/tempo/wal/blocks/000001'))), 0);
    assert.ok(placed.dirs.includes('/var/tempo'));

    assert.equal(cli('restore', j['archive'], '--root', root, '--force').code, 0);
    const v = cli('restore', j['archive'], '--verify-only');
    assert.equal(v.code, 0, v.err);
    assert.match(v.out, /verified .*vms\/dev storage-1/);

    const bytes = readFileSync(j['archive']);
    const bad = join(root, 'bad.tar.gz');
    writeFileSync(bad, bytes.subarray(0, bytes.length - 100));
    const c = cli('restore', bad, '--root', temp());
    assert.equal(c.code, 1, c.err);
    assert.match(c.err, /error: .*(corrupt|truncated|does not match)/);
  });

  it('bad input exits 2 with what to do: options of the other target, no --env, an unknown host, missing data, bad retention', () => {
    const root = temp();
    const out = join(root, 'out');
    const cases: Array<[string[], RegExp]> = [
      [['backup', 'examples/vms', '--env', 'dev', '--host', 'storage-1', '--volumes-root', root, '--out', out], /--volumes-root is not for ansible environments[\s\S]*--host <storage host> and --root <dir>/],
      [['backup', 'examples/vms', '--env', 'dev', '--host', 'storage-1', '--layout', 'plain', '--volume', 'x', '--out', out], /--layout, --volume are not for ansible environments/],
      [['backup', 'examples/single-node', '--env', 'local', '--host', 'storage-1', '--out', out], /--host is not for compose environments/],
      [['backup', 'examples/vms', '--host', 'storage-1', '--root', root, '--out', out], /say which environment with --env[\s\S]*dev, test, prod/],
      [['backup', 'examples/vms', '--env', 'dev', '--root', root, '--out', out], /4 storage hosts: say which one with --host[\s\S]*storage-0 \(10\.10\.3\.10: seaweedfs\)/],
      [['backup', 'examples/vms', '--env', 'dev', '--host', 'gateway-0', '--root', root, '--out', out], /"gateway-0" is not a storage host of environment dev/],
      [['backup', 'examples/vms', '--env', 'dev', '--host', 'storage-1', '--root', root, '--out', out], /storage-1 has no tempo \(.*\/var\/tempo\)[\s\S]*suggestion: run the playbook on storage-1 first/],
      [['backup', 'examples/vms', '--env', 'dev', '--host', 'storage-1', '--root', root, '--out', out, '--retention', '0'], /--retention must be a whole number ≥ 1/],
    ];
    for (const [args, message] of cases) {
      const r = cli(...args);
      assert.equal(r.code, 2, `${args.join(' ')}\n${r.err}`);
      assert.match(r.err, message, args.join(' '));
    }
    assert.equal(existsSync(out), false, 'nothing written');
  });

  it('restore: --volumes-root / --layout are refused for a VM archive and --root for a compose one', async () => {
    const { root } = seedHost('dev', 'storage-0');
    const archive = (await createVmBackup({ plan: vmHostBackupPlan(stack, 'dev', 'storage-0'), root, outDir: join(root, 'out') })).archive;
    const r = cli('restore', archive, '--volumes-root', root);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /--volumes-root is not for an archive of a VM \(storage-0\)/);
    const compose = (await createBackup({ stack: 'single', env: 'local', project: 'single-local', sources: [], configs: new Map([['compose/local/docker-compose.yaml', 'name: single-local\n']]), outDir: join(root, 'c') })).archive;
    const c = cli('restore', compose, '--root', root);
    assert.equal(c.code, 2, c.err);
    assert.match(c.err, /--root is not for a compose archive/);
  });
});
