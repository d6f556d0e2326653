/**
 * TLS between the hosts of an ansible environment (environments[].tls, src/topology/vm-tls.ts), kept in one file:
 *  - the inventory variable otelstack_tls (what the plan decided: the files on the host, mtls, the references);
 *  - the otelstack-tls role, first after common in every play: a file given as a path must exist on the host
 *    (stat + assert naming the definition's key), then gets its owner and mode; a file given as an ansible-vault
 *    variable is written from that variable (no_log) under VM_TLS_DIR — nothing else comes from the controller;
 *  - Kafka: the SSL listeners of server.properties (broker, inter-broker and controller), the PEM keystore the
 *    kafka role assembles from key and certificate, and the client properties its topic tasks use.
 * With tls off every piece renders what the plaintext stack had; the collector configs get their tls blocks in the
 * shared renderer (src/render/configs/otelcol.ts) from the topology's tls plan.
 */
import { KAFKA_TLS } from '../../catalog/kafka.js';
import type { TlsPlan } from '../../topology/vm-tls.js';
import { TLS_ENGINES, VM_TLS_DIR } from '../../topology/vm-tls.js';
import type { VmPlacement } from '../../topology/vm-placement.js';
import { ETC } from './layout.js';
import { ansibleYaml } from './yaml.js';

type Obj = Record<string, unknown>;
const SERVICE_GROUP = 'otelstack';
export const TLS_ROLE = 'otelstack-tls';
export const KAFKA_CLIENT_PROPERTIES = `${ETC}/kafka/client.properties`;

/** The inventory's otelstack_tls: enabled false without a plan (the roles then render the plaintext settings). */
export function tlsInventoryVar(p: TlsPlan | undefined, pl?: Pick<VmPlacement, 'kafka' | 'engines' | 'gateway'>): Obj {
  if (!p) return { enabled: false };
  // the names each host's certificate must carry: the names its TLS servers are dialled by — a broker by its
  // inventory name (advertised listener, controller voters), an engine by its service name (the configs' peers),
  const byHost: Record<string, string[]> = {};
  for (const h of pl?.kafka ?? []) (byHost[h.name] ??= []).push(h.name);
  // a gateway by its inventory name: the canary beside the first one pushes to it by that name (verify/targets.ts)
  for (const h of pl?.gateway ?? []) (byHost[h.name] ??= []).push(h.name);
  for (const { group, host } of pl?.engines ?? []) if (TLS_ENGINES.includes(group) || group === 'seaweedfs') (byHost[host.name] ??= []).push(group);
  const namesByHost = Object.fromEntries(Object.entries(byHost).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([h, l]) => [h, [...new Set(l)].sort()]));
  const file = (name: 'ca' | 'cert' | 'key') => {
    const r = p[name];
    return { name, kind: r.kind, ref: r.ref, path: r.path, mode: name === 'key' ? '0640' : '0644' };
  };
  return { enabled: true, mtls: p.mtls, ca: p.ca.path, cert: p.cert.path, key: p.key.path, kafka_keystore: p.kafkaKeystore, files: [file('ca'), file('cert'), file('key')], names_by_host: namesByHost, definition_path: p.definitionPath };
}

const on = 'otelstack_tls.enabled | default(false)';

/** Where Debian and Ubuntu take extra CAs into the system trust (ca-certificates). */
const SYSTEM_TRUST = { dir: '/usr/local/share/ca-certificates', update: 'update-ca-certificates' } as const;

