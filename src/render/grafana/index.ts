/**
 * Grafana dashboards as files, provisioned from config (seed 000's acceptance criterion), never made by hand:
 *  - Kubernetes, `grafana.provisioning: sidecar`: one ConfigMap per dashboard in each environment's namespace,
 *    labelled for the Grafana chart's dashboard sidecar (GRAFANA_SIDECAR_LABELS.dashboard = "1"). Every
 *    environment carries the same dashboards (same uid, same data key): the shared Grafana shows one copy, and the
 *    environment selector switches datasources.
 *  - Kubernetes, `grafana.provisioning: chart-values`: the grafana chart's `dashboardProviders` + `dashboards`
 *    values (chart 10.x values.yaml).
 *  - Compose: a file provider (Grafana 12.3 "Provision Grafana" → dashboards, apiVersion 1) under the provisioning
 *    directory the compose renderer already mounts, and the JSON files beside it.
 * Dashboard JSON is serialised once with toJson (sorted keys: byte-identical re-renders).
 */
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap'; // one model's module, not the group's index (start-up time)
import { GRAFANA_SIDECAR_LABELS } from '../../catalog/grafana.js';
import { familyOf, familyPresence, SPAN_METRICS, type MetricSource } from '../../catalog/metrics.js';
import type { Stack } from '../../model/schema.js';
import type { Finding } from '../../plan/findings.js';
import type { Topology } from '../../topology/types.js';
import { toJson, toYaml, type FileSet } from '../fileset.js';
import { metricNamesOf } from '../rules/promql-names.js';
import { renderTopology } from '../topology.js';
import type { RenderInput, RenderResult } from '../types.js';
import { buildDashboards, DASHBOARD_IDS, type RenderedDashboard } from './dashboards.js';
import type { DashboardScope } from './kit.js';

export { buildDashboards, dashboardUid, DASHBOARD_IDS, type DashboardId, type RenderedDashboard } from './dashboards.js';
export { datasourceNameRegex, type DashboardScope } from './kit.js';

const RULE = 'render-grafana';
/** Where the compose Grafana finds the dashboard JSON (inside the provisioning directory it mounts read-only). */
export const COMPOSE_DASHBOARDS_PATH = '/etc/grafana/provisioning/dashboards/json';
/** Folder the dashboards are provisioned into. */
export const dashboardFolder = (stack: Stack) => stack.name;

/**
 * The environments one Grafana covers: on Kubernetes the shared Grafana of seed 000 shows every Kubernetes
 * environment of the stack (each at the phase it is rendered at: `phase`, else its currentPhase); each compose
 * environment runs its own Grafana.
 */
export function dashboardScope(stack: Stack, t: Topology, phase?: number): DashboardScope {
  if (t.env.target !== 'kubernetes') return { stack, envs: [t] };
  const envs = stack.environments.filter((e) => e.target === 'kubernetes').map((e) => (e.name === t.env.name ? t : renderTopology(stack, e.name, phase)));
  return { stack, envs: envs.sort((a, b) => a.env.index - b.env.index) };
}

export interface DashboardQuery {
  /** panel title or variable name */
  where: string;
  kind: 'promql' | 'traceql' | 'servicemap' | 'variable-promql' | 'variable-tempo';
  query: string;
  /** datasource reference as written in the JSON */
  datasource?: { type?: string; uid?: string };
}

type Json = Record<string, unknown>;

