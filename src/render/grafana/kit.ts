/**
 * Building blocks of otelstack's dashboards, on @grafana/grafana-foundation-sdk 0.0.21 (the builders generated from
 * the Grafana 12 dashboard schema, schemaVersion 42): the environment selector, one datasource variable per
 * datasource type whose regex follows the definition's `grafana.datasourceName` pattern, and panel helpers.
 * No datasource uid is ever written: every datasource reference is `${<datasource variable>}`.
 */
import {
  CustomVariableBuilder,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableHide,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { LegendDisplayMode, LegendPlacement, VizLegendOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import { DataqueryBuilder as PromQuery, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { DataqueryBuilder as TempoQuery, SearchTableType, TempoQueryType } from '@grafana/grafana-foundation-sdk/tempo';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as NodeGraphPanel } from '@grafana/grafana-foundation-sdk/nodegraph';
import type { SignalName, Stack } from '../../model/schema.js';
import type { EngineDeployment, Topology } from '../../topology/types.js';

export interface DsRef {
  type: string;
  uid: string;
}

/** The environments one Grafana shows (one dashboard set covers them through the environment selector). */
export interface DashboardScope {
  stack: Stack;
  envs: Topology[];
}

export const ENV_VARIABLE = 'env';
export const NAMESPACE_VARIABLE = 'namespace';
export const SERVICE_VARIABLE = 'service';

/** Datasource variable names per signal. */
export const DATASOURCE_VARIABLES: Record<Exclude<SignalName, 'profiles'>, string> = {
  traces: 'ds_traces',
  metrics: 'ds_metrics',
  logs: 'ds_logs',
};

/** The engine serving a signal in the scope (the first environment that has one with a datasource). */
export function engineFor(scope: DashboardScope, signal: SignalName): EngineDeployment | undefined {
  for (const t of scope.envs) {
    const e = t.engines.find((x) => x.signal === signal && x.datasource !== undefined);
    if (e) return e;
  }
  return undefined;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * Regex (Grafana datasource-variable form `/…/`) matching the datasource names the definition's pattern gives an
 * engine in every environment, with `{env}` bound to the environment selector (`${env:regex}`). With
 * `tenantVariable`, the pattern is the tenants' own datasources' (grafana.tenantDatasourceName, the names
 * transforms/tenants.ts gives TenantPlan.datasources) and `{tenant}` is bound to that selector (`${<tenant>:regex}`)
 * too. Grafana interpolates the regex before matching (scenes DataSourceVariable: format `regex` escapes a single
 * value), so choosing an environment — and a tenant — selects exactly that datasource.
 */
export function datasourceNameRegex(stack: Stack, e: EngineDeployment, tenantVariable?: string): string {
  const vars: Record<string, string> = { Engine: e.title, engine: e.engine, stack: stack.name, signal: e.signal };
  const bound: Record<string, string> = { env: `\${${ENV_VARIABLE}:regex}`, ...(tenantVariable !== undefined ? { tenant: `\${${tenantVariable}:regex}` } : {}) };
  const pattern = tenantVariable !== undefined ? stack.grafana.tenantDatasourceName : stack.grafana.datasourceName;
  let out = '';
  let last = 0;
  for (const m of pattern.matchAll(/\{(\w+)\}/g)) {
    out += escapeRegex(pattern.slice(last, m.index));
    const k = m[1]!;
    out += bound[k] ?? (vars[k] !== undefined ? escapeRegex(vars[k]) : escapeRegex(m[0]));
    last = m.index! + m[0].length;
  }
  out += escapeRegex(pattern.slice(last));
  return `/^${out}$/`;
}

/** A single-value custom variable over fixed values, the first selected (no "All": each value is one choice). */
export function choiceVariable(name: string, label: string, description: string, values: readonly string[]): CustomVariableBuilder {
  return new CustomVariableBuilder(name)
    .label(label)
    .description(description)
    .values(values.join(','))
    .current({ text: values[0] ?? '', value: values[0] ?? '' })
    .options(values.map((n, i) => ({ text: n, value: n, selected: i === 0 })))
    .multi(false)
    .includeAll(false);
}

export function envVariable(scope: DashboardScope): CustomVariableBuilder {
  return choiceVariable(
    ENV_VARIABLE,
    'Environment',
    'The environment whose datasources every panel queries',
    scope.envs.map((t) => t.env.name),
  );
}

export interface DatasourceVariable {
  ref: DsRef;
  builder: DatasourceVariableBuilder;
}

/**
 * The datasource variable of a signal's engine. Default: the environment's own datasource (grafana.datasourceName).
 * With `tenantVariable`: the selected tenant's own datasource of the selected environment
 * (grafana.tenantDatasourceName; datasourceNameRegex).
 */
export function datasourceVariable(scope: DashboardScope, signal: 'traces' | 'metrics' | 'logs', opts: { tenantVariable?: string } = {}): DatasourceVariable | undefined {
  const e = engineFor(scope, signal);
  if (!e || !e.datasource) return undefined;
  const name = DATASOURCE_VARIABLES[signal];
  const tenant = opts.tenantVariable;
  const description =
    tenant === undefined
      ? `${e.title} datasource of the selected environment (names follow grafana.datasourceName "${scope.stack.grafana.datasourceName}")`
      : `${e.title} datasource of the selected tenant in the selected environment: the tenant's own, reading with its X-Scope-OrgID (names follow grafana.tenantDatasourceName "${scope.stack.grafana.tenantDatasourceName}")`;
  const builder = new DatasourceVariableBuilder(name)
    .label(e.title)
    .description(description)
    .type(e.datasource.type)
    .regex(datasourceNameRegex(scope.stack, e, tenant))
    .multi(false)
    .includeAll(false)
    .hide(VariableHide.DontHide);
  return { ref: { type: e.datasource.type, uid: `\${${name}}` }, builder };
}

/** A multi-value variable over label values of a PromQL selector ("All" = `.*`). */
export function promLabelVariable(name: string, label: string, ds: DsRef, query: string, description: string): QueryVariableBuilder {
  return new QueryVariableBuilder(name)
    .label(label)
    .description(description)
    .datasource(ds)
    .query(query)
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current({ text: 'All', value: '$__all' });
}

/**
 * A multi-value variable over values of a span attribute, from Tempo's tag-values API (the Tempo datasource's
 * variable query: `type` 1 = attribute values, `label` = scoped attribute).
 */
export function tempoAttributeVariable(name: string, label: string, ds: DsRef, attribute: string, description: string): QueryVariableBuilder {
  return new QueryVariableBuilder(name)
    .label(label)
    .description(description)
    .datasource(ds)
    .query({ type: 1, label: attribute, refId: 'TempoDatasourceVariableQueryEditor-VariableQuery' })
    .definition(attribute)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current({ text: 'All', value: '$__all' });
}

export interface PromTarget {
  expr: string;
  legend?: string;
  instant?: boolean;
}

const refId = (i: number) => String.fromCharCode('A'.charCodeAt(0) + i);

function promQueries(targets: PromTarget[], ds: DsRef, table = false): PromQuery[] {
  return targets.map((t, i) => {
    const q = new PromQuery().refId(refId(i)).datasource(ds).expr(t.expr).legendFormat(t.legend ?? '__auto');
    if (table) q.format(PromQueryFormat.Table).instant();
    else if (t.instant) q.instant();
    else q.range();
    return q;
  });
}

/** Sequential panel ids per dashboard (Grafana needs unique ids; assigning them keeps the JSON deterministic). */
export class PanelIds {
  private n = 0;
  next(): number {
    this.n += 1;
    return this.n;
  }
}

export interface PanelOpts {
  description: string;
  unit?: string;
  w?: number;
  h?: number;
  /** threshold steps (absolute) after the base green: [value, color] */
  thresholds?: Array<[number, string]>;
  stacked?: boolean;
}

function thresholds(steps: Array<[number, string]> | undefined): ThresholdsConfigBuilder | undefined {
  if (!steps) return undefined;
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([{ value: null, color: 'green' }, ...steps.map(([value, color]) => ({ value, color }))]);
}

export function timeseries(ids: PanelIds, title: string, ds: DsRef, targets: PromTarget[], o: PanelOpts): TimeseriesPanel {
  const p = new TimeseriesPanel()
    .id(ids.next())
    .title(title)
    .description(o.description)
    .datasource(ds)
    .span(o.w ?? 12)
    .height(o.h ?? 8)
    .unit(o.unit ?? 'short')
    .legend(new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom).calcs([]))
    .fillOpacity(o.stacked ? 20 : 10)
    .lineWidth(1);
  const th = thresholds(o.thresholds);
  if (th) p.thresholds(th);
  for (const q of promQueries(targets, ds)) p.withTarget(q);
  return p;
}

export function stat(ids: PanelIds, title: string, ds: DsRef, targets: PromTarget[], o: PanelOpts): StatPanel {
  const p = new StatPanel()
    .id(ids.next())
    .title(title)
    .description(o.description)
    .datasource(ds)
    .span(o.w ?? 6)
    .height(o.h ?? 4)
    .unit(o.unit ?? 'short');
  const th = thresholds(o.thresholds);
  if (th) p.thresholds(th);
  for (const q of promQueries(targets.map((t) => ({ ...t, instant: true })), ds)) p.withTarget(q);
  return p;
}

export function promTable(ids: PanelIds, title: string, ds: DsRef, targets: PromTarget[], o: PanelOpts): TablePanel {
  const p = new TablePanel()
    .id(ids.next())
    .title(title)
    .description(o.description)
    .datasource(ds)
    .span(o.w ?? 24)
    .height(o.h ?? 8)
    .unit(o.unit ?? 'short');
  for (const q of promQueries(targets, ds, true)) p.withTarget(q);
  // one row per series, the instant queries' values side by side
  p.withTransformation({ id: 'merge', options: {} });
  p.withTransformation({ id: 'organize', options: { excludeByName: { Time: true } } });
  return p;
}

/** A TraceQL search shown as a table of traces (Tempo datasource). */
export function traceSearch(ids: PanelIds, title: string, ds: DsRef, traceql: string, o: PanelOpts & { limit: number }): TablePanel {
  return new TablePanel()
    .id(ids.next())
    .title(title)
    .description(o.description)
    .datasource(ds)
    .span(o.w ?? 24)
    .height(o.h ?? 10)
    .withTarget(new TempoQuery().refId('A').datasource(ds).queryType(TempoQueryType.Traceql).query(traceql).limit(o.limit).tableType(SearchTableType.Traces));
}

/** Tempo's service map (service-graph metrics, read by Tempo's datasource from its linked metrics datasource). */
export function serviceMap(ids: PanelIds, title: string, ds: DsRef, selector: string, o: PanelOpts): NodeGraphPanel {
  return new NodeGraphPanel()
    .id(ids.next())
    .title(title)
    .description(o.description)
    .datasource(ds)
    .span(o.w ?? 24)
    .height(o.h ?? 14)
    .withTarget(new TempoQuery().refId('A').datasource(ds).queryType(TempoQueryType.ServiceMap).serviceMapQuery(selector));
}
