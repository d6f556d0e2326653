import { comp } from './component.js';
import type { EngineFacts } from './types.js';
import { Gi, Mi } from './units.js';
import { CHART_REPOS, chartVersion, engineVersion } from './versions.js';

/** Grafana Alloy 1.x (documentation v1.12): otelcol.receiver.otlp, prometheus.remote_write, faro.receiver. */
export const alloy: EngineFacts = {
  id: 'alloy',
  title: 'Alloy',
  image: 'grafana/alloy',
  pinned: engineVersion('alloy'),
  // profiles: otelstack's choice for pyroscope.receive_http (the component's own default, 8080, is commonly taken)
  ports: { http: 12345, otlpGrpc: 4317, otlpHttp: 4318, faro: 12347, profiles: 4041 },
  buckets: [],
  versions: [
    {
      line: '1',
      releases: ['1.10.0', '1.11.0', '1.12.0'],
      documented: 'v1.12',
      modes: {
        monolithic: {
          kafka: 'no',
          chart: { repository: CHART_REPOS.grafana, name: 'alloy', version: chartVersion('alloy') },
          components: [
            comp('gateway', 'write', { cpu: 500, memory: 512 * Mi, storage: 1 * Gi }, [1, 2]),
          ],
        },
      },
    },
  ],
};

/**
 * Alloy component type names used by otelstack (Alloy v1.12 reference, "Components"), and the fields they export.
 * Alloy 1.12 has no routing connector or routing processor: routing by resource attribute is a fan-out to one
 * `otelcol.processor.filter` per destination, each dropping what is not for it.
 */
export const ALLOY_COMPONENTS = {
  otlpReceiver: 'otelcol.receiver.otlp',
  lokiReceiver: 'otelcol.receiver.loki',
  memoryLimiter: 'otelcol.processor.memory_limiter',
  batch: 'otelcol.processor.batch',
  filter: 'otelcol.processor.filter',
  otlpExporter: 'otelcol.exporter.otlp',
  otlpHttpExporter: 'otelcol.exporter.otlphttp',
  prometheusExporter: 'otelcol.exporter.prometheus',
  fileStorage: 'otelcol.storage.file',
  remoteWrite: 'prometheus.remote_write',
  relabel: 'prometheus.relabel',
  faroReceiver: 'faro.receiver',
  // self-monitoring on Kubernetes: pod and node discovery, relabelling of targets, scraping, Alloy's own metrics
  kubernetesDiscovery: 'discovery.kubernetes',
  discoveryRelabel: 'discovery.relabel',
  scrape: 'prometheus.scrape',
  selfExporter: 'prometheus.exporter.self',
  // profiles: Pyroscope's ingest API in, Pyroscope push out
  profilesReceiver: 'pyroscope.receive_http',
  profilesWrite: 'pyroscope.write',
} as const;

/**
 * Exported fields: otelcol.* consumers export `input`; prometheus.*, pyroscope.write and otelcol.receiver.loki export
 * `receiver`; discovery.kubernetes and prometheus.exporter.* export `targets`, discovery.relabel `output`.
 */
export const ALLOY_EXPORTS = { consumer: 'input', receiver: 'receiver', storageHandler: 'handler', targets: 'targets', relabelled: 'output' } as const;

/**
 * Meta labels discovery.kubernetes (role "pod" / "node") puts on targets (Alloy v1.12 discovery.kubernetes, the
 * Prometheus kubernetes_sd conventions): pod labels become `__meta_kubernetes_pod_label_<name>` with every character
 * that is not a letter, digit or underscore replaced by `_`.
 */
export const K8S_META = {
  namespace: '__meta_kubernetes_namespace',
  podName: '__meta_kubernetes_pod_name',
  podPhase: '__meta_kubernetes_pod_phase',
  containerName: '__meta_kubernetes_pod_container_name',
  containerPortName: '__meta_kubernetes_pod_container_port_name',
  podLabel: (label: string) => `__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, '_')}`,
  nodeName: '__meta_kubernetes_node_name',
} as const;

/** The recommended Kubernetes labels the charts put on every pod of a release (charts' selector labels). */
export const K8S_APP_LABELS = { name: 'app.kubernetes.io/name', instance: 'app.kubernetes.io/instance', component: 'app.kubernetes.io/component' } as const;

/**
 * The kubelet as a scrape target (node discovery's address is the kubelet's port, 10250, HTTPS): /metrics carries
 * kubelet_volume_stats_*, /metrics/cadvisor the container_* series. Authenticated with the pod's ServiceAccount token;
 * the kubelet's serving certificate is usually self-signed (not signed by the cluster CA), hence insecure_skip_verify.
 */
export const KUBELET_SCRAPE = {
  scheme: 'https',
  paths: { kubelet: '/metrics', cadvisor: '/metrics/cadvisor' },
  tokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token',
  caFile: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt',
} as const;

/**
 * The alloy chart (1.4.0) sets the Alloy container's HOSTNAME to the node's name (env fieldRef spec.nodeName): an
 * Alloy DaemonSet pod limits its discovery to its own node with it.
 */
export const ALLOY_NODE_NAME_ENV = 'HOSTNAME';

