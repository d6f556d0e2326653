/**
 * The ansible target's HAProxy on each gateway host (seed 003 level 3; src/topology/vm-faro-proxy.ts decides where
 * and on which ports): the role roles/haproxy (the distribution's package and unit, the environment's config placed
 * from files/<env>/haproxy.cfg after `haproxy -c`, reloaded on change), the config itself — haproxyConfig, the
 * compose load balancer's function, with the tenants' Faro frontends only — and the gateway collector's placement
 * behind it (its tenant receivers on 127.0.0.1 at their backend ports, plaintext).
 */
import { CATALOG } from '../../catalog/index.js';
import { HAPROXY, HAPROXY_DISTRO, HAPROXY_METRICS } from '../../catalog/support.js';
import type { Stack } from '../../model/schema.js';
import { LOOPBACK_HOST } from '../../topology/loopback.js';
import type { Topology } from '../../topology/types.js';
import { VM_HAPROXY_PEM, type VmFaroProxyPlan } from '../../topology/vm-faro-proxy.js';
import { haproxyConfig, haproxyTenants, type HaproxyPlacement, type HaproxyServer } from '../compose/haproxy.js';
import type { CollectorPlacement } from '../configs/otelcol.js';
import { MANAGE_SYSTEM } from './roles.js';
import { ansibleYaml } from './yaml.js';

type Obj = Record<string, unknown>;
export const HAPROXY_ROLE = 'haproxy';
const p = 'haproxy';
const j = (expr: string) => `{{ ${expr} }}`;
const ROOT = "{{ otelstack_root | default('') }}";
const TLS_ON = 'otelstack_tls.enabled | default(false)';
const RELOAD = 'Reload HAProxy';

/** The gateway collector behind the host's HAProxy: its tenant receivers on loopback, at their backend ports, plaintext. */
export function vmCollectorPlacement(plan: VmFaroProxyPlan | undefined): CollectorPlacement {
  return plan ? { tenantPorts: Object.fromEntries(plan.tenants.map((x) => [x.name, x.backendPort])), tenantListen: { host: LOOPBACK_HOST, tls: false } } : {};
}

/** Where a test runs the same config (its own loopback ports and PEM); a VM takes every default. */
export interface VmHaproxyOverrides {
  readonly bindHost?: string;
  readonly ports?: HaproxyPlacement['ports'];
  /** frontends by tenant name */
  readonly tenantPorts?: Readonly<Record<string, number>>;
  /** the collector's health port and its tenants' receiver ports by tenant name */
  readonly backend?: { readonly health: number; readonly tenantPorts: Readonly<Record<string, number>> };
  readonly crt?: string;
  /** leave out global user / group (a test not running as root) */
  readonly runAsRoot?: boolean;
}

/**
 * The haproxy.cfg of one environment's gateway hosts: the tenants' Faro frontends on every interface (over TLS with
 * the host's PEM under TLS between VMs) with their rate limits, each in front of the collector on 127.0.0.1; the
 * monitor frontend (liveness, and the Prometheus exporter counting the refusals) on every interface; the runtime API
 * on loopback only; no OTLP frontends (the collector takes OTLP itself) and no DNS (the server is an address).
 */
