/**
 * Grafana Alloy configuration (Alloy's own syntax) for the collection layer of seed 000's Kubernetes path.
 *
 * Written for the Alloy pinned in src/catalog/versions.json (engines.alloy, 1.12.0) from the Alloy v1.12 reference:
 *  - otelcol.receiver.otlp: `grpc { endpoint }`, `http { endpoint }`, `output { metrics, logs, traces }`;
 *  - otelcol.processor.memory_limiter: `check_interval` (required), `limit`, `spike_limit` (absolute values, never
 *    percentages of a container limit the resource policy may not set); otelcol.processor.batch;
 *  - routing by namespace: Alloy 1.12 has neither `otelcol.connector.routing` nor `otelcol.processor.routing`, so
 *    the batch output fans out to one `otelcol.processor.filter` per environment, each dropping (OTTL, raw strings)
 *    what does not carry its namespace in the resource attribute k8s.namespace.name;
 *  - otelcol.exporter.otlp (gRPC) per environment's Tempo: `client { endpoint = host:port, headers, tls { insecure } }`,
 *    `sending_queue { enabled, queue_size, storage }` (storage = an otelcol.storage.file handler: persistent queue),
 *    `retry_on_failure { initial_interval, max_interval, max_elapsed_time }` ("0s" = retry forever);
 *  - metrics: otelcol.exporter.prometheus → prometheus.remote_write per environment's Mimir
 *    (`endpoint { url, headers }`); prometheus.relabel per environment (`rule { source_labels, regex, action }`) for
 *    the metrics the existing scrape components collect;
 *  - faro.receiver: `server { listen_address, listen_port, cors_allowed_origins, rate_limiting { enabled, strategy,
 *    rate, burst_size } }`, `output { logs, traces }`;
 *  - self-monitoring and profiles (alloy-self-monitoring.ts): the stack's pods, the kubelets and Alloy itself scraped
 *    into each environment's metrics engine; pyroscope.receive_http → pyroscope.write per environment's Pyroscope;
 *  - logs: rendered only for a managed Loki (otelcol.exporter.otlphttp to its OTLP endpoint). An unmanaged Loki
 *    (seed 000: already deployed, its forwarding already configured in this Alloy) gets nothing — the file says so.
 *
 * The file is built as a typed tree (alloy-syntax.ts) and serialised once. Every component label starts with
 * "otelstack" and no singleton block (logging, tracing, http, remotecfg) is set, so the text can be appended to an
 * existing Alloy configuration (Alloy evaluates blocks regardless of their order).
 */
import { ALLOY_COMPONENTS as C, ALLOY_EXPORTS as X, K8S_NAMESPACE_ATTRIBUTE, SCRAPED_NAMESPACE_LABEL } from '../../catalog/alloy.js';
import { CATALOG } from '../../catalog/index.js';
import type { Stack } from '../../model/schema.js';
import type { Finding } from '../../plan/findings.js';
import { collectorMemory } from '../../topology/collector-memory.js';
import type { EngineDeployment, TenantPlan, Topology } from '../../topology/types.js';
import type { FileSet } from '../fileset.js';
import type { RenderResult } from '../types.js';
import { CANARY_PORT_NAME } from '../../catalog/canary.js';
import { profilesBasePort, profilesNodes, scrapedEngines, selfMonitoringNodes, type ProfilesRoute, type ScrapedEngine, type SelfMonitoringRoute } from './alloy-self-monitoring.js';
import {
  type AlloyExpr,
  type AlloyFile,
  type AlloyNode,
  attr,
  block,
  bool,
  comment,
  component,
  formatAlloy,
  list,
  num,
  raw,
  str,
  stringMap,
  toIdentifier,
} from './alloy-syntax.js';
import { DSKIT_TENANT_HEADER } from '../../catalog/dskit.js';

const RULE = 'render-alloy';
export const LABEL_PREFIX = 'otelstack';

