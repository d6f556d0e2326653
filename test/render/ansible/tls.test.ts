// TLS between the VMs of an ansible environment (environments[].tls): the definition's references (paths or
// ansible-vault variable names, never PEM) and their errors, the vm-tls plan rule (refused on other targets, a
// warning when a multi-VM environment has TLS off), where the collector configs get tls blocks, Kafka's SSL
// listeners and the otelstack-tls role's checks. The real consumers (collector, Kafka, Ansible) are in
// test/e2e/vm-tls.test.ts, test/e2e/validate.test.ts and ansible-tools.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { validateDefinition } from '../../../src/model/load.js';
import { DefinitionError } from '../../../src/model/errors.js';
import { otelstackSync, tempDir } from '../../support/cli.js';
import { buildPlan, verdict } from '../../../src/plan/index.js';
import { renderStack } from '../../../src/render/index.js';
import { vmsStack } from './support.js';

type Obj = Record<string, any>;
const raw = async (): Promise<Obj> => structuredClone((await vmsStack()) as Obj);

function definitionIssues(f: () => unknown): Array<{ path: string; message: string; expected: string; suggestion: string }> {
  try {
    f();
  } catch (e) {
    if (e instanceof DefinitionError) return e.issues as never;
    throw e;
  }
  assert.fail('expected a definition error');
}

describe('environments[].tls: references, never values', () => {
  it('PEM content is refused with the path, what is expected and a suggestion', async () => {
    const s = await raw();
    s['environments'][0].tls.key = '-----BEGIN PRIVATE KEY-----\nMIIB...\n-----END PRIVATE KEY-----\n';
    const issues = definitionIssues(() => validateDefinition('vms.yaml', s));
    const i = issues.find((x) => x.path.includes('tls'))!;
    assert.equal(i.path, 'environments[0].tls.key');
    assert.match(i.message, /PEM content is not accepted here: certificates and keys are references, never values/);
    assert.match(i.expected, /absolute path .* or an ansible-vault variable name/);
    assert.match(i.suggestion, /ansible-vault variable/);
  });

  it('a relative path or a name with spaces is refused; a missing file of an enabled block is named', async () => {
    const s = await raw();
    s['environments'][0].tls.cert = 'tls/host.crt';
    delete s['environments'][1].tls.ca;
    const issues = definitionIssues(() => validateDefinition('vms.yaml', s));
    const cert = issues.find((x) => x.path === 'environments[0].tls.cert')!;
    assert.match(cert.message, /"tls\/host.crt" is neither an absolute path nor an Ansible variable name/);
    assert.match(cert.suggestion, /"\/tls\/host.crt"/);
    const ca = issues.find((x) => x.path === 'environments[1].tls.ca')!;
    assert.match(ca.message, /TLS is enabled but ca is missing/);
    // enabled: false needs no files
    const off = await raw();
    off['environments'][0].tls = { enabled: false };
    validateDefinition('vms.yaml', off);
  });

  it('the CLI exits 2 on a PEM value, naming the file and the path', async () => {
    const s = await raw();
    s['environments'][2].tls.cert = '-----BEGIN CERTIFICATE-----';
    const file = join(tempDir('vm-tls'), 'stack.yaml');
    writeFileSync(file, stringify(s));
    const r = otelstackSync(['plan', file]);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err + r.out, /environments\[2\]\.tls\.cert/);
    assert.match(r.err + r.out, /stack\.yaml/);
  });
});

