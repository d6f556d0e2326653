// The real Ansible tools on the rendered examples/vms (scripts/peers/ansible.sh installs them; a missing tool FAILS
// with the installer to run, test/e2e/support/peers.ts): every inventory parses with its groups, site.yml passes
// --syntax-check against every inventory, and ansible-lint's production profile passes (its waivers are listed with
// reasons in the rendered .ansible-lint) — on examples/vms and on its variant serving tenants (the haproxy role on the
// gateway hosts). Not run here: applying the playbooks (idempotence, the real run).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { renderStack } from '../../../src/render/index.js';
import { ansibleTool } from '../../e2e/support/peers.js';
import type { Stack } from '../../../src/model/schema.js';
import { vmsStack, vmsWithTenants } from './support.js';

function realTools(title: string, load: () => Promise<Stack>, extra: (run: Run) => void = () => {}): void {
  describe(`ansible target: the real ansible-inventory, ansible-playbook --syntax-check and ansible-lint (${title})`, () => {
    let dir = '';
    let env: NodeJS.ProcessEnv = {};
    const run = (tool: 'ansible-playbook' | 'ansible-inventory' | 'ansible-lint', args: string[]) => {
      const r = spawnSync(ansibleTool(tool), args, { cwd: join(dir, 'ansible'), env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      return { code: r.status, out: r.stdout, err: r.stderr };
    };

    before(async () => {
      // fail (not skip) when the tools are missing
      for (const t of ['ansible-playbook', 'ansible-inventory', 'ansible-lint'] as const) ansibleTool(t);
      dir = mkdtempSync(join(tmpdir(), 'otelstack-ansible-'));
      for (const [path, text] of renderStack(await load()).files) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
      // Ansible's own state in the temp dir; the venv's bin first (ansible-lint runs ansible-playbook from PATH)
      env = { ...process.env, ANSIBLE_HOME: join(dir, '.ansible-home'), ANSIBLE_LOCAL_TEMP: join(dir, '.ansible-tmp'), PATH: `${dirname(ansibleTool('ansible-playbook'))}:${process.env['PATH'] ?? ''}`, NO_COLOR: '1' };
    });
    after(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    for (const e of ['dev', 'test', 'prod']) {
      it(`ansible-inventory --list parses inventory/${e}.yml with every group`, () => {
        const r = run('ansible-inventory', ['-i', `inventory/${e}.yml`, '--list']);
        assert.equal(r.code, 0, r.err);
        const inv = JSON.parse(r.out) as Record<string, { hosts?: string[]; children?: string[] }>;
        for (const g of ['collectors', 'collectors_gateway', 'collectors_processor', 'kafka', 'storage', 'seaweedfs', 'tempo', 'mimir', 'loki', 'grafana']) assert.ok(inv[g], `${e}: group ${g}`);
        assert.deepEqual(inv['kafka']!.hosts, ['kafka-0', 'kafka-1', 'kafka-2']);
        assert.equal((inv['_meta'] as any).hostvars['kafka-1'].kafka_node_id, 1);
      });

      it(`ansible-playbook --syntax-check playbooks/site.yml with inventory/${e}.yml`, () => {
        const r = run('ansible-playbook', ['--syntax-check', '-i', `inventory/${e}.yml`, 'playbooks/site.yml']);
        assert.equal(r.code, 0, `${r.out}\n${r.err}`);
        assert.match(r.out, /playbook: playbooks\/site\.yml/);
      });
    }

    it('ansible-lint --profile production passes (waivers: .ansible-lint, each with a reason)', () => {
      const r = run('ansible-lint', ['--profile', 'production', '--offline']);
      assert.equal(r.code, 0, `${r.out}\n${r.err}`);
      assert.match(`${r.out}\n${r.err}`, /Profile 'production' was required, and it passed/);
    });
    extra(run);
  });
}

type Run = (tool: 'ansible-playbook' | 'ansible-inventory' | 'ansible-lint', args: string[]) => { code: number | null; out: string; err: string };

realTools('examples/vms', vmsStack);
realTools('examples/vms serving tenants', () => vmsWithTenants(), (run) => {
  it('the gateway hosts get the haproxy role with the tenants\' ports; the processors do not', () => {
    const r = run('ansible-inventory', ['-i', 'inventory/prod.yml', '--list']);
    assert.equal(r.code, 0, r.err);
    const vars = (JSON.parse(r.out) as any)['_meta'].hostvars;
    assert.deepEqual([vars['gateway-2'].haproxy_enabled, vars['gateway-2'].haproxy_tenant_ports], [true, [12400, 12401]]);
    assert.equal(vars['processor-0'].haproxy_enabled, undefined);
    const list = run('ansible-playbook', ['--list-tasks', '-i', 'inventory/prod.yml', 'playbooks/collectors.yml']);
    assert.equal(list.code, 0, `${list.out}\n${list.err}`);
    assert.match(list.out, /haproxy : HAProxy in front of the tenants' Faro receivers/);
  });
});