/** Every query of a dashboard JSON (panels, rows' nested panels and template variables). */
export function queriesOf(dashboard: unknown): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  const d = dashboard as Json;
  const panels: Json[] = [];
  for (const p of (d['panels'] as Json[] | undefined) ?? []) {
    panels.push(p);
    for (const c of (p['panels'] as Json[] | undefined) ?? []) panels.push(c);
  }
  for (const p of panels) {
    for (const t of (p['targets'] as Json[] | undefined) ?? []) {
      const ds = (t['datasource'] ?? p['datasource']) as DashboardQuery['datasource'];
      const where = String(p['title']);
      if (typeof t['expr'] === 'string') out.push({ where, kind: 'promql', query: t['expr'], datasource: ds });
      if (t['queryType'] === 'serviceMap') out.push({ where, kind: 'servicemap', query: String(t['serviceMapQuery'] ?? ''), datasource: ds });
      else if (typeof t['query'] === 'string') out.push({ where, kind: 'traceql', query: t['query'], datasource: ds });
    }
  }
  const vars = ((d['templating'] as Json | undefined)?.['list'] as Json[] | undefined) ?? [];
  for (const v of vars) {
    if (v['type'] !== 'query') continue;
    const ds = v['datasource'] as DashboardQuery['datasource'];
    const q = v['query'];
    if (typeof q === 'string') out.push({ where: `$${String(v['name'])}`, kind: 'variable-promql', query: q, datasource: ds });
    else if (q && typeof q === 'object') out.push({ where: `$${String(v['name'])}`, kind: 'variable-tempo', query: JSON.stringify(q), datasource: ds });
  }
  return out;
}

/** Metric names a dashboard reads (PromQL parsed with lezer-promql; a service map reads the service-graph metrics). */
export function metricsOfDashboard(dashboard: unknown): string[] {
  const names = new Set<string>();
  for (const q of queriesOf(dashboard)) {
    if (q.kind === 'promql' || q.kind === 'variable-promql') for (const n of metricNamesOf(q.query).names) names.add(n);
    if (q.kind === 'servicemap') {
      names.add(SPAN_METRICS.graphRequests);
      names.add(SPAN_METRICS.graphFailedRequests);
    }
  }
  return [...names].sort();
}

/** Sources whose absence leaves a dashboard mostly empty (warning); others (a Kafka row in one environment) are info. */
const IMPORTANT: readonly MetricSource[] = ['tempo-metrics-generator', 'scrape'];

/** Where the span metrics come from: spanMetrics on the environment's Tempo, which needs a metrics engine beside it. */
function spanMetricsSuggestion(t: Topology): string {
  const tempo = t.engines.find((e) => e.engine === 'tempo');
  if (!tempo) return 'add a Tempo traces engine with spanMetrics: true to this environment';
  if (!t.engines.some((e) => e.signal === 'metrics')) return `add a metrics engine to ${t.env.name} for Tempo's metrics-generator to remote-write to, and set spanMetrics: true on ${tempo.definitionPath}`;
  return `set spanMetrics: true on ${tempo.definitionPath} (Tempo's metrics-generator, remote-writing to ${t.env.name}'s metrics engine)`;
}

function coverageFindings(t: Topology, dashboards: RenderedDashboard[]): Finding[] {
  const byReason = new Map<string, { source: MetricSource; dashboards: Set<string>; metrics: Set<string> }>();
  for (const d of dashboards) {
    for (const name of metricsOfDashboard(d.dashboard)) {
      const f = familyOf(name);
      if (!f) throw new Error(`dashboard ${d.uid} reads ${name}, which src/catalog/metrics.ts does not know`);
      const p = familyPresence(t, f);
      if (p.present) continue;
      const e = byReason.get(p.reason) ?? { source: p.source, dashboards: new Set(), metrics: new Set() };
      e.dashboards.add(d.uid);
      e.metrics.add(f.name);
      byReason.set(p.reason, e);
    }
  }
  return [...byReason.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([reason, e]) => ({
      severity: IMPORTANT.includes(e.source) ? ('warning' as const) : ('info' as const),
      rule: RULE,
      env: t.env.name,
      path: 'grafana',
      message: `dashboards ${[...e.dashboards].sort().join(', ')} show no ${[...e.metrics].sort().join(', ')} for ${t.env.name}: ${reason}`,
      suggestion: e.source === 'tempo-metrics-generator' ? spanMetricsSuggestion(t) : e.source === 'scrape' ? 'scrape the stack\'s /metrics endpoints into the metrics backend' : 'nothing to do unless you need these panels',
    }));
}

/**
 * Built dashboards and their JSON per definition object and scope: on Kubernetes every environment of a render
 * shares one scope, so the set is built and serialised once per render instead of once per environment.
 */
const BUILT = new WeakMap<Stack, Map<string, Array<RenderedDashboard & { json: string }>>>();