export function vmHaproxyConfig(t: Topology, plan: VmFaroProxyPlan, o: VmHaproxyOverrides = {}): string {
  const c = CATALOG.otelcol.ports;
  const server: HaproxyServer = {
    name: 'otelcol',
    host: LOOPBACK_HOST,
    otlpGrpc: c['otlpGrpc']!,
    otlpHttp: c['otlpHttp']!,
    health: o.backend?.health ?? c['health']!,
    tenantPorts: o.backend?.tenantPorts ?? Object.fromEntries(plan.tenants.map((x) => [x.name, x.backendPort])),
  };
  const served = new Set(plan.tenants.map((x) => x.name));
  return haproxyConfig(
    [server],
    {
      header: `# HAProxy on each ${t.env.name} gateway host, in front of the tenants' Faro receivers of its collector — rendered by otelstack.`,
      otlp: false,
      resolvers: false,
      bindHost: o.bindHost ?? '',
      runtimeApiHost: LOOPBACK_HOST,
      ...(o.ports ? { ports: o.ports } : {}),
      ...(o.tenantPorts ? { tenantPorts: o.tenantPorts } : {}),
      ...(plan.tls ? { tenantTls: { crt: o.crt ?? VM_HAPROXY_PEM, minVersion: HAPROXY_DISTRO.tlsMinVersion } } : {}),
      ...(o.runAsRoot ? {} : { runAs: { user: HAPROXY_DISTRO.user, group: HAPROXY_DISTRO.group } }),
    },
    haproxyTenants((t.tenants ?? []).filter((tn) => served.has(tn.name))),
  );
}

/** The gateway group's vars for the role (only where the environment has the plan). */
export function haproxyInventoryVars(plan: VmFaroProxyPlan | undefined): Obj {
  return plan ? { haproxy_enabled: true, haproxy_tenant_ports: plan.tenants.map((x) => x.port) } : {};
}

/**
 * Whether some ansible environment of the stack may serve tenants through the OpenTelemetry Collector: the gateway
 * play then runs the haproxy role (one playbook for every environment; an environment without the plan has
 * haproxy_enabled false, and the role does nothing there).
 */
export function stackUsesVmHaproxy(stack: Stack): boolean {
  if (stack.ingestion?.collector !== 'otelcol') return false;
  const tenants = Object.values(stack.tenants ?? {});
  return stack.environments.some((e) => e.target === 'ansible' && tenants.some((d) => !d.environments || d.environments.includes(e.name)));
}

