/**
 * The network flows of one Kubernetes environment, derived from its topology in one place (flowsOf): who opens a
 * connection to which pods of the environment's namespace, on which ports. The NetworkPolicies
 * (src/render/kubernetes/network-policies.ts) allow exactly these and deny every other ingress.
 *
 * Pods are named by the labels their charts put on them (src/catalog/charts/* `scrape`: app.kubernetes.io/name and
 * app.kubernetes.io/instance = the release). Engines are selected per release, not per component: the catalog has
 * no per-component call graph and the charts' app.kubernetes.io/component values are not all checked (mimir-distributed
 * is unverified), so a flow inside an engine (memberlist, and the read / write path on gRPC and HTTP:
 * distributor → ingester, query-frontend → querier → store-gateway / ingester, caches) is one release-wide flow.
 * HTTP is the engine's named container port (the chart's metrics port: the same name sits on its nginx gateway, whose
 * container port differs from the engine's), gRPC / memberlist / OTLP / memcached are the catalog's numeric ports.
 * Egress is not part of the model: object storage may be outside the cluster.
 */
import { CHART_FACTS, type ChartScrape } from '../catalog/charts/index.js';
import { GRAFANA_HA_PORT } from '../catalog/grafana.js';
import { CATALOG } from '../catalog/index.js';
import { KEDA_OPERATOR_POD_LABELS } from '../catalog/keda.js';
import type { EngineDeployment, Topology } from './types.js';

/** A port of a destination pod: a number, or the name of a container port. */
export type FlowPort = number | string;

/** The label key Kubernetes sets on every namespace to its name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export type FlowSource =
  /** pods with these labels; namespace '*' = in any namespace (a deployment otelstack does not place) */
  | { kind: 'pods'; namespace: string; labels: Readonly<Record<string, string>>; what: string }
  /** any client, in or outside the cluster (receivers applications send to, admission webhooks) */
  | { kind: 'anywhere'; what: string };

export interface Flow {
  from: FlowSource;
  /** destination pods in the environment's namespace */
  to: { labels: Readonly<Record<string, string>>; what: string };
  /** empty = every port */
  ports: readonly FlowPort[];
  why: string;
}

const NAME = 'app.kubernetes.io/name';
const INSTANCE = 'app.kubernetes.io/instance';

/** Release names of deployments otelstack renders outside the engines (render/kubernetes/{alloy,grafana,kafka,otelcol}.ts). */
export const FLOW_RELEASES = { alloy: 'alloy', grafana: 'grafana', kafka: 'kafka', otelcol: 'otelcol' } as const;

/** Pod labels of a chart release. */
export function releaseLabels(name: string, release: string): Record<string, string> {
  return { [NAME]: name, [INSTANCE]: release };
}

function scrapeOf(e: EngineDeployment): ChartScrape | undefined {
  return 'none' in e.chart ? undefined : CHART_FACTS[e.chart.name]?.scrape;
}

/** Managed engines whose pods run in the namespace and whose chart labels are known, with those facts. */
function localEngines(t: Topology): Array<{ e: EngineDeployment; scrape: ChartScrape; labels: Record<string, string> }> {
  return t.engines
    .filter((e) => e.managed)
    .map((e) => ({ e, scrape: scrapeOf(e) }))
    .filter((x): x is { e: EngineDeployment; scrape: ChartScrape } => x.scrape !== undefined)
    .map(({ e, scrape }) => ({ e, scrape, labels: releaseLabels(scrape.name, e.release) }))
    .sort((a, b) => (a.e.release < b.e.release ? -1 : a.e.release > b.e.release ? 1 : 0));
}

/** Ports a collector pushes to: the engine's OTLP port when the push endpoint names one, else its HTTP port. */
function pushPorts(e: EngineDeployment, http: string): FlowPort[] {
  const ports = CATALOG[e.engine].ports;
  const out = new Set<FlowPort>();
  for (const url of [e.endpoints.push, e.endpoints.otlp]) {
    if (!url) continue;
    const p = Number(new URL(url).port);
    out.add(p === ports['otlpGrpc'] || p === ports['otlpHttp'] ? p : http);
  }
  return [...out];
}

