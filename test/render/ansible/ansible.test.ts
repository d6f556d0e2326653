// The ansible (VM) target on examples/vms (seed 002 Option 3): plan, golden render, inventory groups and vars,
// playbook order and rolling updates, role units and limits, secrets as references, and the engine / collector /
// Grafana configs byte-identical to what the compose target renders for the same topology.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { CATALOG } from '../../../src/catalog/index.js';
import { validateDefinition } from '../../../src/model/load.js';
import type { Stack } from '../../../src/model/schema.js';
import { buildPlan, verdict } from '../../../src/plan/index.js';
import { STOP_GRACE_SECONDS } from '../../../src/render/configs/lifecycle.js';
import { diffFileSets, readFileSet } from '../../../src/render/fileset.js';
import { renderStack } from '../../../src/render/index.js';
import { VMS, VMS_GOLDEN_DIR, vmsStack } from './support.js';

type Obj = Record<string, any>;

/** The same stack with TLS off in every environment. */
function withoutTls(stack: Stack): Stack {
  const raw = structuredClone(stack) as Obj;
  for (const e of raw['environments']) delete e.tls;
  return validateDefinition('no-tls-variant.yaml', raw);
}

/**
 * Removes every TLS setting of a parsed config in place — keys naming TLS (tls, http_tls_config, tls_config,
 * tlsAuth, tlsCACert …) and the S3 blocks' `insecure`, objects left empty by that — and writes https:// URLs as
 * http://; returns how many TLS keys there were.
 */
function stripTls(v: unknown): number {
  if (!v || typeof v !== 'object') return 0;
  let n = 0;
  for (const [k, x] of Object.entries(v as Obj)) {
    // `insecure`: plaintext or TLS to the object store (the S3 blocks of the engines); `grpc_listen_address` and Loki's
    // `instance_addr`: under TLS the monoliths' own gRPC servers listen on loopback only (catalog DSKIT_LOOPBACK_GRPC)
    if (/tls/i.test(k) || k === 'insecure' || k === 'grpc_listen_address' || k === 'instance_addr') {
      delete (v as Obj)[k];
      n++;
      continue;
    }
    if (typeof x === 'string' && x.startsWith('https://')) (v as Obj)[k] = `http://${x.slice(8)}`;
    n += stripTls(x);
    if (x && typeof x === 'object' && !Array.isArray(x) && Object.keys(x).length === 0) delete (v as Obj)[k];
  }
  return n;
}
const stripped = (text: string): unknown => {
  const v = parse(text);
  stripTls(v);
  return v;
};

/** The same stack with every environment on compose (no hosts, no VM backup timer): what the compose target renders for it. */
function onCompose(stack: Stack): Stack {
  const raw = structuredClone(stack) as Obj;
  for (const e of raw['environments']) {
    e.target = 'compose';
    delete e.hosts;
    delete e.backup;
    // the compose target renders no TLS between hosts (the vm-tls rule refuses a tls block there)
    delete e.tls;
  }
  return validateDefinition('compose-variant.yaml', raw);
}