describe('the vm-tls plan rule', () => {
  it('refuses tls on a compose or Kubernetes environment (would be ignored), in plan and render alike', async () => {
    const s = await raw();
    s['environments'][0].target = 'compose';
    delete s['environments'][0].hosts;
    delete s['environments'][0].backup;
    const stack = validateDefinition('vms.yaml', s);
    const errors = verdict(stack, 'vms.yaml').errors.filter((f) => f.rule === 'vm-tls');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.path, 'environments[0].tls');
    assert.match(errors[0]!.message, /the compose target renders no TLS between hosts: the tls block of dev would be ignored/);
    assert.match(errors[0]!.suggestion, /remove tls from dev, or set target: ansible/);
  });

  it('warns when an ansible environment spans several VMs with TLS off; says what TLS covers when on', async () => {
    const s = await raw();
    delete s['environments'][1].tls;
    s['environments'][2].tls.enabled = false;
    const findings = buildPlan(validateDefinition('vms.yaml', s), 'vms.yaml').findings.filter((f) => f.rule === 'vm-tls');
    const warn = findings.filter((f) => f.severity === 'warning' && /TLS off/.test(f.message));
    assert.deepEqual(warn.map((f) => f.env), ['test', 'prod']);
    assert.match(warn[0]!.message, /test runs on 11 VMs with TLS off: OTLP between collectors, Kafka records and the engines' writes and queries cross the network in clear/);
    const info = findings.filter((f) => f.severity === 'info');
    assert.deepEqual(info.map((f) => f.env), ['dev']);
    assert.match(info[0]!.message, /on the HTTP servers of Tempo, Mimir, Loki and Prometheus .*the object store's S3 API.*; Tempo's and Loki's gRPC ports .* listen on loopback only; Mimir's gRPC port .* stay plaintext/);
  });
});