/** The collection layer's pods as a flow source: where the environment's Alloy runs (undefined: no Alloy). */
function collector(t: Topology): { source: FlowSource; local: boolean } | undefined {
  const ing = t.ingestion;
  if (t.env.target !== 'kubernetes' || !ing || ing.collector !== 'alloy') return undefined;
  const labels = releaseLabels('alloy', FLOW_RELEASES.alloy);
  // ingestion.shared: an existing Alloy deployed elsewhere (namespace unknown); by-namespace: otelstack's shared one
  const namespace = ing.shared ? '*' : ing.routing === 'by-namespace' ? `${t.stack}-shared` : t.env.namespace;
  return { source: { kind: 'pods', namespace, labels, what: `the Alloy collectors (${namespace === '*' ? 'any namespace' : namespace})` }, local: namespace === t.env.namespace };
}

/**
 * The Service in front of the gateways on Kubernetes, in the environment's namespace: the alloy chart's (named after
 * its release) or the OTel Collector gateway pool's (render/kubernetes/otelcol.ts). `verify` and the canary push there.
 */
export function kubernetesGatewayService(collector: 'alloy' | 'otelcol'): string {
  return collector === 'alloy' ? FLOW_RELEASES.alloy : `${FLOW_RELEASES.otelcol}-gateway`;
}

/** Pod labels of one OTel Collector pool otelstack deploys (render/kubernetes/otelcol.ts): otelcol / otelcol-<role>. */
export function otelcolPoolLabels(role: 'gateway' | 'processor'): Record<string, string> {
  return releaseLabels(FLOW_RELEASES.otelcol, `${FLOW_RELEASES.otelcol}-${role}`);
}

/**
 * The OTel Collector pools of this namespace as flow sources (undefined: the environment's collectors are not
 * otelstack's OTel Collector here): the pool that pushes to the engines (the processor behind a Kafka buffer, else
 * the gateway), and the pools that are Kafka clients.
 */
function otelcolPools(t: Topology): { gateway: Record<string, string>; pusher: FlowSource; kafkaClients: FlowSource[] } | undefined {
  const ing = t.ingestion;
  if (t.env.target !== 'kubernetes' || !ing || ing.collector !== 'otelcol' || ing.shared) return undefined;
  const pool = (role: 'gateway' | 'processor'): FlowSource => ({ kind: 'pods', namespace: t.env.namespace, labels: otelcolPoolLabels(role), what: `the OTel Collector ${role}s` });
  return {
    gateway: otelcolPoolLabels('gateway'),
    pusher: pool(ing.kafkaBuffer ? 'processor' : 'gateway'),
    kafkaClients: ing.kafkaBuffer ? [pool('gateway'), pool('processor')] : [],
  };
}

export interface FlowOptions {
  /** the receiver ports of the environment's own Alloy (alloyListenPorts); default: OTLP gRPC and HTTP */
  collectorPorts?: readonly number[];
}

