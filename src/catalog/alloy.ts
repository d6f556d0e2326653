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
  ports: { http: 12345, otlpGrpc: 4317, otlpHttp: 4318, faro: 12347 },
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
} as const;

/** Exported fields: otelcol.* consumers export `input`; prometheus.* and otelcol.receiver.loki export `receiver`. */
export const ALLOY_EXPORTS = { consumer: 'input', receiver: 'receiver', storageHandler: 'handler' } as const;

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
