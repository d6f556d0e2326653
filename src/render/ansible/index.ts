/**
 * The ansible (VM) target, seed 002 "Option 3: Multi-VPS with Ansible": files under ansible/.
 *  - inventory/<env>.yml: the host groups (collectors_gateway, collectors_processor, kafka, storage with one child
 *    group per engine, grafana) with the definition's addresses, and group vars holding what the topology decided
 *    (ports, limits, topics, buckets, the Kafka voters, the service names the configs use → hosts);
 *  - playbooks/site.yml importing kafka.yml, storage.yml, collectors.yml, grafana.yml in the start-up order of the
 *    other targets (object store and Kafka, then engines, then collectors, Grafana last); pools roll one host at a
 *    time (serial: 1) and a collector is drained before it stops;
 *  - roles/<role>/ (src/render/ansible/roles.ts), the same for every environment; the engine and collector configs
 *    under roles/<role>/files/<env>/ are the compose target's bytes (engineConfigFile, collectorConfigFile,
 *    grafanaDatasourcesFile: one home each);
 *  - where an environment serves tenants, roles/haproxy on every gateway host after the collector (haproxy.ts,
 *    topology/vm-faro-proxy.ts): the tenants' per-tenant rate limits in front of the collector, whose tenant
 *    receivers then listen on loopback (the one difference from the compose bytes).
 * Secrets are vault variable references (vault_s3_access_key_id …), never values. The renderer renders only a
 * placement the plan rule ansible-hosts accepts (vmPlacement: the same checks).
 */
import { CATALOG } from '../../catalog/index.js';
import { CANARY_PACKAGE } from '../../catalog/canary.js';
import { VM_RELEASES } from '../../catalog/vm-releases.js';
import type { Stack } from '../../model/schema.js';
import type { Finding } from '../../plan/findings.js';
import type { ReplicaResources, TopoComponent, Topology } from '../../topology/types.js';
import { vmBackupPlan, type VmBackupPlan } from '../../topology/vm-backup.js';
import { vmFaroProxy, type VmFaroProxyPlan } from '../../topology/vm-faro-proxy.js';
import { vmPlacement, type VmHost, type VmPlacement } from '../../topology/vm-placement.js';
import { collectorConfigFile, collectorEnvironment, collectorRoles } from '../configs/otelcol.js';
import { canaryArgs, canaryDefinitionFile, canaryDefinitionName } from '../configs/canary.js';
import { engineConfigFile, engineRuntimeFile, grafanaDatasourcesFile } from '../configs/engines.js';
import type { FileSet } from '../fileset.js';
import type { RenderInput, RenderResult, Renderer } from '../types.js';
import { HAPROXY_ROLE, haproxyInventoryVars, haproxyReadme, renderHaproxyRole, stackUsesVmHaproxy, vmCollectorPlacement, vmHaproxyConfig } from './haproxy.js';
import { VM_STORAGE_GROUPS, VM_STORAGE_LAYOUT, isVmStorageGroup } from './layout.js';
import { MANAGE_SYSTEM, renderRoles } from './roles.js';
import { TLS_ROLE, renderTlsRole, tlsInventoryVar, tlsReadme } from './tls.js';
import { ansibleYaml } from './yaml.js';

type Obj = Record<string, unknown>;
const MiB = 1024 ** 2;
export const ANSIBLE_DIR = 'ansible';