describe('what the ansible target renders under TLS (examples/vms)', async () => {
  const stack = await vmsStack();
  const files = renderStack(stack).files;
  const cfg = (env: string, role: string) => parse(files.get(`ansible/roles/otel-collector/files/${env}/otelcol-${role}.yaml`)!) as Obj;

  it('gateway OTLP receivers: server TLS; client_ca_file (required client certificates) only under mtls (prod)', () => {
    const dev = cfg('dev', 'gateway').receivers.otlp.protocols;
    assert.deepEqual(dev.grpc.tls, { cert_file: '/etc/otelstack/tls/host.crt', key_file: '/etc/otelstack/tls/host.key', min_version: '1.2' });
    assert.deepEqual(dev.http.tls, dev.grpc.tls);
    const prod = cfg('prod', 'gateway').receivers.otlp.protocols;
    assert.equal(prod.grpc.tls.client_ca_file, '/etc/otelstack/tls/ca.crt');
    assert.equal(prod.http.tls.client_ca_file, '/etc/otelstack/tls/ca.crt');
  });

  it('Kafka clients (gateway exporters, processor receivers) verify the brokers; present a certificate under mtls', () => {
    for (const s of ['traces', 'metrics', 'logs']) {
      assert.deepEqual(cfg('dev', 'gateway').exporters[`kafka/${s}`].tls, { ca_file: '/etc/otelstack/tls/ca.crt', insecure: false, min_version: '1.2' });
      assert.deepEqual(cfg('prod', 'processor').receivers[`kafka/${s}`].tls, { ca_file: '/etc/otelstack/tls/ca.crt', cert_file: '/etc/otelstack/tls/host.crt', key_file: '/etc/otelstack/tls/host.key', insecure: false, min_version: '1.2' });
    }
    // a vault-variable key (test) is named by the file the otelstack-tls role writes it to
    assert.equal(cfg('test', 'gateway').receivers.otlp.protocols.grpc.tls.key_file, '/etc/otelstack/tls/host.key');
  });

  it('the traces path into Tempo: its OTLP receivers take TLS (client CA under mtls), the processor\'s otlp_grpc exporter verifies them', () => {
    const tempo = (env: string) => (parse(files.get(`ansible/roles/tempo/files/${env}/tempo.yaml`)!) as Obj)['distributor'].receivers.otlp.protocols;
    assert.deepEqual(tempo('dev').grpc.tls, { cert_file: '/etc/otelstack/tls/host.crt', key_file: '/etc/otelstack/tls/host.key' });
    assert.equal(tempo('prod').http.tls.client_ca_file, '/etc/otelstack/tls/ca.crt');
    assert.deepEqual(cfg('dev', 'processor').exporters['otlp_grpc/tempo'].tls, { ca_file: '/etc/otelstack/tls/ca.crt', insecure: false, min_version: '1.2' });
    assert.equal(cfg('prod', 'processor').exporters['otlp_grpc/tempo'].tls.cert_file, '/etc/otelstack/tls/host.crt');
  });

  it('the engines\' HTTP servers take TLS (dskit http_tls_config; client certificates required under mtls), and every client of theirs follows', () => {
    const engine = (env: string, e: string) => parse(files.get(`ansible/roles/${e}/files/${env}/${e}.yaml`)!) as Obj;
    for (const e of ['tempo', 'mimir', 'loki']) {
      assert.deepEqual(engine('dev', e)['server'].http_tls_config, { cert_file: '/etc/otelstack/tls/host.crt', key_file: '/etc/otelstack/tls/host.key' }, e);
      assert.deepEqual(engine('prod', e)['server'].http_tls_config, { cert_file: '/etc/otelstack/tls/host.crt', key_file: '/etc/otelstack/tls/host.key', client_auth_type: 'RequireAndVerifyClientCert', client_ca_file: '/etc/otelstack/tls/ca.crt' }, e);
      assert.equal(engine('prod', e)['server'].grpc_tls_config, undefined, `${e}: the monolith's own gRPC port stays as it is`);
    }
    // the monoliths' own gRPC servers face no other host: loopback only where the real engine was checked (Tempo, Loki)
    for (const e of ['tempo', 'loki']) assert.equal(engine('prod', e)['server'].grpc_listen_address, '127.0.0.1', e);
    assert.equal(engine('prod', 'loki')['common'].instance_addr, '127.0.0.1', "Loki's rings advertise the loopback gRPC address");
    assert.equal(engine('prod', 'mimir')['server'].grpc_listen_address, undefined, 'Mimir: not checked on a real Mimir, left as it is');
    // the collectors' exports
    const mimir = cfg('prod', 'processor').exporters['otlp_http/mimir'];
    assert.equal(mimir.endpoint, 'https://mimir:8080/otlp');
    assert.equal(mimir.tls.cert_file, '/etc/otelstack/tls/host.crt');
    assert.equal(cfg('dev', 'processor').exporters['otlp_http/loki'].endpoint, 'https://loki:3100/otlp');
    // Tempo's span-metrics remote write (prod) with Prometheus' tls_config
    const rw = engine('prod', 'tempo')['metrics_generator'].storage.remote_write[0];
    assert.equal(rw.url, 'https://mimir:8080/api/v1/push');
    assert.deepEqual(rw.tls_config, { ca_file: '/etc/otelstack/tls/ca.crt', cert_file: '/etc/otelstack/tls/host.crt', key_file: '/etc/otelstack/tls/host.key' });
    // Grafana: https datasources, CA and (mtls) client certificate as $__file{} references Grafana expands — no PEM
    const ds = (parse(files.get('ansible/roles/grafana/files/prod/datasources.yaml')!) as Obj)['datasources'] as Obj[];
    for (const d of ds) {
      assert.match(d['url'], /^https:\/\//);
      assert.deepEqual(d['jsonData'], { tlsAuth: true, tlsAuthWithCACert: true });
      assert.deepEqual(d['secureJsonData'], { tlsCACert: '$__file{/etc/otelstack/tls/ca.crt}', tlsClientCert: '$__file{/etc/otelstack/tls/host.crt}', tlsClientKey: '$__file{/etc/otelstack/tls/host.key}' });
    }
    const dev = (parse(files.get('ansible/roles/grafana/files/dev/datasources.yaml')!) as Obj)['datasources'] as Obj[];
    assert.deepEqual(dev[0]!['secureJsonData'], { tlsCACert: '$__file{/etc/otelstack/tls/ca.crt}' }, 'no client certificate without mtls');
    // the roles' health checks: https by service name with the CA (client certificate under mtls)
    const ready = (parse(files.get('ansible/roles/loki/tasks/main.yml')!) as Obj[]).find((t) => t['name'] === 'Wait until Loki is ready')!['ansible.builtin.uri'];
    assert.equal(ready.url, "{{ ('https://loki' if (otelstack_tls.enabled | default(false)) else 'http://127.0.0.1') }}:3100/ready");
    assert.match(ready.client_cert, /otelstack_tls.mtls/);
  });

  it('inventory: otelstack_tls holds references and host paths only — no PEM anywhere in the render', () => {
    const t = (parse(files.get('ansible/inventory/test.yml')!) as Obj)['all'].vars.otelstack_tls;
    assert.equal(t.enabled, true);
    assert.deepEqual(t.files.find((f: Obj) => f.name === 'key'), { name: 'key', kind: 'vault', ref: 'vault_otelstack_tls_key', path: '/etc/otelstack/tls/host.key', mode: '0640' });
    for (const [path, text] of files) assert.doesNotMatch(text, /-----BEGIN/, path);
  });

  it('Kafka: SSL listeners for clients, brokers and controllers; ssl.client.auth from mtls; the topic tool over SSL', () => {
    const props = files.get('ansible/roles/kafka/templates/server.properties.j2')!;
    assert.match(props, /\{% if otelstack_tls.enabled \| default\(false\) %\}\n# TLS .*\nlisteners=SSL:\/\/\{\{ kafka_listen_address \}\}:\{\{ kafka_client_port \}\},CONTROLLER:\/\/\{\{ kafka_listen_address \}\}:\{\{ kafka_controller_port \}\}\nadvertised.listeners=SSL:\/\/\{\{ kafka_advertised_host \}\}:/);
    assert.match(props, /^listener.security.protocol.map=CONTROLLER:SSL,SSL:SSL$/m);
    assert.match(props, /^ssl.keystore.type=PEM$/m);
    assert.match(props, /^ssl.client.auth=\{\{ 'required' if otelstack_tls.mtls else 'none' \}\}$/m);
    assert.match(props, /\{% else %\}\nlisteners=PLAINTEXT:/);
    const tasks = parse(files.get('ansible/roles/kafka/tasks/main.yml')!) as Obj[];
    const topics = tasks.find((x) => String(x['name']).startsWith('Create the topics'))!;
    assert.ok(topics['ansible.builtin.command'].argv.includes('--command-config'));
    const keystore = tasks.find((x) => String(x['name']).startsWith('Assemble the Kafka PEM keystore'))!;
    assert.equal(keystore['notify'], 'Restart Kafka');
    assert.match(keystore['ansible.builtin.shell'].cmd, /cat \{\{ otelstack_tls.key \| quote \}\} \{\{ otelstack_tls.cert \| quote \}\}/);
  });

  it('otelstack-tls role: paths are checked with stat + assert naming the definition key, vault values written with no_log', () => {
    const plays = parse(files.get('ansible/playbooks/collectors.yml')!) as Obj[];
    assert.deepEqual(plays[0]!['roles'], ['common', 'otelstack-tls', 'otel-collector']);
    const main = parse(files.get('ansible/roles/otelstack-tls/tasks/main.yml')!) as Obj[];
    assert.equal(main[0]!['when'], 'otelstack_tls.enabled | default(false)');
    const tasks = parse(files.get('ansible/roles/otelstack-tls/tasks/tls.yml')!) as Obj[];
    const assertTask = tasks.find((x) => x['ansible.builtin.assert'])!;
    assert.deepEqual(assertTask['ansible.builtin.assert'].that, ['item.stat.exists', 'item.stat.isreg']);
    assert.match(assertTask['ansible.builtin.assert'].fail_msg, /\{\{ otelstack_tls.definition_path \}\}.\{\{ item.item.name \}\}: \{\{ item.item.path \}\} is not a file on/);
    const write = tasks.find((x) => x['ansible.builtin.copy'])!;
    assert.equal(write['no_log'], true);
    assert.match(write['loop'], /selectattr\('kind', 'equalto', 'vault'\)/);
  });
});
