/**
 * Kubernetes meta-monitoring in the rendered Alloy configuration: the stack's own /metrics scraped into each
 * environment's metrics engine, so that the self-monitoring dashboards (src/render/grafana) and rules
 * (src/render/rules) read series that exist.
 *
 * Written for Alloy 1.12 (component reference v1.12, each component generally-available):
 *  - discovery.kubernetes `role = "pod"`, `namespaces { names }` (the environments' namespaces); an Alloy DaemonSet
 *    limits discovery to its own node with `selectors { role, field = "spec.nodeName=<node>" }` (the alloy chart sets
 *    HOSTNAME to the node name), so every pod is scraped once;
 *  - discovery.relabel keeps each managed engine's pods by the chart's selector labels (`app.kubernetes.io/name`,
 *    `app.kubernetes.io/instance` = the release) and its metrics container port (src/catalog/charts/* `scrape`),
 *    drops pods that carry that port but serve no /metrics (nginx gateways) and pods not running, and sets the
 *    `namespace`, `pod`, `container` and `job` (`<namespace>/<release>[-<component>]`) labels;
 *  - prometheus.scrape → the environment's metrics engine (prometheus.remote_write with X-Scope-OrgID); with
 *    by-namespace routing through each environment's prometheus.relabel, which keeps its namespace. A Deployment /
 *    StatefulSet Alloy scrapes with `clustering { enabled = true }` (targets shared among clustered replicas);
 *  - the kubelet (node discovery; /metrics and /metrics/cadvisor over HTTPS with the ServiceAccount token): the
 *    kubelet_volume_stats_* and container_* series the rules read, limited to those names and the environments'
 *    namespaces by a prometheus.relabel;
 *  - prometheus.exporter.self: Alloy's own metrics (otelcol_* of its components, alloy_*), scraped locally by every
 *    Alloy pod.
 * Profiles: pyroscope.receive_http (Pyroscope's ingest and push APIs) → pyroscope.write to the environment's
 * Pyroscope push endpoint, one receiver per environment.
 */
import { ALLOY_COMPONENTS as C, ALLOY_EXPORTS as X, ALLOY_NODE_NAME_ENV, ALLOY_UNUSED_GRPC, K8S_APP_LABELS, K8S_META, KUBELET_SCRAPE, SCRAPED_NAMESPACE_LABEL } from '../../catalog/alloy.js';
import { CATALOG } from '../../catalog/index.js';
import { CHART_FACTS, type ChartScrape } from '../../catalog/charts/index.js';
import { KUBELET_METRICS } from '../../catalog/metrics.js';
import type { EngineDeployment, Topology } from '../../topology/types.js';
import { type AlloyExpr, type AlloyNode, attr, block, bool, call, comment, component, list, num, str } from './alloy-syntax.js';

/** A managed engine of an environment whose chart facts say how its pods are scraped. */
export interface ScrapedEngine {
  engine: EngineDeployment;
  scrape: ChartScrape;
}

/** The chart scrape facts of an engine deployment (undefined: no chart, or no facts for it). */
export function chartScrape(e: EngineDeployment): ChartScrape | undefined {
  if ('none' in e.chart) return undefined;
  return CHART_FACTS[e.chart.name]?.scrape;
}

/** Managed engines the Alloy scrapes in an environment (unmanaged ones run, and are scraped, elsewhere). */
export function scrapedEngines(t: Topology): ScrapedEngine[] {
  const out: ScrapedEngine[] = [];
  for (const e of t.engines) {
    const s = e.managed ? chartScrape(e) : undefined;
    if (s) out.push({ engine: e, scrape: s });
  }
  return out.sort((a, b) => (a.engine.release < b.engine.release ? -1 : a.engine.release > b.engine.release ? 1 : 0));
}

/** The kubelet series the rules and dashboards read (kept; everything else the kubelet exposes is dropped). */
export const KUBELET_KEPT: readonly string[] = Object.values(KUBELET_METRICS).slice().sort();

/** One environment as the self-monitoring sees it. */
export interface SelfMonitoringRoute {
  env: string;
  namespace: string;
  engines: ScrapedEngine[];
  /** the environment's canary (otelstack canary): its pods carry app.kubernetes.io/name and instance = its name */
  canary?: { name: string; port: string };
  /** where scraped series of this environment go (the namespace-keeping relabel, or the remote_write itself) */
  sink: AlloyExpr;
  /** the environment's remote_write receiver (Alloy's own metrics go there directly) */
  remoteWrite: AlloyExpr;
}