/** Alloy's images are tagged with a leading "v" (grafana/alloy:v1.12.0). */
export function alloyImageTag(version: string): string {
  return `v${version}`;
}

/**
 * `--storage.path` otelstack gives Alloys it deploys itself (a persistent volume is mounted there, so queues and the
 * remote-write WAL survive restarts); the alloy chart 1.4.0 defaults to /tmp/alloy, which is not a volume.
 */
export const ALLOY_CHART_DEFAULT_STORAGE_PATH = '/tmp/alloy';
export const ALLOY_STORAGE_PATH = '/var/lib/alloy';

/** OpenTelemetry resource attribute (semantic conventions, k8s) the by-namespace routing matches. */
export const K8S_NAMESPACE_ATTRIBUTE = 'k8s.namespace.name';
/** The label Kubernetes service discovery relabelling conventionally sets from __meta_kubernetes_namespace. */
export const SCRAPED_NAMESPACE_LABEL = 'namespace';

/** Alloy stability levels, lowest first (`--stability.level`; Alloy refuses components below the level it runs at). */
export const ALLOY_STABILITY_LEVELS = ['experimental', 'public-preview', 'generally-available'] as const;
export type AlloyStability = (typeof ALLOY_STABILITY_LEVELS)[number];

/**
 * Stability of each Alloy component otelstack renders (Alloy v1.12 component reference, each page's banner; Alloy
 * 1.12.0 itself reports otelcol.storage.file as "public-preview" when run at generally-available).
 */
export const ALLOY_COMPONENT_STABILITY: Readonly<Record<string, AlloyStability>> = {
  [ALLOY_COMPONENTS.otlpReceiver]: 'generally-available',
  [ALLOY_COMPONENTS.lokiReceiver]: 'generally-available',
  [ALLOY_COMPONENTS.memoryLimiter]: 'generally-available',
  [ALLOY_COMPONENTS.batch]: 'generally-available',
  [ALLOY_COMPONENTS.filter]: 'generally-available',
  [ALLOY_COMPONENTS.otlpExporter]: 'generally-available',
  [ALLOY_COMPONENTS.otlpHttpExporter]: 'generally-available',
  [ALLOY_COMPONENTS.prometheusExporter]: 'generally-available',
  [ALLOY_COMPONENTS.fileStorage]: 'public-preview',
  [ALLOY_COMPONENTS.remoteWrite]: 'generally-available',
  [ALLOY_COMPONENTS.relabel]: 'generally-available',
  [ALLOY_COMPONENTS.faroReceiver]: 'generally-available',
  // each page's front matter `stage: general-availability` (docs/sources/reference/components at v1.12.0)
  [ALLOY_COMPONENTS.kubernetesDiscovery]: 'generally-available',
  [ALLOY_COMPONENTS.discoveryRelabel]: 'generally-available',
  [ALLOY_COMPONENTS.scrape]: 'generally-available',
  [ALLOY_COMPONENTS.selfExporter]: 'generally-available',
  [ALLOY_COMPONENTS.profilesReceiver]: 'generally-available',
  [ALLOY_COMPONENTS.profilesWrite]: 'generally-available',
};

/** Component names used in an Alloy configuration text (each block `<a.b…> "label" {` at the start of a line). */
export function alloyComponentsIn(config: string): string[] {
  const names = new Set<string>();
  for (const m of config.matchAll(/^\s*([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+)\s+"[^"]*"\s*\{/gm)) names.add(m[1]!);
  return [...names].sort();
}

/**
 * The lowest stability level a configuration needs: the least stable of its components. Components without a
 * catalog fact are returned in `unknown` (the caller reports them) and count as experimental.
 */
export function requiredStability(components: readonly string[]): { level: AlloyStability; unknown: string[] } {
  const unknown = components.filter((c) => !(c in ALLOY_COMPONENT_STABILITY));
  const levels = components.map((c) => ALLOY_STABILITY_LEVELS.indexOf(ALLOY_COMPONENT_STABILITY[c] ?? 'experimental'));
  const lowest = levels.length ? Math.min(...levels) : ALLOY_STABILITY_LEVELS.length - 1;
  return { level: ALLOY_STABILITY_LEVELS[lowest]!, unknown };
}

/**
 * The path faro.receiver serves the Faro Web SDK on (POST and OPTIONS): internal/component/faro/receiver/server.go
 * `r.Handle("/collect", …)`, read in grafana/alloy at 66ebea8 (Aug 2026). The contrib collector's receiver serves "/"
 * (OTELCOL_FARO_RECEIVER.path).
 */
export const ALLOY_FARO_RECEIVER_PATH = '/collect';

/**
 * pyroscope.receive_http embeds Alloy's common server config (`http` and `grpc` blocks; internal/component/common/net/
 * config.go at v1.12.0: the gRPC server defaults to address "" and port 0) and so opens a gRPC listener on every
 * interface at a random port even though nothing speaks gRPC to it — seen on a real Alloy v1.12.0 built from the tag
 * (`*:44397`). otelstack pins that unused listener to loopback.
 */
export const ALLOY_UNUSED_GRPC = { block: 'grpc', listenAddress: '127.0.0.1' } as const;
