// The ansible target's backups (examples/vms): the otelstack-backup role — a Type=oneshot service running
// `otelstack backup` of its storage host with the engines stopped around it, on a systemd timer whose schedule,
// random delay and retention come from environments[].backup (defaults otherwise) — the inventory's backup group,
// the playbook, and the definition field's validation. The units themselves go through systemd-analyze verify in
// systemd-units.test.ts; the backup they run is test/ops/backup/vm-backup.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { loadStack, validateDefinition } from '../../../src/model/load.js';
import { VM_BACKUP_DEFAULTS } from '../../../src/model/schema.js';
import { vmHostBackupPlan } from '../../../src/ops/backup/index.js';
import { canaryDefinitionFile } from '../../../src/render/configs/canary.js';
import { renderStack } from '../../../src/render/index.js';
import { vmsStack } from './support.js';
import { CANARY_PACKAGE } from '../../../src/catalog/canary.js';

type Obj = Record<string, any>;

const stack = await vmsStack();
const files = renderStack(stack).files;
const text = (path: string) => {
  const t = files.get(`ansible/${path}`);
  assert.ok(t !== undefined, `ansible/${path} is rendered`);
  return t;
};
const yaml = (path: string) => parse(text(path)) as any;
const inv = (env: string) => (yaml(`inventory/${env}.yml`) as Obj)['all'];
/** The lines of a unit template that set a key (KEY=…), in order. */
const keys = (unit: string, key: string) => unit.split('\n').filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1));

