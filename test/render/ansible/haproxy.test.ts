// The ansible target's HAProxy on each gateway host (seed 003 level 3; src/render/ansible/haproxy.ts,
// src/topology/vm-faro-proxy.ts) on examples/vms serving two tenants: the role (tasks, handler, defaults), its place
// in the gateway play, the inventory, the haproxy.cfg (the tenants' Faro frontends only, TLS for browsers under TLS
// between VMs, each in front of the collector on 127.0.0.1:<port + offset>), and the gateway collector's tenant
// receivers on that loopback port. The real haproxy -c and a real run: test/e2e/vm-haproxy.test.ts; the real
// ansible-lint / --syntax-check: ansible-tools.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';

import { HAPROXY, HAPROXY_DISTRO, HAPROXY_FARO_RATE_LIMIT, VM_FARO_BACKEND_OFFSET } from '../../../src/catalog/support.js';
import { validateDefinition } from '../../../src/model/load.js';
import { buildPlan } from '../../../src/plan/index.js';
import { renderStack } from '../../../src/render/index.js';
import { stackRules } from '../../../src/render/rules/index.js';
import { expand } from '../../../src/topology/expand.js';
import { VM_HAPROXY_PEM } from '../../../src/topology/vm-faro-proxy.js';
import { vmsStack, vmsWithTenants } from './support.js';

type Obj = Record<string, any>;
const MANAGE = 'otelstack_manage_system | default(true) | bool';