function built(stack: Stack, t: Topology, phase?: number): Array<RenderedDashboard & { json: string }> {
  const scope = dashboardScope(stack, t, phase);
  const key = JSON.stringify([scope.envs.map((e) => e.env.name), phase ?? null]);
  const perStack = BUILT.get(stack) ?? new Map<string, Array<RenderedDashboard & { json: string }>>();
  BUILT.set(stack, perStack);
  let set = t.env.target === 'kubernetes' ? perStack.get(key) : undefined;
  if (!set) {
    set = buildDashboards(scope).map((d) => ({ ...d, json: toJson(d.dashboard) }));
    if (t.env.target === 'kubernetes') perStack.set(key, set);
  }
  return set;
}

function dashboardsFor(input: RenderInput): { dashboards: Array<RenderedDashboard & { json: string }>; findings: Finding[] } {
  const dashboards = built(input.stack, input.topology, input.phase);
  const findings = coverageFindings(input.topology, dashboards);
  const four = dashboards.filter((d) => DASHBOARD_IDS.includes(d.id)).length;
  if (four < 4) {
    findings.push({ severity: 'info', rule: RULE, env: input.topology.env.name, path: 'signals', message: `${4 - four} of the four dashboards need a Tempo traces engine or a metrics backend this stack does not have`, suggestion: 'nothing to do' });
  }
  return { dashboards, findings };
}

export function renderDashboardsKubernetes(input: RenderInput, opts: { syncWave: number }): RenderResult {
  const { stack, topology: t } = input;
  const files: FileSet = new Map();
  const { dashboards, findings } = dashboardsFor(input);
  const base = `kubernetes/${t.env.name}`;
  if (stack.grafana.provisioning === 'sidecar') {
    for (const d of dashboards) {
      const cm = new ConfigMap({
        metadata: {
          name: `${stack.name}-dashboard-${d.id}`,
          namespace: t.env.namespace,
          labels: { 'app.kubernetes.io/managed-by': 'otelstack', [GRAFANA_SIDECAR_LABELS.dashboard]: '1', 'otelstack.io/environment': t.env.name },
          // grafana_folder: the folder annotation the chart's sidecar reads when sidecar.dashboards.folderAnnotation is set to it
          annotations: { 'argocd.argoproj.io/sync-wave': String(opts.syncWave), grafana_folder: dashboardFolder(stack) },
        },
        data: { [`${d.uid}.json`]: d.json },
      });
      cm.validate();
      files.set(`${base}/grafana-dashboards/${d.id}.yaml`, toYaml(cm.toJSON()));
    }
  } else {
    const provider = 'otelstack';
    files.set(
      `${base}/values/grafana-dashboards.yaml`,
      toYaml({
        dashboardProviders: {
          'dashboardproviders.yaml': {
            apiVersion: 1,
            providers: [{ name: provider, orgId: 1, folder: dashboardFolder(stack), type: 'file', disableDeletion: true, editable: false, options: { path: `/var/lib/grafana/dashboards/${provider}` } }],
          },
        },
        dashboards: { [provider]: Object.fromEntries(dashboards.map((d) => [d.uid, { json: d.json }])) },
      }),
    );
  }
  return { files, findings };
}

export function renderDashboardsCompose(input: RenderInput): RenderResult {
  const { stack, topology: t } = input;
  const files: FileSet = new Map();
  const { dashboards, findings } = dashboardsFor(input);
  const dir = `compose/${t.env.name}/grafana/provisioning/dashboards`;
  files.set(
    `${dir}/otelstack.yaml`,
    `# Grafana 12.3 dashboard provisioning (file provider) — rendered by otelstack.\n${toYaml({
      apiVersion: 1,
      providers: [
        {
          name: 'otelstack',
          orgId: 1,
          folder: dashboardFolder(stack),
          type: 'file',
          disableDeletion: true,
          allowUiUpdates: false,
          updateIntervalSeconds: 60,
          options: { path: COMPOSE_DASHBOARDS_PATH, foldersFromFilesStructure: false },
        },
      ],
    })}`,
  );
  for (const d of dashboards) files.set(`${dir}/json/${d.uid}.json`, d.json);
  return { files, findings };
}
