/**
 * 5. Real user monitoring (seed 003): the web vitals, exceptions and sessions of the tenants' browser applications,
 * read from the series the Loki ruler records from the Faro logs (src/render/rules/loki-rum.ts, names in
 * src/catalog/faro.ts RUM_RECORDS) — not from Loki itself, so the dashboard loads as fast as any metrics dashboard.
 * Selectors: the environment (its metrics datasource, and the series' `env` label), the tenant (the series'
 * `tenant` label) and the page. Thresholds are web.dev's good / needs-improvement / poor boundaries at p75.
 *
 * Built only where an environment of the scope records RUM series (t.rum: tenants or the Faro endpoint, and a Loki
 * otelstack deploys). A tenant's series are written with its id as X-Scope-OrgID (Loki's ruler, catalog
 * LOKI_RULER): with a multi-tenant metrics engine they are found through the tenant's own metrics datasource.
 */
import { RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { RUM_LABELS, RUM_RECORDS, WEB_VITALS, type WebVital } from '../../catalog/faro.js';
import { sel, sumBy, type Matchers } from '../rules/promql.js';
import { base, dashboardUid, type RenderedDashboard } from './dashboards.js';
import { ENV_VARIABLE, PanelIds, datasourceVariable, promLabelVariable, promTable, stat, timeseries, type DashboardScope } from './kit.js';

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

export function rumDashboard(scope: DashboardScope): RenderedDashboard | undefined {
  if (!scope.envs.some((t) => t.rum)) return undefined;
  const metrics = datasourceVariable(scope, 'metrics');
  if (!metrics) return undefined;
  const ids = new PanelIds();
  const m = metrics.ref;
  const who: Matchers = { [RUM_LABELS.env]: `$${ENV_VARIABLE}`, [RUM_LABELS.tenant]: { re: `$${TENANT_VARIABLE}` } };
  const page: Matchers = { ...who, [RUM_LABELS.page]: { re: `$${PAGE_VARIABLE}` } };
  const d = base(scope, 'rum', 'Real user monitoring', "Web vitals, errors and sessions of the tenants' browser applications (Faro), recorded from Loki by its ruler into the metrics backend.")
    .withVariable(metrics.builder)
    .withVariable(promLabelVariable(TENANT_VARIABLE, 'Tenant', m, `label_values(${sel(RUM_RECORDS.sessions, { [RUM_LABELS.env]: `$${ENV_VARIABLE}` })}, ${RUM_LABELS.tenant})`, 'Tenants (definition: tenants) whose browsers sent Faro telemetry'))
    .withVariable(promLabelVariable(PAGE_VARIABLE, 'Page', m, `label_values(${sel(RUM_RECORDS.lcp, who)}, ${RUM_LABELS.page})`, 'Page URLs (without query string) with web-vitals measurements'));
  d.withRow(new RowBuilder('Core Web Vitals (p75)').id(ids.next()));
  for (const v of ['lcp', 'inp', 'cls'] as const) {
    const f = WEB_VITALS[v];
    d.withPanel(
      stat(ids, `Worst page: ${v.toUpperCase()}`, m, [{ expr: sumBy([], sel(RECORD_OF[v], page), 'max') }], {
        description: `The highest p75 ${v.toUpperCase()} among the selected pages. ${describeVital(v)}`,
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
        description: describeVital(v),
        unit: f.unit,
        w: 8,
        thresholds: vitalSteps(v),
      }),
    );
  }
  d.withRow(new RowBuilder('Errors and sessions').id(ids.next()))
    .withPanel(
      timeseries(ids, 'Exceptions per page', m, [{ expr: sumBy([RUM_LABELS.tenant, RUM_LABELS.page], sel(RUM_RECORDS.exceptions, page)), legend: `{{${RUM_LABELS.tenant}}} {{${RUM_LABELS.page}}}` }], {
        description: 'JavaScript exceptions the Faro SDK reported per second, per page (5-minute rate).',
        unit: 'short',
        w: 12,
      }),
    )
    .withPanel(
      timeseries(ids, 'Sessions (sampled)', m, [{ expr: sumBy([RUM_LABELS.tenant], sel(RUM_RECORDS.sessions, who)), legend: `{{${RUM_LABELS.tenant}}}` }], {
        description: "Distinct browser sessions seen in the last 5 minutes. Only sampled sessions send telemetry: divide by the tenant's sampling rate (definition: tenants.<name>.sampling) for all sessions.",
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
        { description: 'The latest p75 web vitals and exception rate of every selected page.' },
      ),
    );
  return { id: 'rum', uid: dashboardUid(scope.stack.name, 'rum'), title: 'Real user monitoring', dashboard: d.build() };
}