export interface SelfMonitoringOptions {
  routes: SelfMonitoringRoute[];
  /** one Alloy pod per node (DaemonSet): discovery limited to the pod's node, no clustering */
  nodeLocal: boolean;
  /** label Alloy's own metrics with the environment's namespace (an Alloy otelstack deploys for the environment) */
  labelAlloyNamespace: boolean;
  label: (...parts: string[]) => string;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const rule = (body: AlloyNode[]) => block('rule', body);
const labels = (xs: string[]) => attr('source_labels', list(xs.map(str)));

function nodeSelector(role: 'pod' | 'node', field: string): AlloyNode {
  return block('selectors', [attr('role', str(role)), attr('field', call('string.format', str(`${field}=%s`), call('sys.env', str(ALLOY_NODE_NAME_ENV))))]);
}

/** The self-monitoring components of one Alloy configuration. Empty when no route has a metrics engine. */
export function selfMonitoringNodes(o: SelfMonitoringOptions): AlloyNode[] {
  const routes = o.routes;
  if (routes.length === 0) return [];
  const nodes: AlloyNode[] = [];
  const namespaces = [...new Set(routes.map((r) => r.namespace))].sort();
  const sinks = routes.map((r) => r.sink);
  const clustering = o.nodeLocal ? undefined : block('clustering', [attr('enabled', bool(true))]);

  // the stack's engine pods
  const engines = routes.flatMap((r) => r.engines.map((e) => ({ r, ...e })));
  const canaries = routes.flatMap((r) => (r.canary ? [{ r, ...r.canary }] : []));
  if (engines.length || canaries.length) {
    const pods = component(C.kubernetesDiscovery, o.label('pods'), [
      attr('role', str('pod')),
      block('namespaces', [attr('names', list(namespaces.map(str)))]),
      o.nodeLocal && nodeSelector('pod', 'spec.nodeName'),
    ]);
    const keep = [
      ...engines.map((e) => [e.r.namespace, e.scrape.name, e.engine.release, e.scrape.metricsPort].map(escapeRe).join(';')),
      ...canaries.map((k) => [k.r.namespace, k.name, k.name, k.port].map(escapeRe).join(';')),
    ];
    const skip = engines.flatMap((e) => e.scrape.skipComponents.map((c) => [e.r.namespace, e.scrape.name, e.engine.release, c].map(escapeRe).join(';')));
    const ns = K8S_META.namespace;
    const name = K8S_META.podLabel(K8S_APP_LABELS.name);
    const instance = K8S_META.podLabel(K8S_APP_LABELS.instance);
    const comp = K8S_META.podLabel(K8S_APP_LABELS.component);
    const relabel = component(C.discoveryRelabel, o.label('pods'), [
      attr('targets', pods.export(X.targets)),
      rule([labels([ns, name, instance, K8S_META.containerPortName]), attr('regex', str(keep.join('|'))), attr('action', str('keep'))]),
      skip.length > 0 && rule([labels([ns, name, instance, comp]), attr('regex', str(skip.join('|'))), attr('action', str('drop'))]),
      rule([labels([K8S_META.podPhase]), attr('regex', str('Pending|Succeeded|Failed|Unknown')), attr('action', str('drop'))]),
      rule([labels([ns]), attr('target_label', str(SCRAPED_NAMESPACE_LABEL))]),
      rule([labels([K8S_META.podName]), attr('target_label', str('pod'))]),
      rule([labels([K8S_META.containerName]), attr('target_label', str('container'))]),
      rule([labels([ns, instance, comp]), attr('regex', str('([^;]*);([^;]*);(.+)')), attr('replacement', str('$1/$2-$3')), attr('target_label', str('job'))]),
      rule([labels([ns, instance, comp]), attr('regex', str('([^;]*);([^;]*);')), attr('replacement', str('$1/$2')), attr('target_label', str('job'))]),
    ]);
    const scrape = component(C.scrape, o.label('pods'), [
      attr('targets', relabel.export(X.relabelled)),
      attr('forward_to', list(sinks)),
      attr('job_name', str('otelstack-pods')),
      clustering,
    ]);
    const what = [
      ...engines.map((e) => `${e.engine.title} (${e.r.namespace}: ${e.scrape.name}/${e.engine.release}, port ${e.scrape.metricsPort})`),
      ...canaries.map((k) => `the canary (${k.r.namespace}: ${k.name}, port ${k.port})`),
    ].join(', ');
    nodes.push(
      comment(
        `Self-monitoring: the stack's own /metrics — ${what}.`,
        o.nodeLocal ? 'One Alloy pod per node: each discovers the pods of its own node only.' : 'Replicas share the targets when Alloy runs clustered (clustering); a single replica scrapes them all.',
        "Discovery lists pods: Alloy's ServiceAccount needs get/list/watch on pods in these namespaces (the alloy chart's rbac.create).",
      ),
      pods.block,
      relabel.block,
      scrape.block,
    );
  }

  // the kubelet: volume stats and cAdvisor container series, of the environments' namespaces only
  const nodesDisc = component(C.kubernetesDiscovery, o.label('nodes'), [attr('role', str('node')), o.nodeLocal && nodeSelector('node', 'metadata.name')]);
  const kubeletRelabel = component(C.relabel, o.label('kubelet'), [
    attr('forward_to', list(sinks)),
    rule([labels(['__name__']), attr('regex', str(KUBELET_KEPT.map(escapeRe).join('|'))), attr('action', str('keep'))]),
    rule([labels([SCRAPED_NAMESPACE_LABEL]), attr('regex', str(namespaces.map(escapeRe).join('|'))), attr('action', str('keep'))]),
  ]);
  const kubeletScrape = (which: 'kubelet' | 'cadvisor') =>
    component(C.scrape, o.label(which), [
      attr('targets', nodesDisc.export(X.targets)),
      attr('forward_to', list([kubeletRelabel.export(X.receiver)])),
      attr('job_name', str(which)),
      attr('scheme', str(KUBELET_SCRAPE.scheme)),
      attr('metrics_path', str(KUBELET_SCRAPE.paths[which])),
      attr('bearer_token_file', str(KUBELET_SCRAPE.tokenFile)),
      block('tls_config', [attr('ca_file', str(KUBELET_SCRAPE.caFile)), attr('insecure_skip_verify', bool(true))]),
      clustering,
    ]);
  nodes.push(
    comment(
      `The kubelet (${KUBELET_SCRAPE.paths.kubelet}) and cAdvisor (${KUBELET_SCRAPE.paths.cadvisor}) of ${o.nodeLocal ? "each Alloy pod's node" : 'every node'}: ${KUBELET_KEPT.join(', ')} of ${namespaces.join(', ')}.`,
      "Needs get on nodes/metrics (the alloy chart's ClusterRole); the kubelet's serving certificate is usually not signed by the cluster CA (insecure_skip_verify).",
    ),
    nodesDisc.block,
    kubeletScrape('kubelet').block,
    kubeletScrape('cadvisor').block,
    kubeletRelabel.block,
  );

  // Alloy's own metrics, from every Alloy pod
  const self = component(C.selfExporter, o.label(), []);
  nodes.push(comment("Alloy's own metrics (otelcol_* of the components above, alloy_*): every Alloy pod scrapes itself."), self.block);
  if (o.labelAlloyNamespace) {
    for (const r of routes) {
      const lr = component(C.discoveryRelabel, o.label('alloy', r.env), [attr('targets', self.export(X.targets)), rule([attr('target_label', str(SCRAPED_NAMESPACE_LABEL)), attr('replacement', str(r.namespace))])]);
      const sc = component(C.scrape, o.label('alloy', r.env), [attr('targets', lr.export(X.relabelled)), attr('forward_to', list([r.remoteWrite])), attr('job_name', str('alloy'))]);
      nodes.push(lr.block, sc.block);
    }
  } else {
    const sc = component(C.scrape, o.label('alloy'), [attr('targets', self.export(X.targets)), attr('forward_to', list(routes.map((r) => r.remoteWrite))), attr('job_name', str('alloy'))]);
    nodes.push(sc.block);
  }
  return nodes;
}

/** The profiles path of one environment: its receiver's port and Pyroscope. */
export interface ProfilesRoute {
  env: string;
  port: number;
  pyroscope: EngineDeployment;
  push: string;
  headers?: AlloyExpr;
}

/** pyroscope.receive_http → pyroscope.write per environment. */
export function profilesNodes(routes: ProfilesRoute[], label: (...parts: string[]) => string): AlloyNode[] {
  const nodes: AlloyNode[] = [];
  for (const r of routes) {
    const w = component(C.profilesWrite, label(r.pyroscope.engine, r.env), [block('endpoint', [attr('url', str(r.push)), r.headers && attr('headers', r.headers)])]);
    const rx = component(C.profilesReceiver, label(r.env), [
      block('http', [attr('listen_address', str('0.0.0.0')), attr('listen_port', num(r.port))]),
      block(ALLOY_UNUSED_GRPC.block, [attr('listen_address', str(ALLOY_UNUSED_GRPC.listenAddress))]),
      attr('forward_to', list([w.export(X.receiver)])),
    ]);
    nodes.push(comment(`Profiles for ${r.env} on :${r.port} (Pyroscope's /ingest and push API) → ${r.pyroscope.title} at ${r.push}.`), rx.block, w.block);
  }
  return nodes;
}

/** Base port of the profiles receivers (one per environment, counting up). */
export function profilesBasePort(): number {
  return CATALOG.alloy.ports['profiles']!;
}