describe('ansible target: the otelstack-backup role', () => {
  const service = text('roles/otelstack-backup/templates/otelstack-backup.service.j2');
  const timer = text('roles/otelstack-backup/templates/otelstack-backup.timer.j2');

  it('the service is Type=oneshot and runs otelstack backup of its host with the inventory\'s directory and retention', () => {
    assert.deepEqual(keys(service, 'Type'), ['oneshot']);
    assert.deepEqual(keys(service, 'ExecStart'), [
      '{{ otelstack_backup_binary }} backup /etc/otelstack/{{ otelstack_backup_definition }} --env {{ otelstack_env }} --host {{ inventory_hostname }} --out {{ otelstack_backup_dir }} --retention {{ otelstack_backup_keep }}',
    ]);
    // the host's engines stop while archived, and start again after — ExecStopPost runs also when the backup fails
    assert.match(service, /\{% if otelstack_backup_units \| length > 0 %\}\n# [^\n]*\nExecStartPre=\/usr\/bin\/systemctl stop \{\{ otelstack_backup_units \| join\(' '\) \}\}\n\{% endif %\}/);
    assert.deepEqual(keys(service, 'ExecStopPost'), ["/usr/bin/systemctl start {{ otelstack_backup_units | join(' ') }}"]);
    assert.doesNotMatch(service, /^Restart=/m, 'a oneshot run is not restarted');
    assert.doesNotMatch(service, /^\[Install\]/m, 'only the timer starts it');
    assert.deepEqual(keys(service, 'UMask'), ['0077'], 'archives readable by root only');
  });

  it('the timer: OnCalendar and RandomizedDelaySec from the inventory, Persistent, installed into timers.target', () => {
    assert.deepEqual(keys(timer, 'OnCalendar'), ['{{ otelstack_backup_schedule }}']);
    assert.deepEqual(keys(timer, 'RandomizedDelaySec'), ['{{ otelstack_backup_randomized_delay }}']);
    assert.deepEqual(keys(timer, 'Persistent'), ['true']);
    assert.deepEqual(keys(timer, 'Unit'), ['otelstack-backup.service']);
    assert.deepEqual(keys(timer, 'WantedBy'), ['timers.target']);
  });

  it('defaults are the definition\'s defaults; tasks install otelstack, the definition and both units, and enable the timer', () => {
    const d = yaml('roles/otelstack-backup/defaults/main.yml') as Obj;
    assert.equal(d['otelstack_backup_schedule'], VM_BACKUP_DEFAULTS.schedule);
    assert.equal(d['otelstack_backup_randomized_delay'], VM_BACKUP_DEFAULTS.randomizedDelay);
    assert.equal(d['otelstack_backup_keep'], VM_BACKUP_DEFAULTS.keep);
    assert.equal(d['otelstack_backup_dir'], VM_BACKUP_DEFAULTS.dir);
    assert.equal(d['otelstack_backup_binary'], `/opt/otelstack/backup/${CANARY_PACKAGE.version}/bin/otelstack`);
    assert.match(d['otelstack_backup_package'], /^otelstack@\d+\.\d+\.\d+$/);
    const tasks = yaml('roles/otelstack-backup/tasks/main.yml') as Obj[];
    for (const t of tasks) {
      assert.ok(typeof t['name'] === 'string' && Object.keys(t)[0] === 'name', 'every task named, name first');
      assert.ok(Object.keys(t).find((k) => k.includes('.'))?.startsWith('ansible.builtin.'), 'FQCN modules');
    }
    const templates = tasks.filter((t) => t['ansible.builtin.template']).map((t) => [t['ansible.builtin.template'].src, t['ansible.builtin.template'].dest, t['notify']]);
    assert.deepEqual(templates, [
      ['otelstack-backup.service.j2', '/etc/systemd/system/otelstack-backup.service', 'Restart the backup timer'],
      ['otelstack-backup.timer.j2', '/etc/systemd/system/otelstack-backup.timer', 'Restart the backup timer'],
    ]);
    const systemd = tasks.filter((t) => t['ansible.builtin.systemd_service']).map((t) => t['ansible.builtin.systemd_service']);
    assert.deepEqual(systemd, [{ name: 'otelstack-backup.timer', enabled: true, state: 'started', daemon_reload: true }], 'the timer is enabled; the service only runs from it');
    const dir = tasks.find((t) => t['name'] === 'Create the backup directory')!['ansible.builtin.file'];
    assert.deepEqual([dir.path, dir.owner, dir.mode], ['{{ otelstack_backup_dir }}', 'root', '0700']);
    const handlers = yaml('roles/otelstack-backup/handlers/main.yml') as Obj[];
    assert.deepEqual(handlers.map((h) => [h['name'], h['ansible.builtin.systemd_service']]), [['Restart the backup timer', { name: 'otelstack-backup.timer', state: 'restarted', daemon_reload: true }]]);
  });

  it('playbooks/backup.yml applies the role to the inventory\'s backup group, last in site.yml', () => {
    const play = (yaml('playbooks/backup.yml') as Obj[])[0]!;
    assert.equal(play['hosts'], 'backup');
    assert.deepEqual(play['roles'], ['common', 'otelstack-tls', 'otelstack-backup']);
    assert.equal(play['become'], true);
    assert.equal((yaml('playbooks/site.yml') as Obj[]).at(-1)!['ansible.builtin.import_playbook'], 'backup.yml');
  });

  it('no secret in the role: no vault variable, no credentials file', () => {
    for (const [path, t] of files) {
      if (!path.startsWith('ansible/roles/otelstack-backup/') || path.includes('/files/')) continue;
      assert.doesNotMatch(t, /vault_|s3\.env|secret/i, path);
    }
  });
});

describe('ansible target: the inventory\'s backup group', () => {
  it('prod: schedule, random delay and archives kept from environments[].backup; dev and test: the defaults', () => {
    const prod = inv('prod').children.backup.vars;
    assert.deepEqual(prod, { otelstack_backup_package: `${CANARY_PACKAGE.name}@${CANARY_PACKAGE.version}`, otelstack_backup_definition: 'vms.stack.yaml', otelstack_backup_schedule: '*-*-* 02:00:00', otelstack_backup_randomized_delay: '30min', otelstack_backup_keep: 14, otelstack_backup_dir: '/var/backups/otelstack' });
    for (const env of ['dev', 'test']) {
      const v = inv(env).children.backup.vars;
      assert.deepEqual([v.otelstack_backup_schedule, v.otelstack_backup_randomized_delay, v.otelstack_backup_keep, v.otelstack_backup_dir], [VM_BACKUP_DEFAULTS.schedule, VM_BACKUP_DEFAULTS.randomizedDelay, VM_BACKUP_DEFAULTS.keep, VM_BACKUP_DEFAULTS.dir], env);
    }
  });

  it('every storage host backs up, stopping the units of exactly the engines it runs — what otelstack backup --host archives there', () => {
    for (const env of ['dev', 'test', 'prod']) {
      const all = inv(env);
      const runs = new Map<string, string[]>();
      for (const [group, g] of Object.entries(all.children.storage.children) as Array<[string, Obj]>) for (const h of Object.keys(g['hosts'])) runs.set(h, [...(runs.get(h) ?? []), group]);
      const backup = all.children.backup.hosts as Record<string, { otelstack_backup_units: string[] }>;
      assert.deepEqual(Object.keys(backup).sort(), Object.keys(all.children.storage.hosts).sort(), `${env}: every storage host`);
      for (const [host, vars] of Object.entries(backup)) {
        assert.deepEqual(vars.otelstack_backup_units, runs.get(host)!.map((g) => `otelstack-${g}.service`), `${env} ${host}`);
        assert.deepEqual(vmHostBackupPlan(stack, env, host).groups, runs.get(host), `${env} ${host}: the backup command on that host sees the same engines`);
      }
    }
  });

  it('the definition the backup reads is placed from files/<env>/ and is the validated definition (its backup block included)', async () => {
    for (const env of ['dev', 'test', 'prod']) assert.equal(files.get(`ansible/roles/otelstack-backup/files/${env}/vms.stack.yaml`), canaryDefinitionFile(stack));
    const dir = mkdtempSync(join(tmpdir(), 'otelstack-backup-def-'));
    try {
      writeFileSync(join(dir, 'vms.stack.yaml'), files.get('ansible/roles/otelstack-backup/files/prod/vms.stack.yaml')!);
      const copy = (await loadStack(join(dir, 'vms.stack.yaml'))).stack;
      assert.deepEqual(copy.environments.find((e) => e.name === 'prod')!.backup, { enabled: true, schedule: '*-*-* 02:00:00', randomizedDelay: '30min', keep: 14, dir: '/var/backups/otelstack' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('backup.enabled: false renders no backup group and no definition copy for that environment', () => {
    const raw = structuredClone(stack) as Obj;
    raw['environments'][0].backup = { enabled: false };
    const r = renderStack(validateDefinition('vms.yaml', raw)).files;
    assert.equal((parse(r.get('ansible/inventory/dev.yml')!) as Obj)['all'].children.backup, undefined);
    assert.equal(r.has('ansible/roles/otelstack-backup/files/dev/vms.stack.yaml'), false);
    assert.ok((parse(r.get('ansible/inventory/test.yml')!) as Obj)['all'].children.backup, 'test keeps its timer');
  });
});

describe('environments[].backup: validation', () => {
  const withBackup = (i: number, backup: unknown, target?: string) => {
    const raw = structuredClone(stack) as Obj;
    raw['environments'][i].backup = backup;
    if (target) {
      raw['environments'][i].target = target;
      delete raw['environments'][i].hosts;
    }
    return () => validateDefinition('vms.yaml', raw);
  };

  it('only on ansible environments, with a suggestion for compose', () => {
    assert.throws(withBackup(0, { keep: 3 }, 'compose'), (e: Error) => /environments\[0\]\.backup/.test(e.message) && /systemd timer of an ansible environment; dev has target compose/.test(e.message) && /otelstack backup --retention N/.test(e.message));
    assert.throws(withBackup(0, {}, 'kubernetes'), /dev has target kubernetes/);
  });

  it('schedule, random delay, keep and dir are checked', () => {
    assert.throws(withBackup(0, { schedule: 'daily\nExecStart=/bin/sh' }), /environments\[0\]\.backup\.schedule[\s\S]*systemd calendar expression/);
    assert.throws(withBackup(0, { schedule: '{{ evil }}' }), /backup\.schedule/);
    assert.throws(withBackup(0, { randomizedDelay: '10 minutes' }), /backup\.randomizedDelay[\s\S]*time span/);
    assert.throws(withBackup(0, { keep: 0 }), /backup\.keep/);
    assert.throws(withBackup(0, { dir: 'backups' }), /backup\.dir[\s\S]*absolute path/);
    assert.throws(withBackup(0, { every: 'day' }), /backup/);
    const ok = withBackup(0, { schedule: 'Sun *-*-* 03:00:00', keep: 30 })();
    assert.deepEqual(ok.environments[0]!.backup, { enabled: true, schedule: 'Sun *-*-* 03:00:00', randomizedDelay: '1h', keep: 30, dir: '/var/backups/otelstack' });
  });
});