describe('ansible target: HAProxy on each gateway host in front of the tenants\' Faro receivers', async () => {
  const stack = await vmsWithTenants();
  const { files, findings } = renderStack(stack);
  const text = (path: string) => {
    const f = files.get(`ansible/${path}`);
    assert.ok(f !== undefined, `ansible/${path} is rendered`);
    return f;
  };
  const yaml = (path: string) => parse(text(path)) as any;
  const tenants = expand(stack, 'prod').tenants!;
  const port = (name: string) => tenants.find((t) => t.name === name)!.faroPort;

  it('plans and renders without errors; the tenant-protection rule no longer warns that nothing limits the tenants', () => {
    const plan = buildPlan(stack, 'vms-tenants-variant.yaml');
    assert.deepEqual(plan.findings.filter((f) => f.severity === 'error'), []);
    assert.deepEqual(plan.findings.filter((f) => f.rule === 'tenant-protection'), []);
    assert.deepEqual(findings.filter((f) => f.severity === 'error'), []);
    assert.deepEqual(tenants.map((t) => [t.name, t.faroPort]), [['blog', 12400], ['shop', 12401]]);
  });

  it('the role: the distro package, the config placed after haproxy -c and reloaded on change, then its frontends waited for', () => {
    assert.deepEqual(yaml('roles/haproxy/tasks/main.yml'), [{ name: "HAProxy in front of the tenants' Faro receivers", 'ansible.builtin.include_tasks': 'haproxy.yml', when: 'haproxy_enabled | bool' }]);
    const tasks = yaml('roles/haproxy/tasks/haproxy.yml') as Obj[];
    const named = (re: RegExp) => {
      const t = tasks.find((x) => re.test(x['name']));
      assert.ok(t, `a task matching ${re}`);
      return t;
    };
    assert.ok(tasks.every((t) => typeof t['name'] === 'string' && Object.keys(t).some((k) => k.startsWith('ansible.builtin.'))), 'every task is named and fully qualified');
    const install = named(/^Install HAProxy/);
    assert.deepEqual(install['ansible.builtin.package'], { name: '{{ haproxy_package }}', state: 'present' });
    assert.equal(install['when'], MANAGE);
    const copy = named(/^Place the HAProxy config/);
    assert.deepEqual(copy['ansible.builtin.copy'], { src: '{{ haproxy_config_src }}', dest: '{{ haproxy_config }}', owner: 'root', group: 'root', mode: '0644', validate: 'haproxy -c -f %s' });
    assert.equal(copy['notify'], 'Reload HAProxy');
    const pem = named(/TLS PEM \(the certificate, then its key\)/);
    assert.match(pem['ansible.builtin.shell'].cmd, new RegExp(`dest=${VM_HAPROXY_PEM}\\ncat \\{\\{ haproxy_tls_cert \\| quote \\}\\} \\{\\{ haproxy_tls_key \\| quote \\}\\} > "\\$dest.new"`));
    assert.equal(pem['when'], 'otelstack_tls.enabled | default(false)');
    assert.equal(pem['notify'], 'Reload HAProxy');
    assert.ok(tasks.indexOf(pem) < tasks.indexOf(copy), 'the PEM the config names exists before haproxy -c checks it');
    assert.deepEqual(named(/^Owner and mode of HAProxy's TLS PEM/)['ansible.builtin.file'], { path: VM_HAPROXY_PEM, owner: 'root', group: 'root', mode: '0600' });
    const start = named(/^Enable and start HAProxy/);
    assert.deepEqual(start['ansible.builtin.systemd_service'], { name: '{{ haproxy_service }}', enabled: true, state: 'started' });
    assert.equal(start['when'], MANAGE);
    const flush = named(/pending reload/);
    assert.equal(flush['ansible.builtin.meta'], 'flush_handlers');
    const monitor = named(/monitor answers/);
    assert.equal(monitor['ansible.builtin.uri'].url, `http://127.0.0.1:{{ haproxy_monitor_port }}${HAPROXY.monitorUri}`);
    assert.equal(monitor['until'], 'haproxy_ready.status == 200');
    const fronts = named(/each tenant's Faro frontend/);
    assert.deepEqual([fronts['ansible.builtin.wait_for'], fronts['loop'], fronts['when']], [{ host: '127.0.0.1', port: '{{ item }}', timeout: 60 }, '{{ haproxy_tenant_ports }}', MANAGE]);
    assert.ok(tasks.indexOf(copy) < tasks.indexOf(start) && tasks.indexOf(start) < tasks.indexOf(flush) && tasks.indexOf(flush) < tasks.indexOf(monitor));
    assert.deepEqual(yaml('roles/haproxy/handlers/main.yml'), [{ name: 'Reload HAProxy', 'ansible.builtin.systemd_service': { name: '{{ haproxy_service }}', state: 'reloaded' }, when: MANAGE }]);
  });

  it('defaults: every variable prefixed haproxy_ (ansible-lint var-naming), off unless the inventory turns it on', () => {
    const d = yaml('roles/haproxy/defaults/main.yml') as Obj;
    assert.ok(Object.keys(d).every((k) => k.startsWith('haproxy_')), Object.keys(d).join(', '));
    assert.equal(d['haproxy_enabled'], false);
    assert.equal(d['haproxy_package'], HAPROXY_DISTRO.package);
    assert.equal(d['haproxy_service'], HAPROXY_DISTRO.service);
    assert.equal(d['haproxy_config'], `{{ otelstack_root | default('') }}${HAPROXY_DISTRO.configPath}`);
    assert.equal(d['haproxy_config_src'], '{{ otelstack_env }}/haproxy.cfg');
    assert.deepEqual([d['haproxy_tls_cert'], d['haproxy_tls_key']], ['{{ otelstack_tls.cert }}', '{{ otelstack_tls.key }}']);
    assert.equal(d['haproxy_monitor_port'], HAPROXY.ports.monitor);
  });

  it('playbooks: the gateway play runs haproxy after the collector; the processor play does not', () => {
    const plays = yaml('playbooks/collectors.yml') as Obj[];
    const gw = plays.find((p) => p['hosts'] === 'collectors_gateway')!;
    const pr = plays.find((p) => p['hosts'] === 'collectors_processor')!;
    assert.deepEqual(gw['roles'], ['common', 'otelstack-tls', 'otel-collector', 'haproxy']);
    assert.deepEqual(pr['roles'], ['common', 'otelstack-tls', 'otel-collector']);
    assert.match(text('README.md'), /on each gateway host HAProxy \(the distribution's package, role `haproxy`\)/);
    assert.match(text('README.md'), /up to N × its\nrate/);
  });

  for (const env of ['dev', 'test', 'prod']) {
    it(`${env}: the inventory turns the role on with the tenants' ports; the collector's tenant ports are the backends`, () => {
      const vars = (yaml(`inventory/${env}.yml`) as Obj)['all'].children.collectors.children.collectors_gateway.vars;
      assert.equal(vars['haproxy_enabled'], true);
      assert.deepEqual(vars['haproxy_tenant_ports'], [12400, 12401]);
      assert.equal(vars['otel_collector_ports']['faro_blog'], 12400 + VM_FARO_BACKEND_OFFSET);
      assert.equal(vars['otel_collector_ports']['faro_shop'], 12401 + VM_FARO_BACKEND_OFFSET);
    });

    it(`${env}: haproxy.cfg fronts the tenants' Faro ports only (TLS for browsers), each in front of 127.0.0.1:<port + ${VM_FARO_BACKEND_OFFSET}>`, () => {
      const cfg = text(`roles/haproxy/files/${env}/haproxy.cfg`);
      const sections = cfg.split('\n').filter((l) => /^(frontend|backend|resolvers|global|defaults)\b/.test(l));
      assert.deepEqual(sections, [
        'global',
        'defaults',
        'frontend faro_blog',
        'backend faro_blog_1s',
        'backend faro_blog_10s',
        'backend faro_blog_gateways',
        'frontend faro_shop',
        'backend faro_shop_1s',
        'backend faro_shop_10s',
        'backend faro_shop_gateways',
        'frontend health',
      ]);
      assert.doesNotMatch(cfg, /otlp|resolvers|default-server/);
      for (const tn of ['blog', 'shop']) {
        const fe = HAPROXY_FARO_RATE_LIMIT.frontend(tn);
        // every interface, TLS with the assembled PEM, no client certificate (no `verify`, no `ca-file`)
        assert.ok(cfg.includes(`frontend ${fe}\n`), fe);
        assert.ok(cfg.includes(`  bind :${port(tn)} ssl crt ${VM_HAPROXY_PEM} ssl-min-ver TLSv1.2\n`), `${fe} binds :${port(tn)} over TLS`);
        assert.ok(cfg.includes(`  server otelcol 127.0.0.1:${port(tn) + VM_FARO_BACKEND_OFFSET} check port 13133\n`), `${fe}'s backend is the loopback collector`);
      }
      assert.doesNotMatch(cfg, /verify|ca-file/);
      assert.ok(cfg.includes('  stats socket ipv4@127.0.0.1:9999 level admin\n'), 'the runtime API on loopback only');
      assert.ok(cfg.includes(`  user ${HAPROXY_DISTRO.user}\n  group ${HAPROXY_DISTRO.group}\n`));
      assert.ok(cfg.includes(`frontend health\n  bind :${HAPROXY.ports.monitor}\n  monitor-uri /healthz\n  http-request use-service prometheus-exporter if { path /metrics }\n`), 'the exporter counting the refusals');
      // the same tenant sections as compose: the 429 with Retry-After and the CORS grant for the tenant's origin
      assert.ok(cfg.includes('  acl faro_shop_origin req.hdr(origin) -m str https://shop.example.com\n'));
      assert.match(cfg, /http-request deny status 429 hdr Retry-After 1 hdr Access-Control-Allow-Origin "%\[req\.hdr\(origin\)\]" hdr Access-Control-Expose-Headers Retry-After hdr Vary Origin if !METH_OPTIONS \{ int\(0\),table_http_req_rate\(faro_shop_1s\) ge 100 \} faro_shop_origin/);
    });

    it(`${env}: the gateway collector's tenant receivers listen on 127.0.0.1:<port + ${VM_FARO_BACKEND_OFFSET}> in plaintext; OTLP and the shared Faro receiver keep every interface and TLS`, () => {
      const c = yaml(`roles/otel-collector/files/${env}/otelcol-gateway.yaml`) as Obj;
      for (const tn of ['blog', 'shop']) {
        const r = c['receivers'][`faro/${tn}`];
        assert.equal(r.endpoint, `127.0.0.1:${port(tn) + VM_FARO_BACKEND_OFFSET}`);
        assert.equal(r.tls, undefined, 'HAProxy terminates TLS');
        assert.deepEqual(r.cors.allowed_origins, [`https://${tn}.example.com`]);
      }
      assert.equal(c['receivers']['faro'].endpoint, '0.0.0.0:12347');
      assert.ok(c['receivers']['faro'].tls, 'the shared Faro receiver keeps its server TLS');
      assert.equal(c['receivers']['otlp'].protocols.http.endpoint, '0.0.0.0:4318');
      assert.ok(c['receivers']['otlp'].protocols.http.tls);
    });
  }

  it('plan: level 3 is HAProxy on each gateway host, counted per host (N × the rate over N hosts)', () => {
    const plan = buildPlan(stack, 'vms-tenants-variant.yaml');
    const shop = (env: string) => plan.environments.find((e) => e.name === env)!.tenants!.find((t) => t.tenant === 'shop')!;
    assert.equal(shop('prod').gateway.enforcedBy, 'HAProxy stick-table on each gateway host');
    assert.equal(shop('prod').gateway.scope, 'per gateway host: each of the 3 counts on its own, so spread over them the tenant gets up to 3 × 50/s (bursts of 3 × 100)');
    assert.equal(shop('dev').gateway.scope, 'per gateway host (one: the whole tenant)');
    const info = plan.findings.find((f) => f.rule === 'vm-tls' && f.env === 'prod')!;
    assert.match(info.message, /the tenants' Faro ports are HAProxy's on each gateway host, over TLS with the host certificate \(no client certificate: browsers have none\)/);
    assert.match(info.message, /HAProxy's monitor and metrics port \(8405\) is plaintext/);
  });

  it("the self-monitoring rules of a VM environment with tenants carry FaroTenantRateLimited (HAProxy's exporter is there)", () => {
    const set = stackRules(stack, expand(stack, 'prod'));
    const group = set.file.groups.find((g) => g.name === 'vms-faro-tenants');
    assert.ok(group, `groups: ${set.file.groups.map((g) => g.name).join(', ')}`);
    assert.deepEqual(group.rules.map((r) => ('alert' in r ? `${r.alert}/${r.labels['tenant']}` : '')), ['FaroTenantRateLimited/blog', 'FaroTenantRateLimited/shop']);
  });
});

describe('ansible target: the gateway hosts\' HAProxy without TLS, without tenants, and ports that do not fit', async () => {
  it('TLS off: the tenants\' frontends are plain HTTP', async () => {
    const stack = await vmsWithTenants((raw) => {
      for (const e of raw['environments']) delete e.tls;
    });
    const cfg = renderStack(stack).files.get('ansible/roles/haproxy/files/prod/haproxy.cfg')!;
    assert.ok(cfg.includes('  bind :12400\n') && cfg.includes('  bind :12401\n'), cfg);
    assert.doesNotMatch(cfg, /ssl/);
  });

  it('examples/vms (no tenants): no haproxy role, no haproxy in the gateway play', async () => {
    const files = renderStack(await vmsStack()).files;
    assert.ok(![...files.keys()].some((k) => k.startsWith('ansible/roles/haproxy/')));
    assert.doesNotMatch(files.get('ansible/playbooks/collectors.yml')!, /haproxy/);
  });

  it('tenants in prod only: the role is in the shared play, turned on in prod\'s inventory only', async () => {
    const stack = await vmsWithTenants((raw) => {
      for (const t of Object.values(raw['tenants']) as Obj[]) t['environments'] = ['prod'];
    });
    const files = renderStack(stack).files;
    assert.match(files.get('ansible/playbooks/collectors.yml')!, /- haproxy/);
    const on = (env: string) => (parse(files.get(`ansible/inventory/${env}.yml`)!) as Obj)['all'].children.collectors.children.collectors_gateway.vars['haproxy_enabled'];
    assert.deepEqual([on('dev'), on('test'), on('prod')], [undefined, undefined, true]);
    assert.ok(files.has('ansible/roles/haproxy/files/prod/haproxy.cfg') && !files.has('ansible/roles/haproxy/files/dev/haproxy.cfg'));
  });

  it('a pinned tenant port whose backend collides with another port of the gateway hosts, or passes 65535, is an ansible-hosts error; nothing is rendered', async () => {
    // 3133 + 10000 = 13133, the collector's health_check port
    const stack = await vmsWithTenants((raw) => {
      raw['tenants'].blog.port = 3133;
      raw['tenants'].shop.port = 60000;
    });
    const errors = buildPlan(stack, 'x.yaml').findings.filter((f) => f.severity === 'error' && f.env === 'prod');
    assert.deepEqual(errors.map((f) => [f.rule, f.path]), [['ansible-hosts', 'tenants.blog.port'], ['ansible-hosts', 'tenants.shop.port']]);
    assert.match(errors[0]!.message, /tenant blog's collector receiver behind HAProxy \(port 3133 \+ 10000 = 13133\) would share the gateway hosts' port 13133 with the collector's health port/);
    assert.match(errors[1]!.message, /= 70000, above 65535/);
    const r = renderStack(stack);
    assert.ok(![...r.files.keys()].some((k) => k.startsWith('ansible/inventory/prod')));
    assert.ok(r.findings.some((f) => f.rule === 'ansible-hosts' && f.severity === 'error'));
  });

  it('the compose load balancer is unchanged by the new placement options (OTLP frontends, resolvers, runtime API on every interface)', async () => {
    const raw = structuredClone(await vmsWithTenants()) as Obj;
    for (const e of raw['environments']) {
      e.target = 'compose';
      delete e.hosts;
      delete e.backup;
      delete e.tls;
    }
    const cfg = renderStack(validateDefinition('compose.yaml', raw)).files.get('compose/prod/haproxy.cfg')!;
    assert.match(cfg, /^# HAProxy in front of the OTLP gateways — rendered by otelstack\.\nglobal\n  log stdout format raw local0\n  stats socket ipv4@0\.0\.0\.0:9999 level admin\nresolvers compose\n/);
    assert.match(cfg, /frontend otlp_grpc\n/);
    assert.match(cfg, /  bind :12400\n/);
    assert.doesNotMatch(cfg, /ssl|user haproxy/);
  });
});