const sorted = (m: FileSet): FileSet => new Map([...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** systemd limits from a replica: MemoryMax only where the policy gives a memory limit, CPUQuota only a CPU limit. */
export function unitLimits(r: ReplicaResources | undefined): { memoryMax: string; cpuQuota: string } {
  return {
    memoryMax: r?.memoryLimitBytes !== undefined ? `${Math.ceil(r.memoryLimitBytes / MiB)}M` : '',
    cpuQuota: r?.cpuLimitMillicores !== undefined ? `${Math.round(r.cpuLimitMillicores / 10)}%` : '',
  };
}

function comp(t: Topology, engine: string, component?: string): TopoComponent | undefined {
  return t.components.find((c) => c.engine === engine && (component === undefined || c.component === component));
}

/**
 * The release a role downloads when the definition runs another version than the roles' default (the pinned one,
 * VM_RELEASES): `signals.metrics.version: "2.17.0"` makes the mimir group download Mimir 2.17.0.
 */
function versionVars(t: Topology, group: string): Obj {
  const e = t.engines.find((x) => x.engine === group && x.managed);
  const rel = (VM_RELEASES as Record<string, { version: string }>)[group];
  return e && rel && e.version !== rel.version ? { [`${group}_version`]: e.version } : {};
}

function limitVars(prefix: string, r: ReplicaResources | undefined): Obj {
  const l = unitLimits(r);
  return { [`${prefix}_memory_max`]: l.memoryMax, [`${prefix}_cpu_quota`]: l.cpuQuota };
}

const hostsOf = (list: VmHost[], extra: (h: VmHost, i: number) => Obj = () => ({})): Obj =>
  Object.fromEntries(list.map((h, i) => [h.name, { ansible_host: h.address, ...extra(h, i) }]));

/**
 * The ports a collector of the role listens on: the catalog's, the Faro receiver's only on a gateway that has one; the
 * tenants' receivers at their backend ports (127.0.0.1) where the host's HAProxy takes the tenants' ports.
 */
function collectorPorts(t: RenderInput['topology'], role: string, proxy: VmFaroProxyPlan | undefined): Record<string, number> {
  const { faro: _faro, ...ports } = CATALOG.otelcol.ports;
  const faro = role === 'gateway' ? t.ingestion?.faro : undefined;
  // tenants' Faro receivers (seed 003), on the gateway only
  const behind = new Map((proxy?.tenants ?? []).map((x) => [x.name, x.backendPort]));
  const tenants = role === 'gateway' ? Object.fromEntries((t.tenants ?? []).map((tn) => [`faro_${tn.name.replace(/-/g, '_')}`, behind.get(tn.name) ?? tn.faroPort])) : {};
  return { ...ports, ...(faro ? { faro: faro.port } : {}), ...tenants };
}

function inventory(input: RenderInput, pl: VmPlacement, backup: VmBackupPlan | undefined, proxy: VmFaroProxyPlan | undefined): Obj {
  const t = input.topology;
  const stack = input.stack;
  const children: Obj = {};
  const collectors: Obj = {};
  for (const role of t.ingestion ? collectorRoles(t) : []) {
    const list = role === 'gateway' ? pl.gateway : pl.processor;
    const env = collectorEnvironment(input, role);
    collectors[`collectors_${role}`] = {
      hosts: hostsOf(list),
      vars: {
        otel_collector_role: role,
        otel_collector_gomemlimit: env['GOMEMLIMIT'] ?? '',
        ...limitVars('otel_collector', comp(t, 'otelcol', role)?.perReplica),
        otel_collector_ports: collectorPorts(t, role, proxy),
        // the tenants' Faro ports through HAProxy on each gateway host (haproxy role)
        ...(role === 'gateway' ? haproxyInventoryVars(proxy) : {}),
      },
    };
  }
  if (Object.keys(collectors).length > 0) children['collectors'] = { children: collectors };

  if (t.kafka?.managed && pl.kafka.length > 0) {
    const k = t.kafka;
    const p = CATALOG.kafka.ports;
    const rf = Math.min(3, k.brokers);
    const broker = comp(t, 'kafka', 'broker');
    const heap = broker ? Math.floor((broker.perReplica.memoryRequestBytes * 0.5) / MiB) : 512;
    children['kafka'] = {
      hosts: hostsOf(pl.kafka, (_, i) => ({ kafka_node_id: i })),
      vars: {
        kafka_cluster_id: k.clusterId,
        kafka_controller_quorum_voters: pl.kafka.map((h, i) => `${i}@${h.name}:${p['controller']}`).join(','),
        kafka_default_replication_factor: rf,
        kafka_min_insync_replicas: Math.max(1, rf - 1),
        kafka_heap_opts: `-Xmx${heap}m -Xms${heap}m`,
        ...limitVars('kafka', broker?.perReplica),
        kafka_topics: k.topics.map((tp) => ({ name: tp.name, partitions: tp.partitions, replication: tp.replication, min_insync_replicas: tp.minInSyncReplicas, retention_ms: tp.retentionHours * 3600 * 1000 })),
      },
    };
  }

  if (pl.storage.length > 0) {
    const engines: Obj = {};
    for (const { group, host } of pl.engines) {
      const vars: Obj = group === 'seaweedfs'
        ? { seaweedfs_s3_port: Number(new URL(t.objectStorage.endpoint).port || 80), seaweedfs_buckets: [...new Set(t.buckets.map((b) => b.name))].sort(), ...limitVars('seaweedfs', comp(t, 'seaweedfs')?.perReplica) }
        : { ...versionVars(t, group), ...limitVars(group, comp(t, group)?.perReplica) };
      engines[group] = { hosts: { [host.name]: {} }, vars };
    }
    children['storage'] = { hosts: hostsOf(pl.storage), children: engines };
  }

  if (pl.grafana.length > 0) {
    const gd = stack.grafana.deploy?.[t.env.name];
    children['grafana'] = {
      hosts: hostsOf(pl.grafana),
      vars: {
        ...limitVars('grafana', comp(t, 'grafana')?.perReplica),
        // HA: the PostgreSQL the definition references; user and password are vault variables
        grafana_database: gd ? { host: gd.database.host, name: gd.database.name, ssl_mode: gd.database.sslMode } : {},
      },
    };
  }

  // the canary beside the first gateway (it pushes to that gateway on 127.0.0.1)
  if (t.canary && pl.gateway[0]) {
    const k = t.canary;
    const l = unitLimits(k.perReplica);
    children['canary'] = {
      hosts: hostsOf(pl.gateway.slice(0, 1)),
      vars: { otelstack_canary_package: otelstackPackage(input.stack), otelstack_canary_definition: canaryDefinitionName(t.stack), otelstack_canary_args: canaryArgs(t, k), otelstack_canary_port: k.port, otelstack_canary_memory_max: l.memoryMax, otelstack_canary_cpu_quota: l.cpuQuota },
    };
  }

  // the storage hosts' backup timers: each host stops (and restarts) the units of what it runs while archiving it
  if (backup) {
    children['backup'] = {
      hosts: Object.fromEntries(backup.hosts.map(({ host, groups }) => [host.name, { otelstack_backup_units: groups.filter(isVmStorageGroup).map((g) => `${VM_STORAGE_LAYOUT[g].unit}.service`) }])),
      vars: {
        otelstack_backup_package: otelstackPackage(input.stack),
        otelstack_backup_definition: canaryDefinitionName(t.stack),
        otelstack_backup_schedule: backup.schedule,
        otelstack_backup_randomized_delay: backup.randomizedDelay,
        otelstack_backup_keep: backup.keep,
        otelstack_backup_dir: backup.dir,
      },
    };
  }

  const os = t.objectStorage;
  return {
    all: {
      vars: {
        otelstack_stack: t.stack,
        otelstack_env: t.env.name,
        // the service names the configs use (as on compose) → the inventory host each runs on (common role: /etc/hosts)
        otelstack_names: Object.fromEntries(pl.names),
        otelstack_s3_env: true,
        common_s3_access_key_id_name: os.credentials.accessKeyIdKey,
        common_s3_secret_access_key_name: os.credentials.secretAccessKeyKey,
        // TLS between hosts: the files on the hosts and their references (tls.ts), enabled: false without
        otelstack_tls: tlsInventoryVar(t.tls, pl),
      },
      children,
    },
  };
}

/** One play: hosts, rolling one at a time for pools, the common role first. */
function play(name: string, hosts: string, roles: string[], extra: Obj = {}): Obj {
  return { name, hosts, become: true, ...extra, roles: ['common', TLS_ROLE, ...roles] };
}

/**
 * Drain before a collector stops (seed 002 "Graceful shutdown"): take it out of the load balancer when the site
 * gives a drain URL, then wait until its exporters' queues are empty (otelcol_exporter_queue_size on its own
 * metrics endpoint) — only when the collector is running. The persistent queue keeps whatever is left on disk
 * across the restart; TimeoutStopSec gives the process the compose target's grace period to flush.
 */
function drainTasks(): Obj[] {
  const metrics = CATALOG.otelcol.ports['metrics'];
  const running = "'otelstack-otelcol.service' in ansible_facts.services and ansible_facts.services['otelstack-otelcol.service'].state == 'running'";
  return [
    { name: 'Look at the running services', 'ansible.builtin.service_facts': {}, when: MANAGE_SYSTEM },
    {
      name: 'Take the collector out of the load balancer',
      'ansible.builtin.uri': { url: '{{ otelstack_lb_drain_url }}', method: 'POST', status_code: [200, 202, 204] },
      when: [MANAGE_SYSTEM, "otelstack_lb_drain_url | default('') | length > 0", running],
    },
    {
      name: 'Wait until the exporter queues are empty',
      'ansible.builtin.uri': { url: `http://127.0.0.1:${metrics}/metrics`, return_content: true },
      register: 'otelstack_collector_metrics',
      until: "otelstack_collector_metrics.content | regex_findall('otelcol_exporter_queue_size\\{[^}]*\\} ([0-9.eE+]+)') | map('float') | sum == 0",
      retries: '{{ otelstack_drain_retries | default(30) }}',
      delay: 2,
      when: [MANAGE_SYSTEM, running],
    },
  ];
}

function undrainTasks(): Obj[] {
  return [
    {
      name: 'Put the collector back into the load balancer',
      'ansible.builtin.uri': { url: '{{ otelstack_lb_enable_url }}', method: 'POST', status_code: [200, 202, 204] },
      when: "otelstack_lb_enable_url | default('') | length > 0",
    },
  ];
}

/** `haproxy`: the gateway play runs the haproxy role after the collector (stackUsesVmHaproxy). */
function playbooks(haproxy: boolean): FileSet {
  const files: FileSet = new Map();
  const pb = `${ANSIBLE_DIR}/playbooks`;
  const header = '# Rendered by otelstack (ansible target).';
  // Kafka brokers roll one at a time: the others keep the partitions' in-sync replicas
  files.set(`${pb}/kafka.yml`, ansibleYaml([play('Kafka brokers (KRaft)', 'kafka', ['kafka'], { serial: 1 })], header));
  const storage = VM_STORAGE_GROUPS.map((g) => play(g === 'seaweedfs' ? 'Object store (SeaweedFS)' : `${CATALOG[g as 'tempo'].title} (monolithic)`, g, [g]));
  files.set(`${pb}/storage.yml`, ansibleYaml(storage, `${header}\n# Object store first, then the engines (each play matches no host where the environment does not run it).`));
  // processors before gateways: nothing is produced to Kafka before something consumes it towards the engines
  // the gateway hosts' HAProxy after their collector: the collector's tenant receivers leave the tenants' ports first
  const collectors = ['processor', 'gateway'].map((role) =>
    play(`Collector ${role} pool (rolling, drained before each stop)`, `collectors_${role}`, ['otel-collector', ...(role === 'gateway' && haproxy ? [HAPROXY_ROLE] : [])], { serial: 1, pre_tasks: drainTasks(), post_tasks: undrainTasks() }),
  );
  files.set(`${pb}/collectors.yml`, ansibleYaml(collectors, header));
  files.set(`${pb}/grafana.yml`, ansibleYaml([play('Grafana', 'grafana', ['grafana'], { serial: 1 })], header));
  files.set(`${pb}/canary.yml`, ansibleYaml([play('The canary (otelstack canary)', 'canary', ['otelstack-canary'])], `${header}\n# Matches no host where the definition has no canary.`));
  files.set(
    `${pb}/backup.yml`,
    ansibleYaml([play('Backups of the storage hosts (otelstack backup on a systemd timer)', 'backup', ['otelstack-backup'])], `${header}\n# Matches no host where the environment backs nothing up (environments[].backup.enabled: false).`),
  );
  files.set(
    `${pb}/site.yml`,
    ansibleYaml(
      ['kafka.yml', 'storage.yml', 'collectors.yml', 'grafana.yml', 'canary.yml', 'backup.yml'].map((f) => ({ name: `Import ${f}`, 'ansible.builtin.import_playbook': f })),
      `${header}\n# Start-up order of every target: object store and Kafka, then the engines, then the collectors, Grafana, and the canary watching them.\n# Then the storage hosts' backup timers.`,
    ),
  );
  return files;
}

/** ansible-lint configuration: the production profile, and each waived rule with its reason. */
const ANSIBLE_LINT = [
  '---',
  '# Rendered by otelstack: `ansible-lint --profile production` from this directory.',
  'profile: production',
  'offline: true',
  'skip_list:',
  "  # seed 002's layout names the collector role otel-collector; role-name wants [a-z][a-z0-9_]*",
  '  - role-name',
  '',
].join('\n');

/** Run from ansible/: the roles beside the playbooks' directory. */
const ANSIBLE_CFG = ['# Rendered by otelstack (ansible target): run ansible-playbook from this directory.', '[defaults]', 'roles_path = ./roles', 'interpreter_python = auto_silent', ''].join('\n');

function readme(t: Topology, haproxy: boolean): string {
  return [
    `# ansible/ — ${t.stack}`,
    '',
    'Rendered by otelstack (ansible target). One inventory per environment, playbooks and roles shared:',
    '',
    '```sh',
    'ansible-playbook -i inventory/<env>.yml playbooks/site.yml --ask-vault-pass',
    '```',
    '',
    'Secrets are never rendered. Define these with ansible-vault (for example in `inventory/group_vars/all/vault.yml`):',
    '',
    '- `vault_s3_access_key_id`, `vault_s3_secret_access_key`: the S3 identity the engines and SeaweedFS use.',
    '- `vault_grafana_admin_password`; with HA Grafana also `vault_grafana_database_user`, `vault_grafana_database_password`.',
    '',
    'Backups: every storage host runs `otelstack backup` of its data directories and configs on a systemd timer',
    '(otelstack-backup.timer; schedule, delay and the archives kept from environments[].backup) into',
    '`otelstack_backup_dir`; its engines stop while they are archived. Restore on the host, its engines stopped: `otelstack restore <archive> --force`.',
    '',
    'Optional: `otelstack_lb_drain_url` / `otelstack_lb_enable_url` — your load balancer\'s calls to take a collector out',
    'and put it back during a rolling update (playbooks/collectors.yml).',
    '',
    ...tlsReadme(),
    ...(haproxy ? haproxyReadme() : []),
    'The configs under `roles/<role>/files/<env>/` are the compose target\'s files; they name their peers by service',
    'name (kafka-0, tempo, seaweedfs …), which the common role resolves to the inventory\'s hosts in /etc/hosts.',
    '',
  ].join('\n');
}

export const renderAnsible: Renderer = (input: RenderInput): RenderResult => {
  const t = input.topology;
  const findings: Finding[] = [];
  if (t.env.target !== 'ansible') return { files: new Map(), findings };
  const pl = vmPlacement(input.stack, t);
  const problems = pl.problems.filter((f) => f.severity === 'error');
  if (problems.length > 0) return { files: new Map(), findings: problems };

  const files: FileSet = new Map();
  const plannedBackup = vmBackupPlan(input.stack, t, pl);
  const backup = plannedBackup?.enabled ? plannedBackup : undefined;
  // seed 003 level 3: HAProxy on each gateway host in front of the tenants' Faro receivers (vm-faro-proxy.ts)
  const proxy = vmFaroProxy(t);
  const haproxy = stackUsesVmHaproxy(input.stack);
  files.set(`${ANSIBLE_DIR}/inventory/${t.env.name}.yml`, ansibleYaml(inventory(input, pl, backup, proxy), `# ${t.stack}/${t.env.name} — rendered by otelstack (ansible target).`));
  for (const [k, v] of renderRoles()) files.set(`${ANSIBLE_DIR}/${k}`, v);
  for (const [k, v] of renderTlsRole()) files.set(`${ANSIBLE_DIR}/${k}`, v);
  if (haproxy) for (const [k, v] of renderHaproxyRole()) files.set(`${ANSIBLE_DIR}/${k}`, v);
  for (const [k, v] of playbooks(haproxy)) files.set(k, v);
  files.set(`${ANSIBLE_DIR}/.ansible-lint`, ANSIBLE_LINT);
  files.set(`${ANSIBLE_DIR}/ansible.cfg`, ANSIBLE_CFG);
  files.set(`${ANSIBLE_DIR}/README.md`, readme(t, haproxy));

  const envDir = (role: string) => `${ANSIBLE_DIR}/roles/${role}/files/${t.env.name}`;
  for (const role of t.ingestion && input.stack.ingestion?.collector === 'otelcol' ? collectorRoles(t) : []) {
    files.set(`${envDir('otel-collector')}/otelcol-${role}.yaml`, collectorConfigFile(input, role, findings, role === 'gateway' ? vmCollectorPlacement(proxy) : {}));
  }
  if (proxy) files.set(`${envDir(HAPROXY_ROLE)}/haproxy.cfg`, vmHaproxyConfig(t, proxy));
  for (const e of t.engines.filter((x) => x.managed)) {
    const f = engineConfigFile(t, e);
    if (f) files.set(`${envDir(e.engine)}/${f.name}`, f.contents);
    const r = engineRuntimeFile(t, e);
    if (r) files.set(`${envDir(e.engine)}/${r.name}`, r.contents);
  }
  if (pl.grafana.length > 0) files.set(`${envDir('grafana')}/datasources.yaml`, grafanaDatasourcesFile(t));
  if (t.canary) files.set(`${envDir('otelstack-canary')}/${canaryDefinitionName(t.stack)}`, canaryDefinitionFile(input.stack));
  if (backup) files.set(`${envDir('otelstack-backup')}/${canaryDefinitionName(t.stack)}`, canaryDefinitionFile(input.stack));
  return { files: sorted(files), findings };
};

/** What npm installs on the VMs for the canary and backups: the definition's otelstack.package, else otelstack's own. */
function otelstackPackage(stack: Stack): string {
  return stack.otelstack?.package ?? `${CANARY_PACKAGE.name}@${CANARY_PACKAGE.version}`;
}
