// The ansible target's systemd units as the real tools see them (examples/vms): every role's *.service.j2 / *.timer.j2
// templated by the real Ansible (ansible-playbook, local connection, with the role's defaults and the inventory's
// vars for a host of each group), then checked by the real `systemd-analyze verify` (Debian's systemd package;
// scripts/peers/systemd.sh). A missing tool FAILS the test with the installer to run.
//
// systemd cannot run here (it is not the init, and the units would start engines), so:
//  - verify runs with --root on a temporary tree holding the units, the distribution's own unit files (the targets
//    the units name) and, at every path an Exec*= line runs, a placeholder executable (verify requires the file to
//    exist; the real binaries are what the roles download on a VM) — systemctl is the real one;
//  - the backup service's ExecStart is run as written by the templated unit, with otelstack's bin in place of the
//    npm package's and the VM's absolute paths under a temporary root (plus --root for the host's layout): it makes
//    the host's archive. Its ExecStartPre / ExecStopPost (systemctl stop / start of the engines) are not run.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readManifest, vmHostBackupPlan } from '../../../src/ops/backup/index.js';
import { renderStack } from '../../../src/render/index.js';
import { ansibleTool, systemdAnalyzeBin } from '../../e2e/support/peers.js';
import { BIN } from '../../support/paths.js';
import { vmsStack } from './support.js';
import { CANARY_PACKAGE } from '../../../src/catalog/canary.js';

/** inventory group → the role whose units its hosts run */
const GROUP_ROLES: ReadonlyArray<[string, string]> = [
  ['collectors_gateway', 'otel-collector'],
  ['kafka', 'kafka'],
  ['seaweedfs', 'seaweedfs'],
  ['tempo', 'tempo'],
  ['mimir', 'mimir'],
  ['loki', 'loki'],
  ['grafana', 'grafana'],
  ['canary', 'otelstack-canary'],
  ['backup', 'otelstack-backup'],
];
const ENVS = ['dev', 'prod'] as const;
const SYSTEM_UNITS = '/usr/lib/systemd/system';

let dir = '';
let ansibleEnv: NodeJS.ProcessEnv = {};
/** env → host → unit file name → templated text */
const units = new Map<string, Map<string, Map<string, string>>>();

function unitsOf(env: string, host: string): Map<string, string> {
  const u = units.get(env)?.get(host);
  assert.ok(u && u.size > 0, `${env}/${host}: templated units`);
  return u;
}
const keys = (unit: string, key: string) => unit.split('\n').filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1));

/** Hard links (same filesystem) or copies of every file under `from` into `to`. */
function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const e of readdirSync(from, { withFileTypes: true })) {
    const a = join(from, e.name);
    const b = join(to, e.name);
    if (e.isDirectory()) linkTree(a, b);
    else if (e.isSymbolicLink()) continue; // aliases (dbus-org.*, …): not needed by our units
    else {
      try {
        linkSync(a, b);
      } catch {
        copyFileSync(a, b);
      }
    }
  }
}

/** A root for `systemd-analyze verify --root`: the units under etc/systemd/system, the system's units, the Exec*= paths. */
function verifyRoot(name: string, files: Map<string, string>): string {
  const root = join(dir, 'verify', name);
  linkTree(SYSTEM_UNITS, join(root, SYSTEM_UNITS));
  for (const [file, text] of files) {
    mkdirSync(join(root, 'etc/systemd/system'), { recursive: true });
    writeFileSync(join(root, 'etc/systemd/system', file), text);
    for (const line of text.split('\n')) {
      const m = /^(?:ExecStart|ExecStartPre|ExecStartPost|ExecStop|ExecStopPost|ExecReload)=[-@+!:]*(\S+)/.exec(line);
      if (!m) continue;
      const path = join(root, m[1]!);
      if (existsSync(path)) continue;
      mkdirSync(dirname(path), { recursive: true });
      if (m[1] === '/usr/bin/systemctl') copyFileSync('/usr/bin/systemctl', path);
      else writeFileSync(path, '#!/bin/sh\n# placeholder for systemd-analyze verify: on a VM the role downloads this binary\nexit 0\n');
      chmodSync(path, 0o755);
    }
  }
  return root;
}

