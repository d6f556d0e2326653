/**
 * Value keys a renderer may write into a Helm chart's values, per pinned chart version. Dotted paths; `*` matches
 * one map key; a trailing `.**` marks a subtree whose contents are not chart values (e.g. a provisioning file).
 * Arrays are leaves. Written by hand from each chart's documented values.yaml at the pinned tag — never copied.
 */
export interface ChartValueKeys {
  chart: string;
  version: string;
  /** where the key names were read */
  source: string;
  keys: readonly string[];
}

/** True when `path` (dotted) is covered by one of the patterns. */
export function keyAllowed(path: string, patterns: readonly string[]): boolean {
  const segs = path.split('.');
  return patterns.some((p) => {
    const ps = p.split('.');
    const open = ps[ps.length - 1] === '**';
    const fixed = open ? ps.slice(0, -1) : ps;
    if (open ? segs.length < fixed.length : segs.length !== fixed.length) return false;
    return fixed.every((s, i) => s === '*' || s === segs[i]);
  });
}

/** Leaf key paths of a values object (arrays are leaves; keys containing dots are kept whole inside a segment). */
export function valueKeyPaths(obj: unknown, prefix = ''): string[] {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return prefix ? [prefix] : [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    const p = prefix ? `${prefix}.${k.replace(/\./g, '\\u002e')}` : k.replace(/\./g, '\\u002e');
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0) out.push(...valueKeyPaths(v, p));
    else out.push(p);
  }
  return out;
}

/**
 * Chart facts beyond the key list, read from each pinned chart's templates and values.yaml (facts only, nothing
 * copied). Tests assert that every rendered values file satisfies them, without the chart sources.
 */

/** A condition on a values path; `default` is the chart's values.yaml default, used when the rendered values omit it. */
export type GuardCondition =
  | { path: string; op: 'truthy' | 'falsy'; default: unknown }
  | { path: string; op: 'gt'; value: number; default: unknown }
  | { path: string; op: 'eq' | 'ne'; value: string | number | boolean; default: unknown };

/**
 * A template guard: once every `when` condition holds, the template dereferences `requires` (or passes it to
 * `required`), and the chart's values.yaml has no default for it — so the rendered values must set it (to a
 * non-null value) or `helm template` fails with `error`.
 */
export interface TemplateGuard {
  template: string;
  when: readonly GuardCondition[];
  requires: string;
  error: string;
}

/**
 * A workload the chart deploys (under the conditions it has by default), with what otelstack does with it:
 * `component` — a topology component budgets it (replicas and resources rendered at `key`);
 * `budget` — the plan adds it as a component of its own (chart-workloads transform), sized from the catalog;
 * `disable` — the values switch it off at `enabled.path`.
 */
export interface ChartWorkload {
  /** values key of the workload (also where its replicas / resources go) */
  key: string;
  /** Sidecar: a container the chart adds to other workloads' pods */
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Sidecar';
  /**
   * how the chart switches it ('always': nothing switches it off); `with`: further switches its guard requires
   * (on by default) — the workload renders only when all are on, and otelstack writes them on with `path`
   */
  enabled: { path: string; default: boolean; with?: readonly string[] } | 'always';
  /** the chart's default requests/limits (`{}`: none) */
  defaultResources: string;
  otelstack:
    | { action: 'component'; component: string }
    | { action: 'budget'; component: string; sizing: WorkloadSizing; when?: 'zone-aware' | 'named'; reason: string; otherwise?: string }
    | { action: 'disable'; reason: string };
  /** replicas and resources keys of the workload when they are not `<key>.replicas` / `<key>.resources` */
  replicasKey?: string;
  resourcesKey?: string;
  /** the chart gives this workload no persistent volume (no volumeClaimTemplates / persistence value) */
  noVolume?: true;
}

/*
 * `when`: 'zone-aware' — budgeted only where the engine is zone-aware; 'named' — budgeted only when the definition
 * names the component (e.g. an opt-in cache), switched off otherwise (`otherwise` says why).
 */
/** Size of a chart workload the plan budgets: per-replica requests (millicores, bytes) and replicas. */
export interface WorkloadSizing {
  cpu: number;
  memory: number;
  replicas: { single: number; ha: number };
  /**
   * a memcached pool: its item memory is derived from the memory request, written as `--memory-limit` in the
   * workload's extraArgs list ('extraArgs') or as the chart's `<key>.allocatedMemory` in MB ('allocatedMemory')
   */
  memcached?: 'extraArgs' | 'allocatedMemory';
  /** one replica by design (a controller with a single active instance) */
  singleton?: true;
}

/** How a list- (or map-) valued chart setting reaches the engine's configuration or pods. */
export interface ListRoute {
  /** values path of the setting */
  setting: string;
  /** what the chart does with it */
  how: 'concatenated-args' | 'concatenated-env' | 'map-to-flags' | 'merged-map' | 'replaces-list';
  /** which workloads receive it */
  reaches: readonly string[];
  /**
   * workloads it reaches that are not the engine (otelstack must not put engine-only settings or secrets there while
   * one of them runs); names are workload keys of the chart facts where the chart has one
   */
  alsoReaches?: readonly string[];
  note: string;
}