/** roles/otelstack-tls: check, own and (for vault references) write the TLS files on every host. */
export function renderTlsRole(): Map<string, string> {
  const files = new Map<string, string>();
  const dir = `roles/${TLS_ROLE}`;
  files.set(
    `${dir}/defaults/main.yml`,
    ansibleYaml({
      otelstack_tls_dir: VM_TLS_DIR,
      otelstack_tls_owner: 'root',
      otelstack_tls_group: `{{ common_user | default('${SERVICE_GROUP}') }}`,
      otelstack_tls_install_openssl: true,
      otelstack_tls_openssl_package: 'openssl',
      // the CA in the system trust: the engines (Go) verify the object store's S3 certificate with the system roots.
      // Debian / Ubuntu paths; Red Hat: /etc/pki/ca-trust/source/anchors and update-ca-trust
      otelstack_tls_system_trust_dir: SYSTEM_TRUST.dir,
      otelstack_tls_system_trust_update: SYSTEM_TRUST.update,
    }),
  );
  files.set(`${dir}/handlers/main.yml`, ansibleYaml([{ name: 'Update the system CA trust', 'ansible.builtin.command': { argv: ['{{ otelstack_tls_system_trust_update }}'] }, changed_when: true }]));
  const tasks: Obj[] = [
    { name: 'Create the TLS directory', 'ansible.builtin.file': { path: '{{ otelstack_tls_dir }}', state: 'directory', owner: '{{ otelstack_tls_owner }}', group: '{{ otelstack_tls_group }}', mode: '0750' } },
    {
      name: 'Write the TLS files given as ansible-vault variables',
      'ansible.builtin.copy': { content: "{{ lookup('ansible.builtin.vars', item.ref) }}", dest: '{{ item.path }}', owner: '{{ otelstack_tls_owner }}', group: '{{ otelstack_tls_group }}', mode: '{{ item.mode }}' },
      loop: "{{ otelstack_tls.files | selectattr('kind', 'equalto', 'vault') | list }}",
      loop_control: { label: '{{ item.name }} → {{ item.path }}' },
      no_log: true,
    },
    {
      name: 'Look for the TLS files given as paths',
      'ansible.builtin.stat': { path: '{{ item.path }}' },
      loop: "{{ otelstack_tls.files | selectattr('kind', 'equalto', 'path') | list }}",
      loop_control: { label: '{{ item.name }} {{ item.path }}' },
      register: 'otelstack_tls_stat',
    },
    {
      name: 'Every TLS file given as a path is on the host',
      'ansible.builtin.assert': {
        that: ['item.stat.exists', 'item.stat.isreg'],
        // under yamllint's 160 columns: the definition's key, the path, the host
        fail_msg: '{{ otelstack_tls.definition_path }}.{{ item.item.name }}: {{ item.item.path }} is not a file on {{ inventory_hostname }}',
        quiet: true,
      },
      loop: '{{ otelstack_tls_stat.results }}',
      loop_control: { label: '{{ item.item.name }} {{ item.item.path }}' },
    },
    {
      name: 'Owner and mode of the TLS files given as paths (the key readable by the service group only)',
      'ansible.builtin.file': { path: '{{ item.path }}', owner: '{{ otelstack_tls_owner }}', group: '{{ otelstack_tls_group }}', mode: '{{ item.mode }}' },
      loop: "{{ otelstack_tls.files | selectattr('kind', 'equalto', 'path') | list }}",
      loop_control: { label: '{{ item.name }} {{ item.path }}' },
    },
    {
      name: "Trust the environment's CA system-wide (the engines verify the object store's certificate with it)",
      'ansible.builtin.copy': { src: '{{ otelstack_tls.ca }}', remote_src: true, dest: '{{ otelstack_tls_system_trust_dir }}/otelstack-ca.crt', owner: 'root', group: 'root', mode: '0644' },
      when: 'otelstack_manage_system | default(true) | bool',
      notify: 'Update the system CA trust',
    },
    { name: 'Install openssl (the certificate check below)', 'ansible.builtin.package': { name: '{{ otelstack_tls_openssl_package }}', state: 'present' }, when: 'otelstack_tls_install_openssl | bool' },
    {
      // the peers reach this host by the service names the configs use (kafka-0, tempo, …): each must be in its certificate
      name: 'The host certificate names the services this host runs',
      'ansible.builtin.command': { argv: ['openssl', 'x509', '-noout', '-in', '{{ otelstack_tls.cert }}', '-checkhost', '{{ item }}'] },
      loop: '{{ otelstack_tls.names_by_host[inventory_hostname] | default([]) }}',
      register: 'otelstack_tls_checkhost',
      changed_when: false,
      failed_when: "otelstack_tls_checkhost.rc != 0 or ' does match certificate' not in otelstack_tls_checkhost.stdout",
    },
  ];
  // the files are looked at only where the environment has TLS (an include's condition is evaluated once, before its loops)
  files.set(`${dir}/tasks/main.yml`, ansibleYaml([{ name: 'TLS files of the host', 'ansible.builtin.include_tasks': 'tls.yml', when: on }]));
  files.set(`${dir}/tasks/tls.yml`, ansibleYaml(tasks));
  return files;
}

/**
 * server.properties lines for the listeners: SSL everywhere (clients, brokers, controllers) under TLS, the
 * plaintext listeners otherwise (KAFKA_TLS: the keys and where they come from).
 */
export function kafkaListenerLines(): string[] {
  const k = KAFKA_TLS;
  return [
    `{% if ${on} %}`,
    '# TLS between hosts (environments[].tls): clients, brokers and controllers on SSL listeners',
    `listeners=${k.listener}://{{ kafka_listen_address }}:{{ kafka_client_port }},CONTROLLER://{{ kafka_listen_address }}:{{ kafka_controller_port }}`,
    `advertised.listeners=${k.listener}://{{ kafka_advertised_host }}:{{ kafka_client_port }}`,
    'controller.listener.names=CONTROLLER',
    `listener.security.protocol.map=CONTROLLER:${k.securityProtocol},${k.listener}:${k.securityProtocol}`,
    `inter.broker.listener.name=${k.listener}`,
    `${k.keystoreType}=${k.pem}`,
    `${k.keystoreLocation}={{ otelstack_tls.kafka_keystore }}`,
    `${k.truststoreType}=${k.pem}`,
    `${k.truststoreLocation}={{ otelstack_tls.ca }}`,
    `${k.clientAuth}={{ 'required' if otelstack_tls.mtls else 'none' }}`,
    `${k.endpointIdentification}=https`,
    '{% else %}',
    'listeners=PLAINTEXT://{{ kafka_listen_address }}:{{ kafka_client_port }},CONTROLLER://{{ kafka_listen_address }}:{{ kafka_controller_port }}',
    'advertised.listeners=PLAINTEXT://{{ kafka_advertised_host }}:{{ kafka_client_port }}',
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    '{% endif %}',
  ];
}