function verify(root: string, files: string[]) {
  const r = spawnSync(systemdAnalyzeBin(), ['verify', `--root=${root}`, ...files.map((f) => `etc/systemd/system/${f}`)], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

before(async () => {
  // fail (not skip) when a tool is missing
  systemdAnalyzeBin();
  const playbook = ansibleTool('ansible-playbook');
  dir = mkdtempSync(join(tmpdir(), 'otelstack-units-'));
  const files = renderStack(await vmsStack()).files;
  for (const [path, text] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  // the harness: one play per group (its first host; every backup host), templating the role's unit templates with
  // the role's defaults (include_role) and the inventory's vars — nothing is installed or started
  const plays: string[] = [];
  for (const [group, role] of GROUP_ROLES) {
    const templates = readdirSync(join(dir, 'ansible/roles', role, 'templates')).filter((f) => /\.(service|timer)\.j2$/.test(f)).sort();
    writeFileSync(
      join(dir, 'ansible/roles', role, 'tasks/otelstack-test-units.yml'),
      [
        '---',
        '- name: The directory of this host\'s units (test harness)',
        '  ansible.builtin.file:',
        '    path: "{{ otelstack_test_out }}/{{ otelstack_env }}/{{ inventory_hostname }}"',
        '    state: directory',
        '    mode: "0755"',
        '- name: Template the units (test harness)',
        '  ansible.builtin.template:',
        '    src: "{{ item }}"',
        '    dest: "{{ otelstack_test_out }}/{{ otelstack_env }}/{{ inventory_hostname }}/{{ item[:-3] }}"',
        '    mode: "0644"',
        `  loop: ${JSON.stringify(templates)}`,
        '',
      ].join('\n'),
    );
    plays.push(
      [
        `- name: Units of ${group}`,
        `  hosts: ${group === 'backup' ? 'backup' : `${group}[0]`}`,
        '  connection: local',
        '  gather_facts: false',
        '  vars:',
        '    ansible_python_interpreter: "{{ ansible_playbook_python }}"',
        '  tasks:',
        '    - name: Template',
        '      ansible.builtin.include_role:',
        `        name: ${role}`,
        '        tasks_from: otelstack-test-units.yml',
      ].join('\n'),
    );
  }
  writeFileSync(join(dir, 'ansible/playbooks/otelstack-test-units.yml'), `---\n${plays.join('\n')}\n`);
  ansibleEnv = { ...process.env, ANSIBLE_HOME: join(dir, '.ansible-home'), ANSIBLE_LOCAL_TEMP: join(dir, '.ansible-tmp'), PATH: `${dirname(playbook)}:${process.env['PATH'] ?? ''}`, NO_COLOR: '1' };
  const out = join(dir, 'units');
  for (const env of ENVS) {
    const r = spawnSync(playbook, ['-i', `inventory/${env}.yml`, 'playbooks/otelstack-test-units.yml', '-e', `otelstack_test_out=${out}`], { cwd: join(dir, 'ansible'), env: ansibleEnv, encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
    assert.equal(r.status, 0, `ansible-playbook (${env}) templating the units:\n${r.stdout}\n${r.stderr}`);
    const byHost = new Map<string, Map<string, string>>();
    for (const host of readdirSync(join(out, env))) byHost.set(host, new Map(readdirSync(join(out, env, host)).map((f) => [f, readFileSync(join(out, env, host, f), 'utf8')])));
    units.set(env, byHost);
  }
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('ansible target: the rendered systemd units, templated by Ansible and checked by systemd-analyze verify', () => {
  for (const env of ENVS) {
    it(`${env}: every unit of every role passes systemd-analyze verify without a warning`, () => {
      let checked = 0;
      for (const [host, files] of units.get(env)!) {
        const root = verifyRoot(`${env}-${host}`, files);
        const r = verify(root, [...files.keys()]);
        assert.equal(r.code, 0, `${env}/${host}: ${[...files.keys()].join(', ')}\n${r.out}`);
        assert.equal(r.out, '', `${env}/${host}: systemd-analyze verify warned`);
        checked += files.size;
      }
      // gateway, kafka, seaweedfs, tempo, mimir, loki, grafana, canary: one service each; four storage hosts: service + timer
      assert.equal(checked, 8 + 4 * 2, `${env}: units checked`);
    });
  }

  it('the check is not vacuous: a timer whose OnCalendar does not parse and a misspelt key fail it', () => {
    const files = new Map(unitsOf('prod', 'storage-1'));
    files.set('otelstack-backup.timer', files.get('otelstack-backup.timer')!.replace(/^OnCalendar=.*$/m, 'OnCalendar=*-*-* 25:00:00'));
    files.set('otelstack-backup.service', files.get('otelstack-backup.service')!.replace('Type=oneshot', 'Type=oneshoot'));
    const r = verify(verifyRoot('broken', files), [...files.keys()]);
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /Failed to parse calendar specification/);
    assert.match(r.out, /Failed to parse service type/);
  });

  it('the backup units as Ansible writes them: prod\'s schedule, delay and retention from the definition; dev\'s defaults; each host stops its engines', () => {
    const prod = unitsOf('prod', 'storage-1');
    const s = prod.get('otelstack-backup.service')!;
    assert.deepEqual(keys(s, 'Type'), ['oneshot']);
    assert.deepEqual(keys(s, 'ExecStart'), [`/opt/otelstack/backup/${CANARY_PACKAGE.version}/bin/otelstack backup /etc/otelstack/vms.stack.yaml --env prod --host storage-1 --out /var/backups/otelstack --retention 14`]);
    assert.deepEqual(keys(s, 'ExecStartPre'), ['/usr/bin/systemctl stop otelstack-tempo.service']);
    assert.deepEqual(keys(s, 'ExecStopPost'), ['/usr/bin/systemctl start otelstack-tempo.service']);
    const t = prod.get('otelstack-backup.timer')!;
    assert.deepEqual([keys(t, 'OnCalendar'), keys(t, 'RandomizedDelaySec'), keys(t, 'Persistent')], [['*-*-* 02:00:00'], ['30min'], ['true']]);
    assert.deepEqual(keys(unitsOf('prod', 'storage-0').get('otelstack-backup.service')!, 'ExecStartPre'), ['/usr/bin/systemctl stop otelstack-seaweedfs.service']);
    const dev = unitsOf('dev', 'storage-3');
    assert.deepEqual(keys(dev.get('otelstack-backup.service')!, 'ExecStart'), [`/opt/otelstack/backup/${CANARY_PACKAGE.version}/bin/otelstack backup /etc/otelstack/vms.stack.yaml --env dev --host storage-3 --out /var/backups/otelstack --retention 7`]);
    assert.deepEqual([keys(dev.get('otelstack-backup.timer')!, 'OnCalendar'), keys(dev.get('otelstack-backup.timer')!, 'RandomizedDelaySec')], [['daily'], ['1h']]);
    assert.deepEqual(keys(dev.get('otelstack-backup.service')!, 'ExecStopPost'), ['/usr/bin/systemctl start otelstack-loki.service']);
  });

  it('the backup service\'s ExecStart, run as written (otelstack\'s bin, the VM\'s paths under a temporary root), archives the host', async () => {
    const line = keys(unitsOf('prod', 'storage-1').get('otelstack-backup.service')!, 'ExecStart')[0]!;
    const [binary, ...args] = line.split(' ');
    assert.equal(binary, `/opt/otelstack/backup/${CANARY_PACKAGE.version}/bin/otelstack`);
    // the host as the roles left it: the data directory, the configs, the definition copy (rendered bytes)
    const root = join(dir, 'vm-prod-storage-1');
    const stack = await vmsStack();
    const plan = vmHostBackupPlan(stack, 'prod', 'storage-1');
    for (const d of plan.data) {
      mkdirSync(join(root, d.path, 'wal'), { recursive: true });
      writeFileSync(join(root, d.path, 'wal/00000001'), 'a WAL segment\n');
    }
    const rendered = (p: string) => readFileSync(join(dir, 'ansible/roles', p), 'utf8');
    mkdirSync(join(root, 'etc/otelstack'), { recursive: true });
    writeFileSync(join(root, 'etc/otelstack/tempo.yaml'), rendered('tempo/files/prod/tempo.yaml'));
    // Tempo's per-tenant overrides file, which the role places beside its config (and the backup archives with it)
    writeFileSync(join(root, 'etc/otelstack/tempo-overrides.yaml'), rendered('tempo/files/prod/tempo-overrides.yaml'));
    writeFileSync(join(root, 'etc/otelstack/vms.stack.yaml'), rendered('otelstack-backup/files/prod/vms.stack.yaml'));
    const rooted = args.map((a) => (a.startsWith('/') ? join(root, a) : a));
    const r = spawnSync(process.execPath, [BIN, ...rooted, '--root', root], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    const archives = readdirSync(join(root, 'var/backups/otelstack'));
    assert.equal(archives.length, 1);
    assert.match(archives[0]!, /^vms-prod-storage-1-\d{8}T\d{6}\.\d{3}Z\.tar\.gz$/);
    const m = await readManifest(join(root, 'var/backups/otelstack', archives[0]!));
    assert.deepEqual([m.target, m.host, m.sources.map((s) => s.name), m.configs.files], ['ansible', 'storage-1', ['tempo'], 3]);
  });
});