export interface ChartFacts {
  chart: string;
  version: string;
  /** false when the facts could not be checked against the chart's source (kept conservative) */
  verified: boolean;
  source: string;
  guards: readonly TemplateGuard[];
  workloads: readonly ChartWorkload[];
  lists: readonly ListRoute[];
  /** how the engine pods this chart deploys are found and scraped (self-monitoring on Kubernetes) */
  scrape?: ChartScrape;
  /** the chart's own HorizontalPodAutoscaler values, per topology component (absent: none otelstack writes) */
  autoscaling?: ChartAutoscalingFacts;
}

/**
 * Values paths of one component's HorizontalPodAutoscaler in a chart: every `enabled` path set true renders it;
 * minReplicas / maxReplicas / the two utilisation targets (a null target: no such metric).
 */
export interface ChartAutoscaling {
  enabled: readonly string[];
  minReplicas: string;
  maxReplicas: string;
  targetCpu: string;
  targetMemory: string;
}

export interface ChartAutoscalingFacts {
  /** false: not checked against the chart's templates (otelstack writes none and says so) */
  verified: boolean;
  source: string;
  /** topology component → its values paths */
  components: Readonly<Record<string, ChartAutoscaling>>;
}

/** The usual shape: `<prefix>.enabled`, `<prefix>.minReplicas`, … `<targets>.target{CPU,Memory}UtilizationPercentage`. */
export function hpaValues(prefix: string, extraEnabled: readonly string[] = [], targets: string = prefix): ChartAutoscaling {
  return {
    enabled: [`${prefix}.enabled`, ...extraEnabled],
    minReplicas: `${prefix}.minReplicas`,
    maxReplicas: `${prefix}.maxReplicas`,
    targetCpu: `${targets}.targetCPUUtilizationPercentage`,
    targetMemory: `${targets}.targetMemoryUtilizationPercentage`,
  };
}

/** Every values key the autoscaling facts may write (for a chart's key list). */
export function autoscalingValueKeys(facts: ChartAutoscalingFacts): string[] {
  return Object.values(facts.components).flatMap((a) => [...a.enabled, a.minReplicas, a.maxReplicas, a.targetCpu, a.targetMemory]);
}

/**
 * The engine pods of a chart release, as Kubernetes pod discovery sees them: every pod carries
 * `app.kubernetes.io/name: <name>` and `app.kubernetes.io/instance: <release name>` (the chart's selector labels),
 * components add `app.kubernetes.io/component`; the engine serves its own /metrics on the container port named
 * `metricsPort`. `skipComponents`: pods of the release that carry that port name but serve no /metrics (an nginx
 * gateway), by their `app.kubernetes.io/component`.
 */
export interface ChartScrape {
  /** value of app.kubernetes.io/name on the chart's pods */
  name: string;
  /** container port name of the engine's HTTP server (/metrics) */
  metricsPort: string;
  metricsPath: '/metrics';
  skipComponents: readonly string[];
}

function get(values: unknown, path: string): unknown {
  let cur: unknown = values;
  for (const seg of path.split('.')) {
    if (!cur || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

/** A values path as the chart sees it: the rendered value, else the chart default (Helm drops keys set to null). */
export function chartValue(values: unknown, path: string, chartDefault: unknown): unknown {
  const v = get(values, path);
  return v === undefined ? chartDefault : v;
}

/** Go template truthiness (empty string, 0, false, nil, empty map/list are false). */
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

export function conditionHolds(values: unknown, c: GuardCondition): boolean {
  const v = chartValue(values, c.path, c.default);
  switch (c.op) {
    case 'truthy':
      return truthy(v);
    case 'falsy':
      return !truthy(v);
    case 'gt':
      return Number(v ?? 0) > c.value;
    case 'eq':
      return v === c.value;
    case 'ne':
      return v !== c.value;
  }
}

/** Guards the values break: every condition holds and the required key is missing (or null). */
export function brokenGuards(values: unknown, facts: ChartFacts): TemplateGuard[] {
  return facts.guards.filter((g) => g.when.every((c) => conditionHolds(values, c)) && (get(values, g.requires) === undefined || get(values, g.requires) === null));
}

/** Whether the chart deploys a workload with these values. */
export function workloadEnabled(values: unknown, w: ChartWorkload): boolean {
  if (w.enabled === 'always') return true;
  // Helm drops a key set to null: a component map set to null is gone
  if (get(values, w.key) === null) return false;
  return truthy(chartValue(values, w.enabled.path, w.enabled.default)) && (w.enabled.with ?? []).every((p) => truthy(chartValue(values, p, true)));
}