/** Every flow into the environment's namespace, in a stable order. Empty outside Kubernetes. */
export function flowsOf(t: Topology, opts: FlowOptions = {}): Flow[] {
  if (t.env.target !== 'kubernetes') return [];
  const ns = t.env.namespace;
  const flows: Flow[] = [];
  const engines = localEngines(t);
  const coll = collector(t);
  const oc = otelcolPools(t);
  // who pushes telemetry to the engines: the Alloy, or the OTel Collector pool that exports to them
  const pusher = coll?.source ?? oc?.pusher;
  const pods = (labels: Record<string, string>, what: string): FlowSource => ({ kind: 'pods', namespace: ns, labels, what });
  const grafanaDeployed = t.components.some((c) => c.engine === 'grafana' && c.component === 'grafana');
  const grafanaLabels = releaseLabels('grafana', FLOW_RELEASES.grafana);
  const grafana: FlowSource = grafanaDeployed
    ? pods(grafanaLabels, 'Grafana')
    : { kind: 'pods', namespace: '*', labels: { [NAME]: 'grafana' }, what: 'Grafana (deployed elsewhere: any namespace, app.kubernetes.io/name=grafana)' };
  const hasMetrics = t.engines.some((e) => e.signal === 'metrics');

  for (const { e, scrape, labels } of engines) {
    const to = { labels, what: `${e.title} (${e.release})` };
    const ports = CATALOG[e.engine].ports;
    const http = scrape.metricsPort;
    const self = pods(labels, `${e.title} (${e.release})`);
    // collectors → push
    if (pusher && (e.endpoints.push || e.endpoints.otlp)) flows.push({ from: pusher, to, ports: pushPorts(e, http), why: `collectors push ${e.signal} to ${e.title}` });
    // tenants' browser paths export from the gateways straight to the logs and traces engines, also behind a Kafka
    // buffer (the buffer topics carry no tenant id: render/configs/otelcol.ts tenantFaroPaths)
    if (oc && t.ingestion?.kafkaBuffer && (t.tenants ?? []).length > 0 && (e.signal === 'logs' || e.signal === 'traces') && (e.endpoints.push || e.endpoints.otlp)) {
      flows.push({ from: pods(oc.gateway, 'the OTel Collector gateways'), to, ports: pushPorts(e, http), why: `the gateways push the tenants' Faro ${e.signal} to ${e.title} with each tenant's id` });
    }
    // inside the engine: the write / read path (gRPC and HTTP), the memberlist ring, the chart's caches
    const internal: FlowPort[] = [http];
    if (ports['grpc'] !== undefined) internal.push(ports['grpc']);
    const caches = (t.chartWorkloads ?? []).some((d) => d.engine === e.engine && d.action === 'budget' && /memcached|cache/.test(d.component ?? ''));
    if (caches) internal.push(CATALOG.memcached.ports['client']!);
    flows.push({ from: self, to, ports: internal, why: `${e.title} components call each other (write and read path: gRPC and HTTP${caches ? ', memcached' : ''})` });
    if (ports['memberlist'] !== undefined) flows.push({ from: self, to, ports: [ports['memberlist']], why: `${e.title} memberlist ring gossip` });
    // Grafana → query endpoints
    if (e.datasource || e.endpoints.query) flows.push({ from: grafana, to, ports: [http], why: `Grafana queries ${e.title}` });
    // the metrics scraper (the Alloy's self-monitoring) → /metrics
    if (coll && hasMetrics) flows.push({ from: coll.source, to, ports: [http], why: `the Alloy scrapes ${e.title} /metrics (${http})` });
    // the rollout-operator's admission webhooks are called by the API server (not a pod)
    if (t.components.some((c) => c.engine === e.engine && c.component === 'rollout-operator')) {
      flows.push({ from: { kind: 'anywhere', what: 'the Kubernetes API server (admission webhooks)' }, to: { labels: releaseLabels('rollout-operator', e.release), what: `${e.title}'s rollout-operator` }, ports: [], why: 'the API server calls the rollout-operator admission webhooks (ports not checked: every port)' });
    }
  }

  // engine → engine: Tempo's metrics-generator remote-writes to the metrics engine
  for (const { e } of engines) {
    if (!e.metricsGenerator) continue;
    const m = engines.find((x) => x.e.signal === 'metrics');
    if (m) flows.push({ from: pods(releaseLabels(scrapeOf(e)!.name, e.release), `${e.title} (${e.release})`), to: { labels: m.labels, what: `${m.e.title} (${m.e.release})` }, ports: [m.scrape.metricsPort], why: `${e.title}'s metrics-generator remote-writes span metrics to ${m.e.title}` });
  }

  // engine → engine: Loki's ruler remote-writes the RUM series to the metrics engine (t.rum)
  if (t.rum) {
    const l = engines.find((x) => x.e.engine === 'loki');
    const m = engines.find((x) => x.e.signal === 'metrics');
    if (l && m) flows.push({ from: pods(l.labels, `${l.e.title} (${l.e.release})`), to: { labels: m.labels, what: `${m.e.title} (${m.e.release})` }, ports: [m.scrape.metricsPort], why: `${l.e.title}'s ruler remote-writes the RUM recording rules' series to ${m.e.title}` });
  }

  // Kafka: clients → brokers, brokers ↔ brokers (KRaft controller quorum and replication)
  if (t.kafka?.managed) {
    const kp = CATALOG.kafka.ports;
    const brokers = releaseLabels('kafka', `${FLOW_RELEASES.kafka}-${t.env.name}`);
    const to = { labels: brokers, what: 'Kafka brokers' };
    for (const { e, labels } of engines) if (e.kafka) flows.push({ from: pods(labels, `${e.title} (${e.release})`), to, ports: [kp['client']!], why: `${e.title} reads and writes its ingest topic` });
    if (coll && t.ingestion?.kafkaBuffer) flows.push({ from: coll.source, to, ports: [kp['client']!], why: 'collectors buffer through Kafka (gateway → Kafka → processor)' });
    for (const c of oc?.kafkaClients ?? []) flows.push({ from: c, to, ports: [kp['client']!], why: 'collectors buffer through Kafka (gateway → Kafka → processor)' });
    // KEDA's operator reads the processor pool's consumer-group lag from the brokers (its ScaledObject's triggers)
    if (oc && t.env.keda && t.components.some((c) => c.engine === 'otelcol' && c.component === 'processor' && c.autoscaling)) {
      flows.push({ from: { kind: 'pods', namespace: '*', labels: KEDA_OPERATOR_POD_LABELS, what: 'the KEDA operator (any namespace)' }, to, ports: [kp['client']!], why: "KEDA reads the processor pool's consumer lag (ScaledObject kafka triggers)" });
    }
    flows.push({ from: pods(brokers, 'Kafka brokers'), to, ports: [kp['client']!, kp['controller']!], why: 'brokers replicate and run the KRaft controller quorum' });
  }

  // the Alloy of this namespace: applications send telemetry from anywhere; clustered replicas talk over HTTP
  if (coll?.local && coll.source.kind === 'pods') {
    const to = { labels: coll.source.labels, what: 'the Alloy collectors' };
    const ap = CATALOG.alloy.ports;
    const receivers = [...(opts.collectorPorts ?? [ap['otlpGrpc']!, ap['otlpHttp']!])].sort((a, b) => a - b);
    flows.push({ from: { kind: 'anywhere', what: 'applications sending telemetry' }, to, ports: receivers, why: 'applications send OTLP (and Faro / profiles) to the collectors' });
    flows.push({ from: coll.source, to, ports: [ap['http']!], why: 'Alloy clustering (peers share scrape targets)' });
  }

  // the OTel Collector gateway of this namespace: applications send telemetry from anywhere
  if (oc) {
    const op = CATALOG.otelcol.ports;
    const tenantPorts = (t.tenants ?? []).map((tn) => tn.faroPort);
    const receivers = [op['otlpGrpc']!, op['otlpHttp']!, ...(t.ingestion?.faro ? [t.ingestion.faro.port] : []), ...tenantPorts].sort((a, b) => a - b);
    flows.push({ from: { kind: 'anywhere', what: 'applications sending telemetry' }, to: { labels: oc.gateway, what: 'the OTel Collector gateways' }, ports: receivers, why: `applications send OTLP${t.ingestion?.faro ? ' (and Faro)' : ''}${tenantPorts.length ? " (and the tenants' Faro, through the ingress)" : ''} to the collectors` });
  }

  // the canary (otelstack canary) reads back from the engines' query ports; the Alloy scrapes its /metrics
  if (t.canary) {
    const k = t.canary;
    const self = pods(releaseLabels(k.name, k.name), 'the canary');
    for (const { e, scrape, labels } of engines) {
      if (e.signal === 'traces' || e.signal === 'metrics' || e.signal === 'logs') flows.push({ from: self, to: { labels, what: `${e.title} (${e.release})` }, ports: [scrape.metricsPort], why: `the canary reads back what it pushed from ${e.title}` });
    }
    if (coll && hasMetrics) flows.push({ from: coll.source, to: { labels: releaseLabels(k.name, k.name), what: 'the canary' }, ports: [k.port], why: `the Alloy scrapes the canary's /metrics (${k.port})` });
  }

  // Grafana deployed here: users reach its UI, replicas gossip for unified alerting HA
  if (grafanaDeployed) {
    const to = { labels: grafanaLabels, what: 'Grafana' };
    flows.push({ from: { kind: 'anywhere', what: 'users (ingress controller, port-forward)' }, to, ports: [CATALOG.grafana.ports['http']!], why: 'the Grafana UI and API' });
    flows.push({ from: pods(grafanaLabels, 'Grafana'), to, ports: [GRAFANA_HA_PORT], why: 'Grafana replicas share alerting state (ha_peers)' });
  }
  return flows;
}
