/**
 * 5. Real user monitoring (seed 003): the web vitals, exceptions and sessions of the tenants' browser applications,
 * read from the series the Loki ruler records from the Faro logs (src/render/rules/loki-rum.ts, names in
 * src/catalog/faro.ts RUM_RECORDS) — not from Loki itself, so the dashboard loads as fast as any metrics dashboard.
 * Thresholds are web.dev's good / needs-improvement / poor boundaries at p75.
 *
 * Built only where an environment of the scope records RUM series (t.rum: tenants or the Faro endpoint, and a Loki
 * otelstack deploys). Where the series are depends on tenancy:
 *  - Tenants (t.tenants, each with its own metrics datasource, TenantPlan.datasources): Loki's ruler remote-writes a
 *    tenant's series with the tenant's id as X-Scope-OrgID (catalog LOKI_RULER.addOrgIdHeaderDefault) into the
 *    metrics engine, which is multi-tenant there (transforms/tenants.ts): only the tenant's own datasource
 *    (grafana.tenantDatasourceName) sees them. The tenant selector is a single-value list of the scope's tenants, and
 *    the metrics datasource variable matches that tenant's datasource of the selected environment.
 *  - Only the shared Faro endpoint: the series are in the environment's metrics tenant, read through the
 *    environment's own metrics datasource; the tenant selector lists the recorded series' `tenant` label.
 * Either way the queries keep the `env` and `tenant` label matchers (right also with a single-tenant engine, e.g.
 * Prometheus, which ignores X-Scope-OrgID and has no tenant datasources).
 */
import { RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { RUM_LABELS, RUM_RECORDS, WEB_VITALS, type WebVital } from '../../catalog/faro.js';
import { sel, sumBy, type Matchers } from '../rules/promql.js';
import { base, dashboardUid, type RenderedDashboard } from './dashboards.js';
import { ENV_VARIABLE, PanelIds, choiceVariable, datasourceVariable, engineFor, promLabelVariable, promTable, stat, timeseries, type DashboardScope } from './kit.js';

export const TENANT_VARIABLE = 'tenant';
export const PAGE_VARIABLE = 'page';

const RECORD_OF: Record<WebVital, string> = { lcp: RUM_RECORDS.lcp, inp: RUM_RECORDS.inp, cls: RUM_RECORDS.cls };

/** good → needs improvement (orange) → poor (red), as threshold steps over the base green */
function vitalSteps(v: WebVital): Array<[number, string]> {
  return [
    [WEB_VITALS[v].good, 'orange'],
    [WEB_VITALS[v].poor, 'red'],
  ];
}

function describeVital(v: WebVital): string {
  const f = WEB_VITALS[v];
  const fmt = (x: number) => (f.unit === 'ms' ? `${x} ms` : String(x));
  return `75th percentile of ${f.title} (${v.toUpperCase()}) per page over 5 minutes, from the Faro web-vitals measurements. web.dev: good ≤ ${fmt(f.good)}, poor > ${fmt(f.poor)}.`;
}

/**
 * The tenants whose RUM series only their own metrics datasource shows: those of the scope's RUM environments with a
 * datasource on the scope's metrics engine, by name, each with the environments serving it.
 */
export function rumTenants(scope: DashboardScope): Map<string, string[]> {
  const metrics = engineFor(scope, 'metrics');
  const out = new Map<string, string[]>();
  if (!metrics) return out;
  for (const t of scope.envs) {
    if (!t.rum) continue;
    for (const x of t.tenants ?? []) {
      if (!x.datasources.some((d) => d.engine === metrics.engine)) continue;
      out.set(x.name, [...(out.get(x.name) ?? []), t.env.name]);
    }
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function rumDashboard(scope: DashboardScope): RenderedDashboard | undefined {
  if (!scope.envs.some((t) => t.rum)) return undefined;
  const tenants = rumTenants(scope);
  const perTenant = tenants.size > 0;
  const metrics = datasourceVariable(scope, 'metrics', perTenant ? { tenantVariable: TENANT_VARIABLE } : {});
  if (!metrics) return undefined;
  const ids = new PanelIds();
  const m = metrics.ref;
  const who: Matchers = { [RUM_LABELS.env]: `$${ENV_VARIABLE}`, [RUM_LABELS.tenant]: { re: `$${TENANT_VARIABLE}` } };
  const page: Matchers = { ...who, [RUM_LABELS.page]: { re: `$${PAGE_VARIABLE}` } };
  const g = scope.stack.grafana;
  // how every panel's datasource is chosen, appended to each description
  const source = perTenant
    ? ` Read from the selected tenant's own metrics datasource in the selected environment (grafana.tenantDatasourceName "${g.tenantDatasourceName}"): Loki's ruler writes each tenant's series under its X-Scope-OrgID, which only that datasource reads.`
    : ` Read from the selected environment's metrics datasource (grafana.datasourceName "${g.datasourceName}").`;
  const envsInScope = scope.envs.filter((t) => t.rum).map((t) => t.env.name);
  const partial = [...tenants].filter(([, envs]) => envs.length < envsInScope.length).map(([n, envs]) => `${n}: ${envs.join(', ')} only`);
  const tenantVariable = perTenant
    ? choiceVariable(
        TENANT_VARIABLE,
        'Tenant',
        `Tenant (definition: tenants) whose own metrics datasource and series every panel reads, one at a time${partial.length ? ` (${partial.join('; ')})` : ''}`,
        [...tenants.keys()],
      )
    : promLabelVariable(TENANT_VARIABLE, 'Tenant', m, `label_values(${sel(RUM_RECORDS.sessions, { [RUM_LABELS.env]: `$${ENV_VARIABLE}` })}, ${RUM_LABELS.tenant})`, 'Tenants (definition: tenants) whose browsers sent Faro telemetry');
  const d = base(
    scope,
    'rum',
    'Real user monitoring',
    `Web vitals, errors and sessions of the tenants' browser applications (Faro), recorded from Loki by its ruler into the metrics backend.${source}`,
  );
  // the tenant selector comes first where the datasource depends on it
  if (perTenant) d.withVariable(tenantVariable).withVariable(metrics.builder);
  else d.withVariable(metrics.builder).withVariable(tenantVariable);
  d.withVariable(promLabelVariable(PAGE_VARIABLE, 'Page', m, `label_values(${sel(RUM_RECORDS.lcp, who)}, ${RUM_LABELS.page})`, 'Page URLs (without query string) with web-vitals measurements'));
  d.withRow(new RowBuilder('Core Web Vitals (p75)').id(ids.next()));
  for (const v of ['lcp', 'inp', 'cls'] as const) {
    const f = WEB_VITALS[v];
    d.withPanel(
      stat(ids, `Worst page: ${v.toUpperCase()}`, m, [{ expr: sumBy([], sel(RECORD_OF[v], page), 'max') }], {
        description: `The highest p75 ${v.toUpperCase()} among the selected pages. ${describeVital(v)}${source}`,
        unit: f.unit,
        w: 8,
        thresholds: vitalSteps(v),
      }),
    );
  }
  for (const v of ['lcp', 'inp', 'cls'] as const) {
    const f = WEB_VITALS[v];
    d.withPanel(
      timeseries(ids, `${v.toUpperCase()} p75 per page`, m, [{ expr: sumBy([RUM_LABELS.tenant, RUM_LABELS.page], sel(RECORD_OF[v], page), 'max'), legend: `{{${RUM_LABELS.tenant}}} {{${RUM_LABELS.page}}}` }], {
        description: describeVital(v) + source,
        unit: f.unit,
        w: 8,
        thresholds: vitalSteps(v),
      }),
    );
  }
  d.withRow(new RowBuilder('Errors and sessions').id(ids.next()))
    .withPanel(
      timeseries(ids, 'Exceptions per page', m, [{ expr: sumBy([RUM_LABELS.tenant, RUM_LABELS.page], sel(RUM_RECORDS.exceptions, page)), legend: `{{${RUM_LABELS.tenant}}} {{${RUM_LABELS.page}}}` }], {
        description: `JavaScript exceptions the Faro SDK reported per second, per page (5-minute rate).${source}`,
        unit: 'short',
        w: 12,
      }),
    )
    .withPanel(
      timeseries(ids, 'Sessions (sampled)', m, [{ expr: sumBy([RUM_LABELS.tenant], sel(RUM_RECORDS.sessions, who)), legend: `{{${RUM_LABELS.tenant}}}` }], {
        description: `Distinct browser sessions seen in the last 5 minutes. Only sampled sessions send telemetry: divide by the tenant's sampling rate (definition: tenants.<name>.sampling) for all sessions.${source}`,
        unit: 'short',
        w: 12,
      }),
    )
    .withRow(new RowBuilder('Pages').id(ids.next()))
    .withPanel(
      promTable(
        ids,
        'Pages',
        m,
        [
          { expr: sumBy([RUM_LABELS.tenant, RUM_LABELS.page], sel(RUM_RECORDS.lcp, page), 'max'), legend: 'LCP p75' },
          { expr: sumBy([RUM_LABELS.tenant, RUM_LABELS.page], sel(RUM_RECORDS.inp, page), 'max'), legend: 'INP p75' },
          { expr: sumBy([RUM_LABELS.tenant, RUM_LABELS.page], sel(RUM_RECORDS.cls, page), 'max'), legend: 'CLS p75' },
          { expr: sumBy([RUM_LABELS.tenant, RUM_LABELS.page], sel(RUM_RECORDS.exceptions, page)), legend: 'exceptions/s' },
        ],
        { description: `The latest p75 web vitals and exception rate of every selected page.${source}` },
      ),
    );
  return { id: 'rum', uid: dashboardUid(scope.stack.name, 'rum'), title: 'Real user monitoring', dashboard: d.build() };
}