/** One environment served by an Alloy configuration, with its backends. */
export interface AlloyRoute {
  env: string;
  namespace: string;
  traces?: EngineDeployment;
  metrics?: EngineDeployment;
  logs?: EngineDeployment;
  /** Faro receiver of this environment, when Faro is enabled */
  faro?: { port: number; allowedOrigins: string[]; rateLimit?: { rate: number; burst: number } };
  /** the environment's tenants (seed 003): each gets its own faro.receiver, rate limit and tenant-id exporters */
  tenants: TenantPlan[];
  /** the environment's Pyroscope (managed or not) and the port of its profiles receiver */
  profiles?: { engine: EngineDeployment; port: number };
  /** managed engines whose pods this Alloy scrapes (self-monitoring), when the environment has a metrics engine */
  scraped: ScrapedEngine[];
  /** the environment's canary pod, scraped with the engines */
  canary?: { name: string; port: string };
}

/** What one Alloy configuration serves: every environment (by-namespace) or one (per-environment). */
export interface AlloyScope {
  routing: 'by-namespace' | 'per-environment';
  routes: AlloyRoute[];
  /** the environment whose collector pool sizes the memory limiter */
  sizing: Topology;
  /** one Alloy pod per node (an Alloy DaemonSet otelstack deploys): each pod scrapes its own node */
  nodeLocal: boolean;
  /** an Alloy otelstack deploys (ingestion.shared: false): its own metrics carry the environment's namespace */
  owned: boolean;
}