/** Kafka's own tools (the topic tasks) against the local broker: the same stores as the broker under TLS. */
export function kafkaClientProperties(): string {
  const k = KAFKA_TLS;
  return [
    '# Rendered by otelstack (ansible target): Kafka tools (kafka-topics.sh --command-config) on this broker host.',
    `{% if ${on} %}`,
    `security.protocol=${k.securityProtocol}`,
    `${k.truststoreType}=${k.pem}`,
    `${k.truststoreLocation}={{ otelstack_tls.ca }}`,
    `${k.keystoreType}=${k.pem}`,
    `${k.keystoreLocation}={{ otelstack_tls.kafka_keystore }}`,
    `${k.endpointIdentification}=https`,
    '{% else %}',
    'security.protocol=PLAINTEXT',
    '{% endif %}',
    '',
  ].join('\n');
}

/** Where the topic tasks reach the broker: by its advertised name under TLS (its certificate names it), else 127.0.0.1. */
export const KAFKA_ADMIN_HOST = `{{ (${on}) | ternary(kafka_advertised_host, '127.0.0.1') }}`;

/**
 * The kafka role's TLS tasks before the broker starts: Kafka's PEM keystore is one file with the private key and the
 * certificate chain, assembled on the broker from the host's key and certificate (never through the controller);
 * it changes only when they do, which restarts the broker.
 */
export function kafkaTlsTasks(restart: string, group: string): Obj[] {
  return [
    {
      name: 'Assemble the Kafka PEM keystore (private key and certificate chain in one file)',
      'ansible.builtin.shell': {
        cmd: [
          'set -eu',
          'umask 027',
          'dest={{ otelstack_tls.kafka_keystore | quote }}',
          'cat {{ otelstack_tls.key | quote }} {{ otelstack_tls.cert | quote }} > "$dest.new"',
          'if cmp -s "$dest.new" "$dest"; then rm -f "$dest.new"; echo unchanged; else mv -f "$dest.new" "$dest"; echo changed; fi',
          '',
        ].join('\n'),
        executable: '/bin/bash',
      },
      register: 'kafka_tls_keystore',
      changed_when: "kafka_tls_keystore.stdout == 'changed'",
      when: on,
      notify: restart,
    },
    {
      name: 'Owner and mode of the Kafka keystore',
      'ansible.builtin.file': { path: '{{ otelstack_tls.kafka_keystore }}', owner: 'root', group, mode: '0640' },
      when: on,
    },
  ];
}

/** The README lines about TLS for the rendered ansible/ directory (the same for every environment: its inventory's otelstack_tls says what it has). */
export function tlsReadme(): string[] {
  return [
    'TLS between hosts (environments[].tls → `otelstack_tls` in each inventory): the collectors\' OTLP receivers, Kafka',
    '(clients, brokers, controllers), Tempo\'s OTLP receivers and the HTTP servers of Tempo, Mimir and Loki (and their clients:',
    'collectors, Grafana, health checks) use the CA, each host\'s certificate and its key; with `mtls` the servers require a client',
    'certificate from the CA. Files given as paths must be on every host at that path (the otelstack-tls role checks them and',
    'sets owner and mode); files given as ansible-vault variables (per host in host_vars for cert and key) are written under',
    '`/etc/otelstack/tls/`. Each host\'s certificate must name (DNS SANs) the service names the configs use for what runs on it',
    '(`otelstack_tls.names_by_host`: kafka-0, tempo, …; the role checks them); the key must be PKCS#8 and unencrypted for Kafka.',
    '',
  ];
}

/**
 * The health check of an engine whose HTTP server takes TLS between VMs (Tempo, Mimir, Loki): plain
 * http://127.0.0.1 without TLS, as every role; with it https:// by the engine's service name (what its certificate
 * names; the common role resolves it to this host), verified with the CA, the host certificate presented under mtls.
 */
export function engineReadyTask(o: { engine: string; title: string; prefix: string; port: string; path: string }): Obj {
  const url = `{{ ('https://${o.engine}' if (${on}) else 'http://127.0.0.1') }}:${o.port}${o.path}`;
  const mtls = `(${on}) and (otelstack_tls.mtls | default(false))`;
  return {
    name: `Wait until ${o.title} is ready`,
    'ansible.builtin.uri': {
      url,
      status_code: 200,
      ca_path: `{{ otelstack_tls.ca if (${on}) else omit }}`,
      client_cert: `{{ otelstack_tls.cert if ${mtls} else omit }}`,
      client_key: `{{ otelstack_tls.key if ${mtls} else omit }}`,
    },
    register: `${o.prefix}_ready`,
    until: `${o.prefix}_ready.status == 200`,
    retries: `{{ ${o.prefix}_ready_retries }}`,
    delay: `{{ ${o.prefix}_ready_delay }}`,
  };
}
