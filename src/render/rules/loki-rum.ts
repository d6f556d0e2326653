/**
 * The Loki ruler's recording rules for real user monitoring (seed 003; topology: t.rum): one rule file per Loki
 * tenant, whose LogQL turns the Faro lines in Loki (catalog src/catalog/faro.ts: logfmt bodies, the same fields on
 * both collectors) into series the ruler remote-writes to the environment's metrics engine:
 *  - p75 LCP / INP / CLS per page over 5 minutes (quantile_over_time of the unwrapped web-vitals value);
 *  - Faro exceptions per second per page;
 *  - sessions: distinct session ids among the tenant's Faro items in the last 5 minutes. Every Faro item carries
 *    the session id of its page (the payload's meta, merged into each line by both collectors), so this counts the
 *    sessions that were active whatever the SDK version; counting `session_start` events would depend on the SDK's
 *    session tracking being on and would miss sessions that started before the window. The count is of SAMPLED
 *    sessions: the tenant's client sampling (level 1) drops the others before they send anything.
 * Each series carries `env` and `tenant` (rule labels) so one dashboard tells the environments and tenants apart.
 *
 * LogQL is assembled here from catalog names: there is no LogQL builder among the dependencies, and the queries have
 * two shapes (a range aggregation over a filtered, parsed selector; and its grouping), with every string literal
 * escaped as a LogQL (Go) string.
 */
import { FARO_KINDS, FARO_LOG_FIELDS, FARO_WEB_VITALS_TYPE, LOKI_OTLP_SERVICE_LABEL, RUM_EVALUATION_INTERVAL, RUM_LABELS, RUM_RECORDS, RUM_WINDOW, WEB_VITALS, WEB_VITALS_QUANTILE, type WebVital } from '../../catalog/faro.js';
import { LOKI_RULER_PATHS } from '../../catalog/loki.js';
import type { RumPlan, Topology } from '../../topology/types.js';
import type { RecordingRule, RuleFile } from './model.js';

/** A LogQL string literal (double quotes; JSON escaping is a subset of Go's string escapes). */
const q = (s: string) => JSON.stringify(s);

/** Every OTLP stream of the tenant (Loki gives each a non-empty service_name). */
export const FARO_STREAMS = `{${LOKI_OTLP_SERVICE_LABEL}=~".+"}`;

/** `kind=<value>` as it appears in a logfmt line (the values otelstack filters on need no quoting). */
const field = (k: string, v: string) => `${k}=${v}`;

/** page_url without query string and fragment, as the `page` label (bounded cardinality: no per-visit parameters). */
const PAGE = `label_format ${RUM_LABELS.page}=\`{{ regexReplaceAll "[?#].*" .${FARO_LOG_FIELDS.pageUrl} "" }}\``;

/** A line filter matching `key=value` as one logfmt pair (not inside another key such as `context_kind`). */
const pair = (k: string, v: string) => `|~ ${q(`(^|\\s)${k}=${v}(\\s|$)`)}`;

/**
 * The pipeline of one kind of Faro item: a cheap substring filter, then the exact logfmt pair (the `kind` of the
 * body: the collector path also has it as structured metadata, the Alloy path does not — so it is matched in the
 * line, never as a label), then the fields the query needs extracted under their own names (catalog
 * LOKI_LOGFMT_RENAME_UNRELIABLE: a renamed extraction is not done), and the `page` label.
 */
function pipeline(kind: string, opts: { type?: string; value?: string }): string {
  const stages = [FARO_STREAMS, `|= ${q(field(FARO_LOG_FIELDS.kind, kind))}`, pair(FARO_LOG_FIELDS.kind, kind)];
  if (opts.type) stages.push(`|= ${q(field(FARO_LOG_FIELDS.type, opts.type))}`);
  if (opts.value) stages.push(`|= ${q(`${opts.value}=`)}`);
  stages.push(`| logfmt ${[...(opts.type ? [FARO_LOG_FIELDS.type] : []), FARO_LOG_FIELDS.pageUrl, ...(opts.value ? [opts.value] : [])].join(', ')}`);
  if (opts.type) stages.push(`| ${FARO_LOG_FIELDS.type}=${q(opts.type)}`);
  if (opts.value) stages.push(`| ${opts.value}!=""`);
  stages.push(`| ${PAGE}`);
  return stages.join(' ');
}

/** p75 of one web vital per page over the window. */
export function webVitalQuery(v: WebVital): string {
  const f = WEB_VITALS[v].field;
  return `quantile_over_time(${WEB_VITALS_QUANTILE}, ${pipeline(FARO_KINDS.measurement, { type: FARO_WEB_VITALS_TYPE, value: f })} | unwrap ${f} | __error__="" [${RUM_WINDOW}]) by (${RUM_LABELS.page})`;
}

/** Faro exceptions per second per page. */
export function exceptionsQuery(): string {
  return `sum by (${RUM_LABELS.page}) (rate(${pipeline(FARO_KINDS.exception, {})} [${RUM_WINDOW}]))`;
}

/** Distinct session ids among the Faro items of the window. */
export function sessionsQuery(): string {
  const s = FARO_LOG_FIELDS.sessionId;
  const sel = `${FARO_STREAMS} |= ${q(`${s}=`)} | logfmt ${s} | ${s}!=""`;
  return `count(sum by (${s}) (count_over_time(${sel} [${RUM_WINDOW}])))`;
}

export const RUM_GROUP = 'otelstack-rum';

/** The rule file of one Loki tenant. */
export function rumRuleFile(t: Topology, tenant: RumPlan['tenants'][number]): RuleFile {
  const labels = { [RUM_LABELS.env]: t.env.name, [RUM_LABELS.tenant]: tenant.name };
  const rules: RecordingRule[] = [
    { record: RUM_RECORDS.lcp, expr: webVitalQuery('lcp'), labels },
    { record: RUM_RECORDS.inp, expr: webVitalQuery('inp'), labels },
    { record: RUM_RECORDS.cls, expr: webVitalQuery('cls'), labels },
    { record: RUM_RECORDS.exceptions, expr: exceptionsQuery(), labels },
    { record: RUM_RECORDS.sessions, expr: sessionsQuery(), labels },
  ];
  return { groups: [{ name: RUM_GROUP, interval: RUM_EVALUATION_INTERVAL, rules }] };
}

export interface RumRuleFile {
  tenant: RumPlan['tenants'][number];
  /** path below the ruler's local rules directory: <tenant id>/<namespace file> */
  path: string;
  file: RuleFile;
}

/** Every tenant's rule file of the environment (none without a RUM plan), in tenant-name order. */
export function rumRuleFiles(t: Topology): RumRuleFile[] {
  if (!t.rum) return [];
  return [...t.rum.tenants]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((tenant) => ({ tenant, path: `${tenant.id}/${LOKI_RULER_PATHS.namespaceFile}`, file: rumRuleFile(t, tenant) }));
}

export function rumRulesHeader(t: Topology, tenant: RumPlan['tenants'][number]): string {
  return [
    `${t.stack}/${t.env.name}: real user monitoring recording rules for Loki tenant ${tenant.id} — rendered by otelstack.`,
    'LogQL over the Faro lines (fields: src/catalog/faro.ts); Loki\'s ruler evaluates them and remote-writes the series to the metrics engine.',
  ].join('\n');
}
