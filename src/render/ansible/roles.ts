/**
 * The roles of the ansible target (roles/<role>/{tasks,handlers,templates,defaults}/main.yml and unit templates).
 * Roles are the same for every environment: what an environment decided (ports, limits, topics, buckets, hosts)
 * is in its inventory's group vars, and its config files are under roles/<role>/files/<env>/ (the compose
 * target's bytes). Module names are fully qualified (ansible.builtin.*) and every task is named, for ansible-lint's
 * production profile.
 */
import { COLLECTOR_CONFIG_PATH, COLLECTOR_QUEUE_DIR } from '../configs/otelcol.js';
import { STOP_GRACE_SECONDS } from '../configs/lifecycle.js';
import { VM_RELEASES, type VmReleaseId } from '../../catalog/vm-releases.js';
import { CANARY_DEFINITION_DIR, CANARY_METRICS_PATH, CANARY_PACKAGE, CANARY_PORT } from '../../catalog/canary.js';
import { VM_BACKUP_DEFAULTS } from '../../model/schema.js';
import { CATALOG } from '../../catalog/index.js';
import type { EngineId } from '../../catalog/types.js';
import { ETC, OPT, S3_ENV_FILE, SEAWEEDFS_DATA_DIR, VM_BACKUP_PREFIX, VM_BACKUP_UNIT, VM_DEFINITION_DIR, VM_STORAGE_LAYOUT, type VmStorageGroup } from './layout.js';
import { KAFKA_ADMIN_HOST, KAFKA_CLIENT_PROPERTIES, engineReadyTask, kafkaClientProperties, kafkaListenerLines, kafkaTlsTasks } from './tls.js';
import { PROMETHEUS_WEB_TLS } from '../../catalog/server-tls.js';
import { SEAWEEDFS_NO_TELEMETRY } from '../../catalog/seaweedfs.js';
import { ansibleYaml } from './yaml.js';

type Obj = Record<string, unknown>;
type Files = Map<string, string>;

export const SERVICE_USER = 'otelstack';

const j = (expr: string) => `{{ ${expr} }}`;
/**
 * Every path a role writes or a unit names starts with otelstack_root: unset on a VM (the paths as they are); a test
 * applying the playbooks on one machine (test/e2e/ansible-apply.test.ts) puts each host under a temporary root.
 */
const ROOT = "{{ otelstack_root | default('') }}";
const at = (path: string) => `${ROOT}${path}`;
/**
 * Privileged steps — system users, packages, systemctl, sysctl, and the health checks and topic/bucket creation
 * that need the service systemd started — run unless otelstack_manage_system is false (a test without systemd).
 */
export const MANAGE_SYSTEM = 'otelstack_manage_system | default(true) | bool';
/** The service user owning what a service writes: the common role's common_user (otelstack). */
const OWNER = j('common_user');
/** The catalog's readiness endpoint of an engine, as the role's health check polls it on the host. */
const readyOf = (id: EngineId): { port: string; path: string } => ({ port: String(CATALOG[id].ports[CATALOG[id].ready!.port]), path: CATALOG[id].ready!.path });
const fill = (s: string, version: string) => s.replace(/\{version\}/g, version);

/**
 * The download URL as three variables (site, file, url) so no line passes yamllint's 160 characters: the site is
 * the part before the first path segment naming the version.
 */
function downloadVars(p: string, url: string): Obj {
  const segs = url.split('/');
  const file = segs.pop()!;
  const first = segs.findIndex((x) => x.includes('{version}'));
  const site = (first < 0 ? segs : segs.slice(0, first)).join('/');
  const middle = first < 0 ? [] : segs.slice(first);
  const v = j(`${p}_version`);
  return {
    [`${p}_download_site`]: site,
    [`${p}_download_file`]: fill(file, v),
    [`${p}_download_url`]: [j(`${p}_download_site`), ...middle.map((m) => fill(m, v)), j(`${p}_download_file`)].join('/'),
  };
}