/** roles/haproxy: the same for every environment; what an environment decided is in its inventory and files/<env>/. */
export function renderHaproxyRole(): Map<string, string> {
  const files = new Map<string, string>();
  const dir = `roles/${HAPROXY_ROLE}`;
  files.set(
    `${dir}/defaults/main.yml`,
    ansibleYaml({
      [`${p}_enabled`]: false,
      [`${p}_package`]: HAPROXY_DISTRO.package,
      [`${p}_service`]: HAPROXY_DISTRO.service,
      // the environment's config (roles/haproxy/files/<env>/haproxy.cfg); a site may point one host at another file
      [`${p}_config_src`]: '{{ otelstack_env }}/haproxy.cfg',
      [`${p}_config`]: `${ROOT}${HAPROXY_DISTRO.configPath}`,
      // TLS for the browsers: the host certificate by default; a site serving browsers a publicly trusted certificate
      // for the tenants' hosts points these at it (the PEM the config names is assembled from them)
      [`${p}_tls_cert`]: '{{ otelstack_tls.cert }}',
      [`${p}_tls_key`]: '{{ otelstack_tls.key }}',
      [`${p}_monitor_port`]: HAPROXY.ports.monitor,
      [`${p}_tenant_ports`]: [],
      [`${p}_ready_retries`]: 30,
      [`${p}_ready_delay`]: 2,
    }),
  );
  const tasks: Obj[] = [
    { name: 'Install HAProxy', 'ansible.builtin.package': { name: j(`${p}_package`), state: 'present' }, when: MANAGE_SYSTEM },
    {
      // HAProxy reads a certificate and its key from ONE PEM (catalog HAPROXY_DISTRO), assembled on the host (never
      // through the controller); it changes only when they do, which reloads HAProxy
      name: "Assemble HAProxy's TLS PEM (the certificate, then its key)",
      'ansible.builtin.shell': {
        cmd: [
          'set -eu',
          'umask 077',
          `dest=${VM_HAPROXY_PEM}`,
          `cat {{ ${p}_tls_cert | quote }} {{ ${p}_tls_key | quote }} > "$dest.new"`,
          'if cmp -s "$dest.new" "$dest"; then rm -f "$dest.new"; echo unchanged; else mv -f "$dest.new" "$dest"; echo changed; fi',
          '',
        ].join('\n'),
        executable: '/bin/bash',
      },
      register: `${p}_tls_pem`,
      changed_when: `${p}_tls_pem.stdout == 'changed'`,
      when: TLS_ON,
      notify: RELOAD,
    },
    { name: "Owner and mode of HAProxy's TLS PEM (root only: the master process reads it)", 'ansible.builtin.file': { path: VM_HAPROXY_PEM, owner: 'root', group: 'root', mode: '0600' }, when: TLS_ON },
    {
      name: 'Place the HAProxy config (checked by haproxy -c first)',
      'ansible.builtin.copy': { src: j(`${p}_config_src`), dest: j(`${p}_config`), owner: 'root', group: 'root', mode: '0644', validate: HAPROXY_DISTRO.checkCommand },
      notify: RELOAD,
    },
    { name: 'Enable and start HAProxy', 'ansible.builtin.systemd_service': { name: j(`${p}_service`), enabled: true, state: 'started' }, when: MANAGE_SYSTEM },
    { name: 'Apply a pending reload before the health check', 'ansible.builtin.meta': 'flush_handlers' },
    {
      name: "Wait until HAProxy's monitor answers",
      'ansible.builtin.uri': { url: `http://127.0.0.1:${j(`${p}_monitor_port`)}${HAPROXY.monitorUri}`, status_code: 200 },
      register: `${p}_ready`,
      until: `${p}_ready.status == 200`,
      retries: j(`${p}_ready_retries`),
      delay: j(`${p}_ready_delay`),
      when: MANAGE_SYSTEM,
    },
    {
      name: "Wait until each tenant's Faro frontend accepts connections",
      'ansible.builtin.wait_for': { host: '127.0.0.1', port: '{{ item }}', timeout: 60 },
      loop: j(`${p}_tenant_ports`),
      when: MANAGE_SYSTEM,
    },
  ];
  // the whole role only where the environment has tenants behind it (an include's condition is evaluated once)
  files.set(`${dir}/tasks/main.yml`, ansibleYaml([{ name: "HAProxy in front of the tenants' Faro receivers", 'ansible.builtin.include_tasks': 'haproxy.yml', when: `${p}_enabled | bool` }]));
  files.set(`${dir}/tasks/haproxy.yml`, ansibleYaml(tasks));
  // the package's unit checks the config and reloads seamlessly (catalog HAPROXY_DISTRO); started if it is not running
  files.set(`${dir}/handlers/main.yml`, ansibleYaml([{ name: RELOAD, 'ansible.builtin.systemd_service': { name: j(`${p}_service`), state: 'reloaded' }, when: MANAGE_SYSTEM }]));
  return files;
}

/** README lines for the rendered ansible/ directory where the gateway play runs the role. */
export function haproxyReadme(): string[] {
  return [
    "Tenants (seed 003): on each gateway host HAProxy (the distribution's package, role `haproxy`) takes every tenant's Faro",
    "port on all interfaces, refuses with 429 what is above the tenant's `rateLimit` (Retry-After, and CORS for its origins),",
    "and passes the rest to the collector on the same host, whose tenant receivers listen on 127.0.0.1 only (the port",
    `+ the catalog's backend offset). Each host counts on its own: spread over N gateway hosts a tenant gets up to N × its`,
    `rate. The refusals are counted in \`${HAPROXY_METRICS.frontendRequestsDenied}\` on \`:${HAPROXY.ports.monitor}${HAPROXY_METRICS.path}\` of each gateway host`,
    '(plaintext, for the scraper you run). With TLS between hosts HAProxy serves the tenants\' ports over TLS with the host',
    'certificate (no client certificate: browsers have none); set `haproxy_tls_cert` / `haproxy_tls_key` to a certificate the',
    "browsers trust for the tenants' hosts.",
    '',
  ];
}