function sortedBy<T>(xs: T[], key: (x: T) => string): T[] {
  return [...xs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Environments an Alloy serves: kubernetes environments whose topology has an (Alloy) collection layer. */
export function alloyTopologies(topologies: Topology[]): Topology[] {
  return [...topologies].filter((t) => t.env.target === 'kubernetes' && t.ingestion?.collector === 'alloy').sort((a, b) => a.env.index - b.env.index);
}

/**
 * The scopes (one configuration each) for a stack: one shared scope for by-namespace routing, else one per
 * environment. `findings` receives problems of the definition the configuration cannot express.
 */
export function alloyScopes(stack: Stack, topologies: Topology[], findings: Finding[] = []): AlloyScope[] {
  const ing = stack.ingestion;
  const served = alloyTopologies(topologies);
  if (!ing || ing.collector !== 'alloy' || served.length === 0) return [];
  const faroBase = ing.faro?.port ?? CATALOG.alloy.ports['faro']!;
  const faroOn = ing.faro?.enabled ?? false;
  const limitsUsed = new Set<number>();
  const route = (t: Topology, i: number): AlloyRoute => {
    const by = (s: string) => t.engines.find((e) => e.signal === s);
    const metrics = by('metrics');
    const r: AlloyRoute = { env: t.env.name, namespace: t.env.namespace, tenants: t.tenants ?? [], scraped: metrics ? scrapedEngines(t) : [], ...(metrics && t.canary ? { canary: { name: t.canary.name, port: CANARY_PORT_NAME } } : {}) };
    const traces = by('traces');
    const logs = by('logs');
    const profiles = by('profiles');
    if (traces) r.traces = traces;
    if (metrics) r.metrics = metrics;
    if (logs) r.logs = logs;
    if (profiles) r.profiles = { engine: profiles, port: profilesBasePort() + i };
    if (faroOn) {
      // per-tenant limits (seed 003): a tenant is an environment's X-Scope-OrgID, or its name
      const li = ing.rateLimits.findIndex((l) => l.tenant === (traces?.tenant ?? metrics?.tenant) || l.tenant === t.env.name);
      const l = li >= 0 ? ing.rateLimits[li] : undefined;
      if (li >= 0) limitsUsed.add(li);
      // the same allowed origins as the OpenTelemetry Collector's receiver (topology: ingestion.faro.allowedOrigins)
      r.faro = { port: faroBase + i, allowedOrigins: t.ingestion?.faro?.allowedOrigins ?? [], ...(l ? { rateLimit: { rate: l.requestsPerSecond, burst: l.burst ?? Math.ceil(l.requestsPerSecond * 2) } } : {}) };
    }
    return r;
  };
  const owned = !ing.shared;
  // an Alloy otelstack deploys runs as its (first) environment's controller; a shared one's is not known
  const nodeLocal = (env: string) => owned && ing.environments[env]?.controller === 'daemonset';
  let scopes: AlloyScope[];
  if (ing.routing === 'by-namespace') {
    scopes = [{ routing: 'by-namespace', routes: served.map(route), sizing: served[0]!, nodeLocal: nodeLocal(served[0]!.env.name), owned }];
  } else {
    scopes = served.map((t) => ({ routing: 'per-environment' as const, routes: [route(t, 0)], sizing: t, nodeLocal: nodeLocal(t.env.name), owned }));
  }
  if (ing.rateLimits.length > 0 && !faroOn) {
    findings.push({ severity: 'warning', rule: RULE, path: 'ingestion.rateLimits', message: 'per-tenant rate limits apply to Faro receivers only, and Faro is not enabled: they are not rendered (Alloy 1.12 has no rate-limiting component for OTLP)', suggestion: 'set ingestion.faro.enabled: true, or limit OTLP traffic in front of Alloy (ingress / gateway rate limits, seed 003)' });
  } else if (faroOn) {
    ing.rateLimits.forEach((l, i) => {
      if (!limitsUsed.has(i)) findings.push({ severity: 'error', rule: RULE, path: `ingestion.rateLimits[${i}].tenant`, message: `tenant "${l.tenant}" is neither the tenant nor the name of an environment this Alloy serves`, suggestion: `use one of: ${served.map((t) => t.env.name).join(', ')}` });
    });
  }
  // a shared Alloy serving one tenant in two environments would listen twice on the tenant's port
  for (const scope of scopes) {
    const seen = new Map<string, string>();
    for (const r of scope.routes) {
      for (const tn of r.tenants) {
        const twin = seen.get(tn.name);
        if (twin !== undefined) findings.push({ severity: 'error', rule: RULE, env: r.env, path: `${tn.definitionPath}.environments`, message: `tenant ${tn.name} is served by ${twin} and ${r.env}, both through the one shared Alloy (routing by-namespace): its Faro receiver would listen twice on port ${tn.faroPort}`, suggestion: `list one of the environments in ${tn.definitionPath}.environments, or use ingestion.routing: per-environment` });
        else seen.set(tn.name, r.env);
      }
    }
  }
  const names = new Set<string>();
  for (const t of served) {
    const id = toIdentifier(t.env.name);
    if (names.has(id)) findings.push({ severity: 'error', rule: RULE, env: t.env.name, path: 'environments', message: `environment names collide once made Alloy identifiers (${id})`, suggestion: 'rename one of the environments' });
    names.add(id);
  }
  return scopes;
}

function hostPort(url: string): string {
  return url.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
}

const label = (...parts: string[]) => [LABEL_PREFIX, ...parts].map(toIdentifier).join('_');

function tenantHeaders(e: EngineDeployment): AlloyExpr | undefined {
  return e.tenant ? stringMap({ [DSKIT_TENANT_HEADER]: e.tenant }) : undefined;
}

/** Outputs per signal; a signal without consumers is left out (the component then does not accept it). */
function output(signals: { metrics?: AlloyExpr[]; logs?: AlloyExpr[]; traces?: AlloyExpr[] }): AlloyNode {
  const body: AlloyNode[] = [];
  for (const s of ['metrics', 'logs', 'traces'] as const) {
    const xs = signals[s];
    if (xs && xs.length) body.push(attr(s, list(xs)));
  }
  return block('output', body);
}

/** OTTL conditions (raw strings) that drop everything not from `namespace`. */
function notFrom(namespace: string): AlloyExpr {
  return raw(`resource.attributes["${K8S_NAMESPACE_ATTRIBUTE}"] != "${namespace.replace(/["\\]/g, '')}"`);
}

/** Per environment: where each signal enters its backend path. */
interface RouteInputs {
  traces?: AlloyExpr;
  metrics?: AlloyExpr;
  logs?: AlloyExpr;
  /** scraped series: the remote_write receiver, and the namespace-keeping relabel in front of it (by-namespace) */
  remoteWrite?: AlloyExpr;
  scraped?: AlloyExpr;
}

/** The Alloy configuration of one scope, as a typed tree. */
export function alloyConfigFile(stack: Stack, scope: AlloyScope, findings: Finding[] = []): AlloyFile {
  const ing = stack.ingestion!;
  const gw = scope.sizing.components.find((c) => c.engine === 'alloy' && c.component === 'gateway');
  const mem = gw ? collectorMemory(gw.perReplica) : undefined;
  const ports = CATALOG.alloy.ports;
  const pq = ing.persistentQueue;
  const byNs = scope.routing === 'by-namespace';

  const nodes: AlloyNode[] = [];
  const storage = pq.enabled ? component(C.fileStorage, label('queue'), [attr('fsync', bool(pq.fsync))]) : undefined;

  const queueAndRetry = (): AlloyNode[] => [
    block('sending_queue', [
      attr('enabled', bool(true)),
      attr('queue_size', num(pq.queueSize)),
      storage && attr('storage', storage.export(X.storageHandler)),
    ]),
    block('retry_on_failure', [
      attr('enabled', bool(true)),
      attr('initial_interval', str(ing.retry.initialInterval)),
      attr('max_interval', str(ing.retry.maxInterval)),
      attr('max_elapsed_time', str(ing.retry.maxElapsedTime)),
    ]),
  ];

  // backends, per environment
  const inputsByEnv = new Map<string, RouteInputs>();
  const backendNodes: AlloyNode[] = [];
  for (const r of scope.routes) {
    const inputs: RouteInputs = {};
    const envNodes: AlloyNode[] = [];
    if (r.traces) {
      const push = r.traces.endpoints.push;
      if (!push) findings.push({ severity: 'error', rule: RULE, env: r.env, path: r.traces.definitionPath, message: `${r.traces.title} has no push endpoint`, suggestion: 'use an engine the catalog knows a push endpoint for' });
      else {
        const exp = component(C.otlpExporter, label(r.traces.engine, r.env), [
          block('client', [
            attr('endpoint', str(hostPort(push))),
            tenantHeaders(r.traces) && attr('headers', tenantHeaders(r.traces)!),
            block('tls', [attr('insecure', bool(push.startsWith('http://')))]),
          ]),
          ...queueAndRetry(),
        ]);
        envNodes.push(exp.block);
        inputs.traces = exp.export(X.consumer);
      }
    }
    if (r.metrics) {
      const push = r.metrics.endpoints.push;
      if (!push) findings.push({ severity: 'error', rule: RULE, env: r.env, path: r.metrics.definitionPath, message: `${r.metrics.title} has no push endpoint`, suggestion: 'use an engine the catalog knows a push endpoint for' });
      else {
        const rw = component(C.remoteWrite, label(r.metrics.engine, r.env), [
          block('endpoint', [attr('url', str(push)), tenantHeaders(r.metrics) && attr('headers', tenantHeaders(r.metrics)!)]),
        ]);
        const conv = component(C.prometheusExporter, label(r.metrics.engine, r.env), [attr('forward_to', list([rw.export(X.receiver)]))]);
        envNodes.push(conv.block, rw.block);
        inputs.metrics = conv.export(X.consumer);
        inputs.remoteWrite = rw.export(X.receiver);
        inputs.scraped = rw.export(X.receiver);
        if (byNs) {
          const relabel = component(C.relabel, label('scraped', r.env), [
            attr('forward_to', list([rw.export(X.receiver)])),
            block('rule', [attr('source_labels', list([str(SCRAPED_NAMESPACE_LABEL)])), attr('regex', str(r.namespace.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))), attr('action', str('keep'))]),
          ]);
          envNodes.push(
            comment(`Scraped metrics of ${r.namespace} → ${r.metrics.title} (${r.env}): point the existing scrape components' forward_to at`, `prometheus.relabel.${label('scraped', r.env)}.receiver (every environment's relabel keeps only its namespace).`),
            relabel.block,
          );
          inputs.scraped = relabel.export(X.receiver);
        }
      }
    }
    if (r.logs && r.logs.managed) {
      const push = r.logs.endpoints.push;
      if (push) {
        const exp = component(C.otlpHttpExporter, label(r.logs.engine, r.env), [
          block('client', [attr('endpoint', str(push)), tenantHeaders(r.logs) && attr('headers', tenantHeaders(r.logs)!)]),
          ...queueAndRetry(),
        ]);
        envNodes.push(exp.block);
        inputs.logs = exp.export(X.consumer);
      }
    }
    inputsByEnv.set(r.env, inputs);
    if (envNodes.length) backendNodes.push(comment(`── ${r.env} (namespace ${r.namespace}) ──`), ...envNodes);
  }

  // routing: one filter per environment (by-namespace), or straight to the one environment's exporters
  const routeInputs: { traces: AlloyExpr[]; metrics: AlloyExpr[]; logs: AlloyExpr[] } = { traces: [], metrics: [], logs: [] };
  const filters: AlloyNode[] = [];
  for (const r of scope.routes) {
    const i = inputsByEnv.get(r.env)!;
    if (!byNs) {
      if (i.traces) routeInputs.traces.push(i.traces);
      if (i.metrics) routeInputs.metrics.push(i.metrics);
      if (i.logs) routeInputs.logs.push(i.logs);
      continue;
    }
    if (!i.traces && !i.metrics && !i.logs) continue;
    const cond = notFrom(r.namespace);
    const f = component(C.filter, label(r.env), [
      attr('error_mode', str('ignore')),
      i.traces && block('traces', [attr('span', list([cond]))]),
      i.metrics && block('metrics', [attr('metric', list([cond]))]),
      i.logs && block('logs', [attr('log_record', list([cond]))]),
      output({ ...(i.traces ? { traces: [i.traces] } : {}), ...(i.metrics ? { metrics: [i.metrics] } : {}), ...(i.logs ? { logs: [i.logs] } : {}) }),
    ]);
    filters.push(f.block);
    if (i.traces) routeInputs.traces.push(f.export(X.consumer));
    if (i.metrics) routeInputs.metrics.push(f.export(X.consumer));
    if (i.logs) routeInputs.logs.push(f.export(X.consumer));
  }

  const batch = component(C.batch, label(), [output(routeInputs)]);
  const limiter = component(C.memoryLimiter, label(), [
    attr('check_interval', str('1s')),
    mem && attr('limit', str(`${mem.limitMib}MiB`)),
    mem && attr('spike_limit', str(`${mem.spikeLimitMib}MiB`)),
    output({
      ...(routeInputs.metrics.length ? { metrics: [batch.export(X.consumer)] } : {}),
      ...(routeInputs.logs.length ? { logs: [batch.export(X.consumer)] } : {}),
      ...(routeInputs.traces.length ? { traces: [batch.export(X.consumer)] } : {}),
    }),
  ]);
  const receiver = component(C.otlpReceiver, label(), [
    block('grpc', [attr('endpoint', str(`0.0.0.0:${ports['otlpGrpc']}`))]),
    block('http', [attr('endpoint', str(`0.0.0.0:${ports['otlpHttp']}`))]),
    output({
      ...(routeInputs.metrics.length ? { metrics: [limiter.export(X.consumer)] } : {}),
      ...(routeInputs.logs.length ? { logs: [limiter.export(X.consumer)] } : {}),
      ...(routeInputs.traces.length ? { traces: [limiter.export(X.consumer)] } : {}),
    }),
  ]);

  nodes.push(
    comment(`OTLP in: gRPC :${ports['otlpGrpc']}, HTTP :${ports['otlpHttp']} → memory limiter → batch → ${byNs ? `one filter per environment (by ${K8S_NAMESPACE_ATTRIBUTE})` : 'the exporters'}.`),
    receiver.block,
    limiter.block,
    batch.block,
  );
  if (storage) nodes.push(comment('Persistent sending queues (under Alloy\'s --storage.path): data accepted but not yet sent survives a restart.'), storage.block);
  if (filters.length) {
    nodes.push(comment(`Routing by namespace: each filter drops what is not from its environment's namespace; data from any other namespace is dropped.`), ...filters);
  }
  nodes.push(...backendNodes);

  // Faro receivers, one per environment (per-tenant rate limits, seed 003)
  for (const r of scope.routes) {
    if (!r.faro) continue;
    const i = inputsByEnv.get(r.env)!;
    const logsOut: AlloyExpr[] = [];
    if (i.logs) {
      const lr = component(C.lokiReceiver, label('faro', r.env), [output({ logs: [i.logs] })]);
      nodes.push(lr.block);
      logsOut.push(lr.export(X.receiver));
    }
    const faro = component(C.faroReceiver, label(r.env), [
      block('server', [
        attr('listen_address', str('0.0.0.0')),
        attr('listen_port', num(r.faro.port)),
        attr('cors_allowed_origins', list(r.faro.allowedOrigins.map(str))),
        r.faro.rateLimit &&
          block('rate_limiting', [attr('enabled', bool(true)), attr('strategy', str('global')), attr('rate', num(r.faro.rateLimit.rate)), attr('burst_size', num(r.faro.rateLimit.burst))]),
      ]),
      output({ ...(logsOut.length ? { logs: logsOut } : {}), ...(i.traces ? { traces: [i.traces] } : {}) }),
    ]);
    nodes.push(
      comment(
        `Faro (browser RUM) for ${r.env} on :${r.faro.port}${r.faro.rateLimit ? `, limited to ${r.faro.rateLimit.rate} requests/s (burst ${r.faro.rateLimit.burst})` : ''}; browser traces carry no namespace, so they go straight to ${r.env}'s exporter.`,
        ...(i.logs ? [] : ["Faro logs are not forwarded here: Loki is not managed by otelstack — add the existing loki.write receiver to output.logs if wanted."]),
        r.faro.allowedOrigins.includes('*')
          ? 'cors_allowed_origins is "*": any site can post telemetry here (plan rule faro-cors); narrow it to the applications\' origins.'
          : r.faro.allowedOrigins.length === 0
            ? 'cors_allowed_origins is empty: browsers refuse to send from any page (plan rule faro-cors); list the applications\' origins.'
            : `Browsers may send from: ${r.faro.allowedOrigins.join(', ')} (ingestion.faro.allowedOrigins).`,
      ),
      faro.block,
    );
  }

  // tenants' Faro receivers (seed 003): each on its own port, CORS for the tenant's origins, rate limited (level 3),
  // and writing with the tenant's X-Scope-OrgID through exporters of their own (same endpoints, queues and retries)
  for (const r of scope.routes) {
    for (const tn of r.tenants) {
      const header = stringMap({ [DSKIT_TENANT_HEADER]: tn.id });
      let traces: AlloyExpr | undefined;
      let logs: AlloyExpr | undefined;
      const tenantNodes: AlloyNode[] = [];
      const push = r.traces?.endpoints.push;
      if (r.traces && push) {
        const exp = component(C.otlpExporter, label(r.traces.engine, r.env, 'tenant', tn.name), [
          block('client', [attr('endpoint', str(hostPort(push))), attr('headers', header), block('tls', [attr('insecure', bool(push.startsWith('http://')))])]),
          ...queueAndRetry(),
        ]);
        tenantNodes.push(exp.block);
        traces = exp.export(X.consumer);
      }
      const logsPush = r.logs?.managed ? r.logs.endpoints.push : undefined;
      if (r.logs && logsPush) {
        const exp = component(C.otlpHttpExporter, label(r.logs.engine, r.env, 'tenant', tn.name), [block('client', [attr('endpoint', str(logsPush)), attr('headers', header)]), ...queueAndRetry()]);
        const lr = component(C.lokiReceiver, label('faro', r.env, 'tenant', tn.name), [output({ logs: [exp.export(X.consumer)] })]);
        tenantNodes.push(exp.block, lr.block);
        logs = lr.export(X.receiver);
      }
      if (!traces && !logs) {
        findings.push({ severity: 'warning', rule: RULE, env: r.env, path: tn.definitionPath, message: `tenant ${tn.name} gets no Faro receiver in ${r.env}: neither a traces engine nor a managed Loki to send to`, suggestion: 'add a traces engine, or a managed Loki, to the environment' });
        continue;
      }
      const l = tn.rateLimit;
      const faro = component(C.faroReceiver, label(r.env, 'tenant', tn.name), [
        block('server', [
          attr('listen_address', str('0.0.0.0')),
          attr('listen_port', num(tn.faroPort)),
          attr('cors_allowed_origins', list(tn.origins.map(str))),
          block('rate_limiting', [attr('enabled', bool(true)), attr('strategy', str('global')), attr('rate', num(l.perSecond)), attr('burst_size', num(l.burst))]),
        ]),
        output({ ...(logs ? { logs: [logs] } : {}), ...(traces ? { traces: [traces] } : {}) }),
      ]);
      nodes.push(
        comment(
          `Tenant ${tn.name} (X-Scope-OrgID ${tn.id}) in ${r.env}: Faro on :${tn.faroPort}, limited to ${l.perSecond} requests/s (burst ${l.burst}; above it faro.receiver answers 429), from ${tn.origins.join(', ')} only.`,
        ),
        ...tenantNodes,
        faro.block,
      );
    }
  }

  // profiles: one receiver per environment with a Pyroscope
  const profileRoutes: ProfilesRoute[] = [];
  for (const r of scope.routes) {
    if (!r.profiles) continue;
    const push = r.profiles.engine.endpoints.push;
    if (!push) {
      findings.push({ severity: 'error', rule: RULE, env: r.env, path: r.profiles.engine.definitionPath, message: `${r.profiles.engine.title} has no push endpoint`, suggestion: 'use an engine the catalog knows a push endpoint for' });
      continue;
    }
    const headers = tenantHeaders(r.profiles.engine);
    profileRoutes.push({ env: r.env, port: r.profiles.port, pyroscope: r.profiles.engine, push, ...(headers ? { headers } : {}) });
  }
  nodes.push(...profilesNodes(profileRoutes, label));

  // self-monitoring: the stack's own /metrics into each environment's metrics engine
  const smRoutes: SelfMonitoringRoute[] = [];
  for (const r of scope.routes) {
    const i = inputsByEnv.get(r.env)!;
    if (i.remoteWrite && i.scraped) smRoutes.push({ env: r.env, namespace: r.namespace, engines: r.scraped, ...(r.canary ? { canary: r.canary } : {}), sink: i.scraped, remoteWrite: i.remoteWrite });
  }
  nodes.push(...selfMonitoringNodes({ routes: smRoutes, nodeLocal: scope.nodeLocal, labelAlloyNamespace: scope.owned, label }));

  return { header: headerLines(stack, scope), body: nodes };
}

function headerLines(stack: Stack, scope: AlloyScope): string[] {
  const version = CATALOG.alloy.pinned;
  const documented = CATALOG.alloy.versions.find((v) => version.startsWith(`${v.line}.`))?.documented ?? '';
  const envs = scope.routes.map((r) => `${r.env} (${r.namespace})`).join(', ');
  const lines = [
    `Grafana Alloy configuration for ${stack.name} — rendered by otelstack for Alloy ${version} (component reference ${documented}).`,
    scope.routing === 'by-namespace'
      ? `Routing by namespace: this one shared Alloy serves ${envs}; OTLP data is routed by its ${K8S_NAMESPACE_ATTRIBUTE} resource attribute.`
      : `Per environment: this Alloy serves ${envs} only.`,
  ];
  const logs = scope.routes.map((r) => r.logs).find((e) => e !== undefined);
  if (!logs) lines.push('Loki: the definition has no logs signal; no Loki components are rendered.');
  else if (!logs.managed) {
    lines.push(
      `Loki: nothing is rendered for Loki — ${logs.title} is managed: false (deployed and wired up elsewhere). The existing Loki log`,
      'forwarding (its loki.* components) is left untouched: keep it beside this file; OTLP logs are not accepted by this receiver.',
    );
  }
  lines.push(
    `Every component label starts with "${LABEL_PREFIX}" and no singleton block (logging, tracing, http) is set: this text can be`,
    'appended to an existing Alloy configuration.',
  );
  return lines;
}

/** The configuration text of one scope. */
export function renderAlloyConfig(stack: Stack, scope: AlloyScope, findings: Finding[] = []): string {
  return formatAlloy(alloyConfigFile(stack, scope, findings));
}

/** Where the plain configuration file of a scope goes. */
export function alloyConfigPath(scope: AlloyScope): string {
  return scope.routing === 'by-namespace' ? 'configs/alloy/config.alloy' : `configs/alloy/${scope.routes[0]!.env}/config.alloy`;
}

/** A tenant's Faro port's name on containers and Services (at most 15 characters: named by the port, which is the tenant's). */
export function tenantPortName(port: number): string {
  return `faro-${port}`;
}

/** Ports the Alloy container must expose beyond its HTTP server: OTLP gRPC/HTTP and the Faro receivers. */
export function alloyListenPorts(scope: AlloyScope): Array<{ name: string; port: number }> {
  const p = CATALOG.alloy.ports;
  const out = [
    { name: 'otlp-grpc', port: p['otlpGrpc']! },
    { name: 'otlp-http', port: p['otlpHttp']! },
  ];
  const faros = scope.routes.filter((r) => r.faro);
  faros.forEach((r, i) => out.push({ name: faros.length === 1 ? 'faro' : `faro-${i}`, port: r.faro!.port }));
  // tenants' Faro receivers, named by port (a Service port name has at most 15 characters, a tenant name up to 63)
  for (const r of scope.routes) for (const tn of r.tenants) out.push({ name: tenantPortName(tn.faroPort), port: tn.faroPort });
  const profiles = scope.routes.filter((r) => r.profiles?.engine.endpoints.push);
  profiles.forEach((r, i) => out.push({ name: profiles.length === 1 ? 'profiles' : `profiles-${i}`, port: r.profiles!.port }));
  return out;
}

/**
 * Plain configuration files: configs/alloy/config.alloy (by-namespace: the shared Alloy) or
 * configs/alloy/<env>/config.alloy (per-environment). Pure, deterministic.
 */
export function renderAlloyConfigs(stack: Stack, topologies: Topology[]): RenderResult {
  const files: FileSet = new Map();
  const findings: Finding[] = [];
  for (const scope of alloyScopes(stack, topologies, findings)) files.set(alloyConfigPath(scope), renderAlloyConfig(stack, scope, findings));
  return { files: new Map(sortedBy([...files.entries()], ([k]) => k)), findings };
}