describe('ansible target: examples/vms', async () => {
  const stack = await vmsStack();
  const files = renderStack(stack).files;
  const inv = (env: string) => parse(files.get(`ansible/inventory/${env}.yml`)!) as Obj;
  const yaml = (path: string) => parse(files.get(`ansible/${path}`)!) as any;

  it('plans without error findings, and renders without findings', () => {
    assert.deepEqual(buildPlan(stack, VMS).findings.filter((f) => f.severity === 'error'), []);
    assert.equal(verdict(stack, VMS).ok, true);
    assert.deepEqual(renderStack(stack).findings.filter((f) => f.severity !== 'info' && f.rule.startsWith('ansible')), []);
  });

  it('golden: `otelstack render examples/vms --target ansible` matches examples/vms/rendered', () => {
    const diffs = diffFileSets(files, readFileSet(VMS_GOLDEN_DIR));
    const text = diffs.map((d) => `${d.change}: ${d.path}${d.detail ? `\n${d.detail}` : ''}`).join('\n');
    assert.equal(diffs.length, 0, `rendered output differs from the golden files (to accept: node dist/test/render/kubernetes/update-golden.js):\n${text}`);
  });

  it('the engine, collector and datasource configs are the compose target\'s bytes with TLS off; with TLS on they differ only in TLS settings and https://', () => {
    const compose = renderStack(onCompose(stack)).files;
    const plain = renderStack(withoutTls(stack)).files;
    let compared = 0;
    for (const env of ['dev', 'test', 'prod']) {
      // with TLS off the VM files are the compose bytes; with TLS on (examples/vms), removing every TLS setting and
      // writing https:// as http:// leaves exactly the compose config — TLS is the only difference
      for (const [vm, composePath] of [
        [`ansible/roles/otel-collector/files/${env}/otelcol-gateway.yaml`, `compose/${env}/otelcol-gateway.yaml`],
        [`ansible/roles/otel-collector/files/${env}/otelcol-processor.yaml`, `compose/${env}/otelcol-processor.yaml`],
        [`ansible/roles/tempo/files/${env}/tempo.yaml`, `compose/${env}/tempo.yaml`],
        [`ansible/roles/mimir/files/${env}/mimir.yaml`, `compose/${env}/mimir.yaml`],
        [`ansible/roles/loki/files/${env}/loki.yaml`, `compose/${env}/loki.yaml`],
        [`ansible/roles/grafana/files/${env}/datasources.yaml`, `compose/${env}/grafana/provisioning/datasources/datasources.yaml`],
      ] as const) {
        const c = compose.get(composePath);
        assert.ok(c && files.get(vm) && plain.get(vm), vm);
        assert.equal(plain.get(vm), c, `${vm} (tls off) differs from the compose file`);
        assert.ok(stripTls(parse(files.get(vm)!)) > stripTls(parse(c)), `${vm} has tls blocks beyond the compose file's`);
        assert.deepEqual(stripped(files.get(vm)!), stripped(c), `${vm} minus its tls blocks differs from the compose file`);
        compared++;
      }
    }
    assert.equal(compared, 18);
    // prod's Tempo remote-writes span metrics to Mimir by its service name, which the common role resolves
    assert.match(files.get('ansible/roles/tempo/files/prod/tempo.yaml')!, /https:\/\/mimir:8080\/api\/v1\/push/);
  });

  it('inventory: seed 002 host groups with the definition\'s addresses, replicas → hosts', () => {
    const prod = inv('prod')['all'];
    const ch = prod.children;
    assert.deepEqual(Object.keys(ch).sort(), ['backup', 'canary', 'collectors', 'grafana', 'kafka', 'storage']);
    // the canary beside the first gateway, pushing to it on 127.0.0.1 (--view network)
    assert.deepEqual(Object.keys(ch.canary.hosts), ['gateway-0']);
    assert.deepEqual(ch.canary.vars.otelstack_canary_args.slice(0, 6), ['canary', '/etc/otelstack/vms.stack.yaml', '--env', 'prod', '--view', 'network']);
    assert.deepEqual(Object.keys(ch.collectors.children).sort(), ['collectors_gateway', 'collectors_processor']);
    const gw = ch.collectors.children.collectors_gateway;
    assert.deepEqual(Object.entries(gw.hosts).map(([n, h]: [string, any]) => [n, h.ansible_host]), [['gateway-0', '10.0.1.10'], ['gateway-1', '10.0.1.11'], ['gateway-2', '10.0.1.12']]);
    assert.equal(gw.vars.otel_collector_role, 'gateway');
    assert.equal(gw.vars.otel_collector_memory_max, '2048M');
    assert.equal(gw.vars.otel_collector_cpu_quota, '', 'the policy allows no CPU limits');
    assert.match(gw.vars.otel_collector_gomemlimit, /^\d+MiB$/);
    assert.equal(Object.keys(ch.collectors.children.collectors_processor.hosts).length, 2);
    // Kafka: node ids, voters by inventory name, the topics with partitions / replication / min ISR / retention
    assert.deepEqual(Object.values(ch.kafka.hosts).map((h: any) => h.kafka_node_id), [0, 1, 2]);
    assert.equal(ch.kafka.vars.kafka_controller_quorum_voters, '0@kafka-0:9093,1@kafka-1:9093,2@kafka-2:9093');
    assert.deepEqual(ch.kafka.vars.kafka_topics.find((t: any) => t.name === 'otlp-traces'), { name: 'otlp-traces', partitions: 6, replication: 3, min_insync_replicas: 2, retention_ms: 86_400_000 });
    // storage: one engine per host, in start-up order; buckets for SeaweedFS
    assert.deepEqual(Object.fromEntries(Object.entries(ch.storage.children).map(([g, v]: [string, any]) => [g, Object.keys(v.hosts)])), { seaweedfs: ['storage-0'], tempo: ['storage-1'], mimir: ['storage-2'], loki: ['storage-3'] });
    assert.ok(ch.storage.children.seaweedfs.vars.seaweedfs_buckets.includes('vms-traces-prod-blocks'));
    // HA Grafana on the PostgreSQL the definition references (credentials are vault variables in the role)
    assert.deepEqual(Object.keys(ch.grafana.hosts), ['grafana-0', 'grafana-1']);
    assert.deepEqual(ch.grafana.vars.grafana_database, { host: 'grafana-db.example.internal:5432', name: 'grafana', ssl_mode: 'verify-full' });
    // the service names the configs use → inventory hosts
    assert.equal(prod.vars.otelstack_names['tempo'], 'storage-1');
    assert.equal(prod.vars.otelstack_names['seaweedfs'], 'storage-0');
    assert.equal(prod.vars.otelstack_names['kafka-2'], 'kafka-2');
    assert.equal(inv('dev')['all'].children.grafana.vars.grafana_database && Object.keys(inv('dev')['all'].children.grafana.vars.grafana_database).length, 0);
  });

  it('playbooks: start-up order, pools roll one host at a time, a collector drains before it stops', () => {
    const site = yaml('playbooks/site.yml') as Obj[];
    assert.deepEqual(site.map((p) => p['ansible.builtin.import_playbook']), ['kafka.yml', 'storage.yml', 'collectors.yml', 'grafana.yml', 'canary.yml', 'backup.yml']);
    const storage = yaml('playbooks/storage.yml') as Obj[];
    assert.equal(storage[0]!['hosts'], 'seaweedfs', 'the object store before the engines');
    const collectors = yaml('playbooks/collectors.yml') as Obj[];
    assert.deepEqual(collectors.map((p) => p['hosts']), ['collectors_processor', 'collectors_gateway']);
    for (const p of collectors) {
      assert.equal(p['serial'], 1);
      assert.deepEqual(p['roles'], ['common', 'otelstack-tls', 'otel-collector']);
      const names = (p['pre_tasks'] as Obj[]).map((t) => t['name']);
      assert.ok(names.includes('Take the collector out of the load balancer'));
      const wait = (p['pre_tasks'] as Obj[]).find((t) => t['name'] === 'Wait until the exporter queues are empty')!;
      assert.match(wait['until'], /otelcol_exporter_queue_size/);
    }
    assert.equal((yaml('playbooks/kafka.yml') as Obj[])[0]!['serial'], 1);
  });

  it('roles: systemd units restart on failure, take limits from the inventory and the compose grace periods', () => {
    for (const [role, unit, grace] of [['otel-collector', 'otelstack-otelcol', STOP_GRACE_SECONDS.otelcol], ['kafka', 'otelstack-kafka', STOP_GRACE_SECONDS.kafka], ['tempo', 'otelstack-tempo', STOP_GRACE_SECONDS.tempo], ['mimir', 'otelstack-mimir', STOP_GRACE_SECONDS.mimir], ['loki', 'otelstack-loki', STOP_GRACE_SECONDS.loki], ['seaweedfs', 'otelstack-seaweedfs', STOP_GRACE_SECONDS.seaweedfs], ['grafana', 'otelstack-grafana', STOP_GRACE_SECONDS.grafana]] as const) {
      const u = files.get(`ansible/roles/${role}/templates/${unit}.service.j2`);
      assert.ok(u, `${role} unit`);
      assert.match(u, /^Restart=on-failure$/m);
      assert.match(u, /MemoryMax=\{\{ \w+_memory_max \}\}/);
      assert.match(u, /\{% if \w+_cpu_quota \| length > 0 %\}\nCPUQuota=/);
      assert.match(u, /TimeoutStopSec=\{\{ \w+_stop_timeout_seconds \}\}s/);
      const prefix = role.replace('-', '_');
      assert.equal((yaml(`roles/${role}/defaults/main.yml`) as Obj)[`${prefix}_stop_timeout_seconds`], grace, role);
      const tasks = yaml(`roles/${role}/tasks/main.yml`) as Obj[];
      for (const t of tasks) {
        assert.ok(typeof t['name'] === 'string' && Object.keys(t)[0] === 'name', `${role}: every task named, name first`);
        const module = Object.keys(t).find((k) => k.includes('.'));
        assert.ok(module?.startsWith('ansible.builtin.'), `${role}: FQCN module (${module})`);
      }
      assert.ok(tasks.some((t) => t['ansible.builtin.uri'] || t['ansible.builtin.wait_for']), `${role}: a health check`);
      const handlers = yaml(`roles/${role}/handlers/main.yml`) as Obj[];
      assert.equal(handlers[0]!['ansible.builtin.systemd_service'].state, 'restarted');
      assert.ok(tasks.filter((t) => t['ansible.builtin.copy'] || t['ansible.builtin.template']).every((t) => t['notify'] === handlers[0]!['name'] || t['ansible.builtin.template']?.src?.endsWith('.service.j2') === false || t['notify']), `${role}: config changes notify the restart`);
    }
    // Mimir's ready endpoint, as on compose
    assert.ok((yaml('roles/mimir/tasks/main.yml') as Obj[]).some((t) => t['ansible.builtin.uri']?.url === "{{ ('https://mimir' if (otelstack_tls.enabled | default(false)) else 'http://127.0.0.1') }}:8080/ready"));
  });

  it('a version the definition pins is the release its group downloads (the roles default to the catalog pin)', async () => {
    assert.equal(inv('prod')['all'].children.storage.children.mimir.vars.mimir_version, undefined, 'the pinned release: the role default');
    assert.equal(yaml('roles/mimir/defaults/main.yml').mimir_version, CATALOG.mimir.pinned);
    const raw = structuredClone(stack) as unknown as Obj;
    (raw['signals'] as any).metrics.version = '2.17.0';
    const v2 = renderStack(validateDefinition('vms-mimir-2.yaml', raw)).files;
    assert.equal((parse(v2.get('ansible/inventory/prod.yml')!) as any).all.children.storage.children.mimir.vars.mimir_version, '2.17.0');
    assert.match(v2.get('ansible/roles/mimir/files/prod/mimir.yaml')!, /^# Mimir 2\.17\.0 /);
  });

  it('secrets are vault variable references, never values', () => {
    assert.equal(files.get('ansible/roles/common/templates/s3.env.j2')!.split('\n').filter((l) => l.includes('=')).join('\n'), '{{ common_s3_access_key_id_name }}={{ vault_s3_access_key_id }}\n{{ common_s3_secret_access_key_name }}={{ vault_s3_secret_access_key }}');
    assert.match(files.get('ansible/roles/grafana/templates/grafana.ini.j2')!, /password = \{\{ vault_grafana_database_password \}\}/);
    for (const [path, text] of files) assert.doesNotMatch(text, /secret_key: [^$"{]/, path);
  });
});

describe('ansible target: hosts and the ansible-hosts rule', () => {
  const raw = async (): Promise<Obj> => structuredClone((await vmsStack()) as Obj);
  it('too few hosts for the replicas or the topic replication is an error in plan and render alike', async () => {
    const s = await raw();
    s['environments'][2].hosts.gateway = ['10.0.1.10', '10.0.1.11'];
    s['environments'][2].hosts.kafka = ['10.0.2.10', '10.0.2.11'];
    const stack = validateDefinition('vms.yaml', s);
    const errors = verdict(stack, 'vms.yaml').errors.filter((f) => f.rule === 'ansible-hosts');
    assert.deepEqual(errors.map((f) => f.path).sort(), ['environments[2].hosts.gateway', 'environments[2].hosts.kafka', 'ingestion.topics.logs', 'ingestion.topics.metrics', 'ingestion.topics.traces']);
    assert.match(errors.find((f) => f.path.endsWith('gateway'))!.message, /runs 3 gateway collector\(s\) \(one per VM\), but hosts.gateway lists 2/);
    const r = renderStack(stack, { env: 'prod' });
    assert.equal(r.files.size, 0);
    for (const f of errors) assert.ok(r.findings.some((x) => x.path === f.path && x.message === f.message));
  });

  it('engines sharing a storage host on the same port is an error', async () => {
    const s = await raw();
    s['environments'][0].hosts.storage = ['10.10.3.10', '10.10.3.11'];
    const errors = verdict(validateDefinition('vms.yaml', s), 'vms.yaml').errors.filter((f) => f.rule === 'ansible-hosts');
    assert.ok(errors.some((f) => /seaweedfs and mimir would share storage-0 .* port\(s\) 8080/.test(f.message)), JSON.stringify(errors));
  });

  it('hosts belong to ansible environments; a duplicate address is refused', async () => {
    const s = await raw();
    s['environments'][0].target = 'compose';
    assert.throws(() => validateDefinition('vms.yaml', s), /hosts are the VMs of an ansible environment; dev has target compose/);
    const d = await raw();
    d['environments'][0].hosts.kafka = ['10.10.2.10', '10.10.2.10', '10.10.2.12'];
    assert.throws(() => validateDefinition('vms.yaml', d), /10\.10\.2\.10 is listed twice/);
  });
});