/** The unit template: restart on failure, MemoryMax / CPUQuota from the group vars (absent = no limit). */
function unitTemplate(o: { description: string; prefix: string; execStart: string; after: string; env?: string[]; envFiles?: string[]; user?: string; lines?: string[] }): string {
  return [
    '# Rendered by otelstack (ansible target); values from the inventory group vars.',
    '[Unit]',
    `Description=${o.description}`,
    `After=${o.after}`,
    `Wants=${o.after}`,
    '',
    '[Service]',
    'Type=simple',
    `User=${o.user ?? SERVICE_USER}`,
    `Group=${SERVICE_USER}`,
    ...(o.envFiles ?? []).map((f) => `EnvironmentFile=${f}`),
    // quoted: a value with spaces (KAFKA_HEAP_OPTS) is one assignment, not several
    ...(o.env ?? []).map((e) => `Environment="${e}"`),
    ...(o.lines ?? []),
    `ExecStart=${o.execStart}`,
    'Restart=on-failure',
    'RestartSec=5s',
    `TimeoutStopSec=${j(`${o.prefix}_stop_timeout_seconds`)}s`,
    'KillSignal=SIGTERM',
    'LimitNOFILE=65536',
    `{% if ${o.prefix}_memory_max | length > 0 %}`,
    `MemoryMax=${j(`${o.prefix}_memory_max`)}`,
    '{% endif %}',
    `{% if ${o.prefix}_cpu_quota | length > 0 %}`,
    `CPUQuota=${j(`${o.prefix}_cpu_quota`)}`,
    '{% endif %}',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

interface ProcessRole {
  role: string;
  /** variable prefix: the role name with "_" (ansible-lint var-naming[no-role-prefix]) */
  prefix: string;
  title: string;
  release: VmReleaseId;
  unit: string;
  execStart: string;
  env?: string[];
  envFiles?: string[];
  dataDirs: string[];
  /** config files: file under files/<env>/ (per-env name from a variable) → destination */
  configs: Array<{ src: string; dest: string; srcVar?: string }>;
  templates?: Array<{ src: string; dest: string; mode: string; contents: string }>;
  ready: { port: string; path: string };
  /** a health check other than an HTTP GET of `ready` (a broker has no HTTP endpoint) */
  readyTask?: Obj;
  grace: number;
  /** extra tasks after the service is ready (topics, buckets) */
  after?: Obj[];
  /** extra tasks before the service starts (Kafka's storage format) */
  before?: Obj[];
  packages?: string;
  defaults?: Obj;
}

function processRole(files: Files, r: ProcessRole): void {
  const rel = VM_RELEASES[r.release];
  const dir = `roles/${r.role}`;
  const home = `${OPT}/${r.release}-${j(`${r.prefix}_version`)}`;
  const p = r.prefix;
  const defaults: Obj = {
    [`${p}_version`]: rel.version,
    ...downloadVars(p, rel.url),
    [`${p}_home`]: at(home),
    [`${p}_binary`]: `${j(`${p}_home`)}/${fill(rel.binary, j(`${p}_version`))}`,
    [`${p}_memory_max`]: '',
    [`${p}_cpu_quota`]: '',
    [`${p}_stop_timeout_seconds`]: r.grace,
    [`${p}_ready_retries`]: 30,
    [`${p}_ready_delay`]: 5,
    ...(r.defaults ?? {}),
  };
  const unitDest = at(`/etc/systemd/system/${r.unit}.service`);
  const restart = `Restart ${r.title}`;
  const tasks: Obj[] = [
    ...(r.packages ? [{ name: `Install what ${r.title} needs`, 'ansible.builtin.package': { name: j(r.packages), state: 'present' }, when: MANAGE_SYSTEM }] : []),
    { name: `Create the ${r.title} directories`, 'ansible.builtin.file': { path: j('item'), state: 'directory', owner: OWNER, group: OWNER, mode: '0750' }, loop: [j(`${p}_home`), ...r.dataDirs.map(at)] },
    rel.archive
      ? { name: `Download ${r.title} ${j(`${p}_version`)}`, 'ansible.builtin.get_url': { url: j(`${p}_download_url`), dest: `${j(`${p}_home`)}/release.archive`, mode: '0644' } }
      : { name: `Download ${r.title} ${j(`${p}_version`)}`, 'ansible.builtin.get_url': { url: j(`${p}_download_url`), dest: j(`${p}_binary`), mode: '0755' } },
    ...(rel.archive
      ? [{ name: `Unpack ${r.title}`, 'ansible.builtin.unarchive': { src: `${j(`${p}_home`)}/release.archive`, dest: j(`${p}_home`), remote_src: true, creates: j(`${p}_binary`), owner: 'root', group: 'root' } }]
      : []),
    ...r.configs.map((c) => ({ name: `Place the ${r.title} config ${c.dest}`, 'ansible.builtin.copy': { src: c.srcVar ? j(c.srcVar) : `${j('otelstack_env')}/${c.src}`, dest: at(c.dest), owner: 'root', group: OWNER, mode: '0640' }, notify: restart })),
    ...(r.templates ?? []).map((t) => ({ name: `Template ${t.dest}`, 'ansible.builtin.template': { src: t.src, dest: at(t.dest), owner: 'root', group: OWNER, mode: t.mode }, notify: restart })),
    { name: `Install the ${r.unit} unit`, 'ansible.builtin.template': { src: `${r.unit}.service.j2`, dest: unitDest, owner: 'root', group: 'root', mode: '0644' }, notify: restart },
    ...(r.before ?? []),
    { name: `Enable and start ${r.unit}`, 'ansible.builtin.systemd_service': { name: r.unit, enabled: true, state: 'started', daemon_reload: true }, when: MANAGE_SYSTEM },
    { name: 'Apply pending restarts before the health check', 'ansible.builtin.meta': 'flush_handlers' },
    {
      ...(r.readyTask ?? {
        name: `Wait until ${r.title} is ready`,
        'ansible.builtin.uri': { url: `http://127.0.0.1:${r.ready.port}${r.ready.path}`, status_code: 200 },
        register: `${p}_ready`,
        until: `${p}_ready.status == 200`,
        retries: j(`${p}_ready_retries`),
        delay: j(`${p}_ready_delay`),
      }),
      when: MANAGE_SYSTEM,
    },
    ...(r.after ?? []).map((t) => ({ ...t, when: MANAGE_SYSTEM })),
  ];
  files.set(`${dir}/defaults/main.yml`, ansibleYaml(defaults));
  files.set(`${dir}/tasks/main.yml`, ansibleYaml(tasks));
  files.set(`${dir}/handlers/main.yml`, ansibleYaml([{ name: restart, 'ansible.builtin.systemd_service': { name: r.unit, state: 'restarted', daemon_reload: true }, when: MANAGE_SYSTEM }]));
  files.set(`${dir}/templates/${r.unit}.service.j2`, unitTemplate({ description: `${r.title} (otelstack)`, prefix: p, execStart: r.execStart, after: 'network-online.target', ...(r.env ? { env: r.env } : {}), ...(r.envFiles ? { envFiles: r.envFiles } : {}) }));
  for (const t of r.templates ?? []) files.set(`${dir}/templates/${t.src}`, t.contents);
}

function commonRole(files: Files): void {
  const dir = 'roles/common';
  files.set(
    `${dir}/defaults/main.yml`,
    ansibleYaml({
      common_user: SERVICE_USER,
      common_sysctl: { 'fs.file-max': 1048576, 'net.core.somaxconn': 4096, 'vm.max_map_count': 262144, 'vm.swappiness': 1 },
      common_nofile: 65536,
      common_journal_max_use: '2G',
      common_s3_access_key_id_name: 'AWS_ACCESS_KEY_ID',
      common_s3_secret_access_key_name: 'AWS_SECRET_ACCESS_KEY',
    }),
  );
  const tasks: Obj[] = [
    { name: 'Create the otelstack group', 'ansible.builtin.group': { name: j('common_user'), system: true, state: 'present' }, when: MANAGE_SYSTEM },
    { name: 'Create the otelstack user', 'ansible.builtin.user': { name: j('common_user'), group: j('common_user'), system: true, shell: '/usr/sbin/nologin', create_home: false, state: 'present' }, when: MANAGE_SYSTEM },
    { name: 'Create the config directory', 'ansible.builtin.file': { path: at(ETC), state: 'directory', owner: 'root', group: j('common_user'), mode: '0750' } },
    { name: 'Create the install directory', 'ansible.builtin.file': { path: at(OPT), state: 'directory', owner: 'root', group: 'root', mode: '0755' } },
    {
      // the configs name their peers as on compose (kafka-0, tempo, seaweedfs …): resolve them to the inventory's hosts
      name: 'Resolve the stack service names to the inventory hosts',
      'ansible.builtin.blockinfile': { path: at('/etc/hosts'), marker: '# {mark} otelstack service names', block: '{% for name, host in otelstack_names.items() %}\n{{ hostvars[host].ansible_host }} {{ name }}\n{% endfor %}', create: false },
    },
    { name: 'Kernel settings for the stack', 'ansible.builtin.template': { src: 'sysctl.conf.j2', dest: at('/etc/sysctl.d/90-otelstack.conf'), owner: 'root', group: 'root', mode: '0644' }, notify: 'Apply sysctl settings' },
    { name: 'Open file limits for the service user', 'ansible.builtin.template': { src: 'limits.conf.j2', dest: at('/etc/security/limits.d/90-otelstack.conf'), owner: 'root', group: 'root', mode: '0644' } },
    { name: 'Create the journald drop-in directory', 'ansible.builtin.file': { path: at('/etc/systemd/journald.conf.d'), state: 'directory', owner: 'root', group: 'root', mode: '0755' } },
    { name: 'Log rotation: bound the journal the services log to', 'ansible.builtin.template': { src: 'journald.conf.j2', dest: at('/etc/systemd/journald.conf.d/90-otelstack.conf'), owner: 'root', group: 'root', mode: '0644' }, notify: 'Restart journald' },
    {
      name: 'S3 credentials for the engines (from vault variables)',
      'ansible.builtin.template': { src: 's3.env.j2', dest: at(S3_ENV_FILE), owner: 'root', group: j('common_user'), mode: '0640' },
      no_log: true,
      when: "otelstack_s3_env | default(true) | bool",
    },
  ];
  files.set(`${dir}/tasks/main.yml`, ansibleYaml(tasks));
  files.set(
    `${dir}/handlers/main.yml`,
    ansibleYaml([
      { name: 'Apply sysctl settings', 'ansible.builtin.command': { argv: ['sysctl', '--system'] }, changed_when: true, when: MANAGE_SYSTEM },
      { name: 'Restart journald', 'ansible.builtin.systemd_service': { name: 'systemd-journald', state: 'restarted' }, when: MANAGE_SYSTEM },
    ]),
  );
  files.set(`${dir}/templates/sysctl.conf.j2`, '# Rendered by otelstack (ansible target).\n{% for key, value in common_sysctl | dictsort %}\n{{ key }} = {{ value }}\n{% endfor %}\n');
  files.set(`${dir}/templates/limits.conf.j2`, '# Rendered by otelstack (ansible target).\n{{ common_user }} soft nofile {{ common_nofile }}\n{{ common_user }} hard nofile {{ common_nofile }}\n');
  files.set(`${dir}/templates/journald.conf.j2`, '# Rendered by otelstack (ansible target).\n[Journal]\nSystemMaxUse={{ common_journal_max_use }}\n');
  // references only: the values are vault variables the site defines (ansible-vault), never rendered
  files.set(`${dir}/templates/s3.env.j2`, '# Rendered by otelstack (ansible target): values from ansible-vault variables.\n{{ common_s3_access_key_id_name }}={{ vault_s3_access_key_id }}\n{{ common_s3_secret_access_key_name }}={{ vault_s3_secret_access_key }}\n');
}

function collectorRole(files: Files): void {
  const p = CATALOG.otelcol.ports;
  processRole(files, {
    role: 'otel-collector',
    prefix: 'otel_collector',
    title: 'OpenTelemetry Collector',
    release: 'otelcol',
    unit: 'otelstack-otelcol',
    execStart: `{{ otel_collector_binary }} --config=${at(COLLECTOR_CONFIG_PATH)}`,
    env: ['GOMEMLIMIT={{ otel_collector_gomemlimit }}'],
    dataDirs: ['/etc/otelcol', COLLECTOR_QUEUE_DIR],
    configs: [{ src: 'otelcol-{{ otel_collector_role }}.yaml', dest: COLLECTOR_CONFIG_PATH, srcVar: 'otel_collector_config_src' }],
    ready: { port: String(p['health']), path: '/' },
    grace: STOP_GRACE_SECONDS.otelcol,
    // the environment's pool config (the compose target's bytes); a site may point one host at another file
    defaults: { otel_collector_role: 'gateway', otel_collector_gomemlimit: '', otel_collector_config_src: '{{ otelstack_env }}/otelcol-{{ otel_collector_role }}.yaml' },
  });
  // owned by the service user: the collector writes its persistent queue there
}

function kafkaRole(files: Files): void {
  const p = CATALOG.kafka.ports;
  const bin = '{{ kafka_home }}/kafka_2.13-{{ kafka_version }}/bin';
  const props = [
    '# Rendered by otelstack (ansible target): KRaft, combined broker + controller, as the compose target runs it.',
    'process.roles=broker,controller',
    'node.id={{ kafka_node_id }}',
    // SSL listeners under environments[].tls, the plaintext ones otherwise (tls.ts)
    ...kafkaListenerLines(),
    'controller.quorum.voters={{ kafka_controller_quorum_voters }}',
    'auto.create.topics.enable=false',
    'default.replication.factor={{ kafka_default_replication_factor }}',
    'min.insync.replicas={{ kafka_min_insync_replicas }}',
    'offsets.topic.replication.factor={{ kafka_default_replication_factor }}',
    'transaction.state.log.replication.factor={{ kafka_default_replication_factor }}',
    'transaction.state.log.min.isr={{ kafka_min_insync_replicas }}',
    `log.dirs=${at('{{ kafka_data_dir }}')}`,
    '',
  ].join('\n');
  processRole(files, {
    role: 'kafka',
    prefix: 'kafka',
    title: 'Kafka',
    release: 'kafka',
    unit: 'otelstack-kafka',
    execStart: `${bin}/kafka-server-start.sh ${at(ETC)}/kafka/server.properties`,
    env: ['KAFKA_HEAP_OPTS={{ kafka_heap_opts }}'],
    dataDirs: [`${ETC}/kafka`, '{{ kafka_data_dir }}'],
    configs: [],
    templates: [
      { src: 'server.properties.j2', dest: `${ETC}/kafka/server.properties`, mode: '0640', contents: props },
      { src: 'client.properties.j2', dest: KAFKA_CLIENT_PROPERTIES, mode: '0640', contents: kafkaClientProperties() },
    ],
    packages: 'kafka_java_package',
    before: [
      ...kafkaTlsTasks('Restart Kafka', OWNER),
      {
        name: 'Format the KRaft storage (once)',
        'ansible.builtin.command': { argv: [`${bin}/kafka-storage.sh`, 'format', '--cluster-id', '{{ kafka_cluster_id }}', '--config', `${at(ETC)}/kafka/server.properties`, '--ignore-formatted'], creates: at('{{ kafka_data_dir }}/meta.properties') },
        become: true,
        become_user: SERVICE_USER,
      },
    ],
    // no HTTP endpoint on a broker: readiness is its client port, then the topics
    ready: { port: String(p['client']), path: '' },
    readyTask: { name: 'Wait until Kafka accepts clients', 'ansible.builtin.wait_for': { host: '127.0.0.1', port: '{{ kafka_client_port }}', timeout: 300 } },
    grace: STOP_GRACE_SECONDS.kafka,
    after: [
      {
        name: 'Create the topics (partitions, replication, min ISR, retention)',
        'ansible.builtin.command': {
          argv: [
            `${bin}/kafka-topics.sh`, '--bootstrap-server', `${KAFKA_ADMIN_HOST}:{{ kafka_client_port }}`, '--command-config', at(KAFKA_CLIENT_PROPERTIES), '--create', '--if-not-exists', '--topic', '{{ item.name }}',
            '--partitions', '{{ item.partitions }}', '--replication-factor', '{{ item.replication }}',
            '--config', 'min.insync.replicas={{ item.min_insync_replicas }}', '--config', 'retention.ms={{ item.retention_ms }}',
          ],
        },
        loop: '{{ kafka_topics }}',
        loop_control: { label: '{{ item.name }}' },
        run_once: true,
        register: 'kafka_topic_created',
        changed_when: "'Created topic' in kafka_topic_created.stdout",
      },
    ],
    // listeners on every interface at the catalog's ports, advertised by the inventory name (/etc/hosts, common role)
    defaults: { kafka_java_package: 'openjdk-21-jre-headless', kafka_data_dir: '/var/lib/kafka/data', kafka_heap_opts: '-Xmx512m -Xms512m', kafka_topics: [], kafka_listen_address: '', kafka_client_port: p['client'], kafka_controller_port: p['controller'], kafka_advertised_host: '{{ inventory_hostname }}' },
  });
}

/** The storage group's role settings from the shared layout: unit, data directories, configs placed from files/<env>/. */
function storageLayout(group: VmStorageGroup): Pick<ProcessRole, 'unit' | 'dataDirs' | 'configs'> {
  const l = VM_STORAGE_LAYOUT[group];
  return { unit: l.unit, dataDirs: Object.values(l.data), configs: l.configs.map((c) => ({ src: c.file, dest: c.dest })) };
}

/** Prometheus' web config on a VM: empty without TLS (plain HTTP), tls_server_config with it (PROMETHEUS_WEB_TLS). */
const PROMETHEUS_WEB_CONFIG = `${ETC}/prometheus-web.yml`;
function prometheusWebConfigTemplate(): string {
  const k = PROMETHEUS_WEB_TLS;
  return [
    '# Rendered by otelstack (ansible target): Prometheus web config (--web.config.file).',
    '{% if otelstack_tls.enabled | default(false) %}',
    `${k.server}:`,
    `  ${k.certFile}: {{ otelstack_tls.cert }}`,
    `  ${k.keyFile}: {{ otelstack_tls.key }}`,
    '{% if otelstack_tls.mtls | default(false) %}',
    `  ${k.clientAuthType}: ${k.requireAndVerify}`,
    `  ${k.clientCaFile}: {{ otelstack_tls.ca }}`,
    '{% endif %}',
    '{% endif %}',
    '',
  ].join('\n');
}

function engineRoles(files: Files): void {
  for (const engine of ['tempo', 'mimir', 'loki'] as const) {
    const title = CATALOG[engine].title;
    processRole(files, {
      role: engine,
      prefix: engine,
      title,
      release: engine,
      ...storageLayout(engine),
      execStart: `{{ ${engine}_binary }} -config.file=${at(VM_STORAGE_LAYOUT[engine].configs[0]!.dest)} -config.expand-env=true`,
      envFiles: [at(S3_ENV_FILE)],
      ready: readyOf(engine),
      // https by service name under TLS between VMs (tls.ts)
      readyTask: engineReadyTask({ engine, title, prefix: engine, ...readyOf(engine) }),
      grace: STOP_GRACE_SECONDS[engine],
    });
  }
  const prom = VM_STORAGE_LAYOUT.prometheus;
  processRole(files, {
    role: 'prometheus',
    prefix: 'prometheus',
    title: 'Prometheus',
    release: 'prometheus',
    ...storageLayout('prometheus'),
    // TLS between hosts: its HTTP API on the host certificate (the web config file, client certificates under mtls)
    execStart: `{{ prometheus_binary }} --config.file=${at(prom.configs[0]!.dest)} --storage.tsdb.path=${at(prom.data['prometheus']!)} --web.enable-remote-write-receiver --web.enable-otlp-receiver{% if otelstack_tls.enabled | default(false) %} ${PROMETHEUS_WEB_TLS.flag}=${at(PROMETHEUS_WEB_CONFIG)}{% endif %}`,
    templates: [{ src: 'prometheus-web.yml.j2', dest: PROMETHEUS_WEB_CONFIG, mode: '0640', contents: prometheusWebConfigTemplate() }],
    ready: readyOf('prometheus'),
    readyTask: engineReadyTask({ engine: 'prometheus', title: 'Prometheus', prefix: 'prometheus', ...readyOf('prometheus') }),
    grace: STOP_GRACE_SECONDS.prometheus,
  });
  const sp = CATALOG.seaweedfs.ports;
  processRole(files, {
    role: 'seaweedfs',
    prefix: 'seaweedfs',
    title: 'SeaweedFS',
    release: 'seaweedfs',
    ...storageLayout('seaweedfs'),
    // the same flags as the compose service (`weed server -s3`: master, volume, filer and the S3 gateway); the data
    // directory is the layout's (what the backup timer archives)
    // TLS between hosts: the S3 API on the host certificate (seaweedfs serves https on -s3.port with -s3.cert.file / -s3.key.file)
    execStart: `{{ seaweedfs_binary }} server -dir=${at(SEAWEEDFS_DATA_DIR)} -s3 -s3.port={{ seaweedfs_s3_port }} -master.port=${sp['master']} -volume.port=${sp['volume']} -filer.port=${sp['filer']} ${SEAWEEDFS_NO_TELEMETRY}{% if otelstack_tls.enabled | default(false) %} -s3.cert.file={{ otelstack_tls.cert }} -s3.key.file={{ otelstack_tls.key }}{% endif %}`,
    envFiles: [at(S3_ENV_FILE)],
    ready: readyOf('seaweedfs'),
    grace: STOP_GRACE_SECONDS.seaweedfs,
    after: [
      {
        name: 'Create the buckets',
        'ansible.builtin.command': { argv: ['{{ seaweedfs_binary }}', 'shell', `-master=127.0.0.1:${sp['master']}`], stdin: "{% for b in seaweedfs_buckets %}s3.bucket.create -name {{ b }}\n{% endfor %}" },
        register: 'seaweedfs_bucket_create',
        changed_when: "'created' in seaweedfs_bucket_create.stdout | lower",
      },
    ],
    defaults: { seaweedfs_s3_port: sp['s3'], seaweedfs_buckets: [] },
  });
}

function grafanaRole(files: Files): void {
  const port = CATALOG.grafana.ports['http']!;
  const ini = [
    '; Rendered by otelstack (ansible target); secrets are vault variables.',
    '[server]',
    'http_port = {{ grafana_http_port }}',
    '[paths]',
    `provisioning = ${at(ETC)}/grafana/provisioning`,
    `data = ${at('{{ grafana_data_dir }}')}`,
    '[security]',
    'admin_password = {{ vault_grafana_admin_password }}',
    '{% if grafana_database | length > 0 %}',
    '; HA: every replica shares the PostgreSQL the definition references',
    '[database]',
    'type = postgres',
    'host = {{ grafana_database.host }}',
    'name = {{ grafana_database.name }}',
    'ssl_mode = {{ grafana_database.ssl_mode }}',
    'user = {{ vault_grafana_database_user }}',
    'password = {{ vault_grafana_database_password }}',
    '{% endif %}',
    '',
  ].join('\n');
  processRole(files, {
    role: 'grafana',
    prefix: 'grafana',
    title: 'Grafana',
    release: 'grafana',
    unit: 'otelstack-grafana',
    execStart: `{{ grafana_binary }} server --homepath={{ grafana_home }}/grafana-v{{ grafana_version }} --config=${at(ETC)}/grafana/grafana.ini`,
    dataDirs: ['{{ grafana_data_dir }}', `${ETC}/grafana`, `${ETC}/grafana/provisioning`, `${ETC}/grafana/provisioning/datasources`],
    configs: [{ src: 'datasources.yaml', dest: `${ETC}/grafana/provisioning/datasources/datasources.yaml` }],
    templates: [{ src: 'grafana.ini.j2', dest: `${ETC}/grafana/grafana.ini`, mode: '0640', contents: ini }],
    ready: { port: '{{ grafana_http_port }}', path: CATALOG.grafana.ready!.path },
    grace: STOP_GRACE_SECONDS.grafana,
    defaults: { grafana_http_port: port, grafana_data_dir: '/var/lib/grafana', grafana_database: {} },
  });
}

/**
 * otelstack-canary: `otelstack canary` from the npm package at otelstack's version (catalog), on the VM of the first
 * gateway (it pushes to that gateway on 127.0.0.1 and reads the engines by service name), as a systemd unit. The
 * arguments come from the inventory (the environment's name, interval, deadline); the definition copy from
 * files/<env>/.
 */
function canaryRole(files: Files): void {
  const dir = 'roles/otelstack-canary';
  const p = 'otelstack_canary';
  const restart = 'Restart the canary';
  files.set(
    `${dir}/defaults/main.yml`,
    ansibleYaml({
      [`${p}_package`]: `${CANARY_PACKAGE.name}@${CANARY_PACKAGE.version}`,
      [`${p}_node_packages`]: ['nodejs', 'npm'],
      // one prefix per version: `creates` skips the install only when this version is there, and the unit's
      // ExecStart (the binary's path) changes with it, which restarts the canary on an upgrade
      [`${p}_prefix`]: `${OPT}/canary/${CANARY_PACKAGE.version}`,
      [`${p}_binary`]: `${OPT}/canary/${CANARY_PACKAGE.version}/bin/${CANARY_PACKAGE.binary}`,
      [`${p}_definition`]: '',
      [`${p}_args`]: [],
      [`${p}_port`]: CANARY_PORT,
      [`${p}_memory_max`]: '',
      [`${p}_cpu_quota`]: '',
      [`${p}_stop_timeout_seconds`]: 10,
      [`${p}_ready_retries`]: 30,
      [`${p}_ready_delay`]: 5,
    }),
  );
  const tasks: Obj[] = [
    { name: 'Install Node.js and npm', 'ansible.builtin.package': { name: j(`${p}_node_packages`), state: 'present' } },
    {
      name: `Install ${j(`${p}_package`)}`,
      'ansible.builtin.command': { argv: ['npm', 'install', '--global', '--prefix', j(`${p}_prefix`), '--no-audit', '--no-fund', j(`${p}_package`)], creates: j(`${p}_binary`) },
    },
    { name: 'Place the definition the canary reads', 'ansible.builtin.copy': { src: `${j('otelstack_env')}/${j(`${p}_definition`)}`, dest: `${CANARY_DEFINITION_DIR}/${j(`${p}_definition`)}`, owner: 'root', group: SERVICE_USER, mode: '0640' }, notify: restart },
    { name: 'Install the otelstack-canary unit', 'ansible.builtin.template': { src: 'otelstack-canary.service.j2', dest: '/etc/systemd/system/otelstack-canary.service', owner: 'root', group: 'root', mode: '0644' }, notify: restart },
    { name: 'Enable and start otelstack-canary', 'ansible.builtin.systemd_service': { name: 'otelstack-canary', enabled: true, state: 'started', daemon_reload: true } },
    { name: 'Apply pending restarts before the health check', 'ansible.builtin.meta': 'flush_handlers' },
    {
      name: 'Wait until the canary serves its metrics',
      'ansible.builtin.uri': { url: `http://127.0.0.1:${j(`${p}_port`)}${CANARY_METRICS_PATH}`, status_code: 200 },
      register: `${p}_ready`,
      until: `${p}_ready.status == 200`,
      retries: j(`${p}_ready_retries`),
      delay: j(`${p}_ready_delay`),
    },
  ];
  files.set(`${dir}/tasks/main.yml`, ansibleYaml(tasks));
  files.set(`${dir}/handlers/main.yml`, ansibleYaml([{ name: restart, 'ansible.builtin.systemd_service': { name: 'otelstack-canary', state: 'restarted', daemon_reload: true } }]));
  files.set(
    `${dir}/templates/otelstack-canary.service.j2`,
    unitTemplate({
      description: 'otelstack canary: traces, metrics and logs through the ingestion path',
      prefix: p,
      execStart: `${j(`${p}_binary`)} {{ ${p}_args | join(' ') }}`,
      after: 'network-online.target',
      envFiles: [`-${S3_ENV_FILE}`],
      // TLS between hosts: Node trusts the environment's CA too (the object-store listing of --check-storage; the
      // pushes and the engine reads take the host's files from the topology themselves)
      lines: ['{% if otelstack_tls.enabled | default(false) %}', 'Environment="NODE_EXTRA_CA_CERTS={{ otelstack_tls.ca }}"', '{% endif %}'],
    }),
  );
}

/**
 * otelstack-backup (storage hosts, playbooks/backup.yml): `otelstack backup` of the host on a systemd timer — the
 * data directories and configs the storage roles placed there (layout.ts), one checksummed archive per run in
 * otelstack_backup_dir, the newest otelstack_backup_keep kept. The service is Type=oneshot and run only by the
 * timer; it stops the host's engines while their data is archived (a running engine's files change under the
 * archiver, which fails the backup's verification) and starts them again afterwards, also when the backup fails
 * (ExecStopPost). Schedule, delay, retention and directory come from the inventory (environments[].backup).
 */
function backupRole(files: Files): void {
  const dir = 'roles/otelstack-backup';
  const p = 'otelstack_backup';
  const restart = 'Restart the backup timer';
  files.set(
    `${dir}/defaults/main.yml`,
    ansibleYaml({
      [`${p}_package`]: `${CANARY_PACKAGE.name}@${CANARY_PACKAGE.version}`,
      [`${p}_node_packages`]: ['nodejs', 'npm'],
      // one prefix per version (as the canary's): an upgrade installs, and the service then runs the new binary
      [`${p}_prefix`]: `${VM_BACKUP_PREFIX}/${CANARY_PACKAGE.version}`,
      [`${p}_binary`]: `${VM_BACKUP_PREFIX}/${CANARY_PACKAGE.version}/bin/${CANARY_PACKAGE.binary}`,
      [`${p}_definition`]: '',
      [`${p}_dir`]: VM_BACKUP_DEFAULTS.dir,
      [`${p}_schedule`]: VM_BACKUP_DEFAULTS.schedule,
      [`${p}_randomized_delay`]: VM_BACKUP_DEFAULTS.randomizedDelay,
      [`${p}_keep`]: VM_BACKUP_DEFAULTS.keep,
      [`${p}_units`]: [],
    }),
  );
  const tasks: Obj[] = [
    { name: 'Install Node.js and npm', 'ansible.builtin.package': { name: j(`${p}_node_packages`), state: 'present' } },
    {
      name: `Install ${j(`${p}_package`)}`,
      'ansible.builtin.command': { argv: ['npm', 'install', '--global', '--prefix', j(`${p}_prefix`), '--no-audit', '--no-fund', j(`${p}_package`)], creates: j(`${p}_binary`) },
    },
    { name: 'Create the backup directory', 'ansible.builtin.file': { path: j(`${p}_dir`), state: 'directory', owner: 'root', group: 'root', mode: '0700' } },
    { name: 'Place the definition otelstack backup reads', 'ansible.builtin.copy': { src: `${j('otelstack_env')}/${j(`${p}_definition`)}`, dest: `${VM_DEFINITION_DIR}/${j(`${p}_definition`)}`, owner: 'root', group: SERVICE_USER, mode: '0640' } },
    { name: `Install the ${VM_BACKUP_UNIT} service`, 'ansible.builtin.template': { src: `${VM_BACKUP_UNIT}.service.j2`, dest: `/etc/systemd/system/${VM_BACKUP_UNIT}.service`, owner: 'root', group: 'root', mode: '0644' }, notify: restart },
    { name: `Install the ${VM_BACKUP_UNIT} timer`, 'ansible.builtin.template': { src: `${VM_BACKUP_UNIT}.timer.j2`, dest: `/etc/systemd/system/${VM_BACKUP_UNIT}.timer`, owner: 'root', group: 'root', mode: '0644' }, notify: restart },
    { name: `Enable and start ${VM_BACKUP_UNIT}.timer`, 'ansible.builtin.systemd_service': { name: `${VM_BACKUP_UNIT}.timer`, enabled: true, state: 'started', daemon_reload: true } },
  ];
  files.set(`${dir}/tasks/main.yml`, ansibleYaml(tasks));
  files.set(`${dir}/handlers/main.yml`, ansibleYaml([{ name: restart, 'ansible.builtin.systemd_service': { name: `${VM_BACKUP_UNIT}.timer`, state: 'restarted', daemon_reload: true } }]));
  const units = `{{ ${p}_units | join(' ') }}`;
  files.set(
    `${dir}/templates/${VM_BACKUP_UNIT}.service.j2`,
    [
      `# Rendered by otelstack (ansible target); values from the inventory. Started by ${VM_BACKUP_UNIT}.timer only.`,
      '[Unit]',
      'Description=otelstack backup of {{ inventory_hostname }} ({{ otelstack_env }}): data directories and configs',
      'After=network-online.target',
      '',
      '[Service]',
      'Type=oneshot',
      'User=root',
      'Group=root',
      'UMask=0077',
      `{% if ${p}_units | length > 0 %}`,
      '# the engines stop while their data is archived and start again afterwards, also when the backup fails',
      `ExecStartPre=/usr/bin/systemctl stop ${units}`,
      '{% endif %}',
      `ExecStart=${j(`${p}_binary`)} backup ${VM_DEFINITION_DIR}/${j(`${p}_definition`)} --env ${j('otelstack_env')} --host ${j('inventory_hostname')} --out ${j(`${p}_dir`)} --retention ${j(`${p}_keep`)}`,
      `{% if ${p}_units | length > 0 %}`,
      `ExecStopPost=/usr/bin/systemctl start ${units}`,
      '{% endif %}',
      'Nice=10',
      'IOSchedulingClass=idle',
      '',
    ].join('\n'),
  );
  files.set(
    `${dir}/templates/${VM_BACKUP_UNIT}.timer.j2`,
    [
      '# Rendered by otelstack (ansible target); schedule and delay from the inventory (environments[].backup).',
      '[Unit]',
      'Description=otelstack backup of {{ inventory_hostname }} ({{ otelstack_backup_schedule }})',
      '',
      '[Timer]',
      `OnCalendar=${j(`${p}_schedule`)}`,
      `RandomizedDelaySec=${j(`${p}_randomized_delay`)}`,
      '# a run missed while the host was down happens at the next boot',
      'Persistent=true',
      `Unit=${VM_BACKUP_UNIT}.service`,
      '',
      '[Install]',
      'WantedBy=timers.target',
      '',
    ].join('\n'),
  );
}

/** Every role, the same for every environment. */
export function renderRoles(): Files {
  const files: Files = new Map();
  commonRole(files);
  collectorRole(files);
  kafkaRole(files);
  engineRoles(files);
  grafanaRole(files);
  canaryRole(files);
  backupRole(files);
  return files;
}
